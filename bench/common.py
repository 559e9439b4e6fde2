"""What the benchmark scripts share: the Spark session, the machine, per-stage Spark metrics from
the UI's REST API, bare scans of stage inputs, and writing results as JSON + Markdown.

Only aggregated numbers reach the driver: row counts (from Delta statistics), per-stage sums.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from pyspark.sql import SparkSession

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jobs import config as cfg  # noqa: E402
from jobs.cli import session_for  # noqa: E402
from jobs.session import DERBY_HOME_OPTION  # noqa: E402
from schemas.raw import RAW_AUTHOR, RAW_INSTITUTION, RAW_PATENT, RAW_WORK  # noqa: E402

log = logging.getLogger("bench")

# The tables each pipeline stage reads from earlier stages (re-reads of its own output are not
# inputs). Raw inputs are "raw:<entity>".
STAGE_INPUTS = {
    "ingest_openalex": ["raw:works", "raw:authors", "raw:institutions"],
    "ingest_patents": ["raw:patents"],
    "quality_silver": [
        "silver:papers",
        "silver:authorships",
        "silver:citations",
        "silver:institutions",
        "silver:authors",
        "silver:author_affiliation_years",
        "silver:patents",
        "silver:patent_assignees",
    ],
    "output_impact": ["silver:papers", "silver:citations", "silver:authorships", "silver:institutions"],
    "top_cited": ["gold:paper_citations", "silver:authorships", "silver:institutions"],
    "golden_cross": ["gold:output_by_country_year", "gold:top_cited_by_country_year"],
    "patents": ["silver:patents", "silver:patent_assignees"],
    "talent": [
        "silver:papers",
        "silver:citations",
        "silver:authorships",
        "silver:author_affiliation_years",
        "silver:institutions",
        "silver:authors",
    ],
    "institution_h5": ["gold:paper_citations", "silver:authorships", "silver:institutions"],
    "research_fronts": [
        "gold:top_cited_papers",
        "silver:citations",
        "silver:papers",
        "gold:paper_yearly_citations",
        "silver:authorships",
        "silver:patents",
        "silver:patent_assignees",
    ],
    "sleeping_beauties": ["gold:top_cited_papers", "gold:paper_yearly_citations"],
    "talent_flow": ["silver:author_affiliation_years", "silver:institutions"],
    "collaboration": ["silver:authorships", "gold:top_cited_papers", "gold:paper_citations"],
    "city_subfield": ["gold:paper_citations", "silver:papers", "silver:authorships", "silver:institutions"],
    "topic_lens": [
        "gold:paper_citations",
        "silver:papers",
        "silver:authorships",
        "gold:top_cited_papers",
        "silver:patents",
        "silver:patent_assignees",
    ],
    "top_teams": ["gold:institution_h5", "gold:scholar_h_index", "silver:authorships", "silver:papers"],
}
RAW_SCHEMAS = {"works": RAW_WORK, "authors": RAW_AUTHOR, "institutions": RAW_INSTITUTION, "patents": RAW_PATENT}


def add_run_arguments(parser) -> None:
    """The flags bench/pipeline.py and bench/nightly.py share."""
    parser.add_argument("--work", default="/tmp/scintel-bench", help="corpora and warehouses go under WORK/<size>/")
    parser.add_argument("--conf", default=None, help="scintel config (default conf/local.yaml)")
    parser.add_argument("--driver-memory", default="16g", help="local-mode JVM heap (default 16g of this machine's 24 GB)")
    parser.add_argument("--shuffle-partitions", type=int, default=None, help="default: the config's")
    parser.add_argument(
        "--comet",
        choices=["on", "off"],
        default=None,
        help="run with Apache DataFusion Comet or plain Spark (default: the config's spark.comet); results "
        "files of a Comet run end in -comet",
    )
    parser.add_argument("--comet-offheap", default=None, help="Comet's off-heap pool (default: the config's, 4g)")
    parser.add_argument(
        "--spark-conf",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an extra Spark property (repeatable), e.g. spark.comet.explain.fallback.log.enabled=true",
    )
    parser.add_argument(
        "--results",
        default=str(ROOT / "bench" / "results"),
        help="where the JSON and Markdown results go (default bench/results)",
    )
    parser.add_argument(
        "--driver-java-options",
        default=None,
        help="the local-mode JVM's options instead of scintel's (jobs/session.py LOCAL_DEFAULTS: the "
        "parallel collector, a 512 MB code cache); e.g. --driver-java-options=-XX:+UseG1GC (with '=': the value starts with a dash) to compare collectors",
    )


def run_flags(args) -> list[str]:
    """add_run_arguments' engine flags as given, for a bench process that starts another."""
    flags = ["--comet", args.comet] if args.comet else []
    flags += ["--comet-offheap", args.comet_offheap] if args.comet_offheap else []
    for item in args.spark_conf:
        flags += ["--spark-conf", item]
    return flags


