"""OpenAlex ingest on hand-written records: every expected number below is counted by hand from
the records in `corpus_dir` (see the comments next to each record)."""

from __future__ import annotations

import gzip
import json

import pytest
from chispa import assert_df_equality

from jobs import config as cfg
from jobs.ingest import openalex

OA = "https://openalex.org/"


def _inst(iid, name, country, itype="education", lineage=None):
    return {
        "id": OA + iid,
        "display_name": name,
        "ror": None,
        "country_code": country,
        "type": itype,
        "lineage": [OA + x for x in (lineage or [iid])],
    }


TSINGHUA = _inst("I1", "Tsinghua University", "CN")
CASIA = _inst("I2", "Institute of Automation, Chinese Academy of Sciences", "CN", "facility", ["I2", "I19820366"])
BERKELEY = _inst("I3", "University of California, Berkeley", "US")


def _work(wid, year, **extra):
    record = {
        "id": OA + wid,
        "publication_year": year,
        "type": "article",
        "cited_by_count": 0,
        "authorships": [],
        "referenced_works": [],
        "updated_date": "2025-01-01T00:00:00",
    }
    record.update(extra)
    return record


def _authorship(aid, position, institutions, countries=None):
    return {
        "author_position": position,
        "author": {"id": OA + aid if aid else None, "display_name": f"Author {aid}"},
        "institutions": institutions,
        "countries": countries or [],
        "is_corresponding": False,
    }


W1 = _work(
    "W1",
    2015,
    cited_by_count=10,
    updated_date="2025-06-01T00:00:00",
    counts_by_year=[{"year": 2017, "cited_by_count": 6}, {"year": 2016, "cited_by_count": 4}],
    # A1 has two Chinese institutions, A2 one US institution -> 3 authorship rows
    authorships=[_authorship("A1", "first", [TSINGHUA, CASIA]), _authorship("A2", "last", [BERKELEY])],
    # W2 twice (URL and short form) counts once; W999 is dangling but a valid id -> 2 citations
    referenced_works=[OA + "W2", OA + "W999", "W2"],
    primary_topic={
        "id": OA + "T1",
        "display_name": "Deep learning",
        "field": {"id": OA + "fields/17", "display_name": "Computer Science"},
    },
    topics=[{"id": OA + "T1", "display_name": "Deep learning"}],
)
# A review; its only author has no institution but one country -> 1 row, institution null, CN
W2 = _work("W2", 2014, type="review", cited_by_count=1, authorships=[_authorship("A1", "first", [], ["CN"])])
# first authorship has no author id -> quarantined; "bogus id" is not a work id -> quarantined
W6 = _work(
    "W6",
    2016,
    authorships=[_authorship(None, "first", []), _authorship("A3", "last", [TSINGHUA])],
    referenced_works=[OA + "W1", "bogus id"],
)

FILE_A = [
    json.dumps(W1),
    json.dumps(W2),
    "not json at all",  # malformed JSON line
    json.dumps(_work("W3", 2015) | {"publication_year": "abc"}),  # type does not match
    json.dumps(_work("W4", 3000)),  # year out of range
    json.dumps(_work("W5", 2015, cited_by_count=-1)),  # negative count
    json.dumps({"title": "a work without id", "publication_year": 2015}),  # missing id
    "   ",  # blank: not a record
]
# an older copy of W1 in another file: duplicate id, the newer copy (file A) is kept
FILE_B = [json.dumps(W1 | {"updated_date": "2024-01-01T00:00:00", "cited_by_count": 3}), json.dumps(W6)]

