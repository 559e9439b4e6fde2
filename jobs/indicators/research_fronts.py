"""Research fronts and the frontier index (SPEC item 9; seed 002 ch.4, table 8, figs 25-26).

Spark SQL functions, windows and higher-order functions only: no Python UDF, no pandas UDF, no
RDD lambda (tests/indicators/test_research_fronts.py checks every written DataFrame's executed
plan for Python evaluation nodes).

Core papers are the top-1% papers (gold top_cited_papers) published in the last
`fronts.core_years` years of the window. Two core papers are linked when at least
`thresholds.cocitation_min_count` papers cite both and cocit / sqrt(cites_a * cites_b) >=
`thresholds.cocitation_min_strength` (jobs/indicators/fronts.py). Fronts are the connected
components of the links (GraphFrames, single-link clustering); a core paper without a link is
not a front. A front is named by its smallest core paper id (front_id), which is stable as long
as that paper stays in the front.

Pair explosion: a citing paper with k references to core papers gives k(k-1)/2 pairs. Citing
papers with more than `fronts.max_core_references` core references (long review bibliographies)
are left out of the pair counting (their citations still count everywhere else); the stage logs
how many were left out and how many pairs that saved, so a user sees when the bound bites.

The frontier index. The seed writes frontier = C_total * S_trend / T and prints 0.86-0.99 for its
top ten fronts, whose C_total differ by an order of magnitude. Here, per front:
- the yearly series counts the citations its core papers received in every year from the front's
  first citation to the end of the window, zero years included (gold paper_yearly_citations);
- c_total = the sum of that series (citations received up to the end of the window);
- t_years = last - first citation year, at least 1;
- s_trend = the least-squares slope of the series, from the sums n, sum x, sum y, sum xy, sum x^2:
  (n sum xy - sum x sum y) / (n sum x^2 - (sum x)^2), 0 for a one-year series;
- frontier_raw = c_total * s_trend / t_years;
- frontier_index = ln(1 + raw) / ln(1 + max raw) over the rising fronts (raw > 0), which lies in
  (0, 1] with 1 for the top front. Why a logarithm: raw values are products of heavy-tailed
  citation counts and span orders of magnitude; a linear rescale (raw / max) would put the
  seed's tenth front near 0.1, while a log rescale keeps the order and gives the compressed
  0.86-0.99 band the seed shows. Fronts with raw <= 0 (declining or flat) keep frontier_index 0,
  outside (0, 1], and rank below every rising front (by raw, descending).
Ranks are unique: index, then raw, then front_id decide.

Patents are linked to a front when they cite one of its core papers (patents' cited_paper_ids);
when no patent of the input cites any paper, a patent is linked when one of its topics or
keywords equals, case-insensitively, one of the front's label topics. High-value patents have a
market value >= thresholds.high_value_patent_usd; a country's patents have an assignee there.

Gold tables: research_front_links (grain: paper_a, paper_b), research_front_papers (paper_id),
research_front_yearly (front_id, year), research_fronts (front_id), research_front_countries
(front_id, country_code), frontier_top10 (rank).

Nightly runs recompute this stage in full: the core papers (the top 1%, whose thresholds move with
every night's citations), their co-citation counts (any new citing paper) and the connected
components over the links are all global; one new link can merge two fronts.
"""

from __future__ import annotations

import logging

from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import Window as W
from pyspark.sql import functions as F

from jobs.graph import connected_components, graph_frame
from jobs.indicators.common import most_frequent, patents_in_scope
from jobs.indicators.fronts import core_references, links_from_references

log = logging.getLogger(__name__)

CN, US = "CN", "US"


def core_papers(top_df: DataFrame, year_end: int, core_years: int) -> DataFrame:
    """(paper_id, publication_year, citations): top-1% papers of the last core_years years."""
    return top_df.where(F.col("publication_year") > year_end - core_years).select("paper_id", "publication_year", "citations")


def bounded_references(refs_df: DataFrame, max_core_references: int) -> DataFrame:
    """The core references of citing papers with at most max_core_references of them, plus the
    citing paper's count `k`. The window is keyed by the citing paper, the same key the pair
    self-join shuffles on, so the bound costs no extra shuffle."""
    counted = refs_df.withColumn("k", F.count(F.lit(1)).over(W.partitionBy("citing_paper_id")))
    return counted.where(F.col("k") <= max_core_references)


