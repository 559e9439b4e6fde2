"""Ingest granted patent families (scintel's JSON Lines layout, see schemas/raw.py) into the
canonical patents and patent_assignees Delta tables, rejects to quarantine.

`<input>/patents/` holds JSON Lines part files (gzipped or not) or Parquet files with the same
columns. Scale: 100M+ patents are a projection and one explode of the assignee list; the only
shuffle is the duplicate-id window (ids are unique in a clean delivery, so no hot key).
"""

from __future__ import annotations

import logging

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.config import Config
from jobs.ingest import bronze, canonicalisation, duplicates, files, json_lines, quarantine, rules
from jobs.ingest.common import ONE_VALUE, RAW, REASON, SOURCE_FILE, IngestReport, strip_openalex_id
from jobs.warehouse import Warehouse
from schemas import canonical
from schemas.raw import CORRUPT_COLUMN, RAW_PATENT

log = logging.getLogger(__name__)

SOURCES = ("patents", "patents.assignees")


def read_patents(spark: SparkSession, path: str) -> DataFrame:
    """JSON Lines by default; a folder of .parquet files is read as Parquet with the same schema
    (listed through Hadoop's FileSystem API, so on HDFS or S3 too; a folder mixing the two formats
    is an IngestError)."""
    if files.input_format(files.list_data_files(spark, path) or [], path) == "parquet":
        df = spark.read.schema(RAW_PATENT).parquet(path)
        return df.select(
            F.to_json(F.struct(*df.columns)).alias(RAW),
            F.col("_metadata.file_path").alias(SOURCE_FILE),
            F.lit(True).alias(ONE_VALUE),
            *df.columns,
            F.lit(None).cast("string").alias(CORRUPT_COLUMN),
        )
    return json_lines.read_json_lines(spark, path, RAW_PATENT)


def validate_patents(raw_df: DataFrame, config: Config) -> DataFrame:
    """Raw patents with a _reason for every record that breaks the rules or repeats an id."""
    return duplicates.flag_duplicates(check_patents(raw_df, config), "id", [])


def check_patents(raw_df: DataFrame, config: Config) -> DataFrame:
    """Raw patents with a _reason for every record that breaks the rules; duplicates not flagged."""
    checks = (
        rules.parse_checks()
        + rules.year_checks("grant_year", config.ingest.min_year, config.ingest.max_year)
        + rules.non_negative_checks(["market_value_usd"])
        + rules.at_most_checks(["market_value_usd"], config.ingest.max_market_value_usd, "ingest.max_market_value_usd")
    )
    patent_id = F.trim(F.col("id"))
    return rules.with_reason(raw_df.withColumn("id", F.when(patent_id != "", patent_id)), checks)  # blank: missing


def to_patents(patents_df: DataFrame) -> DataFrame:
    return patents_df.select(
        F.col("id").alias("patent_id"),
        F.col("family_id"),
        F.col("grant_year"),
        F.upper(F.col("office")).alias("office"),
        F.col("title"),
        _clean_strings(F.col("cpc"), upper=True).alias("cpc_codes"),
        _clean_strings(F.col("topics")).alias("topics"),
        _clean_strings(F.col("keywords")).alias("keywords"),
        F.col("market_value_usd"),
        F.filter(
            F.transform(F.coalesce(F.col("cited_works"), F.array()), lambda w: strip_openalex_id(w)),
            lambda w: w.isNotNull(),
        ).alias("cited_paper_ids"),
        F.size(F.coalesce(F.col("assignees"), F.array())).alias("n_assignees"),
    )


def _clean_strings(array_col, upper: bool = False):
    cleaned = F.transform(F.coalesce(array_col, F.array()), lambda s: F.upper(F.trim(s)) if upper else F.trim(s))
    return F.filter(cleaned, lambda s: s.isNotNull() & (s != ""))


