import type { DataSource } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../platform/errors';
import type { EventBus } from '../../../platform/events';
import { organizationTopic } from '../../../platform/events';
import { isId, newId } from '../../../platform/ids';
import type { Logger } from '../../../platform/logger';
import { MAX_PAGE_SIZE } from '../../../platform/limits/page-size';
import { SecurityEvent, SecurityEventStatus } from '../entities/security-event.entity';
import type { AuditEvent } from './audit-event';
import type { SecurityRule } from './security-rules';

export const SECURITY_EVENTS_TOPIC = 'security-events';

export function securityEventsTopic(organizationId: string): string {
  return organizationTopic(SECURITY_EVENTS_TOPIC, organizationId);
}

/** Open → acknowledged → resolved; open → resolved. A resolved event stays resolved (a new match opens a new one). */
const NEXT_STATUSES: Record<SecurityEventStatus, SecurityEventStatus[]> = {
  [SecurityEventStatus.OPEN]: [SecurityEventStatus.ACKNOWLEDGED, SecurityEventStatus.RESOLVED],
  [SecurityEventStatus.ACKNOWLEDGED]: [SecurityEventStatus.RESOLVED],
  [SecurityEventStatus.RESOLVED]: [],
};

/**
 * Runs the rules over committed audit events, and keeps what they find: one unresolved
 * security event per rule and subject, counting further matches, published live to
 * `securityEvents(organizationId)` as it opens or grows.
 */
export class SecurityEventService {
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: readonly SecurityRule[],
    private readonly events: EventBus | null,
    private readonly logger: Logger | null,
  ) {}

  /** Queues the rules over newly committed events (after the acknowledgement; never fails ingest). */
  observe(events: readonly AuditEvent[]): void {
    const checks = new Map<string, { rule: SecurityRule; event: AuditEvent; subject: string }>();
    for (const event of events) {
      for (const rule of this.rules) {
        for (const subject of rule.subjects(event)) checks.set(`${event.organizationId} ${rule.name} ${subject}`, { rule, event, subject });
      }
    }
    if (checks.size === 0) return;
    this.pending = this.pending
      .then(async () => {
        for (const { rule, event, subject } of checks.values()) await this.evaluate(rule, event, subject);
      })
      .catch((error: unknown) => this.logger?.warn({ err: error }, 'security rules: evaluation failed'));
  }

  /** What `securityEvents(organizationId)` streams. */
  live(organizationId: string): AsyncIterableIterator<SecurityEvent> {
    if (!this.events) throw new Error('security events: no event bus');
    return this.events.subscribe<SecurityEvent>(securityEventsTopic(organizationId));
  }

  /** Resolves once every queued evaluation has run. */
  settled(): Promise<void> {
    return this.pending;
  }

  async list(principal: Principal, organizationId: string, status: SecurityEventStatus | null, first: number): Promise<SecurityEvent[]> {
    assertOwnOrganization(principal, organizationId);
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE)
      throw new BadUserInputError(`first: between 1 and ${MAX_PAGE_SIZE}`, 'first');
    return this.dataSource.getRepository(SecurityEvent).find({
      where: status ? { organizationId, status: status.toLowerCase() as SecurityEventStatus } : { organizationId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: first,
    });
  }

  async changeStatus(principal: Principal, id: string, given: SecurityEventStatus): Promise<SecurityEvent> {
    const status = given.toLowerCase() as SecurityEventStatus;
    const repository = this.dataSource.getRepository(SecurityEvent);
    const found = isId('securityEvent', id) ? await repository.findOneBy({ id, organizationId: principal.organizationId }) : null;
    if (!found) throw new NotFoundError('SecurityEvent', id, 'id');
    if (found.status === status) return found;
    if (!NEXT_STATUSES[found.status].includes(status)) {
      throw new ConflictError(`A ${found.status} security event cannot become ${status}`, 'status');
    }
    const updated = await repository
      .createQueryBuilder()
      .update()
      .set({ status, statusChangedBy: principal.userId })
      .where('id = :id AND status = :from', { id, from: found.status })
      .returning('*')
      .execute();
    if (updated.affected !== 1) throw new ConflictError('The security event changed meanwhile: read it again', 'id');
    const changed = await repository.findOneByOrFail({ id });
    await this.publish(changed);
    return changed;
  }

  private async evaluate(rule: SecurityRule, event: AuditEvent, subject: string): Promise<void> {
    if (rule.applies && !(await rule.applies(event))) return;
    const [window] = (await this.dataSource.query(
      `SELECT count(*)::int AS count, min(recorded_at) AS first, max(recorded_at) AS last, (array_agg(id ORDER BY sequence))[1:20] AS ids
         FROM audit.events WHERE organization_id = $1 AND recorded_at > now() - make_interval(secs => $2) AND ${rule.counted.condition}`,
      [event.organizationId, rule.windowSeconds, rule.counted.value(event)],
    )) as { count: number; first: Date; last: Date; ids: string[] }[];
    if (!window || window.count < rule.threshold) return;
    const [row] = (await this.dataSource.query(
      `INSERT INTO audit.security_events (id, organization_id, rule, severity, status, subject, summary, event_count, audit_event_ids, first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9, $10)
       ON CONFLICT (organization_id, rule, subject) WHERE status <> 'resolved'
       DO UPDATE SET event_count = EXCLUDED.event_count, summary = EXCLUDED.summary, last_seen_at = EXCLUDED.last_seen_at, updated_at = now()
         WHERE audit.security_events.event_count < EXCLUDED.event_count
       RETURNING id`,
      [
        newId('securityEvent'),
        event.organizationId,
        rule.name,
        rule.severity,
        subject,
        rule.summary(subject, window.count),
        window.count,
        JSON.stringify(window.ids),
        window.first,
        window.last,
      ],
    )) as { id: string }[];
    if (row) await this.publish(await this.dataSource.getRepository(SecurityEvent).findOneByOrFail({ id: row.id }));
  }

  private async publish(securityEvent: SecurityEvent): Promise<void> {
    await this.events?.publish(securityEventsTopic(securityEvent.organizationId), securityEvent);
  }
}
