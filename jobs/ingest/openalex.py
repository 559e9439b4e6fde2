"""Ingest an OpenAlex snapshot (works, authors, institutions) into the canonical Delta tables.

Input: `<input>/works/`, `<input>/authors/`, `<input>/institutions/`, each optional, holding
JSON Lines part files (gzipped or not) in OpenAlex's snapshot layout; with --incremental also
`<input>/merged_ids/<entity>/` (ids to delete). Each entity's accepted records land in bronze
(jobs/ingest/bronze.py: overwrite, or MERGE by id); the canonical tables are then derived from
the whole of bronze. Output (silver): papers, authorships, citations, institutions, authors,
author_affiliation_years, and the OpenAlex rows of quarantine.

Scale (270M works, 725M authorships, 2.7B references): a full run parses and checks every
delivered file once, inside the write that replaces bronze, counting read and accepted records
in that pass, then counts bronze's ids (a shuffle of ids, not of records) to find repeated ones;
an incremental delivery, or one that does repeat an id, is parsed once into a cache on the
executors (MEMORY_AND_DISK) while it is counted, quarantined and landed, and only the rows of a
repeated id are ranked; each silver table is a projection or an explode of bronze, so the
other shuffles are the per-(author, institution, year) count and the institution dedup. None of them groups by a
key that can be hot: ids are unique, and the biggest (author, institution, year) group is one
prolific author's yearly output (thousands of rows, not millions).

Nightly (incremental) runs MERGE the delivery into bronze and derive silver again from the whole
of bronze. Papers, authorships and citations are projections and explodes of one work each, so
they could be replaced work by work; but author_affiliation_years counts an author's papers per
institution and year over every work, and authors and institutions each merge their own entity
with the ones that works (and, for institutions, authors) refer to. Deriving by differences
would need each changed work's previous rows, and each touched author's years and each touched
institution recounted, for a layer whose readers (every gold stage) read it whole anyway.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from jobs.config import Config
from jobs.frames import union_all
from jobs.ingest import bronze, canonicalisation, duplicates, files, json_lines, manifest, partitions, quarantine, rules
from jobs.ingest.common import RAW, REASON, SOURCE_FILE, IngestError, IngestReport, TableCount, strip_openalex_id
from jobs.warehouse import Warehouse
from schemas import canonical
from schemas.raw import RAW_AUTHOR, RAW_INSTITUTION, RAW_WORK

log = logging.getLogger(__name__)

SOURCES = ("openalex.works", "openalex.authorships", "openalex.citations", "openalex.authors", "openalex.institutions")
REVIEW_TYPE = "review"
# Ids once stripped of https://openalex.org/. A record whose id has another form (a number, a
# DOI, another entity's id) cannot be joined or referenced: it is quarantined.
WORK_ID, AUTHOR_ID, INSTITUTION_ID = r"^W\d+$", r"^A\d+$", r"^I\d+$"


def newest_first() -> list:
    """Of two accepted records with one id, the most recently updated is kept."""
    return [F.col("updated_date").desc_nulls_last()]


# ----------------------------------------------------------------------------- works


def validate_works(raw_df: DataFrame, config: Config) -> DataFrame:
    """Raw works with a _reason for every record that breaks the rules or repeats an id (null
    when accepted)."""
    return duplicates.flag_duplicates(check_works(raw_df, config), "id", newest_first())


def check_works(raw_df: DataFrame, config: Config) -> DataFrame:
    """Raw works with a _reason for every record that breaks the rules; duplicates not flagged."""
    limit, setting = config.ingest.max_cited_by_count, "ingest.max_cited_by_count"
    checks = (
        rules.parse_checks()
        + rules.id_format_checks(WORK_ID, "an OpenAlex work id")
        + rules.year_checks("publication_year", config.ingest.min_year, config.ingest.max_year)
        + rules.non_negative_checks(["cited_by_count"])
        + rules.at_most_checks(["cited_by_count"], limit, setting)
        + rules.yearly_count_checks("counts_by_year", "cited_by_count", limit, setting)
    )
    return rules.with_reason(raw_df.withColumn("id", strip_openalex_id("id")), checks)


def to_papers(works_df: DataFrame) -> DataFrame:
    """Accepted works -> papers (one row per work)."""
    topic = F.col("primary_topic")
    return works_df.select(
        F.col("id").alias("paper_id"),
        F.col("doi"),
        F.col("title"),
        F.col("publication_year"),
        F.col("type").alias("work_type"),
        F.coalesce(F.col("type") == REVIEW_TYPE, F.lit(False)).alias("is_review"),
        F.col("cited_by_count"),
        strip_openalex_id(topic["field"]["id"]).alias("field_id"),
        topic["field"]["display_name"].alias("field_name"),
        topic["subfield"]["display_name"].alias("subfield_name"),
        strip_openalex_id(topic["id"]).alias("primary_topic_id"),
        topic["display_name"].alias("primary_topic_name"),
        _names(F.col("topics")).alias("topic_names"),
        _names(F.col("concepts")).alias("concept_names"),
        _names(F.col("keywords")).alias("keyword_names"),
        F.filter(
            F.transform(
                F.coalesce(F.col("counts_by_year"), F.array()),
                lambda c: F.struct(c["year"].alias("year"), c["cited_by_count"].alias("cited_by_count")),
            ),
            lambda c: c["year"].isNotNull(),
        ).alias("counts_by_year"),
        # Counted on one leaf of the entries (their author ids, one per entry, null or not), so the
        # scan reads that leaf instead of every field of every authorship: nested schema pruning.
        F.size(F.coalesce(F.col("authorships.author.id"), F.array())).alias("n_authors"),
        F.size(F.coalesce(F.col("referenced_works"), F.array())).alias("n_references"),
        F.col("updated_date"),
    )


def _names(array_col) -> F.Column:
    return F.filter(F.transform(F.coalesce(array_col, F.array()), lambda x: x["display_name"]), lambda n: n.isNotNull())


def explode_authorships(works_df: DataFrame) -> DataFrame:
    """One row per (work, authorship entry) with the entry's position in the author list."""
    return works_df.select(
        F.col("id").alias("paper_id"),
        F.col("publication_year"),
        F.col(SOURCE_FILE),
        F.posexplode(F.col("authorships")).alias("pos", "authorship"),
    ).select(
        "paper_id",
        "publication_year",
        SOURCE_FILE,
        (F.col("pos") + 1).alias("author_order"),
        F.col("authorship"),
        strip_openalex_id(F.col("authorship.author.id")).alias("author_id"),
    )


