"""What a delivery folder holds besides well-formed JSON Lines: OpenAlex's manifests (legacy and
current layouts) and deletion log, Parquet files, corrupt Parquet, several JSON objects on one line. Every corpus is written by hand
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
        ('{"entries": {}}', "no 'files' or 'entries' list"),
        ('["s3://openalex/data/works/a.gz"]', "not a JSON object"),
        ('{"entity": "authors", "files": []}', "is the manifest of 'authors', not of works/"),
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


S3_JSONL = "s3://openalex/data/jsonl/works/"


def _current_snapshot(root, *, combined_only=False, records_listed=3, deleted=()):
    """data/jsonl/ in OpenAlex's current layout: works/ with two partitions (3 + 2 works) listed in
    works/manifest.json and in the combined manifest.json at the root (or in the combined one
    only), a leftover of an earlier sync (W99), and works/deleted_ids.csv logging `deleted`
    ((work, date) pairs)."""
    works = root / "works"
    first = _gzip(works / "updated_date=2026-06-01" / "part_0000.gz", [_work("W1"), _work("W2"), "", _work("W3")])
    second = _gzip(works / "updated_date=2026-06-24" / "part_0000.gz", [_work("W4"), _work("W5", year=2016)])
    _gzip(works / "updated_date=2026-01-01" / "part_0000.gz", [_work("W99")])
    listed = [
        {
            "url": S3_JSONL + "updated_date=2026-06-01/part_0000.gz",
            "meta": {"content_length": first, "record_count": records_listed},
        },
        {"url": S3_JSONL + "updated_date=2026-06-24/part_0000.gz", "meta": {"content_length": second, "record_count": 2}},
    ]
    totals = {"record_count": 5, "content_length": first + second}
    if not combined_only:
        (works / "manifest.json").write_text(
            json.dumps({"date": "2026-06-25", "format": "jsonl", "entity": "works", **totals, "files": listed})
        )
    entities = [
        {"entity": "authors", "record_count": 0, "content_length": 0, "files": []},
        {"entity": "works", **totals, "files": listed},
    ]
    (root / "manifest.json").write_text(
        json.dumps({"date": "2026-06-25", "format": "jsonl", "meta": totals, "entities": entities})
    )
    (works / "deleted_ids.csv").write_text("work_id,deleted_date\n" + "".join(f"{OA}{w},{day}\n" for w, day in deleted))
    return root


@pytest.mark.parametrize("combined_only", [False, True], ids=["entity manifest.json", "combined manifest.json"])
def test_current_layout_reads_the_files_its_manifest_lists(spark, tmp_path, caplog, combined_only):
    warehouse, report = _ingest(spark, _current_snapshot(tmp_path / "in", combined_only=combined_only), tmp_path)
    # 5 listed records; neither manifest nor the deletion log is read as records, and the
    # unlisted leftover W99 is not read
    assert vars(report.counts["papers"]) == {"read": 5, "accepted": 5, "quarantined": 0}
    assert sorted(r.paper_id for r in warehouse.read(spark, "papers").collect()) == ["W1", "W2", "W3", "W4", "W5"]
    assert "1 files not in its manifest are not read" in caplog.text and "updated_date=2026-01-01/part_0000.gz" in caplog.text


def test_current_layout_checks_the_combined_manifest_counts(spark, tmp_path):
    with pytest.raises(IngestError, match=r"updated_date=2026-06-01/part_0000.gz \(3 records, listed 4\)"):
        _ingest(spark, _current_snapshot(tmp_path / "in", combined_only=True, records_listed=4), tmp_path)


def test_current_layout_without_a_manifest_reads_records_only(spark, tmp_path):
    root = _current_snapshot(tmp_path / "in", deleted=[("W1", "2026-06-02")])
    (root / "manifest.json").unlink()
    (root / "works" / "manifest.json").unlink()
    warehouse, report = _ingest(spark, root, tmp_path)
    # every partition, W99 included; the deletion log is not records (a full run replaces bronze
    # with the snapshot, where a deleted work no longer is)
    assert vars(report.counts["papers"]) == {"read": 6, "accepted": 6, "quarantined": 0}


def test_deleted_ids_remove_works_in_incremental_runs(spark, tmp_path):
    root = _current_snapshot(tmp_path / "in")
    warehouse = Warehouse(str(tmp_path / "wh"))
    openalex.run(spark, cfg.load(), str(root), warehouse)

    def papers():
        return sorted(r.paper_id for r in warehouse.read(spark, "papers").collect())

    _current_snapshot(root, deleted=[("W3", "2026-05-01"), ("W2", "2026-06-25")])
    # since 2026-06-24: that partition (W4, W5, unchanged) and the deletions logged that day or
    # later (W2); W3's deletion is older, so a run since then has applied it already
    report = openalex.run(spark, cfg.load(), str(root), warehouse, incremental=True, since={"works": "2026-06-24"})
    assert report.counts["papers"].read == 2
    assert papers() == ["W1", "W3", "W4", "W5"]
    # a whole incremental run applies the whole (cumulative) log
    openalex.run(spark, cfg.load(), str(root), warehouse, incremental=True)
    assert papers() == ["W1", "W4", "W5"]


def test_a_deletion_log_with_another_header_is_an_error(spark, tmp_path):
    root = _current_snapshot(tmp_path / "in")
    (root / "works" / "deleted_ids.csv").write_text("merge_date,id,merge_into_id\n2026-06-25,W2,W1\n")
    with pytest.raises(
        IngestError, match=r"deleted_ids.csv is not OpenAlex's deletion log \(header 'merge_date,id,merge_into_id'"
    ):
        openalex.run(spark, cfg.load(), str(root), Warehouse(str(tmp_path / "wh")), incremental=True)


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"entities": {}}', "no 'entities' list"),
        ('{"entities": [{"entity": "works"}]}', "the entity works has no 'files' list"),
        ('{"entities": [{"entity": "works", "files": []}, {"entity": "works", "files": []}]}', "lists the entity works 2 times"),
    ],
)
def test_a_malformed_combined_manifest_is_an_error(text, message):
    with pytest.raises(IngestError, match=message):
        manifest.parse_combined(text, "manifest.json", "works")


def test_combined_manifest_without_the_entity_is_none():
    assert manifest.parse_combined('{"entities": [{"entity": "authors", "files": []}]}', "m", "works") is None


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
