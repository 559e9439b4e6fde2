"""Writing the corpus: deterministic gzip JSON Lines files, and small text files beside them.

Same rows in, same bytes and the same file names out: rows are hashed on their numeric key into
a fixed number of partitions, sorted inside each, and Spark's part-file names lose their
per-write uuid. Files go through Hadoop's FileSystem, so any path Spark writes to (local, HDFS,
S3) works; only file names and the small texts travel through the driver.
"""

from __future__ import annotations

import math
import re

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs import hadoop_fs

ROWS_PER_FILE = 250_000


def file_count(rows: int) -> int:
    """Files for an entity of this many rows: one per ROWS_PER_FILE started."""
    return max(1, math.ceil(rows / ROWS_PER_FILE))


def write_json(df: DataFrame, path: str, n_files: int) -> None:
    """df (with a numeric `key` column, not written) as n_files gzip JSON Lines files under path."""
    (
        df.repartition(n_files, F.col("key"))
        .sortWithinPartitions("key")
        .drop("key")
        .write.mode("overwrite")
        .option("compression", "gzip")
        .json(path)
    )
    _stable_file_names(df.sparkSession, path)


def _stable_file_names(spark: SparkSession, path: str) -> None:
    """Rename Spark's part-NNNNN-<uuid>-c000.json.gz to part-NNNNN.json.gz."""
    for status in hadoop_fs.list_files(spark, path, recursive=False) or []:
        match = re.fullmatch(r"(part-\d+)-.*?(\.json(?:\.gz)?)", status.relative)
        if match:
            hadoop_fs.rename(spark, status.uri, f"{path.rstrip('/')}/{match.group(1)}{match.group(2)}")


def write_text(spark: SparkSession, path: str, text: str) -> None:
    """A small driver-side file (UTF-8), replacing any file of that name."""
    hadoop_fs.write_text(spark, path, text)
