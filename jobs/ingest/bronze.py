"""Bronze: the accepted raw records of every delivery, one row per id, as Delta tables.

`bronze/works`, `bronze/authors`, `bronze/institutions`, `bronze/patents` hold the records that
passed the ingest rules, in their raw (OpenAlex / patent JSON) shape plus the file they came
from. The canonical silver tables are always derived from bronze, never from one delivery alone,
so the corpus a run computes on is explicit and an incremental run can be checked against a
full one:

- full run (`scintel run`): a delivered entity replaces its bronze table (one overwrite commit).
- incremental run (`scintel run --incremental`): the delivery is MERGEd into bronze by id: new
  ids are inserted, delivered ids replace the stored record unless the stored one has a later
  `updated_date` (a replayed old delivery changes nothing), and ids listed under
  `<delivery>/merged_ids/<entity>/` are deleted. That file layout is OpenAlex's own
  (CSV, gzipped or not, header `merge_date,id,merge_into_id`); only `id` is used. An id both
  delivered and listed as merged away is deleted: the listing is the source's last word. The
  current snapshot layout logs deleted works in `works/deleted_ids.csv` instead (header
  `work_id,deleted_date`, cumulative); its ids are deleted the same way.

Both are single Delta commits, so a crash leaves the previous bronze version in place and a rerun
of the same delivery converges to the same table (MERGE by id is idempotent).

Scale: the MERGE joins the delivery (a night's changes: ~1% of the corpus) with bronze on id.
Ids are unique on both sides, so no key is hot. A night's changed ids are spread over every
bronze file (OpenAlex updates old works as well as adding new ones), so a MERGE that rewrote the
files holding matched ids would copy almost the whole table every night. Bronze tables therefore
allow deletion vectors (enabled before the first MERGE): a replaced or deleted record is marked
in a small vector file beside its Parquet file, and only the delivered records are written.
Readers apply the vectors (jobs/delta_snapshot.py reads such a snapshot through Delta);
`scintel maintain` purges them, rewriting each marked file once without its hidden rows.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from jobs import delta_snapshot, hadoop_fs
from jobs.ingest import files
from jobs.ingest.common import REASON, SOURCE_FILE, IngestError

log = logging.getLogger(__name__)

LAYER = "bronze"
OP = "_op"
MERGED_IDS_HEADER = "merge_date,id,merge_into_id"
DELETED_IDS_HEADER = "work_id,deleted_date"


@dataclass
class Landing:
    """What one entity's landing did: bronze version and, for a MERGE, Delta's operation metrics."""

    version: int
    mode: str
    removed_requested: int = 0
    metrics: dict | None = None


def accepted_records(checked_df: DataFrame, raw_columns: list[str]) -> DataFrame:
    """The accepted rows of a checked delivery in bronze's shape: raw columns + source file."""
    return checked_df.where(F.col(REASON).isNull()).select(*raw_columns, SOURCE_FILE)


def read_merged_ids(spark: SparkSession, input_dir: str, entity: str, strip_id, since: str | None = None) -> DataFrame | None:
    """Ids the source says are gone (`<input>/merged_ids/<entity>/*.csv[.gz]`; with `since`, the
    files dated that day or later), or None."""
    from jobs.ingest import partitions

    path = files.input_files(f"{input_dir}/merged_ids/{entity}", f"merged_ids/{entity}")
    if path is None:
        return None
    if since is not None:
        listed = [f for f in files.list_data_files(spark, path) or [] if f.size > 0]
        partitions.log_selection(path, [f.relative for f in listed], since, partitions.file_date)
        path = [f.path for f in listed if partitions.keep(f.relative, since, partitions.file_date)]
        if not path:
            return None
    rows = (
        spark.read.option("header", "true")
        .option("recursiveFileLookup", "true")
        .schema("merge_date STRING, id STRING, merge_into_id STRING")
        .csv(path)
    )
    return rows.select(strip_id(F.col("id")).alias("id")).where(F.col("id").isNotNull()).distinct()


