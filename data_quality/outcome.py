"""CheckOutcome, the one row every check of the gate produces, whatever ran it (a Great
Expectations expectation, a Spark SQL aggregate, an anti-join, the drift check), and the helpers
that keep such rows small and readable.

Grain: one row per (table, check) of a gate. A check that could not run (missing table, missing
column, an exception) is still one row, failed, with `exception` set: the gate reports bad data,
it does not raise for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EXAMPLES = 10  # unexpected values quoted per failing check
MAX_MESSAGE = 500  # characters kept of an exception's message


@dataclass(frozen=True)
class CheckOutcome:
    """One expectation (or reference check) evaluated on one table."""

    table: str
    expectation: str
    column: str | None
    severity: str
    success: bool
    unexpected_count: int | None = None
    element_count: int | None = None
    partial_unexpected: list = field(default_factory=list)
    detail: str = ""
    exception: str | None = None

    def describe(self) -> str:
        target = f"{self.expectation}({self.column or ''})"
        if self.detail:
            target += f" [{self.detail}]"
        if self.exception:
            return f"{target}: raised {self.exception}"
        if self.unexpected_count is None:
            return f"{target}: {'passed' if self.success else 'failed'}"
        of = f" of {self.element_count}" if self.element_count is not None else ""
        examples = f", e.g. {examples_text(self.partial_unexpected)}" if self.partial_unexpected else ""
        return f"{target}: {self.unexpected_count}{of} rows unexpected{examples}"


def message(err: BaseException) -> str:
    """`Type: first line of the message`, at most MAX_MESSAGE characters (Spark's analysis errors
    carry the whole plan after the first line)."""
    return f"{type(err).__name__}: {str(err).strip().splitlines()[0] if str(err).strip() else ''}"[:MAX_MESSAGE]


def plain(value: Any) -> Any:
    """GE stores bounds as floats; 2100.0 reads better as 2100."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def examples_text(values: list[Any]) -> str:
    return ", ".join(repr(value) for value in values[:5]) + (" ..." if len(values) > 5 else "")