AUTHORS = [
    json.dumps(
        {
            "id": OA + "A1",
            "display_name": "Author A1",
            "works_count": 2,
            "cited_by_count": 11,
            "summary_stats": {"h_index": 1, "i10_index": 1},
            "affiliations": [{"institution": TSINGHUA, "years": [2015, 2014]}],
        }
    ),
    json.dumps(
        {
            "id": OA + "A2",
            "display_name": "Author A2",
            "works_count": 1,
            "cited_by_count": 10,
            "summary_stats": {"h_index": 1, "i10_index": 1},
            "affiliations": [],
        }
    ),
    '{"id": "https://openalex.org/A9", "works_count": ',  # truncated line
]


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("openalex")
    (root / "works").mkdir()
    (root / "works" / "part-a.jsonl").write_text("\n".join(FILE_A) + "\n")
    with gzip.open(root / "works" / "part-b.jsonl.gz", "wt") as handle:
        handle.write("\n".join(FILE_B) + "\n")
    (root / "authors").mkdir()
    (root / "authors" / "part-0.jsonl").write_text("\n".join(AUTHORS) + "\n")
    return root


@pytest.fixture(scope="module")
def ingested(spark, corpus_dir, tmp_path_factory):
    from jobs.warehouse import Warehouse

    warehouse = Warehouse(str(tmp_path_factory.mktemp("wh") / "warehouse"))
    report = openalex.run(spark, cfg.load(), str(corpus_dir), warehouse)
    return warehouse, report


def test_read_equals_accepted_plus_quarantined(ingested):
    _, report = ingested
    counts = {table: (c.read, c.accepted, c.quarantined) for table, c in report.counts.items()}
    assert counts == {
        "papers": (9, 3, 6),
        "authorships": (5, 4, 1),
        "citations": (4, 3, 1),
        "authors": (3, 2, 1),
    }


def test_clean_entity_lands_in_one_write_and_a_repeated_id_lands_again(spark, ingested):
    # authors repeat no id: parsed, counted and landed in one write (one bronze version) with
    # their reject counted in that pass; works repeat W1: the first write keeps both accepted
    # copies, the second replaces it with one copy per id.
    from delta.tables import DeltaTable

    warehouse, _ = ingested

    def versions(entity):
        history = DeltaTable.forPath(spark, warehouse.path(entity, "bronze")).history()
        return sorted((r.version, r.operationMetrics["numOutputRows"]) for r in history.collect())

    assert versions("authors") == [(0, "2")]
    assert versions("works") == [(0, "4"), (1, "3")]
    ids = [r.id for r in warehouse.read(spark, "works", "bronze").select("id").collect()]
    assert sorted(ids) == ["W1", "W2", "W6"]


def test_quarantine_reasons(spark, ingested):
    warehouse, _ = ingested
    rows = warehouse.read(spark, "quarantine").select("source", "record_id", "reason").collect()
    got = sorted(((r.source, r.record_id, r.reason) for r in rows), key=str)
    assert got == sorted(
        [
            ("openalex.works", None, "malformed JSON line"),
            ("openalex.works", "W3", "a field does not match the declared schema type"),
            ("openalex.works", "W4", "publication_year 3000 outside 1800-2100"),
            ("openalex.works", "W5", "negative cited_by_count"),
            ("openalex.works", None, "missing id"),
            ("openalex.works", "W1", "duplicate id"),
            ("openalex.authorships", "W6", "authorship without author id"),
            ("openalex.citations", "W6", "referenced work id is not an OpenAlex work id"),
            ("openalex.authors", None, "malformed JSON line"),
        ],
        key=str,
    )
    duplicate = warehouse.read(spark, "quarantine").where("reason = 'duplicate id'").first()
    assert duplicate.source_file.endswith("part-b.jsonl.gz") and '"cited_by_count": 3' in duplicate.raw


