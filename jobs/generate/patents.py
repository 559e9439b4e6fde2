"""Patents in the RAW_PATENT layout.

Patent q (0..n_patents-1) sits in year blocks like the papers. Its assignee country follows the
design's yearly shares (CN overtakes the US), its market value is log-normal around the country's
median, and about one in eight is a front patent: the front's terms as topics and one or two of
its cores (published by the grant year) among the cited works. Other patents cite a few random
papers of the corpus, with a lean towards the hot ones.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.generate.citations import HOT_ALPHA
from jobs.generate.columns import (
    at,
    json_literal,
    lit_array,
    lit_array2,
    lookup,
    pick,
    power_rank,
    std_normal,
    unif,
    year_block,
)
from jobs.generate.design import Design, cumulative
from jobs.generate.ids import work_number_col
from jobs.generate.reference import (
    ASSIGNEES,
    EUROPEAN,
    FRONTS,
    PATENT_COUNTRIES,
    PATENT_MEDIAN_USD,
    PATENT_NUMBERING,
    PATENT_TITLE_OPENERS,
    PATENT_TITLE_TAILS,
    TOPIC_INDEX,
    TOPICS,
)

NATIONAL_OFFICES = ("US", "CN", "JP", "KR")  # patents of these countries are granted at home
FIRST_FAMILY_ID = 70_000_000
ASSIGNEE_ALPHA = 1.6  # power law over a country's assignees (biggest first)
CO_ASSIGNEE_SHARE = 0.15
FRONT_PATENT_SHARE = 0.12  # patents of a front, among those granted once a front has started
RANDOM_CITES_SHARE = 0.35  # patents citing 1-3 random papers
HOT_CITE_SHARE = 0.4  # random cited papers drawn from the hot block
PATENT_VALUE_SIGMA = 1.3  # log-normal spread of the market value around the country median
PATENT_NULL_VALUE_SHARE = 0.10


def build_patents(spark: SparkSession, design: Design, seed: int) -> DataFrame:
    """Patents in the RAW_PATENT layout (plus key q)."""
    patent, year_idx = F.col("q"), F.col("t")
    country = F.col("pc")  # index in PATENT_COUNTRIES
    front = F.col("front")  # index in FRONTS, null for ordinary patents
    topic = F.col("topic")  # index in TOPICS
    cpcs = lit_array2([list(tp.cpc) for tp in TOPICS], "string")
    keywords = lit_array2([list(tp.keywords) for tp in TOPICS], "string")
    n_cpc = (F.lit(1) + F.floor(unif(seed, "pat_ncpc", patent) * 2)).cast("int")
    office, number, kind = _office_number_kind(patent, country)
    title = F.concat_ws(
        " ",
        pick(PATENT_TITLE_OPENERS, unif(seed, "pat_t1", patent)),
        F.element_at(F.col("topics"), 1),
        pick(PATENT_TITLE_TAILS, unif(seed, "pat_t2", patent)),
    )
    assignees = F.when(
        unif(seed, "pat_coassignee", patent) < CO_ASSIGNEE_SHARE,
        F.array(_assignee(seed, "pat_a1", patent, country), _assignee(seed, "pat_a2", patent, country)),
    ).otherwise(F.array(_assignee(seed, "pat_a1", patent, country)))
    return (
        spark.range(design.n_patents)
        .withColumnRenamed("id", "q")
        .withColumn("t", year_block(patent, design.first_patent))
        .select("q", "t", *_drawn_columns(design, seed))
        .select(
            patent.alias("key"),
            F.concat_ws("-", office, number.cast("string"), kind).alias("id"),
            F.concat(F.lit("F"), (F.lit(FIRST_FAMILY_ID) + patent).cast("string")).alias("family_id"),
            (F.lit(design.year_start) + year_idx).cast("int").alias("grant_year"),
            office.alias("office"),
            title.alias("title"),
            F.array_distinct(assignees).alias("assignees"),
            F.slice(at(cpcs, topic), F.lit(1), n_cpc).alias("cpc"),
            F.col("topics"),
            F.slice(at(keywords, topic), F.lit(1), F.lit(2)).alias("keywords"),
            _market_value(seed, patent, country).alias("market_value_usd"),
            F.transform(
                _cited_papers(design, seed, patent, year_idx, front),
                lambda p: F.concat(F.lit("W"), work_number_col(design, p).cast("string")),
            ).alias("cited_works"),
        )
    )


def _drawn_columns(design: Design, seed: int) -> list[Column]:
    """pc (assignee country), front, topic and topics (the patent's topic terms), from q and t."""
    patent, year_idx = F.col("q"), F.col("t")
    country = lookup(design.patent_country_cum, year_idx, unif(seed, "pat_country", patent))

    # A front can have patents from the year of its first core on.
    n_years = len(design.years)
    first_year = [n_years - 1 - max(front.core_offsets) for front in FRONTS]
    started = lit_array2([[k for k in range(len(FRONTS)) if first_year[k] <= t] or [-1] for t in range(n_years)], "int")
    started_now = at(started, year_idx)
    front = F.when(
        (unif(seed, "pat_front", patent) < FRONT_PATENT_SHARE) & (at(started_now, F.lit(0)) >= 0),
        at(started_now, F.floor(unif(seed, "pat_front_pick", patent) * F.size(started_now)).cast("int")),
    )

    patent_topics = [k for k, tp in enumerate(TOPICS) if tp.patent_weight > 0]
    ordinary_topic = at(
        lit_array(patent_topics),
        lookup([cumulative([TOPICS[k].patent_weight for k in patent_topics])], F.lit(0), unif(seed, "pat_topic", patent)),
    )
    front_topic = at(lit_array([TOPIC_INDEX[f.topic] for f in FRONTS]), F.coalesce(front, F.lit(0)))
    topic = F.when(front.isNotNull(), front_topic).otherwise(ordinary_topic)

    terms = lit_array2([list(tp.patent_terms) for tp in TOPICS], "string")
    front_terms = lit_array2([list(f.terms) for f in FRONTS], "string")
    topic_terms = F.when(front.isNotNull(), at(front_terms, F.coalesce(front, F.lit(0)))).otherwise(
        F.slice(at(terms, topic), F.lit(1), (F.lit(1) + F.floor(unif(seed, "pat_nterms", patent) * 2)).cast("int"))
    )
    return [country.alias("pc"), front.alias("front"), topic.alias("topic"), topic_terms.alias("topics")]


def _office_number_kind(patent: Column, country: Column) -> tuple[Column, Column, Column]:
    """Granting office (national for US/CN/JP/KR, EP for European countries, WO otherwise),
    publication number (the office's first number + q) and kind code."""
    code = at(lit_array(PATENT_COUNTRIES), country)
    office = F.when(code.isin(*NATIONAL_OFFICES), code).when(code.isin(*EUROPEAN), "EP").otherwise("WO")
    number = F.lit(0).cast("bigint")
    kind = F.lit("")
    for office_code, numbering in PATENT_NUMBERING.items():
        number = F.when(office == office_code, F.lit(numbering.first_number).cast("bigint") + patent).otherwise(number)
        kind = F.when(office == office_code, F.lit(numbering.kind)).otherwise(kind)
    return office, number, kind


def _assignee(seed: int, salt: str, patent: Column, country: Column) -> Column:
    """An assignee struct of the patent's country, by a power law on the country's list."""
    names = lit_array2([[a.name for a in ASSIGNEES[code]] for code in PATENT_COUNTRIES], "string")
    types = lit_array2([[a.type for a in ASSIGNEES[code]] for code in PATENT_COUNTRIES], "string")
    n_assignees = at(lit_array([len(ASSIGNEES[code]) for code in PATENT_COUNTRIES]), country)
    k = power_rank(n_assignees, unif(seed, salt, patent), ASSIGNEE_ALPHA).cast("int")
    return F.struct(
        at(at(names, country), k).alias("name"),
        at(lit_array(PATENT_COUNTRIES), country).alias("country"),
        at(at(types, country), k).alias("type"),
    )


def _market_value(seed: int, patent: Column, country: Column) -> Column:
    """Log-normal around the country's median, rounded to cents; null for a share of patents."""
    median = at(lit_array([float(PATENT_MEDIAN_USD[code]) for code in PATENT_COUNTRIES], "double"), country)
    value = F.round(median * F.exp(F.lit(PATENT_VALUE_SIGMA) * std_normal(seed, "pat_value", patent)), 2)
    return F.when(unif(seed, "pat_null_value", patent) < PATENT_NULL_VALUE_SHARE, F.lit(None).cast("double")).otherwise(value)


def _cited_papers(design: Design, seed: int, patent: Column, year_idx: Column, front: Column) -> Column:
    """Sorted distinct paper numbers the patent cites: 1-3 random papers of its grant year or
    before for RANDOM_CITES_SHARE of the patents, plus 1-2 of its front's cores published by
    then for a front patent."""
    first_paper = lit_array(design.first_paper, "bigint")
    hot_per_year = lit_array(design.hot_per_year, "bigint")
    citable_per_year = lit_array(design.citable_per_year, "bigint")

    def random_paper(draw: Column) -> Column:
        cited_year = F.floor(unif(seed, "pat_year", patent, draw) * (year_idx + 1)).cast("int")
        rank_u = unif(seed, "pat_rank", patent, draw)
        rank = F.when(
            unif(seed, "pat_hot", patent, draw) < HOT_CITE_SHARE, power_rank(at(hot_per_year, cited_year), rank_u, HOT_ALPHA)
        ).otherwise(F.floor(at(citable_per_year, cited_year) * rank_u))
        return at(first_paper, cited_year) + rank.cast("bigint")

    n_random = F.when(
        unif(seed, "pat_cites", patent) < RANDOM_CITES_SHARE, (F.lit(1) + F.floor(unif(seed, "pat_n", patent) * 3)).cast("int")
    ).otherwise(F.lit(0))
    random_cited = F.when(n_random > 0, F.transform(F.sequence(F.lit(1), n_random), random_paper)).otherwise(
        F.array().cast("array<bigint>")
    )

    cores = json_literal(
        [[{"p": core.paper, "t": core.year_index} for core in placed.cores] for placed in design.fronts],
        "array<array<struct<p:bigint,t:int>>>",
    )
    # The front's published cores in a hashed order; the first one or two.
    front_cited = F.transform(
        F.slice(
            F.array_sort(
                F.transform(
                    F.filter(at(cores, F.coalesce(front, F.lit(0))), lambda core: core["t"] <= year_idx),
                    lambda core: F.struct(unif(seed, "pat_core", patent, core["p"]).alias("h"), core["p"].alias("p")),
                )
            ),
            F.lit(1),
            (F.lit(1) + F.floor(unif(seed, "pat_n_core", patent) * 2)).cast("int"),
        ),
        lambda core: core["p"],
    )
    return F.array_sort(
        F.array_distinct(
            F.concat(random_cited, F.when(front.isNotNull(), front_cited).otherwise(F.array().cast("array<bigint>")))
        )
    )
