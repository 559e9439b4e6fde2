"""Where tables live and how they are written.

A warehouse is a directory (local path, HDFS or S3 URI) holding Delta tables by layer:
`bronze/<entity>` for the accepted raw records of every delivery (jobs/ingest/bronze.py),
`silver/<table>` for canonical tables (and `silver/quarantine`), `gold/<table>` for indicators,
`_quality/` for Great Expectations results and `_checkpoints/` for iterative graph jobs
(jobs/session.py `checkpoint_dir`).

Writes replace a table (or, with replace_where, one slice of it) in a single Delta commit, so a
rerun gives the same table and a crash mid-write leaves the previous version readable.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from jobs import delta_snapshot, hadoop_fs
from jobs.errors import ScintelError

log = logging.getLogger(__name__)

LAYERS = ("silver", "gold", "bronze")  # lookup by name prefers silver, then gold
STATS_COLUMNS = "delta.dataSkippingStatsColumns"


class TableNotFound(ScintelError, LookupError):
    pass


@dataclass(frozen=True)
class Warehouse:
    root: str
    # (layer, table) -> the schema of the DataFrame this object last wrote there: the run checks
    # a stage's gold tables against schemas/gold.py from it, without reading the tables back.
    written: dict = field(default_factory=dict, compare=False, repr=False)

    def path(self, table: str, layer: str = "silver") -> str:
        if layer not in LAYERS:
            raise ValueError(f"unknown layer {layer!r}; expected one of {LAYERS}")
        return f"{self.root.rstrip('/')}/{layer}/{table}"

    @property
    def quality_dir(self) -> str:
        return f"{self.root.rstrip('/')}/_quality"

    def exists(self, spark: SparkSession, table: str, layer: str = "silver") -> bool:
        from delta.tables import DeltaTable

        return DeltaTable.isDeltaTable(spark, self.path(table, layer))

    def find_layer(self, spark: SparkSession, table: str) -> str:
        for layer in LAYERS:
            if self.exists(spark, table, layer):
                return layer
        raise TableNotFound(f"no table '{table}' in warehouse {self.root} (looked in {', '.join(LAYERS)})")

    def read(self, spark: SparkSession, table: str, layer: str | None = None) -> DataFrame:
        """The table's current version; as its Parquet files when the session runs a native
        engine and the snapshot is plain Parquet (jobs/delta_snapshot.py), else through Delta."""
        from jobs.delta_snapshot import read_table

        layer = layer or self.find_layer(spark, table)
        return read_table(spark, self.path(table, layer))

    def read_version(self, spark: SparkSession, table: str, version: int, layer: str | None = None) -> DataFrame:
        """The table as of Delta version `version` (time travel): readable while the log still
        holds that version and VACUUM has not removed its files."""
        layer = layer or self.find_layer(spark, table)
        path = self.path(table, layer)
        latest = self._latest_version(spark, path)
        if version > latest:
            raise TableNotFound(f"{layer}/{table} has versions 0 to {latest}; there is no version {version}")
        try:
            df = spark.read.format("delta").option("versionAsOf", version).load(path)
            df.schema  # resolving the schema reads the log at that version: an expired one fails here
        except Exception as err:
            if "VersionNotFound" in str(err) or "DELTA_VERSIONS_NOT_CONTIGUOUS" in str(err) or "FileNotFound" in str(err):
                raise TableNotFound(
                    f"version {version} of {layer}/{table} is no longer readable (its log or files were removed by "
                    f"log retention or VACUUM); `scintel show {table} --history` lists the versions kept"
                ) from None
            raise
        return df

    def history(self, spark: SparkSession, table: str, layer: str | None = None) -> DataFrame:
        """The table's versions, newest first: time, operation, the writer's description (the
        stage and run, jobs/pipeline.py) and the operation's row counts."""
        from delta.tables import DeltaTable

        layer = layer or self.find_layer(spark, table)
        return (
            DeltaTable.forPath(spark, self.path(table, layer))
            .history()
            .select(
                "version",
                "timestamp",
                "operation",
                F.col("userMetadata").alias("description"),
                F.col("operationMetrics")["numOutputRows"].alias("rows_written"),
            )
        )

    @staticmethod
    def _latest_version(spark: SparkSession, path: str) -> int:
        from delta.tables import DeltaTable

        return int(DeltaTable.forPath(spark, path).history(1).select("version").first()["version"])

    def list_tables(self, spark: SparkSession) -> dict[str, list[str]]:
        """{layer: [table, ...]}: the Delta tables (folders with a _delta_log) of each layer,
        listed through Hadoop's FileSystem, so any warehouse URI works (`scintel show --list`)."""
        found = {}
        for layer in LAYERS:
            base = self.path("", layer).rstrip("/")
            found[layer] = [
                name for name in hadoop_fs.list_dirs(spark, base) or [] if hadoop_fs.exists(spark, f"{base}/{name}/_delta_log")
            ]
        return found

    def write(
        self,
        df: DataFrame,
        table: str,
        *,
        layer: str = "silver",
        schema: T.StructType | None = None,
        partition_by: list[str] | None = None,
        replace_where: str | None = None,
        description: str | None = None,
        stats_columns: Sequence[str] | None = None,
    ) -> int:
        """Write df as the new version of a table; returns the Delta version written.

        description goes into the commit's userMetadata (visible in DESCRIBE HISTORY).
        stats_columns: the only columns whose per-file minimum, maximum and null count the
        write records (Delta's `delta.dataSkippingStatsColumns`; every file keeps its row count);
        None keeps Delta's default, the first 32 columns. Delta computes those statistics row by
        row as it writes, so a table read by a few key columns pays for them on all of its
        columns otherwise. The property is the table's: a new table takes it from the write,
        an existing one is altered first when it names other columns.
        """
        from delta.tables import DeltaTable

        if schema is not None:
            df = conform(df, schema)
        path = self.path(table, layer)
        writer = df.write.format("delta").mode("overwrite")
        if stats_columns:
            wanted = ",".join(stats_columns)
            writer = writer.option(STATS_COLUMNS, wanted)  # taken when the write creates the table
            _keep_stats_on(df.sparkSession, path, wanted)
        if replace_where:
            writer = writer.option("replaceWhere", replace_where)
        else:
            writer = writer.option("overwriteSchema", "true")
        if partition_by:
            writer = writer.partitionBy(*partition_by)
        if description:
            writer = writer.option("userMetadata", description)
        started = time.monotonic()
        writer.save(path)
        self.written[(layer, table)] = df.schema
        spark = df.sparkSession
        commit = DeltaTable.forPath(spark, path).history(1).select("version", "operationMetrics").first()
        log.info(
            "wrote %s/%s version %s (%s) in %.1fs",
            layer,
            table,
            commit["version"],
            written_rows(commit["operationMetrics"] or {}),
            time.monotonic() - started,
        )
        return int(commit["version"])


