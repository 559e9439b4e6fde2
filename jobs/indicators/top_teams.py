"""Top teams (SPEC item 8; seed 002 ch.3 sec.4, table 4): the top institutions by h5-index, each
with its key members.

institution_key_members (grain: canonical_id, rank): for each of the `indicators.top_teams`
best-ranked institutions of gold institution_h5, its scholars with a paper in scope whose latest
affiliation (gold scholar_h_index) rolls up to it, the `indicators.key_members` with the highest
h-index (ties: more papers, then author id), with their main topics: the three most frequent
primary topics of their papers (ties by name), joined with '; '.
Members are read for ten institutions only: the scholars are filtered to them before any join,
and the topic counts run over those scholars' authorships.

Nightly runs recompute this stage in full: it reads institution_h5 and scholar_h_index, which change
every night (see those stages).
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import Window as W
from pyspark.sql import functions as F

from jobs.indicators.common import most_frequent

MAIN_TOPICS = 3


def key_members(
    h5_df: DataFrame, scholars_df: DataFrame, authorships_df: DataFrame, papers_df: DataFrame, teams: int, members: int
) -> DataFrame:
    top = h5_df.where(F.col("rank") <= teams).select("canonical_id")
    team_scholars = (
        scholars_df.where("has_scope_paper")
        .join(F.broadcast(top), "canonical_id")
        .select("canonical_id", "author_id", "display_name", "h_index", "paper_count")
    )
    ranked = team_scholars.withColumn(
        "rank",
        F.row_number().over(
            W.partitionBy("canonical_id").orderBy(F.col("h_index").desc(), F.col("paper_count").desc(), "author_id")
        ),
    ).where(F.col("rank") <= members)
    written = authorships_df.select("author_id", "paper_id").distinct().join(ranked.select("author_id"), "author_id", "left_semi")
    topics = written.join(papers_df.select("paper_id", "primary_topic_name"), "paper_id")
    top_topics = most_frequent(topics, "author_id", "primary_topic_name", MAIN_TOPICS).select(
        "author_id", F.array_join("top", "; ").alias("topics")
    )
    return ranked.join(top_topics, "author_id", "left").select(
        "canonical_id", F.col("rank").cast("int"), "author_id", "display_name", "h_index", "topics"
    )


def run(ctx) -> dict:
    spark, wh, settings = ctx.spark, ctx.warehouse, ctx.config.indicators
    table = key_members(
        wh.read(spark, "institution_h5", "gold"),
        wh.read(spark, "scholar_h_index", "gold"),
        wh.read(spark, "authorships", "silver"),
        wh.read(spark, "papers", "silver"),
        settings.top_teams,
        settings.key_members,
    )
    return {"versions": {"institution_key_members": wh.write(table, "institution_key_members", layer="gold")}}