def engine_suffix(comet: bool) -> str:
    """Results of a run with Comet are named <name>-comet; plain Spark's keep the plain name."""
    return "-comet" if comet else ""


def size_label(papers: int) -> str:
    for unit, name in ((1_000_000, "m"), (1_000, "k")):
        if papers >= unit and papers % unit == 0:
            return f"{papers // unit}{name}"
    return str(papers)


def setup_logging() -> None:
    """The CLI's logging: the bench logs read like a `scintel run`'s, without GE's own chatter."""
    from jobs.cli import setup_logging as cli_logging

    cli_logging()


def session(args, app: str, warehouse: str) -> tuple[SparkSession, cfg.Config]:
    """The pipeline's own session (jobs/cli.py) with the Spark UI on, so its REST API can report
    shuffle bytes per stage (the UI is off in plain local runs), and add_run_arguments' flags."""
    config = cfg.load(args.conf)
    if args.comet is not None or args.comet_offheap is not None:
        spark_settings = config.spark.model_copy(
            update={
                "comet": config.spark.comet if args.comet is None else args.comet == "on",
                "comet_offheap_size": args.comet_offheap or config.spark.comet_offheap_size,
            }
        )
        config = config.model_copy(update={"spark": spark_settings})
    driver_memory, shuffle_partitions, java_options = args.driver_memory, args.shuffle_partitions, args.driver_java_options
    extra = {
        "spark.ui.enabled": "true",
        "spark.ui.retainedJobs": "100000",
        "spark.ui.retainedStages": "100000",
        "spark.ui.retainedTasks": "10000",
        "spark.sql.ui.retainedExecutions": "50",
    }
    if driver_memory:
        extra["spark.driver.memory"] = driver_memory
    if shuffle_partitions:
        extra["spark.sql.shuffle.partitions"] = str(shuffle_partitions)
    if java_options:
        extra["spark.driver.extraJavaOptions"] = f"{DERBY_HOME_OPTION} {java_options}"
    for item in args.spark_conf:
        key, _, value = item.partition("=")
        extra[key] = value
    return session_for(config, app, warehouse, extra_conf=extra), config


def machine(spark: SparkSession | None) -> dict:
    """This machine, and the session's master, heap and shuffle partitions when given one."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    from importlib.metadata import version

    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "java": java[0] if java else None,
        "pyspark": version("pyspark"),
        "delta_spark": version("delta-spark"),
        "spark_master": spark.sparkContext.master if spark else None,
        "driver_memory": spark.conf.get("spark.driver.memory", None) if spark else None,
        "shuffle_partitions": int(spark.conf.get("spark.sql.shuffle.partitions")) if spark else None,
        "driver_java_options": spark.conf.get("spark.driver.extraJavaOptions", None) if spark else None,
        "comet": spark.conf.get("spark.comet.enabled", "false") == "true" if spark else None,
        "offheap": spark.conf.get("spark.memory.offHeap.size", None) if spark else None,
    }


def jvm_peak_rss_mb(spark: SparkSession) -> float | None:
    """Peak resident memory of the JVM (driver and executors are one JVM in local mode)."""
    for line in Path(f"/proc/{_jvm_pid(spark)}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def reset_jvm_peak_rss(spark: SparkSession) -> None:
    """Start jvm_peak_rss_mb's peak afresh (Linux: 5 to /proc/PID/clear_refs resets VmHWM)."""
    Path(f"/proc/{_jvm_pid(spark)}/clear_refs").write_text("5")


def _jvm_pid(spark: SparkSession) -> int:
    return spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()


