"""Institution h5-index (SPEC item 8; seed 002 ch.3 sec.4).

institution_h5 (grain: canonical_id): the h-index of the canonical institution's papers
(full counting: a paper counts once per distinct canonical institution among its authors)
published in the last `indicators.h5_years` complete years of the window (by default
year_end-4 .. year_end), with papers and citations of those years and a competition rank by h5.
Skew: the window is partitioned by institution; the largest have ~300k papers in five years,
one sort per task.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window as W
from pyspark.sql import functions as F

from jobs.indicators.common import h_index_of, paper_institutions, rank_desc
from jobs.indicators.output_impact import canonical_names


def h5_years(year_end: int, n_years: int) -> tuple[int, int]:
    return year_end - n_years + 1, year_end


def institution_h5(papers_df: DataFrame, authorships_df: DataFrame, institutions_df: DataFrame, first_year: int, last_year: int) -> DataFrame:
    recent = papers_df.where(F.col("publication_year").between(first_year, last_year)).select("paper_id", "citations")
    units = paper_institutions(authorships_df, institutions_df).join(recent, "paper_id", how="inner")
    ranked = units.withColumn(
        "r", F.row_number().over(W.partitionBy("canonical_id").orderBy(F.col("citations").desc(), F.col("paper_id")))
    )
    per_institution = ranked.groupBy("canonical_id").agg(
        h_index_of(F.col("citations"), F.col("r")).cast("int").alias("h5_index"),
        F.count(F.lit(1)).cast("long").alias("papers"),
        F.sum("citations").cast("long").alias("citations"),
    )
    return per_institution.join(canonical_names(institutions_df), "canonical_id", how="left").select(
        "canonical_id", "canonical_name", "country_code", "h5_index", "papers", "citations",
        F.lit(first_year).alias("first_year"), F.lit(last_year).alias("last_year"),
        rank_desc("h5_index").alias("rank"),
    )


def run(ctx) -> dict:
    spark, wh, config = ctx.spark, ctx.warehouse, ctx.config
    first, last = h5_years(config.scope.year_end, config.indicators.h5_years)
    table = institution_h5(
        wh.read(spark, "paper_citations", "gold"), wh.read(spark, "authorships", "silver"),
        wh.read(spark, "institutions", "silver"), first, last,
    )
    return {"versions": {"institution_h5": wh.write(table, "institution_h5", layer="gold")}}
