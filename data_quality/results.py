"""Where a gate's results are written: `<warehouse.quality_dir>/<run_id>/`, holding

    <stage>/<table>.json    one table's checks, plus GE's own validation results ("all", "failed")
    <stage>/summary.json    the gate's verdict and every failing check
    data_docs/index.html    GE data docs for every stage gated so far in this run (ge_runner)
    _gx/validations/        GE's validation results store, which data docs are built from

Great Expectations works on local files, so when the warehouse is a remote URI (hdfs://, s3a://,
file:) the gate writes into a local staging directory per run and `publish` copies it to the
warehouse with Hadoop's FileSystem afterwards; data docs then cover the stages this driver
process gated. A local warehouse path is written in place and publish does nothing.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict
from pathlib import Path

from pyspark.sql import SparkSession

from data_quality.outcome import CheckOutcome
from jobs import hadoop_fs


def is_local(uri: str) -> bool:
    return "://" not in uri and not uri.startswith("file:")


def staging_root(target: str, run_id: str) -> Path:
    """The local directory the gate writes into: target itself when it is a local path, else one
    staging directory per run id, so a later stage of the same run finds the earlier results
    (and GE's data docs list them)."""
    if is_local(target):
        return Path(target)
    return Path(tempfile.gettempdir()) / "scintel-quality" / run_id


def write_table(
    root: Path, run_id: str, stage: str, table: str, seconds: float, rows: list[CheckOutcome], ge_json: dict | None
) -> None:
    """`<stage>/<table>.json`: the table's checks and GE's validation results (None when GE did
    not run: a missing table, or GE itself failed)."""
    write_json(
        root / stage / f"{table}.json",
        {
            "run_id": run_id,
            "stage": stage,
            "table": table,
            "success": all(row.success for row in rows),
            "seconds": seconds,
            "checks": [asdict(row) for row in rows],
            "great_expectations": ge_json,
        },
    )


def write_summary(root: Path, stage: str, summary: dict) -> None:
    """`<stage>/summary.json`: the gate's verdict (GateResult.to_dict)."""
    write_json(root / stage / "summary.json", summary)


def write_json(path: Path, body: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, indent=2, default=str))


def publish(spark: SparkSession, root: Path, target: str) -> None:
    """Copy the staging tree to a remote target; a local target was written in place."""
    if not is_local(target):
        upload(spark, root, target)


def upload(spark: SparkSession, local_root: Path, target: str) -> None:
    """Copy the staging tree file by file through Hadoop's FileSystem (hdfs, s3a, file), each file
    overwriting its copy, so a later stage of the run re-uploads the data docs it extended."""
    hadoop_fs.upload_tree(spark, local_root, target)
