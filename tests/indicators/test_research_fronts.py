"""Research fronts and sleeping beauties (SPEC item 9), on hand-built data with the answers worked
out by hand in the comments."""

from __future__ import annotations

import math

import pytest

from jobs.indicators import research_fronts as rf
from jobs.indicators import sleeping_beauties as sb
from jobs.indicators.fronts import core_references, links_from_references

YEAR_END = 2021


def _refs(spark, pairs):
    return spark.createDataFrame(
        [(c, p, 2020) for c, p in pairs], "citing_paper_id string, cited_paper_id string, citing_year int"
    )


def test_links_thresholds_and_fronts_as_components(spark):
    """Core citations: A 10, B 10, C 10, D 400, E 100, F 10.
    c1 and c2 cite A, B, C -> AB 2, AC 2, BC 2, strength 2/sqrt(10*10) = 0.2: linked.
    c3 and c4 cite D, E -> DE 2, strength 2/sqrt(400*100) = 0.01 < 0.1: not linked.
    c5 cites E, F -> EF 1 < 2: not linked.
    Fronts: {A, B, C} named A; D, E, F stay out (singletons are not fronts)."""
    core = spark.createDataFrame(
        [(p, n) for p, n in zip("ABCDEF", (10, 10, 10, 400, 100, 10))], "paper_id string, citations long"
    )
    citations = _refs(
        spark,
        [
            ("c1", "A"),
            ("c1", "B"),
            ("c1", "C"),
            ("c2", "A"),
            ("c2", "B"),
            ("c2", "C"),
            ("c3", "D"),
            ("c3", "E"),
            ("c4", "D"),
            ("c4", "E"),
            ("c5", "E"),
            ("c5", "F"),
        ],
    )
    refs = core_references(core, citations)
    links = links_from_references(core, rf.bounded_references(refs, 300), 2, 0.1)
    assert sorted((r.paper_a, r.paper_b, r.cocitations) for r in links.collect()) == [("A", "B", 2), ("A", "C", 2), ("B", "C", 2)]
    members = {r.paper_id: r.front_id for r in rf.front_membership(links).collect()}
    assert members == {"A": "A", "B": "A", "C": "A"}
    # Without the strength threshold D-E is a link and a second front, named D.
    loose = links_from_references(core, refs, 2, 0.0)
    assert {r.paper_id: r.front_id for r in rf.front_membership(loose).collect()} == {
        "A": "A",
        "B": "A",
        "C": "A",
        "D": "D",
        "E": "D",
    }


def test_long_reference_lists_are_left_out_of_pairs_and_counted(spark):
    """r1 cites 4 core papers (6 pairs), c1 and c2 cite 2 each (1 pair each). With at most 3 core
    references per citing paper, r1 is left out: 8 pair instances, 6 of them left out."""
    core = spark.createDataFrame([(p, 5) for p in "ABCD"], "paper_id string, citations long")
    refs = core_references(core, _refs(spark, [("r1", p) for p in "ABCD"] + [("c1", "A"), ("c1", "B"), ("c2", "A"), ("c2", "B")]))
    stats = rf.pair_statistics(refs, 3)
    assert stats == {"citing_papers": 3, "pair_instances": 8, "left_out_papers": 1, "left_out_pairs": 6}
    bounded = rf.bounded_references(refs, 3)
    assert sorted(r.citing_paper_id for r in bounded.select("citing_paper_id").distinct().collect()) == ["c1", "c2"]
    # AB is co-cited by c1 and c2 only (r1 is out): 2 co-citations, strength 2/5.
    links = links_from_references(core, bounded, 2, 0.1).collect()
    assert [(r.paper_a, r.paper_b, r.cocitations, r.strength) for r in links] == [("A", "B", 2, pytest.approx(0.4))]


# Yearly citations per core paper (year 2022 is after the window and is ignored):
# front R (R1, R2): 2017 1, 2018 2, 2019 1+2=3, 2020 4, 2021 5 -> rising, slope 1.
# front S (S1, S2): 2018 6, 2019 3, then nothing: 2020 and 2021 are zero years -> declining.
# front Q (Q1, Q2): 2019 2, 2020 10, 2021 30 -> rising fast.
YEARLY = [
    ("R1", 2017, 1),
    ("R1", 2018, 2),
    ("R1", 2019, 1),
    ("R2", 2019, 2),
    ("R2", 2020, 4),
    ("R2", 2021, 5),
    ("R2", 2022, 7),
    ("S1", 2018, 6),
    ("S2", 2019, 3),
    ("Q1", 2019, 2),
    ("Q1", 2020, 10),
    ("Q2", 2021, 30),
]
MEMBERS = [("R1", "R1"), ("R2", "R1"), ("S1", "S1"), ("S2", "S1"), ("Q1", "Q1"), ("Q2", "Q1")]