def to_authorships(entries_df: DataFrame) -> DataFrame:
    """Accepted authorship entries -> one row per (paper, author, institution).

    An author without institution keeps one row with institution null; its country is the
    entry's `countries` when that names exactly one country.
    """
    institutions = F.coalesce(F.col("authorship.institutions"), F.array())
    countries = F.coalesce(F.col("authorship.countries"), F.array())
    return entries_df.select(
        "paper_id",
        "author_id",
        "author_order",
        "publication_year",
        F.col("authorship.author_position").alias("author_position"),
        F.col("authorship.is_corresponding").alias("is_corresponding"),
        F.size(institutions).alias("n_author_institutions"),
        F.when(F.size(countries) == 1, countries[0]).alias("lone_country"),
        F.explode_outer(institutions).alias("institution"),
    ).select(
        "paper_id",
        "author_id",
        "author_order",
        "author_position",
        "is_corresponding",
        strip_openalex_id(F.col("institution.id")).alias("institution_id"),
        F.coalesce(F.upper(F.col("institution.country_code")), F.upper(F.col("lone_country"))).alias("country_code"),
        "n_author_institutions",
        "publication_year",
    )


def explode_references(works_df: DataFrame) -> DataFrame:
    """One row per distinct referenced id of a work, with a reason when it is not a work id.

    Ids are stripped before de-duplicating, so 'https://openalex.org/W2' and 'W2' in one list
    are one citation; the quarantined text of a bad reference is its stripped form.
    """
    references = F.array_distinct(F.transform(F.col("referenced_works"), lambda r: strip_openalex_id(r)))
    return (
        works_df.select(
            F.col("id").alias("citing_paper_id"),
            F.col("publication_year").alias("citing_year"),
            F.col(SOURCE_FILE),
            F.explode(references).alias("cited_paper_id"),
        )
        .select(
            "citing_paper_id",
            "citing_year",
            SOURCE_FILE,
            F.col("cited_paper_id").alias(RAW),
            "cited_paper_id",
        )
        .withColumn(
            REASON,
            F.when(
                ~F.coalesce(F.col("cited_paper_id").rlike(WORK_ID), F.lit(False)),
                F.lit("referenced work id is not an OpenAlex work id"),
            ),
        )
    )


