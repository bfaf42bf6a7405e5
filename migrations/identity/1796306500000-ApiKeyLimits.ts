import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each API key has its own budgets per rate-limit window: requests, and the summed cost of its operations. */
export class ApiKeyLimits1796306500000 implements MigrationInterface {
  name = 'ApiKeyLimits1796306500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "identity"."api_keys" ADD "requests_per_window" integer NOT NULL DEFAULT 600');
    await queryRunner.query('ALTER TABLE "identity"."api_keys" ADD "cost_per_window" integer NOT NULL DEFAULT 1000000');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "identity"."api_keys" DROP COLUMN "cost_per_window"');
    await queryRunner.query('ALTER TABLE "identity"."api_keys" DROP COLUMN "requests_per_window"');
  }
}
