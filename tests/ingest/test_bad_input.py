"""Broken input: every case either lands in quarantine with its reason or stops the run with one
readable line, never a crash. The corpora are written by hand below; every expected count is
worked out from the comments next to the records."""

from __future__ import annotations

import gzip
import json

import pytest
import yaml
from pyspark.sql import functions as F

from jobs import config as cfg
from jobs.cli import main
from jobs.ingest import files, json_lines, openalex, patents, quarantine
from jobs.ingest.common import REASON, IngestError
from schemas.raw import RAW_AUTHOR, RAW_INSTITUTION, RAW_WORK

OA = "https://openalex.org/"
I1 = {"id": OA + "I1", "display_name": "Tsinghua University", "country_code": "CN", "type": "education"}


def _work(wid, year=2015, **extra):
    record = {
        "id": OA + wid if isinstance(wid, str) else wid,
        "publication_year": year,
        "type": "article",
        "cited_by_count": 0,
        "updated_date": "2025-01-01T00:00:00",
    }
    record.update(extra)
    return record


def _entry(aid, institutions="absent", **extra):
    entry = {"author_position": "first", "author": {"id": OA + aid if aid else None, "display_name": f"Author {aid}"}}
    if institutions != "absent":
        entry["institutions"] = institutions
    entry.update(extra)
    return entry


def _gzip(path, lines):
    with gzip.open(path, "wt") as handle:
        handle.write("".join(line + "\n" for line in lines))


# works/part-1.jsonl: 16 records (the blank line is not one); 2 accepted (W1, W11), 14 rejected
PART_1 = [
    # accepted. Authorships: A1 at I1, A2 with an empty institution list (kept, institution null).
    # References, once stripped and de-duplicated: W2 (in the corpus), W999 (outside it: dangling,
    # kept), "not-a-work", "A5" (an author id) and null -> 2 citations, 3 quarantined references.
    json.dumps(
        _work(
            "W1",
            cited_by_count=5,
            authorships=[_entry("A1", [I1]), _entry("A2", [], countries=["FR"])],
            referenced_works=[OA + "W2", OA + "W999", "not-a-work", OA + "A5", None, "W2"],
        )
    ),
    '{"id": "https://openalex.org/W20", "publication_year": 2015,',  # cut short: malformed JSON line
    "this is not json",  # malformed JSON line
    json.dumps(_work("W3", cited_by_count="12")),  # string for a number: wrong type
    json.dumps(_work("W4", year="2015")),  # string for a year: wrong type
    json.dumps({"publication_year": 2015, "title": "no id"}),  # missing id
    json.dumps(_work("")),  # empty id: missing id
    json.dumps(_work(123)),  # a number: not a work id
    json.dumps(_work("W5", cited_by_count=-1)),  # negative cited_by_count
    json.dumps(_work("W6", cited_by_count=10**12)),  # above max_cited_by_count
    json.dumps(_work("W7", year=0)),  # year 0
    json.dumps(_work("W8", year=3000)),  # year 3000
    json.dumps(
        _work(
            "W9",
            counts_by_year=[  # a negative yearly count
                {"year": 2016, "cited_by_count": 3},
                {"year": 2017, "cited_by_count": -2},
            ],
        )
    ),
    json.dumps(_work("W10", cited_by_count=1, updated_date="2024-01-01T00:00:00")),  # older copy: duplicate
    json.dumps(_work("W11", cited_by_count=7)),  # same date as part-2's: this file wins
    json.dumps([OA + "W12"]),  # JSON, but not an object: malformed
    "   ",  # blank: not a record
]

