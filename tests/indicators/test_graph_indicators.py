"""Talent flow, international collaboration and the city x subfield networks (SPEC items 6, 7,
10) on hand-built data, with the answers worked out by hand in the comments."""

from __future__ import annotations

import pytest

from jobs.indicators import city_subfield as cs
from jobs.indicators import collaboration as co
from jobs.indicators import talent_flow as tf
from tests.plans import first_shuffle_or_sort_above_scan

# Institutions: I1 Beijing CN, I2 Shanghai CN, I3 Boston US, I4 New York US, I5 London GB, I6 Berlin DE.
INSTITUTIONS = [
    ("I1", "CN", "Beijing", "education"),
    ("I2", "CN", "Shanghai", "education"),
    ("I3", "US", "Boston", "education"),
    ("I4", "US", "New York", "company"),
    ("I5", "GB", "London", "education"),
    ("I6", "DE", "Berlin", "company"),
]
INST_SCHEMA = "institution_id string, country_code string, city string, institution_type string"

# (author, institution, year, source, n_papers):
# A1 CN 2013 -> US 2014 -> back in CN 2016: a traveller who came back.
# A2 GB 2013 -> US 2016 (a gap: one move) -> New York 2017 (a city move inside the US): a migrant.
# A3 in 2015 has 2 papers at I6 (DE) and 2 at I1 (CN): the tie goes to the smaller id, I1, so
#    2015 is CN; 2016 is DE (3 papers at I6) with one paper still at I2 in CN: a traveller who
#    keeps publishing from the origin.
# A4 moves Beijing -> Shanghai: a city move only. A5's 2011 year is outside the window 2012-2021.
# A6's author-record row is not a year of works: one active year, no move.
AFFILIATIONS = [
    ("A1", "I1", 2013, "works", 2),
    ("A1", "I3", 2014, "works", 3),
    ("A1", "I1", 2016, "works", 1),
    ("A2", "I5", 2013, "works", 1),
    ("A2", "I3", 2016, "works", 2),
    ("A2", "I4", 2017, "works", 1),
    ("A3", "I6", 2015, "works", 2),
    ("A3", "I1", 2015, "works", 2),
    ("A3", "I6", 2016, "works", 3),
    ("A3", "I2", 2016, "works", 1),
    ("A4", "I1", 2013, "works", 1),
    ("A4", "I2", 2014, "works", 1),
    ("A5", "I5", 2011, "works", 4),
    ("A5", "I3", 2013, "works", 1),
    ("A6", "I5", 2014, "author_record", None),
    ("A6", "I3", 2015, "works", 1),
]
AFF_SCHEMA = "author_id string, institution_id string, year int, source string, n_papers long"


@pytest.fixture(scope="module")
def talent(spark):
    institutions = spark.createDataFrame(INSTITUTIONS, INST_SCHEMA)
    affiliations = spark.createDataFrame(AFFILIATIONS, AFF_SCHEMA)
    primary = tf.primary_affiliations(affiliations, institutions, 2012, 2021, 1).cache()
    moves = tf.moves(primary).cache()
    return primary, moves, affiliations, institutions


def test_primary_affiliation_tie_goes_to_the_smaller_id(talent):
    primary, *_ = talent
    rows = {(r.author_id, r.year): r.institution_id for r in primary.collect()}
    assert rows[("A3", 2015)] == "I1" and rows[("A3", 2016)] == "I6"
    assert ("A5", 2011) not in rows and ("A6", 2014) not in rows


def test_moves_between_consecutive_active_years(talent):
    _, moves, *_ = talent
    got = sorted(
        (r.author_id, r.from_year, r.to_year, r.from_country, r.to_country, r.from_city, r.to_city, r.country_move, r.city_move)
        for r in moves.collect()
    )
    assert got == [
        ("A1", 2013, 2014, "CN", "US", "Beijing", "Boston", True, True),
        ("A1", 2014, 2016, "US", "CN", "Boston", "Beijing", True, True),
        ("A2", 2013, 2016, "GB", "US", "London", "Boston", True, True),  # across the gap years
        ("A2", 2016, 2017, "US", "US", "Boston", "New York", False, True),
        ("A3", 2015, 2016, "CN", "DE", "Beijing", "Berlin", True, True),
        ("A4", 2013, 2014, "CN", "CN", "Beijing", "Shanghai", False, True),
    ]


