import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../platform/database';
import { newId } from '../../../platform/ids';
import { createLogger } from '../../../platform/logger';
import { applyBatchOnce, applyOnce } from '../../../platform/outbox/consumer';
import type { AnyEvent } from '../../../platform/outbox/event-catalogue';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { testConfig } from '../../../tests/kit/supergraph';
import { auditSubgraph, ensurePartitions } from '..';
import { archiveEventsJob } from '../jobs/archive-events.job';
import { createAuditServices } from '../services';
import type { AuditServices } from '../services';
import { outboxFactsConsumer } from './outbox-facts.consumer';

let database: TestDatabase;
let dataSource: DataSource;
let services: AuditServices;

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = await createDataSource(auditSubgraph.storage, {
    url: database.url,
    poolMax: 4,
    applicationName: 'audit-facts-test',
  }).initialize();
  services = createAuditServices({ dataSource, config: testConfig() });
});
afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

const principalOf = (organizationId: string) => ({
  userId: 'user_x',
  organizationId,
  sessionId: 'jti',
  expiresAt: new Date(Date.now() + 60_000),
});

describe('the outbox facts consumer', () => {
  it('turns each fact into one audit event of its organization, however often it is delivered', async () => {
    const organizationId = newId('organization');
    const consumer = outboxFactsConsumer(services);
    const canceled: AnyEvent = {
      id: newId('event'),
      type: 'billing.subscription.canceled',
      source: 'billing',
      sequence: 7,
      occurredAt: new Date('2026-11-30T10:00:00Z'),
      payload: { organizationId, subscriptionId: 'sub_42', planCode: 'pro', atPeriodEnd: false },
    };
    const created: AnyEvent = {
      id: newId('event'),
      type: 'identity.organization.created',
      source: 'identity',
      sequence: 1,
      occurredAt: new Date('2026-11-30T09:00:00Z'),
      payload: { organizationId, name: 'Acme', creatorUserId: 'user_founder', creatorMembershipId: 'mem_1' },
    };
    expect(await applyOnce(dataSource, consumer, created)).toBe('applied');
    expect(await applyOnce(dataSource, consumer, canceled)).toBe('applied');
    expect(await applyOnce(dataSource, consumer, canceled)).toBe('duplicate');
    // Even without the inbox row (another consumer name), the audit id from the fact's id keeps it once.
    expect(await applyOnce(dataSource, { ...consumer, name: 'audit.trail.replay' }, canceled)).toBe('applied');

    const { events } = await services.logs.page(principalOf(organizationId), organizationId, {}, 10, null);
    expect(events.map((e) => [e.action, e.severity, e.actor.type, e.actor.id, e.targets, e.source, e.occurredAt.toISOString()])).toEqual([
      [
        'billing.subscription.cancel',
        'warning',
        'system',
        'billing',
        [
          { type: 'subscription', id: 'sub_42' },
          { type: 'organization', id: organizationId },
        ],
        'billing',
        '2026-11-30T10:00:00.000Z',
      ],
      [
        'identity.organization.create',
        'info',
        'user',
        'user_founder',
        [{ type: 'organization', id: organizationId }],
        'identity',
        '2026-11-30T09:00:00.000Z',
      ],
    ]);
    expect(events[0]!.id).toBe(`aud_${canceled.id.slice(4)}`);
  });

  it('writes a delivery of facts of several organizations in one transaction, each chain in delivery order', async () => {
    const organizations = [newId('organization'), newId('organization')];
    const fact = (index: number): AnyEvent => ({
      id: newId('event'),
      type: 'billing.invoice.paid',
      source: 'billing',
      sequence: index,
      occurredAt: new Date('2026-11-30T10:00:00Z'),
      payload: { organizationId: organizations[index % 2]!, invoiceId: `inv_${index}` },
    });
    const facts = [0, 1, 2, 3, 4, 5].map(fact);
    const consumer = outboxFactsConsumer(services);
    expect(await applyOnce(dataSource, consumer, facts[2]!)).toBe('applied');
    const outcomes = await applyBatchOnce(dataSource, consumer, facts);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['applied', 'applied', 'duplicate', 'applied', 'applied', 'applied']);
    for (const [index, organizationId] of organizations.entries()) {
      const { events } = await services.logs.page(principalOf(organizationId), organizationId, {}, 10, null);
      const expected = index === 0 ? ['inv_2', 'inv_0', 'inv_4'] : ['inv_1', 'inv_3', 'inv_5'];
      expect(events.map((e) => (e.targets.find((t) => t.type === 'invoice') ?? e.targets[0])!.id).reverse()).toEqual(expected);
      expect((await services.verification.verify(organizationId, null, null)).valid).toBe(true);
    }
  });

  it('the archive job moves what is past retention and reports it', async () => {
    const organizationId = newId('organization');
    await services.retention.setRetention(principalOf(organizationId), organizationId, 1);
    await services.ingest.record([
      {
        organizationId,
        actor: { type: 'system', id: 'x' },
        action: 'test.job.run',
        severity: 'info',
        outcome: 'success',
        targets: [],
        source: 'test',
        occurredAt: new Date(),
      },
    ]);
    // Recorded two days ago (the month before, some days: that partition is made first).
    await ensurePartitions(dataSource, new Date(), new Date(Date.now() - 3 * 86_400_000));
    await dataSource.query(`UPDATE audit.events SET recorded_at = now() - interval '2 days' WHERE organization_id = $1`, [organizationId]);
    const progress: [number, number][] = [];
    const result = await archiveEventsJob.run(
      {
        id: 'job_1',
        payload: { organizationId },
        logger: createLogger('silent'),
        signal: new AbortController().signal,
        progress: async (done, total) => void progress.push([done, total]),
      },
      services,
    );
    expect(result).toMatchObject({ organizations: 1, archived: 1 });
    expect(progress).toEqual([[1, 1]]);
  });
});
