import { createLogger } from '../platform/logger';
import type { AnyEvent } from '../platform/outbox/event-catalogue';
import { createUsageMeter } from './usage-meter';

/** A transport that keeps what it is handed, and refuses a publication when told to. */
function recordingTransport() {
  const published: AnyEvent[][] = [];
  let failNext = false;
  return {
    published,
    failOnce: () => {
      failNext = true;
    },
    publish: async (events: readonly AnyEvent[]) => {
      if (failNext) {
        failNext = false;
        throw new Error('Redis did not take the events');
      }
      published.push([...events]);
    },
  };
}

const payloads = (events: AnyEvent[]) =>
  events.map((event) => event.payload as { organizationId: string; quantity: number; idempotencyKey: string });

describe('usage meter', () => {
  it('reports one usage fact per organization and operation per flush, under keys that differ between flushes', async () => {
    const transport = recordingTransport();
    const meter = createUsageMeter({ transport, logger: createLogger('silent'), flushMs: 60_000 });
    for (let call = 0; call < 3; call += 1) meter.count('org_a', 'Plans');
    meter.count('org_a', 'RestRoles');
    meter.count('org_b', 'Plans');
    await meter.flush();
    meter.count('org_a', 'Plans');
    await meter.flush();
    await meter.flush();
    await meter.close();

    expect(transport.published).toHaveLength(2);
    const [firstFlush, secondFlush] = transport.published.map(payloads);
    expect(firstFlush!.map(({ organizationId, quantity }) => [organizationId, quantity])).toEqual([
      ['org_a', 3],
      ['org_a', 1],
      ['org_b', 1],
    ]);
    expect(transport.published[0]!.every((event) => event.type === 'usage.reported' && event.payload.metric === 'api_calls')).toBe(true);
    expect(secondFlush).toEqual([expect.objectContaining({ organizationId: 'org_a', quantity: 1 })]);
    // Billing counts a key once per organization.
    expect(new Set([...firstFlush!, ...secondFlush!].map((payload) => `${payload.organizationId} ${payload.idempotencyKey}`)).size).toBe(4);
  });

  it('keeps a batch it could not publish and sends it again, as it was, before what came since; close loses nothing', async () => {
    const transport = recordingTransport();
    const meter = createUsageMeter({ transport, logger: createLogger('silent'), flushMs: 60_000 });
    meter.count('org_a', 'Plans');
    transport.failOnce();
    await meter.flush();
    expect(transport.published).toHaveLength(0);
    meter.count('org_a', 'Plans');
    meter.count('org_a', 'Plans');
    await meter.close();

    const [retried, later] = transport.published;
    expect(payloads(retried!)).toEqual([expect.objectContaining({ quantity: 1 })]);
    expect(payloads(later!)).toEqual([expect.objectContaining({ quantity: 2 })]);
    expect(payloads(retried!)[0]!.idempotencyKey).not.toBe(payloads(later!)[0]!.idempotencyKey);
  });
});
