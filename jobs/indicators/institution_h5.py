"""Institution h5-index (SPEC item 8; seed 002 ch.3 sec.4).

institution_h5 (grain: canonical_id): the h-index of the canonical institution's papers
(full counting: a paper counts once per distinct canonical institution among its authors)
published in the last `indicators.h5_years` complete years of the window (by default
year_end-4 .. year_end), with papers and citations of those years and a competition rank by h5.
Skew: the window is partitioned by institution, over its citation histogram (institution_h5):
the largest have ~300k papers in five years, but only as many rows as distinct citation counts.

Nightly runs recompute this stage in full: an institution's h5 depends on the citations of all its
papers of the last years, which a delivery's new works change for institutions that are not in it.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import Window as W
from pyspark.sql import functions as F

from jobs.indicators.common import rank_desc
from jobs.indicators.output_impact import canonical_names


def h5_years(year_end: int, n_years: int) -> tuple[int, int]:
    return year_end - n_years + 1, year_end


def institution_h5(
    papers_df: DataFrame, authorships_df: DataFrame, institutions_df: DataFrame, first_year: int, last_year: int
) -> DataFrame:
    """From each institution's citation histogram: papers per (institution, citation count), and,
    down the histogram from the most cited, N(c) = the institution's papers with at least c
    citations. h5 = max over its counts c of min(c, N(c)) (0 without papers). That is the h-index:
    the largest h with N(h) >= h. Take c* as the smallest count at or above the true h: no count
    lies between h and c*, so N(c*) = N(h) >= h and min(c*, N(c*)) >= h, and no term exceeds h,
    because min(c, N(c)) = k gives N(k) >= N(c) >= k.

    The histogram is an aggregate that combines map-side, so the window sorts each institution's
    distinct citation counts (a few hundred), not its papers (up to ~300k in five years).
    """
    recent = papers_df.where(F.col("publication_year").between(first_year, last_year)).select("paper_id", "citations")
    # Joined to the recent papers before the distinct (a paper counts once per canonical
    # institution): only the h5 years' authorships reach it, and no join of the distinct pairs to
    # the papers follows. The rows are the same as with the distinct first.
    canonical = institutions_df.select("institution_id", "canonical_id")
    units = (
        authorships_df.where(F.col("institution_id").isNotNull())
        .select("paper_id", "institution_id")
        .join(recent, "paper_id", how="inner")
        .join(canonical, "institution_id", how="inner")
        .select("paper_id", "canonical_id", "citations")
        .distinct()
    )
    histogram = units.groupBy("canonical_id", "citations").agg(F.count(F.lit(1)).alias("n"))
    down = W.partitionBy("canonical_id").orderBy(F.col("citations").desc()).rowsBetween(W.unboundedPreceding, W.currentRow)
    with_at_least = histogram.withColumn("at_least", F.sum("n").over(down))
    per_institution = with_at_least.groupBy("canonical_id").agg(
        F.coalesce(F.max(F.least(F.col("citations"), F.col("at_least"))), F.lit(0)).cast("int").alias("h5_index"),
        F.sum("n").cast("long").alias("papers"),
        F.sum(F.col("n") * F.col("citations")).cast("long").alias("citations"),
    )
    return per_institution.join(canonical_names(institutions_df), "canonical_id", how="left").select(
        "canonical_id",
        "canonical_name",
        "country_code",
        "h5_index",
        "papers",
        "citations",
        F.lit(first_year).alias("first_year"),
        F.lit(last_year).alias("last_year"),
        rank_desc("h5_index").alias("rank"),
    )


def run(ctx) -> dict:
    spark, wh, config = ctx.spark, ctx.warehouse, ctx.config
    first, last = h5_years(config.scope.year_end, config.indicators.h5_years)
    table = institution_h5(
        wh.read(spark, "paper_citations", "gold"),
        wh.read(spark, "authorships", "silver"),
        wh.read(spark, "institutions", "silver"),
        first,
        last,
    )
    return {"versions": {"institution_h5": wh.write(table, "institution_h5", layer="gold")}}
