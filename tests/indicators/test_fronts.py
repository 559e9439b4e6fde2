"""Co-citation links between core papers (SPEC item 9, the DataFrame half), worked out by hand."""

from __future__ import annotations

from chispa import assert_approx_df_equality

from jobs.indicators import fronts


def test_cocitation_links_count_threshold_and_strength(spark):
    # Core papers and their total citations: A 10, B 40, C 4, D 9. X is not a core paper.
    core = spark.createDataFrame([("A", 10), ("B", 40), ("C", 4), ("D", 9)], "paper_id string, citations long")
    citations = spark.createDataFrame(
        [
            # c1 cites A, B, C, X -> pairs AB, AC, BC (X is not core).
            ("c1", "A", 2020),
            ("c1", "B", 2020),
            ("c1", "C", 2020),
            ("c1", "X", 2020),
            # c2 cites A, B, C; the A reference is listed twice and counts once.
            ("c2", "A", 2021),
            ("c2", "A", 2021),
            ("c2", "B", 2021),
            ("c2", "C", 2021),
            # c3 cites A, D -> AD once; c4 cites B only -> no pair.
            ("c3", "A", 2021),
            ("c3", "D", 2021),
            ("c4", "B", 2022),
            # c5 cites C and D -> CD once.
            ("c5", "C", 2022),
            ("c5", "D", 2022),
        ],
        "citing_paper_id string, cited_paper_id string, citing_year int",
    )
    got = fronts.cocitation_links(core, citations, min_count=2, min_strength=0.1)
    # Co-citations: AB 2 (c1, c2), AC 2, BC 2, AD 1, CD 1 -> AD and CD fail min_count 2.
    # Strength: AB 2/sqrt(10*40) = 2/20 = 0.1 (kept, >=); AC 2/sqrt(10*4) = 0.316228; BC 2/sqrt(40*4) = 2/12.649 = 0.158114.
    expected = spark.createDataFrame(
        [("A", "B", 2, 0.1), ("A", "C", 2, 2 / 40**0.5), ("B", "C", 2, 2 / 160**0.5)],
        "paper_a string, paper_b string, cocitations long, strength double",
    )
    assert_approx_df_equality(got, expected, 1e-12, ignore_row_order=True, ignore_nullable=True)

    # A stricter strength of 0.2 keeps only AC; min_count 1 adds AD 1/sqrt(90) = 0.105409 and CD 1/6 = 0.166667.
    strict = fronts.cocitation_links(core, citations, min_count=2, min_strength=0.2)
    assert [(r.paper_a, r.paper_b) for r in strict.collect()] == [("A", "C")]
    loose = fronts.cocitation_links(core, citations, min_count=1, min_strength=0.1)
    assert sorted((r.paper_a, r.paper_b) for r in loose.collect()) == [("A", "B"), ("A", "C"), ("A", "D"), ("B", "C"), ("C", "D")]


def test_core_references_filter_the_citations_against_a_broadcast_core(spark):
    """The edges meet the core in a broadcast semi-join (filtered where they are read), not after
    a shuffle of every edge; duplicate edges still count once."""
    core = spark.createDataFrame([("A", 10), ("B", 40)], "paper_id string, citations long")
    citations = spark.createDataFrame(
        [("c1", "A", 2020), ("c1", "A", 2020), ("c1", "X", 2020), ("c2", "B", 2021)],
        "citing_paper_id string, cited_paper_id string, citing_year int",
    )
    # Spark broadcasts a small literal table by itself; with that off only the function's own
    # choice remains (a core computed in the same plan is estimated as big as the papers).
    previous = spark.conf.get("spark.sql.autoBroadcastJoinThreshold")
    spark.conf.set("spark.sql.autoBroadcastJoinThreshold", "-1")
    try:
        refs = fronts.core_references(core, citations)
        plan = refs._jdf.queryExecution().executedPlan().toString()
        assert "BroadcastHashJoin" in plan and "LeftSemi" in plan, plan
        assert sorted((r.citing_paper_id, r.cited_paper_id) for r in refs.collect()) == [("c1", "A"), ("c2", "B")]
    finally:
        spark.conf.set("spark.sql.autoBroadcastJoinThreshold", previous)
