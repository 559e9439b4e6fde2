"""Warehouse.write: which columns a table's files carry Delta statistics for."""

from __future__ import annotations

from pathlib import Path

from jobs.warehouse import STATS_COLUMNS, Warehouse
from tests.delta_log import added_file_stats

ROWS = [("W1", "A2", 2020), ("W2", "A1", 2021), ("W3", "A3", 2019), ("W4", "A2", 2020), ("W5", None, 2022)]
SCHEMA = "paper_id string, author_id string, year int"


def _properties(spark, table: Path) -> dict:
    return spark.sql(f"DESCRIBE DETAIL delta.`{table}`").first()["properties"] or {}


def test_a_new_table_keeps_statistics_on_the_named_columns_only(spark, tmp_path):
    warehouse = Warehouse(str(tmp_path / "wh"))
    table = tmp_path / "wh" / "silver" / "pairs"
    df = spark.createDataFrame(ROWS, SCHEMA).repartition(2)

    version = warehouse.write(df, "pairs", stats_columns=["author_id"])

    assert version == 0 and _properties(spark, table)[STATS_COLUMNS] == "author_id"
    stats = added_file_stats(table, 0)
    # Every file still counts its rows; minimum, maximum and null count exist for author_id alone.
    assert sum(s["numRecords"] for s in stats) == 5
    assert all(set(s["minValues"]) == set(s["maxValues"]) == {"author_id"} for s in stats)
    assert all(set(s["nullCount"]) == {"author_id"} for s in stats)
    assert sum(s["nullCount"]["author_id"] for s in stats) == 1
    assert min(s["minValues"]["author_id"] for s in stats) == "A1"
    assert max(s["maxValues"]["author_id"] for s in stats) == "A3"


def test_an_existing_table_is_altered_once_before_its_overwrite(spark, tmp_path):
    warehouse = Warehouse(str(tmp_path / "wh"))
    table = tmp_path / "wh" / "silver" / "pairs"
    df = spark.createDataFrame(ROWS, SCHEMA).coalesce(1)
    warehouse.write(df, "pairs")  # Delta's default: statistics on every column
    assert STATS_COLUMNS not in _properties(spark, table)
    assert set(added_file_stats(table, 0)[0]["minValues"]) == {"paper_id", "author_id", "year"}

    first = warehouse.write(df, "pairs", stats_columns=["paper_id", "year"])
    second = warehouse.write(df, "pairs", stats_columns=["paper_id", "year"])

    # version 1 sets the property, 2 and 3 are the writes: the second write finds it already set.
    assert (first, second) == (2, 3)
    operations = [r["operation"] for r in warehouse.history(spark, "pairs").orderBy("version").collect()]
    assert operations == ["WRITE", "SET TBLPROPERTIES", "WRITE", "WRITE"]
    assert _properties(spark, table)[STATS_COLUMNS] == "paper_id,year"
    for version in (first, second):
        (stats,) = added_file_stats(table, version)
        assert stats["numRecords"] == 5 and stats["minValues"] == {"paper_id": "W1", "year": 2019}
        assert stats["maxValues"] == {"paper_id": "W5", "year": 2022}
