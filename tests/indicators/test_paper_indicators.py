"""Output/impact, top 1%, golden cross, h-index and h5 on hand-built frames. Every expected
number is worked out in the comments from the SPEC definitions."""

from __future__ import annotations

import pytest
from chispa import assert_approx_df_equality, assert_df_equality
from pyspark.sql import functions as F

from jobs.indicators import golden_cross, institution_h5, output_impact, talent, top_cited
from jobs.indicators.common import fractional_weights, rank_desc, with_citations
from tests.plans import first_shuffle_or_sort_above_scan

AUTHORSHIPS = (
    "paper_id string, author_id string, author_order int, institution_id string, country_code string, n_author_institutions int"
)


@pytest.fixture(scope="module")
def counting_corpus(spark):
    # P1 (10 citations): au1 has two Chinese institutions I1, I2 (both roll up to I9), au2 is at I3 (US).
    # P2 (4 citations): au3 at I3 (US). P3 (0 citations): au4 without institution or country.
    papers = spark.createDataFrame(
        [("P1", 2018, 10), ("P2", 2019, 4), ("P3", 2019, 0)], "paper_id string, publication_year int, citations long"
    )
    authorships = spark.createDataFrame(
        [
            ("P1", "au1", 1, "I1", "CN", 2),
            ("P1", "au1", 1, "I2", "CN", 2),
            ("P1", "au2", 2, "I3", "US", 1),
            ("P2", "au3", 1, "I3", "US", 1),
            ("P3", "au4", 1, None, None, 0),
        ],
        AUTHORSHIPS,
    )
    institutions = spark.createDataFrame(
        [("I1", "I9", "CAS", "CN"), ("I2", "I9", "CAS", "CN"), ("I3", "I3", "MIT", "US")],
        "institution_id string, canonical_id string, canonical_name string, country_code string",
    )
    return papers, authorships, institutions


def test_output_by_country_full_and_fractional(spark, counting_corpus):
    papers, authorships, _ = counting_corpus
    got = output_impact.by_country(papers, authorships)
    # full: CN counts P1 once (two CN institutions) -> 1 paper, 10 citations; US counts P1 and P2 -> 2, 14, mean 7.
    # fractional: P1 has 2 authors; au1's 1/2 splits over I1, I2 (both CN) -> CN 0.5; au2 -> US 0.5; P2 -> US 1.
    #   CN: 0.5 papers, 0.5*10 = 5 citations, mean 10; US: 1.5 papers, 0.5*10 + 4 = 9 citations, mean 6.
    # P3 has no country: counted nowhere.
    expected = spark.createDataFrame(
        [
            ("full", "US", 2.0, 14.0, 7.0, 1),
            ("full", "CN", 1.0, 10.0, 10.0, 2),
            ("fractional", "US", 1.5, 9.0, 6.0, 1),
            ("fractional", "CN", 0.5, 5.0, 10.0, 2),
        ],
        got.schema,
    )
    assert_approx_df_equality(got, expected, 1e-9, ignore_row_order=True, ignore_nullable=True)


def test_fractional_weights_count_the_distinct_authors_kept(spark):
    # P1 kept authors 1 and 3 (author 2 was dropped at ingest): n_authors = 2, not max order 3.
    # Author 1 has two institutions: 1/2/2 = 0.25 on each row; author 3 has none: 1/2/1 = 0.5.
    # P2: one author with three institution rows: 1/1/3 each, summing to 1.
    authorships = spark.createDataFrame(
        [
            ("P1", "a1", 1, "I1", "CN", 2),
            ("P1", "a1", 1, "I2", "CN", 2),
            ("P1", "a3", 3, None, "US", 0),
            ("P2", "b1", 1, "I1", "CN", 3),
            ("P2", "b1", 1, "I2", "CN", 3),
            ("P2", "b1", 1, "I3", "US", 3),
        ],
        AUTHORSHIPS,
    )
    got = fractional_weights(authorships)
    expected = spark.createDataFrame(
        [
            ("P1", "I1", "CN", 0.25),
            ("P1", "I2", "CN", 0.25),
            ("P1", None, "US", 0.5),
            ("P2", "I1", "CN", 1 / 3),
            ("P2", "I2", "CN", 1 / 3),
            ("P2", "I3", "US", 1 / 3),
        ],
        got.schema,
    )
    assert_approx_df_equality(got, expected, 1e-12, ignore_row_order=True, ignore_nullable=True)


