"""The input files of an ingest: which files an entity folder holds, which format they are in,
and Spark failing to read one of them turned into an IngestError that names the file.

Listing goes through Hadoop's FileSystem API (jobs/hadoop_fs.py), so a local folder, an HDFS
or an S3 prefix behave the same, and only names and sizes reach the driver.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs import hadoop_fs
from jobs.ingest.common import IngestError

log = logging.getLogger(__name__)

# OpenAlex's per-entity list of a delivery's files: manifest.json in the current snapshot layout,
# manifest in the legacy one (jobs/ingest/manifest.py).
MANIFEST_JSON = "manifest.json"
MANIFEST = "manifest"
# The current layout's log of deleted works, next to works/manifest.json (jobs/ingest/bronze.py).
DELETED_IDS = ("deleted_ids.csv", "deleted_ids.csv.gz")
NOT_RECORDS = (MANIFEST_JSON, MANIFEST, *DELETED_IDS)


def is_records(relative: str) -> bool:
    """Whether a file listed under an entity folder holds records: everything but the manifests
    and the deletion log at the folder's top."""
    return relative not in NOT_RECORDS


@dataclass(frozen=True)
class InputFile:
    path: str  # as Spark's _metadata.file_path names it (e.g. file:/data/works/part_000.gz)
    size: int
    compressed: bool  # a Hadoop codec (gzip, bzip2...) decompresses it when read
    relative: str = ""  # its path under the listed folder, e.g. updated_date=2023-05-17/part_000.gz

    @property
    def is_parquet(self) -> bool:
        return self.path.endswith(".parquet")


def input_files(path: str, what: str) -> str | None:
    """The directory of one raw entity, or None when it is absent (every entity is optional).

    A missing folder is skipped, and so is one that holds no file with content (only zero-byte
    files, or only names Spark never reads such as `_SUCCESS` or `.crc` files): either way there
    are no records to ingest, and the entity's tables keep their previous version.
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


def _is_hidden(name: str) -> bool:
    """Spark's rule for the files and folders a file source never reads."""
    return (name.startswith("_") and "=" not in name) or name.startswith(".") or name.endswith("._COPYING_")


def list_data_files(spark: SparkSession, path: str) -> list[InputFile] | None:
    """Every file Spark reads under path (recursively), or None when path does not exist.

    Files Spark skips (hidden names, in any folder on the way) are left out, so the listing is
    what a read of the folder would parse.
    """
    listed = hadoop_fs.list_files(spark, path, detect_compression=True)
    if listed is None:
        return None
    return [
        InputFile(f.uri, f.size, f.compressed, f.relative)
        for f in listed
        if not any(_is_hidden(part) for part in f.relative.split("/") if part)
    ]


def input_format(files: list[InputFile], path: str) -> str:
    """ "parquet" when the data files listed under path are Parquet, "json" when none is (JSON
    Lines, plain or compressed); a folder mixing the two is an IngestError (one would be read as
    the other)."""
    files = [f for f in files if is_records(f.relative)]
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
        strict_text(spark, files).agg(F.count(F.lit(1))).collect()  # one row: reading every byte is the check
        return {}
    except Exception as err:  # noqa: BLE001 - which files fail is found out below
        log.warning("reading %d compressed files failed (%s): checking them one by one", len(files), failure_cause(err))

    def why_unreadable(file: str) -> str | None:
        try:
            strict_text(spark, [file]).agg(F.count(F.lit(1))).collect()  # one row, per failing file only
            return None
        except Exception as err:  # noqa: BLE001 - any failure to read the file is its reason
            return failure_cause(err)

    workers = max(1, min(len(files), spark.sparkContext.defaultParallelism))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        causes = list(pool.map(why_unreadable, files))
    return {file: cause for file, cause in zip(files, causes) if cause is not None}


def strict_text(spark: SparkSession, paths: str | list[str]) -> DataFrame:
    """The lines of paths (folders read recursively), failing on a file that cannot be read.

    ignoreCorruptFiles=true (a cluster default somewhere) would drop the rest of a bad file
    without a trace; every read of raw input here is strict and accounts for bad files itself.
    """
    return spark.read.option("ignoreCorruptFiles", "false").option("recursiveFileLookup", "true").text(paths)
