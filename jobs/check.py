"""`scintel check`: does this Spark (local or a cluster) run scintel's engines end to end?

One small job per engine, on the executors, with a known answer:
- Delta Lake: a generated edge list is written as a Delta table under <warehouse>/_check/ and
  read back (version and row count checked);
- GraphFrames: connected components of that edge list, read from Delta, in the session's
  checkpoint dir. The graph is N_VERTICES vertices in chains of CHAIN: edges i -> i+1 inside each
  chain, so the component of vertex i is i - i % CHAIN and there are N_VERTICES / CHAIN of them.
  The result is written back to Delta and compared on the executors: only counts reach the driver.
- Python: the interpreter the executors' Python workers run (version and prefix), so a packed
  environment (scripts/pack_env.py, SCINTEL_PYTHON_ENV) is seen in use;
- Comet, when the session has it: the components table read as scintel reads tables
  (jobs/delta_snapshot.py) and counted per component; the answer must be right and the plan's
  scan, aggregation and shuffle native. Comet switches itself off when its native library does
  not load on a platform, and that is reported here instead of running silently on Spark alone.
"""

from __future__ import annotations

import logging
import time

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from jobs.errors import ScintelError
from jobs.graph import connected_components, graph_frame

log = logging.getLogger(__name__)

N_VERTICES = 10_000
CHAIN = 10


class CheckFailed(ScintelError, RuntimeError):
    """An engine ran but gave a wrong answer."""


def run_check(spark: SparkSession, warehouse_root: str) -> dict[str, dict]:
    base = f"{warehouse_root.rstrip('/')}/_check"
    results: dict[str, dict] = {}

    started = time.monotonic()
    vertices = spark.range(N_VERTICES)
    edges = vertices.where((F.col("id") + 1) % CHAIN != 0).select(F.col("id").alias("src"), (F.col("id") + 1).alias("dst"))
    edges.write.format("delta").mode("overwrite").save(f"{base}/edges")
    stored = spark.read.format("delta").load(f"{base}/edges")
    expected_edges = N_VERTICES - N_VERTICES // CHAIN
    edge_count = stored.count()
    if edge_count != expected_edges:
        raise CheckFailed(f"Delta Lake: read back {edge_count} edges from {base}/edges, wrote {expected_edges}")
    results["delta"] = {"rows": edge_count, "seconds": round(time.monotonic() - started, 1)}

    started = time.monotonic()
    components = connected_components(graph_frame(vertices, stored))
    components.write.format("delta").mode("overwrite").save(f"{base}/components")
    components.unpersist()
    check = (
        spark.read.format("delta")
        .load(f"{base}/components")
        .agg(
            F.count("*").alias("vertices"),
            F.countDistinct("component").alias("components"),
            F.sum((F.col("component") != F.col("id") - F.col("id") % CHAIN).cast("int")).alias("misplaced"),
        )
        .first()
    )
    if (check["vertices"], check["components"], check["misplaced"]) != (N_VERTICES, N_VERTICES // CHAIN, 0):
        raise CheckFailed(
            f"GraphFrames: {check['vertices']} vertices in {check['components']} components with "
            f"{check['misplaced']} misplaced; expected {N_VERTICES} in {N_VERTICES // CHAIN}, none misplaced"
        )
    results["graphframes"] = {"components": check["components"], "seconds": round(time.monotonic() - started, 1)}
    results["comet"] = _check_comet(spark, f"{base}/components")
    results["python"] = _check_python(spark)
    return results


def _executor_python(_) -> tuple[str, str]:
    import platform
    import sys

    return platform.python_version(), sys.prefix


def _check_python(spark: SparkSession) -> dict:
    """The Python the executors' Python workers run (a packed environment shipped with
    --archives shows up here under its unpacked folder), from one small task per slot: the
    one (version, prefix) pair per task reaches the driver. This check is the one place scintel runs
    Python on the executors: the jobs run as Spark plans."""
    slots = max(1, spark.sparkContext.defaultParallelism)
    found = sorted(set(spark.sparkContext.parallelize(range(slots), slots).map(_executor_python).collect()))
    return {"interpreters": [{"version": v, "prefix": p} for v, p in found]}


COMET_OPERATORS = ("CometNativeScan", "CometHashAggregate", "CometExchange")


def _check_comet(spark: SparkSession, components_path: str) -> dict:
    from jobs.delta_snapshot import read_table
    from jobs.session import COMET_PLUGIN

    if COMET_PLUGIN not in spark.conf.get("spark.plugins", "") or spark.conf.get("spark.comet.enabled", "false") != "true":
        return {"enabled": False}
    started = time.monotonic()
    sizes = read_table(spark, components_path).groupBy("component").count()
    plan = sizes._jdf.queryExecution().executedPlan().toString()
    missing = [name for name in COMET_OPERATORS if name not in plan]
    if missing:
        raise CheckFailed(
            f"Comet is configured but did not run {', '.join(missing)} natively (its native library may not load on "
            "this platform: see the driver log); set `spark: {comet: false}` to run on Spark alone"
        )
    wrong = sizes.where(F.col("count") != CHAIN).count()
    if wrong:
        raise CheckFailed(f"Comet: {wrong} components without {CHAIN} vertices")
    return {"enabled": True, "operators": list(COMET_OPERATORS), "seconds": round(time.monotonic() - started, 1)}