# works/part-2.jsonl.gz: 4 records; 3 accepted (W2, W10, W12), the second W11 rejected
PART_2 = [
    # A3 with institutions null (kept, institution null); an entry without author id (quarantined)
    json.dumps(_work("W2", year=2014, cited_by_count=1, authorships=[_entry("A3", None), _entry(None, [I1])])),
    json.dumps(
        _work(
            "W10",
            cited_by_count=4,
            updated_date="2025-06-01T00:00:00",  # newer copy: kept
            authorships=[_entry("A1", [I1])],
            referenced_works=[OA + "W1"],
        )
    ),
    json.dumps(_work("W11", cited_by_count=8)),  # same date, later file: duplicate
    # A4's entry has no institutions key at all (kept, institution null); W7 was quarantined, so
    # this reference dangles like any reference outside the corpus: kept
    json.dumps(_work("W12", year=2016, authorships=[_entry("A4")], referenced_works=[OA + "W7"])),
]

# By hand: papers read 16 + 4 = 20, accepted W1, W11 (part 1) + W2, W10, W12 (part 2) = 5.
# Authorship entries of accepted works: W1 2, W2 2, W10 1, W11 0, W12 1 = 6, one without author.
# References of accepted works: W1 5 distinct, W10 1, W12 1 = 7, three of W1's malformed.
EXPECTED_COUNTS = {"papers": (20, 5, 15), "authorships": (6, 5, 1), "citations": (7, 4, 3)}
QUARANTINE_SOURCE = {"papers": "openalex.works", "authorships": "openalex.authorships", "citations": "openalex.citations"}


@pytest.fixture(scope="module")
def works_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad_openalex")
    works = root / "works"
    works.mkdir()
    (works / "part-1.jsonl").write_text("\n".join(PART_1) + "\n")
    _gzip(works / "part-2.jsonl.gz", PART_2)
    (works / "part-3.jsonl").write_bytes(b"")  # zero-byte file
    (works / "part-4.jsonl.gz").write_bytes(b"")  # zero-byte "gzip"
    _gzip(works / "part-5.jsonl.gz", [])  # gzip of nothing
    (works / "part-6.jsonl").write_text("\n  \n\n")  # blank lines only
    return root


@pytest.fixture(scope="module")
def ingested(spark, works_dir, tmp_path_factory):
    from jobs.warehouse import Warehouse

    warehouse = Warehouse(str(tmp_path_factory.mktemp("bad_openalex_wh") / "warehouse"))
    return warehouse, openalex.run(spark, cfg.load(), str(works_dir), warehouse)


def _quarantine(spark, warehouse, source_prefix):
    return warehouse.read(spark, "quarantine").where(F.col("source").startswith(source_prefix))


def test_every_record_is_accepted_or_quarantined(spark, ingested):
    warehouse, report = ingested
    got = {table: (c.read, c.accepted, c.quarantined) for table, c in report.counts.items() if table in EXPECTED_COUNTS}
    assert got == EXPECTED_COUNTS
    per_source = dict(warehouse.read(spark, "quarantine").groupBy("source").count().select("source", "count").collect())
    for table, (read, accepted, quarantined) in EXPECTED_COUNTS.items():
        assert read == accepted + quarantined
        assert per_source.get(QUARANTINE_SOURCE[table], 0) == quarantined, table
    assert warehouse.read(spark, "papers").count() == 5
    assert warehouse.read(spark, "citations").count() == 4
    # one row per accepted entry here: nobody has two institutions
    assert warehouse.read(spark, "authorships").count() == 5


