"""The one place a SparkSession is built, for every job, the CLI and the tests.

Every session gets Delta Lake (SQL extension + catalog) and a checkpoint dir (`checkpoint_dir`
is its one definition; GraphFrames' connected components and every iterative graph job need it),
and, unless the config turns it off, Apache DataFusion Comet (`comet_conf`). In local mode (no
spark-submit around us) it also gets the jars that scripts/resolve_jars.py cached in .jars/
(Delta Lake and GraphFrames, both required; Comet when it is on) and local defaults; under
spark-submit, master, resources and jars are spark-submit's business and nothing here overrides
them.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
from pathlib import Path

from pyspark.sql import SparkSession

from jobs.delta_snapshot import PARQUET_SNAPSHOT_READS
from jobs.errors import ScintelError

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_JARS_DIR = PROJECT_ROOT / ".jars"

DELTA_CONF = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
}

# Kryo instead of Java serialization for whatever Spark serializes as JVM objects: the RDDs under
# GraphX (GraphFrames' labelPropagation ships each vertex's neighbour labels through shuffles and
# persists its result serialized) and cached blocks. DataFrame shuffles keep Spark's (or
# Comet's) own row and Arrow formats either way. Spark's tuning guide recommends Kryo for speed;
# a launcher's own spark.serializer wins.
SERIALIZER_CONF = {"spark.serializer": "org.apache.spark.serializer.KryoSerializer"}

# Derby (Spark's embedded catalog) writes its files here instead of the working directory.
DERBY_HOME_OPTION = "-Dderby.system.home=/tmp/scintel-derby"
# The local JVM's collector and JIT code cache (why: see LOCAL_DEFAULTS).
LOCAL_JVM_OPTIONS = "-XX:ReservedCodeCacheSize=512m -XX:+UseParallelGC"

LOCAL_DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    # AQE merges small shuffle partitions up to this size (Spark's default is 64 MB) but into no
    # fewer than spark.default.parallelism, which local_conf sets to 4 per core (Spark's tuning
    # guide asks for 2-3 tasks per core; local mode's default is 1). At one per core a shuffle can
    # be coalesced into a few more tasks than there are cores (3 on 2 cores), and the last one
    # then runs alone while the other cores idle; at 4 per core that tail is a quarter of one
    # core's share. Coalescing off runs every tiny aggregate as spark.sql.shuffle.partitions
    # tasks and writes a gold table of a few hundred rows as up to that many files.
    # (spark.sql.adaptive.coalescePartitions.minPartitionNum does the same but is deprecated:
    # Spark logs a warning for it at every session start.)
    "spark.sql.adaptive.advisoryPartitionSizeInBytes": "16MB",
    # Local mode is one JVM doing the driver's and the executors' work: batch throughput, no
    # latency target, so the parallel collector (throughput first) rather than the JVM's default
    # G1 (pause times first), for a larger resident heap that the driver memory still caps. The
    # 512 MB JIT code cache: the default 240 MB is enough for one run, but a long session of
    # thousands of short jobs (the test suite) fills a smaller one and the JIT switches itself
    # off. bench/ takes --driver-java-options to compare collectors (docs/benchmarks.md).
    "spark.driver.extraJavaOptions": f"{DERBY_HOME_OPTION} {LOCAL_JVM_OPTIONS}",
    # Joins whose build side is at most 64 MB in every shuffle partition become shuffled hash
    # joins (AQE, at run time): the large side (citation edges, authorships) streams through a
    # hash table of the smaller one (papers) and is not sorted. The bound is per partition, so a
    # bigger corpus with more partitions keeps the same memory bound; AQE picks the hash join only
    # when every partition's build side is under it, so a skewed partition keeps the sort-merge
    # join, which spills instead of holding a hash table too large for memory.
    "spark.sql.adaptive.maxShuffledHashJoinLocalMapThreshold": "64MB",
    # A task writing a partitioned table (papers, authorships and citations by year) keeps up to
    # this many files open at once instead of first sorting its rows by the partition columns;
    # a task that meets more partition values than this sorts the rest, as Spark does by default.
    # Each open file buffers a row group, which Parquet's memory manager scales down when many are
    # open, so the heap bounds it; the sort it avoids holds the task's wide rows (papers' arrays).
    "spark.sql.maxConcurrentOutputFileWriters": "32",
    "spark.databricks.delta.snapshotPartitions": "2",
    "spark.databricks.delta.retentionDurationCheck.enabled": "true",
}


COMET_PLUGIN = "org.apache.spark.CometPlugin"
COMET_SHUFFLE_MANAGER = "org.apache.spark.sql.comet.execution.shuffle.CometShuffleManager"


# Per task: 256 MB spills in chunks large enough to write sequentially, and eight tasks of an
# executor take 2 GB of its off-heap pool at most.
COMET_SHUFFLE_BUFFER_BYTES = 256 * 1024 * 1024

# Comet's native library logs at the level this environment variable names, read once by each
# JVM when it loads the library (Comet's own default is INFO). At INFO its shuffle writer logs a
# line per spill: tens of thousands of lines on stderr in one run of a large aggregation, which
# bury the pipeline's own progress lines. WARN keeps its warnings and errors; a user who sets the
# variable keeps their level.
COMET_LOG_LEVEL_ENV = "COMET_LOG_LEVEL"
COMET_LOG_LEVEL = "WARN"


def comet_log_level() -> str:
    """The native library's log level: the user's COMET_LOG_LEVEL, else WARN."""
    return os.environ.get(COMET_LOG_LEVEL_ENV) or COMET_LOG_LEVEL


def comet_conf(offheap_size: str | None) -> dict[str, str]:
    """The Spark properties that put Comet under a session.

    The plugin plans Spark's physical operators onto native ones where it can and leaves the
    rest to Spark, operator by operator; its shuffle manager moves Arrow batches between native
    stages and hands any other shuffle to Spark's sort shuffle, so it must be the session's
    shuffle manager from the start (a static setting). Comet reserves its memory from Spark's
    off-heap pool, which it requires; with the pool on, Spark's own operators use it too.
    Silver and gold tables are read as Parquet where their snapshot is plain Parquet
    (jobs/delta_snapshot.py), since Comet does not run Delta's own scan.
    """
    conf = {
        "spark.plugins": COMET_PLUGIN,
        "spark.shuffle.manager": COMET_SHUFFLE_MANAGER,
        "spark.memory.offHeap.enabled": "true",
        "spark.comet.enabled": "true",
        "spark.comet.shuffle.enabled": "true",
        # Comet 1.2's native map_from_entries builds maps whose lookups can return another key's
        # value, while the map's entries read back right: sleeping_beauties' year -> citations
        # map gave wrong peaks and totals (caught by the end-to-end test's comparison with Comet
        # off). The projection that builds a map stays on Spark; the rest of the plan is native.
        "spark.comet.expression.MapFromEntries.enabled": "false",
        # Comet's native shuffle writer otherwise buffers a task's whole input until the memory
        # pool refuses an allocation, then spills it all at once; when independent shuffles run
        # side by side (AQE submits a union's or a join's inputs together), each task finds the
        # pool taken and the writes degrade into gigabyte spills. A cap per task makes the
        # writer spill in bounded chunks, its memory known whatever the pool's size and the
        # number of tasks sharing it.
        "spark.comet.shuffle.native.maxBufferBytes": str(COMET_SHUFFLE_BUFFER_BYTES),
        PARQUET_SNAPSHOT_READS: "true",
        # The native log level reaches every JVM that loads Comet: executors through their
        # environment, a driver in cluster deploy mode through YARN's or Kubernetes' driver
        # environment (a local or client-mode driver inherits it: build_session, spark-submit.sh).
        f"spark.executorEnv.{COMET_LOG_LEVEL_ENV}": comet_log_level(),
        f"spark.yarn.appMasterEnv.{COMET_LOG_LEVEL_ENV}": comet_log_level(),
        f"spark.kubernetes.driverEnv.{COMET_LOG_LEVEL_ENV}": comet_log_level(),
    }
    if offheap_size:
        conf["spark.memory.offHeap.size"] = offheap_size
    return conf


class MissingJvmPackage(ScintelError, RuntimeError):
    """A JVM package the job needs is not on the classpath."""


def jars_dir() -> Path:
    return Path(os.environ.get("SCINTEL_JARS_DIR", DEFAULT_JARS_DIR))


def jar_status(directory: Path | None = None) -> dict:
    """What scripts/resolve_jars.py recorded: {name: {coordinate, ok, jars, error?}}."""
    status_file = (directory or jars_dir()) / "status.json"
    if not status_file.exists():
        return {}
    return json.loads(status_file.read_text())


def cached_jars(directory: Path | None = None) -> list[Path]:
    root = directory or jars_dir()
    return sorted(root / name / jar for name, entry in jar_status(root).items() if entry.get("ok") for jar in entry["jars"])


def local_cores(master: str) -> int | None:
    """Worker threads of a local master (local -> 1, local[N] or local[N,F] -> N, local[*] -> all
    cores); None for any other master, whose cores Spark knows better."""
    match = re.fullmatch(r"local(?:\[(\*|\d+)(?:,\d+)?\])?", master.strip())
    if not match:
        return None
    if match.group(1) is None:
        return 1
    if match.group(1) == "*":
        return os.cpu_count() or 1
    return max(1, int(match.group(1)))


def local_conf(master: str) -> dict[str, str]:
    """LOCAL_DEFAULTS for a local master, with spark.default.parallelism at 4 per core (also the
    floor AQE coalesces shuffle partitions to, see LOCAL_DEFAULTS)."""
    conf = {**LOCAL_DEFAULTS, "spark.master": master}
    cores = local_cores(master)
    if cores:
        conf["spark.default.parallelism"] = str(4 * cores)
    return conf


def under_spark_submit() -> bool:
    """spark-submit launches the Python driver with a gateway already running."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def _launcher_conf():
    """The Spark properties spark-submit handed the driver (its --conf and properties file)."""
    from pyspark import SparkConf, SparkContext

    SparkContext._ensure_initialized()
    return SparkConf()


