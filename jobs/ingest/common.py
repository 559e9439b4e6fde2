"""Shared pieces of the ingest jobs: reading JSON Lines with a declared schema, rule checks,
duplicates, quarantine rows and name-based canonicalisation rules.

Every input record ends up either accepted or in the quarantine table with a reason, so each
ingest can state read = accepted + quarantined.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession, Window as W
from pyspark.sql import functions as F, types as T

from jobs.errors import ScintelError
from jobs.frames import union_all
from schemas.raw import CORRUPT_COLUMN, with_corrupt_column

log = logging.getLogger(__name__)

RAW = "_raw"
SOURCE_FILE = "_source_file"
REASON = "_reason"


class IngestError(ScintelError, RuntimeError):
    """Input that cannot be ingested at all (a missing directory, an unreadable file...)."""


class RejectRatioExceeded(IngestError):
    """More of a table's records were rejected than `ingest.max_reject_ratio` allows."""

    exit_code = 4


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
    landings: dict = field(default_factory=dict)  # entity -> bronze.Landing

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
    # What follows the last '/' (all of it when there is none). substring_index, not a regex:
    # it runs once per reference (2.7B of them in a full snapshot) and costs a fraction.
    short = F.substring_index(F.trim(col), "/", -1)
    return F.when(short == "", F.lit(None)).otherwise(short)


def input_files(path: str, what: str) -> str | None:
    """The directory of one raw entity, or None when it is absent (every entity is optional).

    Listed with the Hadoop FileSystem API, so a local folder, an HDFS or an S3 prefix behave the
    same: a missing folder is skipped, and so is one that holds no file with content (only
    zero-byte files, or only names Spark never reads such as `_SUCCESS` or `.crc` files).
    """
    spark = SparkSession.active()
    files = list_data_files(spark, path)
    if files is None:
        log.info("no %s input at %s: skipped", what, path)
        return None
    if not any(f.size > 0 for f in files):
        log.warning("%s input %s holds no files with content (%d empty): skipped", what, path, len(files))
        return None
    return path


@dataclass(frozen=True)
class InputFile:
    path: str  # as Spark's _metadata.file_path names it (e.g. file:/data/works/part_000.gz)
    size: int
    compressed: bool  # a Hadoop codec (gzip, bzip2...) decompresses it when read
    relative: str = ""  # its path under the listed folder, e.g. updated_date=2023-05-17/part_000.gz

    @property
    def is_parquet(self) -> bool:
        return self.path.endswith(".parquet")


def _is_hidden(name: str) -> bool:
    """Spark's rule for the files and folders a file source never reads."""
    return (name.startswith("_") and "=" not in name) or name.startswith(".") or name.endswith("._COPYING_")


def list_data_files(spark: SparkSession, path: str) -> list[InputFile] | None:
    """Every file Spark reads under path (recursively), or None when path does not exist.

    Only names and sizes reach the driver (FileSystem.listFiles, a flat prefix listing on S3A).
    """
    jvm = spark._jvm
    hadoop_conf = spark._jsc.hadoopConfiguration()
    root = jvm.org.apache.hadoop.fs.Path(path)
    fs = root.getFileSystem(hadoop_conf)
    if not fs.exists(root):
        return None
    codecs = jvm.org.apache.hadoop.io.compress.CompressionCodecFactory(hadoop_conf)
    root_path = fs.makeQualified(root).toUri().getPath().rstrip("/")
    found = []
    iterator = fs.listFiles(root, True)
    while iterator.hasNext():
        status = iterator.next()
        file_path = status.getPath()
        relative = file_path.toUri().getPath()[len(root_path):].strip("/")
        if any(_is_hidden(part) for part in relative.split("/") if part):
            continue
        found.append(InputFile(file_path.toString(), status.getLen(), codecs.getCodec(file_path) is not None, relative))
    return found


# OpenAlex's per-entity list of a delivery's files (legacy snapshot layout): not records, see
# jobs/ingest/manifest.py.
MANIFEST = "manifest"