def test_quarantine_reasons(spark, ingested):
    warehouse, _ = ingested
    rows = _quarantine(spark, warehouse, "openalex.").select("source", "record_id", "reason").collect()
    works, citations = "openalex.works", "openalex.citations"
    assert sorted(map(tuple, rows), key=str) == sorted(
        [
            (works, None, "malformed JSON line"),
            (works, None, "malformed JSON line"),
            (works, None, "malformed JSON line"),
            (works, "W3", "a field does not match the declared schema type"),
            (works, "W4", "a field does not match the declared schema type"),
            (works, None, "missing id"),
            (works, None, "missing id"),
            (works, "123", "id is not an OpenAlex work id"),
            (works, "W5", "negative cited_by_count"),
            (works, "W6", "cited_by_count 1000000000000 above ingest.max_cited_by_count=1000000"),
            (works, "W7", "publication_year 0 outside 1800-2100"),
            (works, "W8", "publication_year 3000 outside 1800-2100"),
            (works, "W9", "negative cited_by_count in counts_by_year"),
            (works, "W10", "duplicate id"),
            (works, "W11", "duplicate id"),
            ("openalex.authorships", "W2", "authorship without author id"),
            (citations, "W1", "referenced work id is not an OpenAlex work id"),
            (citations, "W1", "referenced work id is not an OpenAlex work id"),
            (citations, "W1", "referenced work id is not an OpenAlex work id"),
        ],
        key=str,
    )
    bad_refs = _quarantine(spark, warehouse, citations).select("raw").collect()
    assert sorted(r.raw for r in bad_refs if r.raw) == ["A5", "not-a-work"] and len(bad_refs) == 3


def test_duplicates_across_files_keep_one_copy(spark, ingested):
    warehouse, _ = ingested
    papers = dict(warehouse.read(spark, "papers").select("paper_id", "cited_by_count").collect())
    # W10: the newer updated_date wins (part-2); W11: same date, the first file in path order (part-1)
    assert papers == {"W1": 5, "W2": 1, "W10": 4, "W11": 7, "W12": 0}
    dups = _quarantine(spark, warehouse, "openalex.works").where("reason = 'duplicate id'")
    duplicate_files = {r.record_id: r.source_file.rsplit("/", 1)[-1] for r in dups.collect()}
    assert duplicate_files == {"W10": "part-1.jsonl", "W11": "part-2.jsonl.gz"}


def test_dangling_references_are_kept(spark, ingested):
    warehouse, _ = ingested
    got = sorted(map(tuple, warehouse.read(spark, "citations").select("citing_paper_id", "cited_paper_id").collect()))
    # W999 is in no file; W7 was quarantined: both stay, as any reference outside the corpus does
    assert got == [("W1", "W2"), ("W1", "W999"), ("W10", "W1"), ("W12", "W7")]


def test_authorship_without_institution_is_kept(spark, ingested):
    warehouse, report = ingested
    got = sorted(
        map(
            tuple,
            warehouse.read(spark, "authorships").select("paper_id", "author_id", "institution_id", "country_code").collect(),
        ),
        key=str,
    )
    assert got == sorted(
        [
            ("W1", "A1", "I1", "CN"),
            ("W1", "A2", None, "FR"),  # institutions [] (country from the entry's lone country)
            ("W2", "A3", None, None),  # institutions null
            ("W10", "A1", "I1", "CN"),
            ("W12", "A4", None, None),  # no institutions key
        ],
        key=str,
    )
    # counted among the accepted authorship entries, not quarantined
    assert report.counts["authorships"].accepted == 5


def test_clean_rerun_clears_the_earlier_rejects(spark, works_dir, tmp_path):
    # A clean delivery finds no reject, so it builds no reject rows at all; the quarantine's
    # slice for its sources must still be replaced (emptied), not left with the dirty run's 19.
    from jobs.warehouse import Warehouse

    warehouse = Warehouse(str(tmp_path / "wh"))
    openalex.run(spark, cfg.load(), str(works_dir), warehouse)
    assert warehouse.read(spark, "quarantine").count() == 19
    clean = tmp_path / "clean" / "works"
    clean.mkdir(parents=True)
    (clean / "part-1.jsonl").write_text(json.dumps(_work("W1", cited_by_count=5, authorships=[_entry("A1", [I1])])) + "\n")
    report = openalex.run(spark, cfg.load(), str(clean.parent), warehouse)
    assert {t: c.quarantined for t, c in report.counts.items() if t in EXPECTED_COUNTS} == {
        "papers": 0,
        "authorships": 0,
        "citations": 0,
    }
    assert warehouse.read(spark, "quarantine").count() == 0
    assert warehouse.read(spark, "papers").count() == 1