def institution_refs_from_works(works_df: DataFrame) -> DataFrame:
    """How often works name each institution description: (institution_id, display_name, ror,
    country_code, institution_type, lineage, n), from every authorship entry of the works (an
    entry without author id names its institutions too).

    The raw references are counted before they are parsed (ids stripped, lineage rewritten), so
    the parsing runs once per distinct description, a few thousand of them, not once per
    authorship. The count combines map-side, so an institution named by many authorships is one
    partial count per task, not a skewed partition. The entries' institutions are read as
    `authorships.institutions` (an array per entry, exploded twice), so the scan reads those
    fields of bronze works and none of the entries' others (nested schema pruning)."""
    per_entry = works_df.select(F.explode(F.col("authorships.institutions")).alias("institutions"))
    return _counted_refs(per_entry.select(F.explode("institutions").alias("i")))


def _counted_refs(raw_refs_df: DataFrame) -> DataFrame:
    counted = raw_refs_df.groupBy("i").agg(F.count(F.lit(1)).alias("n"))
    return counted.select(*_institution_ref("i"), "n")


def _institution_ref(col: str) -> list:
    ref = F.col(col)
    return [
        strip_openalex_id(ref["id"]).alias("institution_id"),
        ref["display_name"].alias("display_name"),
        ref["ror"].alias("ror"),
        F.upper(ref["country_code"]).alias("country_code"),
        ref["type"].alias("institution_type"),
        F.transform(F.coalesce(ref["lineage"], F.array()), lambda x: strip_openalex_id(x)).alias("lineage"),
    ]


def affiliation_years_from_works(authorships_df: DataFrame) -> DataFrame:
    """(author_id, institution_id, year, 'works', n_papers): distinct papers per author,
    institution and publication year.

    One shuffle, by author: the distinct (author, institution, year, paper) rows and their count
    per (author, institution, year) are then both local to a partition. countDistinct would shuffle
    twice (by all four columns, then by the three). Skew: a partition holds whole authors; the
    largest is one prolific author's papers (thousands of rows).
    """
    return (
        authorships_df.where(F.col("institution_id").isNotNull())
        .select("author_id", "institution_id", F.col("publication_year").alias("year"), "paper_id")
        .repartition("author_id")
        .distinct()
        .groupBy("author_id", "institution_id", "year")
        .agg(F.count(F.lit(1)).alias("n_papers"))
        .select("author_id", "institution_id", "year", F.lit("works").alias("source"), "n_papers")
    )


# ----------------------------------------------------------------------------- authors


def validate_authors(raw_df: DataFrame) -> DataFrame:
    return duplicates.flag_duplicates(check_authors(raw_df), "id", newest_first())


def check_authors(raw_df: DataFrame) -> DataFrame:
    # No upper bound on an author's cited_by_count: it sums all their works (millions happen).
    checks = (
        rules.parse_checks()
        + rules.id_format_checks(AUTHOR_ID, "an OpenAlex author id")
        + rules.non_negative_checks(["works_count", "cited_by_count"])
    )
    return rules.with_reason(raw_df.withColumn("id", strip_openalex_id("id")), checks)


def to_authors(authors_df: DataFrame) -> DataFrame:
    return authors_df.select(
        F.col("id").alias("author_id"),
        F.col("display_name"),
        F.regexp_extract(F.col("orcid"), r"([^/]+)$", 1).alias("orcid"),
        F.col("works_count"),
        F.col("cited_by_count"),
        F.col("summary_stats.h_index").alias("source_h_index"),
        F.col("summary_stats.i10_index").alias("source_i10_index"),
        F.col("updated_date"),
        F.lit("author_record").alias("source"),
    )


