"""Nightly updates from a synced OpenAlex snapshot: `--incremental --since-last-run` reads only the
updated_date partitions (and merged_ids files) dated since the last successful run, and the
canonical tables equal a full run over the snapshot as it then stands.

The snapshot is one folder updated in place, as `aws s3 sync` does: a generated corpus put in
the partition 2025-01-01, then two syncs. Each sync moves some works to a new partition with a
changed title and citation count (they leave their old partition, as OpenAlex's records do) and
removes others through merged_ids/works/<date>.csv.gz."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from jobs import config as cfg
from jobs import pipeline
from jobs.frames import differing_rows
from jobs.generate.corpus import generate_corpus
from jobs.ingest import partitions
from jobs.warehouse import Warehouse

N_PAPERS = 1000  # the generator's smallest corpus
SILVER = ("papers", "authorships", "citations", "authors", "institutions", "author_affiliation_years")


def _read_lines(path: Path) -> list[dict]:
    with gzip.open(path, "rt") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _write_lines(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in records)


class Snapshot:
    """A partitioned snapshot folder and the syncs applied to it."""

    def __init__(self, root: Path, corpus: Path):
        self.root = root
        for entity in ("works", "authors", "institutions"):
            records = [r for part in sorted((corpus / entity).glob("part-*.gz")) for r in _read_lines(part)]
            for record in records:  # each record dated like the partition it lies in
                record["updated_date"] = "2025-01-01T00:00:00.000000"
            _write_lines(root / entity / "updated_date=2025-01-01" / "part_0000.gz", records)
        self.works = {r["id"]: r for r in _read_lines(root / "works" / "updated_date=2025-01-01" / "part_0000.gz")}
        self.partition_of = dict.fromkeys(self.works, "2025-01-01")

    def sync(self, date: str, changed: list[str], removed: list[str]) -> None:
        """Move `changed` works to partition `date` (new title, +3 citations), delete `removed`
        (merged_ids)."""
        for work_id in changed:
            record = dict(self.works[work_id], title=f"revised {date}", cited_by_count=self.works[work_id]["cited_by_count"] + 3)
            record["updated_date"] = f"{date}T00:00:00.000000"
            self.works[work_id] = record
            self.partition_of[work_id] = date
        for work_id in removed:
            del self.works[work_id], self.partition_of[work_id]
        shutil.rmtree(self.root / "works")
        for day in sorted(set(self.partition_of.values())):
            kept = [r for i, r in self.works.items() if self.partition_of[i] == day]
            _write_lines(self.root / "works" / f"updated_date={day}" / "part_0000.gz", kept)
        merged = self.root / "merged_ids" / "works" / f"{date}.csv.gz"
        merged.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(merged, "wt") as handle:
            handle.write("merge_date,id,merge_into_id\n" + "".join(f"{date},{i},W1\n" for i in removed))

    def records_since(self, date: str) -> int:
        return sum(1 for day in self.partition_of.values() if day >= date)


@pytest.fixture(scope="module")
def nightly(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("partitions")
    generate_corpus(spark, str(root / "corpus"), N_PAPERS, 11)
    snapshot = Snapshot(root / "snapshot", root / "corpus")
    config = cfg.load()
    wh = Warehouse(str(root / "wh_nightly"))
    ids = sorted(snapshot.works)

    def nightly_run():
        ctx = pipeline.RunContext(spark, config, str(snapshot.root), wh, incremental=True, since="last-run")
        return pipeline.run(ctx, ["ingest_openalex"])

    first = nightly_run()  # nothing recorded yet: every partition
    snapshot.sync("2025-02-01", changed=ids[0::10], removed=ids[1::25])
    second = nightly_run()
    snapshot.sync("2025-03-01", changed=ids[5::10], removed=ids[3::25])
    in_new = snapshot.records_since("2025-02-01")  # what the third run reads: the second run saw 2025-02-01
    third = nightly_run()
    full = Warehouse(str(root / "wh_full"))
    pipeline.run(pipeline.RunContext(spark, config, str(snapshot.root), full), ["ingest_openalex"])
    return {"runs": (first, second, third), "nightly": wh, "full": full, "in_new": in_new, "snapshot": snapshot}


def test_each_run_records_the_newest_partition_of_each_entity(nightly):
    first, second, third = nightly["runs"]
    assert first["stages"]["ingest_openalex"]["partitions"] == dict.fromkeys(("works", "authors", "institutions"), "2025-01-01")
    assert second["stages"]["ingest_openalex"]["partitions"]["works"] == "2025-02-01"
    assert third["stages"]["ingest_openalex"]["partitions"] == {
        "works": "2025-03-01",
        "authors": "2025-01-01",
        "institutions": "2025-01-01",
    }


def test_the_third_run_reads_only_the_partitions_since_the_second(nightly):
    first, _, third = nightly["runs"]
    # The second run read works >= 2025-01-01 (all of them); the third only the partitions
    # 2025-02-01 and 2025-03-01: the 100 + 100 works moved there by the two syncs.
    assert first["stages"]["ingest_openalex"]["rows"]["papers"]["read"] == N_PAPERS
    assert third["stages"]["ingest_openalex"]["rows"]["papers"]["read"] == nightly["in_new"] == 200
    bronze = third["stages"]["ingest_openalex"]["bronze"]["works"]
    # The merged_ids files dated 2025-02-01 and 2025-03-01, 40 ids each (the day itself is read again).
    assert bronze["removed_requested"] == len(range(1, N_PAPERS, 25)) + len(range(3, N_PAPERS, 25)) == 80


def test_nightly_tables_equal_a_full_run_over_the_synced_snapshot(spark, nightly):
    for table in SILVER:
        left = nightly["nightly"].read(spark, table, "silver")
        right = nightly["full"].read(spark, table, "silver")
        assert left.count() == right.count(), table
        assert differing_rows(left, right, 9).count() == 0, table
    papers = {r.paper_id: r for r in nightly["nightly"].read(spark, "papers", "silver").collect()}
    assert len(papers) == len(nightly["snapshot"].works)
    revised = [p for p in papers.values() if p.title and p.title.startswith("revised 2025-03-01")]
    assert len(revised) == len([d for d in nightly["snapshot"].partition_of.values() if d == "2025-03-01"])


def test_selection_rules():
    assert partitions.partition_date("updated_date=2025-02-01/part_0000.gz") == "2025-02-01"
    assert partitions.partition_date("part_0000.gz") is None
    assert partitions.keep("updated_date=2025-02-01/part_0000.gz", "2025-02-01")  # the day itself is read again
    assert not partitions.keep("updated_date=2025-01-31/part_0000.gz", "2025-02-01")
    assert partitions.keep("flat_export.gz", "2025-02-01")  # no date: always read
    assert partitions.keep("2025-02-01.csv.gz", "2025-02-01", partitions.file_date)
    assert not partitions.keep("2025-01-15.csv.gz", "2025-02-01", partitions.file_date)
    assert partitions.newest(["updated_date=2025-01-01/a.gz", "updated_date=2025-03-01/b.gz", "c.gz"]) == "2025-03-01"


def test_since_needs_incremental(capsys):
    from jobs import cli

    assert cli.main(["run", "--input", "x", "--warehouse", "y", "--since-last-run"]) == 1
    assert "need --incremental" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["run", "--input", "x", "--warehouse", "y", "--incremental", "--since", "2025-13-01"])


def test_a_run_with_nothing_new_keeps_bronze_and_derives_the_same_tables(spark, nightly):
    """--since after every partition: no entity is read, bronze keeps its versions, and the
    canonical tables derived again still equal the full run's."""
    wh = nightly["nightly"]
    before = {e: wh.history(spark, e, "bronze").first()["version"] for e in ("works", "authors", "institutions")}
    ctx = pipeline.RunContext(spark, cfg.load(), str(nightly["snapshot"].root), wh, incremental=True, since="2030-01-01")
    record = pipeline.run(ctx, ["ingest_openalex"])
    outcome = record["stages"]["ingest_openalex"]
    # No entity was read (no papers, authors, institutions rows); authorships and citations are
    # counted as derived again from the whole of bronze.
    assert set(outcome["rows"]) == {"authorships", "citations"} and outcome["bronze"] == {}
    assert outcome["partitions"]["works"] == "2025-03-01"  # what the snapshot holds, for the next run
    assert {e: wh.history(spark, e, "bronze").first()["version"] for e in before} == before
    for table in ("papers", "citations"):
        assert differing_rows(wh.read(spark, table, "silver"), nightly["full"].read(spark, table, "silver"), 9).count() == 0
