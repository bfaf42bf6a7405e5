/**
 * Issue 9, item 1: one small query from a guest multiplied `organization { members {
 * organization { members … } } }` until the process ran out of memory. Every document is
 * now held to limits before the gateway plans it, and again in each subgraph reached
 * directly; lists that can grow come in pages.
 */
import { execute, expectError, expectNoErrors } from '../kit/client';
import type { Exchange } from '../kit/client';
import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

/** Small enough that twenty copies of the member list go over it; every other query here stays below. */
const RESPONSE_MAX_BYTES = 64 * 1024;

let supergraph: TestSupergraph;
let acme: SeededOrganization;
const guest = () => acme.members[0]!;

beforeAll(async () => {
  supergraph = await startTestSupergraph({ RESPONSE_MAX_BYTES: String(RESPONSE_MAX_BYTES) });
  const builder = supergraph.seed.org({ name: 'Acme' }).withMember({ role: 'role_guest' });
  for (let i = 0; i < 24; i += 1) builder.withMember({ name: `Member ${i}` });
  acme = await builder.create();
});
afterAll(async () => {
  await supergraph?.stop();
});

/** `organization { members { organization { members { … } } } }`, `levels` pairs deep. */
function nestedMembers(organizationId: string, levels: number): string {
  let inner = 'id';
  for (let i = 0; i < levels; i += 1) inner = `members { organization { ${inner} } }`;
  return `{ organization(id: "${organizationId}") { ${inner} } }`;
}

function expectRefused(exchange: Exchange<unknown>, limit: string): { message: string; extensions?: Record<string, unknown> } {
  expect(exchange.status).toBe(400);
  expect(exchange.data).toBeUndefined();
  const error = expectError(exchange, 'QUERY_TOO_COMPLEX');
  expect(error.extensions?.limit).toBe(limit);
  return error;
}

describe('the nested members attack', () => {
  it('is refused by its estimated cost at the gateway, before any subgraph does work, as a guest would send it', async () => {
    const exchange = await supergraph.gateway(nestedMembers(acme.organization.id, 3), undefined, { token: guest().token });

    const error = expectRefused(exchange, 'cost');
    expect(error.message).toMatch(/^Query cost \d+ exceeds the limit of 20000/);
    expect(error.extensions).toMatchObject({ max: 20000 });
    expect(error.extensions?.found).toBeGreaterThan(20000);
  });

  it('is refused without asking any subgraph: the same answer with identity stopped', async () => {
    await supergraph.stopSubgraph('identity');
    try {
      const exchange = await supergraph.gateway(nestedMembers(acme.organization.id, 3), undefined, { token: guest().token });
      expectRefused(exchange, 'cost');
    } finally {
      await supergraph.restartSubgraph('identity');
    }
  });

  it('is refused by its depth when it goes deeper, naming the depth and the limit', async () => {
    // 12 levels: organization, five pairs of members and organization, then id.
    const exchange = await supergraph.gateway(nestedMembers(acme.organization.id, 5), undefined, { token: guest().token });

    const error = expectRefused(exchange, 'depth');
    expect(error.message).toBe('Query depth 12 exceeds the limit of 10');
    expect(error.extensions).toMatchObject({ max: 10, found: 12 });
  });

  it('is refused by the identity subgraph reached directly, without the gateway', async () => {
    for (const levels of [3, 5]) {
      const exchange = await execute(supergraph.subgraphUrls.identity, nestedMembers(acme.organization.id, levels), undefined, {
        token: guest().token,
      });
      expectRefused(exchange, levels === 3 ? 'cost' : 'depth');
    }
  });

  it('still answers a query of the same shape one level of lists down', async () => {
    const { organization } = expectNoErrors(
      await supergraph.gateway<{ organization: { members: { organization: { members: { id: string }[] } }[] } }, never>(
        nestedMembers(acme.organization.id, 2),
        undefined,
        { token: guest().token },
      ),
    );
    expect(organization.members).toHaveLength(26);
    expect(organization.members[0]!.organization.members).toHaveLength(26);
  });
});

