"""Name-based canonicalisation rules (config: institutions.canonical, patents.assignee_canonical):
the first rule matching a row's id, lineage or name gives its canonical id and name, so the
variants of one organisation are counted together.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T


def rules_frame(spark: SparkSession, rules: list[dict]) -> DataFrame:
    """Canonicalisation rules as a small DataFrame: rule_order, canonical_id, canonical_name,
    ids, name_patterns (made case-insensitive)."""
    schema = T.StructType(
        [
            T.StructField("rule_order", T.IntegerType()),
            T.StructField("canonical_id", T.StringType()),
            T.StructField("canonical_name", T.StringType()),
            T.StructField("ids", T.ArrayType(T.StringType())),
            T.StructField("name_patterns", T.ArrayType(T.StringType())),
        ]
    )
    rows = [
        (
            order,
            rule.get("canonical_id"),
            rule["canonical_name"],
            list(rule.get("ids") or []),
            [f"(?i){p}" for p in rule.get("name_patterns") or []],
        )
        for order, rule in enumerate(rules)
    ]
    return spark.createDataFrame(rows, schema)


def match_rules(df: DataFrame, rules_df: DataFrame, key: str, name_col: str, lineage_col: str | None = None) -> DataFrame:
    """(key, canonical_id, canonical_name) of the first rule matching each row of df.

    Rules are a handful of rows: they are broadcast and cross-joined, and each row tests its id,
    its lineage and its name against the rule with SQL functions (rlike, arrays_overlap).
    """
    id_match = F.array_contains(F.col("ids"), F.col(key))
    if lineage_col:
        id_match = id_match | F.coalesce(F.arrays_overlap(F.col(lineage_col), F.col("ids")), F.lit(False))
    name_match = F.exists(F.col("name_patterns"), lambda p: F.coalesce(F.regexp_like(F.col(name_col), p), F.lit(False)))
    matched = df.crossJoin(F.broadcast(rules_df)).where(id_match | name_match)
    return (
        matched.groupBy(key)
        .agg(F.min_by(F.struct("canonical_id", "canonical_name"), F.col("rule_order")).alias("rule"))
        .select(key, F.col("rule.canonical_id").alias("canonical_id"), F.col("rule.canonical_name").alias("canonical_name"))
    )
