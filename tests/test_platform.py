"""The engines are the real ones: Delta Lake (write, MERGE, time travel) and GraphFrames."""

from __future__ import annotations

import json
import os

import pytest
from pyspark.sql import functions as F

from jobs.session import DELTA_CONF, SERIALIZER_CONF, jar_status


def test_delta_write_merge_and_time_travel(spark, tmp_path):
    from delta.tables import DeltaTable

    path = str(tmp_path / "delta_smoke")
    spark.createDataFrame([(1, "a"), (2, "b")], "id int, v string").write.format("delta").save(path)
    updates = spark.createDataFrame([(2, "B"), (3, "c")], "id int, v string")
    (
        DeltaTable.forPath(spark, path)
        .alias("t")
        .merge(updates.alias("u"), "t.id = u.id")
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .execute()
    )
    now = sorted(map(tuple, spark.read.format("delta").load(path).collect()))
    assert now == [(1, "a"), (2, "B"), (3, "c")]
    before = sorted(map(tuple, spark.read.format("delta").option("versionAsOf", 0).load(path).collect()))
    assert before == [(1, "a"), (2, "b")]
    assert [r.operation for r in DeltaTable.forPath(spark, path).history().orderBy("version").collect()] == ["WRITE", "MERGE"]


def test_session_has_delta_extension(spark):
    for key, value in DELTA_CONF.items():
        assert spark.conf.get(key) == value
    # the Delta jar on the classpath is the pinned one
    delta = jar_status()["delta"]
    assert delta["ok"] and any(j.startswith("delta-spark_4.1_2.13-4.4.0") for j in delta["jars"])


def test_local_jvm_runs_the_parallel_collector_and_a_large_code_cache(spark):
    """LOCAL_DEFAULTS' JVM options reach the local-mode JVM (the tests' session adds none)."""
    jvm = spark.sparkContext._jvm
    collectors = {bean.getName() for bean in jvm.java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()}
    assert collectors == {"PS Scavenge", "PS MarkSweep"}
    args = list(jvm.java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
    assert "-XX:ReservedCodeCacheSize=512m" in args


def test_sessions_serialize_jvm_objects_with_kryo(spark):
    """SERIALIZER_CONF reaches the session, and an RDD shuffle runs under it: a sum by key of 1,000
    numbers over 7 keys. (A Python RDD's records reach the JVM as pickled bytes; GraphX's own
    records, under GraphFrames' label propagation, go through it in the city_subfield tests.)"""
    assert spark.sparkContext.getConf().get("spark.serializer") == SERIALIZER_CONF["spark.serializer"]
    sums = dict(
        spark.sparkContext.parallelize(range(1000), 4).map(lambda x: (x % 7, x)).reduceByKey(lambda a, b: a + b).collect()
    )
    assert sums == {k: sum(x for x in range(1000) if x % 7 == k) for k in range(7)}


def test_local_cores_of_a_master():
    from jobs.session import local_cores

    assert [local_cores(m) for m in ["local", "local[2]", "local[3,2]", "spark://h:7077", "yarn"]] == [1, 2, 3, None, None]
    assert local_cores("local[*]") == (os.cpu_count() or 1)


def test_local_parallelism_is_four_tasks_per_core():
    """The floor AQE coalesces to; the deprecated minPartitionNum (a warning at every start) is not set."""
    from jobs.session import LOCAL_DEFAULTS, local_conf

    conf = local_conf("local[2]")
    assert conf["spark.default.parallelism"] == "8"
    assert conf["spark.master"] == "local[2]"
    assert local_conf("local[3,2]")["spark.default.parallelism"] == "12"
    assert "spark.default.parallelism" not in local_conf("spark://h:7077")
    assert not any("minPartitionNum" in key for key in conf)
    assert conf["spark.sql.adaptive.advisoryPartitionSizeInBytes"] == "16MB"
    assert "spark.master" not in LOCAL_DEFAULTS and "spark.default.parallelism" not in LOCAL_DEFAULTS  # not mutated


def test_a_small_aggregate_is_written_as_one_file(spark, tmp_path):
    """Local mode coalesces shuffle partitions (up to 16 MB each; at least the default parallelism
    when the shuffle is bigger than that many MB). 8 rows in 3 groups over the session's 4 shuffle
    partitions would be up to 3 files uncoalesced; it is one."""
    from jobs.warehouse import Warehouse

    assert spark.conf.get("spark.sql.adaptive.coalescePartitions.enabled") == "true"
    df = spark.createDataFrame([(k % 3, k) for k in range(8)], "key int, v int").groupBy("key").agg(F.sum("v").alias("v"))
    wh = Warehouse(str(tmp_path))
    wh.write(df, "tiny", layer="gold")
    assert len(list((tmp_path / "gold" / "tiny").glob("*.parquet"))) == 1
    assert {r.key: r.v for r in wh.read(spark, "tiny", "gold").collect()} == {0: 0 + 3 + 6, 1: 1 + 4 + 7, 2: 2 + 5}


def test_an_empty_write_is_logged_as_zero_rows(spark, tmp_path, caplog):
    """Delta leaves numOutputRows out of an empty write's commit metrics; the log says 0 rows, not None."""
    import logging

    from jobs.warehouse import Warehouse, written_rows

    wh = Warehouse(str(tmp_path))
    with caplog.at_level(logging.INFO, logger="jobs.warehouse"):
        wh.write(spark.createDataFrame([], "k int"), "empty", layer="silver")
        wh.write(spark.createDataFrame([(1,), (2,), (3,)], "k int"), "three", layer="silver")
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("wrote silver/")]
    assert lines[0].startswith("wrote silver/empty version 0 (0 rows) in ")
    assert lines[1].startswith("wrote silver/three version 0 (3 rows) in ")
    assert written_rows({"numOutputRows": "1234567"}) == "1,234,567 rows"
    assert written_rows({}) == "rows not in the commit metrics"