def test_country_and_city_flows_from_the_flow_graphs(talent):
    """Country moves: CN->US, US->CN, GB->US, CN->DE. CN in 1 out 2 (net -1), US in 2 out 1
    (net +1), GB out 1, DE in 1. City moves: Beijing->Boston, Boston->Beijing, London->Boston,
    Boston->New York, Beijing->Berlin, Beijing->Shanghai: Beijing in 1 out 3, Boston in 2 out 2."""
    _, moves, *_ = talent
    edges, by_country, flows = tf.country_flows(moves)
    assert sorted(tuple(r) for r in edges.collect()) == [("CN", "DE", 1), ("CN", "US", 1), ("GB", "US", 1), ("US", "CN", 1)]
    assert sorted(tuple(r) for r in by_country.collect()) == [
        ("CN", 1, 2, 3, -1),
        ("DE", 1, 0, 1, 1),
        ("GB", 0, 1, 1, -1),
        ("US", 2, 1, 3, 1),
    ]
    flows.unpersist()
    by_city, flows = tf.city_flows(moves)
    assert sorted(tuple(r) for r in by_city.collect()) == [
        ("CN", "Beijing", 1, 3, 4, -2),
        ("CN", "Shanghai", 1, 0, 1, 1),
        ("DE", "Berlin", 1, 0, 1, 1),
        ("GB", "London", 0, 1, 1, -1),
        ("US", "Boston", 2, 2, 4, 0),
        ("US", "New York", 1, 0, 1, 1),
    ]
    flows.unpersist()


def test_country_year_flows_dated_by_arrival(talent):
    _, moves, *_ = talent
    got = sorted(tuple(r) for r in tf.country_year_flows(moves).collect())
    assert got == [
        ("CN", 2014, 0, 1, -1),
        ("CN", 2016, 1, 1, 0),
        ("DE", 2016, 1, 0, 1),
        ("GB", 2016, 0, 1, -1),
        ("US", 2014, 1, 0, 1),
        ("US", 2016, 1, 1, 0),
    ]


def test_migrants_and_travellers(talent):
    _, moves, affiliations, institutions = talent
    got = sorted(
        (r.author_id, r.origin_country, r.countries, r.moves, r.mobility)
        for r in tf.mobility(moves, affiliations, institutions).collect()
    )
    assert got == [("A1", "CN", 2, 2, "traveller"), ("A2", "GB", 2, 1, "migrant"), ("A3", "CN", 2, 1, "traveller")]


def test_author_years_are_shuffled_by_author_before_they_are_sorted(spark, tmp_path):
    """The primary affiliations and the moves share one shuffle by author, and it comes before
    any sort: no scan split is sorted whole (talent.latest_affiliation says why)."""
    path = str(tmp_path / "affiliation_years")
    spark.createDataFrame(AFFILIATIONS, AFF_SCHEMA).write.parquet(path)
    institutions = spark.createDataFrame(INSTITUTIONS, INST_SCHEMA)
    moved = tf.moves(tf.primary_affiliations(spark.read.parquet(path), institutions, 2012, 2021, 1))
    assert "Exchange" in first_shuffle_or_sort_above_scan(moved)
    plan = moved._jdf.queryExecution().executedPlan().toString()
    assert plan.count("hashpartitioning(author_id") == 1, plan


def test_mobility_origin_before_a_city_move(spark):
    """A7: Beijing 2013 -> Shanghai 2014 (a city move) -> Boston 2015 -> Berlin 2017. The origin
    is the first active year's country (CN, from the city move's start), three countries over
    four active years, two country moves, first leaving in 2015, never back in CN: a migrant."""
    institutions = spark.createDataFrame(INSTITUTIONS, INST_SCHEMA)
    affiliations = spark.createDataFrame(
        [
            ("A7", "I1", 2013, "works", 1),
            ("A7", "I2", 2014, "works", 1),
            ("A7", "I3", 2015, "works", 2),
            ("A7", "I6", 2017, "works", 1),
        ],
        AFF_SCHEMA,
    )
    moves = tf.moves(tf.primary_affiliations(affiliations, institutions, 2012, 2021, 1))
    (row,) = tf.mobility(moves, affiliations, institutions).collect()
    assert (row.origin_country, row.countries, row.moves, row.first_move_year, row.mobility) == ("CN", 3, 2, 2015, "migrant")


