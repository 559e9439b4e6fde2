"""The run audit table and the warehouse lock.

Audit: every `scintel run` appends one row to the Delta table `<warehouse>/_audit/runs`
(run id, status, config path and digest, input snapshot, incremental or not, per-stage seconds,
rows and Delta versions, quality verdicts, error), so "which input and config produced gold
version N?" has an answer: `spark.read.format("delta").load("<warehouse>/_audit/runs")`.
An append is one Delta commit: concurrent runs cannot corrupt it.

Lock: one run at a time per warehouse. The lock is a file `<warehouse>/_lock` created
atomically (O_EXCL on a local file system, `create(overwrite=false)` through Hadoop on HDFS,
which is atomic there; on object stores without atomic create, run one scheduler per warehouse).
A second run fails at once, naming the holder. A lock left by a process that died on this host
is taken over with a warning; a lock from another host must be removed by hand after checking
that its run is gone (the message says how).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import types as T

from jobs import hadoop_fs
from jobs.errors import ScintelError

log = logging.getLogger(__name__)

AUDIT_SCHEMA = T.StructType(
    [
        T.StructField("run_id", T.StringType(), False),
        T.StructField("status", T.StringType(), False),
        T.StructField("started", T.TimestampType(), True),
        T.StructField("seconds", T.DoubleType(), True),
        T.StructField("config", T.StringType(), True),
        T.StructField("config_digest", T.StringType(), True),
        T.StructField("input", T.StringType(), True),
        T.StructField("input_files", T.LongType(), True),
        T.StructField("input_bytes", T.LongType(), True),
        T.StructField("input_digest", T.StringType(), True),
        T.StructField("incremental", T.BooleanType(), True),
        T.StructField("stages", T.ArrayType(T.StringType()), True),
        T.StructField("versions", T.MapType(T.StringType(), T.LongType()), True),
        T.StructField("quality_passed", T.BooleanType(), True),
        T.StructField("error", T.StringType(), True),
        T.StructField("record", T.StringType(), True),  # the whole run record as JSON
    ]
)


class WarehouseLocked(ScintelError, RuntimeError):
    """Another run holds the warehouse's lock."""

    exit_code = 5


def audit_path(root: str) -> str:
    return f"{root.rstrip('/')}/_audit/runs"


def input_snapshot(spark: SparkSession, input_dir: str | None) -> dict:
    """Files under the input (name, size, modification time) summed up and digested: enough to
    tell whether two runs read the same delivery. Only file metadata reaches the driver."""
    if not input_dir:
        return {"files": 0, "bytes": 0, "digest": None}
    files = hadoop_fs.list_files(spark, input_dir)
    if files is None:
        return {"files": 0, "bytes": 0, "digest": None}
    entries = sorted(f"{f.path}\t{f.size}\t{f.modified}" for f in files)
    digest = hashlib.sha256("\n".join(entries).encode()).hexdigest()[:16]
    return {"files": len(entries), "bytes": sum(int(e.split("\t")[1]) for e in entries), "digest": digest}


def append_record(spark: SparkSession, root: str, record: dict) -> None:
    """One row per run in <warehouse>/_audit/runs (append: one Delta commit)."""
    versions = {
        f"{stage}.{table}": int(version)
        for stage, outcome in record.get("stages", {}).items()
        for table, version in (outcome.get("versions") or {}).items()
    }
    quality = [o["quality"]["passed"] for o in record.get("stages", {}).values() if "quality" in o]
    snapshot = record.get("input_snapshot") or {}
    row = (
        record["run_id"],
        record["status"],
        datetime.fromisoformat(record["started"]),
        float(record.get("seconds") or 0.0),
        record.get("config"),
        record.get("config_digest"),
        record.get("input"),
        snapshot.get("files"),
        snapshot.get("bytes"),
        snapshot.get("digest"),
        bool(record.get("incremental")),
        list(record.get("stages", {})),
        versions,
        all(quality) if quality else None,
        record.get("error"),
        json.dumps(record, default=str),
    )
    spark.createDataFrame([row], AUDIT_SCHEMA).write.format("delta").mode("append").save(audit_path(root))


@dataclass
class WarehouseLock:
    root: str
    run_id: str

    @property
    def path(self) -> str:
        return f"{self.root.rstrip('/')}/_lock"

    def _local(self) -> Path | None:
        root = self.root.removeprefix("file://").removeprefix("file:")
        return None if "://" in root else Path(root) / "_lock"

    def acquire(self, spark: SparkSession) -> None:
        body = json.dumps(
            {
                "run_id": self.run_id,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "since": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
        )
        local = self._local()
        if local is not None:
            local.parent.mkdir(parents=True, exist_ok=True)
            for attempt in (1, 2):
                try:
                    fd = os.open(local, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
                except FileExistsError:
                    holder = _read_holder(local)
                    if attempt == 1 and _dead_on_this_host(holder):
                        log.warning(
                            "taking over the lock of run %s: its process %s on this host is gone",
                            holder.get("run_id"),
                            holder.get("pid"),
                        )
                        local.unlink(missing_ok=True)
                        continue
                    raise WarehouseLocked(_locked_message(self.path, holder)) from None
                with os.fdopen(fd, "w") as handle:
                    handle.write(body)
                return
        try:
            hadoop_fs.write_text(spark, self.path, body, overwrite=False)
        except hadoop_fs.CannotCreate as err:  # the lock file exists (FileAlreadyExistsException) or cannot be made
            raise WarehouseLocked(_locked_message(self.path, {"detail": str(err).splitlines()[0]})) from None

    def release(self, spark: SparkSession) -> None:
        local = self._local()
        if local is not None:
            if _read_holder(local).get("run_id") == self.run_id:
                local.unlink(missing_ok=True)
            return
        hadoop_fs.delete(spark, self.path)


def _read_holder(path: Path) -> dict:
    try:
        return json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        return {}


def _dead_on_this_host(holder: dict) -> bool:
    if holder.get("host") != socket.gethostname() or not isinstance(holder.get("pid"), int):
        return False
    try:
        os.kill(holder["pid"], 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _locked_message(path: str, holder: dict) -> str:
    who = ", ".join(f"{k} {v}" for k, v in holder.items()) or "unknown holder"
    return f"the warehouse is in use by another run ({who}); wait for it to finish. If that run is dead, remove {path} and rerun"
