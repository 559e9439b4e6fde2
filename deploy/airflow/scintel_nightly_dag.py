"""Airflow DAG `scintel_nightly`: the scintel pipeline every night, as three tasks
ingest -> quality -> indicators, each one Spark application submitted with spark-submit.sh.

Why BashOperator + spark-submit.sh, not SparkSubmitOperator
------------------------------------------------------------
spark-submit.sh is the one submission path of the project: it builds the code zip (named by a
digest of the sources, so a running job keeps its zip), picks the Delta jars (cached `--jars` or
`--packages`), sets the Delta SQL extension and catalog, the UTC session time zone,
PYSPARK_PYTHON and SCINTEL_CONF, and makes local paths absolute. The cron recipe
(deploy/cron/scintel-nightly.sh), the README and tests/test_cluster_mode.py (a real standalone
cluster) all go through it. SparkSubmitOperator (apache-airflow-providers-apache-spark) builds its
own `spark-submit` command line and accepts only `spark-submit`/`spark2-submit`/`spark3-submit` as
its binary, so using it would mean a second, untested copy of all of the above in this file that
would drift from the script. What it would add does not apply here: its driver-status polling is
for cluster deploy mode, which Spark standalone does not offer for Python applications, and the
master URL lives just as well in an Airflow Variable as in a Spark connection. BashOperator
streams the submission's log into the task log and fails the task on a non-zero exit code
(1 bad input/config, 3 critical quality expectation, 4 too many rejects).

Tasks
-----
The stage groups run with `scintel run STAGE... --only`, so each task does exactly its stages and
a retry redoes only the failed group; every stage replaces its tables in one Delta commit, so a
retry after a crash mid-group is safe. The gate between silver and gold is its own task: when a
critical expectation fails, the indicators are not computed from bad tables. Each task leaves its
own run record under <warehouse>/_runs/. Retries are for transient failures (a lost executor, a
cluster restart); a deterministic failure (bad input, failed gate) fails again on retry, a few
minutes later.

Settings (Airflow Variables, read when a task runs, not when the file is parsed):
  scintel_home           checkout with .venv and .jars (scripts/setup.sh) on the Airflow worker
  scintel_input          raw input (--input)
  scintel_warehouse      warehouse (--warehouse)
  scintel_conf           config file (default <scintel_home>/conf/cluster.yaml)
  scintel_master         --master (spark://host:7077, yarn, k8s://...)
  scintel_submit_args    extra spark-submit options (SCINTEL_SUBMIT_ARGS)

Only for Airflow: the test suite parses this file with `ast` and never imports it unless Airflow
is installed.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.4+
    from airflow import DAG
    from airflow.operators.bash import BashOperator

# Task -> the pipeline stages it runs (`scintel stages`), in dependency order. Every stage of
# jobs.pipeline.STAGES appears once; tests/test_deploy.py checks that against the registry.
STAGE_GROUPS = {
    "ingest": ["ingest_openalex", "ingest_patents"],
    "quality": ["quality_silver"],
    "indicators": [
        "output_impact",
        "top_cited",
        "golden_cross",
        "patents",
        "talent",
        "institution_h5",
        "research_fronts",
        "sleeping_beauties",
        "talent_flow",
        "collaboration",
        "city_subfield",
        "topic_lens",
        "top_teams",
    ],
}

# Settings reach the command as environment variables, so paths need no shell quoting.
ENV = {
    "SCINTEL_HOME": "{{ var.value.scintel_home }}",
    "SCINTEL_INPUT": "{{ var.value.scintel_input }}",
    "SCINTEL_WAREHOUSE": "{{ var.value.scintel_warehouse }}",
    "SCINTEL_CONF": "{{ var.value.get('scintel_conf', var.value.scintel_home ~ '/conf/cluster.yaml') }}",
    "SCINTEL_MASTER": "{{ var.value.scintel_master }}",
    "SCINTEL_SUBMIT_ARGS": "{{ var.value.get('scintel_submit_args', '') }}",
}


def submit_command(stages: list[str], with_input: bool) -> str:
    """The bash command of one task: spark-submit.sh run STAGE... --only (no Jinja in it). The
    ingest task reads the input incrementally: from a synced OpenAlex snapshot, only the
    updated_date partitions since the last successful run (--since-last-run), MERGEd into bronze."""
    input_arg = ' --input "$SCINTEL_INPUT" --incremental --since-last-run' if with_input else ""
    return (
        f'"$SCINTEL_HOME/spark-submit.sh" run {" ".join(stages)} --only'
        f'{input_arg} --warehouse "$SCINTEL_WAREHOUSE" --conf "$SCINTEL_CONF"'
    )


with DAG(
    dag_id="scintel_nightly",
    description="scintel pipeline: raw OpenAlex + patents -> silver -> quality gate -> gold indicators",
    schedule="30 1 * * *",  # 01:30 UTC, after the nightly corpus delivery
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,  # the pipeline recomputes everything from the current corpus: no backfill
    max_active_runs=1,  # two runs would write the same warehouse tables
    dagrun_timeout=timedelta(hours=12),
    default_args={
        "owner": "scintel",
        "retries": 2,
        "retry_delay": timedelta(minutes=10),
        "retry_exponential_backoff": True,
        "execution_timeout": timedelta(hours=8),
    },
    tags=["scintel", "spark", "delta"],
) as dag:
    previous = None
    for task_id, stages in STAGE_GROUPS.items():
        task = BashOperator(
            task_id=task_id,
            bash_command=submit_command(stages, with_input=task_id == "ingest"),
            env=ENV,
            append_env=True,  # keep PATH, JAVA_HOME, HOME of the worker
        )
        if previous is not None:
            previous >> task
        previous = task