def input_format(files: list[InputFile], path: str) -> str:
    """"parquet" when the data files listed under path are Parquet, "json" when none is (JSON
    Lines, plain or compressed); a folder mixing the two is an IngestError (one would be read as
    the other)."""
    files = [f for f in files if f.relative != MANIFEST]
    parquet = [f for f in files if f.is_parquet]
    if not parquet:
        return "json"
    if len(parquet) < len(files):
        other = next(f.relative for f in files if not f.is_parquet)
        raise IngestError(
            f"{path} mixes Parquet files ({len(parquet)}) with other files ({len(files) - len(parquet)}, e.g. {other}): "
            "one format per folder"
        )
    return "parquet"


def failure_cause(err: BaseException) -> str:
    """The innermost cause of a (Spark) failure on one line: 'EOFException: Unexpected end of input stream'."""
    java = getattr(err, "java_exception", None) or getattr(err, "_origin", None)
    if java is None:
        text = str(err).strip()
        return text.splitlines()[0] if text else type(err).__name__
    for _ in range(20):  # the cause chain, innermost last
        if java.getCause() is None:
            break
        java = java.getCause()
    message = (java.getMessage() or "").strip()
    name = java.getClass().getSimpleName()
    return f"{name}: {message.splitlines()[0]}" if message else name


_FAILED_READ = re.compile(r"Encountered error while reading file (.+?)\.(?:\s|$)")


def read_failure(err: BaseException) -> str | None:
    """A one-line description when err is Spark failing to read an input file, else None.

    Spark names the file (error condition FAILED_READ_FILE); the innermost cause says why, e.g. a
    gzip cut short ends in 'EOFException: Unexpected end of input stream'.
    """
    match = _FAILED_READ.search(str(err))
    if match is None:
        return None
    return f"cannot read input file {match.group(1)}: {failure_cause(err)} (truncated or corrupt? replace or remove it and rerun)"


@contextmanager
def read_errors_as_ingest_errors():
    """Turn Spark failing to read an input file into an IngestError naming the file."""
    try:
        yield
    except IngestError:
        raise
    except Exception as err:
        described = read_failure(err)
        if described is None:
            raise
        raise IngestError(described) from err


def unreadable_files(spark: SparkSession, files: list[str]) -> dict[str, str]:
    """{file: why} for the files that cannot be read to their end (a gzip cut short, a corrupt
    bzip2...), checked by reading them strictly once without parsing.

    One job over all of them says whether any is bad (the normal case: one decompression pass,
    as parallel as the real read). Only when it fails is each file read on its own, a few at a
    time, so that every bad file is named, not just the first one Spark trips on.
    """
    if not files:
        return {}
    try:
        _strict_text(spark, files).agg(F.count(F.lit(1))).collect()
        return {}
    except Exception as err:  # noqa: BLE001 - which files fail is found out below
        log.warning("reading %d compressed files failed (%s): checking them one by one", len(files), failure_cause(err))

    def why_unreadable(file: str) -> str | None:
        try:
            _strict_text(spark, [file]).agg(F.count(F.lit(1))).collect()
            return None
        except Exception as err:  # noqa: BLE001 - any failure to read the file is its reason
            return failure_cause(err)

    workers = max(1, min(len(files), spark.sparkContext.defaultParallelism))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        causes = list(pool.map(why_unreadable, files))
    return {file: cause for file, cause in zip(files, causes) if cause is not None}


def _strict_text(spark: SparkSession, paths: str | list[str]) -> DataFrame:
    # ignoreCorruptFiles=true (a cluster default somewhere) would drop the rest of a bad file
    # without a trace; every read of raw input here is strict and accounts for bad files itself.
    return spark.read.option("ignoreCorruptFiles", "false").option("recursiveFileLookup", "true").text(paths)


ON_UNREADABLE = ("fail", "quarantine")
UNREADABLE_FILE = "unreadable file"


