import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit's tables. `events` is partitioned by month of `recorded_at` (PostgreSQL declarative
 * partitioning; services/partitions.ts creates months ahead) and, like `archived_events` and
 * `event_ids`, is plain SQL without a TypeORM entity: TypeORM does not model partitioned
 * tables, and the services read and write them in SQL. `event_ids` makes ingest idempotent by
 * event id across partitions (a unique index of a partitioned table must include its key).
 */
export class AuditTrail1796194328019 implements MigrationInterface {
  name = 'AuditTrail1796194328019';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "audit"."processed_events" ("consumer" character varying(100) NOT NULL, "event_id" character varying(64) NOT NULL, "processed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_270df9e0013dff41bb91d555db4" PRIMARY KEY ("consumer", "event_id"))',
    );
    await queryRunner.query('CREATE INDEX "processed_events_processed_at_idx" ON "audit"."processed_events"  ("processed_at") ');
    await queryRunner.query(
      'CREATE TABLE "audit"."settings" ("organization_id" character varying(64) NOT NULL, "retention_days" integer NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d5bc871126b26b4fb1b9c743825" PRIMARY KEY ("organization_id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "audit"."chain_heads" ("organization_id" character varying(64) NOT NULL, "sequence" bigint NOT NULL, "hash" character(64) NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2c52aebf60608d57003bc1edd4d" PRIMARY KEY ("organization_id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "audit"."checkpoints" ("organization_id" character varying(64) NOT NULL, "sequence" bigint NOT NULL, "hash" character(64) NOT NULL, "signed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "key_id" character varying(64) NOT NULL, "signature" text NOT NULL, CONSTRAINT "PK_3d97f2dc330f89414d990040144" PRIMARY KEY ("organization_id", "sequence"))',
    );
    await queryRunner.query(
      'CREATE TABLE "audit"."security_events" ("id" character varying(64) NOT NULL, "organization_id" character varying(64) NOT NULL, "rule" character varying(64) NOT NULL, "severity" character varying(16) NOT NULL, "status" character varying(16) NOT NULL DEFAULT \'open\', "subject" character varying(256) NOT NULL, "summary" text NOT NULL, "event_count" integer NOT NULL, "audit_event_ids" jsonb NOT NULL, "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status_changed_by" character varying(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6fc100d6700780737348df0d3ae" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "security_events_unresolved_key" ON "audit"."security_events"  ("organization_id", "rule", "subject") WHERE status <> \'resolved\'',
    );
    await queryRunner.query(
      'CREATE INDEX "security_events_organization_idx" ON "audit"."security_events"  ("organization_id", "created_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "audit"."signing_keys" ("id" character varying(64) NOT NULL, "public_key" text NOT NULL, "private_key_sealed" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ab7d78cf6e61dc3904133b4cd55" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(`CREATE TABLE "audit"."events" (
      "organization_id" character varying(64) NOT NULL,
      "sequence" bigint NOT NULL,
      "id" character varying(64) NOT NULL,
      "actor_type" character varying(16) NOT NULL,
      "actor_id" character varying(128),
      "actor_name" character varying(256),
      "action" character varying(200) NOT NULL,
      "severity" character varying(16) NOT NULL,
      "outcome" character varying(16) NOT NULL,
      "targets" jsonb NOT NULL DEFAULT '[]',
      "request_id" character varying(128),
      "ip" character varying(64),
      "user_agent" character varying(512),
      "request" jsonb,
      "response" jsonb,
      "changes" jsonb,
      "metadata" jsonb,
      "source" character varying(64) NOT NULL,
      "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "previous_hash" character(64) NOT NULL,
      "hash" character(64) NOT NULL,
      CONSTRAINT "events_pkey" PRIMARY KEY ("organization_id", "sequence", "recorded_at")
    ) PARTITION BY RANGE ("recorded_at")`);
    await queryRunner.query('CREATE INDEX "events_actor_idx" ON "audit"."events" ("organization_id", "actor_id", "sequence")');
    await queryRunner.query('CREATE TABLE "audit"."archived_events" (LIKE "audit"."events" INCLUDING DEFAULTS)');
    await queryRunner.query(
      'ALTER TABLE "audit"."archived_events" ADD CONSTRAINT "archived_events_pkey" PRIMARY KEY ("organization_id", "sequence")',
    );
    await queryRunner.query(
      'CREATE TABLE "audit"."event_ids" ("id" character varying(64) NOT NULL PRIMARY KEY, "organization_id" character varying(64) NOT NULL, "sequence" bigint NOT NULL)',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "audit"."event_ids"');
    await queryRunner.query('DROP TABLE "audit"."archived_events"');
    await queryRunner.query('DROP TABLE "audit"."events"');
    await queryRunner.query('DROP TABLE "audit"."signing_keys"');
    await queryRunner.query('DROP INDEX "audit"."security_events_organization_idx"');
    await queryRunner.query('DROP INDEX "audit"."security_events_unresolved_key"');
    await queryRunner.query('DROP TABLE "audit"."security_events"');
    await queryRunner.query('DROP TABLE "audit"."checkpoints"');
    await queryRunner.query('DROP TABLE "audit"."chain_heads"');
    await queryRunner.query('DROP TABLE "audit"."settings"');
    await queryRunner.query('DROP INDEX "audit"."processed_events_processed_at_idx"');
    await queryRunner.query('DROP TABLE "audit"."processed_events"');
  }
}
