"""What a delivery folder holds besides well-formed JSON Lines: OpenAlex's per-entity manifest,
Parquet files, corrupt Parquet, several JSON objects on one line. Every corpus is written by hand
below; the expected counts follow from the comments next to the records."""

from __future__ import annotations

import gzip
import json

import pytest

from jobs import config as cfg
from jobs.ingest import manifest, openalex, patents
from jobs.ingest.common import IngestError
from jobs.warehouse import Warehouse

OA = "https://openalex.org/"
S3 = "s3://openalex/data/works/"


def _work(wid: str, year: int = 2015) -> str:
    return json.dumps(
        {"id": OA + wid, "publication_year": year, "type": "article", "cited_by_count": 1, "updated_date": "2025-01-01T00:00:00"}
    )


def _gzip(path, lines: list[str]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt") as handle:
        handle.write("".join(line + "\n" for line in lines))
    return path.stat().st_size


def _snapshot(root, records_listed=None, size_delta=0, drop=None):
    """works/ in OpenAlex's legacy layout: two partitions listed in the manifest (3 + 2 works) and
    a leftover of an earlier sync that is not (W99). The manifest can misstate a file's records or
    size, or list a file that is then removed."""
    works = root / "works"
    first = _gzip(works / "updated_date=2023-05-17" / "part_000.gz", [_work("W1"), _work("W2"), "", _work("W3")])
    second = _gzip(works / "updated_date=2023-06-01" / "part_000.gz", [_work("W4"), _work("W5", year=2016)])
    _gzip(works / "updated_date=2022-01-01" / "part_000.gz", [_work("W99")])
    entries = [
        {
            "url": S3 + "updated_date=2023-05-17/part_000.gz",
            "meta": {"content_length": first + size_delta, "record_count": 3 if records_listed is None else records_listed},
        },
        {"url": S3 + "updated_date=2023-06-01/part_000.gz", "meta": {"content_length": second, "record_count": 2}},
    ]
    (works / "manifest").write_text(
        json.dumps({"entries": entries, "meta": {"content_length": first + second, "record_count": 5}}, indent=2)
    )
    if drop:
        (works / drop).unlink()
    return root


def _ingest(spark, root, tmp_path):
    warehouse = Warehouse(str(tmp_path / "wh"))
    return warehouse, openalex.run(spark, cfg.load(), str(root), warehouse)


def test_manifest_files_are_read_and_the_manifest_is_not(spark, tmp_path, caplog):
    warehouse, report = _ingest(spark, _snapshot(tmp_path / "in"), tmp_path)
    # 5 listed records (the blank line is not one); the manifest's lines are not records and the
    # unlisted leftover W99 is not read
    assert vars(report.counts["papers"]) == {"read": 5, "accepted": 5, "quarantined": 0}
    ids = sorted(r.paper_id for r in warehouse.read(spark, "papers").collect())
    assert ids == ["W1", "W2", "W3", "W4", "W5"]
    assert "1 files not in its manifest are not read" in caplog.text and "updated_date=2022-01-01/part_000.gz" in caplog.text


@pytest.mark.parametrize(
    "damage, message",
    [
        ({"drop": "updated_date=2023-06-01/part_000.gz"}, "1 listed files are missing: updated_date=2023-06-01/part_000.gz"),
        (
            {"size_delta": 7},
            r"1 files differ in size from the listing: updated_date=2023-05-17/part_000.gz \((\d+) bytes, listed \d+\)",
        ),
        (
            {"records_listed": 4},
            r"1 files hold another number of records: updated_date=2023-05-17/part_000.gz \(3 records, listed 4\)",
        ),
    ],
)
def test_a_delivery_that_does_not_match_its_manifest_stops_the_ingest(spark, tmp_path, damage, message):
    with pytest.raises(IngestError, match=message) as failure:
        _ingest(spark, _snapshot(tmp_path / "in", **damage), tmp_path)
    assert "does not match its manifest" in str(failure.value) and "\n" not in str(failure.value)
    assert not Warehouse(str(tmp_path / "wh")).exists(spark, "papers")  # nothing was written


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "is not an OpenAlex manifest \\(not JSON"),
        ('{"files": []}', "no 'entries' list"),
        ('{"entries": [{"url": "s3://openalex/data/authors/x.gz"}]}', "does not name a file under works/"),
        (
            '{"entries": [{"url": "s3://openalex/data/works/a.gz", "meta": {"record_count": -1}}]}',
            "meta.record_count must be a non-negative integer",
        ),
        ('{"entries": [{"url": "s3://openalex/data/works/a.gz"}, {"url": "s3://x/works/a.gz"}]}', "a.gz is listed twice"),
    ],
)
def test_a_malformed_manifest_is_an_error(text, message):
    with pytest.raises(IngestError, match=message):
        manifest.parse_manifest(text, "works/manifest", "works")


