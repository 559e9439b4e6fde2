"""Talent flow (SPEC item 6; seed 002 ch.3 sec.3, figs 21-22): moves between countries and
cities, and migrants vs travellers (Sugimoto et al., Nature 2017).

Primary affiliation: for each author and year of the window, the institution on most of the
author's papers that year (silver author_affiliation_years, source 'works', whose n_papers is
the author's papers at that institution that year). Ties go to the smallest institution id, so
a rerun picks the same one. A year is an active year when its primary institution holds at least
`talent.min_papers_per_year` of the author's papers and has a country.

A move is a change between consecutive active years of one author, gaps included (2013 in GB
then 2016 in the US is one move, from_year 2013, to_year 2016): a country move when the country
changes, a city move when the (country, city) changes. talent_moves keeps every consecutive pair
that is either.

The flow graphs are GraphFrames: places are vertices, moves are edges weighted by their count;
a place's inflow and outflow are aggregateMessages sums of the weights it receives as
destination and as source. Counted in moves: an author who moves twice counts twice.

Migrant or traveller, for every author with at least one country move: the origin is the
country of the author's first active year. A traveller still publishes from the origin after
first leaving it (any affiliation, primary or not, in the origin country in a year at or after
the first move's to_year: they came back, or kept a tie); a migrant does not.

Skew: every step is keyed by author (a window over an author's few dozen active years) or by
place (a few hundred countries, tens of thousands of cities); nothing gathers on one task.

Gold tables: talent_moves (grain: author_id, to_year), talent_flow_edges (from_country,
to_country), talent_flow_by_country (country), talent_flow_by_city (country, city),
talent_flow_by_country_year (country, year), talent_mobility (author_id).

Nightly runs recompute this stage in full. A delivery changes the affiliation years of its works'
authors, and so their primary affiliations and their moves on both sides of each changed year. The
moves could be recomputed for those authors alone and the flow totals updated by differences, but
only with each changed author's previous moves; the stage is one pass keyed by author over
author_affiliation_years, which the nightly ingest rewrites whole.
"""

from __future__ import annotations

from graphframes.lib import AggregateMessages as AM
from pyspark.sql import DataFrame
from pyspark.sql import Window as W
from pyspark.sql import functions as F

from jobs.graph import aggregate_messages, graph_frame

MIGRANT, TRAVELLER = "migrant", "traveller"


def primary_affiliations(
    affiliation_years_df: DataFrame, institutions_df: DataFrame, year_start: int, year_end: int, min_papers: int
) -> DataFrame:
    """(author_id, year, institution_id, country, city): one row per active year."""
    # Distributed by author, not by (author, year): the moves' window over an author's years then
    # runs on the same partitions, one shuffle of the author-years instead of two. The shuffle
    # comes first, so the window's sort runs on shuffle partitions, not on whole scan splits
    # (talent.latest_affiliation says why that matters).
    works = (
        affiliation_years_df.where((F.col("source") == "works") & F.col("year").between(year_start, year_end))
        .select("author_id", "year", "institution_id", F.coalesce("n_papers", F.lit(0)).alias("n_papers"))
        .repartition("author_id")
    )
    ranked = works.withColumn(
        "k", F.row_number().over(W.partitionBy("author_id", "year").orderBy(F.col("n_papers").desc(), F.col("institution_id")))
    ).where((F.col("k") == 1) & (F.col("n_papers") >= min_papers))
    # The institutions are broadcast (10^5 rows in OpenAlex), so the author-years keep their
    # distribution by author through the join.
    places = F.broadcast(institutions_df.select("institution_id", F.col("country_code").alias("country"), "city"))
    return (
        ranked.join(places, "institution_id")
        .where(F.col("country").isNotNull())
        .select("author_id", "year", "institution_id", "country", "city")
    )


