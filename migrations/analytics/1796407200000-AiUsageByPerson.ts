import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A person's AI usage in time order: a data-subject export reads it a keyset page at a time, and
 * an erasure finds it by person, without walking the organization's usage.
 */
export class AiUsageByPerson1796407200000 implements MigrationInterface {
  name = 'AiUsageByPerson1796407200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX "ai_usage_events_organization_user_idx" ON "analytics"."ai_usage_events" ("organization_id", "user_id", "occurred_at", "id") ',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "analytics"."ai_usage_events_organization_user_idx"');
  }
}