# Papers and their author countries: P1 (2019) CN, US, GB -> three pairs; P2 (2020) CN, US;
# P3 (2021) US only -> no pair; P4 (2020) CN twice, US and an author without country -> CN-US.
AUTHORSHIPS = [
    ("P1", "CN"),
    ("P1", "US"),
    ("P1", "GB"),
    ("P2", "CN"),
    ("P2", "US"),
    ("P3", "US"),
    ("P4", "CN"),
    ("P4", "CN"),
    ("P4", "US"),
    ("P4", None),
]
PAPERS = [("P1", 2019), ("P2", 2020), ("P3", 2021), ("P4", 2020)]


def test_country_pairs_ranked_and_yearly_growth(spark):
    authorships = spark.createDataFrame(AUTHORSHIPS, "paper_id string, country_code string")
    papers = spark.createDataFrame(PAPERS, "paper_id string, publication_year int")
    pairs = co.country_pairs(papers, authorships).cache()
    assert sorted(tuple(r) for r in pairs.collect()) == [
        ("P1", "CN", "GB"),
        ("P1", "CN", "US"),
        ("P1", "GB", "US"),
        ("P2", "CN", "US"),
        ("P4", "CN", "US"),
    ]
    assert sorted(tuple(r) for r in co.ranked_pairs(pairs).collect()) == [
        ("CN", "GB", 1, 2),
        ("CN", "US", 3, 1),
        ("GB", "US", 1, 2),
    ]
    # Configured as [US, CN]: stored as CN-US. 2018 0, 2019 1, 2020 2, 2021 0: growth null (first
    # year), null (after a zero year), (2 - 1) / 1 = 1.0, (0 - 2) / 2 = -1.0.
    yearly = sorted(tuple(r) for r in co.yearly_pairs(pairs, papers, [["US", "CN"]], 2018, 2021).collect())
    assert yearly == [
        ("CN", "US", 2018, 0, None),
        ("CN", "US", 2019, 1, None),
        ("CN", "US", 2020, 2, 1.0),
        ("CN", "US", 2021, 0, -1.0),
    ]


def test_country_graph_degrees_papers_and_pagerank(spark):
    """Edges CN-GB, CN-US, GB-US: every country has 2 partners; CN and US are on 3 international
    papers (P1, P2, P4), GB on 1. A triangle is symmetric: equal PageRank."""
    authorships = spark.createDataFrame(AUTHORSHIPS, "paper_id string, country_code string")
    papers = spark.createDataFrame(PAPERS, "paper_id string, publication_year int")
    rows = {r.country: r for r in co.country_graph(co.country_pairs(papers, authorships)).collect()}
    assert {c: (r.partners, r.coauthored_papers) for c, r in rows.items()} == {"CN": (2, 3), "US": (2, 3), "GB": (2, 1)}
    assert rows["CN"].pagerank == pytest.approx(rows["GB"].pagerank) == pytest.approx(rows["US"].pagerank)


SUBFIELDS = {"machine_learning": ["machine learning", "deep learning"], "robotics": ["robot"]}


