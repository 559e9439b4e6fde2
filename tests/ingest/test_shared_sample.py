"""The real OpenAlex sample in ../shared ingests completely. Expected counts are computed here
from the raw files with the json module, independently of the Spark code under test."""

from __future__ import annotations

import gzip
import json

import pytest
from pyspark.sql import functions as F


def _records(folder):
    for path in sorted(folder.glob("*.gz")):
        with gzip.open(path, "rt") as handle:
            for line in handle:
                if line.strip():
                    yield json.loads(line)


@pytest.fixture(scope="module")
def expected(shared_sample):
    works = list(_records(shared_sample / "works"))
    entries = [a for w in works for a in w["authorships"]]
    with_author = [a for a in entries if a["author"].get("id")]
    return {
        "works": len({w["id"] for w in works}),
        "authors": len(list(_records(shared_sample / "authors"))),
        "entries": len(entries),
        "entries_without_author": len(entries) - len(with_author),
        "authorship_rows": sum(max(1, len(a["institutions"])) for a in with_author),
        "references": sum(len({r.rsplit("/", 1)[-1] for r in w["referenced_works"]}) for w in works),
    }


@pytest.fixture(scope="module")
def ingested(sample_ingested):
    return sample_ingested


def test_sample_ingests_completely(spark, ingested, expected):
    warehouse, report = ingested
    assert expected["works"] == 3420 and expected["authors"] == 79  # what the sample's README states
    assert report.counts["papers"].read == report.counts["papers"].accepted == expected["works"]
    assert report.counts["authors"].accepted == expected["authors"]
    entries = report.counts["authorships"]
    assert (entries.read, entries.quarantined) == (expected["entries"], expected["entries_without_author"])
    assert warehouse.read(spark, "papers").count() == expected["works"]
    assert warehouse.read(spark, "authorships").count() == expected["authorship_rows"]
    assert warehouse.read(spark, "citations").count() == expected["references"]
    record_authors = warehouse.read(spark, "authors").where("source = 'author_record'")
    assert record_authors.count() == expected["authors"]


def test_every_sample_author_has_their_authorships(spark, ingested, shared_sample):
    warehouse, _ = ingested
    per_author = {}
    for work in _records(shared_sample / "works"):
        for entry in work["authorships"]:
            aid = (entry["author"].get("id") or "").rsplit("/", 1)[-1]
            per_author.setdefault(aid, set()).add(work["id"].rsplit("/", 1)[-1])
    sample_ids = [a["id"].rsplit("/", 1)[-1] for a in _records(shared_sample / "authors")]
    authorships = warehouse.read(spark, "authorships").where(F.col("author_id").isin(sample_ids))
    got = {r.author_id: r.n for r in authorships.groupBy("author_id").agg(F.countDistinct("paper_id").alias("n")).collect()}
    for author_id in sample_ids:
        assert got.get(author_id, 0) == len(per_author.get(author_id, ())), author_id