def authors_seen_in_works(entries_df: DataFrame, authors_df: DataFrame | None) -> DataFrame:
    """Authors named by authorships but without an author record (stats unknown)."""
    named = entries_df.groupBy("author_id").agg(
        F.max_by(F.col("authorship.author.display_name"), F.col("paper_id")).alias("display_name"),
        F.max(F.regexp_extract(F.col("authorship.author.orcid"), r"([^/]+)$", 1)).alias("orcid"),
    )
    if authors_df is not None:
        named = named.join(authors_df.select(F.col("id").alias("author_id")), "author_id", how="left_anti")
    return named.select(
        "author_id",
        "display_name",
        F.when(F.col("orcid") != "", F.col("orcid")).alias("orcid"),
        F.lit(None).cast("long").alias("works_count"),
        F.lit(None).cast("long").alias("cited_by_count"),
        F.lit(None).cast("int").alias("source_h_index"),
        F.lit(None).cast("int").alias("source_i10_index"),
        F.lit(None).cast("string").alias("updated_date"),
        F.lit("works").alias("source"),
    )


def affiliation_years_from_authors(authors_df: DataFrame) -> DataFrame:
    """(author_id, institution_id, year, 'author_record', null): each (institution, year) an
    author record lists, once.

    An author record can list one institution twice (OpenAlex lineage quirks), so its pairs
    repeat; but bronze holds one record per author id, so a pair can only repeat within one
    record, and the repeats are removed inside the row (array_distinct over the record's
    (institution, year) pairs) before the explode. No shuffle: a distinct over the exploded rows
    would shuffle every one of them by five columns (about four rows per author record, nearly
    all unique, so the map-side aggregation only spills). The institution id and the year are
    taken out of each affiliation before anything is exploded: the whole affiliation struct
    (names, ROR, lineage) is never copied per year."""
    stripped = F.transform(
        F.col("affiliations"),
        lambda aff: F.struct(strip_openalex_id(aff["institution"]["id"]).alias("institution_id"), aff["years"].alias("years")),
    )
    listed = F.filter(stripped, lambda aff: aff["institution_id"].isNotNull() & aff["years"].isNotNull())
    pairs = F.flatten(
        F.transform(
            listed,
            lambda aff: F.transform(
                F.filter(aff["years"], lambda year: year.isNotNull()),
                lambda year: F.struct(aff["institution_id"].alias("institution_id"), year.alias("year")),
            ),
        )
    )
    return authors_df.select(F.col("id").alias("author_id"), F.explode(F.array_distinct(pairs)).alias("pair")).select(
        "author_id",
        F.col("pair.institution_id").alias("institution_id"),
        F.col("pair.year").alias("year"),
        F.lit("author_record").alias("source"),
        F.lit(None).cast("long").alias("n_papers"),
    )


def institution_refs_from_authors(authors_df: DataFrame) -> DataFrame:
    affiliations = authors_df.select(F.explode(F.col("affiliations.institution")).alias("i"))
    last_known = authors_df.select(F.explode(F.col("last_known_institutions")).alias("i"))
    return _counted_refs(affiliations.unionByName(last_known))


# ----------------------------------------------------------------------------- institutions


def validate_institutions(raw_df: DataFrame) -> DataFrame:
    return duplicates.flag_duplicates(check_institutions(raw_df), "id", newest_first())


def check_institutions(raw_df: DataFrame) -> DataFrame:
    checks = (
        rules.parse_checks()
        + rules.id_format_checks(INSTITUTION_ID, "an OpenAlex institution id")
        + rules.non_negative_checks(["works_count", "cited_by_count"])
    )
    return rules.with_reason(raw_df.withColumn("id", strip_openalex_id("id")), checks)


def institutions_from_entity(institutions_df: DataFrame) -> DataFrame:
    return institutions_df.select(
        F.col("id").alias("institution_id"),
        F.col("display_name"),
        F.col("ror"),
        F.upper(F.coalesce(F.col("country_code"), F.col("geo.country_code"))).alias("country_code"),
        F.col("type").alias("institution_type"),
        F.col("geo.city").alias("city"),
        F.col("geo.region").alias("region"),
        F.col("geo.latitude").alias("latitude"),
        F.col("geo.longitude").alias("longitude"),
        F.transform(F.coalesce(F.col("lineage"), F.array()), lambda x: strip_openalex_id(x)).alias("lineage"),
        F.lit("openalex.institutions").alias("source"),
    )