def test_subfield_tagging_and_focus_city_comparison(spark):
    """Q1 'Deep Learning for X' -> machine_learning; Q2 keyword 'Robotic arms' and concept
    'machine learning' -> both; Q3 nothing. Q1 has authors in Beijing (2, one institution) and
    Boston; Q2 in Beijing. Focus cities Beijing and Xi'an: Xi'an has no paper -> zeros, rank 2."""
    papers = spark.createDataFrame(
        [("Q1", ["Deep Learning for X"], [], []), ("Q2", [], ["Machine Learning"], ["Robotic arms"]), ("Q3", ["Soil"], [], [])],
        "paper_id string, topic_names array<string>, concept_names array<string>, keyword_names array<string>",
    )
    tagged = cs.tag_subfields(papers, SUBFIELDS).cache()
    assert sorted(tuple(r) for r in tagged.collect()) == [
        ("Q1", "machine_learning"),
        ("Q2", "machine_learning"),
        ("Q2", "robotics"),
    ]
    places = spark.createDataFrame(
        [
            ("Q1", "a1", "I1", "CN", "Beijing", "education"),
            ("Q1", "a2", "I1", "CN", "Beijing", "education"),
            ("Q1", "a3", "I3", "US", "Boston", "education"),
            ("Q2", "a1", "I1", "CN", "Beijing", "education"),
        ],
        "paper_id string, author_id string, institution_id string, country_code string, city string, institution_type string",
    )
    got = sorted(tuple(r) for r in cs.city_comparison(tagged, places, ["Beijing", "Xi'an"], list(SUBFIELDS)).collect())
    assert got == [
        ("Beijing", "all", 2, 2, 1, 1),
        ("Beijing", "machine_learning", 2, 2, 1, 1),
        ("Beijing", "robotics", 1, 1, 1, 1),
        ("Xi'an", "all", 0, 0, 0, 2),
        ("Xi'an", "machine_learning", 0, 0, 0, 2),
        ("Xi'an", "robotics", 0, 0, 0, 2),
    ]


def test_city_subfield_year_counts_papers_scholars_and_institutions_once_per_cell(spark):
    """P1 (ml, 2020): a1 at I1 and I2 in Beijing, a2 at I3 in Boston. P2 (ml and robotics, 2020):
    a1 at I1 in Beijing, a3 at I5 in Cambridge GB. P3 (robotics, 2021): a4 and a5 at I6 in
    Cambridge US. Each paper also carries 'all', as the stage gives it. Beijing ml 2020: papers
    P1, P2 (2), scholar a1 once (1), institutions I1, I2 (2); the two Cambridges stay apart; a
    paper counts once in 'all' whatever its subfields."""
    tagged = spark.createDataFrame(
        [("P1", "ml"), ("P2", "ml"), ("P2", "robotics"), ("P3", "robotics"), ("P1", "all"), ("P2", "all"), ("P3", "all")],
        "paper_id string, subfield string",
    )
    years = spark.createDataFrame([("P1", 2020), ("P2", 2020), ("P3", 2021)], "paper_id string, publication_year int")
    places = spark.createDataFrame(
        [
            ("P1", "a1", "I1", "CN", "Beijing"),
            ("P1", "a1", "I2", "CN", "Beijing"),
            ("P1", "a2", "I3", "US", "Boston"),
            ("P2", "a1", "I1", "CN", "Beijing"),
            ("P2", "a3", "I5", "GB", "Cambridge"),
            ("P3", "a4", "I6", "US", "Cambridge"),
            ("P3", "a5", "I6", "US", "Cambridge"),
        ],
        "paper_id string, author_id string, institution_id string, country_code string, city string",
    )
    got = sorted(tuple(r) for r in cs.city_subfield_year(tagged, years, places).collect())
    assert got == [
        ("CN", "Beijing", "all", 2020, 2, 1, 2),
        ("CN", "Beijing", "ml", 2020, 2, 1, 2),
        ("CN", "Beijing", "robotics", 2020, 1, 1, 1),
        ("GB", "Cambridge", "all", 2020, 1, 1, 1),
        ("GB", "Cambridge", "ml", 2020, 1, 1, 1),
        ("GB", "Cambridge", "robotics", 2020, 1, 1, 1),
        ("US", "Boston", "all", 2020, 1, 1, 1),
        ("US", "Boston", "ml", 2020, 1, 1, 1),
        ("US", "Cambridge", "all", 2021, 1, 2, 1),
        ("US", "Cambridge", "robotics", 2021, 1, 2, 1),
    ]