def test_truncated_gzip_fails_naming_the_file(spark, tmp_path):
    from jobs.warehouse import Warehouse

    root = _truncated_corpus(tmp_path, n_cut=1)
    warehouse = Warehouse(str(tmp_path / "wh"))
    with pytest.raises(IngestError) as failure:
        openalex.run(spark, cfg.load(), str(root), warehouse)
    message = str(failure.value)
    assert "cut-1.jsonl.gz" in message and "EOFException: Unexpected end of input stream" in message
    assert "\n" not in message
    assert not warehouse.exists(spark, "papers")  # nothing was written


def test_ignore_corrupt_files_set_elsewhere_does_not_skip_silently(spark, tmp_path):
    root = _truncated_corpus(tmp_path, n_cut=1)
    spark.conf.set("spark.sql.files.ignoreCorruptFiles", "true")  # e.g. a cluster-wide default
    try:
        checked = openalex.validate_works(json_lines.read_json_lines(spark, str(root / "works"), RAW_WORK), cfg.load())
        with pytest.raises(IngestError, match="cut-1.jsonl.gz"):
            quarantine.count_split(checked)
    finally:
        spark.conf.unset("spark.sql.files.ignoreCorruptFiles")


def test_truncated_gzip_quarantined_as_a_whole_when_asked(spark, tmp_path):
    root = _truncated_corpus(tmp_path, n_cut=2)
    raw_df = json_lines.read_json_lines(spark, str(root / "works"), RAW_WORK, on_unreadable="quarantine")
    checked = openalex.validate_works(raw_df, cfg.load())
    # 3 works from the good file + one record per unreadable file; nothing of the cut files is read
    assert vars(quarantine.count_split(checked)) == {"read": 5, "accepted": 3, "quarantined": 2}
    rows = quarantine.quarantine_rows(checked, "openalex.works", F.col("id")).collect()
    assert sorted((r.source_file.rsplit("/", 1)[-1], r.record_id, r.reason, r.raw) for r in rows) == [
        ("cut-1.jsonl.gz", None, "unreadable file: EOFException: Unexpected end of input stream", None),
        ("cut-2.jsonl.gz", None, "unreadable file: EOFException: Unexpected end of input stream", None),
    ]


