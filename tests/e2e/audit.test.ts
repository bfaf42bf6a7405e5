import { expectError, expectNoErrors } from '../kit/client';
import { eventually } from '../kit/eventually';
import type { SeededOrganization } from '../kit/seed';
import { connect } from '../kit/subscriptions';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

let supergraph: TestSupergraph;
let a: SeededOrganization;
let b: SeededOrganization;

const LOGS = `query($o: ID!, $f: AuditLogFilter, $first: Int!) {
  auditLogs(organizationId: $o, filter: $f, first: $first) {
    nodes { id sequence action outcome severity source request ip userAgent actor { type id user { id name } } targets { type id organization { id name } } }
    pageInfo { endCursor hasNextPage }
  }
}`;

interface LogNode {
  id: string;
  sequence: number;
  action: string;
  outcome: string;
  severity: string;
  source: string;
  request: Record<string, unknown> | null;
  ip: string | null;
  userAgent: string | null;
  actor: { type: string; id: string; user: { id: string; name: string | null } | null };
  targets: { type: string; id: string; organization: { id: string; name: string } | null }[];
}

async function logs(token: string, organizationId: string, filter: Record<string, unknown> = {}) {
  return supergraph.gateway<{ auditLogs: { nodes: LogNode[] } }, Record<string, unknown>>(
    LOGS,
    { o: organizationId, f: filter, first: 50 },
    { token },
  );
}

beforeAll(async () => {
  supergraph = await startTestSupergraph({ AUDIT_LARGE_EXPORT_ROWS: '1', RATE_LIMIT_TRUSTED_PROXIES: '1' });
  a = await supergraph.seed
    .org({ name: 'Audited A' })
    .withMember({ role: 'role_member', name: 'Mia Member' })
    .withMember({ role: 'role_guest' })
    .withMember({ role: 'role_admin' })
    .create();
  b = await supergraph.seed.org({ name: 'Audited B' }).create();
});
afterAll(async () => {
  await supergraph?.stop();
});