def defaults_not_set_by_launcher(defaults: dict[str, str], launcher_conf) -> dict[str, str]:
    """The config-file defaults the launcher did not set; logs each one the launcher overrides."""
    if launcher_conf is None:
        return dict(defaults)
    kept = {}
    for key, value in defaults.items():
        if launcher_conf.contains(key):
            log.info("%s=%s from spark-submit overrides the config file's %s", key, launcher_conf.get(key), value)
        else:
            kept[key] = value
    return kept


REQUIRED_JVM_PACKAGES = {
    "delta": "io.delta:delta-spark_4.1_2.13",
    "graphframes": "io.graphframes:graphframes-spark4_2.13",
}
COMET_PACKAGE = "org.apache.datafusion:comet-spark-spark4.1_2.13"


def checkpoint_dir(configured: str | None, warehouse_root: str | None) -> str:
    """Where a session checkpoints: the config's spark.checkpoint_dir, else <warehouse>/_checkpoints
    (on the warehouse's file system, so a cluster's executors reach it), else, for commands
    without a warehouse (generate), a folder under the local temp dir."""
    if configured:
        return configured
    if warehouse_root:
        return f"{warehouse_root.rstrip('/')}/_checkpoints"
    return str(Path(tempfile.gettempdir()) / "scintel-checkpoints")


