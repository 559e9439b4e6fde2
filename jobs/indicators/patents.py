"""Patents and their market value (SPEC item 4; seed 002 ch.2 sec.2, figs 12-17, tables 2, 5, 6).

Granted patents in the window and patent domain, counted once per distinct assignee country
(full counting) or canonical assignee. High value: market_value_usd >= the configured threshold
(default USD 1,000,000); a patent without a value is never high value. Gold tables:
- patents_by_country (grain: country_code): patents, high_value_patents, high_value_share, rank.
- patents_by_country_year (grain: country_code, year).
- patents_by_assignee (grain: canonical_assignee): with its most frequent country, rank.
- patent_value_bands (grain: country_code, band): patents per USD band [e_i, e_i+1) of
  indicators.patent_value_band_edges, the last band open-ended; values below the first edge or
  unknown fall in no band.
- patent_value_band_ratio (grain: band): challenger/leader patents per band for the first
  golden-cross pair (China/US by default) and their ratio (null when the leader has none).
- high_value_trend (grain: country_code, year): yearly high-value patents of the top-N
  countries by high-value patents over the window, zero years included.
Skew: one assignee (a Samsung or IBM) holds ~1% of patents; grouping by assignee aggregates
map-side, so it is no hot partition.

Nightly runs recompute this stage in full: the delivered patents are MERGEd into bronze, and every
table here is one aggregation over all patents in the window, with ranks and top-N lists over all
countries and assignees that a single changed patent can reorder.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import Window as W
from pyspark.sql import functions as F

from jobs.indicators.common import patents_in_scope, rank_desc


def with_value_flags(patents_df: DataFrame, high_value_usd: float) -> DataFrame:
    return patents_df.withColumn("is_high_value", F.coalesce(F.col("market_value_usd") >= F.lit(high_value_usd), F.lit(False)))


def patent_countries(assignees_df: DataFrame) -> DataFrame:
    return assignees_df.where(F.col("country_code").isNotNull()).select("patent_id", "country_code").distinct()


def _counts(df: DataFrame, keys: list[str]) -> DataFrame:
    grouped = df.groupBy(*keys).agg(
        F.count(F.lit(1)).alias("patents"), F.count(F.when(F.col("is_high_value"), 1)).alias("high_value_patents")
    )
    return grouped.withColumn("high_value_share", F.col("high_value_patents") / F.col("patents"))


def by_country(patents_df: DataFrame, assignees_df: DataFrame) -> DataFrame:
    joined = patent_countries(assignees_df).join(patents_df.select("patent_id", "is_high_value"), "patent_id", how="inner")
    return _counts(joined, ["country_code"]).withColumn("rank", rank_desc("patents"))


def by_country_year(patents_df: DataFrame, assignees_df: DataFrame) -> DataFrame:
    joined = patent_countries(assignees_df).join(
        patents_df.select("patent_id", F.col("grant_year").alias("year"), "is_high_value"), "patent_id", how="inner"
    )
    return _counts(joined, ["country_code", "year"])


def by_assignee(patents_df: DataFrame, assignees_df: DataFrame) -> DataFrame:
    per_patent = (
        assignees_df.where(F.col("canonical_assignee").isNotNull())
        .groupBy("patent_id", "canonical_assignee")
        .agg(F.max("country_code").alias("country_code"))
    )
    joined = per_patent.join(patents_df.select("patent_id", "is_high_value"), "patent_id", how="inner")
    counts = _counts(joined, ["canonical_assignee"])
    countries = (
        joined.where(F.col("country_code").isNotNull())
        .groupBy("canonical_assignee", "country_code")
        .agg(F.count(F.lit(1)).alias("n"))
        .groupBy("canonical_assignee")
        .agg(F.min_by("country_code", F.struct(-F.col("n"), F.col("country_code"))).alias("country_code"))
    )
    return counts.join(countries, "canonical_assignee", how="left").withColumn("rank", rank_desc("patents"))


def value_band(value, edges: list[float]):
    """Band index 1..len(edges) of a value ([e_i, e_i+1), last band open), null below edges[0]."""
    band = F.lit(None).cast("int")
    for index, edge in enumerate(edges, start=1):
        band = F.when(value >= F.lit(edge), F.lit(index)).otherwise(band)
    return band


def value_bands(patents_df: DataFrame, assignees_df: DataFrame, edges: list[float]) -> DataFrame:
    banded = patents_df.select("patent_id", value_band(F.col("market_value_usd"), edges).alias("band")).where(
        F.col("band").isNotNull()
    )
    counts = (
        patent_countries(assignees_df)
        .join(banded, "patent_id", how="inner")
        .groupBy("country_code", "band")
        .agg(F.count(F.lit(1)).alias("patents"))
    )
    lows = F.array(*[F.lit(float(e)) for e in edges])
    highs = F.array(*[F.lit(float(e)) for e in edges[1:]], F.lit(None).cast("double"))
    return counts.select(
        "country_code",
        "band",
        F.element_at(lows, F.col("band")).alias("band_low_usd"),
        F.element_at(highs, F.col("band")).alias("band_high_usd"),
        "patents",
    )


def band_ratio(spark: SparkSession, bands_df: DataFrame, challenger: str, leader: str, edges: list[float]) -> DataFrame:
    all_bands = spark.createDataFrame(
        [(i, float(e), float(edges[i]) if i < len(edges) else None) for i, e in enumerate(edges, start=1)],
        "band int, band_low_usd double, band_high_usd double",
    )

    def side(country: str, name: str) -> DataFrame:
        return bands_df.where(F.col("country_code") == country).select("band", F.col("patents").alias(name))

    joined = all_bands.join(side(challenger, "challenger_patents"), "band", how="left").join(
        side(leader, "leader_patents"), "band", how="left"
    )
    return joined.select(
        "band",
        "band_low_usd",
        "band_high_usd",
        F.lit(challenger).alias("challenger"),
        F.lit(leader).alias("leader"),
        F.coalesce("challenger_patents", F.lit(0)).alias("challenger_patents"),
        F.coalesce("leader_patents", F.lit(0)).alias("leader_patents"),
        F.when(F.col("leader_patents") > 0, F.coalesce("challenger_patents", F.lit(0)) / F.col("leader_patents")).alias("ratio"),
    )


def high_value_trend(
    spark: SparkSession, country_df: DataFrame, country_year_df: DataFrame, top_n: int, year_start: int, year_end: int
) -> DataFrame:
    top = (
        country_df.where(F.col("high_value_patents") > 0)
        .select("country_code", F.rank().over(_by_high_value()).alias("country_rank"))
        .where(F.col("country_rank") <= top_n)
    )
    years = spark.range(year_start, year_end + 1).select(F.col("id").cast("int").alias("year"))
    grid = top.crossJoin(years)
    return grid.join(
        country_year_df.select("country_code", "year", "high_value_patents"), ["country_code", "year"], how="left"
    ).select("country_code", "country_rank", "year", F.coalesce("high_value_patents", F.lit(0)).alias("high_value_patents"))


def _by_high_value():
    # one row per country: a window without keys is fine on this tiny table
    return W.orderBy(F.col("high_value_patents").desc(), F.col("country_code"))


def run(ctx) -> dict:
    spark, wh, config = ctx.spark, ctx.warehouse, ctx.config
    if not wh.exists(spark, "patents"):
        return {"versions": {}, "skipped": "no patents table (no patents/ input)"}
    patents_df = with_value_flags(
        patents_in_scope(wh.read(spark, "patents", "silver"), config.scope), config.thresholds.high_value_patent_usd
    )
    assignees_df = wh.read(spark, "patent_assignees", "silver")
    edges = config.indicators.patent_value_band_edges
    versions = {
        "patents_by_country": wh.write(by_country(patents_df, assignees_df), "patents_by_country", layer="gold"),
        "patents_by_country_year": wh.write(by_country_year(patents_df, assignees_df), "patents_by_country_year", layer="gold"),
        "patents_by_assignee": wh.write(by_assignee(patents_df, assignees_df), "patents_by_assignee", layer="gold"),
        "patent_value_bands": wh.write(value_bands(patents_df, assignees_df, edges), "patent_value_bands", layer="gold"),
    }
    challenger, leader = config.indicators.golden_cross_pairs[0]
    versions["patent_value_band_ratio"] = wh.write(
        band_ratio(spark, wh.read(spark, "patent_value_bands", "gold"), challenger, leader, edges),
        "patent_value_band_ratio",
        layer="gold",
    )
    versions["high_value_trend"] = wh.write(
        high_value_trend(
            spark,
            wh.read(spark, "patents_by_country", "gold"),
            wh.read(spark, "patents_by_country_year", "gold"),
            config.indicators.high_value_top_countries,
            config.scope.year_start,
            config.scope.year_end,
        ),
        "high_value_trend",
        layer="gold",
    )
    return {"versions": versions}
