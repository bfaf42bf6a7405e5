import type { MigrationInterface, QueryRunner } from 'typeorm';

/** SIEM webhook sinks and their delivery log. */
export class SiemSinks1796195924409 implements MigrationInterface {
  name = 'SiemSinks1796195924409';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "audit"."deliveries" ("id" BIGSERIAL NOT NULL, "sink_id" character varying(64) NOT NULL, "first_sequence" bigint NOT NULL, "last_sequence" bigint NOT NULL, "events" integer NOT NULL, "attempt" integer NOT NULL, "delivered" boolean NOT NULL, "status_code" integer, "error" text, "duration_ms" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a6ef225c5c5f0974e503bfb731f" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "deliveries_sink_idx" ON "audit"."deliveries"  ("sink_id", "id") ');
    await queryRunner.query(
      'CREATE TABLE "audit"."sinks" ("id" character varying(64) NOT NULL, "organization_id" character varying(64) NOT NULL, "url" character varying(2048) NOT NULL, "secret_sealed" text NOT NULL, "delivered_sequence" bigint NOT NULL DEFAULT \'0\', "attempts" integer NOT NULL DEFAULT \'0\', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_956ecb8840d7a594d0ec16bb625" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "sinks_organization_idx" ON "audit"."sinks"  ("organization_id") ');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "audit"."sinks_organization_idx"');
    await queryRunner.query('DROP TABLE "audit"."sinks"');
    await queryRunner.query('DROP INDEX "audit"."deliveries_sink_idx"');
    await queryRunner.query('DROP TABLE "audit"."deliveries"');
  }
}
