import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consent records (only ever added to), compliance's membership projection from identity's
 * facts, its outbox and the events its consumers applied.
 */
export class ConsentRecords1796304549975 implements MigrationInterface {
  name = 'ConsentRecords1796304549975';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "compliance"."outbox" ("sequence" BIGSERIAL NOT NULL, "id" character varying(64) NOT NULL, "type" character varying(100) NOT NULL, "payload" jsonb NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "published_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_c2e6d231ef9d59cd2e1cb40316c" PRIMARY KEY ("sequence"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "outbox_id_key" ON "compliance"."outbox"  ("id") ');
    await queryRunner.query('CREATE INDEX "outbox_published_at_idx" ON "compliance"."outbox"  ("published_at") ');
    await queryRunner.query('CREATE INDEX "outbox_unsent_idx" ON "compliance"."outbox"  ("sequence") WHERE published_at IS NULL');
    await queryRunner.query(
      'CREATE TABLE "compliance"."processed_events" ("consumer" character varying(100) NOT NULL, "event_id" character varying(64) NOT NULL, "processed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_270df9e0013dff41bb91d555db4" PRIMARY KEY ("consumer", "event_id"))',
    );
    await queryRunner.query('CREATE INDEX "processed_events_processed_at_idx" ON "compliance"."processed_events"  ("processed_at") ');
    await queryRunner.query(
      'CREATE TABLE "compliance"."consent_records" ("id" character varying(40) NOT NULL, "organization_id" character varying(64) NOT NULL, "user_id" character varying(64) NOT NULL, "purpose" character varying(64) NOT NULL, "state" character varying(16) NOT NULL, "notice_version" character varying(64), "source" character varying(16) NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "recorded_by_id" character varying(64) NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_030be152eaa44998166470b2ccc" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "consent_records_organization_purpose_idx" ON "compliance"."consent_records"  ("organization_id", "purpose") ',
    );
    await queryRunner.query(
      'CREATE INDEX "consent_records_subject_idx" ON "compliance"."consent_records"  ("organization_id", "user_id", "purpose", "at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "compliance"."memberships" ("organization_id" character varying(64) NOT NULL, "user_id" character varying(64) NOT NULL, "status" character varying(16) NOT NULL, "source_sequence" bigint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d43d9c8d18fcd49de0fa44bbd79" PRIMARY KEY ("organization_id", "user_id"))',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "compliance"."memberships"');
    await queryRunner.query('DROP INDEX "compliance"."consent_records_subject_idx"');
    await queryRunner.query('DROP INDEX "compliance"."consent_records_organization_purpose_idx"');
    await queryRunner.query('DROP TABLE "compliance"."consent_records"');
    await queryRunner.query('DROP INDEX "compliance"."processed_events_processed_at_idx"');
    await queryRunner.query('DROP TABLE "compliance"."processed_events"');
    await queryRunner.query('DROP INDEX "compliance"."outbox_unsent_idx"');
    await queryRunner.query('DROP INDEX "compliance"."outbox_published_at_idx"');
    await queryRunner.query('DROP INDEX "compliance"."outbox_id_key"');
    await queryRunner.query('DROP TABLE "compliance"."outbox"');
  }
}