def institutions_from_refs(refs_df: DataFrame) -> DataFrame:
    """One row per institution id named in works/authors: its most frequent description
    (refs_df: counted descriptions, institution_refs_from_works / _authors).

    Ties go to the greatest description so the choice is deterministic. Geo is unknown here.
    """
    described = refs_df.where(F.col("institution_id").isNotNull()).select(
        "institution_id",
        F.struct("display_name", "ror", "country_code", "institution_type", "lineage").alias("d"),
        "n",
    )
    counted = described.groupBy("institution_id", "d").agg(F.sum("n").alias("n"))
    best = counted.groupBy("institution_id").agg(F.max_by(F.col("d"), F.struct("n", "d")).alias("d"))
    return best.select(
        "institution_id",
        "d.display_name",
        "d.ror",
        "d.country_code",
        "d.institution_type",
        F.lit(None).cast("string").alias("city"),
        F.lit(None).cast("string").alias("region"),
        F.lit(None).cast("double").alias("latitude"),
        F.lit(None).cast("double").alias("longitude"),
        "d.lineage",
        F.lit("references").alias("source"),
    )


def canonicalise_institutions(institutions_df: DataFrame, rules_df: DataFrame) -> DataFrame:
    """Attach canonical_id/canonical_name from the first matching rule, else the institution itself."""
    matched = canonicalisation.match_rules(institutions_df, rules_df, "institution_id", "display_name", "lineage")
    return institutions_df.join(matched, "institution_id", how="left").select(
        *[c for c in institutions_df.columns if c != "lineage"],
        F.coalesce(F.col("canonical_id"), F.col("institution_id")).alias("canonical_id"),
        F.coalesce(F.col("canonical_name"), F.col("display_name")).alias("canonical_name"),
    )


# ----------------------------------------------------------------------------- job


@dataclass(frozen=True)
class Delivery:
    """Where one run reads a delivery from and lands it: the same for every entity."""

    spark: SparkSession
    input_dir: str  # holds <entity>/ folders and, incrementally, merged_ids/<entity>/
    warehouse: Warehouse
    incremental: bool  # MERGE into bronze by id instead of replacing it
    # entity -> YYYY-MM-DD: read only its updated_date partitions (and merged_ids files) dated
    # this day or later (jobs/ingest/partitions.py); an entity not named is read whole.
    since: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Entity:
    """One OpenAlex entity: its folder and bronze table, its raw schema, its rules."""

    name: str  # works, authors, institutions: the input folder and the bronze table
    raw_schema: T.StructType
    check: Callable[[DataFrame], DataFrame]  # parsed records -> with a _reason per broken rule
    table: str  # the canonical table its read / accepted / quarantined count is reported under


@dataclass
class EntityLanding:
    """What landing one entity produced, for the run to report and to quarantine.

    count, rejects and source_files are empty when the delivery holds only merged ids for the
    entity (nothing was read). persisted is the parsed input still cached because the
    quarantine write reads it again (rejects quote it, an incremental run lists its files): the
    run unpersists it after that write; None when nothing reads it again.
    """

    landing: bronze.Landing | None
    newest_partition: str | None = None  # the newest updated_date partition of the delivered folder
    count: TableCount | None = None
    rejects: list[DataFrame] = field(default_factory=list)
    source_files: DataFrame | None = None  # one column, SOURCE_FILE, one row per record
    persisted: DataFrame | None = None


def run(
    spark: SparkSession,
    config: Config,
    input_dir: str,
    warehouse: Warehouse,
    incremental: bool = False,
    since: dict[str, str] | None = None,
) -> IngestReport:
    """Land whatever OpenAlex entities input_dir holds in bronze (overwrite, or MERGE when
    incremental; with `since`, only the partitions changed since then) and derive the canonical
    tables from the whole of bronze."""
    if since and not incremental:
        raise IngestError("reading only the partitions since a date needs --incremental (a full run replaces bronze)")
    report = IngestReport(source="openalex")
    delivery = Delivery(spark, input_dir, warehouse, incremental, dict(since or {}))
    landed: list[EntityLanding] = []
    try:
        for entity in (
            Entity("works", RAW_WORK, lambda df: check_works(df, config), "papers"),
            Entity("authors", RAW_AUTHOR, check_authors, "authors"),
            Entity("institutions", RAW_INSTITUTION, check_institutions, "institutions"),
        ):
            result = _land_entity(delivery, entity)
            if result is None:
                continue
            if result.newest_partition is not None:
                report.partitions[entity.name] = result.newest_partition
            if result.landing is None:  # nothing changed since the last run: bronze keeps its version
                continue
            landed.append(result)
            if result.count is not None:
                report.counts[entity.table] = result.count
            report.landings[entity.name] = result.landing
        if not report.landings and report.partitions:
            log.info("no OpenAlex partition changed since %s: the canonical tables are derived again from bronze", delivery.since)
        elif not report.landings:
            raise IngestError(
                f"no OpenAlex input under {input_dir} (expected works/, authors/, institutions/"
                + (" or merged_ids/" if incremental else "")
                + ")"
            )
        derived_rejects = _derive_silver(spark, config, warehouse, report)
        record_rejects = [df for result in landed for df in result.rejects]
        record_files = None
        if incremental:
            record_files = quarantine.delivery_files([r.source_files for r in landed if r.source_files is not None])
        quarantine.write_quarantine(
            spark,
            warehouse,
            record_rejects + derived_rejects,
            SOURCES,
            record_sources=RECORD_SOURCES,
            record_files=record_files,
        )
    finally:
        for result in landed:
            if result.persisted is not None:
                result.persisted.unpersist()
    for line in report.lines():
        log.info(line)
    return report


