import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Partner operation calls, metered by the gateway, are usage too: the `api_calls` metric (no allowance counts it). */
export class ApiCallsUsage1796306500001 implements MigrationInterface {
  name = 'ApiCallsUsage1796306500001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TYPE "billing"."usage_metric" ADD VALUE IF NOT EXISTS \'api_calls\'');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DELETE FROM "billing"."usage_records" WHERE "metric" = \'api_calls\'');
    await queryRunner.query('ALTER TYPE "billing"."usage_metric" RENAME TO "usage_metric_old"');
    await queryRunner.query(
      "CREATE TYPE \"billing\".\"usage_metric\" AS ENUM('call_minutes', 'ai_stt', 'ai_tts', 'ai_agents', 'recording_storage_gb')",
    );
    await queryRunner.query(
      'ALTER TABLE "billing"."usage_records" ALTER COLUMN "metric" TYPE "billing"."usage_metric" USING "metric"::text::"billing"."usage_metric"',
    );
    await queryRunner.query('DROP TYPE "billing"."usage_metric_old"');
  }
}
