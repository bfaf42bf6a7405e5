import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Data-subject requests, and the chunks of their export files until downloaded. */
export class DataSubjectRequests1796407100000 implements MigrationInterface {
  name = 'DataSubjectRequests1796407100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "compliance"."data_subject_requests" ("id" character varying(40) NOT NULL, "organization_id" character varying(64) NOT NULL, "user_id" character varying(64) NOT NULL, "requested_by_id" character varying(64) NOT NULL, "type" character varying(16) NOT NULL, "status" character varying(24) NOT NULL, "regulation" character varying(8) NOT NULL, "format" character varying(8), "categories" character varying array, "details" character varying(2000), "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "extended_at" TIMESTAMP WITH TIME ZONE, "extension_reason" character varying(1000), "decided_by_id" character varying(64), "decided_at" TIMESTAMP WITH TIME ZONE, "decision_note" character varying(1000), "held" boolean NOT NULL DEFAULT false, "progress_done" integer NOT NULL DEFAULT '0', "progress_total" integer NOT NULL DEFAULT '0', "result" jsonb, "completed_at" TIMESTAMP WITH TIME ZONE, "file_bytes" bigint, "downloaded_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_data_subject_requests" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "data_subject_requests_open_idx" ON "compliance"."data_subject_requests" ("status", "due_at") WHERE status IN ('received', 'in_progress', 'awaiting_approval')`,
    );
    await queryRunner.query(
      'CREATE INDEX "data_subject_requests_organization_idx" ON "compliance"."data_subject_requests" ("organization_id", "received_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "compliance"."export_chunks" ("request_id" character varying(40) NOT NULL, "sequence" integer NOT NULL, "content" bytea NOT NULL, CONSTRAINT "PK_export_chunks" PRIMARY KEY ("request_id", "sequence"))',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "compliance"."export_chunks"');
    await queryRunner.query('DROP INDEX "compliance"."data_subject_requests_organization_idx"');
    await queryRunner.query('DROP INDEX "compliance"."data_subject_requests_open_idx"');
    await queryRunner.query('DROP TABLE "compliance"."data_subject_requests"');
  }
}
