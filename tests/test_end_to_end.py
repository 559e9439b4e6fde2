"""The whole pipeline on a generated corpus: every stage runs, the quality gate passes, and the
golden-cross years the generator planted (jobs/generate/PLANTED.md) come out of the gold tables."""

from __future__ import annotations

import re

import pytest
from pyspark.sql import functions as F

from jobs import config as cfg
from jobs import pipeline
from jobs.generate.corpus import PLANTED, generate_corpus
from jobs.report import CHARTS, build_report
from jobs.warehouse import Warehouse

N_PAPERS = 20000


@pytest.fixture(scope="module")
def run_record(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    config = cfg.load()
    generate_corpus(spark, str(root / "input"), N_PAPERS, 11, year_start=config.scope.year_start, year_end=config.scope.year_end)
    warehouse = Warehouse(str(root / "warehouse"))
    ctx = pipeline.RunContext(spark, config, str(root / "input"), warehouse)
    return warehouse, pipeline.run(ctx, pipeline.plan([]))


def test_every_stage_ran_and_ingest_balanced(run_record):
    _, record = run_record
    assert record["status"] == "succeeded"
    assert list(record["stages"]) == list(pipeline.STAGES)
    papers = record["stages"]["ingest_openalex"]["rows"]["papers"]
    assert papers["read"] == N_PAPERS and papers["accepted"] + papers["quarantined"] == papers["read"]
    assert record["stages"]["quality_silver"]["quality"]["passed"] is True


def test_spark_jobs_carry_their_pipeline_stage_as_job_group(spark, run_record):
    tracker = spark.sparkContext.statusTracker()
    # The last stage's jobs are still in the status store (it keeps the latest 1000 jobs).
    assert tracker.getJobIdsForGroup("scintel:institution_h5")
    assert not tracker.getJobIdsForGroup("scintel:no_such_stage")
    # Jobs the session runs after the pipeline are not attributed to it.
    assert spark.sparkContext.getLocalProperty("spark.jobGroup.id") is None


def test_planted_golden_crosses_recovered(spark, run_record):
    warehouse, _ = run_record
    crosses = {r.metric: r.cross_year for r in warehouse.read(spark, "golden_cross").where("challenger = 'CN' AND leader = 'US'").collect()}
    assert crosses == {
        "papers": PLANTED["papers_golden_cross"]["first_year_challenger_exceeds"],
        "top_cited_papers": PLANTED["top1_golden_cross"]["first_year_challenger_exceeds"],
    }


def test_gold_invariants(spark, run_record):
    warehouse, _ = run_record
    scholars = warehouse.read(spark, "scholar_h_index")
    assert scholars.where("h_index > paper_count OR i10_index > paper_count OR h_index < 0").count() == 0
    assert scholars.where("h_index >= 5").count() > 0
    cells = warehouse.read(spark, "top_cited_thresholds").select("field_id", "publication_year", F.col("threshold").alias("cell_threshold"), "has_top")
    top = warehouse.read(spark, "top_cited_papers").join(cells, ["field_id", "publication_year"])
    assert top.count() > 0
    assert top.where("citations < cell_threshold OR cell_threshold <= 2 OR NOT has_top").count() == 0
    shares = warehouse.read(spark, "talent_by_country").agg(F.sum("scholar_share")).first()[0]
    assert 0.99 <= shares <= 1.0 + 1e-9  # authors without a country are in the total only
    bands = warehouse.read(spark, "patent_value_band_ratio").count()
    assert bands == 6


def test_report_renders_every_chart_from_the_run(spark, run_record, tmp_path):
    warehouse, record = run_record
    path = build_report(spark, warehouse, cfg.load(), str(tmp_path / "report"))
    html = path.read_text()
    for chart in CHARTS:
        section = html[html.index(f"<h2 id='{chart.key}'>"):].split("<h2")[1]
        match = re.search(rf"data-chart='{chart.key}' data-points='(\d+)'", section)
        assert match and int(match.group(1)) > 0, f"chart {chart.key} missing or empty"
        assert f"run {record['run_id']}" in section  # the run that wrote the chart's tables
        assert (path.parent / "figures" / f"{chart.key}.png").stat().st_size > 1000
        assert (path.parent / "figures" / f"{chart.key}.svg").stat().st_size > 1000
    crosses = PLANTED["papers_golden_cross"]["first_year_challenger_exceeds"], PLANTED["top1_golden_cross"]["first_year_challenger_exceeds"]
    assert all(f"golden cross {year}" in html for year in crosses)
