import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The aggregates `organizationAnalytics` and the cost report read, per organization and UTC
 * day or month: calls, billed minutes, costs (integer micro-dollars), distinct active users
 * (call participants and AI users), AI calls and cost by feature. Unique indexes let
 * `refresh_analytics_views()` refresh them CONCURRENTLY (readers are never blocked).
 */
function summarySql(bucket: 'day' | 'month'): string {
  const at = (column: string) => `(date_trunc('${bucket}', ${column} AT TIME ZONE 'UTC'))::date`;
  return `
  WITH calls AS (
    SELECT organization_id, ${at('started_at')} AS bucket,
           count(*) AS total_calls,
           count(*) FILTER (WHERE degraded) AS degraded_calls,
           coalesce(sum(billed_minutes), 0)::bigint AS total_minutes,
           coalesce(sum(cost_micros), 0)::bigint AS call_cost_micros,
           avg(mos) AS average_mos
      FROM analytics.call_records GROUP BY 1, 2),
  ai AS (
    SELECT organization_id, ${at('occurred_at')} AS bucket,
           count(*) FILTER (WHERE feature = 'stt') AS stt_calls,
           count(*) FILTER (WHERE feature = 'tts') AS tts_calls,
           count(*) FILTER (WHERE feature = 'agents') AS agents_calls,
           coalesce(sum(cost_micros) FILTER (WHERE feature = 'stt'), 0)::bigint AS stt_cost_micros,
           coalesce(sum(cost_micros) FILTER (WHERE feature = 'tts'), 0)::bigint AS tts_cost_micros,
           coalesce(sum(cost_micros) FILTER (WHERE feature = 'agents'), 0)::bigint AS agents_cost_micros,
           coalesce(sum(cost_micros), 0)::bigint AS ai_cost_micros
      FROM analytics.ai_usage_events GROUP BY 1, 2),
  users AS (
    SELECT organization_id, bucket, count(DISTINCT user_id) AS active_users FROM (
      SELECT organization_id, ${at('started_at')} AS bucket, unnest(participants) AS user_id FROM analytics.call_records
      UNION ALL
      SELECT organization_id, ${at('occurred_at')}, user_id FROM analytics.ai_usage_events WHERE user_id IS NOT NULL
    ) seen GROUP BY 1, 2),
  keys AS (SELECT organization_id, bucket FROM calls UNION SELECT organization_id, bucket FROM ai)
  SELECT k.organization_id, k.bucket AS ${bucket},
         coalesce(c.total_calls, 0)::bigint AS total_calls,
         coalesce(c.degraded_calls, 0)::bigint AS degraded_calls,
         coalesce(c.total_minutes, 0)::bigint AS total_minutes,
         coalesce(c.call_cost_micros, 0)::bigint AS call_cost_micros,
         c.average_mos,
         coalesce(u.active_users, 0)::bigint AS active_users,
         coalesce(a.stt_calls, 0)::bigint AS stt_calls,
         coalesce(a.tts_calls, 0)::bigint AS tts_calls,
         coalesce(a.agents_calls, 0)::bigint AS agents_calls,
         coalesce(a.stt_cost_micros, 0)::bigint AS stt_cost_micros,
         coalesce(a.tts_cost_micros, 0)::bigint AS tts_cost_micros,
         coalesce(a.agents_cost_micros, 0)::bigint AS agents_cost_micros,
         coalesce(a.ai_cost_micros, 0)::bigint AS ai_cost_micros
    FROM keys k
    LEFT JOIN calls c ON c.organization_id = k.organization_id AND c.bucket = k.bucket
    LEFT JOIN ai a ON a.organization_id = k.organization_id AND a.bucket = k.bucket
    LEFT JOIN users u ON u.organization_id = k.organization_id AND u.bucket = k.bucket`;
}

/**
 * Call records, AI usage, users seen, plans from billing's facts, cost insights, analytics' outbox and
 * inbox; the materialized views and `refresh_analytics_views()`.
 */
