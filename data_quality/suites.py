"""Expectation suites for the canonical (silver) and indicator (gold) tables: one suite per
table, built from the Config.

Every expectation has a severity (Great Expectations' own `severity` field): a failing `critical`
expectation stops the pipeline when conf `quality.stop_on_critical` is on; a failing `warning` is
reported and the run goes on. Critical means an indicator would be wrong: a broken grain (null or
duplicate key), a year outside conf `ingest.min_year..max_year`, a negative count that indicators
sum or rank on, a row pointing at a parent that is not there. Warning means suspicious but not
fatal: descriptive counts, coordinates, links to dimension tables.

Each expectation costs a Spark job or two over the whole table, so a suite checks the grain,
the year, the counts and nothing else.

Great Expectations has no cross-table expectation, so "every child key exists in its parent" is a
ReferenceCheck that the gate runs as a Spark anti-join, and table-level rules (ranks, shares of a
whole) are AggregateChecks run as Spark SQL (both in data_quality/sql_checks.py). Only links that
must hold inside a corpus slice are checked: `citations.cited_paper_id` is not, references leave
the slice all the time.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter
from typing import Callable, Mapping

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
class AggregateCheck:
    """A table-level rule GE has no expectation for (ranks within their partition, shares that
    must not exceed the whole), as one Spark SQL aggregate over the table that returns the number
    of unexpected rows or groups.

    `query` is a template, not SQL: `{table}` stands for the table and every other named
    placeholder for a column, given in `identifiers` (placeholder -> column, or a tuple of
    columns for a list such as GROUP BY; a mapping is accepted and kept as a tuple of pairs, so
    the check stays hashable). data_quality/sql_checks.py validates and backtick-quotes each
    name when it renders the query. Each placeholder has exactly one identifier and each
    identifier a placeholder (checked when the check is built), so `uses`, the columns the gate
    projects for the check, are exactly the columns the query reads.
    """

    expectation: str
    column: str
    severity: str
    query: str
    identifiers: tuple[tuple[str, str | tuple[str, ...]], ...] | Mapping[str, str | tuple[str, ...]]
    detail: str = ""

    def __post_init__(self) -> None:
        pairs = self.identifiers.items() if isinstance(self.identifiers, Mapping) else self.identifiers
        pairs = tuple((name, value if isinstance(value, str) else tuple(value)) for name, value in pairs)
        object.__setattr__(self, "identifiers", pairs)
        fields = [(name, spec, conversion) for _, name, spec, conversion in Formatter().parse(self.query) if name is not None]
        placeholders = {name for name, _, _ in fields}
        named = [name for name, _ in pairs]
        if any(not name.isidentifier() or spec or conversion for name, spec, conversion in fields):
            raise ValueError(f"{self.expectation}: placeholders must be plain names: {self.query!r}")
        if "table" not in placeholders or placeholders - {"table"} != set(named) or len(named) != len(set(named)):
            raise ValueError(
                f"{self.expectation}: the query's placeholders {sorted(placeholders)} must be 'table' plus "
                f"one per identifier {named}"
            )

    @property
    def uses(self) -> tuple[str, ...]:
        """The columns the query reads, in the order of `identifiers`."""
        return tuple(c for _, value in self.identifiers for c in ((value,) if isinstance(value, str) else value))


@dataclass(frozen=True)
class TableSuite:
    """What the gate checks on one table: GE expectations, anti-join reference checks and
    aggregate checks."""

    table: str
    expectations: tuple[gxe.Expectation, ...]
    references: tuple[ReferenceCheck, ...] = ()
    aggregates: tuple[AggregateCheck, ...] = ()

    @property
    def columns(self) -> list[str]:
        """Columns the suite reads, in first-use order (the gate validates only this projection)."""
        names: list[str] = []
        for expectation in self.expectations:
            names += _expectation_columns(expectation)
        names += [ref.column for ref in self.references]
        for check in self.aggregates:
            names += list(check.uses)
        return list(dict.fromkeys(names))


def _expectation_columns(expectation: gxe.Expectation) -> list[str]:
    column = getattr(expectation, "column", None)
    if column:
        return [column]
    pair = [getattr(expectation, name, None) for name in ("column_A", "column_B")]
    if all(pair):
        return pair
    return list(getattr(expectation, "column_list", None) or [])


# ----------------------------------------------------------------------------- building blocks


def not_null(column: str, severity: str = CRITICAL) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToNotBeNull(column=column, severity=severity)


def unique(*columns: str, severity: str = CRITICAL) -> gxe.Expectation:
    """A key is unique. GE counts every row of a duplicated key as unexpected (2 rows of W1 -> 2).

    Compound keys go through expect_compound_columns_to_be_unique (a window count over the key
    struct; works under Spark 4 ANSI mode). Its default ignore_row_if='all_values_are_missing'
    keeps rows with a null in part of the key, so (W1, 1, null) twice is a duplicate. The gate
    first checks that the key's 64-bit hashes are all distinct (a count distinct, no sort) and
    runs this expectation on the columns only when they are not (data_quality/ge_runner.py,
    key_hash_stand_ins).
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