def test_rank_desc_ties_sums_that_differ_by_one_ulp(spark):
    # 0.1 + 0.2 + 0.3 and 0.3 + 0.2 + 0.1 are the same fractional count added in two orders:
    # 0.6000000000000001 vs 0.6. They tie (rank 1, 1); 0.5 comes third (competition rank).
    a = 0.1 + 0.2 + 0.3
    b = 0.3 + 0.2 + 0.1
    assert a != b
    df = spark.createDataFrame([("A", a), ("B", b), ("C", 0.5)], "unit string, papers double")
    ranked = {r["unit"]: r["rank"] for r in df.select("unit", rank_desc("papers").alias("rank")).collect()}
    assert ranked == {"A": 1, "B": 1, "C": 3}


def test_output_by_institution_rolls_up(spark, counting_corpus):
    papers, authorships, institutions = counting_corpus
    got = output_impact.by_institution(papers, authorships, institutions).select(
        "counting", "canonical_id", "papers", "citations", "rank"
    )
    # full: I9 (CAS) counts P1 once though two member institutions sign it: 1 paper, 10 citations;
    #   I3: P1 + P2 -> 2 papers, 14 citations.
    # fractional: I9 gets au1's 0.25 + 0.25 = 0.5 (5 citations); I3 gets 0.5 + 1 = 1.5 (0.5*10 + 4 = 9).
    expected = spark.createDataFrame(
        [
            ("full", "I3", 2.0, 14.0, 1),
            ("full", "I9", 1.0, 10.0, 2),
            ("fractional", "I3", 1.5, 9.0, 1),
            ("fractional", "I9", 0.5, 5.0, 2),
        ],
        got.schema,
    )
    assert_approx_df_equality(got, expected, 1e-9, ignore_row_order=True, ignore_nullable=True)


def _cell(field, year, citations, prefix):
    return [(f"{prefix}{i}", field, year, c) for i, c in enumerate(citations, start=1)]


@pytest.fixture(scope="module")
def top_cited_papers(spark):
    rows = (
        # F1/2018: 150 papers, k = ceil(1.5) = 2; sorted 50, 30, 30, 1... -> threshold 30; the tie at 30 qualifies: 3 top papers
        _cell("F1", 2018, [50, 30, 30] + [1] * 147, "a")
        # F1/2019: 100 papers, k = 1, threshold 2 <= 2 -> no top paper in this cell
        + _cell("F1", 2019, [2] + [0] * 99, "b")
        # F2/2018: 700 papers, k = ceil(7.00) = 7 (floating point says 7.000000000000001 -> 8): 16..10 then 9 -> threshold 10
        + _cell("F2", 2018, [16, 15, 14, 13, 12, 11, 10, 9] + [0] * 692, "c")
        # no field: its own cell; 1 paper, k = 1, threshold 5 -> top
        + _cell(None, 2018, [5], "d")
    )
    return spark.createDataFrame(rows, "paper_id string, field_id string, publication_year int, citations long")


def test_top_cited_thresholds(spark, top_cited_papers):
    got = top_cited.cell_thresholds(top_cited_papers, 0.01, 2)
    expected = spark.createDataFrame(
        [
            ("F1", 2018, 150, 2, 30, True),
            ("F1", 2019, 100, 1, 2, False),
            ("F2", 2018, 700, 7, 10, True),
            ("unknown", 2018, 1, 1, 5, True),
        ],
        "field_id string, publication_year int, cell_size long, threshold_rank long, threshold long, has_top boolean",
    )
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)


def test_top_cited_flags(spark, top_cited_papers):
    thresholds = top_cited.cell_thresholds(top_cited_papers, 0.01, 2)
    got = sorted(r.paper_id for r in top_cited.flag_top(top_cited_papers, thresholds).collect())
    assert got == sorted(["a1", "a2", "a3", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "d1"])


def _series(spark, rows):
    return spark.createDataFrame(rows, "country_code string, year int, papers double")


def test_golden_cross(spark):
    # CN 1, 2, 3, 5, 4 vs US 2, 2, 4, 4, 5 (2012-2016): CN is at or below until 2014 and exceeds in 2015 (5 > 4).
    yearly = _series(
        spark,
        [("CN", 2012 + i, float(v)) for i, v in enumerate([1, 2, 3, 5, 4])]
        + [("US", 2012 + i, float(v)) for i, v in enumerate([2, 2, 4, 4, 5])],
    )
    series = golden_cross.pair_series(spark, yearly, "papers", "CN", "US", 2012, 2016)
    got = golden_cross.crossings(series).collect()
    assert [(r.cross_year, r.challenger_value, r.leader_value) for r in got] == [(2015, 5.0, 4.0)]


