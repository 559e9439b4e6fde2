"""The quarantine table's rows of an ingest: every rejected record with its source, file, id,
reason and raw text, so read = accepted + quarantined holds for every table an ingest counts.

Each ingest replaces only its own sources' slice of the table, in one Delta commit, so another
source's rejects and (incrementally) earlier deliveries' rejects stay.
"""

from __future__ import annotations

import uuid

from pyspark.sql import Column, DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from jobs.frames import union_all
from jobs.ingest.common import RAW, REASON, SOURCE_FILE, TableCount
from jobs.ingest.files import read_errors_as_ingest_errors


def _split_counts() -> list[Column]:
    """The read and accepted counts of a checked DataFrame (rows, rows without a _reason)."""
    return [F.count(F.lit(1)).alias("read"), F.count(F.when(F.col(REASON).isNull(), 1)).alias("accepted")]


def count_split(checked_df: DataFrame) -> TableCount:
    """read / accepted / quarantined of a checked DataFrame (one aggregate, no collect of rows).

    Usually the first action on freshly read input: a file Spark cannot read fails it, and the
    failure becomes an IngestError naming the file.
    """
    with read_errors_as_ingest_errors():
        row = checked_df.agg(*_split_counts()).first()
    return TableCount(read=row["read"], accepted=row["accepted"], quarantined=row["read"] - row["accepted"])


class ObservedSplit:
    """read / accepted / quarantined of a checked DataFrame, counted by whichever action consumes
    it (usually the write of its accepted rows), so the input is not read once more to count it.

    `frame` is the checked DataFrame with the counts attached (a CollectMetrics node: the
    optimizer pushes no filter below it, so the counts see every row, rejects included); filter
    and write it, then read `count`, which is known once that action has finished."""

    def __init__(self, checked_df: DataFrame, what: str):
        self._observation = Observation(f"{what} {uuid.uuid4().hex}")
        self.frame = checked_df.observe(self._observation, *_split_counts())

    @property
    def count(self) -> TableCount:
        counted = self._observation.get
        return TableCount(read=counted["read"], accepted=counted["accepted"], quarantined=counted["read"] - counted["accepted"])


def quarantine_rows(df: DataFrame, source: str, record_id: Column) -> DataFrame:
    """The rejected rows of df in the quarantine table's shape."""
    return df.where(F.col(REASON).isNotNull()).select(
        F.lit(source).alias("source"),
        F.col(SOURCE_FILE).alias("source_file"),
        record_id.alias("record_id"),
        F.col(REASON).alias("reason"),
        F.col(RAW).alias("raw"),
    )


def rejects(count: TableCount, df: DataFrame, source: str, record_id: Column) -> list[DataFrame]:
    """quarantine_rows of df as a list, empty when its count found no reject: clean input is not
    scanned once more to find none (writing an empty quarantine still reads and checks the whole
    input again)."""
    return [quarantine_rows(df, source, record_id)] if count.quarantined else []


def write_quarantine(
    spark: SparkSession,
    warehouse,
    parts: list[DataFrame],
    sources: tuple[str, ...],
    record_sources: tuple[str, ...] = (),
    record_files: list[str] | None = None,
) -> None:
    """Replace this ingest's slice of the quarantine table in one commit; other sources' rows stay.

    A full ingest replaces every row of its sources. An incremental one (record_files given)
    replaces, for the record-level sources, only the rows from this delivery's files, so earlier
    deliveries' rejects stay and a rerun of the same delivery does not add them twice; rows of
    derived records (authorships, references, assignees), which are recomputed from the whole
    bronze table, are replaced as a whole.
    """
    from schemas.canonical import QUARANTINE

    rows = union_all([spark.createDataFrame([], QUARANTINE)] + parts)
    predicate = f"source IN ({_sql_list(sources)})"
    if record_files is not None:
        derived = tuple(s for s in sources if s not in record_sources)
        files = f"source_file IN ({_sql_list(record_files)})" if record_files else "false"
        predicate = f"source IN ({_sql_list(derived)}) OR (source IN ({_sql_list(record_sources)}) AND {files})"
    warehouse.write(rows, "quarantine", schema=QUARANTINE, partition_by=["source"], replace_where=predicate)


def delivery_files(parts: list[DataFrame]) -> list[str]:
    """The distinct source files of a delivery (single-column frames), for the quarantine's
    replace predicate. Only file names reach the driver: one row per input file, not per record."""
    return sorted(r[0] for r in union_all(parts).distinct().collect()) if parts else []


def _sql_list(values) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) or "NULL"
