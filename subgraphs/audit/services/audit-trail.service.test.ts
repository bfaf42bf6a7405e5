import { parse } from 'csv-parse/sync';
import type { DataSource } from 'typeorm';
import { Authorizer } from '../../../platform/authorization/authorizer';
import { DatabasePolicySource } from '../../../platform/authorization/policy-store';
import { InProcessPolicyWatcher } from '../../../platform/authorization/policy-watcher';
import { createDataSource } from '../../../platform/database';
import { newId } from '../../../platform/ids';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { testConfig } from '../../../tests/kit/supergraph';
import { auditSubgraph } from '..';
import { createAuditServices } from '.';
import type { AuditServices } from '.';
import { applyOnce } from '../../../platform/outbox/consumer';
import { outboxFactsConsumer } from '../consumers/outbox-facts.consumer';
import { ensurePartitions } from './partitions';
import { networkOf } from './security-rules';
import { chainHash } from './audit-event';
import type { AuditEventInput } from './audit-event';

let database: TestDatabase;
let dataSource: DataSource;
let services: AuditServices;

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = await createDataSource(auditSubgraph.storage, { url: database.url, poolMax: 8, applicationName: 'audit-test' }).initialize();
  services = createAuditServices({ dataSource, config: testConfig({ AUDIT_LARGE_EXPORT_ROWS: '3' }) });
});
afterAll(async () => {
  await services?.securityEvents.settled();
  await dataSource?.destroy();
  await database?.drop();
});

const principalOf = (organizationId: string, userId = 'user_auditor') => ({
  userId,
  organizationId,
  sessionId: 'jti',
  expiresAt: new Date(Date.now() + 60_000),
});

function event(organizationId: string, overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    id: newId('audit'),
    organizationId,
    actor: { type: 'user', id: 'user_alice', displayName: 'Alice' },
    action: 'billing.subscription.cancel',
    severity: 'warning',
    outcome: 'success',
    targets: [{ type: 'subscription', id: 'sub_1' }],
    changes: { status: { old: 'active', new: 'canceled' }, apiKey: 'sk_live_secret' },
    source: 'api',
    occurredAt: new Date(),
    ...overrides,
  };
}

async function recordMany(organizationId: string, count: number) {
  return services.ingest.record(Array.from({ length: count }, () => event(organizationId)));
}

describe('ingest', () => {
  it('chains each organization’s events from 1, redacts secrets, and records an id once', async () => {
    const organizationId = newId('organization');
    const batch = [event(organizationId), event(organizationId)];
    const first = await services.ingest.record(batch);
    expect(first.map((r) => [r.sequence, r.duplicate])).toEqual([
      [1, false],
      [2, false],
    ]);
    const again = await services.ingest.record([batch[1]!, event(organizationId)]);
    expect(again.map((r) => [r.id, r.sequence, r.duplicate])).toEqual([
      [batch[1]!.id, 2, true],
      [again[1]!.id, 3, false],
    ]);
    const stored = await services.logs.get(principalOf(organizationId), batch[0]!.id!);
    expect(stored.changes).toEqual({ status: { old: 'active', new: 'canceled' }, apiKey: '[REDACTED]' });
    const [{ count }] = await dataSource.query('SELECT count(*)::int AS count FROM audit.events WHERE organization_id = $1', [
      organizationId,
    ]);
    expect(count).toBe(3);
  });

  it('numbers concurrent batches of several organizations without gaps or repeats, each chain intact', async () => {
    const organizations = [newId('organization'), newId('organization'), newId('organization')];
    await Promise.all(
      Array.from({ length: 24 }, (_, index) =>
        services.ingest.record([
          event(organizations[index % 3]!),
          event(organizations[(index + 1) % 3]!),
          event(organizations[index % 3]!),
        ]),
      ),
    );
    for (const organizationId of organizations) {
      const rows = (await dataSource.query('SELECT sequence FROM audit.events WHERE organization_id = $1 ORDER BY sequence', [
        organizationId,
      ])) as {
        sequence: string;
      }[];
      expect(rows.map((row) => Number(row.sequence))).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
      expect(await services.verification.verify(organizationId, null, null)).toMatchObject({
        valid: true,
        checkedEvents: 24,
        problem: null,
      });
    }
  });

  it('refuses a batch over 1,000, a malformed action and another organization’s event, naming the field', async () => {
    const organizationId = newId('organization');
    await expect(services.ingest.record(Array.from({ length: 1001 }, () => event(organizationId)))).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'events' },
    });
    await expect(services.ingest.record([event(organizationId), event(organizationId, { action: 'Cancel It' })])).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'events.1.action' },
    });
    await expect(services.ingest.recordFor(principalOf(organizationId), [event(newId('organization'))])).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN', field: 'events.0.organizationId' },
    });
  });
});

