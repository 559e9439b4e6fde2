"""Scholar h-index and talent (SPEC item 5; seed 002 ch.3 sec.1-2, figs 18-20, table 7).

scholar_h_index (grain: author_id): h-index over all of the author's papers in the corpus
(largest h such that h papers have >= h citations), i10 (papers with >= 10 citations),
paper_count, citations, and the latest affiliation: the author's latest year with an
institution in author_affiliation_years, preferring what their works say (source 'works', the
institution with most papers that year; ties: greatest institution id) over the author record.
has_scope_paper marks authors with at least one paper in the configured window and domain.

Talent tables count scholars with a scope paper, and high-level scholars (h >= the configured
20) by country (talent_by_country), canonical institution (talent_by_institution), region
(province in China; talent_by_region) and city (talent_by_city), with shares of the global
totals. Skew: the h-index window is partitioned by author; the most prolific authors have tens
of thousands of papers, a sort that fits one task easily.

Nightly runs recompute this stage in full: an author's h-index depends on the citations of all their
papers, and a delivery's new works cite old papers, so the h-index of every author of a cited paper
can change, in the delivery or not; the shares are of global totals. The stage is one pass keyed by
author.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import Window as W
from pyspark.sql import functions as F

from jobs.indicators.common import h_index_of, papers_in_scope, rank_desc, with_citations
from jobs.indicators.output_impact import canonical_names


def author_papers(authorships_df: DataFrame, papers_df: DataFrame) -> DataFrame:
    """(author_id, paper_id, citations) per authorship row: an author listed on a paper with two
    institutions is two rows; h_index counts the paper once."""
    return authorships_df.select("author_id", "paper_id").join(papers_df.select("paper_id", "citations"), "paper_id", how="inner")


def h_index(author_papers_df: DataFrame) -> DataFrame:
    """(author_id, h_index, i10_index, paper_count, citations), each paper of an author once.

    The rows are made distinct by (author, paper) where they stand after the join. A corpus-sized
    join shuffles both sides by paper, so an author's repeats of a paper (one row per institution)
    are in one partition and the distinct aggregates without a shuffle of its own (after a
    broadcast join of a small input it shuffles by its keys). One window by author then ranks the
    distinct papers by citations (row_number). Ties among equal citations may take their ranks
    in any order: the sorted citations are the same sequence whichever paper holds a rank, so h
    (largest rank r with citations >= r), i10 (largest rank with >= 10) and paper_count (the last
    rank) are too. The window's sort key is (author, citations), not the paper id as well.
    """
    distinct = author_papers_df.select("author_id", "paper_id", "citations").distinct()
    by_citations = W.partitionBy("author_id").orderBy(F.col("citations").desc())
    ranked = distinct.select("author_id", "citations", F.row_number().over(by_citations).alias("r"))
    return ranked.groupBy("author_id").agg(
        h_index_of(F.col("citations"), F.col("r")).cast("int").alias("h_index"),
        F.coalesce(F.max(F.when(F.col("citations") >= 10, F.col("r"))), F.lit(0)).cast("int").alias("i10_index"),
        F.max("r").cast("int").alias("paper_count"),
        F.sum("citations").cast("long").alias("citations"),
    )


def latest_affiliation(affiliation_years_df: DataFrame) -> DataFrame:
    """(author_id, latest_year, institution_id): the latest year wins; within it, what the works
    say beats the author record, then the institution with most papers, then the greatest id.

    A window by author ordered by that preference, first row kept: a sort that runs natively,
    where the max of a struct of those fields (the same order) runs on Spark's sort aggregate.
    Nulls rank last as they would be least in the struct's order.

    The rows are shuffled by author before the window, so its sort runs on shuffle partitions
    (a share of the author-years that AQE keeps small) rather than on whole scan splits. Without
    the shuffle first, Spark sorts each split before shuffling to keep each author's first row (a
    partial window group limit); a split is bounded in compressed bytes, so a well-compressed
    file (the Z-ordered, compacted author-years `scintel maintain` writes) decodes to many times
    more rows per task, and Comet's native sort cannot spill while it merges its sorted runs: a
    split whose rows come near the task's memory share fails instead of spilling."""
    preference = W.partitionBy("author_id").orderBy(
        F.col("year").desc(),
        (F.col("source") == "works").desc(),
        F.coalesce(F.col("n_papers"), F.lit(0)).desc(),
        F.col("institution_id").desc(),
    )
    return (
        affiliation_years_df.select("author_id", "year", "source", "n_papers", "institution_id")
        .repartition("author_id")
        .withColumn("k", F.row_number().over(preference))
        .where(F.col("k") == 1)
        .select("author_id", F.col("year").alias("latest_year"), "institution_id")
    )


