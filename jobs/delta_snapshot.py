"""Reading a Delta table so that a native engine's Parquet scan can take it.

DataFusion Comet (jobs/session.py) runs Parquet scans natively but not Delta's own scan: Delta
reads through its `DeltaParquetFileFormat`, which Comet leaves to the JVM, so the first
aggregation over every table would stay there too. Underneath, a Delta snapshot is a list of
Parquet files plus a log that says which files are live and how to read them. When the log says
nothing beyond "these files, this schema, these partition values in the paths", reading the
pinned version's files as Parquet gives exactly the rows Delta would give.

`read_table` checks that from the table's protocol and metadata (DESCRIBE DETAIL) every time,
never assumes it, and reads through Delta otherwise:
- a table feature outside READ_NEUTRAL_FEATURES and PER_FILE_FEATURES (column mapping stores
  columns under physical names; type widening leaves older files in narrower types; anything
  this module does not know) -> Delta;
- a partitioned table whose files do not all sit under `col=value/` folders (random file
  prefixes) -> Delta, since the partition values then live only in the log;
- a live file with a deletion vector -> Delta. A table that allows deletion vectors but whose
  pinned snapshot has none on any live file reads as Parquet: the vectors are per file;
- a table with no live files -> Delta (there is nothing to scan either way).

The version is pinned: the schema and the file list are those of one snapshot, version V, and the
protocol is checked on V, so a write committed in between changes none of them. Only the file
list (one path per Parquet file) reaches the driver. Writes always go through Delta.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from urllib.parse import unquote

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

log = logging.getLogger(__name__)

# The session setting that turns Parquet reads of plain snapshots on (jobs/session.py sets it
# with Comet; Delta reads are the default for any other session).
PARQUET_SNAPSHOT_READS = "spark.scintel.parquetSnapshotReads"

# Table features that change how a table is written or committed but not how its live files are
# read: a snapshot with only these is plain Parquet underneath.
READ_NEUTRAL_FEATURES = frozenset(
    {
        "appendOnly",
        "invariants",
        "checkConstraints",
        "generatedColumns",
        "identityColumns",
        "changeDataFeed",
        "domainMetadata",
        "clustering",
        "v2Checkpoint",
        "vacuumProtocolCheck",
        "inCommitTimestamp",
        "timestampNtz",
        # Row ids live in hidden columns of the files; a read by the table's schema skips them.
        "rowTracking",
    }
)

# Table features that can change how some live files are read, which plan_read checks file by
# file on the pinned snapshot: deletion vectors hide rows only of the files whose AddFile names
# one, so a table that allows them but whose live files carry none (a bronze table before its
# first MERGE, or after `scintel maintain` purged them) is still plain Parquet.
PER_FILE_FEATURES = frozenset({"deletionVectors"})


DELETION_VECTORS = "delta.enableDeletionVectors"


def table_properties(spark: SparkSession, path: str) -> dict[str, str]:
    """The current table properties of the Delta table at path (DESCRIBE DETAIL's)."""
    from delta.tables import DeltaTable

    return DeltaTable.forPath(spark, path).detail().select("properties").first()["properties"] or {}


def deletion_vectors_allowed(spark: SparkSession, path: str) -> bool:
    """Whether the Delta table at path lets its writes mark rows with deletion vectors (its
    `delta.enableDeletionVectors` property)."""
    return table_properties(spark, path).get(DELETION_VECTORS, "false").lower() == "true"


def parquet_snapshot_reads(spark: SparkSession) -> bool:
    return spark.conf.get(PARQUET_SNAPSHOT_READS, "false").lower() == "true"


@dataclass(frozen=True)
class SnapshotRead:
    """How one version of a table is read: its live files as Parquet (reason None) or through
    Delta (reason says why)."""

    version: int
    base: str  # the table's folder as a qualified URI
    schema: T.StructType
    files: tuple[str, ...]
    partitions: tuple[str, ...]
    reason: str | None


def plan_read(spark: SparkSession, path: str) -> SnapshotRead:
    """Decide how to read the current version of the Delta table at path (module docstring).

    The version and its live files come from one Delta snapshot (DeltaLog through the JVM
    gateway: the snapshot Delta itself would read, cached between reads); the protocol's
    features and the table's properties from DESCRIBE DETAIL, which must describe that same
    version (checked after it)."""
    from delta.tables import DeltaTable

    delta_log, snapshot = _snapshot(spark, path)
    version = int(snapshot.version())
    base = delta_log.dataPath().toString().rstrip("/")
    if version < 0:
        return SnapshotRead(version, base, T.StructType(), (), (), "not a Delta table")
    detail = DeltaTable.forPath(spark, path).detail().first()
    partitions = tuple(detail["partitionColumns"] or [])
    reason = not_plain_parquet(detail)
    files: tuple[str, ...] = ()
    if reason is None and int(_snapshot(spark, path)[1].version()) != version:
        reason = f"a commit landed after version {version} while its log was read"
    if reason is None:
        adds = DataFrame(snapshot.allFiles().toDF(), spark).select("path", F.col("deletionVector").isNotNull().alias("dv"))
        live = adds.collect()  # one row per live file: paths only
        files = tuple(_absolute(base, row["path"]) for row in live)
        if not files:
            reason = "no live files"
        elif any(row["dv"] for row in live):
            reason = "deletion vectors in use"
        elif partitions and not all(_under_partition_folders(f, partitions) for f in files):
            reason = "files outside col=value/ partition folders"
    schema = T.StructType.fromJson(json.loads(snapshot.schema().json()))
    return SnapshotRead(version, base, schema, files if reason is None else (), partitions, reason)


def _snapshot(spark: SparkSession, path: str):
    """(DeltaLog, its latest Snapshot), brought up to date with the table's log."""
    jvm = spark.sparkContext._jvm
    delta_log = jvm.org.apache.spark.sql.delta.DeltaLog.forTable(spark._jsparkSession, path)
    none = jvm.scala.Option.apply(None)
    return delta_log, delta_log.update(False, none, none)


def _absolute(data_path: str, add_path: str) -> str:
    """An AddFile's path as a file URI: relative paths are URI-encoded below the table's folder
    (a partition folder's Hive escapes, such as %3A, arrive encoded once more, as %253A)."""
    if "://" in add_path or add_path.startswith("/"):
        return add_path
    return f"{data_path}/{unquote(add_path)}"


def read_table(spark: SparkSession, path: str) -> DataFrame:
    """The current version of the Delta table at path: its files as Parquet when the session
    asks for it (PARQUET_SNAPSHOT_READS) and the snapshot is plain Parquet, else through Delta.
    The columns, their order and types are the table's either way."""
    if not parquet_snapshot_reads(spark):
        return spark.read.format("delta").load(path)
    read = plan_read(spark, path)
    if read.reason is not None:
        log.debug("reading %s through Delta: %s", path, read.reason)
        return spark.read.format("delta").load(path)
    log.debug("reading %s version %s as Parquet (%d files)", path, read.version, len(read.files))
    reader = spark.read.schema(read.schema)
    if read.partitions:
        # The partition values come from the folder names, typed by the table's schema.
        reader = reader.option("basePath", read.base)
    return reader.parquet(*read.files).select(*read.schema.fieldNames())


def not_plain_parquet(detail) -> str | None:
    """Why a snapshot (a DESCRIBE DETAIL row) cannot be read as its Parquet files, or None."""
    features = set(detail["tableFeatures"] or [])
    unknown = sorted(features - READ_NEUTRAL_FEATURES - PER_FILE_FEATURES)
    if unknown:
        return f"table features {unknown}"
    properties = detail["properties"] or {}
    mode = properties.get("delta.columnMapping.mode", "none")
    if mode != "none":
        return f"column mapping mode {mode}"
    return None


def _under_partition_folders(file_uri: str, partitions: list[str]) -> bool:
    """file_uri ends in <p1>=<v>/<p2>=<v>/.../<file>, the folders in the table's partition order
    (what Delta writes without column mapping or random file prefixes), so Spark's partition
    discovery below the table's folder finds exactly these values."""
    folders = file_uri.split("/")[-1 - len(partitions) : -1]
    return len(folders) == len(partitions) and all(folder.startswith(name + "=") for name, folder in zip(partitions, folders))