describe('verifyAuditChain names the first broken link', () => {
  it('an event edited in SQL', async () => {
    const organizationId = newId('organization');
    const recorded = await recordMany(organizationId, 10);
    await dataSource.query(`UPDATE audit.events SET action = 'billing.subscription.create' WHERE organization_id = $1 AND sequence = 4`, [
      organizationId,
    ]);
    expect((await services.verification.verify(organizationId, null, null)).problem).toEqual({
      kind: 'ALTERED',
      sequence: 4,
      eventId: recorded[3]!.id,
      message: expect.stringContaining('altered'),
    });
  });

  it('an event edited and hashed again', async () => {
    const organizationId = newId('organization');
    const recorded = await recordMany(organizationId, 6);
    const tampered = await services.logs.get(principalOf(organizationId), recorded[2]!.id);
    const forged = chainHash({ ...tampered, outcome: 'denied' });
    await dataSource.query(`UPDATE audit.events SET outcome = 'denied', hash = $2 WHERE organization_id = $1 AND sequence = 3`, [
      organizationId,
      forged,
    ]);
    expect((await services.verification.verify(organizationId, null, null)).problem).toMatchObject({
      kind: 'BROKEN_LINK',
      sequence: 4,
      eventId: recorded[3]!.id,
    });
  });

  it('an event deleted', async () => {
    const organizationId = newId('organization');
    await recordMany(organizationId, 10);
    await dataSource.query('DELETE FROM audit.events WHERE organization_id = $1 AND sequence = 7', [organizationId]);
    expect((await services.verification.verify(organizationId, null, null)).problem).toMatchObject({
      kind: 'MISSING',
      sequence: 7,
      eventId: null,
    });
  });

  it('the tail truncated after a signed checkpoint, even with the chain head rewritten', async () => {
    const organizationId = newId('organization');
    await recordMany(organizationId, 12);
    const [checkpoint] = await services.signing.checkpoint([organizationId]);
    expect(Number(checkpoint!.sequence)).toBe(12);
    expect((await services.verification.verify(organizationId, null, null)).valid).toBe(true);
    await dataSource.query('DELETE FROM audit.events WHERE organization_id = $1 AND sequence > 9', [organizationId]);
    await dataSource.query(
      `UPDATE audit.chain_heads SET sequence = 9, hash = (SELECT hash FROM audit.events WHERE organization_id = $1 AND sequence = 9) WHERE organization_id = $1`,
      [organizationId],
    );
    const result = await services.verification.verify(organizationId, null, null);
    expect(result).toMatchObject({
      valid: false,
      lastSequence: 9,
      checkpoint: { sequence: 12 },
      problem: { kind: 'TRUNCATED', sequence: 10 },
    });
  });

  it('a forged checkpoint', async () => {
    const organizationId = newId('organization');
    await recordMany(organizationId, 3);
    await services.signing.checkpoint([organizationId]);
    await dataSource.query('UPDATE audit.checkpoints SET sequence = 2 WHERE organization_id = $1', [organizationId]);
    expect((await services.verification.verify(organizationId, null, null)).problem).toMatchObject({ kind: 'BAD_CHECKPOINT' });
  });
});

describe('retention', () => {
  it('archives events past the organization’s retention; the chain verifies across both tables and events stay readable', async () => {
    const organizationId = newId('organization');
    const principal = principalOf(organizationId);
    const recorded = await recordMany(organizationId, 5);
    await services.signing.checkpoint([organizationId]);
    expect((await services.retention.settingsFor(principal, organizationId)).retentionDays).toBe(90);
    await services.retention.setRetention(principal, organizationId, 30);
    await expect(services.retention.setRetention(principal, organizationId, 0)).rejects.toMatchObject({
      extensions: { field: 'retentionDays' },
    });

    expect((await services.retention.archive({ organizationId, now: new Date(Date.now() + 29 * 86_400_000) })).archived).toBe(0);
    const moved = await services.retention.archive({ organizationId, now: new Date(Date.now() + 31 * 86_400_000) });
    expect(moved.archived).toBe(5);
    await recordMany(organizationId, 2);
    const page = await services.logs.page(principal, organizationId, {}, 50, null);
    expect(page.events.map((e) => e.sequence)).toEqual([7, 6]);
    expect((await services.logs.get(principal, recorded[0]!.id)).sequence).toBe(1);
    expect(await services.verification.verify(organizationId, null, null)).toMatchObject({ valid: true, checkedEvents: 7 });
    await dataSource.query('DELETE FROM audit.archived_events WHERE organization_id = $1 AND sequence = 2', [organizationId]);
    expect((await services.verification.verify(organizationId, null, null)).problem).toMatchObject({ kind: 'MISSING', sequence: 2 });
  });
});