def test_golden_cross_never_and_zero_filled(spark):
    # DE leads from the first year and never falls back: no cross. FR has no row in 2013 (0) and
    # 1 in 2014 against JP's 0 in 2014 (missing year = 0): 2013 0 <= 0, 2014 1 > 0 -> 2014.
    yearly = _series(
        spark,
        [("DE", y, 5.0) for y in (2012, 2013, 2014)]
        + [("JP", y, 1.0) for y in (2012, 2013, 2014)]
        + [("FR", 2012, 0.0), ("FR", 2014, 1.0), ("JP2", 2012, 1.0)],
    )
    never = golden_cross.crossings(golden_cross.pair_series(spark, yearly, "papers", "DE", "JP", 2012, 2014)).first()
    assert never.cross_year is None
    zero_filled = golden_cross.pair_series(spark, yearly, "papers", "FR", "JP2", 2012, 2014)
    assert [(r.year, r.challenger_value, r.leader_value) for r in zero_filled.orderBy("year").collect()] == [
        (2012, 0.0, 1.0),
        (2013, 0.0, 0.0),
        (2014, 1.0, 0.0),
    ]
    assert golden_cross.crossings(zero_filled).first().cross_year == 2014


def test_h_index(spark):
    rows = (
        [("X", f"x{i}", c) for i, c in enumerate([10, 8, 5, 4, 3])]  # h 4 (4 papers >= 4; not 5 >= 5), i10 1
        + [("Y", "y1", 0), ("Y", "y2", 0)]  # h 0
        + [("W", "w1", 100)]  # h 1: one paper caps it
        + [("T", f"t{i}", 3) for i in range(3)]  # ties: 3 papers with 3 -> h 3
        # An author on a paper with two institutions is two authorship rows; the paper counts
        # once: D's d1 (2 citations) twice is h 1 (counted twice it would be h 2), 1 paper, 2
        # citations. X's x0 and x3 repeated change none of X's numbers.
        + [("D", "d1", 2), ("D", "d1", 2), ("X", "x0", 10), ("X", "x3", 4), ("X", "x3", 4)]
    )
    got = talent.h_index(spark.createDataFrame(rows, "author_id string, paper_id string, citations long"))
    expected = spark.createDataFrame(
        [("X", 4, 1, 5, 30), ("Y", 0, 0, 2, 0), ("W", 1, 1, 1, 100), ("T", 3, 0, 3, 9), ("D", 1, 0, 1, 2)],
        "author_id string, h_index int, i10_index int, paper_count int, citations long",
    )
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)


def test_latest_affiliation(spark):
    rows = [
        ("X", "I1", 2018, "works", 2),
        ("X", "I2", 2019, "works", 1),
        ("X", "I3", 2019, "works", 1),  # ties with I2 on papers: the greatest id wins
        ("X", "I4", 2019, "author_record", None),  # same year, but works beat the record
        ("Y", "I5", 2020, "author_record", None),  # only a record: it counts
        ("Z", "I6", 2021, "author_record", None),  # a later record year beats earlier works
        ("Z", "I7", 2020, "works", 9),
    ]
    df = spark.createDataFrame(rows, "author_id string, institution_id string, year int, source string, n_papers long")
    got = sorted(map(tuple, talent.latest_affiliation(df).collect()))
    assert got == [("X", 2019, "I3"), ("Y", 2020, "I5"), ("Z", 2021, "I6")]


def test_latest_affiliation_sorts_shuffle_partitions_not_scan_splits(spark, tmp_path):
    """The author-years are shuffled by author before anything sorts them: a sort of a whole scan
    split before the shuffle (Spark's partial window group limit) is what a compacted,
    well-compressed table turns into a task too large for Comet's native sort. Without the
    repartition the first node above the scan is that Sort."""
    rows = [("X", "I1", 2018, "works", 2), ("Y", "I5", 2020, "author_record", None)]
    path = str(tmp_path / "affiliation_years")
    spark.createDataFrame(rows, "author_id string, institution_id string, year int, source string, n_papers long").write.parquet(
        path
    )
    latest = talent.latest_affiliation(spark.read.parquet(path))
    assert "Exchange" in first_shuffle_or_sort_above_scan(latest)


def test_institution_h5(spark):
    # Window end 2021, 5 years -> 2017..2021. I9's papers there: 5, 5, 5, 5, 5, 1 -> h5 = 5;
    # its 2016 paper with 100 citations is outside. I3: one 2020 paper with 0 citations -> h5 0.
    papers = spark.createDataFrame(
        [(f"q{i}", 2017 + i % 5, 5) for i in range(5)] + [("q5", 2021, 1), ("old", 2016, 100), ("z", 2020, 0)],
        "paper_id string, publication_year int, citations long",
    )
    authorships = spark.createDataFrame(
        [(p, "a", 1, "I1", "CN", 1) for p in ["q0", "q1", "q2", "q3", "q4", "q5", "old"]] + [("z", "b", 1, "I3", "US", 1)],
        AUTHORSHIPS,
    )
    institutions = spark.createDataFrame(
        [("I1", "I9", "CAS", "CN"), ("I3", "I3", "MIT", "US")],
        "institution_id string, canonical_id string, canonical_name string, country_code string",
    )
    first, last = institution_h5.h5_years(2021, 5)
    assert (first, last) == (2017, 2021)
    got = institution_h5.institution_h5(papers, authorships, institutions, first, last).select(
        "canonical_id", "h5_index", "papers", "rank"
    )
    assert sorted(map(tuple, got.collect())) == [("I3", 0, 1, 2), ("I9", 5, 6, 1)]


