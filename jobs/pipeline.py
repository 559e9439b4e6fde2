"""The stage registry and the run loop behind `scintel run`.

A stage names the stages it needs and the tables it writes. `scintel run` with no stage names
runs them all in dependency order; named stages run with their prerequisites unless `only`.
Each stage logs start, end, duration and the Delta versions it wrote; the run leaves a record
(run id, config digest, input snapshot, per-stage timings, versions, row counts, quality results)
as JSON under `<warehouse>/_runs/` and as a row of the audit Delta table `<warehouse>/_audit/runs`
(jobs/audit.py). One run at a time holds a warehouse (`<warehouse>/_lock`).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from pyspark.sql import SparkSession

from jobs.config import Config
from jobs.warehouse import Warehouse

log = logging.getLogger(__name__)


@dataclass
class RunContext:
    spark: SparkSession
    config: Config
    input_dir: str | None
    warehouse: Warehouse
    incremental: bool = False  # ingest MERGEs the delivery into bronze instead of replacing it
    run_id: str = field(default_factory=lambda: datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6])


@dataclass(frozen=True)
class Stage:
    name: str
    help: str
    run: Callable[[RunContext], dict]
    needs: tuple[str, ...] = ()
    needs_input: bool = False


class PipelineError(RuntimeError):
    pass


def _ingest_openalex(ctx: RunContext) -> dict:
    from jobs.ingest import openalex

    return _ingest_result(openalex.run(ctx.spark, ctx.config, ctx.input_dir, ctx.warehouse, ctx.incremental), ctx.config)


def _ingest_patents(ctx: RunContext) -> dict:
    from jobs.ingest import patents

    return _ingest_result(patents.run(ctx.spark, ctx.config, ctx.input_dir, ctx.warehouse, ctx.incremental), ctx.config)


def _ingest_result(report, config: Config) -> dict:
    from jobs.ingest.common import IngestError

    result = {
        "rows": {t: vars(c) for t, c in report.counts.items()},
        "versions": report.versions,
        "bronze": {entity: vars(landing) for entity, landing in report.landings.items()},
    }
    too_many = {
        table: round(report.reject_ratio(table), 4)
        for table in report.counts
        if report.reject_ratio(table) > config.ingest.max_reject_ratio
    }
    if too_many:
        raise IngestError(
            f"{report.source}: rejected share above ingest.max_reject_ratio={config.ingest.max_reject_ratio}: "
            f"{too_many}; the rejects are in the quarantine table (scintel show quarantine)"
        )
    return result


def _quality_silver(ctx: RunContext) -> dict:
    from data_quality.gate import enforce, run_gate

    tables = [t for t in SILVER_TABLES if ctx.warehouse.exists(ctx.spark, t)]
    result = run_gate(ctx.spark, ctx.warehouse, tables, ctx.config, ctx.run_id, "silver")
    enforce(result, stop_on_critical=ctx.config.quality.stop_on_critical)
    return {"quality": {"passed": result.passed, "tables": tables}}


def _module_stage(module: str) -> Callable[[RunContext], dict]:
    """An indicator stage: its job writes gold tables, then (quality.gate_gold) the gate checks
    them, so a critical failure stops the run before any later stage reads them."""

    def run_stage(ctx: RunContext) -> dict:
        import importlib

        from data_quality.gate import enforce, run_gate

        try:
            outcome = importlib.import_module(module).run(ctx)
        finally:
            release_cached(ctx.spark)
        if ctx.config.quality.gate_gold and outcome.get("versions"):
            stage = "gold_" + module.rsplit(".", 1)[-1]
            result = run_gate(ctx.spark, ctx.warehouse, list(outcome["versions"]), ctx.config, ctx.run_id, stage)
            outcome["quality"] = {"passed": result.passed, "tables": list(outcome["versions"]),
                                  "warnings": len(result.warnings)}
            enforce(result, stop_on_critical=ctx.config.quality.stop_on_critical)
        return outcome

    return run_stage


def release_cached(spark: SparkSession) -> None:
    """Drop every cached dataset once a stage is done: stages hand each other Delta tables, never
    cached data, but GraphFrames returns its algorithms' results persisted and GraphX keeps the
    graphs of PageRank and label propagation cached; over a run's stages that memory adds up."""
    spark.catalog.clearCache()
    for rdd in spark.sparkContext._jsc.getPersistentRDDs().values():
        rdd.unpersist(False)


SILVER_TABLES = (
    "papers", "authorships", "citations", "institutions", "authors",
    "author_affiliation_years", "patents", "patent_assignees", "quarantine",
)

