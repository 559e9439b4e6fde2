"""Expectation suites for the canonical (silver) tables: one suite per table, built from the Config.

Every expectation has a severity (Great Expectations' own `severity` field): a failing `critical`
expectation stops the pipeline when conf `quality.stop_on_critical` is on; a failing `warning` is
reported and the run goes on. Critical means an indicator would be wrong: a broken grain (null or
duplicate key), a year outside conf `ingest.min_year..max_year`, a negative count that indicators
sum or rank on, a row pointing at a parent that is not there. Warning means suspicious but not
fatal: descriptive counts, coordinates, links to dimension tables.

Each expectation costs a Spark job or two over the whole table (~1.4 s on 1M rows, STACK.md), so a
suite checks the grain, the year, the counts and nothing else.

Great Expectations has no cross-table expectation, so "every child key exists in its parent" is a
ReferenceCheck that the gate runs as a Spark anti-join. Only links that must hold inside a corpus
slice are checked: `citations.cited_paper_id` is not, references leave the slice all the time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import great_expectations.expectations as gxe

from jobs.config import Config

CRITICAL = "critical"
WARNING = "warning"
REFERENCE_EXPECTATION = "expect_column_values_to_exist_in_parent_table"


@dataclass(frozen=True)
class ReferenceCheck:
    """Every non-null `column` value must be a `parent_column` value of `parent_table`."""

    column: str
    parent_table: str
    parent_column: str
    severity: str
    broadcast_parent: bool = False  # parent is a small dimension (institutions)

    @property
    def expectation(self) -> str:
        return REFERENCE_EXPECTATION

    @property
    def parent(self) -> str:
        return f"{self.parent_table}.{self.parent_column}"


@dataclass(frozen=True)
class TableSuite:
    """What the gate checks on one table: GE expectations plus anti-join reference checks."""

    table: str
    expectations: tuple[gxe.Expectation, ...]
    references: tuple[ReferenceCheck, ...] = ()

    @property
    def columns(self) -> list[str]:
        """Columns the suite reads, in first-use order (the gate validates only this projection)."""
        names: list[str] = []
        for expectation in self.expectations:
            names += _expectation_columns(expectation)
        names += [ref.column for ref in self.references]
        return list(dict.fromkeys(names))


def _expectation_columns(expectation: gxe.Expectation) -> list[str]:
    column = getattr(expectation, "column", None)
    return [column] if column else list(getattr(expectation, "column_list", None) or [])


# ----------------------------------------------------------------------------- building blocks


def not_null(column: str, severity: str = CRITICAL) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToNotBeNull(column=column, severity=severity)


def unique(*columns: str, severity: str = CRITICAL) -> gxe.Expectation:
    """A key is unique. GE counts every row of a duplicated key as unexpected (2 rows of W1 -> 2).

    Compound keys go through expect_compound_columns_to_be_unique (a window count over the key
    struct; works under Spark 4 ANSI mode). Its default ignore_row_if='all_values_are_missing'
    keeps rows with a null in part of the key, so (W1, 1, null) twice is a duplicate.
    """
    if len(columns) == 1:
        return gxe.ExpectColumnValuesToBeUnique(column=columns[0], severity=severity)
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns), severity=severity)


def at_least(column: str, minimum: float, severity: str) -> gxe.Expectation:
    """Values >= minimum; nulls are not judged (a null count means unknown, not negative)."""
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=minimum, severity=severity)


def between(column: str, minimum: float, maximum: float, severity: str) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=minimum, max_value=maximum, severity=severity)


def year_in_range(column: str, config: Config, severity: str = CRITICAL) -> gxe.Expectation:
    return between(column, config.ingest.min_year, config.ingest.max_year, severity)


def references(column: str, parent: str, severity: str = CRITICAL, *, broadcast_parent: bool = False) -> ReferenceCheck:
    parent_table, parent_column = parent.split(".")
    return ReferenceCheck(column, parent_table, parent_column, severity, broadcast_parent)


# ----------------------------------------------------------------------------- suites


def papers_suite(config: Config) -> TableSuite:
    return TableSuite(
        "papers",
        (
            not_null("paper_id"),
            unique("paper_id"),
            year_in_range("publication_year", config),
            at_least("cited_by_count", 0, CRITICAL),  # impact indicators and top-1% rank on it
            at_least("n_authors", 0, WARNING),  # -1 is what size(null) gives with legacy sizeOfNull
            at_least("n_references", 0, WARNING),
        ),
    )


def authorships_suite(config: Config) -> TableSuite:
    return TableSuite(
        "authorships",
        (
            not_null("paper_id"),
            not_null("author_id"),
            unique("paper_id", "author_order", "institution_id"),
            at_least("author_order", 1, CRITICAL),
        ),
        (
            references("paper_id", "papers.paper_id", CRITICAL),
            # A missing institution drops the row from every country and city count.
            references("institution_id", "institutions.institution_id", WARNING, broadcast_parent=True),
        ),
    )


def citations_suite(config: Config) -> TableSuite:
    return TableSuite(
        "citations",
        (
            not_null("citing_paper_id"),
            not_null("cited_paper_id"),
            unique("citing_paper_id", "cited_paper_id"),
            year_in_range("citing_year", config),
        ),
        (references("citing_paper_id", "papers.paper_id", CRITICAL),),
    )


def institutions_suite(config: Config) -> TableSuite:
    return TableSuite(
        "institutions",
        (
            not_null("institution_id"),
            unique("institution_id"),
            not_null("canonical_id"),
            between("latitude", -90, 90, WARNING),
            between("longitude", -180, 180, WARNING),
        ),
    )


def authors_suite(config: Config) -> TableSuite:
    return TableSuite(
        "authors",
        (
            not_null("author_id"),
            unique("author_id"),
            at_least("works_count", 0, WARNING),  # source statistics, not used by indicators
            at_least("cited_by_count", 0, WARNING),
        ),
    )


def author_affiliation_years_suite(config: Config) -> TableSuite:
    return TableSuite(
        "author_affiliation_years",
        (
            not_null("author_id"),
            not_null("institution_id"),
            unique("author_id", "institution_id", "year", "source"),
            year_in_range("year", config),
            # A 'works' row exists because of at least one paper; 'author_record' rows are null.
            at_least("n_papers", 1, WARNING),
        ),
        (references("institution_id", "institutions.institution_id", WARNING, broadcast_parent=True),),
    )


def patents_suite(config: Config) -> TableSuite:
    return TableSuite(
        "patents",
        (
            not_null("patent_id"),
            unique("patent_id"),
            year_in_range("grant_year", config),
            at_least("market_value_usd", 0, WARNING),
            at_least("n_assignees", 0, WARNING),
        ),
    )


def patent_assignees_suite(config: Config) -> TableSuite:
    return TableSuite(
        "patent_assignees",
        (
            not_null("patent_id"),
            unique("patent_id", "assignee_order"),
            at_least("assignee_order", 1, WARNING),  # 1-based like authorships.author_order
        ),
        (references("patent_id", "patents.patent_id", CRITICAL),),
    )


def quarantine_suite(config: Config) -> TableSuite:
    return TableSuite("quarantine", (not_null("reason"),))


SUITES: dict[str, Callable[[Config], TableSuite]] = {
    "papers": papers_suite,
    "authorships": authorships_suite,
    "citations": citations_suite,
    "institutions": institutions_suite,
    "authors": authors_suite,
    "author_affiliation_years": author_affiliation_years_suite,
    "patents": patents_suite,
    "patent_assignees": patent_assignees_suite,
    "quarantine": quarantine_suite,
}


def suite_for(table: str, config: Config) -> TableSuite:
    """The suite of one table; KeyError names the tables that have one."""
    if table not in SUITES:
        raise KeyError(f"no expectation suite for table '{table}' (suites exist for: {', '.join(SUITES)})")
    return SUITES[table](config)


def build_suites(config: Config) -> dict[str, TableSuite]:
    return {table: build(config) for table, build in SUITES.items()}