def explode_assignees(patents_df: DataFrame) -> DataFrame:
    exploded = patents_df.select(
        F.col("id").alias("patent_id"),
        F.col("grant_year"),
        F.col(SOURCE_FILE),
        F.posexplode(F.col("assignees")).alias("pos", "assignee"),
    )
    name = F.trim(F.col("assignee.name"))
    return exploded.select(
        "patent_id",
        "grant_year",
        SOURCE_FILE,
        (F.col("pos") + 1).alias("assignee_order"),
        F.when(name != "", name).alias("assignee_name"),
        F.upper(F.trim(F.col("assignee.country"))).alias("country_code"),
        F.lower(F.trim(F.col("assignee.type"))).alias("assignee_type"),
        F.to_json(F.col("assignee")).alias(RAW),
    ).withColumn(REASON, F.when(F.col("assignee_name").isNull(), F.lit("assignee without name")))


def canonicalise_assignees(assignees_df: DataFrame, rules_df: DataFrame) -> DataFrame:
    """canonical_assignee: the first matching rule's name, else the name itself, upper-cased
    with punctuation and spacing normalised so 'Acme Corp.' and 'ACME CORP' meet."""
    names = assignees_df.select("assignee_name").distinct().withColumn("row_key", F.col("assignee_name"))
    matched = canonicalisation.match_rules(names, rules_df, "row_key", "assignee_name")
    normalised = F.upper(F.trim(F.regexp_replace(F.col("assignee_name"), r"[\s.,;]+", " ")))
    return assignees_df.join(matched.withColumnRenamed("row_key", "assignee_name"), "assignee_name", how="left").withColumn(
        "canonical_assignee", F.coalesce(F.col("canonical_name"), normalised)
    )


def run(spark: SparkSession, config: Config, input_dir: str, warehouse: Warehouse, incremental: bool = False) -> IngestReport:
    """Land delivered patents in bronze (overwrite, or MERGE by id when incremental; ids under
    merged_ids/patents/ are deleted) and derive patents and patent_assignees from all of bronze."""
    report = IngestReport(source="patents")
    path = files.input_files(f"{input_dir}/patents", "patents")
    removed = bronze.read_merged_ids(spark, input_dir, "patents", lambda c: F.trim(c)) if incremental else None
    if path is None and removed is None:
        return report
    parts: list[DataFrame] = []
    record_files = None
    checked = persisted = None
    try:
        if path is not None:
            checked, persisted = duplicates.checked_once(check_patents(read_patents(spark, path), config), "id", [])
            report.counts["patents"] = quarantine.count_split(checked)
            parts += quarantine.rejects(report.counts["patents"], checked, "patents", F.col("id"))
            records = bronze.accepted_records(checked, RAW_PATENT.fieldNames())
            if incremental:
                record_files = quarantine.delivery_files([checked.select(SOURCE_FILE)])
        else:
            records = bronze.empty_records(spark, warehouse, "patents")
            if records is None:
                return report
            record_files = []
        report.landings["patents"] = bronze.land(
            spark, warehouse, "patents", records, incremental=incremental, removed_ids_df=removed, has_updated_date=False
        )
        accepted = bronze.read(spark, warehouse, "patents")
        report.versions["patents"] = warehouse.write(
            to_patents(accepted), "patents", schema=canonical.PATENTS, partition_by=["grant_year"]
        )
        assignees = explode_assignees(accepted)
        report.counts["patent_assignees"] = quarantine.count_split(assignees)
        rules_df = canonicalisation.rules_frame(
            spark,
            [{"canonical_name": r.canonical_name, "name_patterns": r.name_patterns} for r in config.patents.assignee_canonical],
        )
        report.versions["patent_assignees"] = warehouse.write(
            canonicalise_assignees(assignees.where(F.col(REASON).isNull()), rules_df),
            "patent_assignees",
            schema=canonical.PATENT_ASSIGNEES,
        )
        parts += quarantine.rejects(report.counts["patent_assignees"], assignees, "patents.assignees", F.col("patent_id"))
        quarantine.write_quarantine(spark, warehouse, parts, SOURCES, record_sources=("patents",), record_files=record_files)
    finally:
        if persisted is not None:
            persisted.unpersist()
    for line in report.lines():
        log.info(line)
    return report
