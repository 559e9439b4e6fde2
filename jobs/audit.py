"""The run audit table and the warehouse lock.

Audit: every `scintel run` appends one row to the Delta table `<warehouse>/_audit/runs`
(run id, status, config path and digest, input snapshot, incremental or not, per-stage seconds,
rows and Delta versions, quality verdicts, error), so "which input and config produced gold
version N?" has an answer: `spark.read.format("delta").load("<warehouse>/_audit/runs")`.
An append is one Delta commit: concurrent runs cannot corrupt it.

Lock: one run at a time per warehouse. The lock is a file `<warehouse>/_lock` created
atomically (O_EXCL on a local file system, `create(overwrite=false)` through Hadoop on HDFS,
which is atomic there; on object stores without atomic create, run one scheduler per warehouse).
A second run fails at once, naming the holder. The holder refreshes the lock with a heartbeat;
a lock whose heartbeat is older than `run.lock_lease_seconds` (a run killed on any host), or
whose process died on this host, is taken over with a warning.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import threading
from dataclasses import dataclass, field
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


def read_runs(spark: SparkSession, root: str):
    """The audit table's rows, newest first, or None when no run was ever recorded in root."""
    from delta.tables import DeltaTable
    from pyspark.sql import functions as F

    path = audit_path(root)
    if not DeltaTable.isDeltaTable(spark, path):
        return None
    table = spark.read.format("delta").load(path)
    return table.select(
        "run_id",
        "status",
        "started",
        "seconds",
        "incremental",
        F.size("stages").alias("stages"),
        "quality_passed",
        "input",
        "error",
        "record",
    ).orderBy(F.col("started").desc(), F.col("run_id").desc())


