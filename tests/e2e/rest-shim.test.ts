import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';
import { REST_ROUTES } from '../../gateway/rest/route-table';
import { selfSignedCertificate } from '../kit/certificates';

let supergraph: TestSupergraph;
let acme: SeededOrganization;
let other: SeededOrganization;
let origin: string;

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function call(method: string, route: string, options: { token?: string; body?: unknown; rawBody?: string } = {}): Promise<Answer> {
  const response = await fetch(`${origin}${route}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined || options.rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  origin = new URL(supergraph.gatewayUrl).origin;
  acme = await supergraph.seed
    .org({ name: 'REST Acme' })
    .withMember({ role: 'role_admin' })
    .withMember({ role: 'role_billing_manager' })
    .withMember({ role: 'role_member' })
    .withMember({ role: 'role_guest' })
    .create();
  other = await supergraph.seed.org({ name: 'REST Other' }).create();
}, 120_000);
afterAll(async () => {
  await supergraph?.stop();
});

const owner = () => acme.owner.token;
const [ADMIN, BILLING, MEMBER, GUEST] = [0, 1, 2, 3];
const member = (index: number) => acme.members[index]!;

describe('the seed documents’ examples through the REST shim', () => {
  it('assigns a role to a user (POST /api/v1/rbac/assignments)', async () => {
    const answer = await call('POST', '/api/v1/rbac/assignments', {
      token: owner(),
      body: { user_id: member(MEMBER).user.id, role_id: 'role_admin', organization_id: acme.organization.id },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      user: { id: member(MEMBER).user.id },
      role: { id: 'role_admin', name: 'Admin' },
      active: true,
      expires_at: null,
    });
  });

  it('checks a permission (POST /api/v1/rbac/permissions/check)', async () => {
    const check = (userId: string) =>
      call('POST', '/api/v1/rbac/permissions/check', {
        token: owner(),
        body: { user_id: userId, resource: 'billing', action: 'read', organization_id: acme.organization.id },
      });
    expect((await check(member(BILLING).user.id)).body).toEqual({
      allowed: true,
      permission: 'billing:read',
      organization_id: acme.organization.id,
    });
    expect((await check(member(GUEST).user.id)).body).toMatchObject({ allowed: false });
  });

  it('answers organization analytics in the seed’s shape (GET /api/v1/analytics/organizations/{id}?period=monthly)', async () => {
    const answer = await call('GET', `/api/v1/analytics/organizations/${acme.organization.id}?period=monthly`, { token: owner() });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      organization_id: acme.organization.id,
      period: 'monthly',
      overview: {
        total_users: expect.any(Number),
        active_users: expect.any(Number),
        total_calls: expect.any(Number),
        total_minutes: expect.any(Number),
        total_cost_usd: expect.any(Number),
      },
      ai_usage: {
        total_cost_usd: expect.any(Number),
        by_feature: { stt: expect.any(Number), tts: expect.any(Number), agents: expect.any(Number) },
      },
    });
  });

  it('creates a subscription from the seed’s body, plan and interval by their seed names (POST /api/v1/billing/subscriptions)', async () => {
    const body = { organization_id: other.organization.id, plan_name: 'pro', plan_interval: 'monthly', stripe_customer_id: 'cus_seed' };
    const created = await call('POST', '/api/v1/billing/subscriptions', { token: other.owner.token, body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      organization_id: other.organization.id,
      plan: { code: 'pro' },
      interval: 'monthly',
      status: 'active',
    });
    const again = await call('POST', '/api/v1/billing/subscriptions', { token: other.owner.token, body });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
    const current = await supergraph.gateway<{ organizationSubscription: { id: string } }, { o: string }>(
      'query($o: ID!) { organizationSubscription(organizationId: $o) { id } }',
      { o: other.organization.id },
      { token: other.owner.token },
    );
    const id = current.data!.organizationSubscription.id;
    const read = await call('GET', `/api/v1/billing/subscriptions/${id}`, { token: other.owner.token });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id, organization_id: other.organization.id, usage: { included_minutes: expect.any(Number) } });
  });

  it('configures SSO from the seed’s body (POST, GET, PUT, DELETE /api/v1/sso/configs)', async () => {
    const seedBody = {
      organization_id: acme.organization.id,
      provider_type: 'saml',
      provider_name: 'Okta',
      saml_entity_id: 'https://okta.com/saml',
      saml_sso_url: 'https://okta.com/sso',
      saml_certificate: '-----BEGIN CERTIFICATE-----...',
      auto_provision_users: true,
      default_role: 'member',
    };
    // The seed's certificate is elided ("..."): refused, naming the field as the seed calls it.
    const elided = await call('POST', '/api/v1/sso/configs', { token: owner(), body: seedBody });
    expect(elided.status).toBe(400);
    expect(elided.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field: expect.stringMatching(/^saml_certificate/) });
    const { certificate } = selfSignedCertificate({ days: 365, commonName: 'okta.example' });
    const created = await call('POST', '/api/v1/sso/configs', { token: owner(), body: { ...seedBody, saml_certificate: certificate } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      organization_id: acme.organization.id,
      provider_type: 'saml',
      provider_name: 'Okta',
      saml_entity_id: 'https://okta.com/saml',
      auto_provision_users: true,
      default_role: 'member',
      certificate_expires_soon: false,
      client_secret_set: false,
    });
    expect(created.body.saml_certificates).toEqual([expect.objectContaining({ subject: expect.stringContaining('okta.example') })]);
    const id = created.body.id as string;
    const listed = await call('GET', '/api/v1/sso/configs', { token: owner() });
    expect(listed.body.map((config: { id: string }) => config.id)).toContain(id);
    const updated = await call('PUT', `/api/v1/sso/configs/${id}`, { token: owner(), body: { provider_name: 'Okta EU', enabled: false } });
    expect(updated.body).toMatchObject({ id, provider_name: 'Okta EU', enabled: false });
    expect((await call('GET', `/api/v1/sso/configs/${id}`, { token: member(BILLING).token })).status).toBe(403);
    expect((await call('GET', `/api/v1/sso/configs/${id}`, { token: other.owner.token })).status).toBe(404);
    expect((await call('DELETE', `/api/v1/sso/configs/${id}`, { token: owner() })).body).toEqual({ id, provider_name: 'Okta EU' });
    expect((await call('GET', `/api/v1/sso/configs/${id}`, { token: owner() })).status).toBe(404);
  });

  it('sets a retention policy and reads the compliance report with the seed’s names', async () => {
    const set = await call('POST', '/api/v1/compliance/retention-policies', {
      token: owner(),
      body: { category: 'recordings', keep_days: 365 },
    });
    expect(set.status).toBe(201);
    expect(set.body).toMatchObject({ organization_id: acme.organization.id, category: 'recordings', keep_days: 365, action: 'delete' });
    const refused = await call('POST', '/api/v1/compliance/retention-policies', {
      token: owner(),
      body: { category: 'usage', keep_days: 7 },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: 'BAD_USER_INPUT', field: expect.stringContaining('keep_days') } });

    const report = await call('GET', '/api/v1/compliance/report?standard=hipaa', { token: owner() });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ organization_id: acme.organization.id, standard: 'hipaa', holds: { active: expect.any(Number) } });
    expect((report.body as { retention: { category: string; keep_days: number | null }[] }).retention).toContainEqual(
      expect.objectContaining({ category: 'recordings', keep_days: 365 }),
    );
    expect((await call('GET', '/api/v1/compliance/report', { token: owner() })).body).toMatchObject({ standard: 'gdpr' });
    expect((await call('GET', '/api/v1/compliance/report', { token: member(BILLING).token })).status).toBe(403);
  });
});

describe('REST values and errors', () => {
  it('types query-string values by the variables they fill, and defaults the organization to the token’s', async () => {
    await supergraph.gateway(
      'mutation($e: [AuditEventInput!]!) { recordAuditEvents(events: $e) { id } }',
      {
        e: ['a', 'b', 'c'].map((name) => ({
          organizationId: acme.organization.id,
          actor: { type: 'SYSTEM' },
          action: `rest.test.${name}`,
          severity: name === 'c' ? 'WARNING' : 'INFO',
        })),
      },
      { token: owner() },
    );
    const page = await call('GET', '/api/v1/audit/logs?first=2&action_prefix=rest.test', { token: owner() });
    expect(page.status).toBe(200);
    expect(page.body.logs).toHaveLength(2);
    expect(page.body.page_info).toEqual({ end_cursor: expect.any(String), has_next_page: true });
    const warnings = await call('GET', '/api/v1/audit/logs?action_prefix=rest.test&severities=warning,critical', { token: owner() });
    expect(warnings.body.logs.map((log: { action: string; severity: string }) => [log.action, log.severity])).toEqual([
      ['rest.test.c', 'warning'],
    ]);
    const one = await call('GET', `/api/v1/audit/logs/${warnings.body.logs[0].id}`, { token: owner() });
    expect(one.body).toMatchObject({ id: warnings.body.logs[0].id, actor: { type: 'system' }, previous_hash: expect.any(String) });
  });

  it('records an audit log as a batch of one (POST /api/v1/audit/logs)', async () => {
    const answer = await call('POST', '/api/v1/audit/logs', {
      token: owner(),
      body: { organization_id: acme.organization.id, actor: { type: 'system' }, action: 'rest.created', severity: 'info' },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ id: expect.stringMatching(/^aud_/), sequence: expect.any(Number), duplicate: false });
  });

  it('refuses without a token (401), without the permission (403), and another organization’s data (404)', async () => {
    const anonymous = await call('GET', '/api/v1/billing/invoices');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
    const guest = await call('GET', '/api/v1/billing/invoices', { token: member(GUEST).token });
    expect(guest.status).toBe(403);
    expect(guest.body.error).toEqual({ code: 'FORBIDDEN', message: expect.stringContaining('billing:read') });
    const foreign = await call('GET', `/api/v1/analytics/organizations/${other.organization.id}`, { token: owner() });
    expect([403, 404]).toContain(foreign.status);
    expect(JSON.stringify(foreign.body)).not.toContain('total_users');
  });

  it('names the field a client got wrong, as the client sent it', async () => {
    const unknown = await call('POST', '/api/v1/rbac/roles', {
      token: owner(),
      body: { name: 'Auditor', permissions: ['audit:read'], colour: 'red' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toEqual({ code: 'BAD_USER_INPUT', message: 'Unknown field colour', field: 'colour' });
    const badPlan = await call('PUT', '/api/v1/billing/subscriptions/sub_x', { token: owner(), body: { plan_name: 'platinum' } });
    expect(badPlan.status).toBe(400);
    expect(badPlan.body.error.code).toBe('BAD_USER_INPUT');
    const notJson = await call('POST', '/api/v1/rbac/roles', { token: owner(), rawBody: '{"name":' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.message).toBe('The body is not valid JSON');
    const created = await call('POST', '/api/v1/rbac/roles', {
      token: member(ADMIN).token,
      body: { name: `Auditor ${Date.now()}`, permissions: ['audit:read'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), permissions: ['audit:read'], system: false });
  });

  it('answers JSON for unknown paths (404) and methods (405), never HTML', async () => {
    const missing = await call('GET', '/api/v1/nothing/here', { token: owner() });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const wrongMethod = await call('DELETE', '/api/v1/rbac/roles', { token: owner() });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST, GET');
    expect(wrongMethod.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('serves its OpenAPI document, the committed one, naming every route', async () => {
    const answer = await call('GET', '/api/v1/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(JSON.parse(readFileSync(path.resolve(__dirname, '../../schema/openapi.json'), 'utf8')));
    for (const route of REST_ROUTES) expect(answer.body.paths[route.path]?.[route.method.toLowerCase()]).toBeDefined();
    expect(answer.body.paths['/api/v1/billing/subscriptions'].post.requestBody.content['application/json'].schema.properties).toMatchObject(
      {
        organization_id: { type: 'string' },
        plan_name: { type: 'string', enum: ['free', 'pro', 'enterprise'] },
      },
    );
  });
});
