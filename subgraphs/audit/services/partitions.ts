import type { DataSource, EntityManager } from 'typeorm';

/** How many months after the current one have their partition ready, so an insert never waits for DDL. */
export const MONTHS_AHEAD = 2;

/** `audit.events_2026_12` for December 2026 (UTC). */
export function partitionName(month: Date): string {
  return `events_${month.getUTCFullYear()}_${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

function monthStart(at: Date, offset = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + offset, 1));
}

/**
 * Creates the monthly partitions of `audit.events` from `from`'s month to MONTHS_AHEAD
 * after `now`'s (each `[first of month, first of next)` in UTC). Safe to run from several
 * processes at once: a transaction-scoped advisory lock lets one create while others wait.
 */
export async function ensurePartitions(dataSource: DataSource, now = new Date(), from = now): Promise<string[]> {
  return dataSource.transaction(async (manager: EntityManager) => {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('audit.events partitions'))`);
    const existing = new Set(
      (
        (await manager.query(
          `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
            JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = 'audit' AND p.relname = 'events'`,
        )) as { relname: string }[]
      ).map((row) => row.relname),
    );
    const created: string[] = [];
    for (let month = monthStart(from); month <= monthStart(now, MONTHS_AHEAD); month = monthStart(month, 1)) {
      const name = partitionName(month);
      if (existing.has(name)) continue;
      await manager.query(
        `CREATE TABLE IF NOT EXISTS "audit"."${name}" PARTITION OF "audit"."events" FOR VALUES FROM ('${month.toISOString()}') TO ('${monthStart(month, 1).toISOString()}')`,
      );
      created.push(name);
    }
    return created;
  });
}

/** The SQLSTATE PostgreSQL answers an insert with when no partition holds its row. */
export function isMissingPartition(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === '23514' && /no partition of relation/.test(e.message ?? '');
}