RECORD_SOURCES = ("openalex.works", "openalex.authors", "openalex.institutions")


def _land_entity(delivery: Delivery, entity: Entity) -> EntityLanding | None:
    """Validate one delivered entity, count its rejects, land the rest in bronze; None when the
    delivery holds nothing for it (neither records nor merged ids, or merged ids only and no
    bronze table to delete them from). With a `since` date and no change since then, an
    EntityLanding without a landing (bronze untouched) that still names the newest partition."""
    spark, warehouse, incremental = delivery.spark, delivery.warehouse, delivery.incremental
    since = delivery.since.get(entity.name)
    path = files.input_files(f"{delivery.input_dir}/{entity.name}", entity.name)
    removed = (
        bronze.removed_ids(
            [
                bronze.read_merged_ids(spark, delivery.input_dir, entity.name, strip_openalex_id, since),
                bronze.read_deleted_ids(spark, f"{delivery.input_dir}/{entity.name}", strip_openalex_id, since),
            ]
        )
        if incremental
        else None
    )
    delivered_manifest, sources, newest = _what_to_read(spark, path, since) if path is not None else (None, None, None)
    if not sources and removed is None:
        return None if newest is None else EntityLanding(None, newest)
    if not sources:
        records = bronze.empty_records(spark, warehouse, entity.name)
        if records is None:
            return None
        return EntityLanding(
            bronze.land(spark, warehouse, entity.name, records, incremental=incremental, removed_ids_df=removed), newest
        )
    raw_df = json_lines.read_json_lines(spark, sources, entity.raw_schema)
    if not incremental:
        landed = _land_in_one_pass(delivery, entity, raw_df, (delivered_manifest, sources, path), newest)
        if landed is not None:
            return landed
    # Parsed and checked once; duplicates flagged from a count of repeated ids, so the
    # records are not shuffled by id (validate_* rank every row: fine for small inputs).
    checked, persisted = duplicates.checked_once(entity.check(raw_df), "id", newest_first())
    try:
        count = quarantine.count_split(checked)
        if delivered_manifest is not None:
            manifest.check_record_counts(delivered_manifest, checked, sources, path)
        rejects = quarantine.rejects(count, checked, f"openalex.{entity.name}", F.col("id"))
        records = bronze.accepted_records(checked, entity.raw_schema.fieldNames())
        landing = bronze.land(spark, warehouse, entity.name, records, incremental=incremental, removed_ids_df=removed)
    except BaseException:
        persisted.unpersist()
        raise
    read_again = incremental or bool(count.quarantined)
    if not read_again:
        # Nothing reads the parsed input again (no rejects to quote, no delivery files to list):
        # its memory goes to the writes of the canonical tables.
        persisted.unpersist()
    return EntityLanding(landing, newest, count, rejects, checked.select(SOURCE_FILE), persisted if read_again else None)


