"""A second delivery for a generated corpus: what a nightly run receives the day after.

From a corpus written by `generate_corpus` (delivery 1) this writes, with Spark:

- `delivery2/`, in the layout of an OpenAlex incremental snapshot:
  - works updated since delivery 1: new title, one reference fewer, cited_by_count + 5, and an
    updated_date after delivery 1's (1 work in 20);
  - one stale copy of a work: an older updated_date and another title (a MERGE must ignore it);
  - new works, each citing the existing work it was copied from (1 in 20);
  - works removed through `merged_ids/works/*.csv` (1 in 25 of the rest, OpenAlex's CSV layout);
  - patents updated (value doubled, 1 in 10), new (1 in 10) and removed (1 in 10) likewise.
- `merged/`: the corpus that delivery 1 + delivery 2 stand for, assembled independently from the
  same pieces (not by the MERGE under test), so a full run over it is the reference a nightly
  incremental run must equal.

Records are read with the raw schemas (schemas/raw.py), so the works of both carry only the
fields scintel reads, not every field of delivery 1's files. Which records change is decided by
a hash of the id: the same corpus gives the same delivery
whatever the partitioning. Used by the incremental tests and by bench/nightly.py.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from schemas.raw import RAW_PATENT, RAW_WORK

LATER = "2026-01-01T00:00:00.000000"
EARLIER = "2000-01-01T00:00:00.000000"
ROWS_PER_FILE = 200_000  # output files of about 100 MB of JSON before gzip


@dataclass(frozen=True)
class Delivery:
    second: Path  # the delivery a nightly run ingests with --incremental
    merged: Path  # the merged corpus a full run reads
    sizes: dict[str, int]  # records per kind of change


def _bucket(modulus: int, remainder: int) -> Column:
    return F.pmod(F.xxhash64("id"), F.lit(modulus)) == remainder


def _write_json(df: DataFrame, path: Path, rows: int) -> None:
    files = max(1, -(-rows // ROWS_PER_FILE))
    df.coalesce(files).write.mode("overwrite").option("compression", "gzip").json(str(path))


def _write_merged_ids(ids_df: DataFrame, path: Path) -> None:
    (
        ids_df.select(F.lit("2026-01-01").alias("merge_date"), "id", F.lit(None).cast("string").alias("merge_into_id"))
        .coalesce(1)
        .write.mode("overwrite")
        .option("header", "true")
        .csv(str(path))
    )


def second_delivery(spark: SparkSession, first: str | Path, root: str | Path) -> Delivery:
    """Write `root/delivery2` and `root/merged` for the generated corpus in `first`."""
    first, root = Path(first), Path(root)
    works = spark.read.schema(RAW_WORK).json(str(first / "works")).cache()
    patents = spark.read.schema(RAW_PATENT).json(str(first / "patents")).cache()

    updated = (
        works.where(_bucket(20, 0))
        .select(
            *[c for c in works.columns if c not in ("title", "referenced_works", "cited_by_count", "updated_date")],
            F.concat(F.lit("Revised: "), F.col("title")).alias("title"),
            F.slice(F.col("referenced_works"), 1, F.greatest(F.size("referenced_works") - 1, F.lit(0))).alias("referenced_works"),
            (F.col("cited_by_count") + 5).alias("cited_by_count"),
            F.lit(LATER).alias("updated_date"),
        )
        .select(*works.columns)
    )
    stale = (
        works.where(_bucket(20, 7)).limit(1).withColumn("title", F.lit("stale copy")).withColumn("updated_date", F.lit(EARLIER))
    )
    new = (
        works.where(_bucket(20, 3))
        .select(
            *[
                c
                for c in works.columns
                if c not in ("id", "publication_year", "referenced_works", "cited_by_count", "counts_by_year")
            ],
            F.regexp_replace("id", "W4", "W9").alias("id"),
            F.lit(2021).alias("publication_year"),
            F.array(F.col("id")).alias("referenced_works"),  # the work it was copied from: an existing one
            F.lit(0).cast("long").alias("cited_by_count"),
            F.array().cast(RAW_WORK["counts_by_year"].dataType).alias("counts_by_year"),
        )
        .select(*works.columns)
    )
    removed = works.where(_bucket(25, 1) & ~_bucket(20, 0) & ~_bucket(20, 3) & ~_bucket(20, 7)).select("id")

    patents_updated = patents.where(_bucket(10, 0)).withColumn("market_value_usd", F.col("market_value_usd") * 2)
    patents_new = patents.where(_bucket(10, 2)).withColumn("id", F.concat(F.lit("X"), F.col("id")))
    patents_removed = patents.where(_bucket(10, 1)).select("id")

    sizes = {
        "updated": updated.count(),
        "new": new.count(),
        "removed": removed.count(),
        "patents_updated": patents_updated.count(),
        "patents_new": patents_new.count(),
        "patents_removed": patents_removed.count(),
    }
    n_works, n_patents = works.count(), patents.count()

    second = root / "delivery2"
    _write_json(updated.unionByName(stale).unionByName(new), second / "works", sizes["updated"] + sizes["new"] + 1)
    _write_json(patents_updated.unionByName(patents_new), second / "patents", sizes["patents_updated"] + sizes["patents_new"])
    _write_merged_ids(removed, second / "merged_ids" / "works")
    _write_merged_ids(patents_removed, second / "merged_ids" / "patents")

    merged = root / "merged"
    changed = updated.select("id").unionByName(removed)
    _write_json(
        works.join(changed, "id", how="left_anti").unionByName(updated).unionByName(new),
        merged / "works",
        n_works - sizes["removed"] + sizes["new"],
    )
    changed_patents = patents_updated.select("id").unionByName(patents_removed)
    _write_json(
        patents.join(changed_patents, "id", how="left_anti").unionByName(patents_updated).unionByName(patents_new),
        merged / "patents",
        n_patents - sizes["patents_removed"] + sizes["patents_new"],
    )
    for entity in ("authors", "institutions"):
        if (first / entity).exists():
            shutil.copytree(first / entity, merged / entity, dirs_exist_ok=True)
    works.unpersist()
    patents.unpersist()
    return Delivery(second, merged, sizes)