describe('the audit log through the gateway', () => {
  it('records every mutation’s outcome, with the person’s current name beside it, and the subgraphs’ facts', async () => {
    const owner = a.owner.token;
    const organizationId = a.organization.id;
    expectNoErrors(
      await supergraph.gateway(
        'mutation { updateMe(input: { name: "Olga Owner" }) { id } }',
        {},
        { token: owner, headers: { 'user-agent': 'AcmeConsole/2.1', 'x-forwarded-for': '203.0.113.7' } },
      ),
    );
    const member = a.members[0]!;
    expectError(
      await supergraph.gateway(
        'mutation($id: ID!) { updateOrganization(id: $id, input: { name: "Taken" }) { id } }',
        { id: organizationId },
        { token: member.token },
      ),
      'FORBIDDEN',
    );
    const found = await eventually(async () => {
      const nodes = expectNoErrors(await logs(owner, organizationId, { actionPrefix: 'identity.mutation.' })).auditLogs.nodes;
      return nodes.length >= 2 ? nodes : undefined;
    }, 'the two mutations in the audit log');
    const updateMe = found.find((n) => n.action === 'identity.mutation.updateMe')!;
    expect(updateMe).toMatchObject({
      outcome: 'SUCCESS',
      severity: 'INFO',
      source: 'identity',
      request: { arguments: { input: { name: 'Olga Owner' } } },
      // The caller's address as the gateway resolves it (behind one trusted proxy), not the gateway's own.
      ip: '203.0.113.7',
      userAgent: 'AcmeConsole/2.1',
      actor: { type: 'USER', id: a.owner.user.id, user: { id: a.owner.user.id, name: 'Olga Owner' } },
      targets: [{ type: 'organization', id: organizationId, organization: { id: organizationId, name: 'Audited A' } }],
    });
    expect(found.find((n) => n.action === 'identity.mutation.updateOrganization')).toMatchObject({
      outcome: 'DENIED',
      severity: 'WARNING',
      actor: { id: member.user.id, user: { name: 'Mia Member' } },
    });
    // identity's outbox facts for the seeded members (identity.member.add), mapped by audit's consumer.
    const facts = expectNoErrors(await logs(owner, organizationId, { actionPrefix: 'identity.member.add' })).auditLogs.nodes;
    expect(facts.map((n) => n.targets.find((t) => t.type === 'user')?.id).sort()).toEqual(a.members.map((m) => m.user.id).sort());
    const verification = expectNoErrors(
      await supergraph.gateway<{ verifyAuditChain: { valid: boolean; checkedEvents: number } }, { o: string }>(
        'query($o: ID!) { verifyAuditChain(organizationId: $o) { valid checkedEvents problem { kind } } }',
        { o: organizationId },
        { token: owner },
      ),
    );
    expect(verification.verifyAuditChain).toMatchObject({ valid: true });
    expect(verification.verifyAuditChain.checkedEvents).toBeGreaterThanOrEqual(found.length + facts.length);
  });

  it('ingests a batch through recordAuditEvents once, and exports it through a signed link as CSV', async () => {
    const owner = a.owner.token;
    const organizationId = a.organization.id;
    const events = ['aud_E2EONE', 'aud_E2ETWO'].map((id) => ({
      id,
      organizationId,
      actor: { type: 'API_KEY', id: 'key_ci', displayName: 'CI' },
      action: 'deploy.release.publish',
      targets: [{ type: 'user', id: a.owner.user.id }],
      ip: '192.0.2.10',
      changes: { version: { old: '1.0', new: '1.1' }, token: 'ghp_secret' },
    }));
    const record = 'mutation($e: [AuditEventInput!]!) { recordAuditEvents(events: $e) { id sequence duplicate } }';
    const first = expectNoErrors(
      await supergraph.gateway<{ recordAuditEvents: { duplicate: boolean }[] }, { e: unknown }>(record, { e: events }, { token: owner }),
    );
    expect(first.recordAuditEvents.map((r) => r.duplicate)).toEqual([false, false]);
    const again = expectNoErrors(
      await supergraph.gateway<{ recordAuditEvents: { duplicate: boolean }[] }, { e: unknown }>(record, { e: events }, { token: owner }),
    );
    expect(again.recordAuditEvents.map((r) => r.duplicate)).toEqual([true, true]);
    expectError(
      await supergraph.gateway(record, { e: [{ ...events[0], id: 'aud_E2EX', organizationId: b.organization.id }] }, { token: owner }),
      'FORBIDDEN',
    );

    const link = expectNoErrors(
      await supergraph.gateway<{ exportAuditLogs: { url: string } }, { o: string }>(
        'mutation($o: ID!) { exportAuditLogs(organizationId: $o, filter: { actionPrefix: "deploy." }, format: CSV) { url expiresAt } }',
        { o: organizationId },
        { token: owner },
      ),
    ).exportAuditLogs;
    // The test serves audit on a free port, not the configured one the link names: same path and token, audit's actual address.
    const url = new URL(`${new URL(link.url).pathname}${new URL(link.url).search}`, supergraph.subgraphUrls.audit);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await response.text()).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('aud_E2EONE');
    expect(lines[1]).toContain('[REDACTED]');
    expect(lines[1]).not.toContain('ghp_secret');
    const forged = new URL(url);
    forged.searchParams.set('token', `${forged.searchParams.get('token')!.slice(0, -3)}abc`);
    expect((await fetch(forged)).status).toBe(403);
    // Two rows is more than AUDIT_LARGE_EXPORT_ROWS=1 allows without a security event.
    await eventually(async () => {
      const { securityEvents } = expectNoErrors(
        await supergraph.gateway<{ securityEvents: { rule: string }[] }, { o: string }>(
          'query($o: ID!) { securityEvents(organizationId: $o) { rule status } }',
          { o: organizationId },
          { token: owner },
        ),
      );
      return securityEvents.some((e) => e.rule === 'large_export') ? true : undefined;
    }, 'a large_export security event');
  });

  it('streams security events as they open', async () => {
    const organizationId = a.organization.id;
    const socket = connect(supergraph.gatewayUrl, a.owner.token);
    try {
      const stream = socket.subscribe<{ securityEvents: { rule: string; subject: string; status: string } }>(
        'subscription($o: ID!) { securityEvents(organizationId: $o) { rule subject status eventCount } }',
        { o: organizationId },
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      const denial = {
        organizationId,
        actor: { type: 'USER', id: 'user_prober' },
        action: 'billing.invoice.read',
        outcome: 'DENIED',
        targets: [],
      };
      expectNoErrors(
        await supergraph.gateway(
          'mutation($e: [AuditEventInput!]!) { recordAuditEvents(events: $e) { id } }',
          { e: Array.from({ length: 10 }, () => denial) },
          { token: a.owner.token },
        ),
      );
      const result = await stream.next(10_000);
      expect(result.data?.securityEvents).toMatchObject({ rule: 'permission_denials', subject: 'user:user_prober', status: 'OPEN' });
    } finally {
      await socket.dispose();
    }
  });

  it('keeps organizations apart: a member of A cannot read, export, verify or subscribe to B’s events; a guest reads none', async () => {
    const admin = a.members[2]!.token;
    const bId = b.organization.id;
    const [bEvent] = expectNoErrors(await logs(b.owner.token, bId)).auditLogs.nodes;
    expect(bEvent).toBeDefined();
    expectError(await logs(admin, bId), 'FORBIDDEN');
    expectError(
      await supergraph.gateway('query($id: ID!) { auditLog(id: $id) { id } }', { id: bEvent!.id }, { token: admin }),
      'NOT_FOUND',
    );
    expectError(
      await supergraph.gateway('query($o: ID!) { auditStats(organizationId: $o) { total } }', { o: bId }, { token: admin }),
      'FORBIDDEN',
    );
    expectError(
      await supergraph.gateway('query($o: ID!) { verifyAuditChain(organizationId: $o) { valid } }', { o: bId }, { token: admin }),
      'FORBIDDEN',
    );
    expectError(
      await supergraph.gateway('mutation($o: ID!) { exportAuditLogs(organizationId: $o) { url } }', { o: bId }, { token: admin }),
      'FORBIDDEN',
    );
    const socket = connect(supergraph.gatewayUrl, admin);
    try {
      const [first] = await socket
        .subscribe('subscription($o: ID!) { securityEvents(organizationId: $o) { id } }', { o: bId })
        .drain(1_000);
      expect(first?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    } finally {
      await socket.dispose();
    }
    // A's own admin reads A; A's guest reads nothing of A's.
    expectNoErrors(await logs(admin, a.organization.id));
    const guest = a.members[1]!.token;
    expect(expectError(await logs(guest, a.organization.id), 'FORBIDDEN').extensions?.requiredPermission).toBe('audit:read');
    expectError(
      await supergraph.gateway('query($id: ID!) { auditLog(id: $id) { id } }', { id: bEvent!.id }, { token: guest }),
      'FORBIDDEN',
    );
  });
});
