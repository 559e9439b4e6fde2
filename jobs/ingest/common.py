"""Shared pieces of the ingest jobs: reading JSON Lines with a declared schema, rule checks,
duplicates, quarantine rows and name-based canonicalisation rules.

Every input record ends up either accepted or in the quarantine table with a reason, so each
ingest can state read = accepted + quarantined.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession, Window as W
from pyspark.sql import functions as F, types as T

from jobs.frames import union_all
from schemas.raw import CORRUPT_COLUMN, with_corrupt_column

log = logging.getLogger(__name__)

RAW = "_raw"
SOURCE_FILE = "_source_file"
REASON = "_reason"


class IngestError(RuntimeError):
    """Input that cannot be ingested at all (missing directory, reject ratio exceeded...)."""


@dataclass
class TableCount:
    read: int
    accepted: int
    quarantined: int

    def balanced(self) -> bool:
        return self.read == self.accepted + self.quarantined


@dataclass
class IngestReport:
    source: str
    counts: dict[str, TableCount] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)

    def reject_ratio(self, table: str) -> float:
        count = self.counts[table]
        return count.quarantined / count.read if count.read else 0.0

    def lines(self) -> list[str]:
        return [
            f"{self.source} {table}: read={c.read} accepted={c.accepted} quarantined={c.quarantined}"
            for table, c in self.counts.items()
        ]


def strip_openalex_id(column: str | Column) -> Column:
    """'https://openalex.org/W123' -> 'W123'; ids already short pass through; '' -> null."""
    col = F.col(column) if isinstance(column, str) else column
    short = F.regexp_extract(F.trim(col), r"([^/]+)$", 1)
    return F.when(short == "", F.lit(None)).otherwise(short)


def input_files(path: str, what: str) -> str | None:
    """The directory of one raw entity, or None when it is absent (every entity is optional).

    Local directories are checked for readable files so an empty folder says so in the log;
    remote URIs (s3a://, hdfs://) are handed to Spark as they are.
    """
    if "://" in path and not path.startswith("file://"):
        return path
    local = Path(path.removeprefix("file://"))
    if not local.exists():
        log.info("no %s input at %s: skipped", what, local)
        return None
    files = [p for p in local.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))]
    if not files:
        log.warning("%s input %s holds no files: skipped", what, local)
        return None
    return str(local)


def read_json_lines(spark: SparkSession, path: str, schema: T.StructType) -> DataFrame:
    """Parse JSON Lines (plain or .gz, any number of files) with a declared schema.

    Keeps the raw line and its file for quarantine. Lines that do not parse, or whose fields do
    not fit the schema, get a non-null _corrupt_record. Blank lines are not records.
    """
    parse_schema = with_corrupt_column(schema)
    options = {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": CORRUPT_COLUMN}
    lines_df = (
        spark.read.option("recursiveFileLookup", "true")
        .text(path)
        .select(F.col("value").alias(RAW), F.col("_metadata.file_path").alias(SOURCE_FILE))
        .where(F.trim(F.col(RAW)) != "")
    )
    return lines_df.select(
        RAW, SOURCE_FILE, F.from_json(F.col(RAW), parse_schema, options).alias("record")
    ).select(RAW, SOURCE_FILE, "record.*")


def first_failing(checks: list[tuple[Column, Column | str]]) -> Column:
    """A reason column: the message of the first check whose condition holds, else null."""
    reason = F.lit(None).cast("string")
    for condition, message in reversed(checks):
        text = F.lit(message) if isinstance(message, str) else message
        reason = F.when(condition, text).otherwise(reason)
    return reason


def parse_checks(id_col: str = "id") -> list[tuple[Column, Column | str]]:
    corrupt = F.col(CORRUPT_COLUMN).isNotNull()
    return [
        (corrupt & F.col(id_col).isNull(), "malformed JSON line"),
        (corrupt, "a field does not match the declared schema type"),
        (F.col(id_col).isNull() | (F.trim(F.col(id_col)) == ""), "missing id"),
    ]


def year_checks(year_col: str, low: int, high: int) -> list[tuple[Column, Column | str]]:
    year = F.col(year_col)
    return [
        (year.isNull(), f"missing {year_col}"),
        (
            (year < low) | (year > high),
            F.concat(F.lit(f"{year_col} "), year.cast("string"), F.lit(f" outside {low}-{high}")),
        ),
    ]


def non_negative_checks(columns: list[str]) -> list[tuple[Column, Column | str]]:
    return [(F.col(c) < 0, f"negative {c}") for c in columns]


def with_reason(df: DataFrame, checks: list[tuple[Column, Column | str]]) -> DataFrame:
    return df.withColumn(REASON, first_failing(checks))


def flag_duplicates(df: DataFrame, key: str, order_by: list[Column]) -> DataFrame:
    """Among records that passed the rules, keep one per key and give the others a reason.

    The survivor is deterministic (order_by, then source file, then raw text), so a rerun over
    the same input keeps the same copy. Duplicates are rare, but the window still shuffles every
    row by key: on a cluster that is one shuffle of the parsed input, the same cost as the
    distinct() it replaces, and a hot key (one id repeated millions of times) cannot occur in a
    snapshot where ids are unique by construction.
    """
    window = W.partitionBy(key).orderBy(*order_by, F.col(SOURCE_FILE), F.col(RAW))
    rank = F.when(F.col(REASON).isNull(), F.row_number().over(window))
    return df.withColumn(
        REASON,
        F.when(F.col(REASON).isNull() & (rank > 1), F.lit("duplicate id")).otherwise(F.col(REASON)),
    )


def quarantine_rows(df: DataFrame, source: str, record_id: Column) -> DataFrame:
    """The rejected rows of df in the quarantine table's shape."""
    return df.where(F.col(REASON).isNotNull()).select(
        F.lit(source).alias("source"),
        F.col(SOURCE_FILE).alias("source_file"),
        record_id.alias("record_id"),
        F.col(REASON).alias("reason"),
        F.col(RAW).alias("raw"),
    )


def count_split(checked_df: DataFrame) -> TableCount:
    """read / accepted / quarantined of a checked DataFrame (one aggregate, no collect of rows)."""
    row = checked_df.agg(
        F.count(F.lit(1)).alias("read"),
        F.count(F.when(F.col(REASON).isNull(), 1)).alias("accepted"),
    ).first()
    return TableCount(read=row["read"], accepted=row["accepted"], quarantined=row["read"] - row["accepted"])


def write_quarantine(spark: SparkSession, warehouse, parts: list[DataFrame], sources: tuple[str, ...]) -> None:
    """Replace this ingest's slice of the quarantine table; other sources' rows stay."""
    from schemas.canonical import QUARANTINE

    rows = union_all([spark.createDataFrame([], QUARANTINE)] + parts)
    source_list = ", ".join(f"'{s}'" for s in sources)
    warehouse.write(
        rows, "quarantine", schema=QUARANTINE, partition_by=["source"], replace_where=f"source IN ({source_list})"
    )


def rules_frame(spark: SparkSession, rules: list[dict]) -> DataFrame:
    """Canonicalisation rules as a small DataFrame: rule_order, canonical_id, canonical_name,
    ids, name_patterns (made case-insensitive)."""
    schema = T.StructType(
        [
            T.StructField("rule_order", T.IntegerType()),
            T.StructField("canonical_id", T.StringType()),
            T.StructField("canonical_name", T.StringType()),
            T.StructField("ids", T.ArrayType(T.StringType())),
            T.StructField("name_patterns", T.ArrayType(T.StringType())),
        ]
    )
    rows = [
        (
            order,
            rule.get("canonical_id"),
            rule["canonical_name"],
            list(rule.get("ids") or []),
            [f"(?i){p}" for p in rule.get("name_patterns") or []],
        )
        for order, rule in enumerate(rules)
    ]
    return spark.createDataFrame(rows, schema)


def match_rules(df: DataFrame, rules_df: DataFrame, key: str, name_col: str, lineage_col: str | None = None) -> DataFrame:
    """(key, canonical_id, canonical_name) of the first rule matching each row of df.

    Rules are a handful of rows: they are broadcast and cross-joined, and each row tests its id,
    its lineage and its name against the rule with SQL functions (rlike, arrays_overlap).
    """
    id_match = F.array_contains(F.col("ids"), F.col(key))
    if lineage_col:
        id_match = id_match | F.coalesce(F.arrays_overlap(F.col(lineage_col), F.col("ids")), F.lit(False))
    name_match = F.exists(F.col("name_patterns"), lambda p: F.coalesce(F.regexp_like(F.col(name_col), p), F.lit(False)))
    matched = df.crossJoin(F.broadcast(rules_df)).where(id_match | name_match)
    return matched.groupBy(key).agg(
        F.min_by(F.struct("canonical_id", "canonical_name"), F.col("rule_order")).alias("rule")
    ).select(key, F.col("rule.canonical_id").alias("canonical_id"), F.col("rule.canonical_name").alias("canonical_name"))