def read_deleted_ids(spark: SparkSession, entity_dir: str, strip_id, since: str | None = None) -> DataFrame | None:
    """Ids the current snapshot layout logs as deleted (`<entity>/deleted_ids.csv`, next to its
    manifest.json; OpenAlex keeps one for works): a header and `work_id,deleted_date` rows, the
    log cumulative since it began. With `since`, the rows deleted that day or later, as with the
    partitions; else all of them. None when there is no log."""
    found = [f"{entity_dir}/{name}" for name in files.DELETED_IDS if hadoop_fs.exists(spark, f"{entity_dir}/{name}")]
    if not found:
        return None
    for path in found:  # the header only: one line of each file reaches the driver
        header = spark.read.text(path).limit(1).collect()
        if header and header[0][0].strip() != DELETED_IDS_HEADER:
            raise IngestError(
                f"{path} is not OpenAlex's deletion log (header {header[0][0].strip()!r}, expected {DELETED_IDS_HEADER!r})"
            )
    rows = spark.read.option("header", "true").schema("work_id STRING, deleted_date STRING").csv(found)
    if since is not None:
        rows = rows.where(F.substring("deleted_date", 1, 10) >= since)
    return rows.select(strip_id(F.col("work_id")).alias("id")).where(F.col("id").isNotNull()).distinct()


def removed_ids(parts: list[DataFrame | None]) -> DataFrame | None:
    """The union of the ids to delete from every source (merged_ids, the deletion log), or None."""
    present = [p for p in parts if p is not None]
    if not present:
        return None
    return functools.reduce(DataFrame.union, present).distinct()


def land(
    spark: SparkSession,
    warehouse,
    entity: str,
    records_df: DataFrame,
    *,
    incremental: bool,
    removed_ids_df: DataFrame | None = None,
    has_updated_date: bool = True,
) -> Landing:
    """Write a delivery's accepted records into bronze/<entity> (overwrite, or MERGE by id)."""
    description = f"{'merge' if incremental else 'overwrite'} of a delivery into bronze/{entity}"
    if not incremental or not warehouse.exists(spark, entity, LAYER):
        if removed_ids_df is not None:
            records_df = records_df.join(removed_ids_df, "id", how="left_anti")
        version = warehouse.write(records_df, entity, layer=LAYER, description=description)
        return Landing(version=version, mode="overwrite")

    from delta.tables import DeltaTable

    allow_deletion_vectors(spark, warehouse.path(entity, LAYER))
    target = DeltaTable.forPath(spark, warehouse.path(entity, LAYER))
    records_df = in_stored_layout(records_df, target.toDF().schema, entity)
    columns = records_df.columns
    upserts = records_df.withColumn(OP, F.lit("upsert"))
    if removed_ids_df is not None:
        upserts = upserts.join(removed_ids_df, "id", how="left_anti")
        deletes = removed_ids_df.withColumn(OP, F.lit("delete"))
        source = upserts.unionByName(deletes, allowMissingColumns=True)
        removed = removed_ids_df.count()
    else:
        source, removed = upserts, 0
    newer = "s.updated_date >= t.updated_date OR t.updated_date IS NULL OR s.updated_date IS NULL" if has_updated_date else "true"
    spark.conf.set("spark.databricks.delta.commitInfo.userMetadata", description)
    try:
        (
            target.alias("t")
            .merge(source.alias("s"), "t.id = s.id")
            .whenMatchedDelete(condition=f"s.{OP} = 'delete'")
            .whenMatchedUpdate(condition=f"s.{OP} = 'upsert' AND ({newer})", set={c: f"s.`{c}`" for c in columns})
            .whenNotMatchedInsert(condition=f"s.{OP} = 'upsert'", values={c: f"s.`{c}`" for c in columns})
            .execute()
        )
    finally:
        spark.conf.unset("spark.databricks.delta.commitInfo.userMetadata")
    last = target.history(1).select("version", "operationMetrics").first()
    metrics = {k: int(v) for k, v in (last["operationMetrics"] or {}).items() if k in _MERGE_METRICS}
    log.info("bronze/%s: merged delivery -> version %s %s", entity, last["version"], metrics)
    return Landing(version=int(last["version"]), mode="merge", removed_requested=removed, metrics=metrics)