def test_yearly_series_trend_and_frontier_index(spark):
    members = spark.createDataFrame(MEMBERS, "paper_id string, front_id string")
    yearly = spark.createDataFrame(YEARLY, "paper_id string, year int, citations long")
    series = rf.front_yearly(members, yearly, YEAR_END)
    got = {(r.front_id, r.year): r.citations for r in series.collect()}
    assert got == {
        ("R1", 2017): 1,
        ("R1", 2018): 2,
        ("R1", 2019): 3,
        ("R1", 2020): 4,
        ("R1", 2021): 5,
        ("S1", 2018): 6,
        ("S1", 2019): 3,
        ("S1", 2020): 0,
        ("S1", 2021): 0,
        ("Q1", 2019): 2,
        ("Q1", 2020): 10,
        ("Q1", 2021): 30,
    }
    trends = {r.front_id: r for r in rf.with_frontier_index(rf.front_trends(series)).collect()}
    r, s, q = trends["R1"], trends["S1"], trends["Q1"]
    # R: c_total 15, citations 2017..2021 -> t 4; slope of 1,2,3,4,5 is 1; raw 15 * 1 / 4 = 3.75.
    assert (r.c_total, r.first_citation_year, r.last_citation_year, r.t_years) == (15, 2017, 2021, 4)
    assert r.s_trend == pytest.approx(1.0) and r.frontier_raw == pytest.approx(3.75)
    # S: 6, 3, 0, 0 around 2019.5: sum (x - mean)(y - mean) = -10.5 over sum (x - mean)^2 = 5 -> -2.1;
    # citations stop in 2019: t = 2019 - 2018 = 1; raw 9 * -2.1 / 1 = -18.9.
    assert (s.c_total, s.first_citation_year, s.last_citation_year, s.t_years) == (9, 2018, 2019, 1)
    assert s.s_trend == pytest.approx(-2.1) and s.frontier_raw == pytest.approx(-18.9)
    # Q: 2, 10, 30: slope (30 - 2) / 2 = 14; c_total 42, t 2; raw 42 * 14 / 2 = 294.
    assert q.s_trend == pytest.approx(14.0) and q.frontier_raw == pytest.approx(294.0)
    # Index: ln(1 + raw) / ln(1 + 294) over the rising fronts; S (raw <= 0) gets 0 and ranks last.
    assert q.frontier_index == pytest.approx(1.0)
    assert r.frontier_index == pytest.approx(math.log(4.75) / math.log(295))
    assert s.frontier_index == 0.0
    assert (q.rank, r.rank, s.rank) == (1, 2, 3)


def test_one_year_series_has_a_flat_trend(spark):
    """A front cited only in the window's last year: n = 1, the slope's denominator is 0 -> 0."""
    series = spark.createDataFrame([("F", 2021, 7)], "front_id string, year int, citations long")
    row = rf.front_trends(series).first()
    assert (row.c_total, row.t_years, row.s_trend, row.frontier_raw) == (7, 1, 0.0, 0.0)


def test_label_is_the_most_frequent_topics(spark):
    """Topics of the cores: P1 [x, y], P2 [y, z], P3 [y, x]: y 3, x 2, z 1 -> 'y; x' with 2 topics.
    Front G: [b], [a]: a tie at 1, broken by name -> 'a; b'."""
    members = spark.createDataFrame(
        [("P1", "F"), ("P2", "F"), ("P3", "F"), ("G1", "G"), ("G2", "G")], "paper_id string, front_id string"
    )
    papers = spark.createDataFrame(
        [("P1", ["x", "y"]), ("P2", ["y", "z"]), ("P3", ["y", "x"]), ("G1", ["b"]), ("G2", ["a"])],
        "paper_id string, topic_names array<string>",
    )
    labels = {r.front_id: (r.label, r.label_topics) for r in rf.front_labels(members, papers, 2).collect()}
    assert labels == {"F": ("y; x", ["y", "x"]), "G": ("a; b", ["a", "b"])}


def _patents(spark, rows):
    return spark.createDataFrame(
        rows,
        "patent_id string, topics array<string>, keywords array<string>, cited_paper_ids array<string>, market_value_usd double",
    )