def _land_in_one_pass(
    delivery: Delivery, entity: Entity, raw_df: DataFrame, delivered: tuple, newest: str | None
) -> EntityLanding | None:
    """A full run's landing in one pass over the delivery, for the usual case of a delivery that
    repeats no id: the records are parsed and checked inside the write that replaces bronze, and
    their read and accepted counts are observed in that same pass (Spark's Observation), so the
    parsed input is never cached; the ids are then counted on bronze's id column. None when an
    id repeats: bronze holds every accepted copy for a moment, and the caller lands the delivery
    again the cached way, which quarantines the older copies (a second overwrite commit).

    delivered: (manifest, sources, entity folder). A manifest's per-file record counts are
    checked before bronze is touched, on the unparsed lines, so a partial download stops with
    bronze as it was. Rejects, when the counts say there are any, are quoted from a second parse
    of the input when the quarantine is written; a clean delivery is parsed once.
    """
    spark, warehouse = delivery.spark, delivery.warehouse
    delivered_manifest, sources, path = delivered
    if delivered_manifest is not None:
        with files.read_errors_as_ingest_errors():
            manifest.check_record_counts(delivered_manifest, json_lines.record_lines(spark, sources), sources, path)
    checked = duplicates.raw_of_rejects_only(entity.check(raw_df))
    split = quarantine.ObservedSplit(checked, f"landing of {entity.name}")
    records = bronze.accepted_records(split.frame, entity.raw_schema.fieldNames())
    with files.read_errors_as_ingest_errors():
        landing = bronze.land(spark, warehouse, entity.name, records, incremental=False)
    count = split.count
    repeated = duplicates.repeated_key_count(bronze.read(spark, warehouse, entity.name).select("id"), "id")
    if repeated:
        log.info(
            "%d %s ids occur more than once in the delivery: landing it again, the older copies quarantined as duplicates",
            repeated,
            entity.name,
        )
        return None
    rejects = quarantine.rejects(count, checked, f"openalex.{entity.name}", F.col("id"))
    return EntityLanding(landing, newest, count, rejects)


def _what_to_read(
    spark: SparkSession, path: str, since: str | None = None
) -> tuple[manifest.Manifest | None, str | list[str], str | None]:
    """(manifest, sources, newest partition) of an entity folder: with a manifest, the files it
    lists (each checked present with its listed size, so a partial download stops here);
    without, the whole folder. With `since`, only the files of partitions dated since then
    (jobs/ingest/partitions.py), and the manifest narrowed to them. The manifest's record
    counts are checked once the records are read."""
    listing = files.list_data_files(spark, path) or []
    if files.input_format(listing, path) == "parquet":
        raise IngestError(
            f"{path} holds Parquet files (OpenAlex's data/parquet/ snapshot): scintel reads the JSON Lines "
            "snapshot; point --input at data/jsonl/ (or the legacy data/) instead"
        )
    delivered_manifest = manifest.read_manifest(spark, listing, path)
    if delivered_manifest is None:
        data = [f for f in listing if files.is_records(f.relative)]
        newest = partitions.newest([f.relative for f in data])
        if since is None:
            # The folder whole when it holds records only; else its record files (a manifest or
            # the deletion log read as JSON Lines would be records of nothing).
            return None, path if len(data) == len(listing) else [f.path for f in data], newest
        partitions.log_selection(path, [f.relative for f in data], since)
        return None, [f.path for f in data if partitions.keep(f.relative, since)], newest
    newest = partitions.newest([e.relative for e in delivered_manifest.entries])
    if since is not None:
        partitions.log_selection(path, [e.relative for e in delivered_manifest.entries], since)
        kept = tuple(e for e in delivered_manifest.entries if partitions.keep(e.relative, since))
        delivered_manifest = manifest.Manifest(delivered_manifest.path, kept)
        if not kept:
            return delivered_manifest, [], newest
    return delivered_manifest, manifest.listed_files(listing, delivered_manifest, path), newest


