import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Compliance's copy of authz's role assignments, the role changes it was told of, and access reviews with their entries. */
export class AccessReviews1796612345000 implements MigrationInterface {
  name = 'AccessReviews1796612345000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "compliance"."role_assignments" ("organization_id" character varying(64) NOT NULL, "user_id" character varying(64) NOT NULL, "role_id" character varying(64) NOT NULL, "active" boolean NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE, "source_sequence" bigint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7a8999ba8c62c4fe6c21b311750" PRIMARY KEY ("organization_id", "user_id", "role_id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "role_assignments_active_idx" ON "compliance"."role_assignments"  ("organization_id", "user_id") WHERE active',
    );
    await queryRunner.query(
      'CREATE TABLE "compliance"."role_changes" ("event_id" character varying(64) NOT NULL, "organization_id" character varying(64) NOT NULL, "user_id" character varying(64) NOT NULL, "role_id" character varying(64) NOT NULL, "change" character varying(16) NOT NULL, "reason" character varying(32) NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_f68eeecb32c0a9ed01b962b32be" PRIMARY KEY ("event_id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "role_changes_organization_occurred_idx" ON "compliance"."role_changes"  ("organization_id", "occurred_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "compliance"."access_reviews" ("id" character varying(40) NOT NULL, "organization_id" character varying(64) NOT NULL, "status" character varying(16) NOT NULL, "started_by_id" character varying(64) NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "completed_by_id" character varying(64), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_901871ab6c969f7053685d00929" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      `CREATE INDEX "access_reviews_completed_idx" ON "compliance"."access_reviews"  ("organization_id", "completed_at") WHERE status = 'completed'`,
    );
    await queryRunner.query(
      'CREATE INDEX "access_reviews_organization_started_idx" ON "compliance"."access_reviews"  ("organization_id", "started_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "compliance"."access_review_entries" ("id" character varying(40) NOT NULL, "review_id" character varying(40) NOT NULL, "organization_id" character varying(64) NOT NULL, "user_id" character varying(64) NOT NULL, "role_id" character varying(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE, "decision" character varying(20), "note" character varying(1000), "decided_by_id" character varying(64), "decided_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_c3ffdd84a9eb59d752b4f72a222" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "access_review_entries_review_user_role_key" ON "compliance"."access_review_entries"  ("review_id", "user_id", "role_id") ',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "compliance"."access_review_entries"');
    await queryRunner.query('DROP TABLE "compliance"."access_reviews"');
    await queryRunner.query('DROP TABLE "compliance"."role_changes"');
    await queryRunner.query('DROP TABLE "compliance"."role_assignments"');
  }
}
