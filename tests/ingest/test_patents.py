"""Patent ingest on hand-written records; expected rows counted by hand from PATENTS below."""

from __future__ import annotations

import json

import pytest
from chispa import assert_df_equality

from jobs import config as cfg
from jobs.ingest import patents


def _patent(pid, year, assignees, value=None, **extra):
    record = {
        "id": pid,
        "grant_year": year,
        "office": "us",
        "title": f"patent {pid}",
        "assignees": assignees,
        "cpc": [" g06n3/08 ", "G06F16/35"],
        "topics": ["machine learning"],
        "market_value_usd": value,
    }
    record.update(extra)
    return record


GOOGLE = {"name": "Google LLC", "country": "us", "type": "Company"}
HUAWEI = {"name": "Huawei Technologies Co., Ltd.", "country": "CN", "type": "company"}

PATENTS = [
    # P1: two assignees (Google rolls up to Alphabet by conf rule), cites an OpenAlex work
    json.dumps(_patent("P1", 2019, [GOOGLE, HUAWEI], 2_500_000.0, cited_works=["https://openalex.org/W1"])),
    json.dumps(_patent("P2", 2020, [HUAWEI])),  # value unknown: accepted
    json.dumps(_patent("P3", 2020, [{"name": "  ", "country": "DE"}])),  # assignee without name
    json.dumps(_patent("P4", 1700, [HUAWEI])),  # year out of range
    json.dumps(_patent("P5", 2020, [HUAWEI], -5.0)),  # negative value
    json.dumps(_patent("P2", 2021, [GOOGLE])),  # duplicate id
    "{broken",  # malformed
]


@pytest.fixture(scope="module")
def ingested(spark, tmp_path_factory):
    from jobs.warehouse import Warehouse

    root = tmp_path_factory.mktemp("patents_in")
    (root / "patents").mkdir()
    (root / "patents" / "part-0.jsonl").write_text("\n".join(PATENTS) + "\n")
    warehouse = Warehouse(str(tmp_path_factory.mktemp("patents_wh") / "warehouse"))
    return warehouse, patents.run(spark, cfg.load(), str(root), warehouse)


def test_counts_balance(ingested):
    _, report = ingested
    got = {t: (c.read, c.accepted, c.quarantined) for t, c in report.counts.items()}
    # 7 lines: P1, P2, P3 accepted; P4, P5, the second P2 and the broken line rejected.
    # Assignee entries of accepted patents: P1 2, P2 1, P3 1 (no name -> rejected).
    assert got == {"patents": (7, 3, 4), "patent_assignees": (4, 3, 1)}


def test_patents_table(spark, ingested):
    warehouse, _ = ingested
    got = warehouse.read(spark, "patents").select(
        "patent_id", "grant_year", "office", "cpc_codes", "market_value_usd", "cited_paper_ids", "n_assignees"
    )
    expected = spark.createDataFrame(
        [
            ("P1", 2019, "US", ["G06N3/08", "G06F16/35"], 2_500_000.0, ["W1"], 2),
            ("P2", 2020, "US", ["G06N3/08", "G06F16/35"], None, [], 1),
            ("P3", 2020, "US", ["G06N3/08", "G06F16/35"], None, [], 1),
        ],
        got.schema,
    )
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)


def test_assignees_canonicalised(spark, ingested):
    warehouse, _ = ingested
    got = warehouse.read(spark, "patent_assignees").select(
        "patent_id", "assignee_order", "canonical_assignee", "country_code", "assignee_type"
    )
    expected = spark.createDataFrame(
        [
            ("P1", 1, "Alphabet", "US", "company"),
            ("P1", 2, "HUAWEI TECHNOLOGIES CO LTD", "CN", "company"),
            ("P2", 1, "HUAWEI TECHNOLOGIES CO LTD", "CN", "company"),
        ],
        got.schema,
    )
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)


def test_quarantine_reasons(spark, ingested):
    warehouse, _ = ingested
    rows = warehouse.read(spark, "quarantine").select("source", "record_id", "reason").collect()
    assert sorted(map(tuple, rows), key=str) == sorted(
        [
            ("patents", "P4", "grant_year 1700 outside 1800-2100"),
            ("patents", "P5", "negative market_value_usd"),
            ("patents", "P2", "duplicate id"),
            ("patents", None, "malformed JSON line"),
            ("patents.assignees", "P3", "assignee without name"),
        ],
        key=str,
    )