def _keep_stats_on(spark: SparkSession, path: str, columns: str) -> None:
    """Set an existing table's statistics columns before it is overwritten: Delta takes table
    properties from a writer's options only when the write creates the table."""
    from delta.tables import DeltaTable

    if not DeltaTable.isDeltaTable(spark, path):
        return
    if delta_snapshot.table_properties(spark, path).get(STATS_COLUMNS) != columns:
        spark.sql(f"ALTER TABLE delta.`{path}` SET TBLPROPERTIES ('{STATS_COLUMNS}' = '{columns}')")


def written_rows(metrics: dict) -> str:
    """The rows a write commit reports: Delta leaves numOutputRows out when no file was written."""
    if metrics.get("numOutputRows") is not None:
        return f"{int(metrics['numOutputRows']):,} rows"
    if metrics.get("numFiles") == "0":
        return "0 rows"
    return "rows not in the commit metrics"


def conform(df: DataFrame, schema: T.StructType) -> DataFrame:
    """Select exactly the schema's columns, cast to its types: a writer's schema contract."""
    missing = [f.name for f in schema.fields if f.name not in df.columns]
    if missing:
        raise ValueError(f"DataFrame lacks columns {missing} required by the table schema")
    return df.select([F.col(f.name).cast(f.dataType).alias(f.name) for f in schema.fields])
