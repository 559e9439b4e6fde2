"""The generator: deterministic, in the raw formats the ingest reads, internally consistent."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from jobs.generate.corpus import generate_corpus
from schemas.raw import CORRUPT_COLUMN, RAW_ENTITIES, with_corrupt_column

N = 3000


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as handle:
            h.update(path.relative_to(folder).as_posix().encode())
            h.update(handle.read())
    return h.hexdigest()


@pytest.fixture(scope="module")
def corpora(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("gen")
    counts = generate_corpus(spark, str(root / "a"), N, 5)
    generate_corpus(spark, str(root / "b"), N, 5)
    generate_corpus(spark, str(root / "c"), N, 6)
    return root, counts


def test_same_seed_same_corpus_other_seed_differs(corpora):
    root, _ = corpora
    for entity in ("works", "authors", "institutions", "patents"):
        assert _digest(root / "a" / entity) == _digest(root / "b" / entity), entity
    assert _digest(root / "a" / "works") != _digest(root / "c" / "works")


def test_raw_files_parse_with_declared_schemas(spark, corpora):
    root, counts = corpora
    for entity, schema in RAW_ENTITIES.items():
        df = spark.read.schema(with_corrupt_column(schema)).json(str(root / "a" / entity))
        # Spark refuses a query on the corrupt column alone, so the key column rides along.
        key = schema.fields[0].name
        assert df.where(F.col(CORRUPT_COLUMN).isNotNull() | F.col(key).isNull()).count() == 0, entity
        assert df.count() > 0, entity
    works = spark.read.schema(RAW_ENTITIES["works"]).json(str(root / "a" / "works"))
    assert works.count() == N
    assert works.select("id").distinct().count() == N


def test_citations_consistent(spark, corpora):
    root, _ = corpora
    works = spark.read.schema(RAW_ENTITIES["works"]).json(str(root / "a" / "works"))
    edges = works.select(
        F.col("id").alias("citing"), F.col("publication_year").alias("citing_year"), F.explode("referenced_works").alias("cited")
    )
    years = works.select(F.col("id").alias("cited"), F.col("publication_year").alias("cited_year"))
    joined = edges.join(years, "cited", how="left")
    assert joined.where(F.col("cited_year").isNull()).count() == 0  # references stay in the corpus
    assert joined.where(F.col("cited_year") > F.col("citing_year")).count() == 0  # and point back in time
    received = joined.groupBy("cited").agg(F.count(F.lit(1)).alias("n"))
    mismatch = (
        works.select(F.col("id").alias("cited"), "cited_by_count")
        .join(received, "cited", how="left")
        .where(F.col("cited_by_count") != F.coalesce(F.col("n"), F.lit(0)))
    )
    assert mismatch.count() == 0
    heavy_tail = works.agg(
        F.max("cited_by_count").alias("mx"), F.expr("percentile_approx(cited_by_count, 0.5)").alias("med")
    ).first()
    assert heavy_tail.mx >= 10 * max(heavy_tail.med, 1)


def test_planted_facts_present_in_raw_works(spark, corpora):
    """Before any scintel job runs: CN's yearly papers (full counting over the authorships'
    countries) are at or below the US's before the planted year and above from it on, and each
    planted front's core papers exist and are cited together by at least two papers."""
    root, result = corpora
    planted = result["planted"]
    works = spark.read.schema(RAW_ENTITIES["works"]).json(str(root / "a" / "works"))
    per_year = (
        works.select("id", "publication_year", F.explode("authorships").alias("a"))
        .select("id", "publication_year", F.explode("a.countries").alias("country"))
        .where(F.col("country").isin("CN", "US"))
        .distinct()
        .groupBy("publication_year")
        .pivot("country", ["CN", "US"])
        .count()
        .na.fill(0)
        .collect()
    )
    cross = planted["papers_golden_cross"]["first_year_challenger_exceeds"]
    assert len(per_year) == result["year_end"] - result["year_start"] + 1
    for row in per_year:
        if row.publication_year < cross:
            assert row.CN <= row.US, row
        else:
            assert row.CN > row.US, row

    refs = works.select("id", F.explode("referenced_works").alias("cited"))
    for front in planted["fronts"]:
        cores = front["core_ids"]
        assert works.where(F.col("id").isin(cores)).count() == len(cores), front["name"]
        co_citers = refs.where(F.col("cited").isin(cores)).groupBy("id").count().where("count >= 2").count()
        assert co_citers >= 2, front["name"]
