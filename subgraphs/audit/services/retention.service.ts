import type { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError } from '../../../platform/errors';
import { AuditSettings } from '../entities/audit-settings.entity';
import { EVENT_COLUMNS } from './audit-event';
import { ensurePartitions } from './partitions';

export const DEFAULT_RETENTION_DAYS = 90;
const MIN_RETENTION_DAYS = 1;
/** Ten years: HIPAA asks six (45 CFR 164.316(b)(2)); longer is the organization's choice. */
const MAX_RETENTION_DAYS = 3_650;
const MOVE_BATCH = 10_000;

export interface ArchiveResult {
  organizations: number;
  archived: number;
  droppedPartitions: number;
}

/**
 * How long events stay in the live table, per organization, and the move past it: events
 * older than the retention go, in sequence order and in batches of one transaction each, to
 * `audit.archived_events` (the same rows, hashes included), so the chain still verifies
 * across both tables. Month partitions left empty and wholly before the current month are
 * dropped; partitions ahead are created.
 */
export class RetentionService {
  constructor(private readonly dataSource: DataSource) {}

  async settingsFor(principal: Principal, organizationId: string): Promise<AuditSettings> {
    assertOwnOrganization(principal, organizationId);
    return (
      (await this.dataSource.getRepository(AuditSettings).findOneBy({ organizationId })) ??
      Object.assign(new AuditSettings(), { organizationId, retentionDays: DEFAULT_RETENTION_DAYS, updatedAt: new Date(0) })
    );
  }

  async setRetention(principal: Principal, organizationId: string, retentionDays: number): Promise<AuditSettings> {
    assertOwnOrganization(principal, organizationId);
    if (!Number.isInteger(retentionDays) || retentionDays < MIN_RETENTION_DAYS || retentionDays > MAX_RETENTION_DAYS) {
      throw new BadUserInputError(
        `retentionDays: a whole number of days from ${MIN_RETENTION_DAYS} to ${MAX_RETENTION_DAYS}`,
        'retentionDays',
      );
    }
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(AuditSettings)
      .values({ organizationId, retentionDays, updatedAt: new Date() })
      .orUpdate(['retention_days', 'updated_at'], ['organization_id'])
      .execute();
    return this.dataSource.getRepository(AuditSettings).findOneByOrFail({ organizationId });
  }

  async archive(
    options: { organizationId?: string; now?: Date; signal?: AbortSignal; progress?: (done: number, total: number) => Promise<void> } = {},
  ): Promise<ArchiveResult> {
    const now = options.now ?? new Date();
    await ensurePartitions(this.dataSource, now);
    const organizations = (await this.dataSource.query(
      `SELECT h.organization_id, COALESCE(s.retention_days, $2) AS retention_days
         FROM audit.chain_heads h LEFT JOIN audit.settings s ON s.organization_id = h.organization_id
        WHERE $1::text IS NULL OR h.organization_id = $1 ORDER BY h.organization_id`,
      [options.organizationId ?? null, DEFAULT_RETENTION_DAYS],
    )) as { organization_id: string; retention_days: number }[];
    let archived = 0;
    for (const [index, { organization_id: organizationId, retention_days: days }] of organizations.entries()) {
      const cutoff = new Date(now.getTime() - days * 86_400_000);
      for (;;) {
        if (options.signal?.aborted) return { organizations: index, archived, droppedPartitions: 0 };
        const moved = await this.dataSource.transaction(async (manager) => {
          const rows = (await manager.query(
            `WITH moved AS (
               DELETE FROM audit.events WHERE organization_id = $1 AND recorded_at < $2 AND sequence IN (
                 SELECT sequence FROM audit.events WHERE organization_id = $1 AND recorded_at < $2 ORDER BY sequence LIMIT ${MOVE_BATCH})
               RETURNING ${EVENT_COLUMNS})
             INSERT INTO audit.archived_events (${EVENT_COLUMNS}) SELECT ${EVENT_COLUMNS} FROM moved RETURNING sequence`,
            [organizationId, cutoff],
          )) as unknown[];
          return rows.length;
        });
        archived += moved;
        if (moved < MOVE_BATCH) break;
      }
      await options.progress?.(index + 1, organizations.length);
    }
    return {
      organizations: organizations.length,
      archived,
      droppedPartitions: options.organizationId ? 0 : await this.dropEmptyPartitions(now),
    };
  }

  /**
   * Compliance's retention policy for audit events, in the transaction of its request: the
   * organization's live events recorded before `cutoff` move to the archive (counted only in a
   * dry run). Archived events are kept, hashes included, so a legal hold loses nothing by it.
   */
  async archiveIn(manager: EntityManager, organizationId: string, cutoff: Date, dryRun: boolean): Promise<number> {
    if (dryRun) {
      const [{ count }] = (await manager.query(
        'SELECT count(*)::int AS count FROM audit.events WHERE organization_id = $1 AND recorded_at < $2',
        [organizationId, cutoff],
      )) as { count: number }[];
      return count;
    }
    const rows = (await manager.query(
      `WITH moved AS (DELETE FROM audit.events WHERE organization_id = $1 AND recorded_at < $2 RETURNING ${EVENT_COLUMNS})
       INSERT INTO audit.archived_events (${EVENT_COLUMNS}) SELECT ${EVENT_COLUMNS} FROM moved RETURNING sequence`,
      [organizationId, cutoff],
    )) as unknown[];
    return rows.length;
  }

  /** Partitions wholly before the current month that hold nothing any more. */
  private async dropEmptyPartitions(now: Date): Promise<number> {
    const currentMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const partitions = (await this.dataSource.query(
      `SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = 'audit' AND p.relname = 'events'`,
    )) as { relname: string; bound: string }[];
    let dropped = 0;
    for (const { relname, bound } of partitions) {
      const upper = /TO \('([^']+)'\)/.exec(bound)?.[1];
      if (!upper || new Date(upper) > currentMonth) continue;
      const [{ empty }] = (await this.dataSource.query(`SELECT NOT EXISTS (SELECT 1 FROM audit."${relname}") AS empty`)) as {
        empty: boolean;
      }[];
      if (!empty) continue;
      await this.dataSource.query(`DROP TABLE audit."${relname}"`);
      dropped += 1;
    }
    return dropped;
  }
}