describe('queries', () => {
  it('pages newest first with a cursor and filters by actor, action prefix, target, severity, outcome and text', async () => {
    const organizationId = newId('organization');
    const principal = principalOf(organizationId);
    await services.ingest.record([
      event(organizationId, { action: 'identity.member.add', severity: 'info', targets: [{ type: 'user', id: 'user_bob' }] }),
      event(organizationId, {
        action: 'billing.invoice.issue',
        severity: 'info',
        actor: { type: 'system', id: 'billing', displayName: null },
      }),
      event(organizationId, {
        action: 'billing.subscription.cancel',
        outcome: 'denied',
        actor: { type: 'user', id: 'user_eve', displayName: 'Eve' },
      }),
      event(organizationId, { action: 'billing.subscription.cancel' }),
    ]);
    const first = await services.logs.page(principal, organizationId, {}, 3, null);
    expect(first.events.map((e) => e.sequence)).toEqual([4, 3, 2]);
    const second = await services.logs.page(principal, organizationId, {}, 3, first.endCursor);
    expect(second).toMatchObject({ hasNextPage: false, endCursor: null });
    expect(second.events.map((e) => e.sequence)).toEqual([1]);
    const sequences = async (filter: object) =>
      (await services.logs.page(principal, organizationId, filter, 50, null)).events.map((e) => e.sequence);
    expect(await sequences({ actionPrefix: 'billing.' })).toEqual([4, 3, 2]);
    expect(await sequences({ actorId: 'user_eve' })).toEqual([3]);
    expect(await sequences({ targetType: 'user', targetId: 'user_bob' })).toEqual([1]);
    expect(await sequences({ severities: ['info'] })).toEqual([2, 1]);
    expect(await sequences({ outcomes: ['denied'] })).toEqual([3]);
    expect(await sequences({ search: 'EVE' })).toEqual([3]);
    expect(await sequences({ search: 'r_bo' })).toEqual([1]);
    // Text across two fields (the action's end, the actor's id) is no match.
    expect(await sequences({ search: 'cancel user_eve' })).toEqual([]);
    expect(await sequences({ severities: ['warning'] })).toEqual([4, 3]);
    expect(await sequences({ from: new Date(Date.now() + 60_000) })).toEqual([]);
    await expect(services.logs.page(principal, organizationId, {}, 101, null)).rejects.toMatchObject({ extensions: { field: 'first' } });
    await expect(services.logs.page(principal, organizationId, {}, 10, 'bogus')).rejects.toMatchObject({ extensions: { field: 'after' } });
    const stats = await services.logs.stats(principal, organizationId, {});
    expect(stats.total).toBe(4);
    expect(stats.byAction[0]).toEqual({ key: 'billing.subscription.cancel', count: 2 });
    expect(stats.bySeverity).toEqual([
      { key: 'info', count: 2 },
      { key: 'warning', count: 2 },
    ]);
    expect(stats.byDay).toHaveLength(1);
    await expect(services.logs.page(principalOf(newId('organization')), organizationId, {}, 10, null)).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
    await expect(services.logs.get(principalOf(newId('organization')), first.events[0]!.id)).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
  });
});

