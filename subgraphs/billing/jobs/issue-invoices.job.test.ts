import type { DataSource } from 'typeorm';
import type { AccessControl } from '../../../platform/authorization/access-control';
import { createDataSource } from '../../../platform/database';
import { InProcessEntitlementCounter } from '../../../platform/entitlements/entitlement-counter';
import { newId } from '../../../platform/ids';
import { createLogger } from '../../../platform/logger';
import type { JobContext } from '../../../platform/jobs/job-definition';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { Invoice } from '../entities/invoice.entity';
import { Subscription } from '../entities/subscription.entity';
import { billingSubgraph } from '..';
import { createBillingServices } from '../services';
import type { BillingServices } from '../services';
import { issueInvoicesJob } from './issue-invoices.job';

let database: TestDatabase;
let dataSource: DataSource;
let services: BillingServices;

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = await createDataSource(billingSubgraph.storage, {
    url: database.url,
    poolMax: 2,
    applicationName: 'billing-job-test',
  }).initialize();
  services = createBillingServices({ dataSource, access: { entitlements: new InProcessEntitlementCounter() } as unknown as AccessControl });
});
afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

function contextOf(payload: { organizationId?: string } = {}): JobContext & { reported: [number, number][] } {
  const reported: [number, number][] = [];
  return {
    id: newId('organization'),
    payload,
    logger: createLogger('silent'),
    signal: new AbortController().signal,
    progress: async (done, total) => {
      reported.push([done, total]);
    },
    reported,
  };
}

it('issues the invoice of a subscription whose period has ended, once', async () => {
  const organizationId = newId('organization');
  const principal = { userId: 'user_test', organizationId, sessionId: 'jti', expiresAt: new Date(Date.now() + 60_000) };
  const subscription = await services.subscriptions.forOrganization(principal, organizationId);
  // The period ended an hour ago.
  const start = new Date(Date.now() - 31 * 86_400_000);
  await dataSource
    .getRepository(Subscription)
    .update({ id: subscription.id }, { currentPeriodStart: start, currentPeriodEnd: new Date(Date.now() - 3_600_000) });

  const first = contextOf();
  const result = await issueInvoicesJob.run(first, services);
  expect(result?.issued).toBeGreaterThanOrEqual(1);
  expect(await dataSource.getRepository(Invoice).countBy({ organizationId })).toBe(1);
  expect(first.reported.at(-1)).toEqual([result?.issued, result?.issued]);

  const again = await issueInvoicesJob.run(contextOf(), services);
  expect(again).toEqual({ issued: 0 });
  expect(await dataSource.getRepository(Invoice).countBy({ organizationId })).toBe(1);
  const next = await dataSource.getRepository(Subscription).findOneByOrFail({ id: subscription.id });
  expect(next.currentPeriodEnd.getTime()).toBeGreaterThan(Date.now());
});

it('refuses an organization: it issues for every organization whose period ended', async () => {
  await expect(issueInvoicesJob.run(contextOf({ organizationId: newId('organization') }), services)).rejects.toThrow('takes no --org');
});
