"""Top 1% highly cited papers, ESI style (SPEC item 2).

For each (field, publication year) cell: rank papers by citations; threshold = citations of the
paper at rank ceil(1% of the cell); a paper is top if citations >= threshold, and when the
threshold is <= 2 (thresholds.top_cited_min_threshold) no paper of the cell qualifies. Papers
without a field form their own cell per year (field_id 'unknown').

Exact at any size without sorting a cell: the threshold is the k-th largest citation count,
read off a histogram of (cell, citations) -> papers with a running count from the top. A cell
of a million papers has a few thousand distinct citation counts, so the window sorts those,
not the papers; ties at the threshold all qualify. ceil(share * n) is computed in decimal,
not float (0.01 * 700 is 7.000000000000001 in floating point).

Gold tables: top_cited_thresholds (grain: field_id, publication_year), top_cited_papers
(grain: paper_id; top papers only), top_cited_by_country / _by_country_year / _by_institution
(grain as the output tables, counting full|fractional; papers = top papers), top_cited_by_year.

Nightly runs recompute this stage in full: a cell's threshold is a quantile of all its papers'
citation counts, and a delivery's citations raise counts in almost every (field, year) cell, so
papers the delivery does not touch enter or leave the top 1%. Recomputing only the cells a delivery
touches would recompute nearly all of them.
"""

from __future__ import annotations

from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import Window as W
from pyspark.sql import functions as F

from jobs.frames import union_all

# A top-1% breakdown is the output breakdown of the top papers: the same functions, other papers.
from jobs.indicators.output_impact import COUNTINGS, by_country_year, by_institution, by_year, country_totals

UNKNOWN_FIELD = "unknown"
CELL = ["field_id", "publication_year"]


def with_cell(papers_df: DataFrame) -> DataFrame:
    return papers_df.withColumn("field_id", F.coalesce(F.col("field_id"), F.lit(UNKNOWN_FIELD)))


def cell_thresholds(papers_df: DataFrame, share: float, min_threshold: int) -> DataFrame:
    """(field_id, publication_year, cell_size, threshold_rank, threshold, has_top) per cell."""
    histogram = with_cell(papers_df).groupBy(*CELL, "citations").agg(F.count(F.lit(1)).alias("n"))
    from_top = W.partitionBy(*CELL).orderBy(F.col("citations").desc()).rowsBetween(W.unboundedPreceding, W.currentRow)
    whole_cell = W.partitionBy(*CELL).rowsBetween(W.unboundedPreceding, W.unboundedFollowing)
    ranked = histogram.select(
        *CELL,
        "citations",
        F.sum("n").over(from_top).alias("at_or_above"),
        F.sum("n").over(whole_cell).alias("cell_size"),
    ).withColumn(
        "threshold_rank",
        F.ceil(F.col("cell_size").cast("decimal(20,0)") * F.lit(str(share)).cast("decimal(12,10)")).cast("long"),
    )
    cells = ranked.groupBy(*CELL, "cell_size", "threshold_rank").agg(
        F.max(F.when(F.col("at_or_above") >= F.col("threshold_rank"), F.col("citations"))).alias("threshold")
    )
    return cells.select(*CELL, "cell_size", "threshold_rank", "threshold", (F.col("threshold") > min_threshold).alias("has_top"))


def flag_top(papers_df: DataFrame, thresholds_df: DataFrame) -> DataFrame:
    """Top papers: (paper_id, field_id, publication_year, citations, threshold)."""
    return (
        with_cell(papers_df)
        .join(thresholds_df.where("has_top"), CELL, how="inner")
        .where(F.col("citations") >= F.col("threshold"))
        .select("paper_id", "field_id", "publication_year", "citations", "threshold")
    )


def run(ctx) -> dict:
    spark, wh, th = ctx.spark, ctx.warehouse, ctx.config.thresholds
    papers_df = wh.read(spark, "paper_citations", "gold")
    versions = {
        "top_cited_thresholds": wh.write(
            cell_thresholds(papers_df, th.top_cited_share, th.top_cited_min_threshold), "top_cited_thresholds", layer="gold"
        )
    }
    top_df = flag_top(papers_df, wh.read(spark, "top_cited_thresholds", "gold"))
    versions["top_cited_papers"] = wh.write(top_df, "top_cited_papers", layer="gold")
    top_df = wh.read(spark, "top_cited_papers", "gold")
    # The authorships of top papers (1% of them), read and kept once for the breakdowns
    # below, instead of each breakdown grouping all authorships (fractional weights) first.
    authorships_df = top_authorships(wh.read(spark, "authorships", "silver"), top_df).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        institutions_df = wh.read(spark, "institutions", "silver")
        versions["top_cited_by_country_year"] = wh.write(
            by_country_year(top_df, authorships_df), "top_cited_by_country_year", layer="gold"
        )
        country_year_df = wh.read(spark, "top_cited_by_country_year", "gold")
        versions["top_cited_by_country"] = wh.write(
            union_all(country_totals(country_year_df, c) for c in COUNTINGS), "top_cited_by_country", layer="gold"
        )
        versions["top_cited_by_institution"] = wh.write(
            by_institution(top_df, authorships_df, institutions_df), "top_cited_by_institution", layer="gold"
        )
    finally:
        authorships_df.unpersist()
    versions["top_cited_by_year"] = wh.write(by_year(top_df), "top_cited_by_year", layer="gold")
    return {"versions": versions}


def top_authorships(authorships_df: DataFrame, top_df: DataFrame) -> DataFrame:
    """Every authorship row of the top papers: a paper's weights and countries depend only on
    its own rows, so the breakdowns of top papers need no other."""
    return authorships_df.join(top_df.select("paper_id"), "paper_id", how="left_semi")
