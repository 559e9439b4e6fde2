"""The quality gate on tiny hand-built canonical tables.

Expected counts follow Great Expectations' documented semantics: a map expectation's
unexpected_count counts rows; for uniqueness "all duplicated values are counted as exceptions"
([1, 2, 3, 3, 3] -> [3, 3, 3], greatexpectations.io/legacy/v1/expectations/
expect_column_values_to_be_unique), so two rows of W1 give 2; nulls are "missing", not
unexpected, in range checks. Delta writes and GE runs are the slow part, so the clean and the
dirty warehouse are built and gated once per module.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from pyspark.sql import types as T

from data_quality.gate import QualityGateFailed, enforce, run_gate
from data_quality.suites import CRITICAL, REFERENCE_EXPECTATION, SUITES, WARNING, build_suites
from jobs.config import load
from jobs.warehouse import Warehouse
from schemas import canonical as S

ALL_TABLES = [t for t in SUITES if t in S.CANONICAL_TABLES]  # the silver suites; gold ones are in test_gold_gate.py


def _default(field: T.StructField):
    if field.nullable:
        return None
    if isinstance(field.dataType, T.ArrayType):
        return []
    raise KeyError(f"test row lacks non-nullable column {field.name}")


def _df(spark, schema: T.StructType, rows: list[dict]):
    """Rows given as dicts of the interesting columns; the rest null (or [] for arrays).

    One partition: a tiny table in one file makes every write and every GE job a single task.
    """
    return spark.createDataFrame(
        [tuple(row[f.name] if f.name in row else _default(f) for f in schema.fields) for row in rows], schema
    ).coalesce(1)


def _paper(paper_id, year, cited_by_count=0, n_authors=1, n_references=0):
    return dict(
        paper_id=paper_id,
        publication_year=year,
        is_review=False,
        cited_by_count=cited_by_count,
        n_authors=n_authors,
        n_references=n_references,
    )


def _authorship(paper_id, author_id, order, institution_id, year=2015):
    return dict(
        paper_id=paper_id,
        author_id=author_id,
        author_order=order,
        institution_id=institution_id,
        n_author_institutions=0 if institution_id is None else 1,
        publication_year=year,
    )


CLEAN = {
    "papers": [_paper("W1", 2015, 3, 2, 1), _paper("W2", 2018, None), _paper("W3", 2020, 0, 1, 2)],
    "authorships": [
        _authorship("W1", "A1", 1, "I1"),
        _authorship("W1", "A1", 1, "I2"),  # one author, two institutions
        _authorship("W1", "A2", 2, None),  # no institution: one row, institution null
        _authorship("W2", "A2", 1, "I2", 2018),
        _authorship("W3", "A1", 1, "I1", 2020),
    ],
    "citations": [
        dict(citing_paper_id="W3", cited_paper_id="W1", citing_year=2020),
        dict(citing_paper_id="W3", cited_paper_id="W99", citing_year=2020),  # dangling: normal in a slice
        dict(citing_paper_id="W2", cited_paper_id="W1", citing_year=2018),
    ],
    "institutions": [
        dict(institution_id="I1", latitude=39.9, longitude=116.4, canonical_id="I1", source="openalex"),
        dict(institution_id="I2", latitude=None, longitude=None, canonical_id="I9", source="openalex"),
    ],
    "authors": [
        dict(author_id="A1", works_count=10, cited_by_count=5, source="author_record"),
        dict(author_id="A2", works_count=None, cited_by_count=None, source="works"),
    ],
    "author_affiliation_years": [
        dict(author_id="A1", institution_id="I1", year=2015, source="works", n_papers=1),
        dict(author_id="A1", institution_id="I1", year=2015, source="author_record", n_papers=None),
        dict(author_id="A2", institution_id="I2", year=2018, source="works", n_papers=1),
    ],
    "patents": [
        dict(patent_id="P1", grant_year=2019, market_value_usd=2.5e6, n_assignees=2),
        dict(patent_id="P2", grant_year=2021, market_value_usd=None, n_assignees=1),
    ],
    "patent_assignees": [
        dict(patent_id="P1", assignee_order=1, grant_year=2019),
        dict(patent_id="P1", assignee_order=2, grant_year=2019),
        dict(patent_id="P2", assignee_order=1, grant_year=2021),
    ],
    "quarantine": [dict(source="openalex.works", reason="unparseable json")],
}

# Papers: a second W1 row, a year 3000, a negative cited_by_count (critical) and a negative
# n_references (warning). Authorships: two rows (two authors) pointing at W9, which is not in
# papers: the reference check counts rows, not missing keys.
DIRTY = {
    **CLEAN,
    "papers": CLEAN["papers"] + [_paper("W1", 2016), _paper("W4", 3000), _paper("W5", 2019, -3), _paper("W6", 2019, 0, 1, -1)],
    "authorships": CLEAN["authorships"] + [_authorship("W9", "A1", 1, "I1"), _authorship("W9", "A2", 2, "I1")],
}


def _write_all(spark, warehouse: Warehouse, tables: dict[str, list[dict]]) -> None:
    for table, rows in tables.items():
        schema = S.CANONICAL_TABLES[table]
        warehouse.write(_df(spark, schema, rows), table, schema=schema)


def _row(result, table, expectation, column):
    (row,) = [r for r in result.rows if (r.table, r.expectation, r.column) == (table, expectation, column)]
    return row


@pytest.fixture(scope="module")
def config():
    return load()


@pytest.fixture(scope="module")
def clean_warehouse(spark, tmp_path_factory):
    warehouse = Warehouse(str(tmp_path_factory.mktemp("clean") / "warehouse"))
    _write_all(spark, warehouse, CLEAN)
    return warehouse


@pytest.fixture(scope="module")
def clean_result(spark, clean_warehouse, config):
    return run_gate(spark, clean_warehouse, ALL_TABLES, config, run_id="r-clean", stage="silver")


@pytest.fixture(scope="module")
def dirty_result(spark, tmp_path_factory, config):
    warehouse = Warehouse(str(tmp_path_factory.mktemp("dirty") / "warehouse"))
    _write_all(spark, warehouse, {t: DIRTY[t] for t in ("papers", "authorships", "institutions")})
    return run_gate(spark, warehouse, ["papers", "authorships"], config, run_id="r-dirty", stage="silver")


def test_every_canonical_table_has_a_suite_with_tagged_expectations(config):
    suites = {t: s for t, s in build_suites(config).items() if t in S.CANONICAL_TABLES}
    assert set(suites) == set(S.CANONICAL_TABLES)
    for suite in suites.values():
        assert suite.expectations
        assert {e.severity.value for e in suite.expectations} <= {CRITICAL, WARNING}
        assert set(suite.columns) <= set(S.CANONICAL_TABLES[suite.table].fieldNames())


def test_clean_tables_pass_with_no_failures(clean_result):
    assert clean_result.passed
    assert clean_result.failures == []
    assert [r for r in clean_result.rows if r.exception] == []
    assert set(clean_result.seconds) == set(ALL_TABLES)
    # The dangling citation W3 -> W99 is not checked; citing ids are, and all exist.
    citing = _row(clean_result, "citations", REFERENCE_EXPECTATION, "citing_paper_id")
    assert (citing.success, citing.unexpected_count) == (True, 0)
    assert not [r for r in clean_result.rows if r.column == "cited_paper_id" and r.expectation == REFERENCE_EXPECTATION]


def test_results_json_and_data_docs_are_written(clean_result, clean_warehouse):
    run_dir = Path(clean_warehouse.quality_dir) / "r-clean"
    papers = json.loads((run_dir / "silver" / "papers.json").read_text())
    assert papers["table"] == "papers" and papers["success"] is True
    assert papers["great_expectations"]["all"]["success"] is True
    summary = json.loads((run_dir / "silver" / "summary.json").read_text())
    assert summary["passed"] is True and summary["n_critical_failures"] == 0
    assert (run_dir / "data_docs" / "index.html").is_file()
    assert list((run_dir / "data_docs" / "validations" / "papers" / "silver").rglob("*.html"))
    assert clean_result.data_docs_index == f"{clean_warehouse.quality_dir}/r-clean/data_docs/index.html"


def test_duplicate_paper_id_fails_uniqueness_counting_both_rows(dirty_result):
    row = _row(dirty_result, "papers", "expect_column_values_to_be_unique", "paper_id")
    assert (row.severity, row.success) == (CRITICAL, False)
    assert (row.unexpected_count, row.element_count) == (2, 7)
    assert row.partial_unexpected == ["W1", "W1"]


def test_year_3000_fails_the_range_check(dirty_result):
    row = _row(dirty_result, "papers", "expect_column_values_to_be_between", "publication_year")
    assert (row.severity, row.success, row.unexpected_count, row.partial_unexpected) == (CRITICAL, False, 1, [3000])
    assert row.detail == "min_value=1800, max_value=2100"


def test_negative_cited_by_count_fails(dirty_result):
    row = _row(dirty_result, "papers", "expect_column_values_to_be_between", "cited_by_count")
    # W2's null cited_by_count is missing, not unexpected.
    assert (row.severity, row.success, row.unexpected_count, row.partial_unexpected) == (CRITICAL, False, 1, [-3])


def test_authorship_of_a_missing_paper_fails_the_reference_check(dirty_result):
    row = _row(dirty_result, "authorships", REFERENCE_EXPECTATION, "paper_id")
    assert (row.severity, row.success, row.unexpected_count, row.partial_unexpected) == (CRITICAL, False, 2, ["W9", "W9"])
    institution = _row(dirty_result, "authorships", REFERENCE_EXPECTATION, "institution_id")
    assert (institution.severity, institution.success, institution.unexpected_count) == (WARNING, True, 0)


def test_dirty_gate_verdict_and_enforce(dirty_result):
    critical = {(r.table, r.column) for r in dirty_result.critical_failures}
    assert critical == {
        ("papers", "paper_id"),
        ("papers", "publication_year"),
        ("papers", "cited_by_count"),
        ("authorships", "paper_id"),
    }
    assert [(r.table, r.column) for r in dirty_result.warnings] == [("papers", "n_references")]
    assert not dirty_result.passed
    with pytest.raises(QualityGateFailed) as raised:
        enforce(dirty_result, stop_on_critical=True)
    assert raised.value.result is dirty_result
    assert enforce(dirty_result, stop_on_critical=False) is dirty_result


def test_summary_names_table_expectation_counts_and_examples(dirty_result):
    text = dirty_result.summary()
    assert "FAILED" in text
    # papers has 7 checks: not_null(paper_id) and n_authors >= 0 pass; uniqueness, year range,
    # cited_by_count >= 0 and n_references >= 0 fail.
    assert "papers: 3/7 checks passed" in text
    assert "CRITICAL expect_column_values_to_be_unique(paper_id): 2 of 7 rows unexpected, e.g. 'W1', 'W1'" in text
    assert f"CRITICAL {REFERENCE_EXPECTATION}(paper_id) [in papers.paper_id]: 2 rows unexpected, e.g. 'W9', 'W9'" in text
    assert "WARNING  expect_column_values_to_be_between(n_references)" in text


def test_warnings_and_expectation_exceptions_do_not_raise(spark, warehouse, config):
    # authors: one negative cited_by_count (warning) and no works_count column at all, so that
    # expectation raises inside GE; both are warnings, so the gate passes.
    authors_df = _df(spark, S.AUTHORS, [*CLEAN["authors"], dict(author_id="A3", cited_by_count=-1, source="works")])
    warehouse.write(authors_df.drop("works_count"), "authors")
    result = run_gate(spark, warehouse, ["authors"], config, run_id="r-warn", stage="silver")
    missing = _row(result, "authors", "expect_column_values_to_be_between", "works_count")
    assert (missing.success, missing.severity) == (False, WARNING)
    assert "works_count" in missing.exception
    negative = _row(result, "authors", "expect_column_values_to_be_between", "cited_by_count")
    assert (negative.success, negative.unexpected_count, negative.partial_unexpected) == (False, 1, [-1])
    assert result.passed and len(result.warnings) == 2
    assert enforce(result, stop_on_critical=True) is result


def test_missing_table_is_a_critical_failure_and_unknown_table_an_error(spark, warehouse, config):
    result = run_gate(spark, warehouse, ["patents"], config, run_id="r-missing", stage="silver")
    (row,) = result.rows
    assert (row.expectation, row.severity, row.success) == ("expect_table_to_exist", CRITICAL, False)
    assert "no table 'patents'" in row.exception
    with pytest.raises(KeyError, match="no expectation suite for table 'h_index'"):
        run_gate(spark, warehouse, ["h_index"], config, run_id="r-missing", stage="gold")


def test_stages_of_one_run_share_the_data_docs_and_a_remote_warehouse_gets_a_copy(spark, tmp_path, config):
    # A file:// root takes the remote path: stage locally, copy through Hadoop's FileSystem.
    root = f"file://{tmp_path}/warehouse"
    warehouse = Warehouse(root)
    warehouse.write(_df(spark, S.QUARANTINE, CLEAN["quarantine"]), "quarantine", schema=S.QUARANTINE)
    run_id = f"r-remote-{uuid.uuid4().hex[:8]}"
    try:
        for stage in ("after_ingest", "before_report"):
            assert run_gate(spark, warehouse, ["quarantine"], config, run_id=run_id, stage=stage).passed
    finally:
        shutil.rmtree(Path(tempfile.gettempdir()) / "scintel-quality" / run_id, ignore_errors=True)
    run_dir = tmp_path / "warehouse" / "_quality" / run_id
    assert (run_dir / "after_ingest" / "quarantine.json").is_file()
    assert (run_dir / "before_report" / "summary.json").is_file()
    index = (run_dir / "data_docs" / "index.html").read_text()
    assert "after_ingest" in index and "before_report" in index