def test_core_scholars_and_their_top_collaborators_with_ties(spark):
    """One city, one subfield. Papers (authors, citations): R1 (s, x, y) 10; R2 (s, x) 8;
    R3 (s, y, z) 5; R4 (s, w) 1; R5 (t, x) 3. h in the subfield: s has 10, 8, 5, 1 -> 3; x has
    10, 8, 3 -> 3; y 10, 5 -> 2; t 3 -> 1 ... Core scholars (top 2): s (h 3, 4 papers), x (h 3,
    3 papers). s's co-authors: x 2 papers, y 2, z 1, w 1 -> top 3: x, y (tie on 2, by id), then w
    (tie with z on 1, by id). s co-authored 4 papers; x's top is s (2 of 3 co-authored papers)."""
    rows = {
        "R1": (["s", "x", "y"], 10),
        "R2": (["s", "x"], 8),
        "R3": (["s", "y", "z"], 5),
        "R4": (["s", "w"], 1),
        "R5": (["t", "x"], 3),
    }
    tagged = spark.createDataFrame([(p, "ml") for p in rows], "paper_id string, subfield string")
    authorships = spark.createDataFrame(
        [(p, a) for p, (authors, _) in rows.items() for a in authors], "paper_id string, author_id string"
    )
    citations = spark.createDataFrame([(p, c) for p, (_, c) in rows.items()], "paper_id string, citations long")
    places = authorships.selectExpr(
        "paper_id",
        "author_id",
        "'I1' AS institution_id",
        "'CN' AS country_code",
        "'Beijing' AS city",
        "'education' AS institution_type",
    )
    h = {(r.author_id, r.subfield): r.h_index for r in cs.subfield_h_index(tagged, authorships, citations).collect()}
    assert (h[("s", "ml")], h[("x", "ml")], h[("y", "ml")], h[("t", "ml")]) == (3, 3, 2, 1)
    core = cs.core_scholars(tagged, places, cs.subfield_h_index(tagged, authorships, citations), 2)
    assert sorted((r.rank, r.author_id, r.h_index, r.papers) for r in core.collect()) == [(1, "s", 3, 4), (2, "x", 3, 3)]
    kept, left_out = cs.pairable_authors(tagged, authorships, 50)
    assert left_out.count() == 0
    top = cs.rank_collaborators(cs.core_coauthorships(kept, tagged, core), 3)
    got = sorted(
        (r.author_id, r.rank, r.collaborator_id, r.coauthored_papers, r.scholar_coauthored_papers) for r in top.collect()
    )
    assert got == [
        ("s", 1, "x", 2, 4),
        ("s", 2, "y", 2, 4),
        ("s", 3, "w", 1, 4),
        ("x", 1, "s", 2, 3),
        ("x", 2, "t", 1, 3),
        ("x", 3, "y", 1, 3),
    ]
    # Core scholars pair only with their own co-authors: R5's pair (t, x) is x's; y-z on R3 is nobody's.
    assert cs.core_coauthorships(kept, tagged, core).where("author_id = 'y' OR author_id = 'z'").count() == 0
    # Every pair of the papers, for the communities: R1 (s, x, y) gives three.
    pairs = cs.pairs_of(kept)
    assert sorted((r.author_a, r.author_b) for r in pairs.where("paper_id = 'R1'").collect()) == [
        ("s", "x"),
        ("s", "y"),
        ("x", "y"),
    ]
    # A cap of 2 authors per paper leaves R1 and R3 (three authors) out of the pairs.
    kept, left_out = cs.pairable_authors(tagged, authorships, 2)
    capped = cs.pairs_of(kept)
    assert sorted(r.paper_id for r in left_out.collect()) == ["R1", "R3"]
    assert sorted(r.paper_id for r in capped.select("paper_id").distinct().collect()) == ["R2", "R4", "R5"]


