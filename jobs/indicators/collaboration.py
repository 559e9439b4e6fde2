"""International collaboration (SPEC item 7; seed 002 ch.3 sec.3, figs 23-24).

A paper's countries are the distinct author countries (full counting). Each unordered pair of
distinct countries counts once per paper, as (country_a, country_b) with country_a < country_b:
a paper with three countries gives three pairs. A paper's k countries give k(k-1)/2 pairs; k is
the number of distinct countries, at most a few hundred even on consortium papers, so the
self-join keyed by paper stays small per paper.

- collaboration_pairs (grain: country_a, country_b): top-1% papers (gold top_cited_papers) per
  pair, with a competition rank by papers (fig 23);
- collaboration_pairs_yearly (grain: country_a, country_b, year): for the configured pairs
  (`collaboration.pairs`, default CN-US), top-1% papers per publication year over every year of
  the window, and growth_rate = (papers - previous year's) / previous year's, null for the first
  year and after a zero year (fig 24);
- collaboration_countries (grain: country): the country collaboration graph over all papers in
  scope as a GraphFrame (an undirected edge per pair with co-authored papers): partners = its
  degree, coauthored_papers = the country's papers with at least one other country, pagerank =
  GraphFrames' PageRank of the graph (each pair as two directed edges, 10 iterations).

Nightly runs recompute this stage in full: the pairs count top-1% papers (a set that moves with
every night's citations), and PageRank over the country graph is global.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import Window as W
from pyspark.sql import functions as F

from jobs.frames import Stash
from jobs.graph import graph_frame
from jobs.indicators.common import paper_countries, rank_desc

PAGERANK_ITERATIONS = 10


def country_pairs(paper_ids_df: DataFrame, authorships_df: DataFrame) -> DataFrame:
    """(paper_id, country_a, country_b): each unordered pair of a paper's distinct countries once."""
    countries = paper_countries(authorships_df).join(paper_ids_df.select("paper_id"), "paper_id", "left_semi")
    a, b = countries.alias("a"), countries.alias("b")
    return a.join(b, (F.col("a.paper_id") == F.col("b.paper_id")) & (F.col("a.country_code") < F.col("b.country_code"))).select(
        F.col("a.paper_id").alias("paper_id"),
        F.col("a.country_code").alias("country_a"),
        F.col("b.country_code").alias("country_b"),
    )


def ranked_pairs(pairs_df: DataFrame) -> DataFrame:
    counted = pairs_df.groupBy("country_a", "country_b").agg(F.count(F.lit(1)).alias("papers"))
    return counted.select("country_a", "country_b", "papers", rank_desc("papers").alias("rank"))


def yearly_pairs(
    pairs_df: DataFrame, papers_df: DataFrame, configured: list[list[str]], year_start: int, year_end: int
) -> DataFrame:
    """Configured pairs (sorted into country_a < country_b) x every window year."""
    wanted = sorted({tuple(sorted(pair)) for pair in configured})
    spark = pairs_df.sparkSession
    calendar = spark.createDataFrame(
        [(a, b, year) for a, b in wanted for year in range(year_start, year_end + 1)],
        "country_a string, country_b string, year int",
    )
    counted = (
        pairs_df.join(papers_df.select("paper_id", F.col("publication_year").alias("year")), "paper_id")
        .groupBy("country_a", "country_b", "year")
        .agg(F.count(F.lit(1)).alias("papers"))
    )
    series = calendar.join(counted, ["country_a", "country_b", "year"], "left").select(
        "country_a", "country_b", "year", F.coalesce("papers", F.lit(0)).alias("papers")
    )
    previous = F.lag("papers").over(W.partitionBy("country_a", "country_b").orderBy("year"))
    return series.select("*", F.when(previous > 0, (F.col("papers") - previous) / previous).alias("growth_rate"))


def country_graph(pairs_df: DataFrame) -> DataFrame:
    """(country, partners, coauthored_papers, pagerank) over all in-scope papers' pairs."""
    edges = pairs_df.groupBy("country_a", "country_b").agg(F.count(F.lit(1)).alias("papers"))
    both_ways = edges.select(F.col("country_a").alias("src"), F.col("country_b").alias("dst"), "papers").union(
        edges.select(F.col("country_b").alias("src"), F.col("country_a").alias("dst"), "papers")
    )
    vertices = both_ways.select(F.col("src").alias("id")).distinct()
    graph = graph_frame(vertices, both_ways)
    ranks = graph.pageRank(resetProbability=0.15, maxIter=PAGERANK_ITERATIONS).vertices.select(
        F.col("id").alias("country"), "pagerank"
    )
    partners = graph.outDegrees.select(F.col("id").alias("country"), F.col("outDegree").alias("partners"))
    coauthored = (
        pairs_df.select("paper_id", F.col("country_a").alias("country"))
        .union(pairs_df.select("paper_id", F.col("country_b").alias("country")))
        .distinct()
        .groupBy("country")
        .agg(F.count(F.lit(1)).alias("coauthored_papers"))
    )
    return (
        partners.join(coauthored, "country")
        .join(ranks, "country")
        .select("country", F.col("partners").cast("long").alias("partners"), "coauthored_papers", "pagerank")
    )


def run(ctx) -> dict:
    spark, wh, config = ctx.spark, ctx.warehouse, ctx.config
    scope = config.scope
    authorships_df = wh.read(spark, "authorships", "silver")
    top_df = wh.read(spark, "top_cited_papers", "gold")
    top_pairs = country_pairs(top_df, authorships_df)
    versions = {"collaboration_pairs": wh.write(ranked_pairs(top_pairs), "collaboration_pairs", layer="gold")}
    versions["collaboration_pairs_yearly"] = wh.write(
        yearly_pairs(top_pairs, top_df, config.collaboration.pairs, scope.year_start, scope.year_end),
        "collaboration_pairs_yearly",
        layer="gold",
    )
    scoped = wh.read(spark, "paper_citations", "gold")
    # Read twice (the graph's edges, each country's co-authored papers): one self-join of the
    # authorships' countries, stashed (jobs.frames.Stash), instead of two. A row per paper and
    # country pair.
    with Stash(spark, "collaboration") as stash:
        all_pairs = stash.put(country_pairs(scoped, authorships_df), "country_pairs")
        versions["collaboration_countries"] = wh.write(country_graph(all_pairs), "collaboration_countries", layer="gold")
    return {"versions": versions}
