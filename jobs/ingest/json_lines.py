"""Reading raw JSON Lines input with a declared schema, keeping what quarantine needs: the raw
line and its file on every record, a non-null _corrupt_record on a line that does not parse, and
_one_value false on a line that holds more than its one record. Each line is tokenised once.
"""

from __future__ import annotations

import logging
import uuid

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from jobs.ingest import files
from jobs.ingest.common import ONE_VALUE, RAW, SOURCE_FILE
from schemas.raw import CORRUPT_COLUMN, with_corrupt_column

log = logging.getLogger(__name__)

ON_UNREADABLE = ("fail", "quarantine")
UNREADABLE_FILE = "unreadable file"
PARTIAL_RESULTS = "spark.sql.json.enablePartialResults"
_VALUES = "_values"


def read_json_lines(spark: SparkSession, path: str | list[str], schema: T.StructType, on_unreadable: str = "fail") -> DataFrame:
    """Parse JSON Lines (plain or .gz, any number of files: a folder read recursively, or a list
    of files) with a declared schema.

    Keeps the raw line and its file for quarantine. Lines that do not parse, or whose fields do
    not fit the schema, get a non-null _corrupt_record; _one_value is false on a line that holds
    more than the one JSON record (or no parsable record at all). Blank lines are not records.

    A file that cannot be read to its end (a truncated gzip) is never skipped silently:
    - on_unreadable="fail" (what the ingest jobs use): nothing is checked up front, so the normal
      run costs nothing extra; the first action fails on the bad file, and quarantine.count_split
      turns Spark's failure into an IngestError naming the file and the cause.
    - on_unreadable="quarantine": the compressed files are checked first (files.unreadable_files:
      one extra decompression pass); each bad file is left out of the read and becomes one record
      with no raw text, its path as source file, and _corrupt_record "unreadable file: <cause>",
      which validation turns into its quarantine reason. The lines before the break are not
      read: the file is quarantined as a whole.
    """
    if on_unreadable not in ON_UNREADABLE:
        raise ValueError(f"on_unreadable must be one of {ON_UNREADABLE}, got {on_unreadable!r}")
    unreadable: dict[str, str] = {}
    sources: str | list[str] = path
    if on_unreadable == "quarantine":
        listed = [f for p in ([path] if isinstance(path, str) else path) for f in files.list_data_files(spark, p) or []]
        unreadable = files.unreadable_files(spark, [f.path for f in listed if f.compressed and f.size > 0])
        if unreadable:
            log.warning("quarantined %d unreadable files under %s: %s", len(unreadable), path, unreadable)
            sources = [f.path for f in listed if f.path not in unreadable]
    whole_records_only(spark)
    parse_schema = with_corrupt_column(schema)
    # One tokenisation per line: the line in brackets, parsed as an array of records, gives the
    # record (its only element) and says in the same pass whether anything follows it on the
    # line (more elements, or no array at all). Spark's JSON reader would otherwise read the
    # first record of `{..}{..}` and drop the rest without a word. With partial results off, an
    # element whose fields do not fit the schema makes the whole array null, so a line is taken
    # from the array only when it parsed whole; any other line (malformed, a field of the wrong
    # type, text after the record: rare) is parsed again on its own, where PERMISSIVE mode
    # fills _corrupt_record and keeps the fields that did parse (the id, for the reason).
    in_brackets = F.concat(F.lit("["), F.col(RAW), F.lit("]"))
    values_df = record_lines(spark, sources).select(
        RAW, SOURCE_FILE, F.from_json(in_brackets, T.ArrayType(parse_schema), {"mode": "PERMISSIVE"}).alias(_VALUES)
    )
    values_df = _barrier(values_df, "json lines")
    one_value = F.coalesce((F.size(_VALUES) == 1) & F.get(F.col(_VALUES), 0).isNotNull(), F.lit(False))
    options = {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": CORRUPT_COLUMN}
    record = F.when(one_value, F.get(F.col(_VALUES), 0)).otherwise(F.from_json(F.col(RAW), parse_schema, options))
    records_df = _barrier(values_df.select(RAW, SOURCE_FILE, one_value.alias(ONE_VALUE), record.alias("record")), "json records")
    if unreadable:
        records_df = records_df.unionByName(_unreadable_records(spark, unreadable, parse_schema))
    return records_df.select(RAW, SOURCE_FILE, ONE_VALUE, "record.*")


def whole_records_only(spark: SparkSession) -> None:
    """Spark's JSON parser fills in what it could of a record that does not fit the schema unless
    partial results are off; read_json_lines needs a record parsed whole or not at all (see there).
    A session setting, read when the parse runs: set here, before any action on what it returns."""
    if str(spark.conf.get(PARTIAL_RESULTS, "true")).lower() != "false":
        spark.conf.set(PARTIAL_RESULTS, "false")


def _barrier(df: DataFrame, what: str) -> DataFrame:
    """df behind a CollectMetrics node (an observed row count nobody reads), so each parse is
    evaluated once per line. The optimizer pushes a filter down through a projection, and merges
    projections, by substituting the aliases they read: a filter or a projection over n parsed
    fields would parse every line n times (from_json once per reference). Nothing is pushed below
    or merged through a CollectMetrics node (its count must see every row as it is)."""
    return df.observe(f"{what} {uuid.uuid4().hex}", F.count(F.lit(1)).alias("lines"))


def record_lines(spark: SparkSession, sources: str | list[str]) -> DataFrame:
    """(_raw, _source_file) per record of JSON Lines input, unparsed: every line that is not
    blank. Counting these per file checks a manifest's record counts without parsing a record."""
    if not sources:
        return spark.createDataFrame([], f"{RAW} string, {SOURCE_FILE} string")
    lines_df = files.strict_text(spark, sources).select(
        F.col("value").alias(RAW), F.col("_metadata.file_path").alias(SOURCE_FILE)
    )
    return lines_df.where(F.trim(F.col(RAW)) != "")


def _unreadable_records(spark: SparkSession, unreadable: dict[str, str], parse_schema: T.StructType) -> DataFrame:
    """One record per unreadable file: no raw text, every field null, the cause as _corrupt_record."""
    files_df = spark.createDataFrame(
        [(file, f"{UNREADABLE_FILE}: {cause}") for file, cause in sorted(unreadable.items())],
        f"{SOURCE_FILE} string, why string",
    )
    fields = [
        F.col("why").alias(f.name) if f.name == CORRUPT_COLUMN else F.lit(None).cast(f.dataType).alias(f.name)
        for f in parse_schema.fields
    ]
    return files_df.select(
        F.lit(None).cast("string").alias(RAW), SOURCE_FILE, F.lit(False).alias(ONE_VALUE), F.struct(*fields).alias("record")
    )
