"""Record rules: each check is a (condition, reason) pair, and a record's _reason is the reason
of the first check its row meets (null when it meets none: accepted).

Parse checks come first, so a line that did not parse is quarantined as such rather than for
the null fields its failed parse left; the entity's own rules follow (openalex.py, patents.py).
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from jobs.ingest.common import ONE_VALUE, RAW, REASON
from schemas.raw import CORRUPT_COLUMN

Check = tuple[Column, Column | str]


def first_failing(checks: list[Check]) -> Column:
    """A reason column: the message of the first check whose condition holds, else null."""
    reason = F.lit(None).cast("string")
    for condition, message in reversed(checks):
        text = F.lit(message) if isinstance(message, str) else message
        reason = F.when(condition, text).otherwise(reason)
    return reason


def with_reason(df: DataFrame, checks: list[Check]) -> DataFrame:
    return df.withColumn(REASON, first_failing(checks))


def parse_checks(id_col: str = "id") -> list[Check]:
    """A file that could not be read, a line that is not one JSON record of the schema, no id."""
    corrupt = F.col(CORRUPT_COLUMN).isNotNull()
    # Only a record standing for a whole unreadable file has no raw text (json_lines.read_json_lines).
    unreadable = F.col(RAW).isNull() & corrupt
    return [
        (unreadable, F.col(CORRUPT_COLUMN)),
        (corrupt & F.col(id_col).isNull(), "malformed JSON line"),
        (corrupt, "a field does not match the declared schema type"),
        # Two records written without a newline between them ({..}{..}): Spark's reader would keep
        # the first and drop the other. Known from the parse itself (json_lines.read_json_lines).
        (F.col(RAW).isNotNull() & ~F.col(ONE_VALUE), "text after the first JSON record on the line"),
        (F.col(id_col).isNull() | (F.trim(F.col(id_col)) == ""), "missing id"),
    ]


def id_format_checks(pattern: str, what: str, id_col: str = "id") -> list[Check]:
    """An id present but of the wrong form (a number, another entity's id...)."""
    return [(~F.col(id_col).rlike(pattern), f"id is not {what}")]


def year_checks(year_col: str, low: int, high: int) -> list[Check]:
    year = F.col(year_col)
    return [
        (year.isNull(), f"missing {year_col}"),
        (
            (year < low) | (year > high),
            F.concat(F.lit(f"{year_col} "), year.cast("string"), F.lit(f" outside {low}-{high}")),
        ),
    ]


def non_negative_checks(columns: list[str]) -> list[Check]:
    return [(F.col(c) < 0, f"negative {c}") for c in columns]


def at_most_checks(columns: list[str], limit: int, setting: str) -> list[Check]:
    """Counts above a configured bound (setting names it in the reason): garbage, not data."""
    return [
        (F.col(c) > limit, F.concat(F.lit(f"{c} "), F.col(c).cast("string"), F.lit(f" above {setting}={limit}"))) for c in columns
    ]


def yearly_count_checks(column: str, field_name: str, limit: int, setting: str) -> list[Check]:
    """The same bounds on every entry of an array of per-year counts (counts_by_year)."""
    entries = F.coalesce(F.col(column), F.array())
    return [
        (F.exists(entries, lambda e: e[field_name] < 0), f"negative {field_name} in {column}"),
        (F.exists(entries, lambda e: e[field_name] > limit), f"{field_name} in {column} above {setting}={limit}"),
    ]
