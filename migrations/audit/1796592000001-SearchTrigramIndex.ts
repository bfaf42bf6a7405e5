import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `auditLogs(filter: { search })` looks for text in the action, the actor's id and name and the
 * targets (`services/audit-filter.ts`, SEARCH_TEXT). Text that few events hold walked the whole
 * organization: 96 s over 10 million events for text none held. This GIN index of that
 * expression's trigrams (pg_trgm) finds the few candidates instead; the planner still walks the
 * primary key for text many events hold, where that is cheaper.
 *
 * The cost is on ingest: measured on 200,000 inserts of the bench's events, 33–40 µs a row
 * without it and 140–161 µs with it; with it and the two partial indexes before it, 2.7 KB of
 * WAL a row instead of 0.7 KB (the trigrams of random ids are many distinct keys). Dropping this
 * index alone takes that back; search then walks the organization's events again.
 *
 * Without CONCURRENTLY (a migration runs in a transaction): on a populated table the build
 * blocks writes to `audit.events` while it runs (about 10 minutes over 10 million events here).
 */
export class SearchTrigramIndex1796592000001 implements MigrationInterface {
  name = 'SearchTrigramIndex1796592000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // A trusted extension: the database owner may create it. Where it already is, it stays.
    await queryRunner.query('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA audit');
    const [{ schema }] = (await queryRunner.query(
      "SELECT extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = 'pg_trgm'",
    )) as { schema: string }[];
    await queryRunner.query(
      `CREATE INDEX "events_search_idx" ON "audit"."events" USING gin ((action || ' ' || coalesce(actor_id, '') || ' ' || coalesce(actor_name, '') || ' ' || targets::text) ${schema}.gin_trgm_ops)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "audit"."events_search_idx"');
    // Only where up put it: an extension found elsewhere was not this migration's.
    const inAudit = (await queryRunner.query(
      "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm' AND extnamespace = 'audit'::regnamespace",
    )) as unknown[];
    if (inAudit.length > 0) await queryRunner.query('DROP EXTENSION pg_trgm');
  }
}
