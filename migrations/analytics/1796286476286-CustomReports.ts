import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Custom reports: saved definitions with their schedule's next tick, and their runs (status,
 * tries, period, output kept as bytes for download); deleting a report deletes its runs.
 */
export class CustomReports1796286476286 implements MigrationInterface {
  name = 'CustomReports1796286476286';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "analytics"."reports" ("id" character varying(64) NOT NULL, "organization_id" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "metrics" character varying(32) array NOT NULL, "filters" jsonb NOT NULL DEFAULT \'{}\', "group_by" character varying(16) NOT NULL, "period" character varying(24) NOT NULL, "format" character varying(8) NOT NULL, "schedule" character varying(100), "next_run_at" TIMESTAMP WITH TIME ZONE, "created_by" character varying(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d9013193989303580053c0b5ef6" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "reports_due_idx" ON "analytics"."reports"  ("next_run_at") WHERE next_run_at IS NOT NULL');
    await queryRunner.query('CREATE INDEX "reports_organization_idx" ON "analytics"."reports"  ("organization_id", "created_at") ');
    await queryRunner.query(
      'CREATE TABLE "analytics"."report_runs" ("id" character varying(64) NOT NULL, "report_id" character varying(64) NOT NULL, "organization_id" character varying(64) NOT NULL, "status" character varying(16) NOT NULL DEFAULT \'queued\', "trigger" character varying(16) NOT NULL, "requested_by" character varying(64), "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "period_end" TIMESTAMP WITH TIME ZONE NOT NULL, "format" character varying(8) NOT NULL, "attempts" integer NOT NULL DEFAULT \'0\', "row_count" integer, "truncated" boolean NOT NULL DEFAULT false, "output" bytea, "output_bytes" integer, "error" text, "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ec9cd6617ae677b28700451a9b3" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "report_runs_queued_idx" ON "analytics"."report_runs"  ("created_at") WHERE status = \'queued\'');
    await queryRunner.query('CREATE INDEX "report_runs_report_idx" ON "analytics"."report_runs"  ("report_id", "created_at") ');
    await queryRunner.query(
      'ALTER TABLE "analytics"."report_runs" ADD CONSTRAINT "FK_736c1687c0cd17e1c1afb3a69b1" FOREIGN KEY ("report_id") REFERENCES "analytics"."reports"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "analytics"."report_runs" DROP CONSTRAINT "FK_736c1687c0cd17e1c1afb3a69b1"');
    await queryRunner.query('DROP INDEX "analytics"."report_runs_report_idx"');
    await queryRunner.query('DROP INDEX "analytics"."report_runs_queued_idx"');
    await queryRunner.query('DROP TABLE "analytics"."report_runs"');
    await queryRunner.query('DROP INDEX "analytics"."reports_organization_idx"');
    await queryRunner.query('DROP INDEX "analytics"."reports_due_idx"');
    await queryRunner.query('DROP TABLE "analytics"."reports"');
  }
}