def _rest(spark: SparkSession, path: str):
    url = f"{spark.sparkContext.uiWebUrl}/api/v1/applications/{spark.sparkContext.applicationId}/{path}"
    with urllib.request.urlopen(url, timeout=120) as response:
        return json.load(response)


def spark_metrics_by_stage(spark: SparkSession) -> dict[str, dict]:
    """Sum of Spark stage metrics per pipeline stage, from the job group jobs/pipeline.py sets."""
    stage_group = {}
    for job in _rest(spark, "jobs"):
        group = (job.get("jobGroup") or "").removeprefix("scintel:")
        for stage_id in job.get("stageIds", []):
            stage_group.setdefault(stage_id, group)
    totals: dict[str, dict] = {}
    for stage in _rest(spark, "stages"):
        if stage.get("status") != "COMPLETE" or stage["stageId"] not in stage_group:
            continue
        sums = totals.setdefault(
            stage_group[stage["stageId"]],
            {
                "spark_stages": 0,
                "tasks": 0,
                "input_bytes": 0,
                "shuffle_read_bytes": 0,
                "shuffle_write_bytes": 0,
                "spill_disk_bytes": 0,
                "executor_run_seconds": 0.0,
            },
        )
        sums["spark_stages"] += 1
        sums["tasks"] += stage.get("numCompleteTasks", 0)
        sums["input_bytes"] += stage.get("inputBytes", 0)
        sums["shuffle_read_bytes"] += stage.get("shuffleReadBytes", 0)
        sums["shuffle_write_bytes"] += stage.get("shuffleWriteBytes", 0)
        sums["spill_disk_bytes"] += stage.get("diskBytesSpilled", 0)
        sums["executor_run_seconds"] += stage.get("executorRunTime", 0) / 1000
    return totals


def scan_inputs(spark: SparkSession, input_dir: str, warehouse: str) -> dict[str, dict]:
    """Seconds and rows of a bare scan of every stage input: the table read in full (all columns)
    into Spark's noop sink. Run after the pipeline, so the files are in the OS cache as they were
    for the stage that read them most recently."""
    from pyspark.sql import functions as F

    scans = {}
    for name in sorted({t for inputs in STAGE_INPUTS.values() for t in inputs}):
        layer, table = name.split(":")
        if layer == "raw":
            path = Path(input_dir) / table
            if not path.exists():
                continue
            df = spark.read.schema(RAW_SCHEMAS[table]).json(str(path))
        else:
            path = Path(warehouse) / layer / table
            if not (path / "_delta_log").is_dir():
                continue
            df = spark.read.format("delta").load(str(path))
        started = time.monotonic()
        df.write.format("noop").mode("overwrite").save()
        seconds = time.monotonic() - started
        rows = df.agg(F.count(F.lit(1))).first()[0]
        scans[name] = {"seconds": round(seconds, 2), "rows": rows}
        log.info("scan %s: %d rows in %.1fs", name, rows, seconds)
    return scans


def table_rows(spark: SparkSession, warehouse: str, layer: str, table: str, version: int) -> int:
    """Rows of one Delta table version (answered from the Delta log's file statistics)."""
    return spark.read.format("delta").option("versionAsOf", version).load(f"{warehouse}/{layer}/{table}").count()


def stage_rows(spark: SparkSession, warehouse: str, name: str, stage: dict) -> dict:
    layer = "silver" if name.startswith("ingest_") else "gold"
    return {table: table_rows(spark, warehouse, layer, table, version) for table, version in stage.get("versions", {}).items()}


def fmt_bytes(n: float | None) -> str:
    if n is None:
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


def fmt_int(n: int | None) -> str:
    return "" if n is None else f"{n:,}"


def write_results(results_dir: str, name: str, data: dict, markdown: str) -> tuple[Path, Path]:
    out = Path(results_dir)
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / f"{name}.json", out / f"{name}.md"
    json_path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    md_path.write_text(markdown)
    return json_path, md_path


def machine_markdown(m: dict) -> str:
    return (
        f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB RAM, {m['os']}; {m['java']}; "
        f"pyspark {m['pyspark']}, delta-spark {m['delta_spark']}; master {m['spark_master']}, "
        f"driver memory {m['driver_memory']}, {m['shuffle_partitions']} shuffle partitions"
        + (f"; JVM options `{m['driver_java_options']}`" if m.get("driver_java_options") else "")
        + ".\n"
    )
