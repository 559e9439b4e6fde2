"""Topic lens (SPEC item 11; seed 002 ch.4 sec.3, figs 28, 30, 32): country rankings restricted to
a configured technology topic, for the report's "hot technology" pages.

Each topic of `topic_lens.topics` names paper terms, patent CPC prefixes and patent terms. A paper
(in scope: gold paper_citations) belongs to a topic when one of its topic, concept or keyword names
contains one of the paper terms, case-insensitively. A patent (in scope: granted in the window,
domain filters applied) belongs when one of its CPC codes starts with one of the prefixes or one of
its topics or keywords contains one of the patent terms. A paper or patent may belong to several
topics.

Tables (full counting: a paper counts once for each distinct author country, a patent once for
each distinct assignee country):
- topic_papers (grain: topic, paper_id);
- topic_country_rankings (grain: topic, country): papers, top_cited_papers (top-1% papers, gold
  top_cited_papers), competition rank by top-1% papers, then papers (fig 28, 30, 32: top-1% papers);
- topic_patent_rankings (grain: topic, country): patents, high_value_patents (market value at or
  above thresholds.high_value_patent_usd), rank by high-value patents, then patents.
A topic is a handful of terms: the tagging is one pass over the papers with no join; the rankings
are group-bys on (topic, country), a few hundred rows each.

Nightly runs recompute this stage in full: the rankings count top-1% papers (thresholds move with
every night's citations) and rank over all countries; the tagging is one pass over the papers.
"""

from __future__ import annotations

import functools

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from jobs.indicators.common import paper_countries, patents_in_scope, rank_desc

SEPARATOR = "\u0001"  # in no term or code: a test on the joined string never spans two names


def _joined(*arrays: str) -> Column:
    """A row's names as one string, each name preceded by the separator: "a name contains t" is
    "the string contains t", "a code starts with p" is "the string contains separator + p"."""
    return F.concat(F.lit(SEPARATOR), F.concat_ws(SEPARATOR, *arrays))


def _contains_any(text: Column, terms: list[str]) -> Column:
    """text: a lower-cased _joined column."""
    return functools.reduce(lambda a, b: a | b, [text.contains(t.lower()) for t in terms], F.lit(False))


def _starts_any(codes: Column, prefixes: list[str]) -> Column:
    """codes: an upper-cased _joined column."""
    return functools.reduce(lambda a, b: a | b, [codes.contains(SEPARATOR + p.upper()) for p in prefixes], F.lit(False))


def _tagged(df: DataFrame, key: str, conditions: dict[str, Column]) -> DataFrame:
    topics = F.filter(F.array(*[F.when(cond, F.lit(name)) for name, cond in conditions.items()]), lambda t: t.isNotNull())
    return df.select(F.explode(topics).alias("topic"), key)


# The joined strings are their own projection, computed once per row: the optimizer does not
# inline a non-trivial alias referenced many times, so each term tests the column.
def topic_papers(papers_df: DataFrame, topics) -> DataFrame:
    text = papers_df.select("paper_id", F.lower(_joined("topic_names", "concept_names", "keyword_names")).alias("names"))
    return _tagged(text, "paper_id", {t.name: _contains_any(F.col("names"), t.paper_terms) for t in topics})


def topic_patents(patents_df: DataFrame, topics) -> DataFrame:
    text = patents_df.select(
        "patent_id", F.lower(_joined("topics", "keywords")).alias("terms"), F.upper(_joined("cpc_codes")).alias("codes")
    )
    return _tagged(
        text,
        "patent_id",
        {
            t.name: _starts_any(F.col("codes"), t.patent_cpc_prefixes) | _contains_any(F.col("terms"), t.patent_terms)
            for t in topics
        },
    )


def country_rankings(tagged_df: DataFrame, authorships_df: DataFrame, top_df: DataFrame) -> DataFrame:
    countries = paper_countries(authorships_df).join(tagged_df.select("paper_id").distinct(), "paper_id", "left_semi")
    top = top_df.select("paper_id", F.lit(1).alias("is_top"))
    counted = (
        tagged_df.join(countries, "paper_id")
        .join(top, "paper_id", "left")
        .groupBy("topic", F.col("country_code").alias("country"))
        .agg(F.count(F.lit(1)).alias("papers"), F.count(F.col("is_top")).alias("top_cited_papers"))
    )
    return counted.select(
        "topic", "country", "papers", "top_cited_papers", rank_desc("top_cited_papers", "papers", within=("topic",)).alias("rank")
    )


def patent_rankings(tagged_df: DataFrame, patents_df: DataFrame, assignees_df: DataFrame, high_value_usd: float) -> DataFrame:
    countries = assignees_df.where(F.col("country_code").isNotNull()).select("patent_id", "country_code").distinct()
    values = patents_df.select("patent_id", "market_value_usd")
    counted = (
        tagged_df.join(countries, "patent_id")
        .join(values, "patent_id")
        .groupBy("topic", F.col("country_code").alias("country"))
        .agg(
            F.count(F.lit(1)).alias("patents"),
            F.count(F.when(F.col("market_value_usd") >= high_value_usd, 1)).alias("high_value_patents"),
        )
    )
    return counted.select(
        "topic",
        "country",
        "patents",
        "high_value_patents",
        rank_desc("high_value_patents", "patents", within=("topic",)).alias("rank"),
    )


def run(ctx) -> dict:
    spark, wh, config = ctx.spark, ctx.warehouse, ctx.config
    topics = config.topic_lens.topics
    scoped = wh.read(spark, "paper_citations", "gold")
    papers_df = wh.read(spark, "papers", "silver").join(scoped.select("paper_id"), "paper_id", "left_semi")
    versions = {"topic_papers": wh.write(topic_papers(papers_df, topics), "topic_papers", layer="gold")}
    tagged = wh.read(spark, "topic_papers", "gold")
    versions["topic_country_rankings"] = wh.write(
        country_rankings(tagged, wh.read(spark, "authorships", "silver"), wh.read(spark, "top_cited_papers", "gold")),
        "topic_country_rankings",
        layer="gold",
    )
    patents_df = patents_in_scope(wh.read(spark, "patents", "silver"), config.scope)
    versions["topic_patent_rankings"] = wh.write(
        patent_rankings(
            topic_patents(patents_df, topics),
            patents_df,
            wh.read(spark, "patent_assignees", "silver"),
            config.thresholds.high_value_patent_usd,
        ),
        "topic_patent_rankings",
        layer="gold",
    )
    return {"versions": versions}
