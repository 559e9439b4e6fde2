"""The topic lens (SPEC item 11) and the top teams' key members (SPEC item 8), on hand-built data
with the answers worked out by hand."""

from __future__ import annotations

from jobs.config import LensTopic
from jobs.indicators import top_teams
from jobs.indicators import topic_lens as tl

TOPICS = [
    LensTopic("gen", ["generative", "diffusion model"], ["G06N3/047"], ["image generation"]),
    LensTopic("quantum", ["qubit"], ["G06N10"], []),
]
PAPERS = "paper_id string, topic_names array<string>, concept_names array<string>, keyword_names array<string>"


def test_papers_and_patents_tagged_by_terms_and_cpc_prefixes(spark):
    """P1's topic 'Generative Models' -> gen; P2's keyword 'Qubit arrays' -> quantum; P3 both (a
    concept 'Diffusion model' and a keyword 'qubit'); P4 none. Patents: T1's CPC G06N3/0475 starts
    with G06N3/047 -> gen; T2's topic 'image generation' -> gen; T3's CPC G06N10/40 -> quantum;
    T4's CPC G06N3/04 is shorter than the prefix -> none."""
    papers = spark.createDataFrame(
        [
            ("P1", ["Generative Models"], [], []),
            ("P2", [], [], ["Qubit arrays"]),
            ("P3", [], ["Diffusion model"], ["qubit"]),
            ("P4", ["Soil"], [], []),
        ],
        PAPERS,
    )
    assert sorted(tuple(r) for r in tl.topic_papers(papers, TOPICS).collect()) == [
        ("gen", "P1"),
        ("gen", "P3"),
        ("quantum", "P2"),
        ("quantum", "P3"),
    ]
    patents = spark.createDataFrame(
        [
            ("T1", ["g06n3/0475"], [], []),
            ("T2", ["H04L1/00"], ["Image generation"], []),
            ("T3", ["G06N10/40"], [], []),
            ("T4", ["G06N3/04"], [], []),
        ],
        "patent_id string, cpc_codes array<string>, topics array<string>, keywords array<string>",
    )
    assert sorted(tuple(r) for r in tl.topic_patents(patents, TOPICS).collect()) == [
        ("gen", "T1"),
        ("gen", "T2"),
        ("quantum", "T3"),
    ]


def test_country_rankings_by_top_cited_then_papers(spark):
    """gen papers: P1 (CN, US; top-1%), P3 (CN), P5 (US, US; top-1%), P6 (DE). CN: 2 papers, 1 top;
    US: 2 papers, 2 top; DE: 1 paper, 0 top. Ranks by top-1% papers, then papers: US 1, CN 2, DE 3."""
    tagged = spark.createDataFrame([("gen", p) for p in ("P1", "P3", "P5", "P6")], "topic string, paper_id string")
    authorships = spark.createDataFrame(
        [("P1", "CN"), ("P1", "US"), ("P3", "CN"), ("P5", "US"), ("P5", "US"), ("P6", "DE")],
        "paper_id string, country_code string",
    )
    top = spark.createDataFrame([("P1",), ("P5",)], "paper_id string")
    got = sorted(tuple(r) for r in tl.country_rankings(tagged, authorships, top).collect())
    assert got == [("gen", "CN", 2, 1, 2), ("gen", "DE", 1, 0, 3), ("gen", "US", 2, 2, 1)]


def test_patent_rankings_by_high_value_then_patents(spark):
    """gen patents: T1 (CN and US assignees, 2M USD), T2 (CN, 0.5M), T3 (US, no value). With a 1M
    threshold: CN 2 patents 1 high-value, US 2 patents 1 high-value: a tie on both, rank 1 each."""
    tagged = spark.createDataFrame([("gen", t) for t in ("T1", "T2", "T3")], "topic string, patent_id string")
    patents = spark.createDataFrame([("T1", 2e6), ("T2", 5e5), ("T3", None)], "patent_id string, market_value_usd double")
    assignees = spark.createDataFrame(
        [("T1", "CN"), ("T1", "US"), ("T2", "CN"), ("T3", "US"), ("T3", None)], "patent_id string, country_code string"
    )
    got = sorted(tuple(r) for r in tl.patent_rankings(tagged, patents, assignees, 1e6).collect())
    assert got == [("gen", "CN", 2, 1, 1), ("gen", "US", 2, 1, 1)]


def test_key_members_of_the_top_institutions(spark):
    """I1 and I2 rank 1 and 2 by h5, I3 rank 3 (left out with top 2 teams). I1's scholars in scope:
    a (h 9, 20 papers), b (h 9, 30 papers), c (h 4); d has no paper in scope. Top 2 members: b
    (tie on h, more papers), a. a's papers' primary topics: X, X, Y, Z, W -> 'X; W; Y' (the three
    most frequent, ties by name)."""
    h5 = spark.createDataFrame([("I1", 1), ("I2", 2), ("I3", 3)], "canonical_id string, rank int")
    scholars = spark.createDataFrame(
        [
            ("a", "A", 9, 20, "I1", True),
            ("b", "B", 9, 30, "I1", True),
            ("c", "C", 4, 5, "I1", True),
            ("d", "D", 50, 90, "I1", False),
            ("e", "E", 3, 3, "I2", True),
            ("f", "F", 30, 40, "I3", True),
        ],
        "author_id string, display_name string, h_index int, paper_count int, canonical_id string, has_scope_paper boolean",
    )
    authorships = spark.createDataFrame([("a", f"p{i}") for i in range(5)] + [("a", "p0")], "author_id string, paper_id string")
    papers = spark.createDataFrame(
        [("p0", "X"), ("p1", "X"), ("p2", "Y"), ("p3", "Z"), ("p4", "W")], "paper_id string, primary_topic_name string"
    )
    got = sorted(tuple(r) for r in top_teams.key_members(h5, scholars, authorships, papers, 2, 2).collect())
    assert got == [("I1", 1, "b", "B", 9, None), ("I1", 2, "a", "A", 9, "X; W; Y"), ("I2", 1, "e", "E", 3, None)]
