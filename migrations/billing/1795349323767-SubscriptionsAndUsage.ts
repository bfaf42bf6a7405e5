import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Prices, overage and hard limits on plans; trials, cancellation and downgrades on subscriptions; usage, charges, alerts; billing's outbox and inbox. */
export class SubscriptionsAndUsage1795349323767 implements MigrationInterface {
  name = 'SubscriptionsAndUsage1795349323767';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "billing"."processed_events" ("consumer" character varying(100) NOT NULL, "event_id" character varying(64) NOT NULL, "processed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_270df9e0013dff41bb91d555db4" PRIMARY KEY ("consumer", "event_id"))',
    );
    await queryRunner.query('CREATE INDEX "processed_events_processed_at_idx" ON "billing"."processed_events"  ("processed_at") ');
    await queryRunner.query(
      'CREATE TABLE "billing"."charges" ("id" character varying(64) NOT NULL, "organization_id" character varying(64) NOT NULL, "subscription_id" character varying(64) NOT NULL, "description" character varying(200) NOT NULL, "amount_cents" integer NOT NULL, "currency" character(3) NOT NULL, "invoice_id" character varying(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0c6feb10df0fa460714f8464dce" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "charges_organization_id_idx" ON "billing"."charges"  ("organization_id") ');
    await queryRunner.query(
      'CREATE TABLE "billing"."usage_alerts" ("organization_id" character varying(64) NOT NULL, "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "allowance" character varying(32) NOT NULL, "threshold" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8b5c7c03710c3ccd8a02a51d5f7" PRIMARY KEY ("organization_id", "period_start", "allowance", "threshold"))',
    );
    await queryRunner.query(
      "CREATE TYPE \"billing\".\"usage_metric\" AS ENUM('call_minutes', 'ai_stt', 'ai_tts', 'ai_agents', 'recording_storage_gb')",
    );
    await queryRunner.query(
      'CREATE TABLE "billing"."usage_records" ("id" character varying(64) NOT NULL, "organization_id" character varying(64) NOT NULL, "metric" "billing"."usage_metric" NOT NULL, "quantity" integer NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "idempotency_key" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e511cf9f7dc53851569f87467a5" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "usage_records_organization_occurred_at_idx" ON "billing"."usage_records"  ("organization_id", "occurred_at") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "usage_records_idempotency_key" ON "billing"."usage_records"  ("organization_id", "idempotency_key") ',
    );
    await queryRunner.query(
      'CREATE TABLE "billing"."outbox" ("sequence" BIGSERIAL NOT NULL, "id" character varying(64) NOT NULL, "type" character varying(100) NOT NULL, "payload" jsonb NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "published_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_c2e6d231ef9d59cd2e1cb40316c" PRIMARY KEY ("sequence"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "outbox_id_key" ON "billing"."outbox"  ("id") ');
    await queryRunner.query('CREATE INDEX "outbox_published_at_idx" ON "billing"."outbox"  ("published_at") ');
    await queryRunner.query('CREATE INDEX "outbox_unsent_idx" ON "billing"."outbox"  ("sequence") WHERE published_at IS NULL');
    await queryRunner.query('ALTER TABLE "billing"."plans" ADD "included_storage_gb" integer NOT NULL DEFAULT \'0\'');
    await queryRunner.query('ALTER TABLE "billing"."plans" ADD "yearly_price_cents" integer NOT NULL DEFAULT \'0\'');
    await queryRunner.query('ALTER TABLE "billing"."plans" ADD "overage_minute_cents" integer NOT NULL DEFAULT \'0\'');
    await queryRunner.query('ALTER TABLE "billing"."plans" ADD "overage_ai_call_cents" integer NOT NULL DEFAULT \'0\'');
    await queryRunner.query('ALTER TABLE "billing"."plans" ADD "overage_storage_gb_cents" integer NOT NULL DEFAULT \'0\'');
    await queryRunner.query('ALTER TABLE "billing"."plans" ADD "hard_limit" boolean NOT NULL DEFAULT false');
    await queryRunner.query('ALTER TABLE "billing"."subscriptions" ADD "trial_end" TIMESTAMP WITH TIME ZONE');
    await queryRunner.query('ALTER TABLE "billing"."subscriptions" ADD "cancel_at_period_end" boolean NOT NULL DEFAULT false');
    await queryRunner.query('ALTER TABLE "billing"."subscriptions" ADD "canceled_at" TIMESTAMP WITH TIME ZONE');
    await queryRunner.query('ALTER TABLE "billing"."subscriptions" ADD "pending_plan_id" character varying(64)');
    await queryRunner.query('ALTER TABLE "billing"."subscriptions" DROP CONSTRAINT "UQ_9ea1509175fa294fc64d43a9fe6"');
    await queryRunner.query('ALTER TYPE "billing"."subscription_status" ADD VALUE \'trialing\'');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "subscriptions_one_live_per_organization" ON "billing"."subscriptions"  ("organization_id") WHERE status <> \'canceled\'',
    );
    await queryRunner.query(
      'ALTER TABLE "billing"."subscriptions" ADD CONSTRAINT "FK_ddf3ef53ffc083fcff7c5448412" FOREIGN KEY ("pending_plan_id") REFERENCES "billing"."plans"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    // Yearly prices are ten months'; Free stops at what it includes, paid plans sell overage.
    await queryRunner.query(`UPDATE "billing"."plans" AS p SET "yearly_price_cents" = v.yearly, "included_storage_gb" = v.storage,
        "overage_minute_cents" = v.minute, "overage_ai_call_cents" = v.ai_call, "overage_storage_gb_cents" = v.storage_gb, "hard_limit" = v.hard
      FROM (VALUES ('plan_free', 0, 1, 0, 0, 0, true), ('plan_pro', 49000, 100, 2, 5, 10, false), ('plan_enterprise', 499000, 1000, 1, 3, 5, false))
        AS v(id, yearly, storage, minute, ai_call, storage_gb, hard)
      WHERE p."id" = v.id`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "billing"."subscriptions" DROP CONSTRAINT "FK_ddf3ef53ffc083fcff7c5448412"');
    await queryRunner.query('DROP INDEX "billing"."subscriptions_one_live_per_organization"');
    await queryRunner.query("CREATE TYPE \"billing\".\"subscription_status_old\" AS ENUM('active', 'past_due', 'canceled')");
    await queryRunner.query(`UPDATE "billing"."subscriptions" SET "status" = 'active' WHERE "status" = 'trialing'`);
    await queryRunner.query('ALTER TABLE "billing"."subscriptions" ALTER COLUMN "status" DROP DEFAULT');
    await queryRunner.query(
      'ALTER TABLE "billing"."subscriptions" ALTER COLUMN "status" TYPE "billing"."subscription_status_old" USING "status"::"text"::"billing"."subscription_status_old"',
    );
    await queryRunner.query(`ALTER TABLE "billing"."subscriptions" ALTER COLUMN "status" SET DEFAULT 'active'`);
    await queryRunner.query('DROP TYPE "billing"."subscription_status"');
    await queryRunner.query('ALTER TYPE "billing"."subscription_status_old" RENAME TO "subscription_status"');
    await queryRunner.query(
      'ALTER TABLE "billing"."subscriptions" ADD CONSTRAINT "UQ_9ea1509175fa294fc64d43a9fe6" UNIQUE ("organization_id")',
    );
    await queryRunner.query('ALTER TABLE "billing"."subscriptions" DROP COLUMN "pending_plan_id"');
    await queryRunner.query('ALTER TABLE "billing"."subscriptions" DROP COLUMN "canceled_at"');
    await queryRunner.query('ALTER TABLE "billing"."subscriptions" DROP COLUMN "cancel_at_period_end"');
    await queryRunner.query('ALTER TABLE "billing"."subscriptions" DROP COLUMN "trial_end"');
    await queryRunner.query('ALTER TABLE "billing"."plans" DROP COLUMN "hard_limit"');
    await queryRunner.query('ALTER TABLE "billing"."plans" DROP COLUMN "overage_storage_gb_cents"');
    await queryRunner.query('ALTER TABLE "billing"."plans" DROP COLUMN "overage_ai_call_cents"');
    await queryRunner.query('ALTER TABLE "billing"."plans" DROP COLUMN "overage_minute_cents"');
    await queryRunner.query('ALTER TABLE "billing"."plans" DROP COLUMN "yearly_price_cents"');
    await queryRunner.query('ALTER TABLE "billing"."plans" DROP COLUMN "included_storage_gb"');
    await queryRunner.query('DROP INDEX "billing"."outbox_unsent_idx"');
    await queryRunner.query('DROP INDEX "billing"."outbox_published_at_idx"');
    await queryRunner.query('DROP INDEX "billing"."outbox_id_key"');
    await queryRunner.query('DROP TABLE "billing"."outbox"');
    await queryRunner.query('DROP INDEX "billing"."usage_records_idempotency_key"');
    await queryRunner.query('DROP INDEX "billing"."usage_records_organization_occurred_at_idx"');
    await queryRunner.query('DROP TABLE "billing"."usage_records"');
    await queryRunner.query('DROP TYPE "billing"."usage_metric"');
    await queryRunner.query('DROP TABLE "billing"."usage_alerts"');
    await queryRunner.query('DROP INDEX "billing"."charges_organization_id_idx"');
    await queryRunner.query('DROP TABLE "billing"."charges"');
    await queryRunner.query('DROP INDEX "billing"."processed_events_processed_at_idx"');
    await queryRunner.query('DROP TABLE "billing"."processed_events"');
  }
}