def _derive_silver(spark, config, warehouse, report) -> list[DataFrame]:
    """papers, authorships, citations, authors, author_affiliation_years, institutions from the
    whole of bronze; returns the quarantine rows of derived records (authorships, references)."""
    derived_rejects: list[DataFrame] = []
    # The tables `maintenance.zorder` clusters by their keys keep per-file statistics on those
    # keys only (Warehouse.write's stats_columns): OPTIMIZE ZORDER BY needs them, and no other
    # column's per-file range can skip a file, each spanning nearly its whole range in every
    # file (the year a table is filtered by is its partition). Other tables keep Delta's default.
    zorder = config.maintenance.zorder
    rules_df = canonicalisation.rules_frame(spark, [r.__dict__ for r in config.institutions.canonical])
    institution_refs: list[DataFrame] = []
    works_ok = bronze.read(spark, warehouse, "works")
    authors_ok = bronze.read(spark, warehouse, "authors")
    institutions_ok = bronze.read(spark, warehouse, "institutions")
    entries_ok = None
    works_affiliations = None
    if works_ok is not None:
        started = time.monotonic()
        report.versions["papers"] = warehouse.write(
            to_papers(works_ok),
            "papers",
            schema=canonical.PAPERS,
            partition_by=["publication_year"],
            stats_columns=zorder.get("papers"),
        )
        entries = explode_authorships(works_ok).withColumn(
            REASON, F.when(F.col("author_id").isNull(), F.lit("authorship without author id"))
        )
        # Each derived table's read / accepted counts ride on its write (ObservedSplit): the
        # exploded entries and references are counted in the pass that writes them, not in a
        # pass of their own; their rejects, when the counts say there are any, are read again
        # for the quarantine. Not persisted: a pass over the few Parquet columns they read costs
        # less than building a cache of the exploded rows and reading it back.
        entries_ok = entries.where(F.col(REASON).isNull())
        split = quarantine.ObservedSplit(entries, "authorship entries")
        report.versions["authorships"] = warehouse.write(
            to_authorships(split.frame.where(F.col(REASON).isNull())),
            "authorships",
            schema=canonical.AUTHORSHIPS,
            partition_by=["publication_year"],
            stats_columns=zorder.get("authorships"),
        )
        report.counts["authorships"] = split.count
        if report.counts["authorships"].quarantined:
            derived_rejects.append(
                entries.where(F.col(REASON).isNotNull()).select(
                    F.lit("openalex.authorships").alias("source"),
                    F.col(SOURCE_FILE).alias("source_file"),
                    F.col("paper_id").alias("record_id"),
                    F.col(REASON).alias("reason"),
                    F.to_json(F.col("authorship")).alias("raw"),
                )
            )
        references = explode_references(works_ok)
        split = quarantine.ObservedSplit(references, "references")
        report.versions["citations"] = warehouse.write(
            split.frame.where(F.col(REASON).isNull()),
            "citations",
            schema=canonical.CITATIONS,
            partition_by=["citing_year"],
            stats_columns=zorder.get("citations"),
        )
        report.counts["citations"] = split.count
        derived_rejects += quarantine.rejects(
            report.counts["citations"], references, "openalex.citations", F.col("citing_paper_id")
        )
        institution_refs.append(institution_refs_from_works(works_ok))
        works_affiliations = affiliation_years_from_works(warehouse.read(spark, "authorships", "silver"))
        log.info("works -> papers, authorships, citations in %.1fs", time.monotonic() - started)

    author_affiliations = None
    if authors_ok is not None:
        author_affiliations = affiliation_years_from_authors(authors_ok)
        institution_refs.append(institution_refs_from_authors(authors_ok))

    authors_parts = []
    if authors_ok is not None:
        authors_parts.append(to_authors(authors_ok))
    if entries_ok is not None:
        authors_parts.append(authors_seen_in_works(entries_ok, authors_ok))
    if authors_parts:
        report.versions["authors"] = warehouse.write(union_all(authors_parts), "authors", schema=canonical.AUTHORS)

    affiliation_parts = [df for df in (works_affiliations, author_affiliations) if df is not None]
    if affiliation_parts:
        report.versions["author_affiliation_years"] = warehouse.write(
            union_all(affiliation_parts),
            "author_affiliation_years",
            schema=canonical.AUTHOR_AFFILIATION_YEARS,
            stats_columns=zorder.get("author_affiliation_years"),
        )

    entity_institutions = institutions_from_entity(institutions_ok) if institutions_ok is not None else None
    institutions_df = _institutions(entity_institutions, institution_refs)
    if institutions_df is not None:
        report.versions["institutions"] = warehouse.write(
            canonicalise_institutions(institutions_df, rules_df), "institutions", schema=canonical.INSTITUTIONS
        )
    return derived_rejects


def _institutions(entity_df: DataFrame | None, refs: list[DataFrame]) -> DataFrame | None:
    """Institutions from the entity files, plus ids only works/authors name (source 'references')."""
    from_refs = institutions_from_refs(union_all(refs)) if refs else None
    if entity_df is None:
        return from_refs
    if from_refs is None:
        return entity_df
    only_referenced = from_refs.join(entity_df.select("institution_id"), "institution_id", how="left_anti")
    return entity_df.unionByName(only_referenced)