def at_most_column(smaller: str, larger: str, severity: str = CRITICAL) -> gxe.Expectation:
    """smaller <= larger on every row where both are present (h_index <= paper_count)."""
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=larger, column_B=smaller, or_equal=True, ignore_row_if="either_value_is_missing", severity=severity
    )


def ranks_contiguous(partition: tuple[str, ...] = (), column: str = "rank", severity: str = CRITICAL) -> AggregateCheck:
    """Competition ranks (1, 1, 3, ...) inside each partition: the best is 1 and none exceeds
    the partition's row count. Counts the partitions that break it."""
    query = (
        "SELECT coalesce(sum(CASE WHEN lo <> 1 OR hi > n THEN 1 ELSE 0 END), 0) FROM "
        "(SELECT min({rank}) AS lo, max({rank}) AS hi, count(*) AS n FROM {table}"
        + (" GROUP BY {partition})" if partition else ")")
    )
    identifiers = {"rank": column, **({"partition": partition} if partition else {})}
    return AggregateCheck(
        "expect_ranks_to_be_contiguous", column, severity, query, identifiers, detail=f"per {', '.join(partition) or 'table'}"
    )


def shares_of_whole(column: str, severity: str = CRITICAL) -> AggregateCheck:
    """Shares of a global total sum to at most 1 (rows the table leaves out, e.g. scholars
    without a country, are in the total only)."""
    query = "SELECT CASE WHEN coalesce(sum({share}), 0) > 1 + 1e-9 THEN 1 ELSE 0 END FROM {table}"
    return AggregateCheck("expect_column_sum_to_be_at_most_one", column, severity, query, {"share": column})


def in_window(column: str, config: Config, severity: str = CRITICAL) -> gxe.Expectation:
    return between(column, config.scope.year_start, config.scope.year_end, severity)


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


# ----------------------------------------------------------------------------- gold suites
# Every indicator table: its grain unique, counts non-negative, years in the configured window,
# ranks contiguous, shares of a whole within [0, 1] and summing to at most 1, h <= papers. A
# broken grain or an impossible value is critical: the next stage would read a wrong table.


def _counts(*columns: str) -> tuple:
    return tuple(at_least(c, 0, CRITICAL) for c in columns)


def _shares(*columns: str) -> tuple:
    return tuple(between(c, 0, 1, CRITICAL) for c in columns)


def _output_suite(
    table: str, key: tuple[str, ...], config: Config, *, year: str | None = None, ranked_by: tuple[str, ...] | None = None
) -> TableSuite:
    expectations = (unique(*key),) + _counts("papers", "citations", "mean_citations")
    if year:
        expectations += (in_window(year, config),)
    aggregates = (ranks_contiguous(ranked_by),) if ranked_by is not None else ()
    return TableSuite(table, expectations, aggregates=aggregates)