def pair_statistics(refs_df: DataFrame, max_core_references: int) -> dict:
    """Citing papers, co-citation pair instances sum k(k-1)/2, and those left out by the bound:
    one aggregate over the per-citing-paper counts, a few numbers to the driver."""
    per_citing = refs_df.groupBy("citing_paper_id").agg(F.count(F.lit(1)).alias("k"))
    pairs = F.col("k") * (F.col("k") - 1) / 2
    over = F.col("k") > max_core_references
    row = per_citing.agg(
        F.count(F.lit(1)).alias("citing_papers"),
        F.coalesce(F.sum(pairs), F.lit(0)).cast("long").alias("pair_instances"),
        F.coalesce(F.sum(over.cast("long")), F.lit(0)).alias("left_out_papers"),
        F.coalesce(F.sum(F.when(over, pairs)), F.lit(0)).cast("long").alias("left_out_pairs"),
    ).first()
    return row.asDict()


def front_membership(links_df: DataFrame) -> DataFrame:
    """(paper_id, front_id): the connected components of the links, each named by its smallest
    paper id. Only linked papers are vertices, so every component has at least two papers."""
    vertices = links_df.select(F.col("paper_a").alias("id")).union(links_df.select(F.col("paper_b").alias("id"))).distinct()
    edges = links_df.select(F.col("paper_a").alias("src"), F.col("paper_b").alias("dst"))
    components = connected_components(graph_frame(vertices, edges))
    named = components.select(
        F.col("id").alias("paper_id"),
        F.min("id").over(W.partitionBy("component")).alias("front_id"),
    )
    return named


def front_yearly(members_df: DataFrame, yearly_df: DataFrame, year_end: int) -> DataFrame:
    """(front_id, year, citations): every year from the front's first citation to year_end,
    zero years included. The per-year sums are a group-by on (front, year) of the core papers'
    yearly citations (a few hundred rows per front); the zero years come from a sequence per
    front, not from a cross join with a calendar."""
    cited = (
        yearly_df.where(F.col("year") <= year_end)
        .join(members_df, "paper_id")
        .groupBy("front_id", "year")
        .agg(F.sum("citations").alias("citations"))
        .where(F.col("citations") > 0)
    )
    spans = cited.groupBy("front_id").agg(F.min("year").alias("first_year"))
    calendar = spans.select("front_id", F.explode(F.sequence(F.col("first_year"), F.lit(year_end))).alias("year"))
    return calendar.join(cited, ["front_id", "year"], "left").select(
        "front_id",
        F.col("year").cast("int").alias("year"),
        F.coalesce(F.col("citations"), F.lit(0)).cast("long").alias("citations"),
    )


def front_trends(series_df: DataFrame) -> DataFrame:
    """(front_id, c_total, first_citation_year, last_citation_year, t_years, s_trend, frontier_raw)
    from the yearly series: the least-squares slope from the five sums, in SQL."""
    x = F.col("year").cast("double")
    y = F.col("citations").cast("double")
    sums = series_df.groupBy("front_id").agg(
        F.count(F.lit(1)).cast("double").alias("n"),
        F.sum(x).alias("sx"),
        F.sum(y).alias("sy"),
        F.sum(x * y).alias("sxy"),
        F.sum(x * x).alias("sxx"),
        F.min(F.when(F.col("citations") > 0, F.col("year"))).alias("first_citation_year"),
        F.max(F.when(F.col("citations") > 0, F.col("year"))).alias("last_citation_year"),
    )
    denominator = F.col("n") * F.col("sxx") - F.col("sx") * F.col("sx")
    slope = F.when(denominator != 0, (F.col("n") * F.col("sxy") - F.col("sx") * F.col("sy")) / denominator).otherwise(F.lit(0.0))
    t_years = F.greatest(F.col("last_citation_year") - F.col("first_citation_year"), F.lit(1))
    return sums.select(
        "front_id",
        F.col("sy").cast("long").alias("c_total"),
        "first_citation_year",
        "last_citation_year",
        t_years.cast("int").alias("t_years"),
        slope.alias("s_trend"),
    ).withColumn("frontier_raw", F.col("c_total") * F.col("s_trend") / F.col("t_years"))


def with_frontier_index(trends_df: DataFrame) -> DataFrame:
    """frontier_index (log rescale over the rising fronts, 0 for the others) and a unique rank.
    The window without partition runs over one row per front (thousands at most)."""
    rising = F.col("frontier_raw") > 0
    max_raw = F.max(F.when(rising, F.col("frontier_raw"))).over(W.partitionBy())
    index = F.when(rising, F.log1p(F.col("frontier_raw")) / F.log1p(max_raw)).otherwise(F.lit(0.0))
    indexed = trends_df.withColumn("frontier_index", index)
    order = W.orderBy(F.col("frontier_index").desc(), F.col("frontier_raw").desc(), F.col("front_id"))
    return indexed.withColumn("rank", F.row_number().over(order).cast("int"))


def front_labels(members_df: DataFrame, papers_df: DataFrame, n_topics: int) -> DataFrame:
    """(front_id, label, label_topics): the n_topics most frequent topics of the core papers
    (ties by name), joined with '; '."""
    topics = members_df.join(papers_df.select("paper_id", "topic_names"), "paper_id").select(
        "front_id", F.explode("topic_names").alias("topic")
    )
    top = most_frequent(topics, "front_id", "topic", n_topics)
    return top.select("front_id", F.array_join("top", "; ").alias("label"), F.col("top").alias("label_topics"))