STAGES: dict[str, Stage] = {
    stage.name: stage
    for stage in (
        Stage("ingest_openalex", "OpenAlex works/authors/institutions -> canonical tables + quarantine", _ingest_openalex, needs_input=True),
        Stage("ingest_patents", "patent JSON Lines/Parquet -> patents, patent_assignees + quarantine", _ingest_patents, needs_input=True),
        Stage("quality_silver", "Great Expectations gate on the canonical tables", _quality_silver, ("ingest_openalex", "ingest_patents")),
        Stage("output_impact", "papers, citations, mean citations by country / institution / year (full + fractional)",
              _module_stage("jobs.indicators.output_impact"), ("quality_silver",)),
        Stage("top_cited", "top 1% highly cited papers per (field, year) cell and their counts",
              _module_stage("jobs.indicators.top_cited"), ("output_impact",)),
        Stage("golden_cross", "first year the challenger overtakes the leader (papers, top-1% papers)",
              _module_stage("jobs.indicators.golden_cross"), ("output_impact", "top_cited")),
        Stage("patents", "patents, high-value patents, value bands, top countries' trend",
              _module_stage("jobs.indicators.patents"), ("quality_silver",)),
        Stage("talent", "scholar h-index, i10, latest affiliation; talent by country / institution / region / city",
              _module_stage("jobs.indicators.talent"), ("quality_silver",)),
        Stage("institution_h5", "institution h5-index over the last complete window years, ranked",
              _module_stage("jobs.indicators.h5"), ("output_impact",)),
        Stage("research_fronts", "co-citation fronts of recent top-1% papers (GraphFrames), frontier index, table 8",
              _module_stage("jobs.indicators.research_fronts"), ("top_cited", "quality_silver")),
        Stage("sleeping_beauties", "beauty coefficient and awakening year of every top-1% paper",
              _module_stage("jobs.indicators.sleeping_beauties"), ("top_cited",)),
        Stage("talent_flow", "author moves between countries and cities (GraphFrames flow graphs), migrants vs travellers",
              _module_stage("jobs.indicators.talent_flow"), ("quality_silver",)),
        Stage("collaboration", "country pairs on top-1% papers, the configured pairs' yearly series, the country graph",
              _module_stage("jobs.indicators.collaboration"), ("top_cited",)),
        Stage("city_subfield", "city x subfield papers, core scholars and institutions, partners, concentration",
              _module_stage("jobs.indicators.city_subfield"), ("output_impact",)),
        Stage("topic_lens", "country rankings of papers, top-1% papers and patents within each configured topic",
              _module_stage("jobs.indicators.topic_lens"), ("top_cited",)),
        Stage("top_teams", "the top institutions by h5-index with their key members and main topics",
              _module_stage("jobs.indicators.top_teams"), ("institution_h5", "talent")),
    )
}


def plan(requested: list[str], only: bool = False) -> list[str]:
    """Stage names to run, in dependency order."""
    unknown = [s for s in requested if s not in STAGES]
    if unknown:
        raise PipelineError(f"unknown stage(s) {unknown}; stages: {', '.join(STAGES)}")
    if only:
        return [s for s in STAGES if s in requested]
    wanted: set[str] = set()

    def add(name: str) -> None:
        if name not in wanted:
            wanted.add(name)
            for dep in STAGES[name].needs:
                add(dep)

    for name in requested or list(STAGES):
        add(name)
    return [s for s in STAGES if s in wanted]


def run(ctx: RunContext, stage_names: list[str]) -> dict:
    """Run the stages in order under the warehouse lock; always leave a run record (JSON under
    <warehouse>/_runs/ and a row of the audit Delta table <warehouse>/_audit/runs)."""
    from jobs import audit

    record = {
        "run_id": ctx.run_id,
        "config": ctx.config.source,
        "config_digest": ctx.config.digest(),
        "input": ctx.input_dir,
        "incremental": ctx.incremental,
        "warehouse": ctx.warehouse.root,
        "started": datetime.now(timezone.utc).isoformat(),
        "stages": {},
        "status": "running",
    }
    if any(STAGES[s].needs_input for s in stage_names) and not ctx.input_dir:
        raise PipelineError("the ingest stages need --input DIR")
    if ctx.input_dir and not Path(ctx.input_dir).exists() and "://" not in ctx.input_dir:
        raise PipelineError(f"input directory {ctx.input_dir} does not exist")
    lock = audit.WarehouseLock(ctx.warehouse.root, ctx.run_id)
    lock.acquire(ctx.spark)  # raises WarehouseLocked: nothing was written, no record to leave
    log.info("run %s: stages %s%s", ctx.run_id, " -> ".join(stage_names), " (incremental)" if ctx.incremental else "")
    total = time.monotonic()
    try:
        record["input_snapshot"] = audit.input_snapshot(ctx.spark, ctx.input_dir)
        for index, name in enumerate(stage_names, 1):
            log.info("[%d/%d] %s: start", index, len(stage_names), name)
            # Spark jobs carry the stage as their group: the Spark UI, its REST API and the event
            # log tell which pipeline stage ran a job (bench/pipeline.py sums shuffle bytes by it).
            ctx.spark.sparkContext.setJobGroup(f"scintel:{name}", f"{ctx.run_id} [{index}/{len(stage_names)}] {name}")
            started = time.monotonic()
            outcome = STAGES[name].run(ctx)
            seconds = round(time.monotonic() - started, 1)
            record["stages"][name] = {"seconds": seconds, **outcome}
            log.info("[%d/%d] %s: done in %.1fs %s", index, len(stage_names), name, seconds, outcome.get("versions", ""))
        record["status"] = "succeeded"
    except Exception as err:
        record["status"] = "failed"
        record["error"] = f"{type(err).__name__}: {err}"
        raise
    finally:
        ctx.spark.sparkContext.setJobGroup("scintel:record", f"{ctx.run_id} run record")
        record["seconds"] = round(time.monotonic() - total, 1)
        try:
            _write_record(ctx.warehouse, record)
            audit.append_record(ctx.spark, ctx.warehouse.root, record)
        finally:
            lock.release(ctx.spark)
            for key in ("spark.jobGroup.id", "spark.job.description"):
                ctx.spark.sparkContext.setLocalProperty(key, None)  # later jobs of the session are not ours
    return record


def _write_record(warehouse: Warehouse, record: dict) -> None:
    root = warehouse.root.removeprefix("file://")
    if "://" in root:
        log.info("run record: %s", json.dumps(record, default=str))
        return
    runs = Path(root) / "_runs"
    runs.mkdir(parents=True, exist_ok=True)
    (runs / f"{record['run_id']}.json").write_text(json.dumps(record, indent=2, default=str) + "\n")
    log.info("run record: %s", runs / f"{record['run_id']}.json")
