"""Institutions: the named ones of reference.py first in each country, then generated fillers
("<city> <template>") up to the design's count per country.

inst_key = country index * INST_KEY_STRIDE + rank inside the country; authors pick institutions
by a power law on that rank, so the named institutions are the biggest.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.generate.columns import at, lit_array, local_table
from jobs.generate.design import Design
from jobs.generate.ids import INST_KEY_STRIDE, INSTITUTION_ID_BASE, OPENALEX
from jobs.generate.reference import (
    CITIES,
    COUNTRIES,
    COUNTRY_CODES,
    COUNTRY_INDEX,
    FILLER_TEMPLATES,
    NAMED_INSTITUTIONS,
    UPDATED_DATE,
)


def build_institutions(spark: SparkSession, design: Design, seed: int) -> DataFrame:
    """Grain: institution: inst_key, c (country index) and the RAW_INSTITUTION columns but the
    counts (build_institution_rows adds them)."""
    countries_df = local_table(
        spark,
        [(c, country.code, country.name, design.institutions_per_country[c]) for c, country in enumerate(COUNTRIES)],
        "c int, code string, country string, n_inst int",
    )
    named_rows = []
    rank = {code: 0 for code in COUNTRY_CODES}
    for inst in NAMED_INSTITUTIONS:
        named_rows.append(
            (COUNTRY_INDEX[inst.country], rank[inst.country], inst.name, inst.city, inst.type, inst.openalex_id, inst.parent_id)
        )
        rank[inst.country] += 1
    named_df = local_table(
        spark,
        named_rows,
        "c int, k int, named string, named_city string, named_type string, explicit string, parent string",
    )
    city_rows = [
        (COUNTRY_INDEX[code], k, city.name, city.region, city.latitude, city.longitude)
        for code, cities in CITIES.items()
        for k, city in enumerate(cities)
    ]
    cities_df = local_table(spark, city_rows, "c int, city_k int, city string, region string, lat double, lon double")
    n_cities = at(lit_array([len(CITIES[code]) for code in COUNTRY_CODES]), F.col("c"))
    n_named = at(lit_array([rank[code] for code in COUNTRY_CODES]), F.col("c"))
    n_templates = len(FILLER_TEMPLATES)
    template_suffixes = lit_array([template.suffix for template in FILLER_TEMPLATES])
    template_types = lit_array([template.type for template in FILLER_TEMPLATES])

    # Filler f of a country (its rank past the named ones) takes city f mod n_cities, template
    # (f div n_cities) mod n_templates, and a campus number once every (city, template) is taken.
    filler = F.col("k") - n_named
    slots_df = (
        countries_df.select("c", "code", "country", F.explode(F.sequence(F.lit(0), F.col("n_inst") - 1)).alias("k"))
        .join(F.broadcast(named_df), on=["c", "k"], how="left")
        .select(
            "*",
            filler.alias("filler"),
            n_cities.alias("n_city"),
            F.pmod(filler, n_cities).cast("int").alias("city_k"),
            F.pmod(F.floor(filler / n_cities), F.lit(n_templates)).cast("int").alias("tmpl"),
            F.floor(filler / (n_cities * n_templates)).alias("campus"),
        )
        .join(F.broadcast(cities_df), on=["c", "city_k"], how="left")
    )
    named_city = cities_df.select(
        F.col("c").alias("nc"),
        F.col("city").alias("ncity"),
        F.col("region").alias("nregion"),
        F.col("lat").alias("nlat"),
        F.col("lon").alias("nlon"),
    )
    inst_df = slots_df.join(
        F.broadcast(named_city), on=[F.col("c") == F.col("nc"), F.col("named_city") == F.col("ncity")], how="left"
    )
    is_named = F.col("named").isNotNull()
    filler_name = F.concat(
        F.col("city"),
        F.lit(" "),
        at(template_suffixes, F.col("tmpl")),
        F.when(F.col("campus") > 0, F.concat(F.lit(" ("), (F.col("campus") + 1).cast("string"), F.lit(")"))).otherwise(F.lit("")),
    )
    inst_key = F.col("c").cast("long") * INST_KEY_STRIDE + F.col("k")
    short_id = F.coalesce(F.col("explicit"), F.concat(F.lit("I"), (F.lit(INSTITUTION_ID_BASE) + inst_key).cast("string")))
    full_id = F.concat(F.lit(OPENALEX), short_id)
    ror_hash = F.xxhash64(F.lit(seed), F.lit("ror"), inst_key)
    ror = F.concat(
        F.lit("https://ror.org/0"),
        F.lower(F.substring(F.conv(F.abs(ror_hash).cast("string"), 10, 36), 1, 6)),
        F.lpad(F.pmod(ror_hash, F.lit(100)).cast("string"), 2, "0"),
    )
    lineage = F.when(F.col("parent").isNotNull(), F.array(full_id, F.concat(F.lit(OPENALEX), F.col("parent")))).otherwise(
        F.array(full_id)
    )
    return inst_df.select(
        inst_key.alias("inst_key"),
        F.col("c"),
        full_id.alias("id"),
        ror.alias("ror"),
        F.when(is_named, F.col("named")).otherwise(filler_name).alias("display_name"),
        F.col("code").alias("country_code"),
        F.when(is_named, F.col("named_type")).otherwise(at(template_types, F.col("tmpl"))).alias("type"),
        F.struct(
            F.when(is_named, F.col("ncity")).otherwise(F.col("city")).alias("city"),
            F.when(is_named, F.col("nregion")).otherwise(F.col("region")).alias("region"),
            F.col("code").alias("country_code"),
            F.col("country").alias("country"),
            F.when(is_named, F.col("nlat")).otherwise(F.col("lat")).alias("latitude"),
            F.when(is_named, F.col("nlon")).otherwise(F.col("lon")).alias("longitude"),
        ).alias("geo"),
        lineage.alias("lineage"),
    )


def institution_ref(inst_df: DataFrame) -> DataFrame:
    """inst_key -> inst, the RAW_INSTITUTION_REF struct works and authors embed."""
    return inst_df.select(
        "inst_key",
        F.struct("id", "display_name", "ror", "country_code", "type", "lineage").alias("inst"),
    )


def build_institution_rows(inst_df: DataFrame, author_works_df: DataFrame) -> DataFrame:
    """Institutions in the RAW_INSTITUTION layout (plus key), works and citations counted from
    the generated works (an institution with no paper keeps zeros, as in OpenAlex)."""
    stats_df = (
        author_works_df.select("p", "cites", F.explode("inst_keys").alias("inst_key"))
        .distinct()  # one paper counts once per institution however many of its authors are there
        .groupBy("inst_key")
        .agg(F.count(F.lit(1)).alias("works_count"), F.sum("cites").alias("cited_by_count"))
    )
    return inst_df.join(F.broadcast(stats_df), on="inst_key", how="left").select(
        F.col("inst_key").alias("key"),
        "id",
        "ror",
        "display_name",
        "country_code",
        "type",
        "geo",
        "lineage",
        F.coalesce("works_count", F.lit(0)).cast("bigint").alias("works_count"),
        F.coalesce("cited_by_count", F.lit(0)).cast("bigint").alias("cited_by_count"),
        F.lit(UPDATED_DATE).alias("updated_date"),
    )