def _truncated_corpus(tmp_path, n_cut):
    root = tmp_path / "truncated"
    (root / "works").mkdir(parents=True)
    _gzip(root / "works" / "good.jsonl.gz", [json.dumps(_work(f"W{i}")) for i in (1, 2, 3)])
    many = "".join(json.dumps(_work(f"W{i}", title=f"work number {i}")) + "\n" for i in range(100, 400))
    data = gzip.compress(many.encode())
    for k in range(1, n_cut + 1):
        (root / "works" / f"cut-{k}.jsonl.gz").write_bytes(data[: len(data) // 2])  # cut mid-stream
    return root


def test_empty_files(spark, tmp_path):
    only_empty = tmp_path / "only_empty"
    only_empty.mkdir()
    (only_empty / "a.jsonl").write_bytes(b"")
    (only_empty / "b.jsonl.gz").write_bytes(b"")
    (only_empty / "_SUCCESS").write_text("done")  # Spark never reads names starting with _ or .
    assert files.input_files(str(only_empty), "works") is None  # like an empty folder: skipped
    nothing = tmp_path / "gzip_of_nothing"
    nothing.mkdir()
    _gzip(nothing / "a.jsonl.gz", [])
    assert files.input_files(str(nothing), "works") == str(nothing)
    assert json_lines.read_json_lines(spark, str(nothing), RAW_WORK).count() == 0


def test_missing_input_directory(spark, tmp_path, capsys):
    from jobs.warehouse import Warehouse

    absent = tmp_path / "absent"
    assert files.input_files(f"file://{absent}/works", "works") is None  # through the Hadoop FileSystem API
    with pytest.raises(IngestError, match="no OpenAlex input under"):
        openalex.run(spark, cfg.load(), str(absent), Warehouse(str(tmp_path / "wh")))
    assert main(["run", "ingest_openalex", "--only", "--input", str(absent), "--warehouse", str(tmp_path / "wh")]) == 1
    err = capsys.readouterr().err
    assert f"input directory {absent} does not exist" in err and "Traceback" not in err


def test_cli_truncated_gzip_is_one_line(spark, tmp_path, capsys):
    root = _truncated_corpus(tmp_path, n_cut=1)
    code = main(["run", "ingest_openalex", "--only", "--input", str(root), "--warehouse", str(tmp_path / "wh")])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    (line,) = [x for x in err.splitlines() if x.startswith("scintel: error:")]
    assert "cut-1.jsonl.gz" in line and "EOFException" in line


def test_cli_read_failure_outside_count_split(spark, tmp_path, capsys, monkeypatch):
    """A read failure Spark raises elsewhere (not through count_split) still gives one line."""
    root = _truncated_corpus(tmp_path, n_cut=1)
    spark_error = None
    try:
        spark.read.text(str(root / "works" / "cut-1.jsonl.gz")).count()
    except Exception as err:  # noqa: BLE001 - the raw Spark failure is what we want
        spark_error = err
    assert spark_error is not None and not isinstance(spark_error, IngestError)

    def failing_run(ctx, names):
        raise spark_error

    monkeypatch.setattr("jobs.pipeline.run", failing_run)
    assert main(["run", "ingest_openalex", "--only", "--input", str(root), "--warehouse", str(tmp_path / "wh")]) == 1
    (line,) = [x for x in capsys.readouterr().err.splitlines() if x.startswith("scintel: error:")]
    assert line.startswith("scintel: error: cannot read input file file:") and "cut-1.jsonl.gz: EOFException" in line


def _conf_with(tmp_path, **ingest):
    conf = cfg.load_dict()
    conf["ingest"].update(ingest)
    path = tmp_path / "conf.yaml"
    path.write_text(yaml.safe_dump(conf))
    return path


@pytest.mark.parametrize(
    "ingest, message",
    [
        ({"max_cited_by_cont": 10}, "unknown key 'ingest.max_cited_by_cont'"),
        ({"max_cited_by_count": -1}, "'ingest.max_cited_by_count' must be a positive integer, got -1"),
        ({"max_cited_by_count": "lots"}, "'ingest.max_cited_by_count' must be int, got 'lots'"),
        ({"min_year": 2100, "max_year": 1800}, "'ingest.min_year' (2100) is after 'ingest.max_year' (1800)"),
        ({"max_market_value_usd": 0}, "'ingest.max_market_value_usd' must be a positive number, got 0"),
    ],
)
def test_cli_bad_ingest_config_is_one_line(tmp_path, capsys, ingest, message):
    conf = _conf_with(tmp_path, **ingest)
    assert main(["run", "--input", str(tmp_path), "--warehouse", str(tmp_path / "wh"), "--conf", str(conf)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_max_cited_by_count_default():
    conf = cfg.load_dict()
    del conf["ingest"]["max_cited_by_count"]
    assert cfg.from_dict(conf).ingest.max_cited_by_count == 1_000_000


def test_author_and_institution_ids_of_the_wrong_kind(spark, tmp_path):
    (tmp_path / "authors").mkdir()
    (tmp_path / "authors" / "a.jsonl").write_text(
        "\n".join(
            [
                json.dumps({"id": OA + "A1"}),
                json.dumps({"id": OA + "I5"}),  # an institution id in the authors file
                json.dumps({"id": 42}),  # a number
            ]
        )
        + "\n"
    )
    (tmp_path / "institutions").mkdir()
    (tmp_path / "institutions" / "i.jsonl").write_text(
        "\n".join(
            [
                json.dumps({"id": OA + "I1"}),
                json.dumps({"id": OA + "W3"}),  # a work id in the institutions file
            ]
        )
        + "\n"
    )
    authors = openalex.validate_authors(json_lines.read_json_lines(spark, str(tmp_path / "authors"), RAW_AUTHOR))
    institutions = openalex.validate_institutions(
        json_lines.read_json_lines(spark, str(tmp_path / "institutions"), RAW_INSTITUTION)
    )
    assert sorted(map(tuple, authors.select("id", REASON).collect()), key=str) == sorted(
        [("A1", None), ("I5", "id is not an OpenAlex author id"), ("42", "id is not an OpenAlex author id")], key=str
    )
    assert sorted(map(tuple, institutions.select("id", REASON).collect()), key=str) == sorted(
        [("I1", None), ("W3", "id is not an OpenAlex institution id")], key=str
    )


# ----------------------------------------------------------------------------- patents

ACME = {"name": "Acme Corp", "country": "US", "type": "company"}
PATENTS = [
    json.dumps({"id": "P1", "grant_year": 2019, "assignees": [ACME], "market_value_usd": 1e6}),  # accepted
    '{"id": "P2", "grant_year": 20',  # cut short: malformed
    "<html>not json</html>",  # malformed
    json.dumps({"grant_year": 2020, "assignees": [ACME]}),  # missing id
    json.dumps({"id": "   ", "grant_year": 2020, "assignees": [ACME]}),  # blank id: missing id
    json.dumps({"id": "P3", "grant_year": 2020, "assignees": [ACME], "market_value_usd": -5.0}),  # negative value
    json.dumps({"id": "P4", "grant_year": "2020", "assignees": [ACME]}),  # wrong type
    json.dumps({"id": "P5", "grant_year": 2020, "assignees": []}),  # accepted, no assignee
    json.dumps({"id": "P6", "grant_year": 0, "assignees": [ACME]}),  # year 0
    json.dumps({"id": "P7", "grant_year": 2020, "assignees": [ACME], "market_value_usd": 5e15}),  # above the bound
    json.dumps({"id": "P8", "grant_year": 2020, "assignees": [ACME], "market_value_usd": 1e12}),  # at the bound: accepted
]


@pytest.fixture(scope="module")
def patents_ingested(spark, tmp_path_factory):
    from jobs.warehouse import Warehouse

    root = tmp_path_factory.mktemp("bad_patents")
    (root / "patents").mkdir()
    (root / "patents" / "part-0.jsonl").write_text("\n".join(PATENTS) + "\n")
    (root / "patents" / "part-1.jsonl.gz").write_bytes(b"")  # zero-byte file: no records
    warehouse = Warehouse(str(tmp_path_factory.mktemp("bad_patents_wh") / "warehouse"))
    return warehouse, patents.run(spark, cfg.load(), str(root), warehouse)


def test_patent_counts_and_reasons(spark, patents_ingested):
    warehouse, report = patents_ingested
    got = {t: (c.read, c.accepted, c.quarantined) for t, c in report.counts.items()}
    # 11 lines: P1, P5 and P8 accepted, 8 rejected; assignee entries of P1 (1), P5 (0), P8 (1)
    assert got == {"patents": (11, 3, 8), "patent_assignees": (2, 2, 0)}
    rows = _quarantine(spark, warehouse, "patents").select("source", "record_id", "reason").collect()
    assert sorted(map(tuple, rows), key=str) == sorted(
        [
            ("patents", None, "malformed JSON line"),
            ("patents", None, "malformed JSON line"),
            ("patents", None, "missing id"),
            ("patents", None, "missing id"),
            ("patents", "P3", "negative market_value_usd"),
            ("patents", "P4", "a field does not match the declared schema type"),
            ("patents", "P6", "grant_year 0 outside 1800-2100"),
            ("patents", "P7", "market_value_usd 5.0E15 above ingest.max_market_value_usd=1000000000000.0"),
        ],
        key=str,
    )
    assert sorted(r.patent_id for r in warehouse.read(spark, "patents").select("patent_id").collect()) == ["P1", "P5", "P8"]


def test_truncated_patent_file_fails_naming_it(spark, tmp_path):
    from jobs.warehouse import Warehouse

    (tmp_path / "patents").mkdir()
    data = gzip.compress("".join(json.dumps({"id": f"P{i}", "grant_year": 2020}) + "\n" for i in range(300)).encode())
    (tmp_path / "patents" / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(IngestError, match=r"cannot read input file \S*cut\.jsonl\.gz: EOFException"):
        patents.run(spark, cfg.load(), str(tmp_path), Warehouse(str(tmp_path / "wh")))


def test_quarantine_parses_each_line_once(spark, works_dir):
    """The rejected rows are found by filtering on _reason, which reads many parsed fields. The
    filter must stay above the parse: pushed into it, each field it reads becomes a from_json
    call of its own, and a full corpus is parsed that many times over to quote its rejects."""
    raw_df = json_lines.read_json_lines(spark, str(works_dir / "works"), RAW_WORK)
    rejected = quarantine.quarantine_rows(openalex.check_works(raw_df, cfg.load()), "openalex.works", F.col("id"))
    plan = rejected._jdf.queryExecution().executedPlan().toString()
    # Every line parsed once (as the array of its records), and the lines that did not parse whole
    # parsed once more on their own: two calls in all, whatever the filter reads.
    assert plan.count("from_json(ArrayType(") == 1, plan
    assert plan.count("from_json(") == 2, plan
    # The rules alone (no duplicate flags): part-1's 14 rejects but its older W10 copy, none in part-2.
    assert rejected.count() == 13


def test_a_field_of_the_wrong_type_deep_in_a_record_rejects_the_record(spark, tmp_path):
    """Spark's parser, asked for partial results (a session setting, on by default), would fill
    in the rest of a record whose nested field does not fit the schema: the record would be taken
    with that field null. The ingest turns partial results off wherever it parses, so such a
    record is quarantined whole, here with the session asking for them beforehand."""
    works = tmp_path / "works"
    works.mkdir()
    lines = [
        json.dumps(_work("W1", counts_by_year=[{"year": 2016, "cited_by_count": 3}])),  # fits: accepted
        json.dumps(_work("W2", counts_by_year=[{"year": 2016, "cited_by_count": "three"}])),  # in an array's element
        json.dumps(_work("W3", authorships=[_entry("A1", [{**I1, "lineage": "not an array"}])])),  # three levels down
        json.dumps(_work("W4", primary_topic={"id": OA + "T1", "field": 17})),  # in a struct
        json.dumps(_work("W5", authorships="nobody")),  # an array given as a string
        json.dumps(_work("W6")) + " " + json.dumps(_work("W7")),  # two records on the line
        json.dumps(_work("W8", primary_topic={"id": OA + "T1", "score": "high"})),  # score is not declared: skipped
    ]
    (works / "part-1.jsonl").write_text("\n".join(lines) + "\n")
    spark.conf.set(json_lines.PARTIAL_RESULTS, "true")
    try:
        checked = openalex.check_works(json_lines.read_json_lines(spark, str(works), RAW_WORK), cfg.load())
        got = dict(checked.select("id", REASON).collect())
    finally:
        spark.conf.set(json_lines.PARTIAL_RESULTS, "false")
    wrong_type = "a field does not match the declared schema type"
    assert got == {
        "W1": None,
        "W2": wrong_type,
        "W3": wrong_type,
        "W4": wrong_type,
        "W5": wrong_type,
        "W6": "text after the first JSON record on the line",
        "W8": None,
    }
