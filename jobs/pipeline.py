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

from jobs import hadoop_fs, interrupt
from jobs.config import Config
from jobs.errors import RunInterrupted, ScintelError
from jobs.session import abandon_interrupted_call
from jobs.warehouse import Warehouse

log = logging.getLogger(__name__)


@dataclass
class RunContext:
    spark: SparkSession
    config: Config
    input_dir: str | None
    warehouse: Warehouse
    incremental: bool = False  # ingest MERGEs the delivery into bronze instead of replacing it
    # With incremental: read only OpenAlex's updated_date partitions dated this day or later
    # (jobs/ingest/partitions.py), or "last-run": since the newest partitions the last
    # successful run read, per entity.
    since: str | None = None
    run_id: str = field(default_factory=lambda: datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6])


@dataclass(frozen=True)
class Stage:
    """A step of the run: what it needs before it, the tables it writes (its contract: the run
    fails when a stage writes a table it does not name, or misses one it names; every gold table
    named here has a schema in schemas/gold.py and a quality suite in data_quality/suites.py, which
    tests/test_stage_contract.py checks)."""

    name: str
    help: str
    run: Callable[[RunContext], dict]
    needs: tuple[str, ...] = ()
    needs_input: bool = False
    writes: tuple[str, ...] = ()
    layer: str = "gold"


class PipelineError(ScintelError, RuntimeError):
    pass


def _ingest_openalex(ctx: RunContext) -> dict:
    from jobs import audit
    from jobs.ingest import openalex

    if ctx.since == "last-run":
        since = audit.last_partitions(ctx.spark, ctx.warehouse.root)
        log.info(
            "reading the partitions since the last successful run: %s",
            ", ".join(f"{e} >= {d}" for e, d in since.items()) or "none recorded, so every partition",
        )
    else:
        since = {entity: ctx.since for entity in ("works", "authors", "institutions")} if ctx.since else {}
    report = openalex.run(ctx.spark, ctx.config, ctx.input_dir, ctx.warehouse, ctx.incremental, since)
    return {**_ingest_result(report, ctx.config), "partitions": report.partitions}


def _ingest_patents(ctx: RunContext) -> dict:
    from jobs.ingest import patents

    return _ingest_result(patents.run(ctx.spark, ctx.config, ctx.input_dir, ctx.warehouse, ctx.incremental), ctx.config)


