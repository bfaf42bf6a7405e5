import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../platform/database';
import { newId } from '../../../platform/ids';
import { applyOnce } from '../../../platform/outbox/consumer';
import type { AnyEvent, EventPayload } from '../../../platform/outbox/event-catalogue';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { testConfig } from '../../../tests/kit/supergraph';
import { auditSubgraph } from '..';
import { createAuditServices } from '../services';
import type { AuditServices } from '../services';
import { auditRetentionConsumer } from './retention.consumer';

let database: TestDatabase;
let dataSource: DataSource;
let services: AuditServices;

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = await createDataSource(auditSubgraph.storage, {
    url: database.url,
    poolMax: 4,
    applicationName: 'audit-retention-test',
  }).initialize();
  services = createAuditServices({ dataSource, config: testConfig() });
});
afterAll(async () => {
  await services?.securityEvents.settled();
  await dataSource?.destroy();
  await database?.drop();
});

/** Compliance's request, delivered to audit's consumer as the relay would. */
function request(organizationId: string, dryRun: boolean, cutoff: Date): AnyEvent {
  return {
    id: newId('event'),
    type: 'compliance.retention.requested',
    source: 'compliance',
    sequence: 1,
    occurredAt: new Date(),
    payload: {
      organizationId,
      runId: newId('retentionRun'),
      dryRun,
      categories: [
        { category: 'audit_events', action: 'archive', cutoff: cutoff.toISOString() },
        // Another owner's: audit leaves it alone.
        { category: 'sessions', action: 'delete', cutoff: cutoff.toISOString() },
      ],
      heldUserIds: [],
    },
  };
}

async function reports(runId: string): Promise<EventPayload<'retention.applied'>[]> {
  const rows = (await dataSource.query(`SELECT payload FROM audit.outbox WHERE type = 'retention.applied' AND payload->>'runId' = $1`, [
    runId,
  ])) as { payload: EventPayload<'retention.applied'> }[];
  return rows.map((row) => row.payload);
}

const live = async (organizationId: string) =>
  (
    (await dataSource.query('SELECT count(*)::int AS count FROM audit.events WHERE organization_id = $1', [organizationId])) as {
      count: number;
    }[]
  )[0]!.count;

describe('retention requests for audit events', () => {
  it('counts in a dry run, then archives what is past the cutoff; the chain still verifies and the report is in audit’s outbox', async () => {
    const organizationId = newId('organization');
    const other = newId('organization');
    const event = (organization: string) => ({
      id: newId('audit'),
      organizationId: organization,
      actor: { type: 'user' as const, id: 'user_alice', displayName: null },
      action: 'billing.subscription.cancel',
      severity: 'info' as const,
      outcome: 'success' as const,
      targets: [],
      source: 'api',
      occurredAt: new Date(),
    });
    await services.ingest.record([event(organizationId), event(organizationId), event(organizationId), event(other)]);
    const consumer = auditRetentionConsumer(services);
    const cutoff = new Date(Date.now() + 60_000);

    const dry = request(organizationId, true, cutoff);
    await applyOnce(dataSource, consumer, dry);
    expect(await reports((dry.payload as { runId: string }).runId)).toEqual([
      {
        organizationId,
        runId: (dry.payload as { runId: string }).runId,
        category: 'audit_events',
        action: 'archive',
        dryRun: true,
        affected: 3,
        held: 0,
      },
    ]);
    expect(await live(organizationId)).toBe(3);

    const real = request(organizationId, false, cutoff);
    await applyOnce(dataSource, consumer, real);
    // Delivered twice, it is applied once.
    expect(await applyOnce(dataSource, consumer, real)).toBe('duplicate');
    expect((await reports((real.payload as { runId: string }).runId)).map((r) => [r.dryRun, r.affected])).toEqual([[false, 3]]);
    expect(await live(organizationId)).toBe(0);
    expect(await live(other)).toBe(1);
    expect(await services.verification.verify(organizationId, null, null)).toMatchObject({ valid: true, checkedEvents: 3 });
  });
});
