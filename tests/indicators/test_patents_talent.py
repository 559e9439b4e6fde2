"""Patent value bands and talent tables on hand-built frames; expected numbers worked out by hand."""

from __future__ import annotations

from chispa import assert_approx_df_equality, assert_df_equality

from jobs.indicators import patents, talent

EDGES = [10000.0, 30000.0, 300000.0, 600000.0, 3000000.0, 20000000.0]


def _patents(spark):
    # value: P1 5k (no band), P2 10k (band 1), P3 29,999 (band 1), P4 30k (band 2),
    # P5 1M (band 4, high value: >= 1M), P6 20M (band 6, high value), P7 unknown (no band, not high)
    rows = [
        ("P1", 2019, 5e3),
        ("P2", 2019, 1e4),
        ("P3", 2020, 29999.0),
        ("P4", 2020, 3e4),
        ("P5", 2020, 1e6),
        ("P6", 2021, 2e7),
        ("P7", 2021, None),
    ]
    df = spark.createDataFrame(rows, "patent_id string, grant_year int, market_value_usd double")
    return patents.with_value_flags(df, 1_000_000.0)


def _assignees(spark):
    # P5 has a CN and a US assignee (counts once for each); P6 two CN assignees (counts once for CN)
    rows = [
        ("P1", "CN", "A"),
        ("P2", "CN", "A"),
        ("P3", "US", "B"),
        ("P4", "US", "B"),
        ("P5", "CN", "A"),
        ("P5", "US", "B"),
        ("P6", "CN", "A"),
        ("P6", "CN", "C"),
        ("P7", "US", "B"),
    ]
    return spark.createDataFrame(rows, "patent_id string, country_code string, canonical_assignee string")


def test_patents_by_country(spark):
    got = patents.by_country(_patents(spark), _assignees(spark))
    # CN: P1 P2 P5 P6 = 4 patents, high value P5 P6 = 2; US: P3 P4 P5 P7 = 4, high value P5 = 1
    expected = spark.createDataFrame(
        [("CN", 4, 2, 0.5, 1), ("US", 4, 1, 0.25, 1)],
        "country_code string, patents long, high_value_patents long, high_value_share double, rank int",
    )
    assert_approx_df_equality(got, expected, 1e-9, ignore_row_order=True, ignore_nullable=True)


def test_value_bands_and_ratio(spark):
    bands = patents.value_bands(_patents(spark), _assignees(spark), EDGES)
    got = sorted((r.country_code, r.band, r.patents, r.band_low_usd, r.band_high_usd) for r in bands.collect())
    # CN: P2 band 1, P5 band 4, P6 band 6 (P1 below 10k: none). US: P3 band 1, P4 band 2, P5 band 4.
    assert got == [
        ("CN", 1, 1, 1e4, 3e4),
        ("CN", 4, 1, 6e5, 3e6),
        ("CN", 6, 1, 2e7, None),
        ("US", 1, 1, 1e4, 3e4),
        ("US", 2, 1, 3e4, 3e5),
        ("US", 4, 1, 6e5, 3e6),
    ]
    ratio = patents.band_ratio(spark, bands, "CN", "US", EDGES).select("band", "challenger_patents", "leader_patents", "ratio")
    # every band appears; ratio CN/US: band 1 1/1, band 2 0/1 = 0, band 3 none/none, band 4 1/1, band 5 0/0, band 6 1/0 -> null
    expected = spark.createDataFrame(
        [(1, 1, 1, 1.0), (2, 0, 1, 0.0), (3, 0, 0, None), (4, 1, 1, 1.0), (5, 0, 0, None), (6, 1, 0, None)],
        "band int, challenger_patents long, leader_patents long, ratio double",
    )
    assert_df_equality(ratio, expected, ignore_row_order=True, ignore_nullable=True)


def test_high_value_trend_zero_fills_top_countries(spark):
    by_country = patents.by_country(_patents(spark), _assignees(spark))
    yearly = patents.by_country_year(_patents(spark), _assignees(spark))
    got = patents.high_value_trend(spark, by_country, yearly, 1, 2019, 2021)
    # top-1 country by high-value patents: CN (2 vs 1); CN high value by year: 2020 P5, 2021 P6; 2019 zero
    assert sorted((r.country_code, r.year, r.high_value_patents) for r in got.collect()) == [
        ("CN", 2019, 0),
        ("CN", 2020, 1),
        ("CN", 2021, 1),
    ]


def test_talent_by_country_shares(spark):
    rows = [
        ("a", "CN", 25, True, True),
        ("b", "CN", 3, False, True),
        ("c", "US", 30, True, True),
        ("d", "US", 40, True, False),  # no paper in scope: not counted
        ("e", None, 1, False, True),  # counted in the global total, no country row
    ]
    scholars = spark.createDataFrame(
        rows, "author_id string, country_code string, h_index int, is_high_level boolean, has_scope_paper boolean"
    )
    got = talent.talent_by(scholars, ["country_code"])
    # in scope: a, b, c, e = 4 scholars; high level (h >= 20): a, c = 2.
    # CN: 2 scholars (2/4 = 0.5), 1 high level (1/2 = 0.5); US: 1 (0.25), 1 (0.5). Rank by high level then scholars.
    expected = spark.createDataFrame(
        [("CN", 2, 1, 0.5, 0.5, 1), ("US", 1, 1, 0.25, 0.5, 2)],
        "country_code string, scholars long, high_level_scholars long, scholar_share double, high_level_share double, rank int",
    )
    assert_approx_df_equality(got, expected, 1e-9, ignore_row_order=True, ignore_nullable=True)