def _ingest_result(report, config: Config) -> dict:
    from jobs.ingest.common import RejectRatioExceeded

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
        raise RejectRatioExceeded(
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


def _indicator_stage(name: str) -> Callable[[RunContext], dict]:
    """An indicator stage: jobs/indicators/<name>.py's run(ctx) writes the stage's gold tables,
    then (quality.gate_gold) the gate checks them, so a critical failure stops the run before any
    later stage reads them."""

    def run_stage(ctx: RunContext) -> dict:
        import importlib

        from data_quality.gate import enforce, run_gate

        try:
            outcome = importlib.import_module(f"jobs.indicators.{name}").run(ctx)
        finally:
            release_cached(ctx.spark)
        if not outcome.get("skipped"):  # a stage whose input is absent (no patents/) writes nothing
            _check_writes(STAGES[name], outcome.get("versions", {}), ctx.warehouse)
        if ctx.config.quality.gate_gold and outcome.get("versions"):
            result = run_gate(ctx.spark, ctx.warehouse, list(outcome["versions"]), ctx.config, ctx.run_id, f"gold_{name}")
            outcome["quality"] = {"passed": result.passed, "tables": list(outcome["versions"]), "warnings": len(result.warnings)}
            enforce(result, stop_on_critical=ctx.config.quality.stop_on_critical)
        return outcome

    return run_stage


def _check_writes(stage: Stage, versions: dict, warehouse: Warehouse) -> None:
    """The stage wrote exactly the tables it names, each with the columns and types of
    schemas/gold.py: a table it does not name would have no schema or quality suite, one it names
    but skipped would leave a later stage reading a stale version, and a changed column would
    break the report and users' scripts that read it."""
    from schemas.gold import GOLD

    written, named = set(versions), set(stage.writes)
    problems = []
    if written - named:
        problems.append(f"wrote {sorted(written - named)}, not named in jobs/pipeline.py STAGES")
    if named - written:
        problems.append(f"did not write {sorted(named - written)}")
    for table in sorted(written & named):
        schema = warehouse.written.get((stage.layer, table))
        got = [(f.name, f.dataType.simpleString()) for f in schema.fields] if schema is not None else None
        want = [(f.name, f.dataType.simpleString()) for f in GOLD[table].fields]
        if got is not None and got != want:
            problems.append(f"{table} has columns {got}, schemas/gold.py says {want}")
    if problems:
        raise PipelineError(f"stage {stage.name} broke its contract: " + "; ".join(problems))


def release_cached(spark: SparkSession) -> None:
    """Drop every cached dataset once a stage is done: stages hand each other Delta tables, never
    cached data, but GraphFrames returns its algorithms' results persisted and GraphX keeps the
    graphs of PageRank and label propagation cached; over a run's stages that memory adds up."""
    spark.catalog.clearCache()
    for rdd in spark.sparkContext._jsc.getPersistentRDDs().values():
        rdd.unpersist(False)


SILVER_TABLES = (
    "papers",
    "authorships",
    "citations",
    "institutions",
    "authors",
    "author_affiliation_years",
    "patents",
    "patent_assignees",
    "quarantine",
)


def _indicator(name: str, help: str, needs: tuple[str, ...], writes: tuple[str, ...]) -> Stage:
    return Stage(name, help, _indicator_stage(name), needs, writes=writes)


STAGES: dict[str, Stage] = {
    stage.name: stage
    for stage in (
        Stage(
            "ingest_openalex",
            "OpenAlex works/authors/institutions -> canonical tables + quarantine",
            _ingest_openalex,
            needs_input=True,
            layer="silver",
            writes=("papers", "authorships", "citations", "authors", "author_affiliation_years", "institutions"),
        ),
        Stage(
            "ingest_patents",
            "patent JSON Lines/Parquet -> patents, patent_assignees + quarantine",
            _ingest_patents,
            needs_input=True,
            layer="silver",
            writes=("patents", "patent_assignees"),
        ),
        Stage(
            "quality_silver",
            "Great Expectations gate on the canonical tables",
            _quality_silver,
            ("ingest_openalex", "ingest_patents"),
            layer="silver",
        ),
        _indicator(
            "output_impact",
            "papers, citations, mean citations by country / institution / year (full + fractional)",
            ("quality_silver",),
            (
                "paper_citations",
                "paper_yearly_citations",
                "output_by_country_year",
                "output_by_country",
                "output_by_institution",
                "output_by_year",
            ),
        ),
        _indicator(
            "top_cited",
            "top 1% highly cited papers per (field, year) cell and their counts",
            ("output_impact",),
            (
                "top_cited_thresholds",
                "top_cited_papers",
                "top_cited_by_country_year",
                "top_cited_by_country",
                "top_cited_by_institution",
                "top_cited_by_year",
            ),
        ),
        _indicator(
            "golden_cross",
            "first year the challenger overtakes the leader (papers, top-1% papers)",
            ("output_impact", "top_cited"),
            ("golden_cross_series", "golden_cross"),
        ),
        _indicator(
            "patents",
            "patents, high-value patents, value bands, top countries' trend",
            ("quality_silver",),
            (
                "patents_by_country",
                "patents_by_country_year",
                "patents_by_assignee",
                "patent_value_bands",
                "patent_value_band_ratio",
                "high_value_trend",
            ),
        ),
        _indicator(
            "talent",
            "scholar h-index, i10, latest affiliation; talent by country / institution / region / city",
            ("quality_silver",),
            ("scholar_h_index", "talent_by_country", "talent_by_institution", "talent_by_region", "talent_by_city"),
        ),
        _indicator(
            "institution_h5",
            "institution h5-index over the last complete window years, ranked",
            ("output_impact",),
            ("institution_h5",),
        ),
        _indicator(
            "research_fronts",
            "co-citation fronts of recent top-1% papers (GraphFrames), frontier index, table 8",
            ("top_cited", "quality_silver"),
            (
                "research_front_links",
                "research_front_papers",
                "research_front_yearly",
                "research_front_countries",
                "research_fronts",
                "frontier_top10",
            ),
        ),
        _indicator(
            "sleeping_beauties",
            "beauty coefficient and awakening year of every top-1% paper",
            ("top_cited",),
            ("sleeping_beauties",),
        ),
        _indicator(
            "talent_flow",
            "author moves between countries and cities (GraphFrames flow graphs), migrants vs travellers",
            ("quality_silver",),
            (
                "talent_moves",
                "talent_flow_edges",
                "talent_flow_by_country",
                "talent_flow_by_city",
                "talent_flow_by_country_year",
                "talent_mobility",
            ),
        ),
        _indicator(
            "collaboration",
            "country pairs on top-1% papers, the configured pairs' yearly series, the country graph",
            ("top_cited",),
            ("collaboration_pairs", "collaboration_pairs_yearly", "collaboration_countries"),
        ),
        _indicator(
            "city_subfield",
            "city x subfield papers, core scholars and institutions, partners, concentration",
            ("output_impact",),
            (
                "paper_subfields",
                "city_subfield_year",
                "city_comparison",
                "core_scholars",
                "core_scholar_collaborators",
                "core_institutions",
                "core_institution_partners",
                "city_institution_edges",
                "collaboration_concentration",
            ),
        ),
        _indicator(
            "topic_lens",
            "country rankings of papers, top-1% papers and patents within each configured topic",
            ("top_cited",),
            ("topic_papers", "topic_country_rankings", "topic_patent_rankings"),
        ),
        _indicator(
            "top_teams",
            "the top institutions by h5-index with their key members and main topics",
            ("institution_h5", "talent"),
            ("institution_key_members",),
        ),
    )
}

GOLD_TABLES: tuple[str, ...] = tuple(t for stage in STAGES.values() if stage.layer == "gold" for t in stage.writes)


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
        "since": ctx.since,
        "warehouse": ctx.warehouse.root,
        "started": datetime.now(timezone.utc).isoformat(),
        "stages": {},
        "status": "running",
    }
    if any(STAGES[s].needs_input for s in stage_names) and not ctx.input_dir:
        raise PipelineError("the ingest stages need --input DIR")
    if ctx.input_dir and not Path(ctx.input_dir).exists() and "://" not in ctx.input_dir:
        raise PipelineError(f"input directory {ctx.input_dir} does not exist")
    lock = audit.WarehouseLock(ctx.warehouse.root, ctx.run_id, ctx.config.run.lock_lease_seconds)
    lock.acquire(ctx.spark)  # raises WarehouseLocked: nothing was written, no record to leave
    log.info("run %s: stages %s%s", ctx.run_id, " -> ".join(stage_names), " (incremental)" if ctx.incremental else "")
    total = time.monotonic()
    try:
        record["input_snapshot"] = audit.input_snapshot(ctx.spark, ctx.input_dir)
        for index, name in enumerate(stage_names, 1):
            interrupt.check()  # a stop requested between two stages
            log.info("[%d/%d] %s: start", index, len(stage_names), name)
            # Spark jobs carry the stage as their group: the Spark UI, its REST API and the event
            # log tell which pipeline stage ran a job (bench/pipeline.py sums shuffle bytes by it).
            ctx.spark.sparkContext.setJobGroup(f"scintel:{name}", f"{ctx.run_id} [{index}/{len(stage_names)}] {name}")
            started = time.monotonic()
            outcome = STAGES[name].run(ctx)
            seconds = round(time.monotonic() - started, 1)
            record["stages"][name] = {"seconds": seconds, **outcome}
            versions = outcome.get("versions") or {}
            written = f"; wrote {', '.join(f'{t} v{v}' for t, v in versions.items())}" if versions else ""
            log.info("[%d/%d] %s: done in %.1fs%s", index, len(stage_names), name, seconds, written)
        record["status"] = "succeeded"
    except BaseException as err:
        # Stopped from outside: a SIGTERM (jobs/interrupt.py: its Spark jobs were cancelled, so
        # err is the cancelled job's error) or Ctrl-C (PySpark's KeyboardInterrupt, raised in
        # the middle of a py4j call: that call's connection is dropped, its jobs cancelled).
        stop = interrupt.requested() or (err if isinstance(err, (RunInterrupted, KeyboardInterrupt)) else None)
        interrupt.acknowledge()
        if stop is None:
            record["status"] = "failed"
            record["error"] = f"{type(err).__name__}: {err}"
            raise
        record["status"] = "interrupted"
        record["error"] = str(stop) or "stopped by SIGINT"
        log.warning("run %s interrupted (%s)", ctx.run_id, record["error"])
        if isinstance(err, KeyboardInterrupt):
            abandon_interrupted_call(ctx.spark)
            ctx.spark.sparkContext.cancelAllJobs()
        if stop is err:
            raise
        raise stop from err
    finally:
        ctx.spark.sparkContext.setJobGroup("scintel:record", f"{ctx.run_id} run record")
        record["seconds"] = round(time.monotonic() - total, 1)
        try:
            _write_record(ctx.spark, ctx.warehouse, record)
            audit.append_record(ctx.spark, ctx.warehouse.root, record)
        finally:
            lock.release(ctx.spark)
            for key in ("spark.jobGroup.id", "spark.job.description"):
                ctx.spark.sparkContext.setLocalProperty(key, None)  # later jobs of the session are not ours
    return record


def _write_record(spark: SparkSession, warehouse: Warehouse, record: dict) -> None:
    """<warehouse>/_runs/<run id>.json, through Hadoop's FileSystem (local, file://, hdfs://, s3a://)."""
    target = f"{warehouse.root.rstrip('/')}/_runs/{record['run_id']}.json"
    hadoop_fs.write_text(spark, target, json.dumps(record, indent=2, default=str) + "\n")
    log.info("run record: %s", target)
