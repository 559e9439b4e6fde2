"""Papers: everything decided once per paper, before references and authorships.

Country, topic and international collaboration come from three coordinates of a low-discrepancy
sequence over the paper's rank in its year, so the shares per (year, country, field, hot) cell
hold almost exactly at any size and the planted crossings do not depend on sampling luck. Every
other choice is a hashed uniform of (seed, salt, p).
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.generate.columns import at, lit_array, lit_array2, lookup, low_discrepancy, unif, year_block
from jobs.generate.design import INTL_SHARE, INTL_SHARE_HOT, Design, cumulative
from jobs.generate.reference import FIELD_KEYS, FRONTS, TOPICS

MAX_TEAM = 20
TEAM_SCALE = 3.2  # team size: 1 + exponential of this mean, capped at MAX_TEAM
REVIEW_SHARE = 0.05  # reviews among the papers that are not front cores
MIN_DRAWS = 4  # reference draws: MIN_DRAWS + a skewed share of EXTRA_DRAWS; reviews three times more
EXTRA_DRAWS = 32.0
DRAWS_SKEW = 1.8


def build_papers(spark: SparkSession, design: Design, seed: int, n_parts: int) -> DataFrame:
    """Grain: paper p (0..N-1). Columns, in order:
    p, t (year index), i (popularity rank inside the year), core_front (front index of a core
    paper, else null), is_core, is_hotlike (hot or front core: the top-1% candidates), lead_c and
    collab_c (country indices; collab_c null unless is_intl), is_intl, topic, field_k (index in
    FIELD_KEYS), team (author slots), is_review, n_draws (random reference draws), front (the front
    it cites or belongs to, else null).

    Hash-partitioned on p, so every later per-paper aggregation (references, authorships) needs
    no further shuffle."""
    placed_df = _place_papers(spark, design, n_parts)
    paper = F.col("p")
    year_idx = F.col("t")
    is_core = F.col("is_core")
    is_hotlike = F.col("is_hotlike")
    country_u, topic_u, intl_u = F.col("v1"), F.col("v2"), F.col("v3")

    # Hot papers and cores draw their lead country from their own shares (rows n_years..).
    lead_country = lookup(
        design.lead_cum + design.lead_cum_hot, year_idx + F.when(is_hotlike, len(design.years)).otherwise(0), country_u
    )
    intl_share = F.when(is_hotlike, F.lit(INTL_SHARE_HOT)).otherwise(F.lit(INTL_SHARE))
    is_intl = intl_u < intl_share
    # The part of intl_u below intl_share, rescaled to [0, 1), picks the collaborator.
    collab_country = F.when(is_intl, lookup(design.collab_cum, lead_country, intl_u / intl_share))

    front_topics = lit_array([front.topic_index for front in design.fronts])
    topic = F.when(is_core, at(front_topics, F.col("core_front"))).otherwise(
        lookup([cumulative([tp.weight for tp in TOPICS])], F.lit(0), topic_u)
    )
    field_k = at(lit_array([FIELD_KEYS.index(tp.field) for tp in TOPICS]), topic)

    team = F.least(F.lit(MAX_TEAM), F.lit(1) + F.floor(F.lit(-TEAM_SCALE) * F.log(F.lit(1.0) - unif(seed, "team", paper)))).cast(
        "int"
    )
    core_review = F.map_from_arrays(
        lit_array([core.paper for front in design.fronts for core in front.cores], "bigint"),
        lit_array([core.is_review for front in design.fronts for core in front.cores], "boolean"),
    )
    is_review = F.coalesce(F.try_element_at(core_review, paper), unif(seed, "review", paper) < REVIEW_SHARE)
    draws = (F.lit(MIN_DRAWS) + F.floor(F.lit(EXTRA_DRAWS) * F.pow(unif(seed, "n_refs", paper), F.lit(DRAWS_SKEW)))).cast("int")

    return placed_df.select(
        "p",
        "t",
        "i",
        "core_front",
        "is_core",
        "is_hotlike",
        lead_country.alias("lead_c"),
        is_intl.alias("is_intl"),
        collab_country.alias("collab_c"),
        topic.alias("topic"),
        field_k.alias("field_k"),
        F.when(is_intl, F.greatest(team, F.lit(2))).otherwise(team).alias("team"),
        is_review.alias("is_review"),
        F.when(is_review, draws * 3).otherwise(draws).alias("n_draws"),
        F.when(is_core, F.col("core_front")).otherwise(_cited_front(design, seed, field_k)).alias("front"),
    )


def _place_papers(spark: SparkSession, design: Design, n_parts: int) -> DataFrame:
    """Where each paper sits in the design: p, t, i, core_front, is_core, is_hotlike, and the
    three low-discrepancy coordinates v1 (country), v2 (topic), v3 (international) of i."""
    paper = F.col("p")
    year_idx = year_block(paper, design.first_paper)
    rank = paper - at(lit_array(design.first_paper, "bigint"), year_idx)
    cores = [(core.paper, index) for index, front in enumerate(design.fronts) for core in front.cores]
    core_front = F.try_element_at(
        F.map_from_arrays(lit_array([p for p, _ in cores], "bigint"), lit_array([index for _, index in cores])), paper
    )
    is_hotlike = (rank < at(lit_array(design.hot_per_year, "bigint"), year_idx)) | core_front.isNotNull()
    return (
        spark.range(design.n_papers)
        .withColumnRenamed("id", "p")
        .repartition(n_parts, "p")
        .select(
            paper,
            year_idx.alias("t"),
            rank.alias("i"),
            core_front.alias("core_front"),
            core_front.isNotNull().alias("is_core"),
            is_hotlike.alias("is_hotlike"),
            *[low_discrepancy(rank, dim, offset).alias(f"v{dim + 1}") for dim, offset in enumerate(design.sequence_offsets)],
        )
    )


def _cited_front(design: Design, seed: int, field_k: Column) -> Column:
    """The front a non-core paper cites, or null: the first front whose stacked citer share for
    the paper's (field, year) exceeds the paper's uniform (design.front_citer_cum)."""
    n_years = len(design.years)
    bounds = at(
        lit_array2([per_year for per_field in design.front_citer_cum for per_year in per_field], "double"),
        field_k * n_years + F.col("t"),
    )
    u = unif(seed, "front", F.col("p"))
    n_below = sum(((u >= at(bounds, F.lit(k))).cast("int") for k in range(len(FRONTS))), F.lit(0))
    return F.when(n_below < len(FRONTS), n_below)
