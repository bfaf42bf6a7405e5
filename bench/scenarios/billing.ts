/**
 * Billing, in process.
 *
 * - Usage ingest: 50 concurrent writers record call minutes through UsageService into a
 *   migrated bench database, 10% of them retries of a record already sent (same key and
 *   values); singly and in batches of 100. Afterwards the database must hold each key
 *   once and the sum of the unique quantities: zero double counts.
 * - Entitlement check: the `@requiresEntitlement` middleware every subgraph runs, over the
 *   in-process counter, for an allowed organization.
 */
import { build } from 'hdr-histogram-js';
import type { GraphQLObjectType } from 'graphql';
import type { AccessControl } from '../../platform/authorization/access-control';
import { openDatabase } from '../../platform/database';
import { InProcessEntitlementCounter } from '../../platform/entitlements/entitlement-counter';
import { entitlementEnforcement } from '../../platform/entitlements/entitlement-enforcement';
import { isProcessAlive } from '../../platform/process-alive';
import { UsageMetric, billingSubgraph, createBillingServices } from '../../subgraphs/billing';
import type { UsageInput } from '../../subgraphs/billing';
import { createBenchDatabase, dropStaleBenchDatabases } from '../data';
import type { Scenario } from '../options';
import type { Cell } from '../report';

const WRITERS = 50;
const DUPLICATE_SHARE = 0.1;

export const billingScenario: Scenario = async (options, log) => {
  const seconds = options.smoke ? 0.5 : Math.max(2, options.durationSeconds);
  const rows: Cell[][] = [];
  const raw: Record<string, unknown> = {};

  // Entitlement check.
  const counter = new InProcessEntitlementCounter();
  await counter.set('org_bench', { call_minutes: { used: 10, limit: 1000 } });
  const field = {
    astNode: {
      directives: [
        {
          name: { value: 'requiresEntitlement' },
          arguments: [{ name: { value: 'feature' }, value: { kind: 'StringValue', value: 'call_minutes' } }],
        },
      ],
    },
  };
  const parentType = { getFields: () => ({ reportLiveMetrics: field }) } as unknown as GraphQLObjectType;
  const action = {
    context: { access: { entitlements: counter } as unknown as AccessControl, principal: { organizationId: 'org_bench' } },
    info: { parentType, fieldName: 'reportLiveMetrics' },
  } as never;
  const middleware = entitlementEnforcement();
  const next = async () => undefined;
  const histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: 3 });
  const endAt = performance.now() + seconds * 1000;
  let checks = 0;
  while (performance.now() < endAt) {
    const began = performance.now();
    await middleware(action, next);
    histogram.recordValue(Math.max(1, Math.round((performance.now() - began) * 1e6)));
    checks++;
  }
  const check = { calls: checks, p50Us: histogram.getValueAtPercentile(50) / 1000, p99Us: histogram.getValueAtPercentile(99) / 1000 };
  raw.entitlementCheck = check;
  log(`entitlement check: ${JSON.stringify(check)}`);

  // Usage ingest.
  await dropStaleBenchDatabases(isProcessAlive);
  const database = await createBenchDatabase({ organizations: 1, membersPerOrganization: 1, callers: 1 });
  const dataSource = await openDatabase(billingSubgraph.storage, { url: database.url, poolMax: 20, applicationName: 'bench-billing' });
  const ingest: Cell[][] = [];
  try {
    const services = createBillingServices({ dataSource, access: { entitlements: counter } as unknown as AccessControl });
    const organizations = Array.from({ length: 20 }, (_, index) => `org_bench_${index}`);
    await services.subscriptions.currentFor(organizations);
    for (const batch of [1, 100]) {
      const sent: UsageInput[] = [];
      let sequence = 0;
      const nextRecord = (): UsageInput => {
        if (sent.length > 0 && Math.random() < DUPLICATE_SHARE) return sent[Math.floor(Math.random() * sent.length)]!;
        sequence++;
        const record = {
          organizationId: organizations[sequence % organizations.length]!,
          metric: UsageMetric.CALL_MINUTES,
          quantity: 1 + (sequence % 7),
          occurredAt: new Date(),
          idempotencyKey: `b${batch}-${sequence}`,
        };
        sent.push(record);
        return record;
      };
      let recorded = 0;
      const stopAt = performance.now() + seconds * 1000;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: WRITERS }, async () => {
          while (performance.now() < stopAt) {
            const records = Array.from({ length: batch }, nextRecord);
            await services.usage.recordBatch(records);
            recorded += records.length;
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      const [stored] = await dataSource.query(
        `SELECT count(*)::int AS rows, coalesce(sum(quantity), 0)::bigint AS total FROM billing.usage_records WHERE idempotency_key LIKE $1`,
        [`b${batch}-%`],
      );
      const unique = new Map(sent.map((record) => [record.idempotencyKey, record.quantity]));
      const expected = [...unique.values()].reduce((sum, quantity) => sum + quantity, 0);
      const doubleCounts = Number(stored.total) - expected;
      ingest.push([`batches of ${batch}`, WRITERS, recorded, Math.round(recorded / elapsed), stored.rows, doubleCounts]);
      raw[`ingestBatch${batch}`] = { recorded, seconds: elapsed, storedRows: stored.rows, uniqueKeys: unique.size, doubleCounts };
      log(`ingest, batches of ${batch}: ${recorded} records in ${elapsed.toFixed(1)} s`);
    }
  } finally {
    await dataSource.destroy();
    await database.drop();
  }
  rows.push(['@requiresEntitlement middleware (in-process counter)', check.calls, check.p50Us, check.p99Us]);

  return {
    scenario: 'billing',
    comparison:
      'Usage records committed per second by 50 concurrent writers with 10% retried records, singly and in batches of 100, with the double counts found afterwards; and the in-process cost of the entitlement check every subgraph runs.',
    tables: [
      {
        title: 'Usage ingest',
        table: { columns: ['records', 'writers', 'sent', 'records/s', 'rows stored', 'double counts'], rows: ingest },
      },
      { title: 'Entitlement check', table: { columns: ['check', 'calls', 'p50 µs', 'p99 µs'], rows } },
    ],
    raw,
    notes: [
      'Each recordUsage is one transaction: insert-or-ignore on (organization, key), a read-back to tell retries from conflicts, the alert thresholds, then the entitlement counters are refreshed.',
      'The records/s column counts records sent, retries included; rows stored are the unique keys.',
    ],
  };
};
