import { randomBytes } from 'node:crypto';
import { ServiceTokens } from '../../platform/auth/service-token';
import { createComplianceServices } from '../../subgraphs/compliance';
import type { ComplianceServices } from '../../subgraphs/compliance';
import { execute, expectError, expectNoErrors } from '../kit/client';
import { eventually } from '../kit/eventually';
import { uniqueEmail } from '../kit/seed';
import type { SeededMember, SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';
import { connect } from '../kit/subscriptions';
import { freePort } from '../kit/test-services';

/**
 * Data-subject requests end to end: a person with data in every subgraph that holds personal
 * data, exported (each subgraph's part, through the gateway with compliance's service token),
 * then deleted under a legal hold that makes it wait; afterwards direct SQL over every schema
 * finds nothing of theirs but what the rules keep, anonymised, and the audit chain verifies.
 */
let supergraph: TestSupergraph;
let compliance: ComplianceServices;
let a: SeededOrganization;
let b: SeededOrganization;
let subject: SeededMember;
let colleague: SeededMember;
let bAdmin: SeededMember;

const run = randomBytes(4).toString('hex');
const NAME = `Dana Subject ${run}`;
const EMAIL = uniqueEmail(`dana${run}`);
const USER_AGENT = `DsrTestAgent/${run}`;
const SESSION_IP = '198.51.100.23';
const CALL_ID = `dsr-call-${run}`;
const AI_ID = `dsr-ai-${run}`;

const REQUEST = 'id type status held overdue dueAt receivedAt progressDone progressTotal downloadUrl result userId';
interface Request {
  id: string;
  type: string;
  status: string;
  held: boolean;
  overdue: boolean;
  dueAt: string;
  receivedAt: string;
  progressDone: number;
  progressTotal: number;
  downloadUrl: string | null;
  result: string | null;
  userId: string;
}

const asSubject = { headers: { 'user-agent': USER_AGENT } };
const gateway = <T>(query: string, variables: Record<string, unknown>, token: string, headers: Record<string, string> = {}) =>
  supergraph.gateway<T, Record<string, unknown>>(query, variables, { token, headers });
const get = async (token: string, id: string) =>
  expectNoErrors(
    await gateway<{ complianceRequest: Request }>(`query($id: ID!) { complianceRequest(id: $id) { ${REQUEST} } }`, { id }, token),
  ).complianceRequest;
/** The link as the compliance subgraph serves it, on the port this test gave it. */
const onCompliance = (url: string) => new URL(`${new URL(url).pathname}${new URL(url).search}`, supergraph.subgraphUrls.compliance);

beforeAll(async () => {
  // Compliance reaches the subgraphs through the gateway, at the address its config names.
  const port = await freePort();
  supergraph = await startTestSupergraph({ GATEWAY_PORT: String(port) });
  a = await supergraph.seed
    .org({ name: 'Requests A' })
    .withMember({ role: 'role_admin', name: NAME, email: EMAIL })
    .withMember({ role: 'role_member' })
    .create();
  [subject, colleague] = a.members as [SeededMember, SeededMember];
  b = await supergraph.seed.org({ name: 'Requests B' }).withMember({ role: 'role_admin' }).create();
  bAdmin = b.members[0]!;
  // The job's work, as the worker does it, with the services of a process of its own.
  compliance = createComplianceServices({
    dataSource: supergraph.dataSources.compliance,
    config: supergraph.config,
    events: supergraph.events,
    messaging: supergraph.messaging,
  });
});
afterAll(async () => {
  await supergraph?.stop();
});

async function seedSubjectData(): Promise<void> {
  const o = a.organization.id;
  await supergraph.seed.identity.sessions.start(subject.user.id, o, { ip: SESSION_IP, userAgent: USER_AGENT });
  await supergraph.seed.identity.mfa.beginEnrollment(subject.user.id, EMAIL);
  expectNoErrors(
    await gateway('mutation { createApiKey(input: { name: "Deploy key" }) { apiKey { id } } }', {}, subject.token, asSubject.headers),
  );
  await eventually(async () => {
    const exchange = await gateway(
      'mutation($o: ID!) { grantConsent(input: { organizationId: $o, purpose: "marketing", noticeVersion: "2026-01" }) { id } }',
      { o },
      subject.token,
      asSubject.headers,
    );
    return exchange.errors ? undefined : exchange;
  }, 'compliance to know the subject');
  expectNoErrors(
    await gateway(
      `mutation($c: ID!, $u: String!) { recordCall(input: { callId: $c, participants: [$u, "pstn:+15550100"], codec: "opus",
         startedAt: "2026-01-01T10:00:00Z", endedAt: "2026-01-01T10:05:00Z", rttMs: 40, jitterMs: 2, packetLossPercent: 0.1 }) { callId } }`,
      { c: CALL_ID, u: subject.user.id },
      subject.token,
      asSubject.headers,
    ),
  );
  expectNoErrors(
    await gateway(
      `mutation($id: ID!, $u: ID!) { recordAiUsage(input: { id: $id, feature: STT, model: "whisper-1", userId: $u, seconds: 30, occurredAt: "2026-01-01T10:01:00Z" }) { id } }`,
      { id: AI_ID, u: subject.user.id },
      subject.token,
      asSubject.headers,
    ),
  );
  // The audit log has the subject's mutations (they travel through each subgraph's outbox).
  await eventually(async () => {
    const [row] = (await supergraph.dataSources.audit.query(
      `SELECT count(*)::int AS n FROM audit.events WHERE organization_id = $1 AND actor_id = $2 AND user_agent = $3`,
      [o, subject.user.id, USER_AGENT],
    )) as { n: number }[];
    return row!.n >= 4 ? true : undefined;
  }, 'the subject’s mutations in the audit log');
}

/** Every row of every subgraph's schema whose text holds `needle`, as `schema.table`. */
async function rowsHolding(needle: string): Promise<string[]> {
  const tables = (await supergraph.dataSources.identity.query(
    `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
      WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
    [['identity', 'authz', 'audit', 'billing', 'compliance', 'analytics']],
  )) as { schema: string; name: string }[];
  const found: string[] = [];
  for (const { schema, name } of tables) {
    const [row] = (await supergraph.dataSources.identity.query(
      `SELECT count(*)::int AS n FROM "${schema}"."${name}" t WHERE t::text ILIKE '%' || $1 || '%'`,
      [needle],
    )) as { n: number }[];
    if (row!.n > 0) found.push(`${schema}.${name}`);
  }
  return found;
}

describe('data-subject requests through the gateway', () => {
  it('exports every subgraph’s part of a person, downloadable once', async () => {
    await seedSubjectData();
    const o = a.organization.id;
    const created = expectNoErrors(
      await gateway<{ requestDataExport: Request }>(
        `mutation($o: ID!) { requestDataExport(input: { organizationId: $o, format: JSON }) { ${REQUEST} } }`,
        { o },
        subject.token,
      ),
    ).requestDataExport;
    expect(created).toMatchObject({ type: 'EXPORT', status: 'RECEIVED', overdue: false, userId: subject.user.id });
    expect(new Date(created.dueAt).getUTCMonth()).toBe((new Date(created.receivedAt).getUTCMonth() + 1) % 12);

    expect(await compliance.requests.processPending({ organizationId: o })).toMatchObject({ completed: 1, failed: 0 });
    const done = await get(subject.token, created.id);
    expect(done).toMatchObject({ status: 'COMPLETED', progressDone: 4, progressTotal: 4 });

    const response = await fetch(onCompliance(done.downloadUrl!));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const file = (await response.json()) as { parts: Record<string, ({ kind: string; id: string } & Record<string, unknown>)[]> };
    const of = (part: string, kind: string) => file.parts[part]!.filter((record) => record.kind === kind);
    expect(Object.keys(file.parts)).toEqual(['identity', 'audit', 'analytics', 'compliance']);
    expect(of('identity', 'user')).toEqual([expect.objectContaining({ id: subject.user.id, email: EMAIL, name: NAME })]);
    expect(of('identity', 'membership')).toEqual([expect.objectContaining({ id: subject.membership.id })]);
    expect(of('identity', 'session')).toContainEqual(expect.objectContaining({ ip: SESSION_IP, userAgent: USER_AGENT }));
    expect(of('identity', 'api_key')).toEqual([expect.objectContaining({ name: 'Deploy key' })]);
    const actions = of('audit', 'audit_event').map((event) => event.action);
    expect(actions).toEqual(
      expect.arrayContaining(['identity.mutation.createApiKey', 'compliance.mutation.grantConsent', 'analytics.mutation.recordCall']),
    );
    // With what the audit log recorded of each: the address and user agent they came from.
    expect(of('audit', 'audit_event').filter((event) => event.userAgent === USER_AGENT && event.ip).length).toBeGreaterThanOrEqual(4);
    expect(of('analytics', 'call_record')).toEqual([
      expect.objectContaining({ id: CALL_ID, participants: expect.arrayContaining([subject.user.id, 'pstn:+15550100']) }),
    ]);
    expect(of('analytics', 'ai_usage')).toEqual([expect.objectContaining({ id: AI_ID, feature: 'stt', model: 'whisper-1' })]);
    expect(of('compliance', 'consent')).toEqual([
      expect.objectContaining({ purpose: 'marketing', state: 'granted', noticeVersion: '2026-01' }),
    ]);
    expect(of('compliance', 'request').map((request) => request.id)).toContain(created.id);

    // Once only.
    expect((await fetch(onCompliance(done.downloadUrl!))).status).toBe(404);
    expect((await get(subject.token, created.id)).downloadUrl).toBeNull();
  });

  it('a held person’s deletion waits; after the last hold is released it completes, and nothing personal remains', async () => {
    const o = a.organization.id;
    const hold = expectNoErrors(
      await gateway<{ placeLegalHold: { id: string } }>(
        'mutation($o: ID!, $u: ID!) { placeLegalHold(input: { organizationId: $o, userId: $u, reason: "Litigation hold" }) { id } }',
        { o, u: subject.user.id },
        a.owner.token,
      ),
    ).placeLegalHold;
    const requested = expectNoErrors(
      await gateway<{ requestDataDeletion: Request }>(
        `mutation($o: ID!) { requestDataDeletion(input: { organizationId: $o }) { ${REQUEST} } }`,
        { o },
        subject.token,
        asSubject.headers,
      ),
    ).requestDataDeletion;
    expect(requested).toMatchObject({ type: 'DELETION', status: 'AWAITING_APPROVAL' });
    // Approval needs compliance:approve.
    expect(
      expectError(
        await gateway('mutation($id: ID!) { approveComplianceRequest(id: $id) { id } }', { id: requested.id }, colleague.token),
        'FORBIDDEN',
      ).extensions?.requiredPermission,
    ).toBe('compliance:approve');
    // The request's own mutation reaches the audit log before anything is erased.
    await eventually(async () => {
      const [row] = (await supergraph.dataSources.audit.query(
        `SELECT count(*)::int AS n FROM audit.events WHERE organization_id = $1 AND actor_id = $2 AND action = 'compliance.mutation.requestDataDeletion'`,
        [o, subject.user.id],
      )) as { n: number }[];
      return row!.n > 0 ? true : undefined;
    }, 'the deletion request in the audit log');
    const approved = expectNoErrors(
      await gateway<{ approveComplianceRequest: Request }>(
        `mutation($id: ID!) { approveComplianceRequest(id: $id, note: "Identity checked") { ${REQUEST} } }`,
        { id: requested.id },
        a.owner.token,
      ),
    ).approveComplianceRequest;
    expect(approved.status).toBe('IN_PROGRESS');

    expect(await compliance.requests.processPending({ organizationId: o })).toMatchObject({ held: 1, completed: 0 });
    expect(await get(a.owner.token, requested.id)).toMatchObject({ status: 'IN_PROGRESS', held: true });
    expect(await rowsHolding(EMAIL)).toContain('identity.users');

    expectNoErrors(
      await gateway('mutation($id: ID!) { releaseLegalHold(id: $id, note: "Settled") { id } }', { id: hold.id }, a.owner.token),
    );
    const done = await eventually(async () => {
      await compliance.requests.processPending({ organizationId: o });
      const request = await get(a.owner.token, requested.id);
      return request.status === 'COMPLETED' ? request : undefined;
    }, 'the deletion to complete once the hold is released');
    expect(done).toMatchObject({ held: false, progressDone: 4 });

    // Nothing of the person's is left, anywhere.
    for (const needle of [EMAIL, NAME, USER_AGENT, SESSION_IP])
      expect({ needle, rows: await rowsHolding(needle) }).toEqual({ needle, rows: [] });
    // What the rules keep, anonymised.
    const [user] = (await supergraph.dataSources.identity.query('SELECT email, name FROM identity.users WHERE id = $1', [
      subject.user.id,
    ])) as {
      email: string;
      name: string | null;
    }[];
    expect(user).toEqual({ email: expect.stringMatching(/^erased\+.*@erased\.invalid$/), name: null });
    const count = async (sql: string, values: unknown[]) =>
      ((await supergraph.dataSources.identity.query(sql, values)) as { n: number }[])[0]!.n;
    expect(await count('SELECT count(*)::int AS n FROM identity.organization_members WHERE user_id = $1', [subject.user.id])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM identity.sessions WHERE user_id = $1', [subject.user.id])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM identity.api_keys WHERE created_by_id = $1', [subject.user.id])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM identity.user_mfa WHERE user_id = $1', [subject.user.id])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM audit.events WHERE actor_id = $1', [subject.user.id])).toBe(0);
    expect(
      await count('SELECT count(*)::int AS n FROM audit.events WHERE organization_id = $1 AND personal_digest IS NOT NULL', [o]),
    ).toBeGreaterThanOrEqual(4);
    const [call] = (await supergraph.dataSources.analytics.query(
      'SELECT participants FROM analytics.call_records WHERE organization_id = $1 AND call_id = $2',
      [o, CALL_ID],
    )) as { participants: string[] }[];
    expect(call!.participants).toEqual(['pstn:+15550100']);
    expect(await count('SELECT count(*)::int AS n FROM analytics.ai_usage_events WHERE user_id = $1', [subject.user.id])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM analytics.ai_usage_events WHERE id = $1', [AI_ID])).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM compliance.consent_records WHERE user_id = $1', [subject.user.id])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM compliance.data_subject_requests WHERE user_id = $1', [subject.user.id])).toBe(2);

    // The audit chain verifies across the anonymised events.
    const verified = expectNoErrors(
      await gateway<{ verifyAuditChain: { valid: boolean; checkedEvents: number } }>(
        'query($o: ID!) { verifyAuditChain(organizationId: $o) { valid checkedEvents } }',
        { o },
        a.owner.token,
      ),
    ).verifyAuditChain;
    expect(verified.valid).toBe(true);
    expect(verified.checkedEvents).toBeGreaterThan(4);
  });

  it('a member of organization B neither sees nor starts requests about A’s people', async () => {
    const [mine] = (await supergraph.dataSources.compliance.query(
      'SELECT id FROM compliance.data_subject_requests WHERE organization_id = $1 LIMIT 1',
      [a.organization.id],
    )) as { id: string }[];
    expectError(
      await gateway('query($o: ID!) { complianceRequests(organizationId: $o) { id } }', { o: a.organization.id }, bAdmin.token),
      'FORBIDDEN',
    );
    expectError(await gateway('query($id: ID!) { complianceRequest(id: $id) { id } }', { id: mine!.id }, bAdmin.token), 'NOT_FOUND');
    expectError(
      await gateway(
        'mutation($o: ID!, $u: ID!) { requestDataExport(input: { organizationId: $o, userId: $u }) { id } }',
        { o: a.organization.id, u: colleague.user.id },
        bAdmin.token,
      ),
      'FORBIDDEN',
    );
    expectError(
      await gateway(
        'mutation($o: ID!, $u: ID!) { requestDataDeletion(input: { organizationId: $o, userId: $u }) { id } }',
        { o: b.organization.id, u: colleague.user.id },
        bAdmin.token,
      ),
      'NOT_FOUND',
    );
    expectError(
      await gateway('mutation($id: ID!) { approveComplianceRequest(id: $id) { id } }', { id: mine!.id }, b.owner.token),
      'NOT_FOUND',
    );
  });

  it('an owner follows the organization’s requests as they change; another organization’s admin hears nothing of them', async () => {
    const o = a.organization.id;
    const socket = connect(supergraph.gatewayUrl, a.owner.token);
    const outsider = connect(supergraph.gatewayUrl, bAdmin.token);
    try {
      const stream = socket.subscribe<{ complianceRequestUpdates: { id: string; type: string; status: string; userId: string } }>(
        'subscription($o: ID!) { complianceRequestUpdates(organizationId: $o) { id type status userId } }',
        { o },
      );
      const [refused] = await outsider
        .subscribe('subscription($o: ID!) { complianceRequestUpdates(organizationId: $o) { id } }', { o })
        .drain(1_000);
      expect(refused?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const { requestRectification } = expectNoErrors(
        await gateway<{ requestRectification: Request }>(
          'mutation($o: ID!) { requestRectification(input: { organizationId: $o, details: "My name is spelt Kolleg" }) { id } }',
          { o },
          colleague.token,
        ),
      );
      expectNoErrors(
        await gateway(
          'mutation($id: ID!) { approveComplianceRequest(id: $id, note: "Corrected") { id } }',
          { id: requestRectification.id },
          a.owner.token,
        ),
      );
      const seen: string[] = [];
      while (!seen.includes('COMPLETED')) {
        const result = await stream.next(30_000);
        expect(result.errors).toBeUndefined();
        expect(result.data!.complianceRequestUpdates).toMatchObject({
          id: requestRectification.id,
          type: 'RECTIFICATION',
          userId: colleague.user.id,
        });
        seen.push(result.data!.complianceRequestUpdates.status);
      }
      expect(seen).toEqual(['AWAITING_APPROVAL', 'COMPLETED']);
    } finally {
      await socket.dispose();
      await outsider.dispose();
    }
  });

  it('the contract answers compliance’s service token only, and only for its organization', async () => {
    const query = 'query($o: ID!, $u: ID!) { _identityDataSubjectExport(organizationId: $o, userId: $u) { records { kind } } }';
    const variables = { o: a.organization.id, u: colleague.user.id };
    expect(expectError(await gateway(query, variables, a.owner.token), 'FORBIDDEN').extensions?.reason).toBe('SERVICE_ONLY');
    const tokens = ServiceTokens.fromConfig(supergraph.config);
    const own = await execute<{ _identityDataSubjectExport: { records: { kind: string }[] } }, typeof variables>(
      supergraph.gatewayUrl,
      query,
      variables,
      { token: tokens.sign('compliance', a.organization.id) },
    );
    expect(expectNoErrors(own)._identityDataSubjectExport.records.map((record) => record.kind)).toContain('user');
    const other = await execute(supergraph.gatewayUrl, query, variables, { token: tokens.sign('compliance', b.organization.id) });
    expectError(other, 'FORBIDDEN');
    // A service token reads nothing else.
    expectError(
      await execute(
        supergraph.gatewayUrl,
        'query($o: ID!) { legalHolds(organizationId: $o) { id } }',
        { o: a.organization.id },
        {
          token: tokens.sign('compliance', a.organization.id),
        },
      ),
      'FORBIDDEN',
    );
    // A token signed with another key is no token.
    const forged = new ServiceTokens(randomBytes(32)).sign('compliance', a.organization.id);
    expect((await execute(supergraph.gatewayUrl, query, variables, { token: forged })).status).toBe(401);
  });

  it('the REST shim’s data-export route runs requestDataExport with the seed’s names', async () => {
    const response = await fetch(new URL('/api/v1/compliance/data-export', supergraph.gatewayUrl), {
      method: 'POST',
      headers: { authorization: `Bearer ${a.owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: colleague.user.id, export_format: 'csv', compliance_standard: 'HIPAA' }),
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect({ status: response.status, body }).toMatchObject({
      status: 201,
      body: { user_id: colleague.user.id, type: 'export', status: 'received', format: 'csv', regulation: 'hipaa' },
    });
    const listed = await fetch(new URL(`/api/v1/compliance/requests?user_id=${colleague.user.id}`, supergraph.gatewayUrl), {
      headers: { authorization: `Bearer ${a.owner.token}` },
    });
    expect(((await listed.json()) as { id: string }[]).map((request) => request.id)).toContain(body.id);
  });
});