def front_patents(members_df: DataFrame, labels_df: DataFrame, patents_df: DataFrame) -> DataFrame:
    """(front_id, patent_id): patents citing a core paper of the front; when no patent cites
    any paper, patents sharing a topic or keyword with the front's label topics."""
    citing = patents_df.select("patent_id", F.explode("cited_paper_ids").alias("paper_id"))
    if not citing.isEmpty():
        return citing.join(members_df, "paper_id").select("front_id", "patent_id").distinct()
    terms = patents_df.select(
        "patent_id",
        F.explode(F.array_distinct(F.transform(F.concat("topics", "keywords"), lambda t: F.lower(F.trim(t))))).alias("term"),
    )
    front_terms = labels_df.select("front_id", F.explode(F.transform("label_topics", lambda t: F.lower(F.trim(t)))).alias("term"))
    return terms.join(front_terms, "term").select("front_id", "patent_id").distinct()


def front_countries(
    members_df: DataFrame,
    authorships_df: DataFrame,
    linked_df: DataFrame,
    patents_df: DataFrame,
    assignees_df: DataFrame,
    high_value_usd: float,
) -> DataFrame:
    """(front_id, country_code, papers, patents, high_value_patents): core papers with an author
    in the country and linked patents with an assignee there (full counting)."""
    papers = (
        members_df.join(
            authorships_df.where(F.col("country_code").isNotNull()).select("paper_id", "country_code").distinct(), "paper_id"
        )
        .groupBy("front_id", "country_code")
        .agg(F.count(F.lit(1)).alias("papers"))
    )
    valued = linked_df.join(patents_df.select("patent_id", "market_value_usd"), "patent_id")
    patent_countries = (
        valued.join(
            assignees_df.where(F.col("country_code").isNotNull()).select("patent_id", "country_code").distinct(), "patent_id"
        )
        .groupBy("front_id", "country_code")
        .agg(
            F.count(F.lit(1)).alias("patents"),
            F.count(F.when(F.col("market_value_usd") >= high_value_usd, 1)).alias("high_value_patents"),
        )
    )
    return papers.join(patent_countries, ["front_id", "country_code"], "full").select(
        "front_id",
        "country_code",
        *[F.coalesce(F.col(c), F.lit(0)).cast("long").alias(c) for c in ("papers", "patents", "high_value_patents")],
    )


def run(ctx) -> dict:
    spark, wh, config = ctx.spark, ctx.warehouse, ctx.config
    th, settings, year_end = config.thresholds, config.fronts, config.scope.year_end
    core_df = core_papers(wh.read(spark, "top_cited_papers", "gold"), year_end, settings.core_years)
    citations_df = wh.read(spark, "citations", "silver")
    refs_df = core_references(core_df, citations_df).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        stats = pair_statistics(refs_df, settings.max_core_references)
        if stats["left_out_papers"]:
            log.warning(
                "research fronts: %s citing papers with more than %d core references left out of co-citation "
                "(%s of %s pair instances)",
                f"{stats['left_out_papers']:,}",
                settings.max_core_references,
                f"{stats['left_out_pairs']:,}",
                f"{stats['pair_instances']:,}",
            )
        links = links_from_references(
            core_df,
            bounded_references(refs_df, settings.max_core_references),
            th.cocitation_min_count,
            th.cocitation_min_strength,
        )
        versions = {"research_front_links": wh.write(links, "research_front_links", layer="gold")}
    finally:
        refs_df.unpersist()
    links_df = wh.read(spark, "research_front_links", "gold")
    stats["links"] = links_df.count()
    log.info(
        "research fronts: %s core papers' co-citations: %s pair instances from %s citing papers -> %s links",
        f"{core_df.count():,}",
        f"{stats['pair_instances']:,}",
        f"{stats['citing_papers']:,}",
        f"{stats['links']:,}",
    )

    members = front_membership(links_df)
    papers_df = wh.read(spark, "papers", "silver")
    front_papers = (
        members.join(core_df, "paper_id")
        .join(papers_df.select("paper_id", "is_review"), "paper_id")
        .select("front_id", "paper_id", "is_review", "publication_year", "citations")
    )
    versions["research_front_papers"] = wh.write(front_papers, "research_front_papers", layer="gold")
    front_papers_df = wh.read(spark, "research_front_papers", "gold")
    members_df = front_papers_df.select("paper_id", "front_id")

    yearly = front_yearly(members_df, wh.read(spark, "paper_yearly_citations", "gold"), year_end)
    versions["research_front_yearly"] = wh.write(yearly, "research_front_yearly", layer="gold")
    series_df = wh.read(spark, "research_front_yearly", "gold")

    labels_df = front_labels(members_df, papers_df, settings.label_topics)
    patents_df = patents_in_scope(wh.read(spark, "patents", "silver"), config.scope)
    linked_df = front_patents(members_df, labels_df, patents_df)
    countries = front_countries(
        members_df,
        wh.read(spark, "authorships", "silver"),
        linked_df,
        patents_df,
        wh.read(spark, "patent_assignees", "silver"),
        th.high_value_patent_usd,
    )
    versions["research_front_countries"] = wh.write(countries, "research_front_countries", layer="gold")
    countries_df = wh.read(spark, "research_front_countries", "gold")

    versions["research_fronts"] = wh.write(
        research_fronts(
            front_papers_df, series_df, labels_df, linked_df, patents_df, countries_df, citations_df, th.high_value_patent_usd
        ),
        "research_fronts",
        layer="gold",
    )
    fronts_df = wh.read(spark, "research_fronts", "gold")
    versions["frontier_top10"] = wh.write(frontier_top10(fronts_df), "frontier_top10", layer="gold")
    return {"versions": versions, "cocitation": stats}