def _talent_suite(table: str, key: tuple[str, ...]) -> TableSuite:
    return TableSuite(
        table,
        (unique(*key),)
        + _counts("scholars", "high_level_scholars")
        + _shares("scholar_share", "high_level_share")
        + (at_most_column("high_level_scholars", "scholars"),),
        aggregates=(ranks_contiguous(), shares_of_whole("scholar_share"), shares_of_whole("high_level_share")),
    )


def _patent_suite(table: str, key: tuple[str, ...], ranked: bool) -> TableSuite:
    return TableSuite(
        table,
        (unique(*key),)
        + _counts("patents", "high_value_patents")
        + _shares("high_value_share")
        + (at_most_column("high_value_patents", "patents"),),
        aggregates=(ranks_contiguous(),) if ranked else (),
    )


def _flow_suite(table: str, key: tuple[str, ...]) -> TableSuite:
    """In and out flows are non-negative, total = in + out and net = in - out on every row."""
    query = "SELECT count(*) FROM {table} WHERE {total_flow} <> {inflow} + {outflow} OR {net_inflow} <> {inflow} - {outflow}"
    balance = AggregateCheck(
        "expect_flows_to_balance",
        "net_inflow",
        CRITICAL,
        query,
        {name: name for name in ("inflow", "outflow", "total_flow", "net_inflow")},
    )
    return TableSuite(table, (unique(*key),) + _counts("inflow", "outflow", "total_flow"), aggregates=(balance,))


def _ordered_pair(first: str, second: str) -> AggregateCheck:
    """An unordered pair is stored once, smaller code first."""
    query = "SELECT count(*) FROM {table} WHERE NOT ({first} < {second})"
    return AggregateCheck("expect_pair_to_be_ordered", first, CRITICAL, query, {"first": first, "second": second})


# output_impact and top_cited write the same four breakdowns (by country, country-year,
# institution, year) of papers, citations and mean citations.
_BREAKDOWNS = {
    "by_country": dict(key=("counting", "country_code"), ranked_by=("counting",)),
    "by_country_year": dict(key=("counting", "country_code", "year"), year="year"),
    "by_institution": dict(key=("counting", "canonical_id"), ranked_by=("counting",)),
    "by_year": dict(key=("year",), year="year"),
}


def _breakdown_suites(prefix: str) -> dict[str, Callable[[Config], TableSuite]]:
    def suite(table: str, key: tuple[str, ...], **options) -> Callable[[Config], TableSuite]:
        return lambda c: _output_suite(table, key, c, **options)

    return {f"{prefix}_{name}": suite(f"{prefix}_{name}", **spec) for name, spec in _BREAKDOWNS.items()}


