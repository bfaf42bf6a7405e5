"""AuraLink's recording processing, every 4 hours (00:00, 04:00, … UTC): transcribe pending
recordings, then give ended calls' recordings their call quality, then summarise the transcribed
ones; each job takes at most 50 recordings a run, 5 at once."""

from datetime import datetime, timedelta, timezone

from airflow import DAG
from airflow.models.param import Param

from auralink_job import DEFAULT_ARGS, auralink_job

with DAG(
    dag_id="call_recording_processing",
    description="Transcribe, analyse and summarise call recordings",
    schedule="0 */4 * * *",
    start_date=datetime(2026, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    max_active_runs=1,
    # Ends before the next run is due.
    dagrun_timeout=timedelta(hours=3, minutes=50),
    default_args=DEFAULT_ARGS,
    params={"org": Param("", type="string", description="an organization id; empty for every organization")},
    tags=["auralink", "recordings"],
) as dag:
    transcribe = auralink_job("analytics.transcribe-recordings", execution_timeout=timedelta(minutes=65))
    analyse = auralink_job("analytics.analyse-recordings", execution_timeout=timedelta(minutes=20))
    summarise = auralink_job("analytics.summarise-recordings", execution_timeout=timedelta(minutes=65))

    transcribe >> analyse >> summarise
