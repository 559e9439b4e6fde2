"""`scintel maintain`: retention properties, OPTIMIZE with Z-order, VACUUM, on a hand-built warehouse
whose files are counted before and after."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobs import audit, cli
from jobs import config as cfg
from jobs.frames import differing_rows
from jobs.maintain import maintain
from jobs.warehouse import TableNotFound, Warehouse
from tests.delta_log import added_file_stats

AUTHORSHIPS = "paper_id string, author_id string, author_order int"
COUNTS = "country string, papers long"


def _data_files(path: Path) -> list[Path]:
    return [p for p in path.rglob("*.parquet") if "_delta_log" not in p.parts]


def _build(spark, root: Path) -> Warehouse:
    """silver/authorships written three times in 4 files each (12 files, 3 versions); gold
    demo_counts written twice in 2 files each."""
    warehouse = Warehouse(str(root))
    for version in range(3):
        rows = [(f"W{p}", f"A{(p * 7 + version) % 13}", a) for p in range(40) for a in range(1, 3)]
        warehouse.write(spark.createDataFrame(rows, AUTHORSHIPS).repartition(4), "authorships")
    for papers in (5, 6):
        warehouse.write(spark.createDataFrame([("US", papers), ("CN", 4)], COUNTS).repartition(2), "demo_counts", layer="gold")
    return warehouse


def test_optimize_zorders_and_vacuum_removes_what_no_version_needs(spark, tmp_path):
    warehouse = _build(spark, tmp_path / "wh")
    authorships = tmp_path / "wh" / "silver" / "authorships"
    assert len(_data_files(authorships)) == 12
    before = warehouse.read(spark, "authorships").localCheckpoint()
    config = cfg.from_dict({"maintenance": {"file_retention_hours": 0, "log_retention_days": 9}})

    done = {t.table: t for t in maintain(spark, warehouse, config)}

    assert set(done) == {"silver/authorships", "gold/demo_counts"}
    a = done["silver/authorships"]
    # 12 files on disk; OPTIMIZE rewrote the current 4 into 1; VACUUM (retention 0) left that one.
    assert (a.files_before, a.files_removed_by_optimize, a.files_added_by_optimize, a.files_after) == (12, 4, 1, 1)
    assert a.bytes_after < a.bytes_before and a.zorder == ("author_id", "paper_id")
    assert len(_data_files(authorships)) == 1
    d = done["gold/demo_counts"]
    assert (d.files_before, d.files_removed_by_optimize, d.files_added_by_optimize, d.files_after) == (4, 2, 1, 1)
    assert d.zorder == ()
    # Same rows as before, the Z-order recorded in the table's history, the retention set.
    assert differing_rows(warehouse.read(spark, "authorships"), before).count() == 0
    from delta.tables import DeltaTable

    ops = DeltaTable.forPath(spark, str(authorships)).history().collect()
    optimize = [r for r in ops if r["operation"] == "OPTIMIZE"]
    assert len(optimize) == 1 and optimize[0]["operationParameters"]["zOrderBy"] == '["author_id","paper_id"]'
    assert [r["operation"] for r in warehouse.history(spark, "authorships").collect()][:2] == ["VACUUM END", "VACUUM START"]
    properties = spark.sql(f"DESCRIBE DETAIL delta.`{authorships}`").first()["properties"]
    assert properties["delta.logRetentionDuration"] == "interval 9 days"
    assert properties["delta.deletedFileRetentionDuration"] == "interval 0 hours"
    # Z-ordered by its keys, it keeps statistics on them only: the file OPTIMIZE wrote has none other.
    assert properties["delta.dataSkippingStatsColumns"] == "author_id,paper_id"
    (added,) = added_file_stats(authorships, optimize[0]["version"])
    assert set(added["minValues"]) == {"author_id", "paper_id"}
    assert (
        "delta.dataSkippingStatsColumns"
        not in spark.sql(f"DESCRIBE DETAIL delta.`{tmp_path / 'wh' / 'gold' / 'demo_counts'}`").first()["properties"]
    )


def test_bronze_deletion_vectors_are_purged(spark, tmp_path):
    """A nightly MERGE into bronze marks the rows it replaces and deletes with deletion vectors
    instead of rewriting their file; maintain rewrites that file once without them, and the table
    reads as plain Parquet again, with the same rows."""
    from delta.tables import DeltaTable

    from jobs.delta_snapshot import plan_read
    from jobs.ingest import bronze

    warehouse = Warehouse(str(tmp_path / "wh"))
    rows = [(f"W{i}", f"title {i}", "2026-01-01") for i in range(1, 11)]
    schema = "id string, title string, updated_date string"
    records = spark.createDataFrame(rows, schema).coalesce(1)
    bronze.land(spark, warehouse, "works", records, incremental=False)
    # The night's delivery: W3 revised, W11 new, W7 deleted (merged away).
    delivery = spark.createDataFrame([("W3", "revised", "2026-02-01"), ("W11", "new", "2026-02-01")], schema)
    removed = spark.createDataFrame([("W7",)], "id string")
    landing = bronze.land(spark, warehouse, "works", delivery, incremental=True, removed_ids_df=removed)
    # 1 inserted, 1 updated, 1 deleted; none of the other 8 rows copied: the old file stays, and
    # one vector hides W3's old row and W7.
    m = landing.metrics
    assert (m["numTargetRowsInserted"], m["numTargetRowsUpdated"], m["numTargetRowsDeleted"]) == (1, 1, 1)
    assert m["numTargetRowsCopied"] == 0 and m["numTargetDeletionVectorsAdded"] == 1
    path = warehouse.path("works", "bronze")
    assert plan_read(spark, path).reason == "deletion vectors in use"
    expected = [(f"W{i}", "revised" if i == 3 else "new" if i == 11 else f"title {i}") for i in range(1, 12) if i != 7]

    # OPTIMIZE leaves every file alone here (each counts as large, and none as deleted enough to
    # compact), as it leaves a real bronze's 1 GB files with a night's few marked rows: the purge
    # must rewrite the marked file itself.
    settings = {"spark.databricks.delta.optimize.minFileSize": "1", "spark.databricks.delta.optimize.maxDeletedRowsRatio": "1.0"}
    for key, value in settings.items():
        spark.conf.set(key, value)
    try:
        maintain(spark, warehouse, cfg.from_dict({"maintenance": {"file_retention_hours": 0}}), only=["bronze/works"])
    finally:
        for key in settings:
            spark.conf.unset(key)

    assert plan_read(spark, path).reason is None
    ops = [r["operation"] for r in DeltaTable.forPath(spark, path).history().collect()]
    assert "REORG" in ops
    assert sorted(warehouse.read(spark, "works", "bronze").select("id", "title").collect()) == sorted(expected)


def test_vacuum_lists_files_with_a_task_per_core(spark, tmp_path):
    """Delta's VACUUM lists a table in a job of spark.sql.sources.parallelPartitionDiscovery
    .parallelism tasks (10,000 by default, whatever the table's size); maintain runs it with the
    session's cores instead, and leaves the session's setting as it found it."""
    from delta.tables import DeltaTable

    from jobs.maintain import DISCOVERY_PARALLELISM, _vacuum

    warehouse = _build(spark, tmp_path / "wh")
    spark.conf.unset(DISCOVERY_PARALLELISM)
    context = spark.sparkContext
    context.setJobGroup("scintel-test-vacuum", "VACUUM of a small table")
    try:
        _vacuum(spark, DeltaTable.forPath(spark, warehouse.path("authorships")), 0)
    finally:
        context.setLocalProperty("spark.jobGroup.id", None)
    tracker = context.statusTracker()
    stages = [s for j in tracker.getJobIdsForGroup("scintel-test-vacuum") for s in tracker.getJobInfo(j).stageIds]
    tasks = max(tracker.getStageInfo(s).numTasks for s in stages if tracker.getStageInfo(s) is not None)
    # the widest stage: the listing (a task per core) or a shuffle (the session's partitions)
    assert tasks <= max(context.defaultParallelism, int(spark.conf.get("spark.sql.shuffle.partitions")))
    assert spark.conf.get(DISCOVERY_PARALLELISM) == "10000"  # Spark's default again


def test_the_default_retention_keeps_recent_versions_files(spark, tmp_path):
    warehouse = _build(spark, tmp_path / "wh")
    done = {t.table: t for t in maintain(spark, warehouse, cfg.load(), only=["authorships"])}
    a = done["silver/authorships"]
    # Nothing is older than 168 hours: VACUUM deletes nothing, OPTIMIZE added its file.
    assert (a.files_before, a.files_after) == (12, 13)
    assert warehouse.read_version(spark, "authorships", 0).count() == 80  # time travel still works


def test_cli_maintain_prints_the_effect_and_respects_the_lock(spark, tmp_path, capsys):
    warehouse = _build(spark, tmp_path / "wh")
    conf = tmp_path / "short-retention.yaml"
    conf.write_text("maintenance: {file_retention_hours: 0}\n")
    capsys.readouterr()
    assert cli.main(["maintain", "--warehouse", warehouse.root, "--conf", str(conf)]) == 0
    out = capsys.readouterr().out
    assert f"maintained 2 tables of {warehouse.root}: 16 files" in out and "-> 2 files" in out
    assert "silver/authorships: 12 files" in out and "Z-order author_id,paper_id" in out
    assert not (tmp_path / "wh" / "_lock").exists()

    holder = audit.WarehouseLock(warehouse.root, "a-running-run")
    holder.acquire(spark)
    try:
        assert cli.main(["maintain", "--warehouse", warehouse.root]) == 5
        assert "a-running-run" in capsys.readouterr().err
    finally:
        holder.release(spark)


def test_unknown_table_is_named(spark, tmp_path):
    warehouse = _build(spark, tmp_path / "wh")
    with pytest.raises(TableNotFound, match="nope"):
        maintain(spark, warehouse, cfg.load(), only=["nope"])