GOLD_SUITES: dict[str, Callable[[Config], TableSuite]] = {
    **_breakdown_suites("output"),
    **_breakdown_suites("top_cited"),
    "paper_citations": lambda c: TableSuite(
        "paper_citations", (not_null("paper_id"), unique("paper_id"), in_window("publication_year", c)) + _counts("citations")
    ),
    "paper_yearly_citations": lambda c: TableSuite(
        "paper_yearly_citations", (unique("paper_id", "year"), year_in_range("year", c)) + _counts("citations")
    ),
    "top_cited_thresholds": lambda c: TableSuite(
        "top_cited_thresholds",
        (
            unique("field_id", "publication_year"),
            in_window("publication_year", c),
            at_least("threshold_rank", 1, CRITICAL),
            at_most_column("threshold_rank", "cell_size"),
        )
        + _counts("threshold"),
    ),
    "top_cited_papers": lambda c: TableSuite(
        "top_cited_papers",
        (
            not_null("paper_id"),
            unique("paper_id"),
            in_window("publication_year", c),
            at_least("threshold", c.thresholds.top_cited_min_threshold + 1, CRITICAL),
            at_most_column("threshold", "citations"),
        ),
    ),
    "golden_cross_series": lambda c: TableSuite(
        "golden_cross_series",
        (unique("metric", "challenger", "leader", "year"), in_window("year", c)) + _counts("challenger_value", "leader_value"),
    ),
    "golden_cross": lambda c: TableSuite("golden_cross", (unique("metric", "challenger", "leader"), in_window("cross_year", c))),
    "patents_by_country": lambda c: _patent_suite("patents_by_country", ("country_code",), ranked=True),
    "patents_by_country_year": lambda c: _patent_suite("patents_by_country_year", ("country_code", "year"), ranked=False),
    "patents_by_assignee": lambda c: _patent_suite("patents_by_assignee", ("canonical_assignee",), ranked=True),
    "patent_value_bands": lambda c: TableSuite("patent_value_bands", (unique("country_code", "band"),) + _counts("patents")),
    "patent_value_band_ratio": lambda c: TableSuite(
        "patent_value_band_ratio",
        (unique("band", "challenger", "leader"),) + _counts("challenger_patents", "leader_patents", "ratio"),
    ),
    "high_value_trend": lambda c: TableSuite(
        "high_value_trend",
        (unique("country_code", "year"), year_in_range("year", c), at_least("country_rank", 1, CRITICAL))
        + _counts("high_value_patents"),
    ),
    "scholar_h_index": lambda c: TableSuite(
        "scholar_h_index",
        (
            not_null("author_id"),
            unique("author_id"),
            at_most_column("h_index", "paper_count"),
            at_most_column("i10_index", "paper_count"),
        )
        + _counts("h_index", "i10_index", "paper_count", "citations"),
    ),
    "talent_by_country": lambda c: _talent_suite("talent_by_country", ("country_code",)),
    "talent_by_institution": lambda c: _talent_suite("talent_by_institution", ("canonical_id",)),
    "talent_by_region": lambda c: _talent_suite("talent_by_region", ("country_code", "region")),
    "talent_by_city": lambda c: _talent_suite("talent_by_city", ("country_code", "city")),
    "institution_h5": lambda c: TableSuite(
        "institution_h5",
        (not_null("canonical_id"), unique("canonical_id"), at_most_column("h5_index", "papers"))
        + _counts("h5_index", "papers", "citations"),
        aggregates=(ranks_contiguous(),),
    ),
    # Research fronts: links above both thresholds, one front per paper, a yearly series per
    # front inside the window, the index in [0, 1], sub-counts within their totals, unique ranks.
    "research_front_links": lambda c: TableSuite(
        "research_front_links",
        (
            unique("paper_a", "paper_b"),
            at_least("cocitations", c.thresholds.cocitation_min_count, CRITICAL),
            at_least("strength", c.thresholds.cocitation_min_strength, CRITICAL),
        ),
    ),
    "research_front_papers": lambda c: TableSuite(
        "research_front_papers",
        (not_null("front_id"), not_null("paper_id"), unique("paper_id"), in_window("publication_year", c)) + _counts("citations"),
    ),
    "research_front_yearly": lambda c: TableSuite(
        "research_front_yearly", (unique("front_id", "year"), in_window("year", c)) + _counts("citations")
    ),
    "research_front_countries": lambda c: TableSuite(
        "research_front_countries",
        (unique("front_id", "country_code"), not_null("country_code"), at_most_column("high_value_patents", "patents"))
        + _counts("papers", "patents", "high_value_patents"),
    ),
    "research_fronts": lambda c: TableSuite(
        "research_fronts",
        (
            not_null("front_id"),
            unique("front_id"),
            unique("rank"),
            at_least("core_papers", 2, CRITICAL),
            at_most_column("reviews", "core_papers"),
            at_most_column("papers_cn", "core_papers"),
            at_most_column("papers_us", "core_papers"),
            at_most_column("high_value_patents", "patents"),
            at_most_column("patents_cn", "patents"),
            at_most_column("patents_us", "patents"),
            between("frontier_index", 0, 1, CRITICAL),
            at_least("t_years", 1, CRITICAL),
        )
        + _counts("reviews", "citing_papers", "c_total", "patents", "high_value_patents"),
        aggregates=(ranks_contiguous(),),
    ),
    "frontier_top10": lambda c: TableSuite(
        "frontier_top10",
        (unique("rank"), between("rank", 1, 10, CRITICAL), between("frontier_index", 0, 1, CRITICAL))
        + _counts("top_cited_papers", "high_value_patents"),
    ),
    "sleeping_beauties": lambda c: TableSuite(
        "sleeping_beauties",
        (
            not_null("paper_id"),
            unique("paper_id"),
            in_window("publication_year", c),
            in_window("peak_year", c),
            at_most_column("publication_year", "peak_year"),
            at_most_column("awakening_year", "peak_year"),
        )
        + _counts("citations"),
        aggregates=(ranks_contiguous(),),
    ),
    # Talent flow: a move per author and arrival year, flows non-negative with net = in - out.
    "talent_moves": lambda c: TableSuite(
        "talent_moves",
        (
            not_null("author_id"),
            unique("author_id", "to_year"),
            in_window("from_year", c),
            in_window("to_year", c),
            at_most_column("from_year", "to_year"),
        ),
    ),
    "talent_flow_edges": lambda c: TableSuite(
        "talent_flow_edges", (unique("from_country", "to_country"), at_least("moves", 1, CRITICAL))
    ),
    "talent_flow_by_country": lambda c: _flow_suite("talent_flow_by_country", ("country",)),
    "talent_flow_by_city": lambda c: _flow_suite("talent_flow_by_city", ("country", "city")),
    "talent_flow_by_country_year": lambda c: TableSuite(
        "talent_flow_by_country_year", (unique("country", "year"), in_window("year", c)) + _counts("inflow", "outflow")
    ),
    "talent_mobility": lambda c: TableSuite(
        "talent_mobility",
        (
            not_null("author_id"),
            unique("author_id"),
            not_null("origin_country"),
            at_least("moves", 1, CRITICAL),
            at_least("countries", 2, CRITICAL),
            gxe.ExpectColumnValuesToBeInSet(column="mobility", value_set=["migrant", "traveller"], severity=CRITICAL),
        ),
    ),
    # Collaboration: pairs ordered a < b, counts and ranks; the country graph's degrees.
    "collaboration_pairs": lambda c: TableSuite(
        "collaboration_pairs",
        (unique("country_a", "country_b"), at_least("papers", 1, CRITICAL)),
        aggregates=(ranks_contiguous(), _ordered_pair("country_a", "country_b")),
    ),
    "collaboration_pairs_yearly": lambda c: TableSuite(
        "collaboration_pairs_yearly", (unique("country_a", "country_b", "year"), in_window("year", c)) + _counts("papers")
    ),
    "collaboration_countries": lambda c: TableSuite(
        "collaboration_countries",
        (
            unique("country"),
            at_least("partners", 1, CRITICAL),
            at_least("coauthored_papers", 1, CRITICAL),
            at_least("pagerank", 0, CRITICAL),
        ),
    ),
    # City x subfield.
    "paper_subfields": lambda c: TableSuite(
        "paper_subfields",
        (
            unique("paper_id", "subfield"),
            gxe.ExpectColumnValuesToBeInSet(column="subfield", value_set=list(c.scope.subfields), severity=CRITICAL),
        ),
    ),
    "city_subfield_year": lambda c: TableSuite(
        "city_subfield_year",
        (unique("country_code", "city", "subfield", "year"), in_window("year", c))
        + _counts("papers", "scholars", "institutions"),
    ),
    "city_institution_edges": lambda c: TableSuite(
        "city_institution_edges",
        (unique("country_code", "city", "subfield", "inst_a", "inst_b"), at_least("papers", 1, CRITICAL)),
        aggregates=(_ordered_pair("inst_a", "inst_b"), ranks_contiguous(("country_code", "city", "subfield"))),
    ),
    "city_comparison": lambda c: TableSuite(
        "city_comparison",
        (unique("city", "subfield"),) + _counts("papers", "scholars", "institutions"),
        aggregates=(ranks_contiguous(("subfield",)),),
    ),
    "core_scholars": lambda c: TableSuite(
        "core_scholars",
        (
            unique("country_code", "city", "subfield", "rank"),
            unique("country_code", "city", "subfield", "author_id"),
            between("rank", 1, c.collaboration.core_scholars, CRITICAL),
        )
        + _counts("h_index", "papers"),
    ),
    "core_scholar_collaborators": lambda c: TableSuite(
        "core_scholar_collaborators",
        (
            unique("country_code", "city", "subfield", "author_id", "collaborator_id"),
            between("rank", 1, c.collaboration.collaborators, CRITICAL),
            at_least("coauthored_papers", 1, CRITICAL),
            at_most_column("coauthored_papers", "scholar_coauthored_papers"),
        ),
    ),
    "core_institutions": lambda c: TableSuite(
        "core_institutions",
        (unique("country_code", "city", "subfield", "rank"), between("rank", 1, c.collaboration.core_institutions, CRITICAL))
        + _counts("papers"),
    ),
    "core_institution_partners": lambda c: TableSuite(
        "core_institution_partners",
        (
            unique("country_code", "city", "subfield", "institution_id", "partner_id"),
            between("rank", 1, c.collaboration.partners, CRITICAL),
            at_least("coauthored_papers", 1, CRITICAL),
        ),
    ),
    "collaboration_concentration": lambda c: TableSuite(
        "collaboration_concentration",
        (unique("country_code", "city", "subfield"),)
        + _shares("top_partner_share", "top2_edge_share", "industry_share", "closed_circle_share")
        + (between("degree_gini", 0, 1, CRITICAL),),
    ),
    # Topic lens and top teams.
    "topic_papers": lambda c: TableSuite(
        "topic_papers",
        (
            unique("topic", "paper_id"),
            gxe.ExpectColumnValuesToBeInSet(column="topic", value_set=[t.name for t in c.topic_lens.topics], severity=CRITICAL),
        ),
    ),
    "topic_country_rankings": lambda c: TableSuite(
        "topic_country_rankings",
        (unique("topic", "country"), at_most_column("top_cited_papers", "papers")) + _counts("papers", "top_cited_papers"),
        aggregates=(ranks_contiguous(("topic",)),),
    ),
    "topic_patent_rankings": lambda c: TableSuite(
        "topic_patent_rankings",
        (unique("topic", "country"), at_most_column("high_value_patents", "patents")) + _counts("patents", "high_value_patents"),
        aggregates=(ranks_contiguous(("topic",)),),
    ),
    "institution_key_members": lambda c: TableSuite(
        "institution_key_members",
        (
            unique("canonical_id", "rank"),
            unique("canonical_id", "author_id"),
            between("rank", 1, c.indicators.key_members, CRITICAL),
        )
        + _counts("h_index"),
    ),
}


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
    **GOLD_SUITES,
}


def suite_for(table: str, config: Config) -> TableSuite:
    """The suite of one table; KeyError names the tables that have one."""
    if table not in SUITES:
        raise KeyError(f"no expectation suite for table '{table}' (suites exist for: {', '.join(SUITES)})")
    return SUITES[table](config)


def build_suites(config: Config) -> dict[str, TableSuite]:
    return {table: build(config) for table, build in SUITES.items()}