def in_stored_layout(records_df: DataFrame, stored: T.StructType, entity: str) -> DataFrame:
    """A delivery's records in the layout of the bronze table they are merged into.

    The same layout: unchanged. A bronze table written when the raw schema declared more fields
    (schemas/raw.py declares only what scintel reads) keeps them; the delivery's records get
    them as nulls, at every depth (a struct inside an array too), since Delta's MERGE assigns a
    struct only to a struct of the same fields. Nothing reads those fields, and a full run
    rewrites bronze in the current layout. A delivery field the stored table lacks cannot be
    merged without changing the table's schema: that is an error naming the fields."""
    extra = _fields_not_in(records_df.schema, stored)
    if extra:
        raise IngestError(
            f"bronze/{entity} was written in an older layout without {', '.join(extra)}: "
            "run a full ingest (without --incremental) once to rewrite it"
        )
    if _shape(records_df.schema) == _shape(stored):
        return records_df
    present = set(records_df.columns)
    return records_df.select(
        [
            (
                _widened(F.col(f.name), records_df.schema[f.name].dataType, f.dataType)
                if f.name in present
                else F.lit(None).cast(f.dataType)
            ).alias(f.name)
            for f in stored.fields
        ]
    )


def _shape(data_type: T.DataType) -> str:
    """Names and types, not nullability: JSON-parsed and stored schemas differ only in that."""
    return data_type.simpleString()


def _fields_not_in(have: T.DataType, stored: T.DataType, path: str = "") -> list[str]:
    if isinstance(have, T.StructType) and isinstance(stored, T.StructType):
        names = set(stored.fieldNames())
        missing = [f"{path}{f.name}" for f in have.fields if f.name not in names]
        return missing + [
            m
            for f in have.fields
            if f.name in names
            for m in _fields_not_in(f.dataType, stored[f.name].dataType, f"{path}{f.name}.")
        ]
    if isinstance(have, T.ArrayType) and isinstance(stored, T.ArrayType):
        return _fields_not_in(have.elementType, stored.elementType, path)
    return []


def _widened(col: F.Column, have: T.DataType, stored: T.DataType) -> F.Column:
    """col (of type have) as type stored: the stored struct fields it lacks as nulls."""
    if _shape(have) == _shape(stored):
        return col
    if isinstance(have, T.StructType) and isinstance(stored, T.StructType):
        names = set(have.fieldNames())
        fields = [
            (_widened(col[f.name], have[f.name].dataType, f.dataType) if f.name in names else F.lit(None).cast(f.dataType)).alias(
                f.name
            )
            for f in stored.fields
        ]
        return F.when(col.isNotNull(), F.struct(*fields))
    if isinstance(have, T.ArrayType) and isinstance(stored, T.ArrayType):
        return F.transform(col, lambda element: _widened(element, have.elementType, stored.elementType))
    return col.cast(stored)


_MERGE_METRICS = (
    "numSourceRows",
    "numTargetRowsInserted",
    "numTargetRowsUpdated",
    "numTargetRowsDeleted",
    "numTargetRowsCopied",
    "numTargetFilesAdded",
    "numTargetFilesRemoved",
    "numTargetDeletionVectorsAdded",
)


def allow_deletion_vectors(spark: SparkSession, path: str) -> None:
    """Let the Delta table at path mark replaced and deleted rows with deletion vectors instead of
    rewriting their files (module docstring, Scale). One property commit the first time, which
    upgrades the table's protocol to reader version 3 (readers need Delta 2.3 or later); nothing
    when the property is already on. A full run's overwrite keeps the property."""
    if not delta_snapshot.deletion_vectors_allowed(spark, path):
        spark.sql(f"ALTER TABLE delta.`{path}` SET TBLPROPERTIES ('{delta_snapshot.DELETION_VECTORS}' = 'true')")


def empty_records(spark: SparkSession, warehouse, entity: str) -> DataFrame | None:
    """No delivered records (a delivery of deletions only): bronze's shape with no rows."""
    current = read(spark, warehouse, entity)
    return None if current is None else current.limit(0)


def read(spark: SparkSession, warehouse, entity: str) -> DataFrame | None:
    """The whole bronze table of an entity (the corpus silver is derived from), or None."""
    if not warehouse.exists(spark, entity, LAYER):
        return None
    return warehouse.read(spark, entity, LAYER)
