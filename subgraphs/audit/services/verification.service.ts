import type { DataSource } from 'typeorm';
import { Checkpoint } from '../entities/checkpoint.entity';
import { EVENT_COLUMNS, GENESIS_HASH, chainHash, fromRow } from './audit-event';
import type { AuditEvent, EventRow } from './audit-event';
import type { SigningService } from './signing.service';

export type ChainProblemKind = 'ALTERED' | 'BROKEN_LINK' | 'MISSING' | 'TRUNCATED' | 'BAD_CHECKPOINT';

export interface ChainProblem {
  kind: ChainProblemKind;
  /** The first sequence number that is wrong (for MISSING and TRUNCATED: the first one absent). */
  sequence: number;
  /** The event at that place, when there is one. */
  eventId: string | null;
  message: string;
}

export interface ChainVerification {
  organizationId: string;
  valid: boolean;
  checkedEvents: number;
  firstSequence: number | null;
  lastSequence: number | null;
  /** The newest signed checkpoint the chain was held to. */
  checkpoint: { sequence: number; signedAt: Date } | null;
  problem: ChainProblem | null;
}

const BATCH = 5_000;

/**
 * Walks an organization's chain (live and archived events alike, in sequence order) and
 * names the first broken link: an event whose hash is not that of its content (ALTERED), an
 * event whose previous hash is not its predecessor's (BROKEN_LINK: the predecessor was
 * altered and re-hashed), a number skipped (MISSING: deleted), or a chain that stops before
 * the newest signed checkpoint (TRUNCATED: its tail deleted).
 */
export class VerificationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly signing: SigningService,
  ) {}

  async verify(organizationId: string, from: Date | null, to: Date | null): Promise<ChainVerification> {
    const result: ChainVerification = {
      organizationId,
      valid: true,
      checkedEvents: 0,
      firstSequence: null,
      lastSequence: null,
      checkpoint: null,
      problem: null,
    };
    const fail = (problem: ChainProblem) => ({ ...result, valid: false, problem });
    const checkpoint = await this.dataSource
      .getRepository(Checkpoint)
      .createQueryBuilder('c')
      .where('c.organization_id = :organizationId', { organizationId })
      .andWhere(to ? 'c.signed_at <= :to' : 'TRUE', { to })
      .orderBy('c.sequence', 'DESC')
      .getOne();
    if (checkpoint) {
      result.checkpoint = { sequence: Number(checkpoint.sequence), signedAt: checkpoint.signedAt };
      if (!(await this.signing.isAuthentic(checkpoint))) {
        return fail({
          kind: 'BAD_CHECKPOINT',
          sequence: Number(checkpoint.sequence),
          eventId: null,
          message: `The checkpoint at sequence ${checkpoint.sequence} does not carry audit's signature`,
        });
      }
    }

    let previous: { sequence: number; hash: string } | null = null;
    let after = 0;
    for (;;) {
      const events = await this.batch(organizationId, after, from, to);
      for (const event of events) {
        if (previous === null) {
          previous = await this.predecessor(event);
          result.firstSequence = event.sequence;
          if (!previous) {
            return fail({
              kind: 'MISSING',
              sequence: event.sequence - 1,
              eventId: null,
              message: `Event ${event.sequence - 1}, before the first one checked, is missing: it was deleted`,
            });
          }
        }
        if (event.sequence !== previous.sequence + 1) {
          return fail({
            kind: 'MISSING',
            sequence: previous.sequence + 1,
            eventId: null,
            message: `Event ${previous.sequence + 1} is missing: it was deleted (the chain goes from ${previous.sequence} to ${event.sequence})`,
          });
        }
        if (chainHash(event) !== event.hash) {
          return fail({
            kind: 'ALTERED',
            sequence: event.sequence,
            eventId: event.id,
            message: `Event ${event.sequence} (${event.id}) was altered: its hash is not that of its content`,
          });
        }
        if (event.previousHash !== previous.hash) {
          return fail({
            kind: 'BROKEN_LINK',
            sequence: event.sequence,
            eventId: event.id,
            message: `Event ${event.sequence} (${event.id}) does not follow event ${previous.sequence}: that one was altered and hashed again`,
          });
        }
        if (checkpoint && event.sequence === Number(checkpoint.sequence) && event.hash !== checkpoint.hash.trim()) {
          return fail({
            kind: 'ALTERED',
            sequence: event.sequence,
            eventId: event.id,
            message: `Event ${event.sequence} (${event.id}) is not the one checkpointed at ${checkpoint.signedAt.toISOString()}`,
          });
        }
        previous = { sequence: event.sequence, hash: event.hash };
        result.checkedEvents += 1;
        result.lastSequence = event.sequence;
      }
      if (events.length < BATCH) break;
      after = events[events.length - 1]!.sequence;
    }
    const reachesCheckpoint = !checkpoint || (result.lastSequence ?? 0) >= Number(checkpoint.sequence);
    const rangeCoversCheckpoint = checkpoint && (!from || checkpoint.signedAt >= from);
    if (!reachesCheckpoint && rangeCoversCheckpoint) {
      const missing = (result.lastSequence ?? 0) + 1;
      return fail({
        kind: 'TRUNCATED',
        sequence: missing,
        eventId: null,
        message: `The chain stops at event ${result.lastSequence ?? 0}, but the checkpoint signed at ${checkpoint.signedAt.toISOString()} covers up to event ${checkpoint.sequence}: events from ${missing} on were deleted`,
      });
    }
    return result;
  }

  private async batch(organizationId: string, after: number, from: Date | null, to: Date | null): Promise<AuditEvent[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM (
         SELECT ${EVENT_COLUMNS} FROM audit.archived_events WHERE organization_id = $1 AND sequence > $2
         UNION ALL SELECT ${EVENT_COLUMNS} FROM audit.events WHERE organization_id = $1 AND sequence > $2) e
        WHERE ($3::timestamptz IS NULL OR recorded_at >= $3) AND ($4::timestamptz IS NULL OR recorded_at <= $4)
        ORDER BY sequence LIMIT ${BATCH}`,
      [organizationId, after, from, to],
    )) as EventRow[];
    return rows.map(fromRow);
  }

  /** The event before the first one checked (the genesis before event 1), or null when it is gone. */
  private async predecessor(event: AuditEvent): Promise<{ sequence: number; hash: string } | null> {
    if (event.sequence === 1) return { sequence: 0, hash: GENESIS_HASH };
    const rows = (await this.dataSource.query(
      `SELECT hash FROM audit.archived_events WHERE organization_id = $1 AND sequence = $2
       UNION ALL SELECT hash FROM audit.events WHERE organization_id = $1 AND sequence = $2`,
      [event.organizationId, event.sequence - 1],
    )) as { hash: string }[];
    return rows[0] ? { sequence: event.sequence - 1, hash: rows[0].hash } : null;
  }
}
