"""Golden cross (SPEC item 3): for a challenger and a leader series (e.g. China vs US yearly
papers, yearly top-1% papers), the first year the challenger's value exceeds the leader's after
being at or below it the year before. Null when it never happens, including a challenger that
leads from the first year of the window and never falls back.

Series span every year of the window; a year without papers counts 0. Inputs are gold tables
of a few thousand rows, so the window functions here run on tiny data.

Gold tables: golden_cross (grain: metric, challenger, leader) and golden_cross_series
(grain: metric, challenger, leader, year) for the charts.

Nightly runs recompute it in full: its inputs are gold tables that every night rewrites, a few
thousand rows.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import Window as W
from pyspark.sql import functions as F

from jobs.frames import union_all

METRIC_TABLES = {"papers": "output_by_country_year", "top_cited_papers": "top_cited_by_country_year"}


def pair_series(
    spark: SparkSession, yearly_df: DataFrame, metric: str, challenger: str, leader: str, year_start: int, year_end: int
) -> DataFrame:
    """(metric, challenger, leader, year, challenger_value, leader_value), zero-filled.

    yearly_df: (country_code, year, papers), full counting.
    """
    years = spark.range(year_start, year_end + 1).select(F.col("id").cast("int").alias("year"))

    def values(country: str, name: str) -> DataFrame:
        return yearly_df.where(F.col("country_code") == country).select("year", F.col("papers").alias(name))

    return (
        years.join(values(challenger, "challenger_value"), "year", how="left")
        .join(values(leader, "leader_value"), "year", how="left")
        .select(
            F.lit(metric).alias("metric"),
            F.lit(challenger).alias("challenger"),
            F.lit(leader).alias("leader"),
            "year",
            F.coalesce("challenger_value", F.lit(0.0)).alias("challenger_value"),
            F.coalesce("leader_value", F.lit(0.0)).alias("leader_value"),
        )
    )


def crossings(series_df: DataFrame) -> DataFrame:
    """(metric, challenger, leader, cross_year, challenger_value, leader_value) per pair."""
    pair = ["metric", "challenger", "leader"]
    by_year = W.partitionBy(*pair).orderBy("year")
    flagged = series_df.withColumn(
        "is_cross",
        (F.col("challenger_value") > F.col("leader_value"))
        & F.coalesce(F.lag("challenger_value").over(by_year) <= F.lag("leader_value").over(by_year), F.lit(False)),
    )
    first = flagged.groupBy(*pair).agg(F.min(F.when(F.col("is_cross"), F.col("year"))).alias("cross_year"))
    at_cross = flagged.select(*pair, F.col("year").alias("cross_year"), "challenger_value", "leader_value")
    return first.join(at_cross, pair + ["cross_year"], how="left").select(*pair, "cross_year", "challenger_value", "leader_value")


def run(ctx) -> dict:
    spark, wh, config = ctx.spark, ctx.warehouse, ctx.config
    series = []
    for metric, table in METRIC_TABLES.items():
        yearly_df = wh.read(spark, table, "gold").where(F.col("counting") == "full")
        for challenger, leader in config.indicators.golden_cross_pairs:
            series.append(
                pair_series(spark, yearly_df, metric, challenger, leader, config.scope.year_start, config.scope.year_end)
            )
    versions = {"golden_cross_series": wh.write(union_all(series), "golden_cross_series", layer="gold")}
    versions["golden_cross"] = wh.write(crossings(wh.read(spark, "golden_cross_series", "gold")), "golden_cross", layer="gold")
    return {"versions": versions}