def test_graphframes_is_on_the_local_classpath(spark):
    from jobs.session import has_graphframes, require_graphframes

    assert has_graphframes(spark)
    require_graphframes(spark)  # no error when the package is there


def test_local_session_refuses_to_start_without_a_required_package(tmp_path):
    """build_session checks .jars/status.json before starting Spark: a package missing there stops
    it with the coordinate, whatever else was resolved."""

    from jobs.session import MissingJvmPackage, require_cached_packages

    (tmp_path / "status.json").write_text(
        json.dumps(
            {
                "delta": {"coordinate": "io.delta:delta-spark_4.1_2.13:4.4.0", "ok": True, "jars": []},
                "graphframes": {"coordinate": "io.graphframes:graphframes-spark4_2.13:0.11.0", "ok": False, "jars": []},
            }
        )
    )
    with pytest.raises(MissingJvmPackage, match=r"io\.graphframes:graphframes-spark4_2\.13:0\.11\.0"):
        require_cached_packages(tmp_path)
    (tmp_path / "status.json").write_text("{}")
    with pytest.raises(MissingJvmPackage, match=r"io\.delta:delta-spark_4\.1_2\.13, io\.graphframes"):
        require_cached_packages(tmp_path)


def test_comet_is_required_only_when_on(tmp_path):
    from jobs.session import MissingJvmPackage, require_cached_packages

    entry = {"ok": True, "jars": []}
    (tmp_path / "status.json").write_text(json.dumps({"delta": entry, "graphframes": entry}))
    require_cached_packages(tmp_path, comet=False)
    with pytest.raises(MissingJvmPackage, match=r"org\.apache\.datafusion:comet-spark-spark4\.1_2\.13"):
        require_cached_packages(tmp_path, comet=True)


