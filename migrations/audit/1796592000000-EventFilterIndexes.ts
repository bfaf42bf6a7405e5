import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for `auditLogs` filters that the primary key walk (newest first by sequence) serves
 * badly, on the partitioned `audit.events` (each index is created on every month partition, and
 * on the months created later):
 *
 * - `events_outcome_idx` and `events_severity_idx`: partial, over the rare values only
 *   (`outcome <> 'success'`, `severity <> 'info'`), keyed `(organization_id, sequence)` so a page
 *   of denied or critical events walks them newest first in chain order. An insert of a success
 *   at info pays nothing for them.
 * - `events_search_idx`: trigrams (pg_trgm, GIN) of the text `search` looks in (action, actor
 *   id and name, targets); the expression is the one `services/audit-filter.ts` writes. Text that
 *   matches few events is found through it instead of a walk of the whole organization.
 *
 * Without CONCURRENTLY (a migration runs in a transaction): on a populated table the build
 * blocks writes to `audit.events` while it runs.
 */
export class EventFilterIndexes1796592000000 implements MigrationInterface {
  name = 'EventFilterIndexes1796592000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // A trusted extension: the database owner may create it. Where it already is, it stays.
    await queryRunner.query('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA audit');
    const [{ schema }] = (await queryRunner.query(
      "SELECT extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = 'pg_trgm'",
    )) as { schema: string }[];
    await queryRunner.query(
      `CREATE INDEX "events_outcome_idx" ON "audit"."events" ("organization_id", "sequence") WHERE outcome <> 'success'`,
    );
    await queryRunner.query(
      `CREATE INDEX "events_severity_idx" ON "audit"."events" ("organization_id", "sequence") WHERE severity <> 'info'`,
    );
    await queryRunner.query(
      `CREATE INDEX "events_search_idx" ON "audit"."events" USING gin ((action || ' ' || coalesce(actor_id, '') || ' ' || coalesce(actor_name, '') || ' ' || targets::text) ${schema}.gin_trgm_ops)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "audit"."events_search_idx"');
    await queryRunner.query('DROP INDEX "audit"."events_severity_idx"');
    await queryRunner.query('DROP INDEX "audit"."events_outcome_idx"');
    // Only where up put it: an extension found elsewhere was not this migration's.
    const inAudit = (await queryRunner.query(
      "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm' AND extnamespace = 'audit'::regnamespace",
    )) as unknown[];
    if (inAudit.length > 0) await queryRunner.query('DROP EXTENSION pg_trgm');
  }
}
