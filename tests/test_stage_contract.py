"""The stage contract, checked in seconds without Spark: every stage's tables have a schema
(schemas/gold.py) and a quality suite (data_quality/suites.py), every indicator stage has its
module, the pipeline benchmark knows every stage's inputs, and a stage that breaks its contract
at run time (a table it does not name, one it skips, a changed column) fails with the reason.
Errors a user can fix carry their exit code (jobs/errors.py)."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import pytest
from pyspark.sql import types as T

from data_quality.suites import GOLD_SUITES
from jobs import pipeline
from jobs.warehouse import Warehouse
from schemas.gold import GOLD

ROOT = Path(__file__).resolve().parents[1]


def test_every_gold_table_has_one_stage_a_schema_and_a_suite():
    named = [t for stage in pipeline.STAGES.values() if stage.layer == "gold" for t in stage.writes]
    assert len(named) == len(set(named))  # one stage writes a table
    assert set(named) == set(GOLD)  # a schema for every named table, none for a table nobody writes
    assert set(named) <= set(GOLD_SUITES)  # the gold gate has a suite for each
    assert set(GOLD_SUITES) - set(named) == set()


def test_every_indicator_stage_has_its_module_and_names_its_tables():
    for stage in pipeline.STAGES.values():
        if stage.layer == "gold":
            assert stage.writes, stage.name
            module = importlib.import_module(f"jobs.indicators.{stage.name}")
            assert callable(module.run), stage.name
        for need in stage.needs:
            assert list(pipeline.STAGES).index(need) < list(pipeline.STAGES).index(stage.name)


def test_the_pipeline_benchmark_knows_every_stage_and_table():
    spec = importlib.util.spec_from_file_location("bench_common", ROOT / "bench" / "common.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert set(bench.STAGE_INPUTS) == set(pipeline.STAGES)
    readable = {f"silver:{t}" for t in pipeline.SILVER_TABLES} | {f"gold:{t}" for t in GOLD}
    assert {t for inputs in bench.STAGE_INPUTS.values() for t in inputs if not t.startswith("raw:")} <= readable


def _written(stage: pipeline.Stage, schemas: dict[str, T.StructType]) -> tuple[dict, Warehouse]:
    warehouse = Warehouse("/nowhere")
    for table, schema in schemas.items():
        warehouse.written[(stage.layer, table)] = schema
    return {table: 0 for table in schemas}, warehouse


def test_a_stage_that_keeps_its_contract_passes():
    stage = pipeline.STAGES["collaboration"]
    versions, warehouse = _written(stage, {t: GOLD[t] for t in stage.writes})
    pipeline._check_writes(stage, versions, warehouse)


def test_a_stage_that_breaks_its_contract_fails_with_the_reason():
    stage = pipeline.STAGES["collaboration"]
    schemas = {t: GOLD[t] for t in stage.writes if t != "collaboration_countries"}
    schemas["collaboration_pairs"] = T.StructType([*GOLD["collaboration_pairs"].fields[:-1], T.StructField("rank", T.LongType())])
    schemas["stray_table"] = T.StructType([T.StructField("x", T.StringType())])
    versions, warehouse = _written(stage, schemas)
    with pytest.raises(pipeline.PipelineError) as err:
        pipeline._check_writes(stage, versions, warehouse)
    message = str(err.value)
    assert "wrote ['stray_table'], not named" in message
    assert "did not write ['collaboration_countries']" in message
    assert "collaboration_pairs has columns" in message and "('rank', 'bigint')" in message and "('rank', 'int')" in message


def test_errors_carry_their_exit_codes():
    from data_quality.gate import QualityGateFailed
    from jobs.audit import WarehouseLocked
    from jobs.cli import _exit_code
    from jobs.config import ConfigError
    from jobs.ingest.common import IngestError, RejectRatioExceeded

    assert _exit_code(RejectRatioExceeded("x")) == 4
    assert _exit_code(IngestError("mentions max_reject_ratio but is another failure")) == 1  # the type decides, not the text
    assert _exit_code(ConfigError("x")) == 1
    assert _exit_code(pipeline.PipelineError("x")) == 1
    assert _exit_code(WarehouseLocked("x")) == 5
    assert QualityGateFailed.exit_code == 3
    assert _exit_code(FileNotFoundError("x")) == 1
    assert _exit_code(ZeroDivisionError()) is None  # a bug propagates with its trace
