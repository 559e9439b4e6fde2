"""Delta upkeep of a warehouse: `scintel maintain` (and, when configured, after a successful run).

Every run rewrites its tables, so each nightly leaves the previous versions' files behind and
the transaction logs grow. For every Delta table of the warehouse (bronze, silver, gold and the
audit table), in one pass:

1. table properties: `delta.logRetentionDuration` and `delta.deletedFileRetentionDuration` from
   the config (`maintenance`), so that time travel (`scintel show TABLE --version N`) reaches
   back as far as the config says and no further; on a Z-ordered table also
   `delta.dataSkippingStatsColumns`, its keys (the statistics Z-ordering relies on);
2. OPTIMIZE: small files compacted into large ones; the tables named in
   `maintenance.zorder` are Z-ordered by their join keys (authorships by author_id...), so a
   stage that reads one author's or one paper's rows skips the files that cannot hold them;
3. on a table that allows deletion vectors (bronze, jobs/ingest/bronze.py), REORG ... APPLY
   (PURGE): each file still carrying a vector after OPTIMIZE (a large file a MERGE marked rows
   of) is rewritten once without them, so the table reads as plain Parquet again
   (jobs/delta_snapshot.py) and its hidden rows stop taking space;
4. VACUUM: files no current version needs and older than the retention are deleted. Delta
   takes the retention from the table's `delta.deletedFileRetentionDuration` (a RETAIN other
   than 0 hours is ignored), which step 1 has just set from the same setting.

Z-order, not liquid clustering: liquid clustering is a property of the table that every write
keeps, and scintel's writes replace tables (overwrite with overwriteSchema), which would have to
declare it each time; OPTIMIZE ZORDER BY needs nothing from the writers. Only file names, sizes
and commit metrics reach the driver.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from pyspark.sql import SparkSession

from jobs import delta_snapshot, hadoop_fs
from jobs.audit import audit_path
from jobs.config import Config
from jobs.warehouse import STATS_COLUMNS, Warehouse

log = logging.getLogger(__name__)

# VACUUM refuses a retention under Delta's default of 7 days unless this check is off; a config
# asking for less (a test warehouse, a scratch run) turns it off for the VACUUM alone.
DELTA_MIN_RETENTION_HOURS = 168
RETENTION_CHECK = "spark.databricks.delta.retentionDurationCheck.enabled"
DISCOVERY_PARALLELISM = "spark.sql.sources.parallelPartitionDiscovery.parallelism"


@dataclass(frozen=True)
class TableUpkeep:
    """What maintaining one table did: files and bytes under its folder before and after (every
    version's files, so the effect of VACUUM shows), files compacted, the Z-order keys."""

    table: str  # layer/name
    files_before: int
    bytes_before: int
    files_after: int
    bytes_after: int
    files_removed_by_optimize: int
    files_added_by_optimize: int
    zorder: tuple[str, ...]
    seconds: float


def delta_tables(spark: SparkSession, warehouse: Warehouse) -> list[tuple[str, str]]:
    """(label, path) of every Delta table of the warehouse: its layers and the audit table."""
    found = [
        (f"{layer}/{table}", warehouse.path(table, layer))
        for layer, tables in warehouse.list_tables(spark).items()
        for table in tables
    ]
    audit = audit_path(warehouse.root)
    if hadoop_fs.exists(spark, f"{audit}/_delta_log"):
        found.append(("_audit/runs", audit))
    return found


def _on_disk(spark: SparkSession, path: str) -> tuple[int, int]:
    """Data files (not the log) under a table's folder and their bytes."""
    files = [f for f in hadoop_fs.list_files(spark, path) or [] if not f.relative.startswith("_delta_log")]
    return len(files), sum(f.size for f in files)


def maintain(spark: SparkSession, warehouse: Warehouse, config: Config, *, only: list[str] | None = None) -> list[TableUpkeep]:
    """Set retention properties, OPTIMIZE (Z-order where configured), purge deletion vectors and VACUUM every table of
    the warehouse (or the tables named in `only`, as layer/name or name)."""
    from delta.tables import DeltaTable

    settings = config.maintenance
    tables = delta_tables(spark, warehouse)
    if only:
        wanted = set(only)
        tables = [(label, path) for label, path in tables if label in wanted or label.split("/", 1)[1] in wanted]
        missing = wanted - {label for label, _ in tables} - {label.split("/", 1)[1] for label, _ in tables}
        if missing:
            from jobs.warehouse import TableNotFound

            raise TableNotFound(f"no table {sorted(missing)} in warehouse {warehouse.root}")
    properties = (
        f"'delta.logRetentionDuration' = 'interval {settings.log_retention_days} days', "
        f"'delta.deletedFileRetentionDuration' = 'interval {settings.file_retention_hours} hours'"
    )
    done = []
    for index, (label, path) in enumerate(tables, 1):
        started = time.monotonic()
        files_before, bytes_before = _on_disk(spark, path)
        name = label.split("/", 1)[1]
        keys = tuple(settings.zorder.get(name, ()))
        # A Z-ordered table keeps statistics on its keys (as its writer does, jobs/warehouse.py):
        # OPTIMIZE ZORDER BY refuses columns without them, so keys the config has just added
        # are covered before the rewrite, which recomputes every file's statistics.
        stats = f", '{STATS_COLUMNS}' = '{','.join(keys)}'" if keys else ""
        spark.sql(f"ALTER TABLE delta.`{path}` SET TBLPROPERTIES ({properties}{stats})")
        table = DeltaTable.forPath(spark, path)
        optimizer = table.optimize()
        metrics = (optimizer.executeZOrderBy(*keys) if keys else optimizer.executeCompaction()).select("metrics").first()
        metrics = metrics["metrics"] if metrics else None
        if delta_snapshot.deletion_vectors_allowed(spark, path):
            # After OPTIMIZE, which applied the vectors of every file it compacted: the purge
            # rewrites only the large files it left alone, so no file is rewritten twice.
            spark.sql(f"REORG TABLE delta.`{path}` APPLY (PURGE)")
        _vacuum(spark, table, settings.file_retention_hours)
        files_after, bytes_after = _on_disk(spark, path)
        upkeep = TableUpkeep(
            table=label,
            files_before=files_before,
            bytes_before=bytes_before,
            files_after=files_after,
            bytes_after=bytes_after,
            files_removed_by_optimize=int(metrics["numFilesRemoved"]) if metrics else 0,
            files_added_by_optimize=int(metrics["numFilesAdded"]) if metrics else 0,
            zorder=keys,
            seconds=round(time.monotonic() - started, 1),
        )
        log.info(
            "[%d/%d] maintained %s: %d files %s -> %d files %s%s in %.1fs",
            index,
            len(tables),
            label,
            files_before,
            size_text(bytes_before),
            files_after,
            size_text(bytes_after),
            f" (Z-ordered by {', '.join(keys)})" if keys else "",
            upkeep.seconds,
        )
        done.append(upkeep)
    return done


def _vacuum(spark: SparkSession, table, retention_hours: int) -> None:
    """VACUUM with its file listing spread over the cluster's cores. Delta lists a table's
    folders in a job of spark.sql.sources.parallelPartitionDiscovery.parallelism tasks, 10,000 by
    default whatever the table's size: thousands of empty tasks per table, which on a small
    cluster cost more than the listing itself. A task per core lists any table as fast (listing is
    I/O, one folder per task at a time), and the VACUUM of a small table takes seconds."""
    settings = {DISCOVERY_PARALLELISM: str(max(1, spark.sparkContext.defaultParallelism))}
    if retention_hours < DELTA_MIN_RETENTION_HOURS:
        settings[RETENTION_CHECK] = "false"
    previous = {key: spark.conf.get(key, None) for key in settings}
    for key, value in settings.items():
        spark.conf.set(key, value)
    try:
        table.vacuum(retention_hours)
    finally:
        for key, value in previous.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


def size_text(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"
