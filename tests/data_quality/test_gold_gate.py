"""The gate on gold tables: grain, ranks, shares of a whole, h <= papers, row-count drift.
Expected counts worked out by hand from the rows below."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from data_quality import ge_runner
from data_quality.gate import run_gate
from data_quality.suites import CRITICAL, WARNING
from jobs import config as cfg
from jobs.warehouse import Warehouse

TALENT_COLUMNS = (
    "country_code string, scholars long, high_level_scholars long, scholar_share double, high_level_share double, rank int"
)
H_COLUMNS = "author_id string, h_index int, i10_index int, paper_count int, citations long"
YEAR_COLUMNS = "year int, papers double, citations double, mean_citations double"


def _row(result, table, expectation, column=None):
    rows = [
        r for r in result.rows if r.table == table and r.expectation == expectation and (column is None or r.column == column)
    ]
    assert len(rows) == 1, (table, expectation, column, rows)
    return rows[0]


@pytest.fixture
def config():
    return cfg.load()


def test_clean_gold_tables_pass(spark, tmp_path, config):
    warehouse = Warehouse(str(tmp_path / "wh"))
    # Competition ranks 1, 1, 3; shares sum to 0.9 (10% of scholars have no country).
    talent = [("CN", 40, 4, 0.4, 0.4, 1), ("US", 40, 4, 0.4, 0.4, 1), ("GB", 10, 1, 0.1, 0.1, 3)]
    warehouse.write(spark.createDataFrame(talent, TALENT_COLUMNS), "talent_by_country", layer="gold")
    scholars = [("A1", 0, 0, 0, 0), ("A2", 2, 0, 2, 7)]  # h = 0, and h == paper_count
    warehouse.write(spark.createDataFrame(scholars, H_COLUMNS), "scholar_h_index", layer="gold")
    result = run_gate(spark, warehouse, ["talent_by_country", "scholar_h_index"], config, "r-gold-clean", "gold_talent")
    assert result.passed and result.failures == [], result.summary()
    assert _row(result, "talent_by_country", "expect_ranks_to_be_contiguous").unexpected_count == 0


def test_broken_gold_tables_fail_with_counts(spark, tmp_path, config):
    warehouse = Warehouse(str(tmp_path / "wh"))
    # US twice (2 duplicate rows), ranks start at 2 (one bad partition: the whole table),
    # scholar shares 0.5 + 0.4 + 0.3 + 0 = 1.2 and high-level shares 0.4 + 0.6 + 0.2 + 0 = 1.2
    # exceed the whole, and GB has more high-level scholars (5) than scholars (4).
    talent = [("CN", 10, 2, 0.5, 0.4, 2), ("US", 8, 3, 0.4, 0.6, 3), ("GB", 4, 5, 0.3, 0.2, 4), ("US", 1, 0, 0.0, 0.0, 5)]
    warehouse.write(spark.createDataFrame(talent, TALENT_COLUMNS), "talent_by_country", layer="gold")
    scholars = [("A1", 3, 0, 2, 10), ("A2", 1, 4, 3, 2)]  # h 3 > 2 papers; i10 4 > 3 papers
    warehouse.write(spark.createDataFrame(scholars, H_COLUMNS), "scholar_h_index", layer="gold")
    result = run_gate(spark, warehouse, ["talent_by_country", "scholar_h_index"], config, "r-gold-dirty", "gold_talent")

    assert not result.passed
    duplicate = _row(result, "talent_by_country", "expect_column_values_to_be_unique")
    assert (duplicate.severity, duplicate.unexpected_count) == (CRITICAL, 2)
    ranks = _row(result, "talent_by_country", "expect_ranks_to_be_contiguous")
    assert (ranks.success, ranks.unexpected_count) == (False, 1)
    # scholar_share 0.5 + 0.4 + 0.3 + 0.0 = 1.2; high_level_share 0.4 + 0.6 + 0.2 + 0.0 = 1.2
    for column in ("scholar_share", "high_level_share"):
        whole = _row(result, "talent_by_country", "expect_column_sum_to_be_at_most_one", column)
        assert (whole.severity, whole.success) == (CRITICAL, False)
    pair = _row(result, "talent_by_country", "expect_column_pair_values_a_to_be_greater_than_b", "scholars, high_level_scholars")
    assert (pair.success, pair.unexpected_count) == (False, 1)  # GB: 5 high-level of 4 scholars
    h_index = _row(result, "scholar_h_index", "expect_column_pair_values_a_to_be_greater_than_b", "paper_count, h_index")
    i10 = _row(result, "scholar_h_index", "expect_column_pair_values_a_to_be_greater_than_b", "paper_count, i10_index")
    assert (h_index.unexpected_count, i10.unexpected_count) == (1, 1)


def test_row_count_drift_is_a_warning(spark, tmp_path, config):
    warehouse = Warehouse(str(tmp_path / "wh"))
    years = [(2018, 10.0, 20.0, 2.0), (2019, 10.0, 10.0, 1.0), (2020, 5.0, 5.0, 1.0), (2021, 4.0, 0.0, 0.0)]
    warehouse.write(spark.createDataFrame(years, YEAR_COLUMNS), "output_by_year", layer="gold")
    first = run_gate(spark, warehouse, ["output_by_year"], config, "r-drift-1", "gold_output")
    assert _row(first, "output_by_year", "expect_row_count_to_stay_within_drift").success
    warehouse.write(spark.createDataFrame(years[:1], YEAR_COLUMNS), "output_by_year", layer="gold")
    second = run_gate(spark, warehouse, ["output_by_year"], config, "r-drift-2", "gold_output")
    drift = _row(second, "output_by_year", "expect_row_count_to_stay_within_drift")
    # 4 rows -> 1 row: |1 - 4| / 4 = 75% > the configured 50%
    assert (drift.severity, drift.success) == (WARNING, False)
    assert "previous=4, now=1, change=75.0%" in drift.detail
    assert second.passed  # a warning does not stop the run


YEARLY_COLUMNS = "paper_id string, year int, citations long, source string"


def _ge_json(result, table):
    return json.loads((Path(result.output_dir) / f"{table}.json").read_text())["great_expectations"]


def test_compound_key_duplicates_are_counted_by_ge_on_the_key_columns(spark, tmp_path, config):
    warehouse = Warehouse(str(tmp_path / "wh"))
    # (W1, 2019) twice: 2 unexpected rows. The two rows with the whole key null are skipped, as
    # GE's default ignore_row_if='all_values_are_missing' does.
    rows = [("W1", 2019, 3, "s"), ("W1", 2019, 4, "s"), ("W1", 2020, 1, "s"), (None, None, 2, "s"), (None, None, 5, "s")]
    warehouse.write(spark.createDataFrame(rows, YEARLY_COLUMNS), "paper_yearly_citations", layer="gold")
    result = run_gate(spark, warehouse, ["paper_yearly_citations"], config, "r-key-dup", "gold_output")
    duplicate = _row(result, "paper_yearly_citations", "expect_compound_columns_to_be_unique", "paper_id, year")
    assert (duplicate.severity, duplicate.success, duplicate.unexpected_count) == (CRITICAL, False, 2)
    ge = _ge_json(result, "paper_yearly_citations")
    # Pass 1 checked the key's hash column; pass 2 ran GE's compound expectation on the columns.
    stand_in = ge["all"]["results"][0]["expectation_config"]
    assert (stand_in["type"], stand_in["kwargs"]["column"]) == (
        "expect_column_proportion_of_unique_values_to_be_between",
        "__key_hash_0",
    )
    assert [r["expectation_config"]["type"] for r in ge["failed"]["results"]] == ["expect_compound_columns_to_be_unique"]


def test_a_repeated_key_hash_without_a_repeated_key_passes(spark, tmp_path, config, monkeypatch):
    warehouse = Warehouse(str(tmp_path / "wh"))
    rows = [("W1", 2019, 3, "s"), ("W2", 2019, 4, "s"), ("W1", 2020, 1, "s"), (None, None, 2, "s"), (None, None, 5, "s")]
    warehouse.write(spark.createDataFrame(rows, YEARLY_COLUMNS), "paper_yearly_citations", layer="gold")
    clean = run_gate(spark, warehouse, ["paper_yearly_citations"], config, "r-key-clean", "gold_output")
    assert clean.passed and clean.failures == [], clean.summary()
    assert "failed" not in _ge_json(clean, "paper_yearly_citations")  # null keys: null hash, no second pass
    assert _row(clean, "paper_yearly_citations", "expect_compound_columns_to_be_unique", "paper_id, year").success

    # Every key hashing alike stands for collisions: the hash check fails, GE's check on the
    # columns then finds no repeated key, and the expectation passes.
    monkeypatch.setattr(ge_runner, "key_hash", lambda *columns: F.lit(7).cast("long"))
    collided = run_gate(spark, warehouse, ["paper_yearly_citations"], config, "r-key-collide", "gold_output")
    assert collided.passed and collided.failures == [], collided.summary()
    ge = _ge_json(collided, "paper_yearly_citations")
    assert ge["all"]["results"][0]["success"] is False
    assert [(r["expectation_config"]["type"], r["success"]) for r in ge["failed"]["results"]] == [
        ("expect_compound_columns_to_be_unique", True)
    ]


def test_a_single_column_key_is_checked_on_its_hash_first(spark, tmp_path, config):
    warehouse = Warehouse(str(tmp_path / "wh"))
    # A1, A2 and a null author id: distinct non-null ids, so pass 1 (the proportion of distinct
    # hashes, 2 of 2) passes the key and pass 2 reruns only not_null (the null fails it); the
    # null is skipped by the uniqueness check, as GE does.
    scholars = [("A1", 0, 0, 0, 0), ("A2", 2, 0, 2, 7), (None, 1, 0, 1, 1)]
    warehouse.write(spark.createDataFrame(scholars, H_COLUMNS), "scholar_h_index", layer="gold")
    clean = run_gate(spark, warehouse, ["scholar_h_index"], config, "r-single-clean", "gold_talent")
    assert _row(clean, "scholar_h_index", "expect_column_values_to_be_unique", "author_id").success
    ge = _ge_json(clean, "scholar_h_index")
    stand_ins = [
        r["expectation_config"]
        for r in ge["all"]["results"]
        if r["expectation_config"]["kwargs"].get("column", "").startswith("__key_hash")
    ]
    assert [(c["type"], c["kwargs"]["min_value"]) for c in stand_ins] == [
        ("expect_column_proportion_of_unique_values_to_be_between", 1.0)
    ]
    assert [r["expectation_config"]["type"] for r in ge["failed"]["results"]] == ["expect_column_values_to_not_be_null"]

    # No rows: GE's proportion of an empty column is 0, so pass 2 runs the expectation itself,
    # which finds nothing repeated.
    warehouse.write(spark.createDataFrame([], H_COLUMNS), "scholar_h_index", layer="gold")
    empty = run_gate(spark, warehouse, ["scholar_h_index"], config, "r-single-empty", "gold_talent")
    assert _row(empty, "scholar_h_index", "expect_column_values_to_be_unique", "author_id").success
    assert [r["expectation_config"]["type"] for r in _ge_json(empty, "scholar_h_index")["failed"]["results"]] == [
        "expect_column_values_to_be_unique"
    ]