def read_json_lines(
    spark: SparkSession, path: str | list[str], schema: T.StructType, on_unreadable: str = "fail"
) -> DataFrame:
    """Parse JSON Lines (plain or .gz, any number of files: a folder read recursively, or a list
    of files) with a declared schema.

    Keeps the raw line and its file for quarantine. Lines that do not parse, or whose fields do
    not fit the schema, get a non-null _corrupt_record. Blank lines are not records.

    A file that cannot be read to its end (a truncated gzip) is never skipped silently:
    - on_unreadable="fail" (what the ingest jobs use): nothing is checked up front, so the normal
      run costs nothing extra; the first action fails on the bad file, and count_split turns
      Spark's failure into an IngestError naming the file and the cause.
    - on_unreadable="quarantine": the compressed files are checked first (unreadable_files: one
      extra decompression pass); each bad file is left out of the read and becomes one record
      with no raw text, its path as source file, and _corrupt_record "unreadable file: <cause>",
      which validation turns into its quarantine reason. The lines before the break are not
      read: the file is quarantined as a whole.
    """
    if on_unreadable not in ON_UNREADABLE:
        raise ValueError(f"on_unreadable must be one of {ON_UNREADABLE}, got {on_unreadable!r}")
    unreadable: dict[str, str] = {}
    sources: str | list[str] = path
    if on_unreadable == "quarantine":
        files = [f for p in ([path] if isinstance(path, str) else path) for f in list_data_files(spark, p) or []]
        unreadable = unreadable_files(spark, [f.path for f in files if f.compressed and f.size > 0])
        if unreadable:
            log.warning("quarantined %d unreadable files under %s: %s", len(unreadable), path, unreadable)
            sources = [f.path for f in files if f.path not in unreadable]
    parse_schema = with_corrupt_column(schema)
    options = {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": CORRUPT_COLUMN}
    if sources:
        lines_df = _strict_text(spark, sources).select(
            F.col("value").alias(RAW), F.col("_metadata.file_path").alias(SOURCE_FILE)
        )
    else:
        lines_df = spark.createDataFrame([], f"{RAW} string, {SOURCE_FILE} string")
    records_df = lines_df.where(F.trim(F.col(RAW)) != "").select(
        RAW, SOURCE_FILE, F.from_json(F.col(RAW), parse_schema, options).alias("record")
    )
    if unreadable:
        records_df = records_df.unionByName(_unreadable_records(spark, unreadable, parse_schema))
    return records_df.select(RAW, SOURCE_FILE, "record.*")


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


def first_failing(checks: list[tuple[Column, Column | str]]) -> Column:
    """A reason column: the message of the first check whose condition holds, else null."""
    reason = F.lit(None).cast("string")
    for condition, message in reversed(checks):
        text = F.lit(message) if isinstance(message, str) else message
        reason = F.when(condition, text).otherwise(reason)
    return reason


def parse_checks(id_col: str = "id") -> list[tuple[Column, Column | str]]:
    corrupt = F.col(CORRUPT_COLUMN).isNotNull()
    # Only a record standing for a whole unreadable file has no raw text (read_json_lines).
    unreadable = F.col(RAW).isNull() & corrupt
    # from_json reads the first JSON value of a line and ignores what follows, so two records
    # written without a newline between them ({..}{..}) would silently lose the second one. The
    # line in brackets is a JSON array of exactly one value when nothing follows the record.
    # json_array_length only tokenises the line (it builds no value), so its cost grows with the
    # line's length, not with the fields the schema keeps: a real share of the parse, more on
    # OpenAlex's long lines whose fields the schema mostly skips (docs/bad-input.md). A
    # cheaper-looking prefilter (rlike or instr on '}{') still scans every line and then needs
    # this check on the lines it flags, so it does not save the tokenising.
    one_value = F.json_array_length(F.concat(F.lit("["), F.col(RAW), F.lit("]"))) == 1
    return [
        (unreadable, F.col(CORRUPT_COLUMN)),
        (corrupt & F.col(id_col).isNull(), "malformed JSON line"),
        (corrupt, "a field does not match the declared schema type"),
        (F.col(RAW).isNotNull() & ~F.coalesce(one_value, F.lit(False)), "text after the first JSON record on the line"),
        (F.col(id_col).isNull() | (F.trim(F.col(id_col)) == ""), "missing id"),
    ]


def id_format_checks(pattern: str, what: str, id_col: str = "id") -> list[tuple[Column, Column | str]]:
    """An id present but of the wrong form (a number, another entity's id...)."""
    return [(~F.col(id_col).rlike(pattern), f"id is not {what}")]


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


def at_most_checks(columns: list[str], limit: int, setting: str) -> list[tuple[Column, Column | str]]:
    """Counts above a configured bound (setting names it in the reason): garbage, not data."""
    return [
        (F.col(c) > limit, F.concat(F.lit(f"{c} "), F.col(c).cast("string"), F.lit(f" above {setting}={limit}")))
        for c in columns
    ]


def yearly_count_checks(column: str, field_name: str, limit: int, setting: str) -> list[tuple[Column, Column | str]]:
    """The same bounds on every entry of an array of per-year counts (counts_by_year)."""
    entries = F.coalesce(F.col(column), F.array())
    return [
        (F.exists(entries, lambda e: e[field_name] < 0), f"negative {field_name} in {column}"),
        (F.exists(entries, lambda e: e[field_name] > limit), f"{field_name} in {column} above {setting}={limit}"),
    ]


def with_reason(df: DataFrame, checks: list[tuple[Column, Column | str]]) -> DataFrame:
    return df.withColumn(REASON, first_failing(checks))


def flag_duplicates(df: DataFrame, key: str, order_by: list[Column], repeated_keys: int | None = None) -> DataFrame:
    """Among records that passed the rules, keep one per key and give the others a reason.

    The survivor is deterministic (order_by, then source file, then raw text), so a rerun over
    the same input keeps the same copy.

    repeated_keys: how many accepted keys occur more than once, when the caller has counted them
    (count_repeated_keys). None: a window ranks every row, one shuffle of the whole parsed input
    (raw text included). 0: nothing to flag, the rows pass through untouched. Up to
    BROADCAST_REPEATED_KEYS: only the rows of those keys are ranked (the keys are broadcast, the
    rest of the rows are not moved). More (a snapshot delivered twice): the window over every row.
    """
    if repeated_keys == 0:
        return df
    accepted = F.col(REASON).isNull()
    # Ranked among the accepted copies only: a rejected copy never displaces an accepted one.
    window = W.partitionBy(key, accepted).orderBy(*order_by, F.col(SOURCE_FILE), F.col(RAW))
    flag = F.when(accepted & (F.row_number().over(window) > 1), F.lit("duplicate id")).otherwise(F.col(REASON))
    if repeated_keys is None or repeated_keys > BROADCAST_REPEATED_KEYS:
        return df.withColumn(REASON, flag)
    marked = df.join(F.broadcast(_repeated(df, key).withColumn(REPEATED, F.lit(True))), key, how="left")
    ranked = marked.where(F.col(REPEATED) & accepted).withColumn(REASON, flag)
    return ranked.unionByName(marked.where(F.col(REPEATED).isNull() | ~accepted)).select(*df.columns)


# Repeated keys broadcast to the tasks that flag their rows: ~50 MB of OpenAlex ids at the limit.
BROADCAST_REPEATED_KEYS = 1_000_000
REPEATED = "_repeated"


def _repeated(df: DataFrame, key: str) -> DataFrame:
    """Accepted keys seen more than once (a shuffle of (key, count) partial aggregates)."""
    counts = df.where(F.col(REASON).isNull()).groupBy(key).agg(F.count(F.lit(1)).alias("_n"))
    return counts.where(F.col("_n") > 1).select(key)


def count_repeated_keys(df: DataFrame, key: str) -> int:
    """How many accepted keys occur more than once. Usually the first action on freshly read
    input: a file Spark cannot read fails it, as an IngestError naming the file."""
    with read_errors_as_ingest_errors():
        return _repeated(df, key).count()


def checked_once(checked_df: DataFrame, key: str, order_by: list[Column]) -> tuple[DataFrame, DataFrame]:
    """Parse and check the input once (persisted), then flag its duplicates by counting the
    repeated keys first (flag_duplicates). Returns (flagged, persisted): the caller unpersists
    `persisted` when done. With duplicates the flagged rows are persisted in place of the checked.

    The raw line is kept only on rejected rows, the ones whose quarantine row quotes it: accepted
    rows are nearly all of the input, bronze keeps their parsed columns, and the raw text is the
    largest part of what would otherwise be cached. When keys repeat, the copies that lose need
    their raw text too (and the tie-break orders on it), so that rarer case parses the input again
    with it."""
    slim = persisted(_raw_of_rejects_only(checked_df))
    try:
        repeated = count_repeated_keys(slim, key)
    except Exception:
        slim.unpersist()
        raise
    if repeated == 0:
        return slim, slim
    slim.unpersist()
    log.info("%d %s values occur more than once: the older copies are quarantined as duplicates", repeated, key)
    full = persisted(checked_df)
    try:
        flagged = persisted(_raw_of_rejects_only(flag_duplicates(full, key, order_by, repeated_keys=repeated)))
        flagged.count()
    finally:
        full.unpersist()
    return flagged, flagged


def _raw_of_rejects_only(df: DataFrame) -> DataFrame:
    return df.withColumn(RAW, F.when(F.col(REASON).isNotNull(), F.col(RAW)))


def persisted(df: DataFrame) -> DataFrame:
    """df cached in memory, spilling to disk: the ingest's one storage level."""
    return df.persist(StorageLevel.MEMORY_AND_DISK)


def quarantine_rows(df: DataFrame, source: str, record_id: Column) -> DataFrame:
    """The rejected rows of df in the quarantine table's shape."""
    return df.where(F.col(REASON).isNotNull()).select(
        F.lit(source).alias("source"),
        F.col(SOURCE_FILE).alias("source_file"),
        record_id.alias("record_id"),
        F.col(REASON).alias("reason"),
        F.col(RAW).alias("raw"),
    )


def rejects(count: TableCount, df: DataFrame, source: str, record_id: Column) -> list[DataFrame]:
    """quarantine_rows of df as a list, empty when its count found no reject: clean input is not
    scanned once more to find none (writing an empty quarantine still reads and checks the whole
    input again)."""
    return [quarantine_rows(df, source, record_id)] if count.quarantined else []


def count_split(checked_df: DataFrame) -> TableCount:
    """read / accepted / quarantined of a checked DataFrame (one aggregate, no collect of rows).

    Usually the first action on freshly read input: a file Spark cannot read fails it, and the
    failure becomes an IngestError naming the file.
    """
    with read_errors_as_ingest_errors():
        row = checked_df.agg(
            F.count(F.lit(1)).alias("read"),
            F.count(F.when(F.col(REASON).isNull(), 1)).alias("accepted"),
        ).first()
    return TableCount(read=row["read"], accepted=row["accepted"], quarantined=row["read"] - row["accepted"])


def write_quarantine(
    spark: SparkSession,
    warehouse,
    parts: list[DataFrame],
    sources: tuple[str, ...],
    record_sources: tuple[str, ...] = (),
    record_files: list[str] | None = None,
) -> None:
    """Replace this ingest's slice of the quarantine table in one commit; other sources' rows stay.

    A full ingest replaces every row of its sources. An incremental one (record_files given)
    replaces, for the record-level sources, only the rows from this delivery's files, so earlier
    deliveries' rejects stay and a rerun of the same delivery does not add them twice; rows of
    derived records (authorships, references, assignees), which are recomputed from the whole
    bronze table, are replaced as a whole.
    """
    from schemas.canonical import QUARANTINE

    rows = union_all([spark.createDataFrame([], QUARANTINE)] + parts)
    predicate = f"source IN ({_sql_list(sources)})"
    if record_files is not None:
        derived = tuple(s for s in sources if s not in record_sources)
        files = f"source_file IN ({_sql_list(record_files)})" if record_files else "false"
        predicate = f"source IN ({_sql_list(derived)}) OR (source IN ({_sql_list(record_sources)}) AND {files})"
    warehouse.write(rows, "quarantine", schema=QUARANTINE, partition_by=["source"], replace_where=predicate)


def delivery_files(parts: list[DataFrame]) -> list[str]:
    """The distinct source files of a delivery (single-column frames), for the quarantine's
    replace predicate. Only file names reach the driver: one row per input file, not per record."""
    return sorted(r[0] for r in union_all(parts).distinct().collect()) if parts else []


def _sql_list(values) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) or "NULL"


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
