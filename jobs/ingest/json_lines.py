"""Reading raw JSON Lines input with a declared schema, keeping what quarantine needs: the raw
line and its file on every record, and a non-null _corrupt_record on a line that does not parse.
"""

from __future__ import annotations

import logging
import uuid

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from jobs.ingest import files
from jobs.ingest.common import RAW, SOURCE_FILE
from schemas.raw import CORRUPT_COLUMN, with_corrupt_column

log = logging.getLogger(__name__)

ON_UNREADABLE = ("fail", "quarantine")
UNREADABLE_FILE = "unreadable file"


def read_json_lines(spark: SparkSession, path: str | list[str], schema: T.StructType, on_unreadable: str = "fail") -> DataFrame:
    """Parse JSON Lines (plain or .gz, any number of files: a folder read recursively, or a list
    of files) with a declared schema.

    Keeps the raw line and its file for quarantine. Lines that do not parse, or whose fields do
    not fit the schema, get a non-null _corrupt_record. Blank lines are not records.

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
    parse_schema = with_corrupt_column(schema)
    options = {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": CORRUPT_COLUMN}
    records_df = record_lines(spark, sources).select(
        RAW, SOURCE_FILE, F.from_json(F.col(RAW), parse_schema, options).alias("record")
    )
    # A barrier between the parse and the filters callers put on the parsed fields (the checks'
    # _reason, quarantine's rejected rows): the optimizer pushes a filter down through a
    # projection by substituting the aliases it reads, so a filter over n parsed fields would
    # parse every line n times (from_json once per reference). No filter is pushed below a
    # CollectMetrics node (observe: its count must see every row), so each line is parsed once.
    records_df = records_df.observe(f"json lines {uuid.uuid4().hex}", F.count(F.lit(1)).alias("lines"))
    if unreadable:
        records_df = records_df.unionByName(_unreadable_records(spark, unreadable, parse_schema))
    return records_df.select(RAW, SOURCE_FILE, "record.*")


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
    return files_df.select(F.lit(None).cast("string").alias(RAW), SOURCE_FILE, F.struct(*fields).alias("record"))
