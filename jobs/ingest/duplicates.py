"""Duplicate ids among the records that passed the rules: one copy per id is accepted, the others
are quarantined as "duplicate id".

A clean delivery repeats no id, so the ids are counted first (a shuffle of ids and partial
counts, not of records) and only the rows of repeated ids are ranked; ranking every row would
shuffle the whole parsed input, raw text included.
"""

from __future__ import annotations

import logging

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from jobs.ingest.common import RAW, REASON, SOURCE_FILE
from jobs.ingest.files import read_errors_as_ingest_errors

log = logging.getLogger(__name__)

# Repeated keys broadcast to the tasks that flag their rows: ~50 MB of OpenAlex ids at the limit.
BROADCAST_REPEATED_KEYS = 1_000_000
REPEATED = "_repeated"


def flag_duplicates(df: DataFrame, key: str, order_by: list[Column], repeated_keys: int | None = None) -> DataFrame:
    """Among records that passed the rules, keep one per key and give the others a reason.

    The survivor is deterministic (order_by, then source file, then raw text), so a rerun over
    the same input keeps the same copy.

    repeated_keys: how many accepted keys occur more than once, when the caller has counted them
    (count_repeated_keys). None: a window ranks every row, one shuffle of the whole parsed input
    (raw text included). 0: nothing to flag, the rows pass through untouched. Up to
    BROADCAST_REPEATED_KEYS: only the rows of those keys are ranked (the keys are broadcast, the
    rest of the rows are not moved). More (a snapshot delivered twice): the window over every row.
    """
    if repeated_keys == 0:
        return df
    accepted = F.col(REASON).isNull()
    # Ranked among the accepted copies only: a rejected copy never displaces an accepted one.
    window = Window.partitionBy(key, accepted).orderBy(*order_by, F.col(SOURCE_FILE), F.col(RAW))
    flag = F.when(accepted & (F.row_number().over(window) > 1), F.lit("duplicate id")).otherwise(F.col(REASON))
    if repeated_keys is None or repeated_keys > BROADCAST_REPEATED_KEYS:
        return df.withColumn(REASON, flag)
    marked = df.join(F.broadcast(_repeated(df, key).withColumn(REPEATED, F.lit(True))), key, how="left")
    ranked = marked.where(F.col(REPEATED) & accepted).withColumn(REASON, flag)
    return ranked.unionByName(marked.where(F.col(REPEATED).isNull() | ~accepted)).select(*df.columns)


def _repeated(df: DataFrame, key: str) -> DataFrame:
    """Accepted keys seen more than once."""
    return _seen_twice(df.where(F.col(REASON).isNull()), key)


def _seen_twice(df: DataFrame, key: str) -> DataFrame:
    """Keys on more than one row of df (a shuffle of (key, count) partial aggregates)."""
    counts = df.groupBy(key).agg(F.count(F.lit(1)).alias("_n"))
    return counts.where(F.col("_n") > 1).select(key)


def count_repeated_keys(df: DataFrame, key: str) -> int:
    """How many accepted keys occur more than once. Usually the first action on freshly read
    input: a file Spark cannot read fails it, as an IngestError naming the file."""
    with read_errors_as_ingest_errors():
        return _repeated(df, key).count()


def repeated_key_count(df: DataFrame, key: str) -> int:
    """How many values of key occur more than once in df (all of its rows: a table of accepted
    records such as bronze, no _reason column)."""
    return _seen_twice(df, key).count()


def checked_once(checked_df: DataFrame, key: str, order_by: list[Column]) -> tuple[DataFrame, DataFrame]:
    """Parse and check the input once (persisted), then flag its duplicates by counting the
    repeated keys first (flag_duplicates). Returns (flagged, persisted): the caller unpersists
    `persisted` when done. With duplicates the flagged rows are persisted in place of the checked.

    The raw line is kept only on rejected rows, the ones whose quarantine row quotes it: accepted
    rows are nearly all of the input, bronze keeps their parsed columns, and the raw text is the
    largest part of what would otherwise be cached. When keys repeat, the copies that lose need
    their raw text too (and the tie-break orders on it), so that rarer case parses the input again
    with it."""
    slim = persisted(raw_of_rejects_only(checked_df))
    try:
        repeated = count_repeated_keys(slim, key)
    except Exception:
        slim.unpersist()
        raise
    if repeated == 0:
        return slim, slim
    slim.unpersist()
    log.info("%d %s values occur more than once: the older copies are quarantined as duplicates", repeated, key)
    full = persisted(checked_df)
    try:
        flagged = persisted(raw_of_rejects_only(flag_duplicates(full, key, order_by, repeated_keys=repeated)))
        flagged.count()
    finally:
        full.unpersist()
    return flagged, flagged


def raw_of_rejects_only(df: DataFrame) -> DataFrame:
    """The raw line kept on rejected rows only (the quarantine quotes it; bronze does not keep it)."""
    return df.withColumn(RAW, F.when(F.col(REASON).isNotNull(), F.col(RAW)))


def persisted(df: DataFrame) -> DataFrame:
    """df cached in memory, spilling to disk: the ingest's one storage level."""
    return df.persist(StorageLevel.MEMORY_AND_DISK)
