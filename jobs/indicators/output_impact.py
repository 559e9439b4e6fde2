"""Paper output and impact (seed 002 ch.1-2, figs 1, 6-11, table 1).

Gold tables (papers in the configured window and domain):
- output_by_country: grain (counting, country_code). papers, citations, mean_citations, rank
  (by papers, competition ranking). counting is 'full' (a paper counts 1 for each distinct
  author country) or 'fractional' (CWTS: 1/n_authors split over each author's institutions).
- output_by_country_year: grain (counting, country_code, year).
- output_by_institution: grain (counting, canonical_id); canonical name and country attached.
- output_by_year: grain (year). The world's papers and citations per publication year.
- paper_citations: grain (paper_id). Each in-scope paper's total citations and which source
  gave them (OpenAlex cited_by_count, else in-corpus citing edges).
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.frames import union_all
from jobs.indicators.common import (
    FRACTIONAL,
    FULL,
    counted_totals,
    country_units,
    institution_units,
    papers_in_scope,
    rank_desc,
    with_citations,
)

COUNTINGS = (FULL, FRACTIONAL)


def scoped_papers(papers_df: DataFrame, citations_df: DataFrame, scope) -> DataFrame:
    """In-scope papers with their total citations: the input of every paper indicator."""
    return with_citations(papers_in_scope(papers_df, scope), citations_df)


def by_country(papers_df: DataFrame, authorships_df: DataFrame, counting: str) -> DataFrame:
    totals = counted_totals(papers_df, country_units(authorships_df, counting), ["country_code"])
    return totals.select(
        F.lit(counting).alias("counting"), "country_code", "papers", "citations", "mean_citations",
        rank_desc("papers").alias("rank"),
    )


def by_country_year(papers_df: DataFrame, authorships_df: DataFrame, counting: str) -> DataFrame:
    totals = counted_totals(papers_df, country_units(authorships_df, counting), ["country_code", "publication_year"])
    return totals.select(
        F.lit(counting).alias("counting"), "country_code", F.col("publication_year").alias("year"),
        "papers", "citations", "mean_citations",
    )


def by_institution(papers_df: DataFrame, authorships_df: DataFrame, institutions_df: DataFrame, counting: str) -> DataFrame:
    totals = counted_totals(papers_df, institution_units(authorships_df, institutions_df, counting), ["canonical_id"])
    names = canonical_names(institutions_df)
    return totals.join(names, "canonical_id", how="left").select(
        F.lit(counting).alias("counting"), "canonical_id", "canonical_name", "country_code",
        "papers", "citations", "mean_citations", rank_desc("papers").alias("rank"),
    )


def canonical_names(institutions_df: DataFrame) -> DataFrame:
    """(canonical_id, canonical_name, country_code): one row per canonical institution; its
    country is the most common among its member institutions (ties: smallest code)."""
    members = institutions_df.groupBy("canonical_id", "country_code").agg(
        F.count(F.lit(1)).alias("n"), F.max("canonical_name").alias("canonical_name")
    )
    preference = F.struct(-F.col("n"), F.col("country_code").isNull(), F.col("country_code"))
    return members.groupBy("canonical_id").agg(
        F.max("canonical_name").alias("canonical_name"),
        F.min_by("country_code", preference).alias("country_code"),
    )


def by_year(papers_df: DataFrame) -> DataFrame:
    return papers_df.groupBy(F.col("publication_year").alias("year")).agg(
        F.count(F.lit(1)).cast("double").alias("papers"),
        F.sum("citations").cast("double").alias("citations"),
    ).select("year", "papers", "citations", (F.col("citations") / F.col("papers")).alias("mean_citations"))


def run(ctx) -> dict:
    spark, wh, scope = ctx.spark, ctx.warehouse, ctx.config.scope
    papers_df = scoped_papers(wh.read(spark, "papers", "silver"), wh.read(spark, "citations", "silver"), scope)
    versions = {}
    versions["paper_citations"] = wh.write(
        papers_df.select("paper_id", "publication_year", "field_id", "citations", "citation_source"),
        "paper_citations", layer="gold", partition_by=["publication_year"],
    )
    papers_df = wh.read(spark, "paper_citations", "gold")
    authorships_df = wh.read(spark, "authorships", "silver")
    institutions_df = wh.read(spark, "institutions", "silver")
    versions["output_by_country"] = wh.write(union_all(by_country(papers_df, authorships_df, c) for c in COUNTINGS), "output_by_country", layer="gold")
    versions["output_by_country_year"] = wh.write(union_all(by_country_year(papers_df, authorships_df, c) for c in COUNTINGS), "output_by_country_year", layer="gold")
    versions["output_by_institution"] = wh.write(
        union_all(by_institution(papers_df, authorships_df, institutions_df, c) for c in COUNTINGS), "output_by_institution", layer="gold"
    )
    versions["output_by_year"] = wh.write(by_year(papers_df), "output_by_year", layer="gold")
    return {"versions": versions}

