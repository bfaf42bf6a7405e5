import { createHmac, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError, NotFoundError } from '../../../platform/errors';
import { isId, newId } from '../../../platform/ids';
import type { Logger } from '../../../platform/logger';
import type { SecretBox } from '../../../platform/secrets';
import { SiemDelivery } from '../entities/siem-delivery.entity';
import { SiemSink } from '../entities/siem-sink.entity';
import { EVENT_COLUMNS, fromRow } from './audit-event';
import type { EventRow } from './audit-event';

/** The header a receiver checks: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe signs webhooks. */
export const SIEM_SIGNATURE_HEADER = 'AuraLink-Signature';
const BATCH = 100;
const MAX_SINKS = 5;
const TIMEOUT_MS = 10_000;
/** Backoff after the n-th failure: 2^n seconds, at most an hour. */
const MAX_BACKOFF_SECONDS = 3_600;

export function siemSignature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * SIEM webhook sinks: each organization may register a few HTTPS endpoints. Every sink gets
 * the organization's events recorded after it was registered, in chain order, in batches of
 * up to 100 (one POST at a time per sink, across processes: a session advisory lock), signed
 * with its own secret; a failed POST (not 2xx, or none within 10 s) is retried from the same
 * event with exponential backoff, and every attempt is in the delivery log.
 */
export class SiemService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: SecretBox,
    private readonly options: { allowPlainHttpToLocalhost: boolean },
    private readonly logger: Logger | null,
  ) {}

  async register(principal: Principal, organizationId: string, url: string): Promise<{ sink: SiemSink; signingSecret: string }> {
    assertOwnOrganization(principal, organizationId);
    this.validateUrl(url);
    const repository = this.dataSource.getRepository(SiemSink);
    if ((await repository.countBy({ organizationId })) >= MAX_SINKS) {
      throw new BadUserInputError(`url: an organization has at most ${MAX_SINKS} sinks; delete one first`, 'url');
    }
    const signingSecret = `whsec_${randomBytes(32).toString('base64url')}`;
    const [head] = (await this.dataSource.query('SELECT sequence FROM audit.chain_heads WHERE organization_id = $1', [organizationId])) as {
      sequence: string;
    }[];
    const sink = repository.create({
      id: newId('auditSink'),
      organizationId,
      url,
      secretSealed: this.secrets.seal(signingSecret),
      deliveredSequence: head?.sequence ?? '0',
    });
    await repository.insert(sink);
    return { sink: await repository.findOneByOrFail({ id: sink.id }), signingSecret };
  }

  async list(principal: Principal, organizationId: string): Promise<SiemSink[]> {
    assertOwnOrganization(principal, organizationId);
    return this.dataSource.getRepository(SiemSink).find({ where: { organizationId }, order: { createdAt: 'ASC' } });
  }

  async remove(principal: Principal, id: string): Promise<SiemSink> {
    const repository = this.dataSource.getRepository(SiemSink);
    const sink = isId('auditSink', id) ? await repository.findOneBy({ id, organizationId: principal.organizationId }) : null;
    if (!sink) throw new NotFoundError('AuditSink', id, 'id');
    await repository.delete({ id });
    return sink;
  }

  /** The newest attempts first. */
  async deliveries(sinkId: string, first: number): Promise<SiemDelivery[]> {
    return this.dataSource
      .getRepository(SiemDelivery)
      .find({ where: { sinkId }, order: { id: 'DESC' }, take: Math.min(Math.max(first, 1), 100) });
  }

  /** One round: every sink that is due and has events waiting gets one batch. Returns how many batches were delivered. */
  async deliverDue(now = new Date()): Promise<number> {
    const due = (await this.dataSource.query(
      `SELECT s.id FROM audit.sinks s JOIN audit.chain_heads h ON h.organization_id = s.organization_id
        WHERE s.next_attempt_at <= $1 AND h.sequence > s.delivered_sequence ORDER BY s.next_attempt_at LIMIT 50`,
      [now],
    )) as { id: string }[];
    let delivered = 0;
    for (const { id } of due) if (await this.deliverOne(id, now)) delivered += 1;
    return delivered;
  }

  private async deliverOne(sinkId: string, now: Date): Promise<boolean> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock(hashtext('audit.sink'), hashtext($1)) AS locked`, [
        sinkId,
      ])) as {
        locked: boolean;
      }[];
      if (!locked) return false;
      try {
        const sink = await runner.manager.getRepository(SiemSink).findOneBy({ id: sinkId });
        if (!sink || sink.nextAttemptAt > now) return false;
        const rows = (await runner.query(
          `SELECT ${EVENT_COLUMNS} FROM audit.events WHERE organization_id = $1 AND sequence > $2 ORDER BY sequence LIMIT ${BATCH}`,
          [sink.organizationId, sink.deliveredSequence],
        )) as EventRow[];
        if (rows.length === 0) return false;
        const events = rows.map(fromRow);
        const body = JSON.stringify({ sinkId: sink.id, organizationId: sink.organizationId, events });
        const timestamp = Math.floor(Date.now() / 1000);
        const started = performance.now();
        let statusCode: number | null = null;
        let error: string | null = null;
        try {
          const response = await fetch(sink.url, {
            method: 'POST',
            headers: {
              'Content-Type': 'application/json',
              [SIEM_SIGNATURE_HEADER]: siemSignature(this.secrets.open(sink.secretSealed), timestamp, body),
            },
            body,
            signal: AbortSignal.timeout(TIMEOUT_MS),
            redirect: 'manual',
          });
          statusCode = response.status;
          await response.body?.cancel();
          if (response.status < 200 || response.status >= 300) error = `answered ${response.status}`;
        } catch (failure) {
          error = failure instanceof Error ? failure.message : 'request failed';
        }
        const ok = error === null;
        const attempt = sink.attempts + 1;
        const first = events[0]!.sequence;
        const last = events[events.length - 1]!.sequence;
        await runner.manager.transaction(async (manager) => {
          await manager.insert(SiemDelivery, {
            sinkId,
            firstSequence: String(first),
            lastSequence: String(last),
            events: events.length,
            attempt,
            delivered: ok,
            statusCode,
            error,
            durationMs: Math.round(performance.now() - started),
          });
          await manager.update(
            SiemSink,
            { id: sinkId },
            ok
              ? { deliveredSequence: String(last), attempts: 0, nextAttemptAt: new Date(), lastError: null }
              : {
                  attempts: attempt,
                  nextAttemptAt: new Date(Date.now() + Math.min(2 ** attempt, MAX_BACKOFF_SECONDS) * 1000),
                  lastError: error,
                },
          );
        });
        if (!ok) this.logger?.warn({ sinkId, attempt, error }, 'SIEM sink: delivery failed; retrying later');
        return ok;
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext('audit.sink'), hashtext($1))`, [sinkId]);
      }
    } finally {
      await runner.release();
    }
  }

  private validateUrl(url: string): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new BadUserInputError('url: not a URL', 'url');
    }
    const local = parsed.hostname === '127.0.0.1' || parsed.hostname === 'localhost' || parsed.hostname === '[::1]';
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && local && this.options.allowPlainHttpToLocalhost)) {
      throw new BadUserInputError('url: must be https://', 'url');
    }
    if (parsed.username || parsed.password)
      throw new BadUserInputError('url: no credentials in the URL; verify the signature instead', 'url');
    if (url.length > 2048) throw new BadUserInputError('url: at most 2048 characters', 'url');
  }
}
