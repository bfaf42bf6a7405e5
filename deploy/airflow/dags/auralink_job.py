"""One AuraLink job as an Airflow task: `node dist/bin/job.js <job> --org=<organization id>` in a pod
of the project's image (its entrypoint is serve.js, so the command is set here).

AURALINK_IMAGE names the image (default auralink-supergraph:latest), AURALINK_NAMESPACE the
namespace of the pods, AURALINK_ENV_SECRET the Secret holding the worker's environment
(DATABASE_URL, SECRETS_KEY, REDIS_URL, AI_API_KEY…). The job exits 0 when it completed, 1 when it
failed (the task fails and Airflow retries it), 2 for a name no subgraph defines.
"""

import os
from datetime import timedelta

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from kubernetes.client import models as k8s

AURALINK_IMAGE = os.environ.get("AURALINK_IMAGE", "auralink-supergraph:latest")
AURALINK_NAMESPACE = os.environ.get("AURALINK_NAMESPACE", "auralink-workflows")
AURALINK_ENV_SECRET = os.environ.get("AURALINK_ENV_SECRET", "auralink-jobs-env")

# What every task of the DAGs shares: two retries, backing off from a minute up to 30 minutes.
DEFAULT_ARGS = {
    "owner": "auralink",
    "depends_on_past": False,
    "email_on_failure": True,
    "email_on_retry": False,
    "retries": 2,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
}


def auralink_job(job, execution_timeout):
    """A task running `job` once; the run covers the organization of the DAG run's `org` param, or all when empty.

    execution_timeout must be longer than the job's own timeout (the job aborts itself first).
    """
    return KubernetesPodOperator(
        task_id=job.split(".", 1)[1],
        name=job.replace(".", "-"),
        namespace=AURALINK_NAMESPACE,
        image=AURALINK_IMAGE,
        cmds=["node", "dist/bin/job.js"],
        arguments=[job, "--org={{ params.org }}"],
        env_from=[k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name=AURALINK_ENV_SECRET))],
        env_vars=[k8s.V1EnvVar(name="NODE_ENV", value="production")],
        container_resources=k8s.V1ResourceRequirements(
            requests={"cpu": "250m", "memory": "512Mi"},
            limits={"cpu": "1", "memory": "2Gi"},
        ),
        execution_timeout=execution_timeout,
        get_logs=True,
        on_finish_action="delete_pod",
    )