def research_fronts(
    front_papers_df: DataFrame,
    series_df: DataFrame,
    labels_df: DataFrame,
    linked_df: DataFrame,
    patents_df: DataFrame,
    countries_df: DataFrame,
    citations_df: DataFrame,
    high_value_usd: float,
) -> DataFrame:
    """One row per front: its papers, citing papers, trend, index, label, patents and CN / US
    splits, ranked (see the module docstring)."""
    papers = front_papers_df.groupBy("front_id").agg(
        F.count(F.lit(1)).alias("core_papers"),
        F.count(F.when(F.col("is_review"), 1)).alias("reviews"),
        F.avg("publication_year").alias("mean_publication_year"),
    )
    citing = (
        citations_df.select("citing_paper_id", F.col("cited_paper_id").alias("paper_id"))
        .join(F.broadcast(front_papers_df.select("paper_id", "front_id")), "paper_id")
        .groupBy("front_id")
        .agg(F.countDistinct("citing_paper_id").alias("citing_papers"))
    )
    patents = (
        linked_df.join(patents_df.select("patent_id", "market_value_usd"), "patent_id")
        .groupBy("front_id")
        .agg(
            F.count(F.lit(1)).alias("patents"),
            F.count(F.when(F.col("market_value_usd") >= high_value_usd, 1)).alias("high_value_patents"),
        )
    )
    split = (
        countries_df.where(F.col("country_code").isin(CN, US))
        .groupBy("front_id")
        .agg(
            *[
                F.sum(F.when(F.col("country_code") == c, F.col(m))).alias(f"{m}_{c.lower()}")
                for c in (CN, US)
                for m in ("papers", "patents")
            ]
        )
    )
    # A front whose core papers have no yearly citations in the window has no series: c_total 0,
    # a flat trend, frontier_raw 0; it still gets a rank, below the rising fronts.
    trends = (
        papers.select("front_id")
        .join(front_trends(series_df), "front_id", "left")
        .select(
            "front_id",
            F.coalesce("c_total", F.lit(0)).alias("c_total"),
            "first_citation_year",
            "last_citation_year",
            F.coalesce("t_years", F.lit(1)).alias("t_years"),
            F.coalesce("s_trend", F.lit(0.0)).alias("s_trend"),
            F.coalesce("frontier_raw", F.lit(0.0)).alias("frontier_raw"),
        )
    )
    joined = (
        papers.join(with_frontier_index(trends), "front_id")
        .join(labels_df, "front_id", "left")
        .join(citing, "front_id", "left")
        .join(patents, "front_id", "left")
        .join(split, "front_id", "left")
    )
    zero = lambda c: F.coalesce(F.col(c), F.lit(0)).cast("long").alias(c)  # noqa: E731
    return joined.select(
        "front_id",
        "rank",
        "label",
        "core_papers",
        "reviews",
        "mean_publication_year",
        zero("citing_papers"),
        F.col("c_total").cast("long").alias("c_total"),
        "first_citation_year",
        "last_citation_year",
        "t_years",
        "s_trend",
        "frontier_raw",
        "frontier_index",
        zero("papers_cn"),
        zero("papers_us"),
        zero("patents"),
        zero("high_value_patents"),
        zero("patents_cn"),
        zero("patents_us"),
    )


def frontier_top10(fronts_df: DataFrame) -> DataFrame:
    """Table 8: the ten best-ranked fronts."""
    return fronts_df.where(F.col("rank") <= 10).select(
        "rank",
        "front_id",
        "label",
        F.col("core_papers").alias("top_cited_papers"),
        "high_value_patents",
        "frontier_index",
        "mean_publication_year",
    )