describe('security rules', () => {
  it('open one event per rule and subject, counting further matches, and statuses move forward only', async () => {
    const organizationId = newId('organization');
    const principal = principalOf(organizationId);
    const failedLogin = (ip: string) =>
      event(organizationId, {
        action: 'identity.login.failed',
        outcome: 'failed',
        actor: { type: 'user', id: 'user_mallory', displayName: null },
        ip,
      });
    await services.ingest.record(Array.from({ length: 4 }, () => failedLogin('203.0.113.9')));
    await services.securityEvents.settled();
    expect(await services.securityEvents.list(principal, organizationId, null, 50)).toEqual([]);
    await services.ingest.record([failedLogin('203.0.113.9'), failedLogin('198.51.100.1')]);
    for (let i = 0; i < 10; i++)
      await services.ingest.record([
        event(organizationId, { outcome: 'denied', actor: { type: 'user', id: 'user_probe', displayName: null } }),
      ]);
    await services.ingest.record([
      event(organizationId, { action: 'identity.api_key.revoke', targets: [{ type: 'api_key', id: 'key_old' }] }),
    ]);
    await services.ingest.record([
      event(organizationId, { action: 'identity.api_key.revoked', targets: [{ type: 'api_key', id: 'key_old' }] }),
    ]);
    await services.ingest.record([
      event(organizationId, { action: 'identity.api_key.used', actor: { type: 'api_key', id: 'key_old', displayName: null }, targets: [] }),
    ]);
    await services.ingest.record([event(organizationId, { action: 'audit.logs.exported', metadata: { rows: 4, format: 'csv' } })]);
    await services.securityEvents.settled();
    const found = await services.securityEvents.list(principal, organizationId, null, 50);
    expect(found.map((e) => [e.rule, e.subject, e.eventCount, e.status]).sort()).toEqual(
      [
        // Six failed sign-ins of that user (from two addresses); neither address reached ten.
        ['failed_logins_user', 'user:user_mallory', 6, 'open'],
        ['permission_denials', 'user:user_probe', 10, 'open'],
        ['revoked_api_key_used', 'api_key:key_old', 1, 'open'],
        ['large_export', expect.stringMatching(/^export:aud_/), 1, 'open'],
      ].sort(),
    );
    const denials = found.find((e) => e.rule === 'permission_denials')!;
    expect((await services.securityEvents.changeStatus(principal, denials.id, 'acknowledged' as never)).status).toBe('acknowledged');
    expect((await services.securityEvents.changeStatus(principal, denials.id, 'resolved' as never)).status).toBe('resolved');
    await expect(services.securityEvents.changeStatus(principal, denials.id, 'open' as never)).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
    await expect(
      services.securityEvents.changeStatus(principalOf(newId('organization')), denials.id, 'resolved' as never),
    ).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
  });
});

