import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../platform/database';
import { newId } from '../../../platform/ids';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { testConfig } from '../../../tests/kit/supergraph';
import { auditSubgraph } from '..';
import { createAuditServices } from '.';
import type { AuditServices } from '.';
import { SIEM_SIGNATURE_HEADER } from './siem.service';

let database: TestDatabase;
let dataSource: DataSource;
let services: AuditServices;
let receiver: Server;
let receiverUrl: string;
/** What the receiver answers next, and what it accepted: the sequences of each verified batch. */
let answer = 200;
const received: { sequences: number[]; signatureValid: boolean; fresh: boolean }[] = [];
let secret = '';

function verify(header: string, body: string): { valid: boolean; fresh: boolean } {
  // The receiver's side of the Stripe-style scheme: t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">.
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=') as [string, string]));
  const expected = Buffer.from(createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex'));
  const given = Buffer.from(parts.v1 ?? '');
  return {
    valid: given.length === expected.length && timingSafeEqual(given, expected),
    fresh: Math.abs(Date.now() / 1000 - Number(parts.t)) < 300,
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = await createDataSource(auditSubgraph.storage, {
    url: database.url,
    poolMax: 4,
    applicationName: 'audit-siem-test',
  }).initialize();
  services = createAuditServices({ dataSource, config: testConfig() });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (answer === 200) {
        const { valid, fresh } = verify(String(req.headers[SIEM_SIGNATURE_HEADER.toLowerCase()]), body);
        received.push({
          sequences: (JSON.parse(body) as { events: { sequence: number }[] }).events.map((e) => e.sequence),
          signatureValid: valid,
          fresh,
        });
      }
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/siem`;
});
afterAll(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
  await dataSource?.destroy();
  await database?.drop();
});

const principalOf = (organizationId: string) => ({
  userId: 'user_siem',
  organizationId,
  sessionId: 'jti',
  expiresAt: new Date(Date.now() + 60_000),
});

async function record(organizationId: string, count: number) {
  await services.ingest.record(
    Array.from({ length: count }, () => ({
      organizationId,
      actor: { type: 'system' as const, id: 'test' },
      action: 'test.siem.event',
      severity: 'info' as const,
      outcome: 'success' as const,
      targets: [],
      source: 'test',
      occurredAt: new Date(),
    })),
  );
}

describe('SIEM webhook sinks', () => {
  it('deliver events recorded after registration, in order and signed, retrying a failure with backoff from the same event', async () => {
    const organizationId = newId('organization');
    const principal = principalOf(organizationId);
    await record(organizationId, 3); // before the sink: not delivered
    const registration = await services.siem.register(principal, organizationId, receiverUrl);
    secret = registration.signingSecret;
    await expect(services.siem.register(principal, organizationId, 'http://siem.example/in')).rejects.toMatchObject({
      extensions: { field: 'url' },
    });
    await expect(services.siem.register(principalOf(newId('organization')), organizationId, receiverUrl)).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });

    await record(organizationId, 150);
    expect(await services.siem.deliverDue()).toBe(1);
    answer = 500;
    expect(await services.siem.deliverDue()).toBe(0);
    const [failed] = await services.siem.list(principal, organizationId);
    expect(failed).toMatchObject({ attempts: 1, deliveredSequence: '103', lastError: 'answered 500' });
    // Backing off: not tried again before its time, then tried from the same event.
    answer = 200;
    expect(await services.siem.deliverDue()).toBe(0);
    expect(await services.siem.deliverDue(new Date(Date.now() + 3_000))).toBe(1);
    await record(organizationId, 2);
    expect(await services.siem.deliverDue()).toBe(1);
    expect(await services.siem.deliverDue()).toBe(0);

    const delivered = received.flatMap((batch) => batch.sequences);
    expect(delivered).toEqual(Array.from({ length: 152 }, (_, i) => i + 4));
    expect(received.every((batch) => batch.signatureValid && batch.fresh)).toBe(true);
    const log = await services.siem.deliveries(registration.sink.id, 10);
    expect(log.map((d) => [d.firstSequence, d.lastSequence, d.delivered, d.statusCode, d.attempt]).reverse()).toEqual([
      ['4', '103', true, 200, 1],
      ['104', '153', false, 500, 1],
      ['104', '153', true, 200, 2],
      ['154', '155', true, 200, 1],
    ]);
    await services.siem.remove(principal, registration.sink.id);
    await expect(services.siem.remove(principal, registration.sink.id)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });
});
