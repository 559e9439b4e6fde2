"""jobs.frames.differing_rows: the table comparison the incremental, cluster-mode and nightly
checks rely on. Each case is small enough to see the answer by eye."""

from __future__ import annotations

import pytest
from pyspark.sql import functions as F

from jobs.frames import differing_rows


def _rows(df):
    return sorted((tuple(r) for r in df.collect()), key=repr)


def test_equal_tables_in_another_row_and_column_order_have_no_differing_rows(spark):
    left = spark.createDataFrame([("a", 1, None), ("b", 2, 0.5), ("b", 2, 0.5)], "k string, n int, x double")
    right = spark.createDataFrame([(0.5, "b", 2), (None, "a", 1), (0.5, "b", 2)], "x double, k string, n int")
    assert differing_rows(left, right).count() == 0


def test_copies_are_counted_on_each_side(spark):
    left = spark.createDataFrame([("a", 1), ("a", 1), ("b", 2)], "k string, n int")
    right = spark.createDataFrame([("a", 1), ("c", 3)], "k string, n int")
    assert _rows(differing_rows(left, right)) == [("a", 1, 2, 1), ("b", 2, 1, 0), ("c", 3, 0, 1)]


def test_doubles_compare_to_nine_decimals(spark):
    left = spark.createDataFrame([("sum", 0.1 + 0.2), ("far", 1.0)], "k string, x double")
    right = spark.createDataFrame([("sum", 0.3), ("far", 1.000001)], "k string, x double")
    assert 0.1 + 0.2 != 0.3
    assert _rows(differing_rows(left, right).select("k", "left_rows", "right_rows")) == [("far", 0, 1), ("far", 1, 0)]


def test_maps_compare_by_their_entries(spark):
    base = spark.createDataFrame([(1,)], "id int")
    left = base.select("id", F.create_map(F.lit("x"), F.lit(1), F.lit("y"), F.lit(2)).alias("m"))
    same = base.select("id", F.create_map(F.lit("y"), F.lit(2), F.lit("x"), F.lit(1)).alias("m"))
    other = base.select("id", F.create_map(F.lit("x"), F.lit(1), F.lit("y"), F.lit(3)).alias("m"))
    assert differing_rows(left, same).count() == 0
    assert differing_rows(left, other).count() == 2


def test_different_columns_or_types_are_an_error(spark):
    left = spark.createDataFrame([(1,)], "n int")
    with pytest.raises(ValueError, match="n"):
        differing_rows(left, spark.createDataFrame([(1,)], "n bigint"))
    with pytest.raises(ValueError, match="m"):
        differing_rows(left, spark.createDataFrame([(1,)], "m int"))


def test_a_stash_reads_its_rows_back_from_files_under_the_checkpoint_dir_and_removes_them(spark):
    from pathlib import Path
    from urllib.parse import urlparse

    from jobs.frames import Stash

    df = spark.createDataFrame([("a", 1), ("b", 2), ("b", 2)], "k string, n int")
    with Stash(spark, "test") as stash:
        kept = stash.put(df.where(F.col("n") > 0), "rows")
        folder = Path(urlparse(stash.root).path)
        assert folder.parent.name == "stash"
        assert str(folder).startswith(urlparse(spark.sparkContext.getCheckpointDir()).path)
        # The stashed frame scans the files: no cached relation, no lineage back to df's rows.
        plan = kept._jdf.queryExecution().optimizedPlan().toString()
        assert "parquet" in plan.lower()
        assert "InMemory" not in plan and "LocalRelation" not in plan
        assert _rows(kept) == [("a", 1), ("b", 2), ("b", 2)]
        assert (folder / "rows").is_dir()
        with pytest.raises(ValueError, match="already holds rows"):
            stash.put(df, "rows")
        # An empty frame keeps its schema.
        empty = stash.put(df.where(F.col("n") > 5), "empty")
        assert empty.count() == 0 and empty.columns == ["k", "n"]
    assert not folder.exists()