def test_papers(spark, ingested):
    warehouse, _ = ingested
    papers = warehouse.read(spark, "papers").select(
        "paper_id", "publication_year", "is_review", "cited_by_count", "field_name", "n_authors", "n_references"
    )
    expected = spark.createDataFrame(
        [
            ("W1", 2015, False, 10, "Computer Science", 2, 3),
            ("W2", 2014, True, 1, None, 1, 0),
            ("W6", 2016, False, 0, None, 2, 2),
        ],
        papers.schema,
    )
    assert_df_equality(papers, expected, ignore_row_order=True, ignore_nullable=True)
    w1 = warehouse.read(spark, "papers").where("paper_id = 'W1'").first()
    assert [(c.year, c.cited_by_count) for c in w1.counts_by_year] == [(2017, 6), (2016, 4)]
    assert w1.topic_names == ["Deep learning"]


def test_authorships_one_row_per_institution(spark, ingested):
    warehouse, _ = ingested
    got = warehouse.read(spark, "authorships").select(
        "paper_id", "author_id", "author_order", "institution_id", "country_code", "n_author_institutions"
    )
    expected = spark.createDataFrame(
        [
            ("W1", "A1", 1, "I1", "CN", 2),
            ("W1", "A1", 1, "I2", "CN", 2),
            ("W1", "A2", 2, "I3", "US", 1),
            ("W2", "A1", 1, None, "CN", 0),
            ("W6", "A3", 2, "I1", "CN", 1),
        ],
        got.schema,
    )
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)


def test_citations_strip_and_dedupe(spark, ingested):
    warehouse, _ = ingested
    got = warehouse.read(spark, "citations")
    expected = spark.createDataFrame(
        [("W1", "W2", 2015), ("W1", "W999", 2015), ("W6", "W1", 2016)],
        "citing_paper_id string, cited_paper_id string, citing_year int",
    )
    assert_df_equality(got.select(*expected.columns), expected, ignore_row_order=True, ignore_nullable=True)


def test_silver_tables_keep_statistics_on_their_zorder_keys(spark, ingested):
    """The tables the config Z-orders carry Delta statistics on those keys only; the others keep
    Delta's default (no property)."""
    warehouse, _ = ingested
    keys = {
        name: spark.sql(f"DESCRIBE DETAIL delta.`{warehouse.path(name)}`")
        .first()["properties"]
        .get("delta.dataSkippingStatsColumns")
        for name in ("papers", "authorships", "citations", "author_affiliation_years", "authors", "institutions")
    }
    assert keys == {
        "papers": "paper_id",
        "authorships": "author_id,paper_id",
        "citations": "cited_paper_id",
        "author_affiliation_years": "author_id",
        "authors": None,
        "institutions": None,
    }


def test_institutions_canonicalised(spark, ingested):
    warehouse, _ = ingested
    got = warehouse.read(spark, "institutions").select(
        "institution_id", "country_code", "canonical_id", "canonical_name", "source"
    )
    expected = spark.createDataFrame(
        [
            ("I1", "CN", "I1", "Tsinghua University", "references"),
            ("I2", "CN", "I19820366", "Chinese Academy of Sciences", "references"),
            ("I3", "US", "I2803209242", "University of California System", "references"),
        ],
        got.schema,
    )
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)


def test_authors_and_affiliation_years(spark, ingested):
    warehouse, _ = ingested
    authors = warehouse.read(spark, "authors").select("author_id", "source_h_index", "source")
    assert sorted(map(tuple, authors.collect())) == [
        ("A1", 1, "author_record"),
        ("A2", 1, "author_record"),
        ("A3", None, "works"),
    ]
    years = warehouse.read(spark, "author_affiliation_years")
    got = sorted(map(tuple, years.select("author_id", "institution_id", "year", "source", "n_papers").collect()), key=str)
    assert got == sorted(
        [
            ("A1", "I1", 2015, "works", 1),
            ("A1", "I2", 2015, "works", 1),
            ("A2", "I3", 2015, "works", 1),
            ("A3", "I1", 2016, "works", 1),
            ("A1", "I1", 2015, "author_record", None),
            ("A1", "I1", 2014, "author_record", None),
        ],
        key=str,
    )


