import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * API keys: bound to an organization and the member who created them; only the SHA-256 of
 * the key is stored (the key is 256 random bits, so a plain hash is enough), with its first
 * characters for display. Sessions get the address and user agent they were started from.
 */
export class AddApiKeys1795500000000 implements MigrationInterface {
  name = 'AddApiKeys1795500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "identity"."api_keys" ("id" character varying(64) NOT NULL, "organization_id" character varying(64) NOT NULL, "created_by_id" character varying(64) NOT NULL, "name" character varying(100) NOT NULL, "prefix" character varying(16) NOT NULL, "key_hash" character(64) NOT NULL, "permissions" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE, "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_by_id" character varying(64), CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id"), CONSTRAINT "api_keys_key_hash_key" UNIQUE ("key_hash"), CONSTRAINT "api_keys_organization_fkey" FOREIGN KEY ("organization_id") REFERENCES "identity"."organizations"("id") ON DELETE CASCADE, CONSTRAINT "api_keys_created_by_fkey" FOREIGN KEY ("created_by_id") REFERENCES "identity"."users"("id") ON DELETE CASCADE)',
    );
    await queryRunner.query('CREATE INDEX "api_keys_organization_idx" ON "identity"."api_keys" ("organization_id", "created_at")');
    await queryRunner.query('ALTER TABLE "identity"."sessions" ADD "ip" character varying(64)');
    await queryRunner.query('ALTER TABLE "identity"."sessions" ADD "user_agent" character varying(512)');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "identity"."sessions" DROP COLUMN "user_agent"');
    await queryRunner.query('ALTER TABLE "identity"."sessions" DROP COLUMN "ip"');
    await queryRunner.query('DROP TABLE "identity"."api_keys"');
  }
}
