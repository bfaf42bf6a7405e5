import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { DataSource } from 'typeorm';
import type { AccessControl } from '../../../platform/authorization/access-control';
import type { Config } from '../../../platform/config';
import { createDataSource } from '../../../platform/database';
import { InProcessEntitlementCounter } from '../../../platform/entitlements/entitlement-counter';
import { newId } from '../../../platform/ids';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { Invoice } from '../entities/invoice.entity';
import { PlanCode } from '../entities/plan.entity';
import { billingSubgraph } from '..';
import { createBillingServices } from '.';
import type { BillingServices } from '.';

interface Recorded {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  body: URLSearchParams;
}

let database: TestDatabase;
let dataSource: DataSource;
let services: BillingServices;
let server: Server;
const recorded: Recorded[] = [];
let failNextInvoice = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      recorded.push({
        method: req.method!,
        path: req.url!,
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
        body: new URLSearchParams(text),
      });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/v1/invoices' && failNextInvoice) {
        failNextInvoice = false;
        res.statusCode = 500;
        res.end(JSON.stringify({ error: { type: 'api_error', message: 'try again' } }));
        return;
      }
      const objects: Record<string, object> = {
        '/v1/customers': { id: 'cus_test_1', object: 'customer' },
        '/v1/invoices': { id: 'in_test_1', object: 'invoice' },
        '/v1/invoiceitems': { id: `ii_test_${recorded.length}`, object: 'invoiceitem' },
      };
      res.end(JSON.stringify(objects[req.url!] ?? { id: 'unknown' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  database = await createTestDatabase();
  dataSource = await createDataSource(billingSubgraph.storage, {
    url: database.url,
    poolMax: 4,
    applicationName: 'billing-stripe-test',
  }).initialize();
  const config = {
    billing: {
      taxRateBps: 1000,
      stripeSecretKey: 'sk_test_auralink',
      stripeApiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      stripeWebhookSecret: undefined,
    },
  } as Config;
  services = createBillingServices({
    dataSource,
    config,
    access: { entitlements: new InProcessEntitlementCounter() } as unknown as AccessControl,
  });
});
afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
  await new Promise((resolve) => server.close(resolve));
});

describe('the Stripe mirror', () => {
  it('mirrors an issued invoice once: its customer, the invoice and a line each, every call with an idempotency key, retried with the same key', async () => {
    const organizationId = newId('organization');
    const principal = { userId: 'user_test', organizationId, sessionId: 'jti', expiresAt: new Date(Date.now() + 60_000) };
    const subscription = await services.subscriptions.forOrganization(principal, organizationId);
    await services.subscriptions.changePlan(principal, subscription.id, PlanCode.PRO, subscription.currentPeriodStart);
    failNextInvoice = true;

    const [invoice] = await services.invoices.issueDue(subscription.currentPeriodEnd);
    expect(invoice.lines.map((line) => line.amountCents)).toEqual([4900, 4900]);

    expect(recorded.map((request) => [request.method, request.path, request.idempotencyKey])).toEqual([
      ['POST', '/v1/customers', `auralink-customer-${organizationId}`],
      ['POST', '/v1/invoices', `auralink-invoice-${invoice.id}`],
      ['POST', '/v1/invoices', `auralink-invoice-${invoice.id}`],
      ['POST', '/v1/invoiceitems', `auralink-invoice-${invoice.id}-line-0`],
      ['POST', '/v1/invoiceitems', `auralink-invoice-${invoice.id}-line-1`],
      ['POST', '/v1/invoiceitems', `auralink-invoice-${invoice.id}-tax`],
    ]);
    expect(recorded[0].body.get('metadata[auralink_organization_id]')).toBe(organizationId);
    expect(recorded[2].body.get('metadata[auralink_invoice_id]')).toBe(invoice.id);
    expect(recorded[2].body.get('customer')).toBe('cus_test_1');
    expect([...recorded.slice(3)].map((request) => [request.body.get('invoice'), request.body.get('amount')])).toEqual([
      ['in_test_1', '4900'],
      ['in_test_1', '4900'],
      ['in_test_1', '980'],
    ]);

    const stored = await dataSource.getRepository(Invoice).findOneByOrFail({ id: invoice.id });
    expect(stored.stripeInvoiceId).toBe('in_test_1');
    const before = recorded.length;
    expect(await services.invoices.issueDue(subscription.currentPeriodEnd)).toEqual([]);
    expect(recorded).toHaveLength(before);
  });
});