def test_affiliation_years_count_distinct_papers_in_one_shuffle(spark):
    # A1 at I1 in 2015: W1 (listed twice, orders 1 and 3: one paper) and W2 -> 2 papers.
    # A1 at I2 in 2015: W1 -> 1. A2 at I1 in 2016: W3 -> 1. A2 on W4 without institution: no row.
    authorships = spark.createDataFrame(
        [
            ("W1", "A1", "I1", 2015),
            ("W1", "A1", "I1", 2015),
            ("W2", "A1", "I1", 2015),
            ("W1", "A1", "I2", 2015),
            ("W3", "A2", "I1", 2016),
            ("W4", "A2", None, 2016),
        ],
        "paper_id string, author_id string, institution_id string, publication_year int",
    )
    got = openalex.affiliation_years_from_works(authorships)
    assert sorted(map(tuple, got.collect())) == [
        ("A1", "I1", 2015, "works", 2),
        ("A1", "I2", 2015, "works", 1),
        ("A2", "I1", 2016, "works", 1),
    ]
    # One shuffle (by author); countDistinct would plan two. (A fresh frame: the plan before it runs.)
    plan = openalex.affiliation_years_from_works(authorships)._jdf.queryExecution().executedPlan().toString()
    assert plan.count("Exchange hashpartitioning") == 1, plan


def test_affiliation_years_from_authors_each_listed_pair_once_without_a_shuffle(spark):
    # A1 lists I1 twice (2014-2015, then 2015-2016, the second as a full URL): 2015 once, so
    # I1 gives 2014, 2015, 2016; I2 has no years (no row), a null year in I3's list is skipped,
    # an affiliation without institution id gives nothing. A2 lists I1 in 2015 too: its own row.
    # A3 has no affiliations at all.
    schema = "id string, affiliations array<struct<institution: struct<id: string>, years: array<int>>>"
    authors = spark.createDataFrame(
        [
            (
                "A1",
                [
                    ({"id": "I1"}, [2015, 2014]),
                    ({"id": "https://openalex.org/I1"}, [2015, 2016]),
                    ({"id": "I2"}, None),
                    ({"id": "I3"}, [None, 2013]),
                    ({"id": None}, [2012]),
                    (None, [2011]),
                ],
            ),
            ("A2", [({"id": "I1"}, [2015])]),
            ("A3", None),
        ],
        schema,
    )
    got = openalex.affiliation_years_from_authors(authors)
    assert sorted(map(tuple, got.collect())) == [
        ("A1", "I1", 2014, "author_record", None),
        ("A1", "I1", 2015, "author_record", None),
        ("A1", "I1", 2016, "author_record", None),
        ("A1", "I3", 2013, "author_record", None),
        ("A2", "I1", 2015, "author_record", None),
    ]
    plan = openalex.affiliation_years_from_authors(authors)._jdf.queryExecution().executedPlan().toString()
    assert "Exchange" not in plan, plan


def test_rerun_gives_the_same_tables(spark, ingested, corpus_dir):
    warehouse, _ = ingested
    before = {t: warehouse.read(spark, t).collect() for t in ("papers", "authorships", "citations", "quarantine")}
    openalex.run(spark, cfg.load(), str(corpus_dir), warehouse)
    for table, rows in before.items():
        assert sorted(map(str, warehouse.read(spark, table).collect())) == sorted(map(str, rows)), table
    # the previous version stays readable (Delta time travel)
    old = spark.read.format("delta").option("versionAsOf", 0).load(warehouse.path("papers"))
    assert old.count() == 3


def test_missing_input_is_a_clear_error(spark, tmp_path):
    from jobs.ingest.common import IngestError
    from jobs.warehouse import Warehouse

    with pytest.raises(IngestError, match="no OpenAlex input"):
        openalex.run(spark, cfg.load(), str(tmp_path / "nowhere"), Warehouse(str(tmp_path / "wh")))