def test_institution_partners_and_network_concentration(spark):
    """Beijing's ml papers and their institutions: S1 (I1, I2, I4), S2 (I1, I4), S3 (I1, I2),
    S4 (I2, I3). Edges: I1-I2 2 papers, I1-I4 2, I2-I4 1, I2-I3 1 (4 edges). Degrees: I1 2, I2 3,
    I3 1, I4 2 -> top 2 by degree: I2 (3), then I1 (2, tie with I4 by id): every edge touches I1
    or I2 -> top2_edge_share 1.0. Sorted degrees 1, 2, 2, 3 (sum 8, n 4):
    Gini = 2 (1*1 + 2*2 + 3*2 + 4*3) / (4 * 8) - 5/4 = 46/32 - 40/32 = 0.1875. I4 is a company:
    I1-I4 and I2-I4 -> industry_share 2/4 = 0.5. Core institution I1's partners: I2 (2 papers),
    I4 (2, a company), ranked by papers then id."""
    tagged = spark.createDataFrame([(p, "ml") for p in ("S1", "S2", "S3", "S4")], "paper_id string, subfield string")
    rows = [
        ("S1", "I1"),
        ("S1", "I2"),
        ("S1", "I4"),
        ("S2", "I1"),
        ("S2", "I4"),
        ("S3", "I1"),
        ("S3", "I2"),
        ("S4", "I2"),
        ("S4", "I3"),
    ]
    city = {"I1": "Beijing", "I2": "Beijing", "I3": "Boston", "I4": "Beijing"}
    places = spark.createDataFrame(
        [
            (p, f"a-{p}-{i}", i, "CN" if city[i] == "Beijing" else "US", city[i], "company" if i == "I4" else "education")
            for p, i in rows
        ],
        "paper_id string, author_id string, institution_id string, country_code string, city string, institution_type string",
    )
    beijing = places.where("city = 'Beijing'")
    types = spark.createDataFrame(
        [(i, "company" if i == "I4" else "education") for i in city], "institution_id string, institution_type string"
    )
    # The stage's path: institutions numbered in id order, networks numbered, edges on the ints.
    index = cs.institution_index(types).cache()
    assert sorted((r.institution_id, r.inst) for r in index.collect()) == [("I1", 1), ("I2", 2), ("I3", 3), ("I4", 4)]
    pairs = cs.paper_institution_pairs(cs.with_institution_ints(places, index))
    networks, paper_networks = cs.network_cells(tagged, places, ["beijing"])
    assert [(r.net, r.country_code, r.city, r.subfield) for r in networks.collect()] == [(1, "CN", "Beijing", "ml")]
    edges = cs.institution_edges(paper_networks, pairs).cache()
    assert sorted((r.net, r.inst_a, r.inst_b, r.papers) for r in edges.collect()) == [
        (1, 1, 2, 2),
        (1, 1, 4, 2),
        (1, 2, 3, 1),
        (1, 2, 4, 1),
    ]
    # The gold table keeps the heaviest edges, named again: papers, then the ids (I1-I2 before
    # I1-I4 at 2 papers).
    heaviest = cs.heaviest_edges(edges, networks, index, 3).orderBy("rank").collect()
    assert [(r.country_code, r.city, r.subfield, r.inst_a, r.inst_b, r.papers, r.rank) for r in heaviest] == [
        ("CN", "Beijing", "ml", "I1", "I2", 2, 1),
        ("CN", "Beijing", "ml", "I1", "I4", 2, 2),
        ("CN", "Beijing", "ml", "I2", "I3", 1, 3),
    ]
    # Only edges at or above the floor are ranked: for the top 1 the floor is 2 papers (two edges
    # reach it), and the tie at 2 goes to the smaller ids; a network with fewer edges than asked
    # for keeps them all.
    top1 = cs.heaviest_edges(edges, networks, index, 1).collect()
    assert [(r.inst_a, r.inst_b, r.papers, r.rank) for r in top1] == [("I1", "I2", 2, 1)]
    every = cs.heaviest_edges(edges, networks, index, 10).orderBy("rank").collect()
    assert [(r.inst_a, r.inst_b, r.rank) for r in every] == [("I1", "I2", 1), ("I1", "I4", 2), ("I2", "I3", 3), ("I2", "I4", 4)]
    (row,) = cs.network_concentration(edges, cs.with_institution_ints(types, index), key=["net"]).collect()
    assert (row.net, row.top2_edge_share, row.industry_share) == (1, 1.0, 0.5)
    assert row.degree_gini == pytest.approx(0.1875)
    # The same measures over the id strings, keyed by city and subfield.
    named = spark.createDataFrame(
        [("CN", "Beijing", "ml", r.inst_a, r.inst_b, r.papers) for r in heaviest] + [("CN", "Beijing", "ml", "I2", "I4", 1)],
        "country_code string, city string, subfield string, inst_a string, inst_b string, papers long",
    )
    (row,) = cs.network_concentration(named, types).collect()
    assert (row.city, row.top2_edge_share, row.industry_share) == ("Beijing", 1.0, 0.5)
    assert row.degree_gini == pytest.approx(0.1875)
    core = cs.core_institutions(tagged, beijing, 1)
    assert [(r.rank, r.institution_id, r.papers) for r in core.collect()] == [(1, "I1", 3)]
    expected = [("I1", "I2", "education", 2, 1), ("I1", "I4", "company", 2, 2)]
    partners = cs.institution_partners(cs.paper_institution_pairs(places), tagged, core, types, 5)
    assert (
        sorted((r.institution_id, r.partner_id, r.partner_type, r.coauthored_papers, r.rank) for r in partners.collect())
        == expected
    )
    # On the institution ints, with the ids given back.
    partners = cs.institution_partners(pairs, tagged, core, types, 5, index)
    assert (
        sorted((r.institution_id, r.partner_id, r.partner_type, r.coauthored_papers, r.rank) for r in partners.collect())
        == expected
    )


