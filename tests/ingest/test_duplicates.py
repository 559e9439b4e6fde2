"""Duplicate ids: the counted-keys path the ingest jobs take and the window over every row flag
the same copies."""

from __future__ import annotations

import pytest
from pyspark.sql import functions as F

from jobs.ingest import duplicates, quarantine
from jobs.ingest.common import RAW, REASON, SOURCE_FILE

ROWS = [
    # (id, updated_date, source file, raw, reason)
    ("W1", "2024-05-01", "a.jsonl", "w1-new", None),  # newest accepted copy of W1: kept
    ("W1", "2024-01-01", "b.jsonl", "w1-old", None),  # older copy: duplicate id
    ("W1", "2025-01-01", "c.jsonl", "w1-bad", "negative cited_by_count"),  # newest, but rejected: keeps its reason
    ("W2", "2024-03-01", "a.jsonl", "w2-a", None),  # same date in two files: file a sorts first, kept
    ("W2", "2024-03-01", "b.jsonl", "w2-b", None),  # duplicate id
    ("W3", "2024-01-01", "c.jsonl", "w3-bad", "missing publication_year"),  # the only accepted copy of W3
    ("W3", None, "d.jsonl", "w3", None),  # is kept though a rejected copy sorts first
    ("W4", "2020-01-01", "a.jsonl", "w4", None),  # unique: kept
]


@pytest.fixture(scope="module")
def records(spark):
    return spark.createDataFrame(ROWS, f"id string, updated_date string, {SOURCE_FILE} string, {RAW} string, {REASON} string")


def _reasons(df):
    return sorted(((r["id"], r[RAW], r[REASON]) for r in df.collect()), key=str)


EXPECTED = sorted(
    [
        ("W1", "w1-new", None),
        ("W1", "w1-old", "duplicate id"),
        ("W1", "w1-bad", "negative cited_by_count"),
        ("W2", "w2-a", None),
        ("W2", "w2-b", "duplicate id"),
        ("W3", "w3-bad", "missing publication_year"),
        ("W3", "w3", None),
        ("W4", "w4", None),
    ],
    key=str,
)


def test_window_and_counted_keys_flag_the_same_copies(spark, records):
    newest = [F.col("updated_date").desc_nulls_last()]
    # W1 and W2 have more than one accepted copy; W3 has one accepted and one rejected.
    assert duplicates.count_repeated_keys(records, "id") == 2
    assert sorted(_reasons(duplicates.flag_duplicates(records, "id", newest)), key=str) == EXPECTED
    assert sorted(_reasons(duplicates.flag_duplicates(records, "id", newest, repeated_keys=2)), key=str) == EXPECTED


def test_checked_once_without_duplicates_passes_rows_through(spark, records):
    unique = records.where("id in ('W3', 'W4')")
    flagged, persisted = duplicates.checked_once(unique, "id", [])
    try:
        assert flagged is persisted and flagged.is_cached
        # the raw line stays on rejected rows only (quarantine quotes it; bronze keeps parsed columns)
        assert sorted(_reasons(flagged), key=str) == sorted(
            [("W3", "w3-bad", "missing publication_year"), ("W3", None, None), ("W4", None, None)], key=str
        )
    finally:
        persisted.unpersist()


def test_checked_once_with_duplicates(spark, records):
    flagged, persisted = duplicates.checked_once(records, "id", [F.col("updated_date").desc_nulls_last()])
    try:
        assert flagged.is_cached
        # as EXPECTED, with the raw line dropped from the accepted copies only: the duplicates,
        # rejected after the first count, keep theirs
        assert sorted(_reasons(flagged), key=str) == sorted(
            [
                ("W1", None, None),
                ("W1", "w1-old", "duplicate id"),
                ("W1", "w1-bad", "negative cited_by_count"),
                ("W2", None, None),
                ("W2", "w2-b", "duplicate id"),
                ("W3", "w3-bad", "missing publication_year"),
                ("W3", None, None),
                ("W4", None, None),
            ],
            key=str,
        )
        assert vars(quarantine.count_split(flagged)) == {"read": 8, "accepted": 4, "quarantined": 4}
    finally:
        persisted.unpersist()
