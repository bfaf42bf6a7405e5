import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MembershipProjection1795345597211 implements MigrationInterface {
  name = 'MembershipProjection1795345597211';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "authz"."memberships" ("organization_id" character varying(64) NOT NULL, "user_id" character varying(64) NOT NULL, "membership_id" character varying(64) NOT NULL, "status" character varying(16) NOT NULL, "source_sequence" bigint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d43d9c8d18fcd49de0fa44bbd79" PRIMARY KEY ("organization_id", "user_id"))',
    );
    await queryRunner.query('CREATE INDEX "memberships_organization_status_idx" ON "authz"."memberships"  ("organization_id", "status") ');
    await queryRunner.query(
      'CREATE TABLE "authz"."processed_events" ("consumer" character varying(100) NOT NULL, "event_id" character varying(64) NOT NULL, "processed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_270df9e0013dff41bb91d555db4" PRIMARY KEY ("consumer", "event_id"))',
    );
    await queryRunner.query('CREATE INDEX "processed_events_processed_at_idx" ON "authz"."processed_events"  ("processed_at") ');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "authz"."processed_events_processed_at_idx"');
    await queryRunner.query('DROP TABLE "authz"."processed_events"');
    await queryRunner.query('DROP INDEX "authz"."memberships_organization_status_idx"');
    await queryRunner.query('DROP TABLE "authz"."memberships"');
  }
}
