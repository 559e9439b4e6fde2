"""Nightly incremental recomputation: a second delivery MERGEd into a warehouse gives the same
canonical and gold tables as a full run over the merged corpus; rerunning a delivery changes
nothing.

Delivery 1 is a generated corpus. Delivery 2, built from it by jobs/generate/delivery.py, holds:
- updated works (new title, one reference fewer, cited_by_count + 5, a later updated_date),
- one stale copy of a work (an older updated_date and another title): the MERGE must ignore it,
- new works citing existing ones,
- works removed through merged_ids/works/ (OpenAlex's CSV layout),
- updated, new and removed patents.
The merged corpus a full run reads is assembled independently from the same pieces.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pyspark.sql import DataFrame

from jobs import config as cfg
from jobs import pipeline
from jobs.frames import differing_rows
from jobs.generate.corpus import generate_corpus
from jobs.generate.delivery import second_delivery
from jobs.ingest.common import SOURCE_FILE
from jobs.warehouse import Warehouse
from tests.configs import TEST_JIT_OPTION, ungated_config, ungated_stages

N_PAPERS = 1000


def _deliveries(spark, root):
    """(delivery 1 dir, delivery 2 dir, merged corpus dir) and the sizes of delivery 2's parts."""
    first = root / "delivery1"
    generate_corpus(spark, str(first), N_PAPERS, 21)
    delivery = second_delivery(spark, first, root)
    return first, delivery.second, delivery.merged, delivery.sizes


