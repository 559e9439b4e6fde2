"""Spark column helpers of the generator: hashed uniforms, literal tables and lookups in them.

Every random choice is a uniform derived from xxhash64(seed, salt, values): the same seed gives
the same rows whatever the partitioning, and no Python UDF runs. Row-level work stays in
codegen-friendly expressions (comparisons, element_at on literal arrays, hashes); higher-order
functions (interpreted, one lambda call per element) only touch short arrays.
"""

from __future__ import annotations

import json
import math
from functools import reduce

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

_MASK53 = (1 << 53) - 1
LOOKUP_BUCKETS = 2048


def unif(seed: int, salt: str, *cols) -> Column:
    """Uniform double in [0, 1) from xxhash64(seed, salt, cols): same inputs, same number. The
    salt names the decision, so two decisions on the same row are independent."""
    return F.xxhash64(F.lit(seed), F.lit(salt), *cols).bitwiseAND(F.lit(_MASK53)) / float(1 << 53)


def std_normal(seed: int, salt: str, *cols) -> Column:
    """Standard normal by Box-Muller from two hashed uniforms."""
    u1 = F.lit(1.0) - unif(seed, salt + "/1", *cols)
    u2 = unif(seed, salt + "/2", *cols)
    return F.sqrt(F.lit(-2.0) * F.log(u1)) * F.cos(F.lit(2 * math.pi) * u2)


def json_literal(value, ddl_type: str) -> Column:
    """A literal of any shape from one JSON string: the optimizer folds it to a constant, and it
    is one call into the JVM instead of one per element (big tables would take minutes)."""
    return F.from_json(F.lit(json.dumps(value)), ddl_type)


def lit_array(values, cast: str | None = None) -> Column:
    """A literal array; the element type is inferred from the Python values unless given."""
    values = list(values)
    if cast is None:
        if all(isinstance(v, str) for v in values):
            cast = "string"
        elif all(isinstance(v, bool) for v in values):
            cast = "boolean"
        elif all(isinstance(v, int) for v in values):
            cast = "int"
        else:
            cast = "double"
    return json_literal(values, f"array<{cast}>")


def lit_array2(rows, cast: str) -> Column:
    """A literal array of arrays."""
    return json_literal([list(row) for row in rows], f"array<array<{cast}>>")


def at(array: Column, index: Column) -> Column:
    """0-based element of an array column (null past the end)."""
    return F.element_at(array, index + 1)


def bin_index(bounds, n_bins: int, u: Column) -> Column:
    """Bin of u given cumulative upper bounds (a Python list or an array column; last = 1.0):
    the number of bounds <= u, as a sum of comparisons. Pass u and bounds as plain column
    references: the expression repeats them n_bins times."""

    def bound(k: int) -> Column:
        return F.lit(bounds[k]) if isinstance(bounds, list) else F.element_at(bounds, k + 1)

    return reduce(lambda acc, k: acc + (u >= bound(k)).cast("int"), range(n_bins - 1), F.lit(0))


def lookup(cums: list[list[float]], row: Column, u: Column) -> Column:
    """Bin of u in the cumulative distribution cums[row], read from a flat literal table of
    LOOKUP_BUCKETS entries per distribution (bucket midpoints: shares exact to 1/2048). One
    element_at instead of a search keeps the generated code small."""
    table = [sum(1 for bound in cum[:-1] if (k + 0.5) / LOOKUP_BUCKETS >= bound) for cum in cums for k in range(LOOKUP_BUCKETS)]
    bucket = F.least(F.floor(u * LOOKUP_BUCKETS), F.lit(LOOKUP_BUCKETS - 1)).cast("int")
    return F.element_at(lit_array(table), row * LOOKUP_BUCKETS + bucket + 1)


def year_block(number: Column, starts: list[int]) -> Column:
    """Index of the block holding number, for contiguous blocks opening at `starts`."""
    return reduce(lambda acc, start: acc + (number >= F.lit(start)).cast("int"), starts[1:], F.lit(0))


def low_discrepancy(index: Column, dim: int, offset: float) -> Column:
    """Coordinate dim of point `index` of the R_3 sequence (Roberts): evenly spread on any run of
    consecutive indices, so shares drawn with it hold almost exactly at any size."""
    g = 1.2207440846057596  # root of x^4 = x + 1
    alpha = (1.0 / g ** (dim + 1)) % 1.0
    x = F.lit(offset) + index.cast("double") * F.lit(alpha)
    return x - F.floor(x)


def power_rank(n: Column, u: Column, alpha: float | Column) -> Column:
    """floor(n * u ** alpha): a rank in [0, n) that favours low ranks (the biggest, the most
    productive) for alpha > 1."""
    return F.floor(n * F.pow(u, F.lit(alpha)))


def pick(values, u: Column) -> Column:
    """One of a Python list's values, uniformly by u."""
    values = list(values)
    return at(lit_array(values), F.floor(u * len(values)).cast("int"))


def local_table(spark: SparkSession, rows: list[tuple], schema: str) -> DataFrame:
    """A small DataFrame from driver-side rows, built from one JSON literal (createDataFrame on
    a list would ship pickled rows through Python workers). schema: "name type, name type"."""
    fields = [part.strip().split(" ", 1) for part in _split_top_level(schema)]
    row_type = "struct<" + ",".join(f"{name}:{typ}" for name, typ in fields) + ">"
    records = [{name: value for (name, _), value in zip(fields, row)} for row in rows]
    return spark.range(1).select(F.inline(json_literal(records, f"array<{row_type}>")))


def _split_top_level(schema: str) -> list[str]:
    """Split on the commas outside <> and ()."""
    parts, depth, current = [], 0, ""
    for ch in schema:
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += ch in "<("
        depth -= ch in ">)"
        current += ch
    return parts + [current]
