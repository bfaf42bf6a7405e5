import { createHash } from 'node:crypto';
import { expectNoErrors } from '../kit/client';
import type { SeededOrganization } from '../kit/seed';
import { connect } from '../kit/subscriptions';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';
import { operationManifest } from '../../platform/operation-manifest';

let supergraph: TestSupergraph;
let acme: SeededOrganization;
let partnerKey: string;

const manifestId = (name: string) => operationManifest().operations.find((operation) => operation.name === name)!.id;

async function post(body: unknown, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(supergraph.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  acme = await supergraph.seed.org({ name: 'Trusted Acme' }).create();
  const created = expectNoErrors(
    await supergraph.gateway<{ createApiKey: { secret: string; apiKey: { operations: string[] } } }, { input: Record<string, unknown> }>(
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { operations } } }',
      { input: { name: 'Partner', operations: ['RestRoles', 'Plans', 'RestRoles'] } },
      { token: acme.owner.token },
    ),
  );
  expect(created.createApiKey.apiKey.operations).toEqual(['Plans', 'RestRoles']);
  partnerKey = created.createApiKey.secret;
}, 120_000);
afterAll(async () => {
  await supergraph?.stop();
});

describe('partners on trusted documents', () => {
  it('runs a partner key’s manifest operations by id, in either form', async () => {
    const byId = await post({ documentId: manifestId('Plans') }, partnerKey);
    expect(byId.status).toBe(200);
    expect(byId.body.data.plans.map((plan: { code: string }) => plan.code)).toEqual(['FREE', 'PRO', 'ENTERPRISE']);
    const apq = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: manifestId('RestRoles') } } }, partnerKey);
    expect(apq.body.errors).toBeUndefined();
    expect(apq.body.data.roles.map((role: { id: string }) => role.id)).toContain('role_owner');
    // The exact document of one of its operations is the same document.
    const exact = await post({ query: operationManifest().operations.find((operation) => operation.name === 'Plans')!.body }, partnerKey);
    expect(exact.body.data.plans).toHaveLength(3);
  });

  it('refuses a partner key’s free-form document and an operation outside its list, over HTTP and WebSocket', async () => {
    const freeForm = await post({ query: '{ plans { code } }' }, partnerKey);
    expect(freeForm.status).toBe(403);
    expect(freeForm.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'TRUSTED_DOCUMENTS_ONLY' });
    expect(freeForm.body.data ?? null).toBeNull();
    const outside = await post({ documentId: manifestId('Me') }, partnerKey);
    expect(outside.status).toBe(403);
    expect(outside.body.errors[0].extensions.reason).toBe('TRUSTED_DOCUMENTS_ONLY');
    const socket = connect(supergraph.gatewayUrl, partnerKey);
    try {
      const stream = socket.subscribe<{ organizationEvents: unknown }>(
        'subscription($o: ID!) { organizationEvents(organizationId: $o) { type } }',
        {
          o: acme.organization.id,
        },
      );
      const first = await stream.next();
      expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'TRUSTED_DOCUMENTS_ONLY' });
    } finally {
      await socket.dispose();
    }
  });

  it('lets a partner key call the REST routes of its operations only', async () => {
    const origin = new URL(supergraph.gatewayUrl).origin;
    const roles = await fetch(`${origin}/api/v1/rbac/roles`, { headers: { authorization: `Bearer ${partnerKey}` } });
    expect(roles.status).toBe(200);
    const invoices = await fetch(`${origin}/api/v1/billing/invoices`, { headers: { authorization: `Bearer ${partnerKey}` } });
    expect(invoices.status).toBe(403);
    expect(((await invoices.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
  });

  it('leaves other callers free-form, lets anyone use the manifest by id, and says when an id is unknown', async () => {
    expect((await post({ query: '{ plans { code } }' }, acme.owner.token)).body.data.plans).toHaveLength(3);
    expect((await post({ documentId: manifestId('Plans') })).body.data.plans).toHaveLength(3);
    const unknown = await post({ documentId: createHash('sha256').update('nothing').digest('hex') }, acme.owner.token);
    expect(unknown.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('refuses a key bound to operations the manifest does not have, naming the field', async () => {
    const refused = await supergraph.gateway(
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }',
      { input: { name: 'Partner', operations: ['Plans', 'DropEverything'] } },
      { token: acme.owner.token },
    );
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.operations' });
    expect(refused.errors?.[0]?.message).toContain('DropEverything');
  });
});
