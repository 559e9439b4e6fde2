"""What every ingest module shares: the ingest's errors, the names of the columns a parsed record
carries besides its fields, the read = accepted + quarantined count, the report a job returns, and
the OpenAlex id form every source's references are compared in.

Every input record ends up either accepted or in the quarantine table with a reason, so each
ingest can state read = accepted + quarantined (TableCount.balanced).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql import Column
from pyspark.sql import functions as F

from jobs.errors import ScintelError

# Columns of a parsed record besides its fields: the input line as read (quoted by its quarantine
# row), the file it came from (names that row's origin, and keeps a rerun's survivor choice
# stable), whether the line holds one JSON value and nothing after it (jobs/ingest/json_lines.py)
# and the first rule it breaks (null when accepted).
RAW = "_raw"
SOURCE_FILE = "_source_file"
ONE_VALUE = "_one_value"
REASON = "_reason"


class IngestError(ScintelError, RuntimeError):
    """Input that cannot be ingested at all (a missing directory, an unreadable file...)."""


class RejectRatioExceeded(IngestError):
    """More of a table's records were rejected than `ingest.max_reject_ratio` allows."""

    exit_code = 4


@dataclass
class TableCount:
    read: int
    accepted: int
    quarantined: int

    def balanced(self) -> bool:
        return self.read == self.accepted + self.quarantined


@dataclass
class IngestReport:
    source: str
    counts: dict[str, TableCount] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    landings: dict = field(default_factory=dict)  # entity -> bronze.Landing
    partitions: dict[str, str] = field(default_factory=dict)  # entity -> newest updated_date partition delivered

    def reject_ratio(self, table: str) -> float:
        count = self.counts[table]
        return count.quarantined / count.read if count.read else 0.0

    def lines(self) -> list[str]:
        return [
            f"{self.source} {table}: read={c.read} accepted={c.accepted} quarantined={c.quarantined}"
            for table, c in self.counts.items()
        ]


def strip_openalex_id(column: str | Column) -> Column:
    """'https://openalex.org/W123' -> 'W123'; ids already short pass through; '' -> null."""
    col = F.col(column) if isinstance(column, str) else column
    # What follows the last '/' (all of it when there is none). substring_index, not a regex:
    # it runs once per reference (2.7B of them in a full snapshot), and a plain search for the
    # last '/' does less work per value than a regex match.
    short = F.substring_index(F.trim(col), "/", -1)
    return F.when(short == "", F.lit(None)).otherwise(short)
