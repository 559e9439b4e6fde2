"""Small DataFrame utilities shared across layers."""

from __future__ import annotations

from functools import reduce
from typing import Iterable

from pyspark.sql import DataFrame


def union_all(frames: Iterable[DataFrame]) -> DataFrame:
    """Union by column name of one or more DataFrames with the same columns."""
    return reduce(DataFrame.unionByName, list(frames))
