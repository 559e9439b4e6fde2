"""References and citation counts.

Each paper draws references by age (years back) and by popularity rank inside the cited year (a
power law), so they always point to earlier-or-same-year works of the corpus; research-front
citers add references to the cores of their front. cited_by_count and counts_by_year are then
aggregated from the edge list, never drawn, so they agree with it by construction.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from jobs.generate.columns import at, lit_array, local_table, lookup, power_rank, unif
from jobs.generate.design import Design, cumulative
from jobs.generate.ids import openalex_id, work_number_col

# Relative weight of a reference by age (citing year - cited year); ages past the window leave the corpus.
AGE_WEIGHTS = (0.5, 1.0, 1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4, 0.35, 0.3, 0.28, 0.25, 0.22)
# Share of random references that go to hot papers, by age: early citations concentrate on the
# papers that will be highly cited, which keeps the young cells' top 1% above the Poisson noise
# of ordinary papers' few citations.
HOT_REF_SHARE_BY_AGE = (0.4, 0.25, 0.15) + (0.12,) * (len(AGE_WEIGHTS) - 3)
HOT_ALPHA = 1.5  # power law of rank inside the hot block
NORMAL_ALPHA = 3.0  # ... inside the ordinary citable block, with the head cut at NORMAL_HEAD
NORMAL_HEAD = 0.1
FRONT_CORE_SHARE = 0.6  # a front citer cites each available core with this probability (at least 2)
MIN_FRONT_CORES = 2


def random_edges(design: Design, seed: int, papers_df: DataFrame) -> DataFrame:
    """Grain: (citing p, cited): p, t (citing year index), cited. Draw j of paper p picks an age
    (beyond the window: a reference outside the corpus, dropped), then a popularity rank inside
    the cited year: HOT_REF_SHARE_BY_AGE of the draws go to the hot block by a power law, the rest
    to the ordinary citable block by a head-capped power law. The uncitable tail (and the front
    cores in it) is never drawn."""
    paper, draw = F.col("p"), F.col("j")
    cited_year = F.col("cited_t")
    head = NORMAL_HEAD ** (1.0 / NORMAL_ALPHA)
    rank_u = unif(seed, "rank", paper, draw)
    # rank_u mapped onto the head-capped power law: a position in [0, 1) dense near 0, without
    # the spike at 0 that the top ranks would take under the plain power law.
    ordinary_pos = (F.pow(F.lit(head) + F.lit(1.0 - head) * rank_u, F.lit(NORMAL_ALPHA)) - F.lit(NORMAL_HEAD)) / F.lit(
        1.0 - NORMAL_HEAD
    )
    n_hot = at(lit_array(design.hot_per_year, "bigint"), cited_year)
    n_citable = at(lit_array(design.citable_per_year, "bigint"), cited_year)
    hot_share = at(lit_array(HOT_REF_SHARE_BY_AGE, "double"), F.col("t") - cited_year)
    rank = F.when(unif(seed, "hot", paper, draw) < hot_share, power_rank(n_hot, rank_u, HOT_ALPHA)).otherwise(
        n_hot + F.floor((n_citable - n_hot) * ordinary_pos)
    )
    age = lookup([cumulative(list(AGE_WEIGHTS))], F.lit(0), unif(seed, "age", paper, draw))
    return (
        papers_df.select("p", "t", F.explode(F.sequence(F.lit(0), F.col("n_draws") - 1)).alias("j"))
        .withColumn("cited_t", F.col("t") - age)
        .filter(cited_year >= 0)
        .select("p", "t", (at(lit_array(design.first_paper, "bigint"), cited_year) + rank.cast("bigint")).alias("cited"))
        .filter(F.col("cited") != paper)
        .distinct()  # two draws of one paper may hit the same work; partitioned on p: no shuffle
    )


def front_edges(spark: SparkSession, design: Design, seed: int, papers_df: DataFrame) -> DataFrame:
    """Grain: (citing p, cited core): p, t, cited. A front citer cites each core of its front
    published by its year with probability FRONT_CORE_SHARE, and at least MIN_FRONT_CORES of them;
    cores cite their own front's other cores (same rule). Disjoint from random_edges: cores are
    never drawn there."""
    cores_df = local_table(
        spark,
        [(index, core.paper, core.year_index) for index, front in enumerate(design.fronts) for core in front.cores],
        "front int, core_p bigint, core_t int",
    )
    by_hash = Window.partitionBy("p").orderBy("h", "core_p").rowsBetween(Window.unboundedPreceding, Window.currentRow)
    return (
        papers_df.filter(F.col("front").isNotNull())
        .select("p", "t", "front")
        .join(F.broadcast(cores_df), on="front", how="inner")
        .filter((F.col("core_t") <= F.col("t")) & (F.col("core_p") != F.col("p")))
        .withColumn("h", unif(seed, "core", F.col("p"), F.col("core_p")))
        .withColumn("pick", F.row_number().over(by_hash))
        .filter((F.col("h") < FRONT_CORE_SHARE) | (F.col("pick") <= MIN_FRONT_CORES))
        .select("p", "t", F.col("core_p").alias("cited"))
    )


def references_per_paper(design: Design, edges_df: DataFrame) -> DataFrame:
    """Grain: citing paper: p, referenced_works (sorted OpenAlex URLs)."""
    return edges_df.groupBy("p").agg(
        F.sort_array(F.collect_list(openalex_id("W", work_number_col(design, F.col("cited"))))).alias("referenced_works")
    )


def citation_counts(design: Design, edges_df: DataFrame) -> DataFrame:
    """Grain: cited paper with at least one citation: p, cited_by_count and counts_by_year
    (citing years with zero citations omitted, newest first, as OpenAlex lists them).

    One group-by on the cited id with per-year conditional sums: partial aggregation keeps hub
    papers (tens of thousands of citations at 10M papers) from landing whole on one task."""
    per_year = [F.sum(F.when(F.col("t") == k, 1).otherwise(0)).alias(f"y{k}") for k in range(len(design.years))]
    by_year = F.array(
        *[
            F.struct(F.lit(year).alias("year"), F.col(f"y{k}").cast("bigint").alias("cited_by_count"))
            for k, year in reversed(list(enumerate(design.years)))
        ]
    )
    return (
        edges_df.groupBy("cited")
        .agg(F.count(F.lit(1)).alias("cited_by_count"), *per_year)
        .select(
            F.col("cited").alias("p"),
            F.col("cited_by_count"),
            F.filter(by_year, lambda x: x["cited_by_count"] > 0).alias("counts_by_year"),
        )
    )