def test_comet_conf_names_the_plugin_shuffle_manager_and_pool():
    from jobs.delta_snapshot import PARQUET_SNAPSHOT_READS
    from jobs.session import comet_conf

    conf = comet_conf("3g")
    assert conf["spark.plugins"] == "org.apache.spark.CometPlugin"
    assert conf["spark.shuffle.manager"] == "org.apache.spark.sql.comet.execution.shuffle.CometShuffleManager"
    assert (conf["spark.memory.offHeap.enabled"], conf["spark.memory.offHeap.size"]) == ("true", "3g")
    assert conf[PARQUET_SNAPSHOT_READS] == "true"
    assert conf["spark.comet.shuffle.native.maxBufferBytes"] == str(256 * 1024 * 1024)
    # No size: the launcher's spark.memory.offHeap.size applies.
    assert "spark.memory.offHeap.size" not in comet_conf(None)


def test_comet_native_logs_warnings_unless_the_user_sets_a_level(spark, monkeypatch):
    """Comet's native library reads COMET_LOG_LEVEL from its JVM's environment: WARN by default
    in the local JVM (the test session's, built by build_session) and in the executors' and a
    cluster-mode driver's environment; a level the user set is passed on unchanged."""
    from jobs.session import comet_conf

    # The running local JVM was started with the level in its environment (WARN unless the
    # environment that ran the tests named one).
    launched = spark.sparkContext._jvm.System.getenv("COMET_LOG_LEVEL")
    assert launched is not None and launched == os.environ["COMET_LOG_LEVEL"]
    monkeypatch.delenv("COMET_LOG_LEVEL", raising=False)
    for key in ("spark.executorEnv", "spark.yarn.appMasterEnv", "spark.kubernetes.driverEnv"):
        assert comet_conf(None)[f"{key}.COMET_LOG_LEVEL"] == "WARN"
    monkeypatch.setenv("COMET_LOG_LEVEL", "debug")
    assert comet_conf(None)["spark.executorEnv.COMET_LOG_LEVEL"] == "debug"


def test_every_session_has_a_checkpoint_dir(spark, tmp_path):
    from jobs.session import checkpoint_dir

    assert spark.sparkContext.getCheckpointDir()  # the test session's, from conftest
    assert checkpoint_dir("s3a://bucket/ckpt", "s3a://bucket/wh") == "s3a://bucket/ckpt"
    assert checkpoint_dir(None, "s3a://bucket/wh/") == "s3a://bucket/wh/_checkpoints"
    assert checkpoint_dir(None, None).endswith("scintel-checkpoints")


def test_spark_submit_conf_beats_the_config_file_defaults():
    from pyspark import SparkConf

    from jobs.session import defaults_not_set_by_launcher

    defaults = {"spark.sql.shuffle.partitions": "8", "spark.driver.memory": "6g"}
    # Local mode (no launcher): the config file's values apply.
    assert defaults_not_set_by_launcher(defaults, None) == defaults
    # spark-submit --conf spark.sql.shuffle.partitions=400: that key is left to the launcher.
    launcher = SparkConf(loadDefaults=False).set("spark.sql.shuffle.partitions", "400")
    assert defaults_not_set_by_launcher(defaults, launcher) == {"spark.driver.memory": "6g"}


def test_window_planner_warnings_are_quiet_and_the_rest_stay(spark):
    """The session built for the tests (build_session, SCINTEL_SPARK_LOG_LEVEL unset) logs the
    window planner's messages at ERROR only; every other logger keeps the WARN level."""
    if os.environ.get("SCINTEL_SPARK_LOG_LEVEL"):
        pytest.skip("SCINTEL_SPARK_LOG_LEVEL is set: every logger runs at that level")
    log4j = spark.sparkContext._jvm.org.apache.logging.log4j
    window = log4j.LogManager.getLogger("org.apache.spark.sql.execution.window.WindowExec")
    assert window.getLevel().toString() == "ERROR"
    assert not window.isWarnEnabled()
    other = log4j.LogManager.getLogger("org.apache.spark.sql.execution.aggregate.HashAggregateExec")
    assert other.getLevel().toString() == "WARN"