def require_cached_packages(jar_root: Path, *, comet: bool = False) -> None:
    """Local mode runs on the jars setup resolved; a package missing from them stops the session
    before Spark starts, naming its coordinate (nothing stands in for it)."""
    status = jar_status(jar_root)
    required = {**REQUIRED_JVM_PACKAGES, **({"comet": COMET_PACKAGE} if comet else {})}
    missing = [
        status.get(name, {}).get("coordinate", default)
        for name, default in required.items()
        if not status.get(name, {}).get("ok")
    ]
    if missing:
        raise MissingJvmPackage(f"JVM package(s) {', '.join(missing)} not resolved in {jar_root}: run scripts/setup.sh")


def build_session(
    app_name: str = "scintel",
    *,
    master: str | None = None,
    checkpoint: str | None = None,
    extra_conf: dict[str, str] | None = None,
    default_conf: dict[str, str] | None = None,
    comet: bool = True,
    comet_offheap_size: str | None = "4g",
) -> SparkSession:
    """The one SparkSession builder. extra_conf always applies; default_conf (the config file's
    Spark settings) and Comet's settings apply unless spark-submit was already given the key
    (--conf or a properties file): the command line of a submission beats the project's config
    file. checkpoint defaults to `checkpoint_dir(None, None)`: every session has one."""
    builder = SparkSession.builder.appName(app_name)
    conf: dict[str, str] = dict(DELTA_CONF)
    if not under_spark_submit():
        jar_root = jars_dir()
        require_cached_packages(jar_root, comet=comet)
        conf.update(local_conf(master or "local[2]"))
        conf["spark.jars"] = ",".join(str(p) for p in cached_jars(jar_root))
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        if comet:  # the local JVM, launched below, inherits this process's environment
            os.environ[COMET_LOG_LEVEL_ENV] = comet_log_level()
    defaults = {**SERIALIZER_CONF, **(comet_conf(comet_offheap_size) if comet else {}), **(default_conf or {})}
    if defaults:
        conf.update(defaults_not_set_by_launcher(defaults, _launcher_conf() if under_spark_submit() else None))
    conf.update(extra_conf or {})
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    level = os.environ.get("SCINTEL_SPARK_LOG_LEVEL")
    spark.sparkContext.setLogLevel(level or "WARN")
    if not level:
        quiet_window_planning(spark)
    spark.sparkContext.setCheckpointDir(checkpoint or checkpoint_dir(None, None))
    return spark