def test_institution_h5_between_citation_counts_and_shared_papers(spark):
    # 2017..2021. I9 (members I1, I2): papers with 10, 10, 10 and 2 citations; r1 is signed by
    # both members and counts once. 3 papers have >= 3 citations and not 4 have >= 4: h5 = 3,
    # a value between the counts 2 and 10. Papers 4, citations 10 + 10 + 10 + 2 = 32.
    papers = spark.createDataFrame(
        [("r1", 2018, 10), ("r2", 2019, 10), ("r3", 2020, 10), ("r4", 2021, 2)],
        "paper_id string, publication_year int, citations long",
    )
    authorships = spark.createDataFrame(
        [("r1", "a", 1, "I1", "CN", 2), ("r1", "a", 1, "I2", "CN", 2)] + [(p, "a", 1, "I1", "CN", 1) for p in ["r2", "r3", "r4"]],
        AUTHORSHIPS,
    )
    institutions = spark.createDataFrame(
        [("I1", "I9", "CAS", "CN"), ("I2", "I9", "CAS", "CN")],
        "institution_id string, canonical_id string, canonical_name string, country_code string",
    )
    got = institution_h5.institution_h5(papers, authorships, institutions, 2017, 2021).select(
        "canonical_id", "h5_index", "papers", "citations"
    )
    assert [tuple(r) for r in got.collect()] == [("I9", 3, 4, 32)]


def test_yearly_citations_edges_then_source(spark):
    # Y1 has in-corpus citing edges (2019 twice, 2020 once): those count, its counts_by_year is ignored.
    # Y2 has none: its OpenAlex counts_by_year is used (zero years dropped).
    papers = spark.createDataFrame(
        [("Y1", [(2019, 50)]), ("Y2", [(2020, 3), (2021, 0)])],
        "paper_id string, counts_by_year array<struct<year:int, cited_by_count:long>>",
    )
    citations = spark.createDataFrame(
        [("c1", "Y1", 2019), ("c2", "Y1", 2019), ("c3", "Y1", 2020), ("c4", "OTHER", 2020)],
        "citing_paper_id string, cited_paper_id string, citing_year int",
    )
    got = sorted(map(tuple, output_impact.yearly_citations(papers, citations).collect()))
    assert got == [
        ("Y1", 2019, 2, "in_corpus_edges"),
        ("Y1", 2020, 1, "in_corpus_edges"),
        ("Y2", 2020, 3, "source_counts_by_year"),
    ]


def test_citations_from_cited_by_count_else_in_corpus_edges(spark):
    # Q1 has cited_by_count 7 (its one in-corpus edge is not added: 7 is the full count);
    # Q2 has none: its two citing edges give 2. Q3's 0 is a count, not a missing one.
    papers = spark.createDataFrame([("Q1", 7), ("Q2", None), ("Q3", 0)], "paper_id string, cited_by_count long")
    citations = spark.createDataFrame([("c1", "Q2"), ("c2", "Q2"), ("c3", "Q1")], "citing_paper_id string, cited_paper_id string")
    got = sorted(map(tuple, with_citations(papers, citations).collect()))
    assert got == [
        ("Q1", 7, 7, "source_cited_by_count"),
        ("Q2", None, 2, "in_corpus_edges"),
        ("Q3", 0, 0, "source_cited_by_count"),
    ]


def test_citations_skip_the_edges_when_every_paper_has_a_count(spark):
    # Every paper has cited_by_count: the edges must not be evaluated at all. These edges raise
    # an error when Spark computes them, so counting them would fail the test.
    papers = spark.createDataFrame([("Q1", 7), ("Q3", 0)], "paper_id string, cited_by_count long")
    exploding = spark.range(1).select(F.raise_error(F.lit("edges were counted")).cast("string").alias("cited_paper_id"))
    got = with_citations(papers, exploding)
    assert sorted(map(tuple, got.collect())) == [("Q1", 7, 7, "source_cited_by_count"), ("Q3", 0, 0, "source_cited_by_count")]
    assert dict(got.dtypes)["citations"] == "bigint"