def moves(primary_df: DataFrame) -> DataFrame:
    """talent_moves rows: consecutive active years whose country or city differ, with flags."""
    by_year = W.partitionBy("author_id").orderBy("year")
    previous = primary_df.select(
        "author_id",
        F.lag("year").over(by_year).alias("from_year"),
        F.col("year").alias("to_year"),
        F.lag("institution_id").over(by_year).alias("from_institution_id"),
        F.col("institution_id").alias("to_institution_id"),
        F.lag("country").over(by_year).alias("from_country"),
        F.col("country").alias("to_country"),
        F.lag("city").over(by_year).alias("from_city"),
        F.col("city").alias("to_city"),
    ).where(F.col("from_year").isNotNull())
    country_move = F.col("from_country") != F.col("to_country")
    city_move = ~F.struct("from_country", "from_city").eqNullSafe(F.struct("to_country", "to_city")) & (
        F.col("from_city").isNotNull() | F.col("to_city").isNotNull()
    )
    return previous.select("*", country_move.alias("country_move"), city_move.alias("city_move")).where(
        F.col("country_move") | F.col("city_move")
    )


def flow_by_place(vertices_df: DataFrame, edges_df: DataFrame) -> tuple[DataFrame, DataFrame]:
    """((id, inflow, outflow, total_flow, net_inflow) per place, the persisted messages to
    unpersist once written) for a flow GraphFrame of a flow GraphFrame whose edges
    (src, dst, moves) carry their move counts. Self-loops (a move inside the place, e.g. a city
    change within one 'place' of a coarser grain) are not flows and are left out."""
    graph = graph_frame(vertices_df, edges_df.where(F.col("src") != F.col("dst")))
    flows = aggregate_messages(
        graph,
        F.struct(F.sum(F.when(AM.msg > 0, AM.msg)).alias("inflow"), F.sum(F.when(AM.msg < 0, -AM.msg)).alias("outflow")).alias(
            "flow"
        ),
        to_src=-AM.edge["moves"],
        to_dst=AM.edge["moves"],
    )
    result = vertices_df.join(flows, "id", "left").select(
        "id",
        F.coalesce("flow.inflow", F.lit(0)).cast("long").alias("inflow"),
        F.coalesce("flow.outflow", F.lit(0)).cast("long").alias("outflow"),
    )
    return result.select(
        "*", (F.col("inflow") + F.col("outflow")).alias("total_flow"), (F.col("inflow") - F.col("outflow")).alias("net_inflow")
    ), flows


def country_flows(moves_df: DataFrame) -> tuple[DataFrame, DataFrame, DataFrame]:
    """(talent_flow_edges, talent_flow_by_country, persisted messages)."""
    country_moves = moves_df.where("country_move")
    edges = country_moves.groupBy("from_country", "to_country").agg(F.count(F.lit(1)).alias("moves"))
    vertices = edges.select(F.col("from_country").alias("id")).union(edges.select(F.col("to_country").alias("id"))).distinct()
    by_place, flows = flow_by_place(
        vertices, edges.select(F.col("from_country").alias("src"), F.col("to_country").alias("dst"), "moves")
    )
    return edges, by_place.withColumnRenamed("id", "country"), flows