def test_strip_openalex_id(spark):
    df = spark.createDataFrame(
        [("https://openalex.org/W12",), ("W7",), ("",), (None,), (" https://openalex.org/A3 ",)], "raw string"
    )
    got = [r.id for r in df.select(openalex.strip_openalex_id("raw").alias("id")).collect()]
    assert got == ["W12", "W7", None, None, "A3"]


def test_a_delivery_merges_into_bronze_written_with_more_raw_fields(spark, tmp_path):
    # bronze/works as a release that declared more raw fields wrote it (a topic's id and score, a
    # work's language), then a nightly delivery replacing W1 and adding W7. The fields the
    # reader no longer declares are null in the two delivered records (their files still carry
    # them), W2 keeps its stored ones, and silver's topic names come from each current record.
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from jobs.ingest.common import SOURCE_FILE
    from jobs.warehouse import Warehouse
    from schemas.raw import RAW_WORK

    scored = T.StructType(
        [T.StructField(n, t) for n, t in (("id", T.StringType()), ("display_name", T.StringType()), ("score", T.DoubleType()))]
    )
    wider = T.StructType(
        [T.StructField("topics", T.ArrayType(scored)) if f.name == "topics" else f for f in RAW_WORK.fields]
        + [T.StructField("language", T.StringType())]
    )
    old_w1 = W1 | {"id": "W1", "topics": [{"id": OA + "T1", "display_name": "Deep learning", "score": 0.9}], "language": "en"}
    old_w2 = W2 | {"id": "W2", "topics": [{"id": OA + "T2", "display_name": "Graphs", "score": 0.5}], "language": "de"}
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "part-0.jsonl").write_text(json.dumps(old_w1) + "\n" + json.dumps(old_w2) + "\n")
    warehouse = Warehouse(str(tmp_path / "warehouse"))
    stored = spark.read.schema(wider).json(str(tmp_path / "old")).withColumn(SOURCE_FILE, F.lit("old/part-0.jsonl"))
    warehouse.write(stored, "works", layer="bronze")

    delivered = [
        W1 | {"updated_date": "2026-01-01T00:00:00", "topics": [{"id": OA + "T9", "display_name": "Transformers", "score": 0.8}]},
        _work("W7", 2016, topics=[{"id": OA + "T2", "display_name": "Graphs", "score": 0.7}], language="fr"),
    ]
    (tmp_path / "delivery" / "works").mkdir(parents=True)
    (tmp_path / "delivery" / "works" / "part-0.jsonl").write_text("\n".join(json.dumps(w) for w in delivered) + "\n")
    openalex.run(spark, cfg.load(), str(tmp_path / "delivery"), warehouse, incremental=True)

    bronze_works = warehouse.read(spark, "works", "bronze")
    assert bronze_works.schema["topics"].dataType == T.ArrayType(scored)
    rows = {r.id: (r.language, [tuple(t) for t in r.topics]) for r in bronze_works.collect()}
    assert rows == {
        "W1": (None, [(None, "Transformers", None)]),
        "W2": ("de", [(OA + "T2", "Graphs", 0.5)]),
        "W7": (None, [(None, "Graphs", None)]),
    }
    names = {r.paper_id: r.topic_names for r in warehouse.read(spark, "papers").collect()}
    assert names == {"W1": ["Transformers"], "W2": ["Graphs"], "W7": ["Graphs"]}


def test_a_delivery_with_a_field_bronze_lacks_is_a_clear_error(spark):
    from jobs.ingest import bronze
    from jobs.ingest.common import IngestError

    delivered = spark.createDataFrame([("W1", ("T1", "x"))], "id string, primary_topic struct<id:string,display_name:string>")
    with pytest.raises(IngestError, match=r"without primary_topic\.display_name: run a full ingest"):
        bronze.in_stored_layout(
            delivered, spark.createDataFrame([], "id string, primary_topic struct<id:string>").schema, "works"
        )
