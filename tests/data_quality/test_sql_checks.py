"""Aggregate checks render to SQL from parameters: every placeholder filled with a quoted, plain
identifier. No Spark session: these only build strings."""

from __future__ import annotations

import pytest

from data_quality.sql_checks import quote, render
from data_quality.suites import CRITICAL, AggregateCheck, build_suites
from jobs.config import load


def test_every_aggregate_check_renders_with_quoted_identifiers():
    checks = [check for suite in build_suites(load()).values() for check in suite.aggregates]
    assert checks
    for check in checks:
        sql = render(check, "t_0")
        assert "{" not in sql and " FROM `t_0`" in sql
        for column in check.uses:
            assert f"`{column}`" in sql


def test_ranks_group_by_lists_the_partition():
    check = next(
        c for c in build_suites(load())["city_comparison"].aggregates if c.expectation == "expect_ranks_to_be_contiguous"
    )
    assert check.uses == ("rank", "subfield")
    assert render(check, "v").endswith("FROM `v` GROUP BY `subfield`)")


def test_identifiers_are_validated():
    with pytest.raises(ValueError, match="not a plain SQL identifier"):
        quote("a`b")
    bad = AggregateCheck("e", "x", CRITICAL, "SELECT count(*) FROM {table} WHERE {x} < 0", {"x": "x; DROP"})
    with pytest.raises(ValueError):
        render(bad, "t")


@pytest.mark.parametrize(
    "query, identifiers",
    [
        ("SELECT count(*) FROM {table} WHERE {a} < {b}", {"a": "a"}),  # a placeholder without a column
        ("SELECT count(*) FROM {table}", {"a": "a"}),  # a column the query does not read
        ("SELECT count(*) FROM t WHERE {a} < 0", {"a": "a"}),  # the table not a placeholder
    ],
)
def test_a_template_and_its_identifiers_must_match(query, identifiers):
    with pytest.raises(ValueError, match="placeholders"):
        AggregateCheck("e", "a", CRITICAL, query, identifiers)
