import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Archived events by actor, as live events have been (`events_actor_idx`): a data-subject
 * export reads a person's events from both a keyset page at a time, and an erasure finds them.
 */
export class ArchivedEventsByActor1796407200001 implements MigrationInterface {
  name = 'ArchivedEventsByActor1796407200001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX "archived_events_actor_idx" ON "audit"."archived_events" ("organization_id", "actor_id", "sequence")',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "audit"."archived_events_actor_idx"');
  }
}
