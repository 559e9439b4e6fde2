"""Reading what a Delta commit recorded, straight from its JSON log, in tests."""

from __future__ import annotations

import json
from pathlib import Path


def added_file_stats(table: Path, version: int) -> list[dict]:
    """The statistics of the files commit `version` of the table at `table` added, as Delta
    recorded them (numRecords, and minValues, maxValues, nullCount per column that has them)."""
    commit = table / "_delta_log" / f"{version:020d}.json"
    actions = [json.loads(line) for line in commit.read_text().splitlines() if line]
    return [json.loads(a["add"]["stats"]) for a in actions if "add" in a]
