import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Retention policies per organization and category, their runs (one row per category each), who signs in through SSO and who has a second factor, and each organization's name. */
export class RetentionPolicies1796400000003 implements MigrationInterface {
  name = 'RetentionPolicies1796400000003';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "compliance"."retention_policies" ("organization_id" character varying(64) NOT NULL, "category" character varying(32) NOT NULL, "keep_days" integer NOT NULL, "action" character varying(16) NOT NULL, "updated_by_id" character varying(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_98e5c15a9fc87af6706d6e46551" PRIMARY KEY ("organization_id", "category"))',
    );
    await queryRunner.query(
      'CREATE TABLE "compliance"."retention_runs" ("id" character varying(40) NOT NULL, "organization_id" character varying(64) NOT NULL, "dry_run" boolean NOT NULL, "requested_by_id" character varying(64), "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "organization_held" boolean NOT NULL, "held_users" integer NOT NULL, CONSTRAINT "PK_80f0aec401112f8d4bad156a908" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "retention_runs_organization_requested_idx" ON "compliance"."retention_runs"  ("organization_id", "requested_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "compliance"."retention_run_categories" ("run_id" character varying(40) NOT NULL, "category" character varying(32) NOT NULL, "action" character varying(16) NOT NULL, "keep_days" integer NOT NULL, "cutoff" TIMESTAMP WITH TIME ZONE NOT NULL, "status" character varying(16) NOT NULL, "affected" integer, "held" integer, "reported_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_26e45b9d64bd6f00b828203fb64" PRIMARY KEY ("run_id", "category"))',
    );
    await queryRunner.query(
      'CREATE TABLE "compliance"."organizations" ("organization_id" character varying(64) NOT NULL, "name" character varying(200) NOT NULL, "source_sequence" bigint NOT NULL, CONSTRAINT "PK_256856c7ab20081dd27937d43ed" PRIMARY KEY ("organization_id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "compliance"."mfa_enrollments" ("user_id" character varying(64) NOT NULL, "enabled" boolean NOT NULL, "source_sequence" bigint NOT NULL, CONSTRAINT "PK_851c3f7e417979821e1a69408df" PRIMARY KEY ("user_id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "compliance"."sso_sign_ins" ("organization_id" character varying(64) NOT NULL, "user_id" character varying(64) NOT NULL, "last_signed_in_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_c5ce7f2e469c39bdcc0cebc031a" PRIMARY KEY ("organization_id", "user_id"))',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "compliance"."sso_sign_ins"');
    await queryRunner.query('DROP TABLE "compliance"."mfa_enrollments"');
    await queryRunner.query('DROP TABLE "compliance"."organizations"');
    await queryRunner.query('DROP TABLE "compliance"."retention_run_categories"');
    await queryRunner.query('DROP INDEX "compliance"."retention_runs_organization_requested_idx"');
    await queryRunner.query('DROP TABLE "compliance"."retention_runs"');
    await queryRunner.query('DROP TABLE "compliance"."retention_policies"');
  }
}