export class CallsAiUsageAndInsights1796194896718 implements MigrationInterface {
  name = 'CallsAiUsageAndInsights1796194896718';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "analytics"."outbox" ("sequence" BIGSERIAL NOT NULL, "id" character varying(64) NOT NULL, "type" character varying(100) NOT NULL, "payload" jsonb NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "published_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_c2e6d231ef9d59cd2e1cb40316c" PRIMARY KEY ("sequence"))',
    );
    await queryRunner.query('CREATE UNIQUE INDEX "outbox_id_key" ON "analytics"."outbox"  ("id") ');
    await queryRunner.query('CREATE INDEX "outbox_published_at_idx" ON "analytics"."outbox"  ("published_at") ');
    await queryRunner.query('CREATE INDEX "outbox_unsent_idx" ON "analytics"."outbox"  ("sequence") WHERE published_at IS NULL');
    await queryRunner.query(
      'CREATE TABLE "analytics"."processed_events" ("consumer" character varying(100) NOT NULL, "event_id" character varying(64) NOT NULL, "processed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_270df9e0013dff41bb91d555db4" PRIMARY KEY ("consumer", "event_id"))',
    );
    await queryRunner.query('CREATE INDEX "processed_events_processed_at_idx" ON "analytics"."processed_events"  ("processed_at") ');
    await queryRunner.query(
      'CREATE TABLE "analytics"."ai_usage_events" ("organization_id" character varying(64) NOT NULL, "id" character varying(128) NOT NULL, "feature" character varying(16) NOT NULL, "model" character varying(100) NOT NULL, "user_id" character varying(128), "call_id" character varying(128), "tokens" integer, "seconds" double precision, "reported_cost_micros" bigint, "cost_micros" bigint, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_063b428ede9ad2a97be5ad150d4" PRIMARY KEY ("organization_id", "id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "ai_usage_events_unpriced_idx" ON "analytics"."ai_usage_events"  ("occurred_at") WHERE cost_micros IS NULL',
    );
    await queryRunner.query(
      'CREATE INDEX "ai_usage_events_organization_occurred_idx" ON "analytics"."ai_usage_events"  ("organization_id", "occurred_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "analytics"."call_records" ("organization_id" character varying(64) NOT NULL, "call_id" character varying(128) NOT NULL, "participants" character varying array NOT NULL DEFAULT \'{}\', "codec" character varying(32) NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ended_at" TIMESTAMP WITH TIME ZONE, "billed_minutes" integer, "rtt_ms" double precision, "jitter_ms" double precision, "packet_loss_percent" double precision, "speaking_seconds" integer, "cost_micros" bigint, "r_factor" double precision, "mos" double precision, "quality" character varying(16), "degraded" boolean, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_dbf0da51a9682692355caac13ff" PRIMARY KEY ("organization_id", "call_id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "call_records_active_idx" ON "analytics"."call_records"  ("organization_id", "started_at") WHERE ended_at IS NULL',
    );
    await queryRunner.query(
      'CREATE INDEX "call_records_organization_ended_idx" ON "analytics"."call_records"  ("organization_id", "ended_at") ',
    );
    await queryRunner.query(
      'CREATE INDEX "call_records_organization_started_idx" ON "analytics"."call_records"  ("organization_id", "started_at") ',
    );
    await queryRunner.query(
      'CREATE TABLE "analytics"."cost_insights" ("id" character varying(64) NOT NULL, "organization_id" character varying(64) NOT NULL, "kind" character varying(32) NOT NULL, "subject" character varying(200) NOT NULL, "title" character varying(200) NOT NULL, "detail" text NOT NULL, "estimated_monthly_savings_micros" bigint NOT NULL, "status" character varying(16) NOT NULL DEFAULT \'open\', "status_changed_by" character varying(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4c94a38ae646b3de6332cfd354d" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "cost_insights_subject_key" ON "analytics"."cost_insights"  ("organization_id", "kind", "subject") ',
    );
    await queryRunner.query(
      'CREATE TABLE "analytics"."organization_plans" ("organization_id" character varying(64) NOT NULL, "plan_code" character varying(32), "source_sequence" bigint NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1641d6e6f184dd2876c6be876f4" PRIMARY KEY ("organization_id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "analytics"."organization_users" ("organization_id" character varying(64) NOT NULL, "user_id" character varying(128) NOT NULL, "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_ef2d3488875cb7728f5375c766e" PRIMARY KEY ("organization_id", "user_id"))',
    );
    await queryRunner.query(`CREATE MATERIALIZED VIEW "analytics"."daily_usage_summary" AS ${summarySql('day')}`);
    await queryRunner.query(
      'CREATE UNIQUE INDEX "daily_usage_summary_key" ON "analytics"."daily_usage_summary" ("organization_id", "day")',
    );
    await queryRunner.query(`CREATE MATERIALIZED VIEW "analytics"."organization_analytics_summary" AS ${summarySql('month')}`);
    await queryRunner.query(
      'CREATE UNIQUE INDEX "organization_analytics_summary_key" ON "analytics"."organization_analytics_summary" ("organization_id", "month")',
    );
    await queryRunner.query(
      'CREATE TABLE "analytics"."view_refreshes" ("id" boolean PRIMARY KEY DEFAULT true CHECK (id), "refreshed_at" TIMESTAMP WITH TIME ZONE NOT NULL)',
    );
    await queryRunner.query(`INSERT INTO "analytics"."view_refreshes" ("refreshed_at") VALUES (now())`);
    // The seed's function, kept by name: what the job analytics.refresh-views calls.
    await queryRunner.query(`
      CREATE FUNCTION "analytics"."refresh_analytics_views"() RETURNS timestamptz LANGUAGE plpgsql AS $$
      BEGIN
        REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.daily_usage_summary;
        REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.organization_analytics_summary;
        UPDATE analytics.view_refreshes SET refreshed_at = clock_timestamp();
        RETURN clock_timestamp();
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP FUNCTION "analytics"."refresh_analytics_views"()');
    await queryRunner.query('DROP TABLE "analytics"."view_refreshes"');
    await queryRunner.query('DROP MATERIALIZED VIEW "analytics"."organization_analytics_summary"');
    await queryRunner.query('DROP MATERIALIZED VIEW "analytics"."daily_usage_summary"');
    await queryRunner.query('DROP TABLE "analytics"."organization_users"');
    await queryRunner.query('DROP TABLE "analytics"."organization_plans"');
    await queryRunner.query('DROP INDEX "analytics"."cost_insights_subject_key"');
    await queryRunner.query('DROP TABLE "analytics"."cost_insights"');
    await queryRunner.query('DROP INDEX "analytics"."call_records_organization_started_idx"');
    await queryRunner.query('DROP INDEX "analytics"."call_records_organization_ended_idx"');
    await queryRunner.query('DROP INDEX "analytics"."call_records_active_idx"');
    await queryRunner.query('DROP TABLE "analytics"."call_records"');
    await queryRunner.query('DROP INDEX "analytics"."ai_usage_events_organization_occurred_idx"');
    await queryRunner.query('DROP INDEX "analytics"."ai_usage_events_unpriced_idx"');
    await queryRunner.query('DROP TABLE "analytics"."ai_usage_events"');
    await queryRunner.query('DROP INDEX "analytics"."processed_events_processed_at_idx"');
    await queryRunner.query('DROP TABLE "analytics"."processed_events"');
    await queryRunner.query('DROP INDEX "analytics"."outbox_unsent_idx"');
    await queryRunner.query('DROP INDEX "analytics"."outbox_published_at_idx"');
    await queryRunner.query('DROP INDEX "analytics"."outbox_id_key"');
    await queryRunner.query('DROP TABLE "analytics"."outbox"');
  }
}