def scholars(authorships_df, papers_df, affiliation_years_df, institutions_df, authors_df, scope, high_level_h: int) -> DataFrame:
    """papers_df: all papers with `citations` (with_citations); the h-index spans all of them."""
    stats = h_index(author_papers(authorships_df, papers_df))
    scoped_ids = papers_in_scope(papers_df, scope).select("paper_id")
    in_scope = (
        authorships_df.join(scoped_ids, "paper_id", how="left_semi")
        .select("author_id")
        .distinct()
        .withColumn("has_scope_paper", F.lit(True))
    )
    places = latest_affiliation(affiliation_years_df).join(
        institutions_df.select("institution_id", "canonical_id", "country_code", "region", "city"), "institution_id", how="left"
    )
    return (
        stats.join(places, "author_id", how="left")
        .join(in_scope, "author_id", how="left")
        .join(authors_df.select("author_id", "display_name"), "author_id", how="left")
        .select(
            "author_id",
            "display_name",
            "h_index",
            "i10_index",
            "paper_count",
            "citations",
            "latest_year",
            "institution_id",
            "canonical_id",
            "country_code",
            "region",
            "city",
            (F.col("h_index") >= high_level_h).alias("is_high_level"),
            F.coalesce(F.col("has_scope_paper"), F.lit(False)).alias("has_scope_paper"),
        )
    )


def talent_by(scholars_df: DataFrame, keys: list[str]) -> DataFrame:
    """keys + scholars, high_level_scholars, their shares of the global totals, rank."""
    counted = scholars_df.where("has_scope_paper")
    totals = counted.agg(F.count(F.lit(1)).alias("all"), F.count(F.when(F.col("is_high_level"), 1)).alias("all_high"))
    grouped = (
        counted.where(F.col(keys[-1]).isNotNull())
        .groupBy(*keys)
        .agg(F.count(F.lit(1)).alias("scholars"), F.count(F.when(F.col("is_high_level"), 1)).alias("high_level_scholars"))
    )
    return grouped.crossJoin(totals).select(
        *keys,
        "scholars",
        "high_level_scholars",
        (F.col("scholars") / F.col("all")).alias("scholar_share"),
        F.when(F.col("all_high") > 0, F.col("high_level_scholars") / F.col("all_high")).alias("high_level_share"),
        rank_desc("high_level_scholars", "scholars").alias("rank"),
    )


def run(ctx) -> dict:
    spark, wh, config = ctx.spark, ctx.warehouse, ctx.config
    papers_df = with_citations(wh.read(spark, "papers", "silver"), wh.read(spark, "citations", "silver"))
    institutions_df = wh.read(spark, "institutions", "silver")
    scholars_df = scholars(
        wh.read(spark, "authorships", "silver"),
        papers_df,
        wh.read(spark, "author_affiliation_years", "silver"),
        institutions_df,
        wh.read(spark, "authors", "silver"),
        config.scope,
        config.thresholds.high_level_h_index,
    )
    versions = {"scholar_h_index": wh.write(scholars_df, "scholar_h_index", layer="gold")}
    scholars_df = wh.read(spark, "scholar_h_index", "gold")
    versions["talent_by_country"] = wh.write(talent_by(scholars_df, ["country_code"]), "talent_by_country", layer="gold")
    by_institution = talent_by(scholars_df, ["canonical_id"]).join(
        canonical_names(institutions_df).select("canonical_id", "canonical_name", F.col("country_code")),
        "canonical_id",
        how="left",
    )
    versions["talent_by_institution"] = wh.write(by_institution, "talent_by_institution", layer="gold")
    versions["talent_by_region"] = wh.write(talent_by(scholars_df, ["country_code", "region"]), "talent_by_region", layer="gold")
    versions["talent_by_city"] = wh.write(talent_by(scholars_df, ["country_code", "city"]), "talent_by_city", layer="gold")
    return {"versions": versions}
