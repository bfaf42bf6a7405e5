"""AuraLink's nightly analytics chain, at 02:00 UTC, each task after the previous one succeeded:
refresh the materialized views, price AI usage, run the cost insights, archive audit events."""

from datetime import datetime, timedelta, timezone

from airflow import DAG
from airflow.models.param import Param

from auralink_job import DEFAULT_ARGS, auralink_job

with DAG(
    dag_id="analytics_processing",
    description="Refresh analytics views, price AI usage, generate cost insights, archive audit events",
    schedule="0 2 * * *",
    start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=6),
    default_args=DEFAULT_ARGS,
    params={"org": Param("", type="string", description="an organization id; empty for every organization")},
    tags=["auralink", "analytics"],
) as dag:
    refresh_views = auralink_job("analytics.refresh-views", execution_timeout=timedelta(minutes=35))
    calculate_ai_costs = auralink_job("analytics.calculate-ai-costs", execution_timeout=timedelta(minutes=20))
    generate_insights = auralink_job("analytics.generate-insights", execution_timeout=timedelta(minutes=20))
    archive_events = auralink_job("audit.archive-events", execution_timeout=timedelta(minutes=65))

    refresh_views >> calculate_ai_costs >> generate_insights >> archive_events
