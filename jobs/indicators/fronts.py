"""Research fronts, the co-citation half (SPEC item 9; seed 002 ch.4 table 8).

Two core (top 1%) papers are linked when at least `min_count` papers cite both and their
co-citation strength cocit / sqrt(cites_a * cites_b) is at least `min_strength`, with cites_x the
paper's total citations (the `citations` column of paper_citations / top_cited_papers).

What is here is DataFrame work only: the links. The research_fronts stage
(jobs/indicators/research_fronts.py) takes their connected components as fronts; bench/peers.py
compares the links with pandas and DuckDB as "co-citation pairs".

Nightly runs recompute the links in full, as research_fronts explains.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


def core_references(core_df: DataFrame, citations_df: DataFrame) -> DataFrame:
    """(citing_paper_id, cited_paper_id): the distinct references to core papers.

    The core is broadcast, so the citations are filtered where they are read: the core is the
    top 1% of the papers (51k ids at 5M papers, some 2.7M at OpenAlex's 270M, well inside
    Spark's broadcast limits), while a shuffled semi-join would move every citation edge across
    the cluster before dropping those that miss the core.
    """
    core_ids = F.broadcast(core_df.select(F.col("paper_id").alias("cited_paper_id")))
    return citations_df.select("citing_paper_id", "cited_paper_id").join(core_ids, "cited_paper_id", how="left_semi").distinct()


def cocitation_links(core_df: DataFrame, citations_df: DataFrame, min_count: int, min_strength: float) -> DataFrame:
    """(paper_a, paper_b, cocitations, strength) with paper_a < paper_b, one row per linked pair.

    core_df: (paper_id, citations) of the core papers; citations_df: silver citations.
    A citing paper with k references to core papers gives k(k-1)/2 pairs: the self-join is keyed
    by the citing paper, so a review citing 2,000 core papers is 2M pair rows in one task,
    aggregated map-side before the shuffle on the pair.
    """
    return links_from_references(core_df, core_references(core_df, citations_df), min_count, min_strength)


def links_from_references(core_df: DataFrame, refs_df: DataFrame, min_count: int, min_strength: float) -> DataFrame:
    """cocitation_links over references already filtered to the core: (citing_paper_id,
    cited_paper_id), distinct."""
    refs = refs_df.select("citing_paper_id", "cited_paper_id")
    a, b = refs.alias("a"), refs.alias("b")
    pairs = a.join(
        b, (F.col("a.citing_paper_id") == F.col("b.citing_paper_id")) & (F.col("a.cited_paper_id") < F.col("b.cited_paper_id"))
    )
    counted = (
        pairs.groupBy(F.col("a.cited_paper_id").alias("paper_a"), F.col("b.cited_paper_id").alias("paper_b"))
        .agg(F.count(F.lit(1)).alias("cocitations"))
        .where(F.col("cocitations") >= min_count)
    )
    cites = core_df.select("paper_id", "citations")
    with_cites = counted.join(
        cites.select(F.col("paper_id").alias("paper_a"), F.col("citations").alias("cites_a")), "paper_a"
    ).join(cites.select(F.col("paper_id").alias("paper_b"), F.col("citations").alias("cites_b")), "paper_b")
    strength = F.col("cocitations") / F.sqrt(F.col("cites_a").cast("double") * F.col("cites_b").cast("double"))
    return (
        with_cites.where((F.col("cites_a") > 0) & (F.col("cites_b") > 0))
        .select("paper_a", "paper_b", F.col("cocitations").cast("long").alias("cocitations"), strength.alias("strength"))
        .where(F.col("strength") >= min_strength)
    )
