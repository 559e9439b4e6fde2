"""Reading Delta snapshots as Parquet (jobs/delta_snapshot.py): the same rows, columns and types
as Delta's own read where the snapshot is plain Parquet, and Delta's read wherever it is not."""

from __future__ import annotations

import pytest
from chispa import assert_df_equality

from jobs.delta_snapshot import PARQUET_SNAPSHOT_READS, plan_read, read_table

ROWS = [(1, "a", 2015), (2, "b", 2015), (3, None, 2016), (4, "d", None), (5, "e", 2016)]
SCHEMA = "id long, name string, year int"


@pytest.fixture
def snapshot_reads(spark):
    before = spark.conf.get(PARQUET_SNAPSHOT_READS, "false")
    spark.conf.set(PARQUET_SNAPSHOT_READS, "true")
    yield
    spark.conf.set(PARQUET_SNAPSHOT_READS, before)


def _delta(spark, path):
    return spark.read.format("delta").load(path)


def _scan(df) -> str:
    """The physical plan: its scan names the file index (Delta's, or a plain list of files)."""
    return df._jdf.queryExecution().executedPlan().toString()


def test_partitioned_table_reads_as_parquet_with_the_tables_columns(spark, tmp_path, snapshot_reads):
    path = str(tmp_path / "t")
    # Columns in a different order than the files hold them: the partition column is stored in
    # the folder names, not in the files; the null year goes to __HIVE_DEFAULT_PARTITION__.
    spark.createDataFrame(ROWS, SCHEMA).coalesce(1).write.format("delta").partitionBy("year").save(path)
    read = plan_read(spark, path)
    assert read.reason is None and read.partitions == ("year",)
    assert len(read.files) == 3  # one file per year: 2015, 2016, null
    df = read_table(spark, path)
    assert "InMemoryFileIndex" in _scan(df) and "DeltaFileIndex" not in _scan(df)
    assert df.schema == _delta(spark, path).schema
    assert_df_equality(df, _delta(spark, path), ignore_row_order=True)
    assert df.where("year IS NULL").select("id").collect() == [(4,)]


def test_the_pinned_versions_files_only(spark, tmp_path, snapshot_reads):
    path = str(tmp_path / "t")
    spark.createDataFrame(ROWS, SCHEMA).write.format("delta").save(path)
    spark.createDataFrame(ROWS[:2], SCHEMA).write.format("delta").mode("overwrite").save(path)
    read = plan_read(spark, path)
    assert read.version == 1 and read.reason is None and len(read.files) >= 1
    # The first version's files are still on disk but no longer live.
    assert sorted(r.id for r in read_table(spark, path).collect()) == [1, 2]


def test_deletion_vectors_read_through_delta(spark, tmp_path, snapshot_reads):
    path = str(tmp_path / "t")
    spark.createDataFrame(ROWS, SCHEMA).coalesce(1).write.format("delta").save(path)
    spark.sql(f"ALTER TABLE delta.`{path}` SET TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')")
    spark.sql(f"DELETE FROM delta.`{path}` WHERE id = 2")
    read = plan_read(spark, path)
    assert read.reason == "deletion vectors in use"
    # The deleted row is hidden by a deletion vector; its file is still live and still holds it.
    df = read_table(spark, path)
    assert sorted(r.id for r in df.collect()) == [1, 3, 4, 5]


def test_deletion_vectors_allowed_but_unused_read_as_parquet(spark, tmp_path, snapshot_reads):
    """Vectors are per file: a table that allows them but whose live files carry none (a bronze
    table before its first MERGE, or once maintain purged them) is plain Parquet underneath."""
    path = str(tmp_path / "t")
    spark.createDataFrame(ROWS, SCHEMA).coalesce(1).write.format("delta").save(path)
    spark.sql(f"ALTER TABLE delta.`{path}` SET TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')")
    read = plan_read(spark, path)
    assert read.reason is None and len(read.files) == 1
    assert "InMemoryFileIndex" in _scan(read_table(spark, path))
    spark.sql(f"REORG TABLE delta.`{path}` APPLY (PURGE)")  # nothing to purge: still plain
    assert plan_read(spark, path).reason is None


def test_column_mapping_reads_through_delta(spark, tmp_path, snapshot_reads):
    path = str(tmp_path / "t")
    spark.createDataFrame(ROWS, SCHEMA).write.format("delta").option("delta.columnMapping.mode", "name").option(
        "delta.minReaderVersion", "2"
    ).option("delta.minWriterVersion", "5").save(path)
    spark.sql(f"ALTER TABLE delta.`{path}` RENAME COLUMN name TO label")
    read = plan_read(spark, path)
    assert read.reason is not None and "columnMapping" in read.reason
    assert sorted(r.label or "" for r in read_table(spark, path).collect()) == ["", "a", "b", "d", "e"]


def test_empty_table_reads_through_delta(spark, tmp_path, snapshot_reads):
    path = str(tmp_path / "t")
    spark.createDataFrame([], SCHEMA).write.format("delta").save(path)
    read = plan_read(spark, path)
    assert read.reason == "no live files"
    assert read_table(spark, path).count() == 0 and read_table(spark, path).schema == _delta(spark, path).schema


def test_off_unless_the_session_asks(spark, tmp_path):
    path = str(tmp_path / "t")
    spark.createDataFrame(ROWS, SCHEMA).write.format("delta").save(path)
    before = spark.conf.get(PARQUET_SNAPSHOT_READS, "false")
    spark.conf.set(PARQUET_SNAPSHOT_READS, "false")
    try:
        assert "DeltaFileIndex" in _scan(read_table(spark, path))
    finally:
        spark.conf.set(PARQUET_SNAPSHOT_READS, before)


def test_the_test_session_runs_comet_natively(spark, tmp_path):
    """The suite runs what users run: Comet on, and a plain table's scan, aggregation and
    shuffle native."""
    assert spark.conf.get(PARQUET_SNAPSHOT_READS) == "true"
    path = str(tmp_path / "t")
    spark.createDataFrame(ROWS, SCHEMA).write.format("delta").save(path)
    counted = read_table(spark, path).groupBy("year").count()
    plan = counted._jdf.queryExecution().executedPlan().toString()
    for operator in ("CometNativeScan", "CometHashAggregate", "CometExchange"):
        assert operator in plan, plan
    assert sorted((r.year or 0, r["count"]) for r in counted.collect()) == [(0, 1), (2015, 2), (2016, 2)]