def last_partitions(spark: SparkSession, root: str) -> dict[str, str]:
    """entity -> the newest updated_date partition the last successful run that ingested OpenAlex
    read ({} when none did). One row reaches the driver."""
    from pyspark.sql import functions as F

    runs = read_runs(spark, root)
    if runs is None:
        return {}
    partitions = F.get_json_object("record", "$.stages.ingest_openalex.partitions")
    row = runs.where((F.col("status") == "succeeded") & partitions.isNotNull()).select(partitions.alias("p")).first()
    return json.loads(row["p"]) if row else {}


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
    """One run at a time per warehouse: the file <warehouse>/_lock, created atomically, naming its
    holder (run id, host, pid) and refreshed by a heartbeat while the run lasts.

    The holder rewrites the lock's `heartbeat` every lease/4 seconds from a daemon thread. A lock
    whose heartbeat is older than the lease belongs to a run that is gone (killed on any host,
    its machine lost): the next run takes it over with a warning. A lock held by a dead process
    on this host is taken over at once. Taking over renames the stale lock aside (atomic on a
    local file system and HDFS, so of two runs racing for it one wins), checks that what it moved
    is the lock it judged stale, and creates its own.
    """

    root: str
    run_id: str
    lease_seconds: float = 600.0
    _beat: threading.Event | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def path(self) -> str:
        return f"{self.root.rstrip('/')}/_lock"

    def _local(self) -> Path | None:
        root = self.root.removeprefix("file://").removeprefix("file:")
        return None if "://" in root else Path(root) / "_lock"

    def _body(self, since: str | None = None) -> str:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        return json.dumps(
            {
                "run_id": self.run_id,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "since": since or now,
                "heartbeat": now,
                "lease_seconds": self.lease_seconds,
            }
        )

    def acquire(self, spark: SparkSession) -> None:
        body = self._body()
        for attempt in (1, 2):
            if self._create(spark, body):
                self._start_heartbeat(spark, json.loads(body)["since"])
                return
            holder = self._holder(spark)
            stale = _stale_reason(holder, self.lease_seconds)
            if attempt == 1 and stale and self._set_aside(spark, holder):
                log.warning("taking over the lock of run %s (%s)", holder.get("run_id"), stale)
                continue
            raise WarehouseLocked(_locked_message(self.path, holder, self.lease_seconds))

    def release(self, spark: SparkSession) -> None:
        """Stop the heartbeat and remove the lock if it is still this run's."""
        if self._beat is not None:
            self._beat.set()
        if self._holder(spark).get("run_id") == self.run_id:
            local = self._local()
            if local is not None:
                local.unlink(missing_ok=True)
            else:
                hadoop_fs.delete(spark, self.path)

    # --- the file, on a local file system or through Hadoop's FileSystem ----------------------

    def _create(self, spark: SparkSession, body: str) -> bool:
        local = self._local()
        if local is not None:
            local.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(local, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                return False
            with os.fdopen(fd, "w") as handle:
                handle.write(body)
            return True
        if hadoop_fs.exists(spark, self.path):
            return False
        try:
            hadoop_fs.write_text(spark, self.path, body, overwrite=False)
        except hadoop_fs.CannotCreate:  # created by another run between the check and the create
            return False
        return True

    def _holder(self, spark: SparkSession) -> dict:
        local = self._local()
        if local is not None:
            return _parse(lambda: local.read_text())
        return _parse(lambda: hadoop_fs.read_text(spark, self.path))

    def _set_aside(self, spark: SparkSession, holder: dict) -> bool:
        """Move the stale lock to _lock.stale-<this run>; False when another run got there first."""
        aside = f"{self.path}.stale-{self.run_id}"
        local = self._local()
        try:
            if local is not None:
                os.rename(local, local.with_name(f"_lock.stale-{self.run_id}"))
                moved = _parse(lambda: local.with_name(f"_lock.stale-{self.run_id}").read_text())
            else:
                if not hadoop_fs.rename(spark, self.path, aside):
                    return False
                moved = _parse(lambda: hadoop_fs.read_text(spark, aside))
        except OSError:
            return False
        if moved != holder:  # another run took the lock over in between: its fresh lock goes back
            if local is not None:
                os.rename(local.with_name(f"_lock.stale-{self.run_id}"), local)
            else:
                hadoop_fs.rename(spark, aside, self.path)
            return False
        if local is not None:
            local.with_name(f"_lock.stale-{self.run_id}").unlink(missing_ok=True)
        else:
            hadoop_fs.delete(spark, aside)
        return True

    def _start_heartbeat(self, spark: SparkSession, since: str) -> None:
        stop = threading.Event()
        self._beat = stop
        interval = max(1.0, self.lease_seconds / 4)

        def beat() -> None:
            while not stop.wait(interval):
                try:
                    if self._holder(spark).get("run_id") != self.run_id:
                        log.warning("the warehouse lock is no longer this run's: heartbeat stopped")
                        return
                    self._rewrite(spark, self._body(since))
                except Exception as err:  # a missed beat is retried; the lease allows three more
                    log.warning("could not refresh the warehouse lock: %s", str(err).splitlines()[0])

        threading.Thread(target=beat, name=f"scintel-lock-{self.run_id}", daemon=True).start()

    def _rewrite(self, spark: SparkSession, body: str) -> None:
        local = self._local()
        if local is None:
            hadoop_fs.write_text(spark, self.path, body, overwrite=True)
            return
        tmp = local.with_name(f"_lock.beat-{self.run_id}")
        tmp.write_text(body)
        os.replace(tmp, local)  # readers see the old body or the new one, never half of one


def _parse(read) -> dict:
    try:
        value = json.loads(read() or "{}")
    except Exception:  # gone, unreadable, or half-written by an older scintel
        return {}
    return value if isinstance(value, dict) else {}


def _stale_reason(holder: dict, lease_seconds: float) -> str | None:
    """Why the holder's run is gone, or None when it may be alive."""
    if _dead_on_this_host(holder):
        return f"its process {holder.get('pid')} on this host is gone"
    stamp = holder.get("heartbeat") or holder.get("since")
    try:
        age = (datetime.now(timezone.utc) - datetime.fromisoformat(stamp)).total_seconds()
    except (TypeError, ValueError):
        return None
    if age > lease_seconds:
        return f"no heartbeat from {holder.get('host')} for {age:.0f}s, longer than the {lease_seconds:.0f}s lease"
    return None


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


def _locked_message(path: str, holder: dict, lease_seconds: float) -> str:
    who = ", ".join(f"{k} {v}" for k, v in holder.items() if k != "lease_seconds") or "unknown holder"
    return (
        f"the warehouse is in use by another run ({who}); wait for it to finish. A run that stops "
        f"refreshing its lock is taken over after {lease_seconds:.0f}s (run.lock_lease_seconds); "
        f"to take over now, check that the run is gone, remove {path} and rerun"
    )