@pytest.fixture(scope="module")
def runs(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    first, second, merged, sizes = _deliveries(spark, root)
    config = ungated_config()
    everything = pipeline.plan([])
    incremental_wh = Warehouse(str(root / "wh_incremental"))
    # Delivery 1 needs only its ingest: the nightly run recomputes every gold table anyway.
    pipeline.run(pipeline.RunContext(spark, config, str(first), incremental_wh), pipeline.plan(INGEST, only=True))
    before_nightly = root / "wh_before_nightly"
    shutil.copytree(incremental_wh.root, before_nightly)
    nightly = pipeline.run(pipeline.RunContext(spark, config, str(second), incremental_wh, incremental=True), everything)
    full_wh = Warehouse(str(root / "wh_full"))
    # The reference run skips the silver gate (the nightly one runs it): it writes no table.
    reference = ungated_stages(everything)
    full = pipeline.run(pipeline.RunContext(spark, config, str(merged), full_wh), pipeline.plan(reference, only=True))
    return {
        "incremental": incremental_wh,
        "full": full_wh,
        "nightly": nightly,
        "full_record": full,
        "sizes": sizes,
        "second": second,
        "before_nightly": before_nightly,
    }


INGEST = ["ingest_openalex", "ingest_patents"]


def _normalised(df: DataFrame) -> DataFrame:
    """Arrays sorted where order is not meaningful would hide bugs; keep them, but drop the
    provenance columns that legitimately differ (which file a record came from: quarantine's
    source_file, bronze's _source_file)."""
    return df.drop("source_file", SOURCE_FILE)


def _assert_same_table(spark, left: Warehouse, right: Warehouse, table: str, layer: str) -> None:
    """Equal as multisets of rows, doubles to 1e-9, maps by their entries: one Spark job."""
    differing = differing_rows(_normalised(left.read(spark, table, layer)), _normalised(right.read(spark, table, layer)))
    sample = differing.limit(10).collect()
    assert not sample, f"{layer}/{table}: rows whose copies differ (left = {left.root}):\n" + "\n".join(map(str, sample))


def test_merge_metrics_match_the_delivery(runs):
    sizes = runs["sizes"]
    assert min(sizes.values()) > 0, sizes  # every kind of change is exercised
    works = runs["nightly"]["stages"]["ingest_openalex"]["bronze"]["works"]
    assert works["mode"] == "merge"
    assert works["metrics"]["numTargetRowsInserted"] == sizes["new"]
    assert works["metrics"]["numTargetRowsUpdated"] == sizes["updated"]  # the stale copy is not applied
    assert works["metrics"]["numTargetRowsDeleted"] == sizes["removed"]
    # Deletion vectors mark the replaced and deleted rows: no unchanged record is rewritten.
    assert works["metrics"]["numTargetRowsCopied"] == 0 and works["metrics"]["numTargetDeletionVectorsAdded"] > 0
    patents = runs["nightly"]["stages"]["ingest_patents"]["bronze"]["patents"]
    assert patents["metrics"]["numTargetRowsInserted"] == sizes["patents_new"]
    assert patents["metrics"]["numTargetRowsUpdated"] == sizes["patents_updated"]
    assert patents["metrics"]["numTargetRowsDeleted"] == sizes["patents_removed"]
    papers = runs["nightly"]["stages"]["ingest_openalex"]["rows"]["papers"]
    assert papers["read"] == sizes["updated"] + sizes["new"] + 1 and papers["quarantined"] == 0


def test_incremental_equals_full_recomputation(spark, runs):
    incremental, full = runs["incremental"], runs["full"]
    assert runs["full_record"]["status"] == runs["nightly"]["status"] == "succeeded"
    compared = 0
    for layer in ("bronze", "silver", "gold"):
        tables = full.list_tables(spark)[layer]
        assert tables == incremental.list_tables(spark)[layer], layer
        for table in tables:
            if table == "quarantine":
                continue  # holds each delivery's rejects with their files: see the next test
            _assert_same_table(spark, incremental, full, table, layer)
            compared += 1
    assert compared >= 25


def test_rerunning_a_delivery_changes_nothing(spark, runs, tmp_path):
    """Idempotence: the same delivery MERGEd again leaves bronze, silver and quarantine as they were."""
    warehouse = runs["incremental"]
    before = Warehouse(str(tmp_path / "before"))
    shutil.copytree(warehouse.root, before.root)
    ctx = pipeline.RunContext(spark, ungated_config(), str(runs["second"]), warehouse, incremental=True)
    record = pipeline.run(ctx, pipeline.plan(INGEST, only=True))
    again = record["stages"]["ingest_openalex"]["bronze"]["works"]["metrics"]
    assert again["numTargetRowsInserted"] == 0 and again["numTargetRowsDeleted"] == 0
    for layer in ("bronze", "silver"):
        for table in before.list_tables(spark)[layer]:
            _assert_same_table(spark, warehouse, before, table, layer)


def _tables(warehouse: Warehouse) -> list[tuple[str, str]]:
    """(layer, table) of every Delta table of the warehouse's layers (not _audit/runs)."""
    from jobs.warehouse import LAYERS

    root = Path(warehouse.root)
    return sorted((p.parent.parent.name, p.parent.name) for p in root.glob("*/*/_delta_log") if p.parent.parent.name in LAYERS)


def _java_tool_options() -> str:
    """The environment's JAVA_TOOL_OPTIONS, if any, followed by the short-lived JVMs' JIT option."""
    return " ".join(filter(None, (os.environ.get("JAVA_TOOL_OPTIONS"), TEST_JIT_OPTION)))


def _start_nightly(runs, tmp_path: Path) -> tuple[Warehouse, subprocess.Popen]:
    """The nightly incremental run as a driver process of its own (in its own process group, so
    that a test can signal the driver alone or with the JVM it starts), on a copy of the
    warehouse as it stood before the nightly run; its output is one text stream."""
    warehouse = Warehouse(str(tmp_path / "wh"))
    shutil.copytree(runs["before_nightly"], warehouse.root)
    command = [
        sys.executable,
        "-m",
        "jobs.cli",
        "run",
        "--incremental",
        "--input",
        str(runs["second"]),
        "--warehouse",
        warehouse.root,
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # Its JVM is short-lived: C1 only (tests/configs.py), added to any JAVA_TOOL_OPTIONS the
        # environment already sets. The JVM prints a "Picked up" line for it into the output.
        env={**os.environ, "PYSPARK_PYTHON": sys.executable, "JAVA_TOOL_OPTIONS": _java_tool_options()},
        start_new_session=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return warehouse, process


def test_killed_mid_write_leaves_readable_tables_and_the_rerun_converges(spark, runs, tmp_path):
    """The nightly run as a separate driver process, SIGKILLed (driver and its JVM) right after
    its first canonical table is written, i.e. while the next one is being written. Every table
    stays readable at a committed version, the dead run's lock is taken over, and a rerun of the
    delivery converges to the tables of the uninterrupted nightly run."""
    warehouse, process = _start_nightly(runs, tmp_path)
    seen, killed = [], False
    deadline = time.monotonic() + 600
    for line in process.stdout:
        seen.append(line)
        if "wrote silver/papers" in line:
            os.killpg(process.pid, signal.SIGKILL)  # the driver and the JVM it started
            killed = True
            break
        assert time.monotonic() < deadline, "the run never reached its first canonical write"
    process.wait(timeout=60)
    assert killed, "".join(seen[-20:])
    assert process.returncode == -signal.SIGKILL
    assert (Path(warehouse.root) / "_lock").exists()  # the dead run's lock is still there

    for layer, table in _tables(warehouse):
        warehouse.read(spark, table, layer).count()  # every table reads at its last committed version
    spark.read.format("delta").load(f"{warehouse.root}/_audit/runs").count()  # and so does the audit table

    # The rerun: the ingest stages, whose tables every indicator is a function of (the gold
    # side of "incremental == full" is checked above).
    record = pipeline.run(
        pipeline.RunContext(spark, ungated_config(), str(runs["second"]), warehouse, incremental=True),
        pipeline.plan(INGEST, only=True),
    )
    assert record["status"] == "succeeded"
    assert not (Path(warehouse.root) / "_lock").exists()
    for layer in ("bronze", "silver"):
        for table in runs["incremental"].list_tables(spark)[layer]:
            _assert_same_table(spark, warehouse, runs["incremental"], table, layer)


def test_sigterm_cancels_the_run_records_it_as_interrupted_and_releases_the_lock(spark, runs, tmp_path):
    """A scheduler stopping the nightly run (SIGTERM to the driver process, not its JVM): the
    run cancels its Spark jobs, leaves a run record and an audit row saying `interrupted`,
    removes its lock and exits 143; the tables stay readable at committed versions."""
    warehouse, process = _start_nightly(runs, tmp_path)
    seen, sent = [], False
    deadline = time.monotonic() + 600
    for line in process.stdout:
        seen.append(line)
        if not sent and "wrote silver/papers" in line:
            process.send_signal(signal.SIGTERM)
            sent = True
        assert time.monotonic() < deadline, "the run never reached its first canonical write"
    process.wait(timeout=120)
    output = "".join(seen)
    assert sent and process.returncode == 143, output[-3000:]
    assert "scintel: interrupted: stopped by SIGTERM" in output
    assert re.search(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} INFO jobs.pipeline: run ", output, re.M)  # dated log lines
    assert not (Path(warehouse.root) / "_lock").exists()
    records = [json.loads(p.read_text()) for p in (Path(warehouse.root) / "_runs").glob("*.json")]
    interrupted = [r for r in records if r["status"] == "interrupted"]
    assert len(interrupted) == 1 and interrupted[0]["error"] == "stopped by SIGTERM"
    assert "ingest_openalex" not in interrupted[0]["stages"]  # stopped inside its first stage
    audit_rows = spark.read.format("delta").load(f"{warehouse.root}/_audit/runs").where("status = 'interrupted'").collect()
    assert [r.run_id for r in audit_rows] == [interrupted[0]["run_id"]]
    for layer, table in _tables(warehouse):
        warehouse.read(spark, table, layer).count()


def test_a_second_run_on_a_busy_warehouse_fails_cleanly(spark, runs, tmp_path, capsys):
    """A live run's lock (this very process) makes another run refuse to start: exit code 5,
    one line naming the holder, nothing written."""
    from jobs import audit, cli

    warehouse = Warehouse(str(tmp_path / "busy"))
    lock = audit.WarehouseLock(warehouse.root, "holder-run")
    lock.acquire(spark)
    try:
        with pytest.raises(audit.WarehouseLocked, match="holder-run"):
            pipeline.run(
                pipeline.RunContext(spark, cfg.load(), str(runs["second"]), warehouse), pipeline.plan(["golden_cross"], only=True)
            )
        assert cli.main(["run", "golden_cross", "--only", "--warehouse", warehouse.root]) == 5
        err = capsys.readouterr().err
        assert "in use by another run" in err and "holder-run" in err and "Traceback" not in err
    finally:
        lock.release(spark)
    assert not (Path(warehouse.root) / "_lock").exists()
    assert _tables(warehouse) == []


def test_every_run_leaves_an_audit_row(spark, runs):
    audit_df = spark.read.format("delta").load(f"{runs['incremental'].root}/_audit/runs")
    rows = {r.run_id: r for r in audit_df.collect()}
    nightly = rows[runs["nightly"]["run_id"]]
    assert nightly.status == "succeeded" and nightly.incremental is True
    assert nightly.input_files > 0 and nightly.input_digest
    assert nightly.versions["ingest_openalex.papers"] >= 1  # the nightly wrote a new version
    assert nightly.quality_passed is True
    assert json.loads(nightly.record)["run_id"] == nightly.run_id
