import { CreateOrganizationDocument, CreateRoleDocument, UpdateMeDocument, UpdateRoleDocument } from '../../schema/generated/operations';
import { execute, expectError, expectNoErrors } from '../kit/client';
import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

let supergraph: TestSupergraph;
let acme: SeededOrganization;

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  acme = await supergraph.seed.org({ name: 'Acme' }).create();
});
afterAll(async () => {
  await supergraph?.stop();
});

async function customRoleNames(): Promise<string[]> {
  return (await supergraph.seed.authz.roles.list(acme.organization.id)).filter((role) => !role.system).map((role) => role.name);
}

describe('a NUL byte or another control character in a name', () => {
  it.each([
    ['an organization name', CreateOrganizationDocument, { input: { name: 'Evil\u0000Corp' } }, 'name'],
    ['a role name', CreateRoleDocument, { input: { name: 'Evil\u0000Role', permissions: ['members:read'] } }, 'name'],
    ['a display name', UpdateMeDocument, { input: { name: 'Bell\u0007' } }, 'name'],
  ] as const)('in %s is BAD_USER_INPUT naming the field, not INTERNAL', async (_what, document, variables, field) => {
    const exchange = await supergraph.gateway(document as never, variables as never, { token: acme.owner.token });
    const error = expectError(exchange, 'BAD_USER_INPUT');
    expect(error.extensions?.field).toBe(field);
    expect(error.message).toMatch(/control characters/);
  });

  it('is refused by a subgraph reached directly as well', async () => {
    const exchange = await execute(
      supergraph.subgraphUrls.authz,
      'mutation($input: CreateRoleInput!) { createRole(input: $input) { id } }',
      { input: { name: 'ok', description: 'line one\nline two\u0000', permissions: ['members:read'] } },
      { token: acme.owner.token },
    );
    expect(expectError(exchange, 'BAD_USER_INPUT').extensions?.field).toBe('description');
  });
});

describe('length limits on free text', () => {
  it('refuses a 900 KB role description and stores nothing', async () => {
    const exchange = await supergraph.gateway(
      CreateRoleDocument,
      { input: { name: 'Huge', description: 'x'.repeat(900 * 1024), permissions: ['members:read'] } },
      { token: acme.owner.token },
    );
    const error = expectError(exchange, 'BAD_USER_INPUT');
    expect(error.message).toMatch(/description must be at most 1000 characters/);
    expect(await customRoleNames()).not.toContain('Huge');
  });

  it('keeps a description with line breaks within the limit, and refuses one over it on update', async () => {
    const { createRole } = expectNoErrors(
      await supergraph.gateway(
        CreateRoleDocument,
        { input: { name: 'Reader', description: 'Reads members.\nNothing else.', permissions: ['members:read'] } },
        { token: acme.owner.token },
      ),
    );
    expect(createRole.description).toBe('Reads members.\nNothing else.');
    const update = await supergraph.gateway(
      UpdateRoleDocument,
      { id: createRole.id, input: { description: 'y'.repeat(1001) } },
      { token: acme.owner.token },
    );
    expectError(update, 'BAD_USER_INPUT');
  });

  it.each([
    ['a role name', CreateRoleDocument, { input: { name: 'r'.repeat(101), permissions: ['members:read'] } }],
    ['a permission', CreateRoleDocument, { input: { name: 'Long', permissions: ['m'.repeat(65)] } }],
    ['the number of permissions', CreateRoleDocument, { input: { name: 'Many', permissions: Array(101).fill('members:read') } }],
    ['an organization name', CreateOrganizationDocument, { input: { name: 'o'.repeat(201) } }],
    ['a display name', UpdateMeDocument, { input: { name: 'n'.repeat(201) } }],
  ] as const)('refuses %s over its limit', async (_what, document, variables) => {
    expectError(await supergraph.gateway(document as never, variables as never, { token: acme.owner.token }), 'BAD_USER_INPUT');
  });
});
