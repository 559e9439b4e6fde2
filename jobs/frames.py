"""Small DataFrame utilities shared across layers."""

from __future__ import annotations

from functools import reduce
from typing import Iterable

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T


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
