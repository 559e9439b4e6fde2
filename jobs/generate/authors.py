"""Authors: names and ORCIDs (pure functions of the author number) and the RAW_AUTHOR rows.

Authors belong to groups (jobs/generate/design.py AuthorGroup): country x career-start cohort,
plus mover groups origin -> destination at a move year. jobs/generate/authorships.py assigns them
to papers; this module only describes them and aggregates their works.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from jobs.generate.columns import at, lit_array, lit_array2, unif
from jobs.generate.design import Design
from jobs.generate.ids import AUTHOR_ID_BASE, openalex_id
from jobs.generate.reference import COUNTRIES, CULTURES, NAMES, UPDATED_DATE

ORCID_SHARE = 0.6  # authors with an ORCID


def author_name(seed: int, author: Column, home_country: Column) -> Column:
    """ "Given Family" from the name pool of the author's home country (country index)."""
    culture = at(lit_array([CULTURES.index(country.name_culture) for country in COUNTRIES]), home_country)
    given = lit_array2([list(NAMES[key].given) for key in CULTURES], "string")
    family = lit_array2([list(NAMES[key].family) for key in CULTURES], "string")
    n_given = at(lit_array([len(NAMES[key].given) for key in CULTURES]), culture)
    n_family = at(lit_array([len(NAMES[key].family) for key in CULTURES]), culture)
    given_k = F.floor(unif(seed, "given", author) * n_given).cast("int")
    family_k = F.floor(unif(seed, "family", author) * n_family).cast("int")
    return F.concat(at(at(given, culture), given_k), F.lit(" "), at(at(family, culture), family_k))


def author_orcid(seed: int, author: Column) -> Column:
    """An ORCID URL for ORCID_SHARE of the authors (null for the rest): 15 hashed digits and a
    check character."""
    h = F.xxhash64(F.lit(seed), F.lit("orcid"), author)
    digits = F.lpad(F.pmod(h, F.lit(10**15)).cast("string"), 15, "0")
    check = F.when(F.pmod(h, F.lit(11)) == 10, F.lit("X")).otherwise(F.pmod(h, F.lit(11)).cast("string"))
    orcid = F.concat(
        F.lit("https://orcid.org/0000-000"),
        F.substring(digits, 1, 1),
        F.lit("-"),
        F.substring(digits, 2, 4),
        F.lit("-"),
        F.substring(digits, 6, 4),
        F.lit("-"),
        F.substring(digits, 10, 3),
        check,
    )
    return F.when(unif(seed, "has_orcid", author) < ORCID_SHARE, orcid)


def build_authors(design: Design, seed: int, author_works_df: DataFrame, inst_ref_df: DataFrame) -> DataFrame:
    """Authors in the RAW_AUTHOR layout (plus key a). h-index and i10 come from their works'
    cited_by_count; affiliations list every institution with the years it is on their papers,
    latest first; last_known_institutions are those of the latest year.

    A prolific author (thousands of papers at 10M) is one window partition and one small array."""
    by_cites = Window.partitionBy("a").orderBy(F.desc("cites"), "p").rowsBetween(Window.unboundedPreceding, Window.currentRow)
    stats_df = (
        author_works_df.withColumn("cite_rank", F.row_number().over(by_cites))
        .groupBy("a", "c1")
        .agg(
            F.count(F.lit(1)).alias("works_count"),
            F.sum("cites").alias("cited_by_count"),
            # h-index: the number of works whose citations reach their rank by citations.
            F.sum((F.col("cites") >= F.col("cite_rank")).cast("int")).alias("h_index"),
            F.sum((F.col("cites") >= 10).cast("int")).alias("i10_index"),
        )
    )
    affiliations_df = (
        author_works_df.select("a", "t", F.explode("inst_keys").alias("inst_key"))
        .groupBy("a", "inst_key")
        .agg(F.sort_array(F.collect_set(F.col("t") + design.year_start), asc=False).alias("years"))
        .join(F.broadcast(inst_ref_df), on="inst_key", how="inner")
        .groupBy("a")
        .agg(
            F.sort_array(
                F.collect_list(
                    F.struct(F.col("years")[0].alias("last"), F.col("inst.id").alias("iid"), F.col("inst"), F.col("years"))
                ),
                asc=False,
            ).alias("affs")
        )
    )
    author = F.col("a")
    return stats_df.join(affiliations_df, on="a", how="inner").select(
        author.alias("key"),
        openalex_id("A", F.lit(AUTHOR_ID_BASE) + author).alias("id"),
        author_orcid(seed, author).alias("orcid"),
        author_name(seed, author, F.col("c1")).alias("display_name"),
        F.col("works_count").cast("bigint").alias("works_count"),
        F.col("cited_by_count").cast("bigint").alias("cited_by_count"),
        F.struct(F.col("h_index").cast("int").alias("h_index"), F.col("i10_index").cast("int").alias("i10_index")).alias(
            "summary_stats"
        ),
        F.transform(
            "affs", lambda x: F.struct(x["inst"].alias("institution"), x["years"].cast("array<int>").alias("years"))
        ).alias("affiliations"),
        F.transform(F.filter("affs", lambda x: x["last"] == F.col("affs")[0]["last"]), lambda x: x["inst"]).alias(
            "last_known_institutions"
        ),
        F.lit(UPDATED_DATE).alias("updated_date"),
    )