def city_flows(moves_df: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(talent_flow_by_city, persisted messages): the city flow graph, vertices keyed by
    (country, city)."""
    city_moves = moves_df.where("city_move").where(F.col("from_city").isNotNull() & F.col("to_city").isNotNull())
    key = lambda country, city: F.concat_ws("|", country, city)  # noqa: E731
    edges = city_moves.groupBy(
        key(F.col("from_country"), F.col("from_city")).alias("src"), key(F.col("to_country"), F.col("to_city")).alias("dst")
    ).agg(F.count(F.lit(1)).alias("moves"))
    places = (
        city_moves.select(
            key(F.col("from_country"), F.col("from_city")).alias("id"),
            F.col("from_country").alias("country"),
            F.col("from_city").alias("city"),
        )
        .union(city_moves.select(key(F.col("to_country"), F.col("to_city")).alias("id"), "to_country", "to_city"))
        .distinct()
    )
    by_place, flows = flow_by_place(places.select("id"), edges)
    return by_place.join(places, "id").select("country", "city", "inflow", "outflow", "total_flow", "net_inflow"), flows


def country_year_flows(moves_df: DataFrame) -> DataFrame:
    """(country, year, inflow, outflow, net_inflow): country moves dated by their to_year."""
    country_moves = moves_df.where("country_move")
    inflow = country_moves.groupBy(F.col("to_country").alias("country"), F.col("to_year").alias("year")).agg(
        F.count(F.lit(1)).alias("inflow")
    )
    outflow = country_moves.groupBy(F.col("from_country").alias("country"), F.col("to_year").alias("year")).agg(
        F.count(F.lit(1)).alias("outflow")
    )
    joined = inflow.join(outflow, ["country", "year"], "full")
    return joined.select(
        "country",
        F.col("year").cast("int").alias("year"),
        F.coalesce("inflow", F.lit(0)).alias("inflow"),
        F.coalesce("outflow", F.lit(0)).alias("outflow"),
    ).withColumn("net_inflow", F.col("inflow") - F.col("outflow"))


def mobility(moves_df: DataFrame, affiliation_years_df: DataFrame, institutions_df: DataFrame) -> DataFrame:
    """talent_mobility: (author_id, origin_country, countries, moves, mobility, first_move_year).

    Read from the movers' moves alone, not from their active years again: the years before an
    author's first move (country or city) are all in the origin's place, and every later year
    is in the place its latest move went to, so the origin is the earliest move's from_country
    and the countries of the active years are the origin and the moves' to_country values."""
    country_moves = moves_df.where("country_move")
    movers = country_moves.groupBy("author_id").agg(F.count(F.lit(1)).alias("moves"), F.min("to_year").alias("first_move_year"))
    mover_moves = moves_df.join(movers.select("author_id"), "author_id", "left_semi")
    first = mover_moves.groupBy("author_id").agg(F.min_by("from_country", "from_year").alias("origin_country"))
    reached = mover_moves.select("author_id", F.col("from_country").alias("country")).union(
        mover_moves.select("author_id", "to_country")
    )
    visited = reached.groupBy("author_id").agg(F.countDistinct("country").alias("countries"))
    profile = movers.join(first, "author_id").join(visited, "author_id")
    # Any affiliation of the author in the origin country at or after the first move: a tie kept.
    places = institutions_df.select("institution_id", F.col("country_code").alias("country"))
    later = (
        affiliation_years_df.where(F.col("source") == "works")
        .select("author_id", "institution_id", "year")
        .join(places, "institution_id")
    )
    kept = (
        later.join(profile.select("author_id", "origin_country", "first_move_year"), "author_id")
        .where((F.col("country") == F.col("origin_country")) & (F.col("year") >= F.col("first_move_year")))
        .select("author_id")
        .distinct()
        .withColumn("kept_tie", F.lit(True))
    )
    return profile.join(kept, "author_id", "left").select(
        "author_id",
        "origin_country",
        F.col("countries").cast("int").alias("countries"),
        F.col("moves").cast("int").alias("moves"),
        F.when(F.col("kept_tie"), F.lit(TRAVELLER)).otherwise(F.lit(MIGRANT)).alias("mobility"),
        F.col("first_move_year").cast("int").alias("first_move_year"),
    )


def run(ctx) -> dict:
    spark, wh, config = ctx.spark, ctx.warehouse, ctx.config
    scope = config.scope
    affiliation_years_df = wh.read(spark, "author_affiliation_years", "silver")
    institutions_df = wh.read(spark, "institutions", "silver")
    primary = primary_affiliations(
        affiliation_years_df, institutions_df, scope.year_start, scope.year_end, config.talent.min_papers_per_year
    )
    versions = {"talent_moves": wh.write(moves(primary), "talent_moves", layer="gold")}
    moves_df = wh.read(spark, "talent_moves", "gold")
    edges, by_country, flows = country_flows(moves_df)
    versions["talent_flow_edges"] = wh.write(edges, "talent_flow_edges", layer="gold")
    versions["talent_flow_by_country"] = wh.write(by_country, "talent_flow_by_country", layer="gold")
    flows.unpersist()
    by_city, flows = city_flows(moves_df)
    versions["talent_flow_by_city"] = wh.write(by_city, "talent_flow_by_city", layer="gold")
    flows.unpersist()
    versions["talent_flow_by_country_year"] = wh.write(country_year_flows(moves_df), "talent_flow_by_country_year", layer="gold")
    versions["talent_mobility"] = wh.write(
        mobility(moves_df, affiliation_years_df, institutions_df), "talent_mobility", layer="gold"
    )
    return {"versions": versions}
