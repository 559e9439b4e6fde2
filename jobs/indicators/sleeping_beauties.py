"""Sleeping beauties: the beauty coefficient B and the awakening year of every top-1% paper
(Ke, Ferrara, Radicchi, Flammini, PNAS 2015), in Spark SQL higher-order functions only.

Per paper, c_t is the number of citations received in year publication_year + t, for
t = 0 .. year_end - publication_year (gold paper_yearly_citations, zero years included).
- t_m: the year of the peak, max c_t (the first such year when the peak repeats);
- the reference line joins (0, c_0) and (t_m, c_tm): l_t = (c_tm - c_0) / t_m * t + c_0;
- B = sum over t = 0 .. t_m of (l_t - c_t) / max(1, c_t); B = 0 when t_m = 0 (a paper peaking
  in its first year has slept for no time). B grows with a long, low sleep before a late peak;
  a paper whose citations run above the line (early fame, then decline) has B <= 0;
- awakening t_a: the t <= t_m where the point (t, c_t) lies furthest from the line, distance
  |(c_tm - c_0) t - t_m c_t + t_m c_0| / sqrt((c_tm - c_0)^2 + t_m^2) (the first such t on ties);
  null when t_m = 0.

The series is built per paper from a map year -> citations (one group-by on paper_id over its
yearly rows, ten or so per paper): no window over the papers, no join with a calendar.

Gold table sleeping_beauties (grain: paper_id): publication_year, peak_year,
beauty_coefficient, awakening_year, citations (total in the window), rank (by B descending,
then citations, then paper_id: unique).

Nightly runs recompute this stage in full: the papers are the top 1% (whose thresholds move every
night) and a new citation changes a paper's yearly curve; the stage reads the top papers only.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import Window as W
from pyspark.sql import functions as F


def beauty(top_df: DataFrame, yearly_df: DataFrame, year_end: int) -> DataFrame:
    """(paper_id, publication_year, peak_year, beauty_coefficient, awakening_year, citations, rank)."""
    by_year = (
        yearly_df.where(F.col("year") <= year_end)
        .groupBy("paper_id")
        .agg(F.map_from_entries(F.collect_list(F.struct("year", "citations"))).alias("by_year"))
    )
    papers = top_df.select("paper_id", "publication_year").join(by_year, "paper_id", "left")
    series = F.transform(
        F.sequence(F.lit(0), F.greatest(F.lit(year_end) - F.col("publication_year"), F.lit(0))),
        lambda t: F.coalesce(F.element_at(F.col("by_year"), F.col("publication_year") + t), F.lit(0)).cast("double"),
    )
    with_series = papers.select("paper_id", "publication_year", series.alias("c"))
    peak = F.array_position("c", F.array_max("c")).cast("int") - 1  # first peak, 0-based
    shaped = with_series.select(
        "paper_id",
        "publication_year",
        "c",
        peak.alias("t_m"),
        F.element_at("c", 1).alias("c0"),
        F.element_at("c", peak + 1).alias("ctm"),
        F.aggregate("c", F.lit(0.0), lambda acc, x: acc + x).alias("citations"),
    )
    t_m, c0, ctm = F.col("t_m"), F.col("c0"), F.col("ctm")
    until_peak = F.sequence(F.lit(0), t_m)
    c_at = lambda t: F.element_at(F.col("c"), t + 1)  # noqa: E731
    b_terms = F.aggregate(
        until_peak,
        F.lit(0.0),
        lambda acc, t: acc + ((ctm - c0) / t_m * t + c0 - c_at(t)) / F.greatest(F.lit(1.0), c_at(t)),
    )
    norm = F.sqrt((ctm - c0) * (ctm - c0) + t_m * t_m)
    distances = F.transform(until_peak, lambda t: F.abs((ctm - c0) * t - t_m * c_at(t) + t_m * c0) / norm)
    awakening = F.array_position(distances, F.array_max(distances)).cast("int") - 1
    result = shaped.select(
        "paper_id",
        "publication_year",
        (F.col("publication_year") + t_m).cast("int").alias("peak_year"),
        F.when(t_m == 0, F.lit(0.0)).otherwise(b_terms).alias("beauty_coefficient"),
        F.when(t_m == 0, F.lit(None).cast("int"))
        .otherwise(F.col("publication_year") + awakening)
        .cast("int")
        .alias("awakening_year"),
        F.col("citations").cast("long").alias("citations"),
    )
    order = W.orderBy(F.col("beauty_coefficient").desc(), F.col("citations").desc(), "paper_id")
    return result.withColumn("rank", F.row_number().over(order).cast("int"))


def run(ctx) -> dict:
    spark, wh = ctx.spark, ctx.warehouse
    table = beauty(
        wh.read(spark, "top_cited_papers", "gold"), wh.read(spark, "paper_yearly_citations", "gold"), ctx.config.scope.year_end
    )
    return {"versions": {"sleeping_beauties": wh.write(table, "sleeping_beauties", layer="gold")}}