def test_manifest_without_meta_lists_files_only():
    parsed = manifest.parse_manifest(
        '{"entries": [{"url": "s3://openalex/data/works/updated_date=2023-05-17/part%20000.gz"}]}', "m", "works"
    )
    assert parsed.entries == (manifest.ManifestEntry("updated_date=2023-05-17/part 000.gz", None, None),)
    assert parsed.records is None


def test_openalex_parquet_snapshot_is_refused_with_directions(spark, tmp_path):
    spark.createDataFrame([("W1", 2015)], "id string, publication_year int").coalesce(1).write.parquet(
        str(tmp_path / "in" / "works")
    )
    with pytest.raises(IngestError, match="holds Parquet files .*point --input at data/jsonl/"):
        _ingest(spark, tmp_path / "in", tmp_path)


def test_patents_folder_mixing_parquet_and_json_lines_is_an_error(spark, tmp_path):
    folder = tmp_path / "in" / "patents"
    spark.createDataFrame([("P1", 2020)], "id string, grant_year int").coalesce(1).write.parquet(str(folder))
    (folder / "extra.jsonl").write_text(json.dumps({"id": "P2", "grant_year": 2020}) + "\n")
    with pytest.raises(IngestError, match=r"mixes Parquet files \(1\) with other files \(1, e.g. extra.jsonl\)"):
        patents.run(spark, cfg.load(), str(tmp_path / "in"), Warehouse(str(tmp_path / "wh")))


def test_corrupt_parquet_patent_file_fails_naming_it(spark, tmp_path):
    folder = tmp_path / "in" / "patents"
    spark.createDataFrame([(f"P{i}", 2020) for i in range(50)], "id string, grant_year int").coalesce(1).write.parquet(
        str(folder)
    )
    part = next(folder.glob("*.parquet"))
    data = part.read_bytes()
    part.write_bytes(data[:8] + b"\x00" * (len(data) - 16) + data[-8:])  # header and footer magic kept, the rest zeroed
    with pytest.raises(IngestError, match=rf"cannot read input file \S*{part.name}"):
        patents.run(spark, cfg.load(), str(tmp_path / "in"), Warehouse(str(tmp_path / "wh")))


def test_two_records_on_one_line_are_quarantined_not_half_read(spark, tmp_path):
    """Spark's JSON parser reads a line's first value and ignores the rest: without a check, W2,
    W4 and W6 below would vanish and their lines would count as W1, W3 and W5 accepted."""
    works = tmp_path / "in" / "works"
    works.mkdir(parents=True)
    lines = [
        _work("W1") + _work("W2"),  # no newline between two records
        _work("W3") + " " + _work("W4"),  # a space between them
        _work("W5") + "," + _work("W6"),  # a comma
        _work("W7") + " trailing text",  # not JSON after the record
        _work("W8") + ",",  # a trailing comma
        _work("W9") + "   ",  # trailing blanks: fine
        '{"id": "https://openalex.org/W10", "title": "braces in a string: }{ and } {", "publication_year": 2015}',  # fine
    ]
    (works / "part-0.jsonl").write_text("\n".join(lines) + "\n")
    warehouse, report = _ingest(spark, tmp_path / "in", tmp_path)
    assert vars(report.counts["papers"]) == {"read": 7, "accepted": 2, "quarantined": 5}
    rows = warehouse.read(spark, "quarantine").where("source = 'openalex.works'").collect()
    assert sorted((r.record_id, r.reason) for r in rows) == [
        (f"W{i}", "text after the first JSON record on the line") for i in (1, 3, 5, 7, 8)
    ]
    assert all(r.raw.count('"id"') == 2 for r in rows if r.record_id in ("W1", "W3", "W5"))  # both records kept in raw
    assert sorted(r.paper_id for r in warehouse.read(spark, "papers").collect()) == ["W10", "W9"]