# Spark's planner logs "No Partition Defined for Window operation! Moving all data to a single
# partition" for every plan holding a window without partition keys, on the driver.
WINDOW_PLANNER_LOGGER = "org.apache.spark.sql.execution.window.WindowExec"


def quiet_window_planning(spark: SparkSession) -> None:
    """Raise the window planner's log level to ERROR in this driver. scintel's windows without
    partition keys rank or number rows that are already aggregated (countries, institutions,
    networks, fronts: jobs/indicators/common.rank_desc and its callers), on one task by design;
    the planner's warning repeats for every plan that holds one, hundreds of lines in a full run,
    each saying that performance may suffer. SCINTEL_SPARK_LOG_LEVEL, when set, leaves every
    logger at that level instead. A driver whose logging is not Log4j 2 (Spark's own) keeps the
    warning: quieting a logger never stops a session from starting."""
    from py4j.protocol import Py4JError

    jvm = spark.sparkContext._jvm
    try:
        log4j = jvm.org.apache.logging.log4j
        log4j.core.config.Configurator.setLevel(WINDOW_PLANNER_LOGGER, log4j.Level.ERROR)
    except Py4JError as err:
        log.debug("window planner warnings stay on: %s", err)


def graphframes_coordinate() -> str:
    entry = jar_status().get("graphframes", {})
    return entry.get("coordinate", REQUIRED_JVM_PACKAGES["graphframes"])


def has_graphframes(spark: SparkSession) -> bool:
    """True when the GraphFrames JVM classes are loadable in this session."""
    jvm = spark.sparkContext._jvm
    try:
        loader = jvm.org.apache.spark.util.Utils.getContextOrSparkClassLoader()
        jvm.java.lang.Class.forName("org.graphframes.GraphFramePythonAPI", True, loader)
        return True
    except Exception:  # py4j raises a Py4JJavaError wrapping ClassNotFoundException
        return False


def require_graphframes(spark: SparkSession) -> None:
    """Fail with the coordinate to add, instead of a ClassNotFoundException deep in a graph job.
    Local sessions always have it (build_session refuses to start without it); a submission to
    a cluster must name it (spark-submit.sh does)."""
    if not has_graphframes(spark):
        raise MissingJvmPackage(
            f"GraphFrames JVM package {graphframes_coordinate()} is not on this session's classpath: "
            "submit with ./spark-submit.sh (it ships the package with --jars or names it with "
            "--packages), or pass it to spark-submit yourself"
        )


def abandon_interrupted_call(spark: SparkSession) -> None:
    """After a signal interrupted this thread in the middle of a py4j call, drop the thread's
    py4j connection: the JVM's answer to the interrupted call is still unread on it, and the
    next call would read that answer as its own. The next call opens a fresh connection; the
    interrupted call's JVM thread finishes (or is cancelled) and its answer goes nowhere."""
    client = spark.sparkContext._gateway._gateway_client
    connection = client.get_thread_connection() if hasattr(client, "get_thread_connection") else None
    if connection is not None:
        connection.close()