describe('an admin signing in from a new network', () => {
  it('is a security event from their second network on (IPv4 /24, IPv6 /48, not seen in 30 days); a first sign-in and a member’s never are', async () => {
    const organizationId = newId('organization');
    const principal = principalOf(organizationId);
    // Roles as authz keeps them: the admin holds role_admin, the member none of the admin roles.
    await dataSource.query(
      `INSERT INTO authz.casbin_rule (ptype, v0, v1, v2) VALUES ('g', 'user_admin', 'role_admin', $1), ('g', 'user_member', 'role_member', $1)`,
      [organizationId],
    );
    const authorizer = new Authorizer({ source: new DatabasePolicySource(dataSource), watcher: new InProcessPolicyWatcher() });
    const withRoles = createAuditServices({ dataSource, config: testConfig(), access: { authorizer } });
    const signIn = async (userId: string, ip: string) => {
      await withRoles.ingest.record([
        event(organizationId, { action: 'identity.sso.login', actor: { type: 'user', id: userId, displayName: null }, ip, changes: null }),
      ]);
      await withRoles.securityEvents.settled();
    };
    const flagged = async () =>
      (await withRoles.securityEvents.list(principal, organizationId, null, 50))
        .filter((e) => e.rule === 'admin_new_network')
        .map((e) => e.subject)
        .sort();

    // The first sign-in arrives as identity's fact, its address included.
    const fact = {
      id: newId('event'),
      type: 'identity.sso.login_succeeded' as const,
      source: 'identity',
      sequence: 1,
      occurredAt: new Date(),
      payload: {
        organizationId,
        userId: 'user_admin',
        ssoConfigId: 'sso_1',
        providerType: 'oidc' as const,
        sessionId: 'ses_1',
        provisioned: false,
        ip: '203.0.113.10',
      },
    };
    expect(await applyOnce(dataSource, outboxFactsConsumer(withRoles), fact)).toBe('applied');
    await withRoles.securityEvents.settled();
    expect((await withRoles.logs.page(principal, organizationId, { actionPrefix: 'identity.sso.' }, 5, null)).events[0]!.ip).toBe(
      '203.0.113.10',
    );
    await signIn('user_admin', '203.0.113.77');
    expect(await flagged()).toEqual([]);

    await signIn('user_admin', '198.51.100.5');
    await signIn('user_admin', '198.51.100.9');
    await signIn('user_admin', '2001:db8:1:2::1');
    await signIn('user_admin', '2001:db8:1:ffff::2');
    expect(await flagged()).toEqual(['user:user_admin network:198.51.100.0/24', 'user:user_admin network:2001:db8:1::/48']);

    // A network last seen over 30 days ago is new again.
    await ensurePartitions(dataSource, new Date(), new Date(Date.now() - 32 * 86_400_000));
    await dataSource.query(
      `UPDATE audit.events SET recorded_at = now() - interval '31 days' WHERE organization_id = $1 AND ip LIKE '203.0.113.%'`,
      [organizationId],
    );
    await signIn('user_admin', '::ffff:203.0.113.200');
    expect(await flagged()).toContain('user:user_admin network:203.0.113.0/24');

    await signIn('user_member', '192.0.2.1');
    await signIn('user_member', '10.1.2.3');
    await signIn('user_member', '2001:db8:9::1');
    expect((await flagged()).filter((subject) => subject.includes('user_member'))).toEqual([]);
  });

  it('compares addresses by network', () => {
    expect(networkOf('203.0.113.9')).toBe('203.0.113.0/24');
    expect(networkOf('::FFFF:203.0.113.9')).toBe('203.0.113.0/24');
    expect(networkOf('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(networkOf('2001:db8::1')).toBe('2001:db8:0::/48');
    expect(networkOf('::1')).toBe('0:0:0::/48');
    expect(networkOf('not an address')).toBeNull();
  });
});

describe('exports', () => {
  it('sign expiring links and stream every matching event, then record the export', async () => {
    const organizationId = newId('organization');
    const principal = principalOf(organizationId);
    for (let batch = 0; batch < 5; batch++) await recordMany(organizationId, batch < 4 ? 1000 : 500);
    const link = services.exports.link(principal, organizationId, { actionPrefix: 'billing.' }, 'csv');
    const token = new URL(link.url).searchParams.get('token')!;
    const grant = services.exports.open(token);
    expect(grant).toMatchObject({ organizationId, userId: principal.userId, format: 'csv' });
    expect(() => services.exports.open(`${token.slice(0, -2)}xx`)).toThrow(/not valid/);
    expect(() => services.exports.open(token, new Date(Date.now() + 3_600_000))).toThrow(/expired/);
    const chunks: Buffer[] = [];
    const rows = await services.exports.stream(grant, async (chunk) => {
      chunks.push(Buffer.from(chunk));
    });
    expect(rows).toBe(4500);
    const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(4501);
    expect(lines[0]).toMatch(/^id,sequence,recorded_at/);
    expect(lines[1]).toMatch(/,1,/);
    const page = await services.logs.page(principal, organizationId, { actionPrefix: 'audit.' }, 5, null);
    expect(page.events[0]).toMatchObject({ action: 'audit.logs.exported', metadata: { rows: 4500, format: 'csv' } });
  });

  it('write one CSV record per event, fields quoted where they must be, in the columns of the header', async () => {
    const organizationId = newId('organization');
    const principal = principalOf(organizationId);
    const [recorded] = await services.ingest.record([
      event(organizationId, {
        actor: { type: 'system', id: null, displayName: null },
        action: 'deploy.release.publish',
        targets: [
          { type: 'user', id: 'user_bob' },
          { type: 'invoice', id: 'in_2' },
        ],
        metadata: { note: 'a, "quoted"\nline' },
      }),
    ]);
    const stored = await services.logs.get(principal, recorded!.id);
    const grant = services.exports.open(
      new URL(services.exports.link(principal, organizationId, {}, 'csv').url).searchParams.get('token')!,
    );
    const chunks: Buffer[] = [];
    expect(await services.exports.stream(grant, async (chunk) => void chunks.push(Buffer.from(chunk)))).toBe(1);
    const [row, ...rest] = parse(Buffer.concat(chunks), { columns: true }) as Record<string, string>[];
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      id: stored.id,
      sequence: '1',
      recorded_at: stored.recordedAt.toISOString(),
      occurred_at: stored.occurredAt.toISOString(),
      organization_id: organizationId,
      actor_type: 'system',
      actor_id: '',
      action: 'deploy.release.publish',
      severity: 'warning',
      outcome: 'success',
      targets: 'user:user_bob invoice:in_2',
      request: '',
      source: 'api',
      previous_hash: stored.previousHash,
      hash: stored.hash,
    });
    expect(JSON.parse(row!.metadata!)).toEqual({ note: 'a, "quoted"\nline' });
    expect(JSON.parse(row!.changes!)).toEqual(stored.changes);
  });
});
