import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A partner's API key may be bound to operations of the manifest: it then runs those, by id, and nothing else. */
export class ApiKeyOperations1796305684547 implements MigrationInterface {
  name = 'ApiKeyOperations1796305684547';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "identity"."api_keys" ADD "operations" jsonb');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "identity"."api_keys" DROP COLUMN "operations"');
  }
}
