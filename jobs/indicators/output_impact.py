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
- paper_yearly_citations: grain (paper_id, year). Citations an in-scope paper received per
  year: counted from in-corpus citing edges (by citing year) when the paper has any, else
  OpenAlex's counts_by_year (which covers only the last ten years). `source` says which; the
  Delta commit's userMetadata states the rule too.

Nightly runs recompute this stage in full. A delivery's new works add citations to old papers,
changing their counts and means in every country, institution and year they count for; its updated
works can change their authors' institutions and their year; its removed works leave. The totals
could be updated by differences, but only with every changed paper's previous contribution (silver
before the MERGE) and the cited papers' previous counts, and the ranks over all countries move
anyway; the stage is one aggregation pass over silver, which the nightly ingest rewrites whole.
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


def by_country(papers_df: DataFrame, authorships_df: DataFrame) -> DataFrame:
    """Both countings' by-country rows (the jobs derive them from the written by-country-year rows)."""
    country_year_df = by_country_year(papers_df, authorships_df)
    return union_all(country_totals(country_year_df, c) for c in COUNTINGS)


def country_totals(country_year_df: DataFrame, counting: str) -> DataFrame:
    """One counting's by-country rows from by-country-year rows: each paper has one publication
    year, so a country's papers and citations are the sums over its years. The jobs derive
    output_by_country from the written output_by_country_year (a few hundred rows) instead of
    joining papers to authorships a second time."""
    totals = (
        country_year_df.where(F.col("counting") == counting)
        .groupBy("country_code")
        .agg(F.sum("papers").alias("papers"), F.sum("citations").alias("citations"))
    )
    return totals.select(
        F.lit(counting).alias("counting"),
        "country_code",
        "papers",
        "citations",
        F.when(F.col("papers") > 0, F.col("citations") / F.col("papers")).alias("mean_citations"),
        rank_desc("papers").alias("rank"),
    )


def by_country_year(papers_df: DataFrame, authorships_df: DataFrame) -> DataFrame:
    """Both countings in one pass over the authorships (common.counted_totals)."""
    totals = counted_totals(papers_df, country_units(authorships_df), ["country_code", "publication_year"])
    return totals.select(
        "counting",
        "country_code",
        F.col("publication_year").alias("year"),
        "papers",
        "citations",
        "mean_citations",
    )


def by_institution(papers_df: DataFrame, authorships_df: DataFrame, institutions_df: DataFrame) -> DataFrame:
    """Both countings in one pass over the authorships; ranked within each counting."""
    totals = counted_totals(papers_df, institution_units(authorships_df, institutions_df), ["canonical_id"])
    names = canonical_names(institutions_df)
    return totals.join(names, "canonical_id", how="left").select(
        "counting",
        "canonical_id",
        "canonical_name",
        "country_code",
        "papers",
        "citations",
        "mean_citations",
        rank_desc("papers", within=("counting",)).alias("rank"),
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
    return (
        papers_df.groupBy(F.col("publication_year").alias("year"))
        .agg(
            F.count(F.lit(1)).cast("double").alias("papers"),
            F.sum("citations").cast("double").alias("citations"),
        )
        .select("year", "papers", "citations", (F.col("citations") / F.col("papers")).alias("mean_citations"))
    )


YEARLY_SOURCE_NOTE = (
    "yearly citations: in_corpus_edges (citing year of in-corpus references) when a paper has any, "
    "else source_counts_by_year (OpenAlex counts_by_year, last ten years only)"
)


def yearly_citations(papers_df: DataFrame, citations_df: DataFrame) -> DataFrame:
    """(paper_id, year, citations, source) for the papers of papers_df.

    One group-by on (cited paper, citing year) over edges semi-joined to the papers; a hub paper
    with 100k citations spreads over its citing years and is combined map-side. The papers then
    left-join those counts: a paper with counts keeps them, a paper without gets its
    counts_by_year. One pass over the edges: an anti-join of the papers against the edge counts
    would read and shuffle every edge a second time.
    """
    edges = citations_df.join(papers_df.select(F.col("paper_id").alias("cited_paper_id")), "cited_paper_id", how="left_semi")
    from_edges = edges.groupBy(F.col("cited_paper_id").alias("paper_id"), F.col("citing_year").alias("year")).agg(
        F.count(F.lit(1)).alias("n")
    )
    joined = papers_df.select("paper_id", "counts_by_year").join(from_edges, "paper_id", how="left")
    from_source = F.transform(
        "counts_by_year",
        lambda c: F.struct(
            c["year"].alias("year"),
            c["cited_by_count"].cast("long").alias("citations"),
            F.lit("source_counts_by_year").alias("source"),
        ),
    )
    from_edge = F.array(F.struct(F.col("year"), F.col("n").alias("citations"), F.lit("in_corpus_edges").alias("source")))
    entries = F.when(F.col("n").isNull(), from_source).otherwise(from_edge)
    return joined.select("paper_id", F.explode(entries).alias("e")).select("paper_id", "e.*").where(F.col("citations") > 0)


def run(ctx) -> dict:
    spark, wh, scope = ctx.spark, ctx.warehouse, ctx.config.scope
    papers_df = scoped_papers(wh.read(spark, "papers", "silver"), wh.read(spark, "citations", "silver"), scope)
    versions = {}
    versions["paper_citations"] = wh.write(
        papers_df.select("paper_id", "publication_year", "field_id", "citations", "citation_source"),
        "paper_citations",
        layer="gold",
        partition_by=["publication_year"],
    )
    versions["paper_yearly_citations"] = wh.write(
        yearly_citations(papers_df, wh.read(spark, "citations", "silver")),
        "paper_yearly_citations",
        layer="gold",
        description=YEARLY_SOURCE_NOTE,
    )
    papers_df = wh.read(spark, "paper_citations", "gold")
    authorships_df = wh.read(spark, "authorships", "silver")
    institutions_df = wh.read(spark, "institutions", "silver")
    versions["output_by_country_year"] = wh.write(
        by_country_year(papers_df, authorships_df), "output_by_country_year", layer="gold"
    )
    country_year_df = wh.read(spark, "output_by_country_year", "gold")
    versions["output_by_country"] = wh.write(
        union_all(country_totals(country_year_df, c) for c in COUNTINGS), "output_by_country", layer="gold"
    )
    versions["output_by_institution"] = wh.write(
        by_institution(papers_df, authorships_df, institutions_df), "output_by_institution", layer="gold"
    )
    versions["output_by_year"] = wh.write(by_year(papers_df), "output_by_year", layer="gold")
    return {"versions": versions}