def test_closed_circle_share_from_label_propagation(spark):
    """Co-authorship as in tests/graph (parallel edges = papers): 1-2 x3, 2-3 x2, 1-3 x1, 3-4 x1,
    4-5 x3, 5-6 x2, 4-6 x1. After 2 rounds the labels are 1:1, 2:2, 3:1, 4:4, 5:5, 6:4, so of the
    7 distinct pairs 1-3 and 4-6 are inside one community: 2/7."""
    multiplicity = {
        ("a1", "a2"): 3,
        ("a2", "a3"): 2,
        ("a1", "a3"): 1,
        ("a3", "a4"): 1,
        ("a4", "a5"): 3,
        ("a5", "a6"): 2,
        ("a4", "a6"): 1,
    }
    rows, n = [], 0
    for (a, b), k in multiplicity.items():
        for _ in range(k):
            n += 1
            rows.append((f"P{n}", a, b))
    pairs = spark.createDataFrame(rows, "paper_id string, author_a string, author_b string")
    # Network 1 has every paper; network 2 only the papers of 4-5 and 5-6 (its 2 distinct pairs,
    # both outside one community); network 3 no paper, so no row.
    inside_two = {f"P{i}" for i, row in enumerate(rows, 1) if (row[1], row[2]) in {("a4", "a5"), ("a5", "a6")}}
    paper_networks = spark.createDataFrame(
        [(f"P{i}", 1) for i in range(1, n + 1)] + [(p, 2) for p in sorted(inside_two)], "paper_id string, net int"
    )
    result, communities = cs.closed_circles(pairs, paper_networks, 2)
    shares = {r.net: r.closed_circle_share for r in result.collect()}
    communities.unpersist()
    assert shares == {1: pytest.approx(2 / 7), 2: 0.0}


def test_community_vertex_keys_do_not_depend_on_partitioning(spark):
    """OpenAlex ids keep their number; other ids hash. A triangle's vote ties are broken toward the
    smallest key, so the closed-circle share is the same however the pairs are partitioned."""
    from pyspark.sql import functions as F

    keys = (
        spark.createDataFrame([("A5012345678",), ("a7",), ("not-openalex",)], "id string")
        .select("id", cs.vertex_key(F.col("id")).alias("key"))
        .collect()
    )
    assert {r.id: r.key for r in keys}["A5012345678"] == 5012345678 and {r.id: r.key for r in keys}["a7"] == 7
    assert {r.id: r.key for r in keys}["not-openalex"] not in (None, 0)
    triangle = [("T1", "A3", "A5"), ("T2", "A5", "A9"), ("T3", "A3", "A9"), ("T4", "A9", "A11")]
    pairs = spark.createDataFrame(triangle, "paper_id string, author_a string, author_b string")
    paper_networks = spark.createDataFrame([(f"T{i}", 1) for i in range(1, 5)], "paper_id string, net int")
    shares = []
    for partitions in (1, 3):
        result, communities = cs.closed_circles(pairs.repartition(partitions), paper_networks.repartition(partitions), 3)
        shares.append(result.first().closed_circle_share)
        communities.unpersist()
    assert shares[0] == shares[1]
