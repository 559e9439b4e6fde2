"""Small DataFrame utilities shared across layers."""

from __future__ import annotations

import uuid
from functools import reduce
from typing import Iterable

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from jobs import hadoop_fs


def union_all(frames: Iterable[DataFrame]) -> DataFrame:
    """Union by column name of one or more DataFrames with the same columns."""
    return reduce(DataFrame.unionByName, list(frames))


def comparable(df: DataFrame, decimals: int = 9) -> DataFrame:
    """`df` with top-level doubles rounded to `decimals` places (sums of doubles differ in the last
    bits when they are added in another order) and maps as their entries sorted by key (set
    operations and grouping cannot take maps)."""
    columns = []
    for field in df.schema.fields:
        column = df[field.name]
        if isinstance(field.dataType, (T.DoubleType, T.FloatType)):
            column = F.round(column, decimals)
        elif isinstance(field.dataType, T.MapType):
            column = F.array_sort(F.map_entries(column))
        columns.append(column.alias(field.name))
    return df.select(columns)


def _column_types(df: DataFrame) -> dict[str, str]:
    return {f.name: f.dataType.simpleString() for f in df.schema.fields}


def differing_rows(left: DataFrame, right: DataFrame, decimals: int = 9) -> DataFrame:
    """The rows whose number of copies differs between `left` and `right`, compared as multisets
    (row and column order ignored, doubles to `decimals` places, see `comparable`), with
    `left_rows` and `right_rows` copies each: empty when the two are equal. One aggregation, so
    comparing two tables costs a single job. Raises ValueError when the column names or types
    differ (nullability aside)."""
    left_types, right_types = _column_types(left), _column_types(right)
    if left_types != right_types:
        mismatched = sorted(set(left_types.items()) ^ set(right_types.items()))
        raise ValueError(f"the two sides have different columns or types: {mismatched}")
    names = list(left_types)
    tagged = (
        comparable(left, decimals)
        .select(*names, F.lit(1).alias("_left"), F.lit(0).alias("_right"))
        .unionByName(comparable(right, decimals).select(*names, F.lit(0).alias("_left"), F.lit(1).alias("_right")))
    )
    counted = tagged.groupBy(*names).agg(F.sum("_left").alias("left_rows"), F.sum("_right").alias("right_rows"))
    return counted.where(F.col("left_rows") != F.col("right_rows"))


class Stash:
    """Intermediate results a stage reads more than once, written once as Parquet and read back.

    Why not `persist()`: Spark reads a cached DataFrame back through its in-memory relation, row
    by row, and Comet's native operators do not take it, so every aggregation and join above a
    cached frame runs in the JVM. Parquet files are read by Comet's native scan (by Spark's
    vectorised reader when Comet is off), and the plan above them starts from a plain file scan,
    so the lineage is cut as a checkpoint would cut it. The files go under the session's
    checkpoint dir (on the warehouse's file system unless configured elsewhere, so a cluster's
    executors read what others wrote), one folder per stash, removed when the stash closes: use
    it as a context manager around the stage's body, so the files go on failure too.
    """

    def __init__(self, spark: SparkSession, label: str):
        root = spark.sparkContext.getCheckpointDir()
        if root is None:
            raise RuntimeError("the session has no checkpoint dir: build it with jobs.session.build_session")
        self.spark = spark
        self.root = f"{root.rstrip('/')}/stash/{label}-{uuid.uuid4().hex[:12]}"
        self.tables: list[str] = []

    def put(self, df: DataFrame, name: str) -> DataFrame:
        """df written once under the stash and read back: the returned frame scans those files."""
        path = f"{self.root}/{name}"
        if path in self.tables:
            raise ValueError(f"stash {self.root} already holds {name}")
        df.write.mode("overwrite").parquet(path)
        self.tables.append(path)
        return self.spark.read.parquet(path)

    def close(self) -> None:
        hadoop_fs.delete(self.spark, self.root, recursive=True)
        self.tables.clear()

    def __enter__(self) -> "Stash":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
