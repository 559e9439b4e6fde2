"""The checks Great Expectations has no expectation for, run by Spark directly on the gate's
projection of a table: cross-table reference checks (an anti-join) and table-level aggregate
checks (one Spark SQL aggregate each).

Both return one CheckOutcome per check and never raise for bad data: a missing parent table or
column becomes a failed check with the exception's message.

An AggregateCheck's query is a template (data_quality/suites.py): `render` fills its named
placeholders with quoted identifiers, the temp view of the table for `{table}` and the check's
columns for the rest, each validated as a plain column name first. No SQL is patched by string
replacement and no name reaches the statement unquoted.
"""

from __future__ import annotations

import re
import uuid

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from data_quality.outcome import EXAMPLES, CheckOutcome, message
from data_quality.suites import AggregateCheck, ReferenceCheck
from jobs.warehouse import Warehouse

# A plain Spark column or view name: what every table of the warehouse uses. Anything else
# (a dot, a space, a backtick) is refused rather than escaped: it would be a suite's mistake.
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def quote(identifier: str) -> str:
    """`identifier` in backticks, after checking that it is a plain name (IDENTIFIER)."""
    if not isinstance(identifier, str) or not IDENTIFIER.fullmatch(identifier):
        raise ValueError(f"not a plain SQL identifier: {identifier!r}")
    return f"`{identifier}`"


def render(check: AggregateCheck, table: str) -> str:
    """The check's query with `{table}` as the quoted view name and every other placeholder as
    its quoted column (a tuple of columns as a comma-separated list, for GROUP BY)."""
    values = {
        name: quote(value) if isinstance(value, str) else ", ".join(quote(v) for v in value) for name, value in check.identifiers
    }
    return check.query.format(table=quote(table), **values)


def check_aggregate(table: str, checked_df: DataFrame, check: AggregateCheck) -> CheckOutcome:
    """Run one aggregate check over the table's projection, registered as a temp view under a
    fresh name (so two gates in one session do not collide), dropped afterwards.

    The aggregate returns one number, the count of unexpected rows or groups; the tables with
    aggregate checks are gold tables (one row per country, institution, pair, ...), small enough
    that the aggregate is one job whatever its shape.
    """
    outcome = dict(table=table, expectation=check.expectation, column=check.column, severity=check.severity, detail=check.detail)
    view = f"t_{uuid.uuid4().hex[:8]}"
    try:
        checked_df.createOrReplaceTempView(view)
        unexpected = int(checked_df.sparkSession.sql(render(check, view)).first()[0])
    except Exception as err:  # a missing column: the check could not run
        return CheckOutcome(**outcome, success=False, exception=message(err))
    finally:
        checked_df.sparkSession.catalog.dropTempView(view)
    return CheckOutcome(**outcome, success=unexpected == 0, unexpected_count=unexpected)


def check_reference(
    spark: SparkSession, warehouse: Warehouse, table: str, child_df: DataFrame, ref: ReferenceCheck
) -> CheckOutcome:
    """Anti-join the child's non-null keys against the parent; orphans are the unexpected rows.

    Two passes, like the GE expectations: the distinct child keys are anti-joined first, and only
    when some key is orphaned are its rows counted and quoted. A child repeats its key (a paper's
    ~10 references, ~4 authorships) in neighbouring rows, so the distinct keys are mostly found
    before the shuffle: the citations check shuffles about one key per citing paper, not one
    row per citation.

    Skew: the join shuffles on the child key. Per parent the child side is bounded by one paper's
    authors or references; institutions (60k papers on one key) are a small dimension and are
    broadcast, so the hub never lands in one shuffle partition.
    """
    outcome = dict(table=table, expectation=ref.expectation, column=ref.column, severity=ref.severity, detail=f"in {ref.parent}")
    try:
        parent_df = warehouse.read(spark, ref.parent_table).select(F.col(ref.parent_column).alias(ref.column))
        if ref.broadcast_parent:
            parent_df = F.broadcast(parent_df)
        keys_df = child_df.select(ref.column).where(F.col(ref.column).isNotNull())
        orphan_keys_df = keys_df.distinct().join(parent_df, on=ref.column, how="left_anti")
        unexpected, examples = 0, []
        if orphan_keys_df.count():
            orphans_df = keys_df.join(orphan_keys_df, on=ref.column, how="left_semi")
            unexpected = orphans_df.count()
            examples = [row[0] for row in orphans_df.limit(EXAMPLES).collect()]
    except Exception as err:  # a missing parent table or column: the check could not run
        return CheckOutcome(**outcome, success=False, exception=message(err))
    return CheckOutcome(**outcome, success=unexpected == 0, unexpected_count=unexpected, partial_unexpected=examples)