def test_patents_link_by_citation_else_by_shared_topic(spark):
    members = spark.createDataFrame([("P1", "F"), ("P2", "F"), ("Q1", "G")], "paper_id string, front_id string")
    labels = spark.createDataFrame(
        [("F", "LLM", ["LLM"]), ("G", "Qubits", ["Qubits"])], "front_id string, label string, label_topics array<string>"
    )
    # With citations in the input: X cites P1 and P2 (one link to F), Y cites Q1, Z cites an
    # outside paper; Z's topic 'llm' is ignored because patents cite papers here.
    cited = _patents(spark, [("X", [], [], ["P1", "P2"], 2e6), ("Y", [], [], ["Q1"], 1e3), ("Z", ["llm"], [], ["W9"], 5e6)])
    assert sorted(tuple(r) for r in rf.front_patents(members, labels, cited).collect()) == [("F", "X"), ("G", "Y")]
    # Without any patent citation: topics and keywords match the label topics case-insensitively.
    by_topic = _patents(spark, [("X", [" llm "], [], [], 2e6), ("Y", [], ["QUBITS"], [], 1e3), ("Z", ["other"], [], [], 5e6)])
    assert sorted(tuple(r) for r in rf.front_patents(members, labels, by_topic).collect()) == [("F", "X"), ("G", "Y")]


def test_front_countries_count_papers_and_patents_by_country(spark):
    """F has P1 (authors CN, US), P2 (CN twice); linked patents X (2M USD, CN + US assignees) and
    Y (0.5M, US). CN: papers 2, patents 1, high-value 1; US: papers 1, patents 2, high-value 1."""
    members = spark.createDataFrame([("P1", "F"), ("P2", "F")], "paper_id string, front_id string")
    authorships = spark.createDataFrame(
        [("P1", "CN"), ("P1", "US"), ("P2", "CN"), ("P2", "CN"), ("P2", None)], "paper_id string, country_code string"
    )
    linked = spark.createDataFrame([("F", "X"), ("F", "Y")], "front_id string, patent_id string")
    patents = spark.createDataFrame([("X", 2e6), ("Y", 5e5)], "patent_id string, market_value_usd double")
    assignees = spark.createDataFrame([("X", "CN"), ("X", "US"), ("Y", "US")], "patent_id string, country_code string")
    rows = rf.front_countries(members, authorships, linked, patents, assignees, 1e6).collect()
    assert sorted(tuple(r) for r in rows) == [("F", "CN", 2, 1, 1), ("F", "US", 1, 2, 1)]


def test_sleeping_beauty_coefficient_and_awakening(spark):
    """D (2012): c = 0,0,0,1,0,0,2,10,20,5 over 2012..2021: peak t_m = 8 (2020), line 2.5 t.
    B = 0 + 2.5 + 5 + 6.5 + 10 + 12.5 + (15-2)/2 + (17.5-10)/10 + 0 = 43.75. Distance to the line is
    proportional to |20 t - 8 c_t|: 0, 20, 40, 52, 80, 100, 104, 60, 0 -> t_a = 6 (2018).
    E (2019): c = 9, 3, 1: peak in its first year, B = 0, no awakening.
    C (2016): c = 2, 9, 10, 4, 1, 0: t_m = 2, line 4 t + 2: B = 0 + (6 - 9)/9 + 0 = -1/3;
    |8 t - 2 c_t + 4| = 0, 6, 0 -> t_a = 1 (2017). Ranked by B: D, E, C."""
    top = spark.createDataFrame([("D", 2012), ("E", 2019), ("C", 2016)], "paper_id string, publication_year int")
    d_series = dict(zip(range(2012, 2022), [0, 0, 0, 1, 0, 0, 2, 10, 20, 5]))
    rows = [("D", y, c) for y, c in d_series.items() if c] + [("E", 2019, 9), ("E", 2020, 3), ("E", 2021, 1), ("E", 2022, 50)]
    rows += [("C", 2016 + t, c) for t, c in enumerate([2, 9, 10, 4, 1])]
    yearly = spark.createDataFrame(rows, "paper_id string, year int, citations long")
    got = {r.paper_id: r for r in sb.beauty(top, yearly, YEAR_END).collect()}
    d, e, c = got["D"], got["E"], got["C"]
    assert (d.peak_year, d.awakening_year, d.citations, d.rank) == (2020, 2018, 38, 1)
    assert d.beauty_coefficient == pytest.approx(43.75)
    assert (e.peak_year, e.beauty_coefficient, e.awakening_year, e.citations, e.rank) == (2019, 0.0, None, 13, 2)
    assert (c.peak_year, c.awakening_year, c.citations, c.rank) == (2018, 2017, 26, 3)
    assert c.beauty_coefficient == pytest.approx(-1 / 3)


def test_a_paper_without_yearly_citations_is_flat(spark):
    top = spark.createDataFrame([("Z", 2020)], "paper_id string, publication_year int")
    yearly = spark.createDataFrame([], "paper_id string, year int, citations long")
    row = sb.beauty(top, yearly, YEAR_END).first()
    assert (row.peak_year, row.beauty_coefficient, row.awakening_year, row.citations) == (2020, 0.0, None, 0)