describe('documents too large to be worth parsing', () => {
  it('refuses 50,000 __typename aliases by the size of their text, at the gateway and at a subgraph', async () => {
    const query = `{ ${Array.from({ length: 50_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expect(query.length).toBeGreaterThan(800_000);
    for (const url of [supergraph.gatewayUrl, supergraph.subgraphUrls.billing]) {
      const error = expectRefused(await execute(url, query), 'documentBytes');
      expect(error.message).toMatch(/^Query text of \d+ bytes exceeds the limit of 65536 bytes$/);
    }
  });

  it('refuses a short text with too many tokens', async () => {
    const query = `{ ${'__typename '.repeat(2_500)}}`;
    expect(query.length).toBeLessThan(64 * 1024);
    const error = expectRefused(await supergraph.gateway(query), 'tokens');
    expect(error.message).toBe('Query has more than 2000 tokens, the limit');
  });
});

describe('the other document limits', () => {
  it('counts every alias, __typename ones included', async () => {
    const query = `{ plans { ${Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ')} } }`;
    const error = expectRefused(await supergraph.gateway(query), 'aliases');
    expect(error.message).toBe('Query has 31 aliases, more than the limit of 30');
  });

  it('limits the root fields of an operation', async () => {
    const query = `{ ${Array.from({ length: 21 }, (_, i) => `p${i % 10}: plans { code } h${i}: __typename`).join(' ')} }`;
    const exchange = await supergraph.gateway(query);
    expect(exchange.status).toBe(400);
    expect(expectError(exchange, 'QUERY_TOO_COMPLEX').message).toMatch(/^Query selects 42 root fields, more than the limit of 20$/);
  });

  it('limits directives', async () => {
    const query = `{ plans { ${'code @include(if: true) '.repeat(51)} } }`;
    const error = expectRefused(await supergraph.gateway(query), 'directives');
    expect(error.message).toBe('Query has 51 directives, more than the limit of 50');
  });
});

describe('lists that can grow come in pages', () => {
  it('pages members with first and offset', async () => {
    const query =
      'query($id: ID!, $first: Int!, $offset: Int!) { organization(id: $id) { members(first: $first, offset: $offset) { id } } }';
    type Page = { organization: { members: { id: string }[] } };
    const all = expectNoErrors(
      await supergraph.gateway<Page, object>(query, { id: acme.organization.id, first: 100, offset: 0 }, { token: guest().token }),
    ).organization.members;
    const second = expectNoErrors(
      await supergraph.gateway<Page, object>(query, { id: acme.organization.id, first: 10, offset: 10 }, { token: guest().token }),
    ).organization.members;

    expect(all).toHaveLength(26);
    expect(second).toEqual(all.slice(10, 20));
  });

  it('refuses a page larger than 100 with BAD_USER_INPUT naming first, at the gateway and at the subgraph', async () => {
    const query = `{ organization(id: "${acme.organization.id}") { members(first: 101) { id } } }`;
    for (const url of [supergraph.gatewayUrl, supergraph.subgraphUrls.identity]) {
      const error = expectError(await execute(url, query, undefined, { token: guest().token }), 'BAD_USER_INPUT');
      expect(error.extensions?.field).toBe('first');
      expect(error.message).toMatch(/first must not be greater than 100/);
    }
  });

  it('pages whoCan, roles and a user’s roles and memberships the same way', async () => {
    const { whoCan, roles, me } = expectNoErrors(
      await supergraph.gateway<{ whoCan: unknown[]; roles: unknown[]; me: { roles: unknown[]; memberships: unknown[] } }, never>(
        '{ whoCan(resource: "organization", action: "read", first: 2) { id } roles(first: 3) { id } me { roles(first: 1) { active } memberships(first: 1) { id } } }',
        undefined,
        { token: acme.owner.token },
      ),
    );
    expect(whoCan).toHaveLength(2);
    expect(roles).toHaveLength(3);
    expect(me.roles).toHaveLength(1);
    expect(me.memberships).toHaveLength(1);
  });
});

describe('the size of a response', () => {
  it('is bounded: over RESPONSE_MAX_BYTES the gateway sends an error instead of the body', async () => {
    const aliases = Array.from(
      { length: 20 },
      (_, i) => `o${i}: organization(id: $id) { members { id status joinedAt user { id email name } } }`,
    );
    const exchange = await supergraph.gateway(
      `query($id: ID!) { ${aliases.join(' ')} }`,
      { id: acme.organization.id },
      { token: guest().token },
    );

    expect(exchange.data).toBeUndefined();
    const error = expectError(exchange, 'QUERY_TOO_COMPLEX');
    expect(error.extensions).toMatchObject({ limit: 'responseBytes', max: RESPONSE_MAX_BYTES });
    expect(error.message).toMatch(/^Response of \d+ bytes exceeds the limit of 65536 bytes/);
  });
});

describe('documents at the limits', () => {
  it('pass the gateway, and every fetch it plans from them passes the subgraphs', async () => {
    // Depth 10 across identity and billing.
    const deep = `{ me { memberships(first: 1) { organization { members(first: 1) { user { memberships(first: 1) {
      organization { subscription { plan { name } } } } } } } } } }`;
    // Cost 18,501 across identity and authz: 100 members with 45 roles each.
    const costly = `{ organization(id: "${acme.organization.id}") { members(first: 100) { id user { id email roles(first: 45) { active role { name } } } } } }`;
    for (const query of [deep, costly]) expectNoErrors(await supergraph.gateway(query, undefined, { token: acme.owner.token }));
  });
});

describe('what the README and the benchmark ask', () => {
  it('answers the heaviest benchmark query and the README example', async () => {
    const nested = `query Nested($id: ID!) {
      me { id memberships { organization { name subscription { plan { name } } } } }
      organization(id: $id) {
        name
        subscription { plan { name } }
        members { user { email memberships { organization { slug subscription { status } } } } }
      }
      health { identity { status } authz { status } audit { status } billing { status } compliance { status } analytics { status } }
    }`;
    expectNoErrors(await supergraph.gateway(nested, { id: acme.organization.id }, { token: acme.owner.token }));
    expectNoErrors(
      await supergraph.gateway(
        `{ organization(id: "${acme.organization.id}") { name members { user { email } } subscription { plan { name includedMinutes } status } } }`,
        undefined,
        { token: acme.owner.token },
      ),
    );
  });
});
