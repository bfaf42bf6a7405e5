import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { RedisDecisionLog } from '../../../platform/authorization/decision-log';
import type { AccessDecisionEvent } from '../../../platform/authorization/decision-log';
import { createDataSource } from '../../../platform/database';
import { newId } from '../../../platform/ids';
import { createLogger } from '../../../platform/logger';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { eventually } from '../../../tests/kit/eventually';
import { TEST_REDIS_URL, testConfig } from '../../../tests/kit/supergraph';
import { auditSubgraph } from '..';
import { createAuditServices } from '../services';
import type { AuditServices } from '../services';
import { DECISION_CONSUMER_GROUP, DecisionStreamConsumer, auditEventOfDecision } from './decision-stream.consumer';

const logger = createLogger('silent');
const stream = `auralink-test:${process.pid}:${randomBytes(4).toString('hex')}:authz:decisions`;
let database: TestDatabase;
let dataSource: DataSource;
let services: AuditServices;
let redis: Redis;

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = await createDataSource(auditSubgraph.storage, {
    url: database.url,
    poolMax: 4,
    applicationName: 'audit-decisions-test',
  }).initialize();
  services = createAuditServices({ dataSource, config: testConfig() });
  redis = new Redis(TEST_REDIS_URL);
});
afterAll(async () => {
  await redis?.del(stream);
  redis?.disconnect();
  await dataSource?.destroy();
  await database?.drop();
});

function decision(organizationId: string, allowed: boolean, field: string): AccessDecisionEvent {
  return {
    type: 'authz.decision',
    allowed,
    userId: 'user_decided',
    organizationId,
    resource: 'billing',
    action: 'update',
    field,
    subgraph: 'billing',
    requestId: 'req_d',
    at: new Date().toISOString(),
  };
}

describe('the decision stream consumer', () => {
  it('records every decision once, including one handed out before a crash and never acknowledged, and acknowledges after commit', async () => {
    const organizationId = newId('organization');
    const log = new RedisDecisionLog(TEST_REDIS_URL, 'all', logger, stream);
    log.record(decision(organizationId, false, 'Mutation.cancelSubscription'));
    await eventually(async () => ((await redis.xlen(stream)) === 1 ? true : undefined), 'the first decision in the stream');
    // A consumer that read it and died before committing: the entry stays pending for it.
    await redis.xgroup('CREATE', stream, DECISION_CONSUMER_GROUP, '0');
    await redis.xreadgroup('GROUP', DECISION_CONSUMER_GROUP, 'audit-1', 'COUNT', 10, 'STREAMS', stream, '>');
    log.record(decision(organizationId, true, 'Query.invoices'));
    log.record(decision(organizationId, false, 'Mutation.recordUsage'));

    const consumer = new DecisionStreamConsumer(TEST_REDIS_URL, stream, 'audit-1', services.ingest, logger);
    await consumer.start();
    try {
      const page = await eventually(async () => {
        const found = await services.logs.page(
          { userId: 'u', organizationId, sessionId: 's', expiresAt: new Date(Date.now() + 60_000) },
          organizationId,
          {},
          10,
          null,
        );
        return found.events.length === 3 ? found : undefined;
      }, 'three decisions in the audit log');
      expect(page.events.map((e) => [e.action, e.outcome, e.request?.field]).reverse()).toEqual([
        ['authz.permission.deny', 'denied', 'Mutation.cancelSubscription'],
        ['authz.permission.allow', 'success', 'Query.invoices'],
        ['authz.permission.deny', 'denied', 'Mutation.recordUsage'],
      ]);
      await eventually(async () => {
        const [pending] = (await redis.xpending(stream, DECISION_CONSUMER_GROUP)) as [number];
        return pending === 0 ? true : undefined;
      }, 'every entry acknowledged');
      // Delivered again (a consumer that committed but crashed before XACK): recorded once.
      const [[entryId, fields]] = (await redis.xrange(stream, '-', '+', 'COUNT', 1)) as [string, string[]][];
      const [again] = await services.ingest.record([auditEventOfDecision(entryId!, JSON.parse(fields![1]!) as AccessDecisionEvent)]);
      expect(again!.duplicate).toBe(true);
    } finally {
      await consumer.close();
      await log.close();
    }
  });
});
