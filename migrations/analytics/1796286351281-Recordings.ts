import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recordings of call records (the same organization's, removed with the call), with their
 * processing status, transcript, summary, the call's analysed quality and the last error.
 */
export class Recordings1796286351281 implements MigrationInterface {
  name = 'Recordings1796286351281';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "analytics"."recordings" ("id" character varying(40) NOT NULL, "organization_id" character varying(64) NOT NULL, "call_id" character varying(128) NOT NULL, "storage_url" character varying(2048) NOT NULL, "duration_seconds" double precision NOT NULL, "status" character varying(16) NOT NULL DEFAULT \'pending\', "transcript" text, "summary" text, "last_error" character varying(1000), "attempts" integer NOT NULL DEFAULT \'0\', "claimed_at" TIMESTAMP WITH TIME ZONE, "transcribed_at" TIMESTAMP WITH TIME ZONE, "summarised_at" TIMESTAMP WITH TIME ZONE, "r_factor" double precision, "mos" double precision, "quality" character varying(16), "degraded" boolean, "analysed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8c3247d5ee4551d59bb2115a484" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "recordings_status_created_idx" ON "analytics"."recordings"  ("status", "created_at") ');
    await queryRunner.query('CREATE INDEX "recordings_organization_call_idx" ON "analytics"."recordings"  ("organization_id", "call_id") ');
    await queryRunner.query(
      'CREATE INDEX "recordings_organization_created_idx" ON "analytics"."recordings"  ("organization_id", "created_at") ',
    );
    await queryRunner.query(
      'ALTER TABLE "analytics"."recordings" ADD CONSTRAINT "FK_c96b9b6ffaee6499be8f34b11dd" FOREIGN KEY ("organization_id", "call_id") REFERENCES "analytics"."call_records"("organization_id","call_id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "analytics"."recordings" DROP CONSTRAINT "FK_c96b9b6ffaee6499be8f34b11dd"');
    await queryRunner.query('DROP INDEX "analytics"."recordings_organization_created_idx"');
    await queryRunner.query('DROP INDEX "analytics"."recordings_organization_call_idx"');
    await queryRunner.query('DROP INDEX "analytics"."recordings_status_created_idx"');
    await queryRunner.query('DROP TABLE "analytics"."recordings"');
  }
}
