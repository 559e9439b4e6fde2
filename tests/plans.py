"""Reading the shape of a DataFrame's physical plan in tests."""

from __future__ import annotations


def first_shuffle_or_sort_above_scan(df) -> str:
    """The first Exchange, Sort or WindowGroupLimit node on the way up from df's (single) Parquet
    scan in its physical plan (Spark's or Comet's names, AQE's initial plan)."""
    lines = df._jdf.queryExecution().executedPlan().toString().splitlines()
    depth = lambda line: len(line) - len(line.lstrip(" :+-"))  # noqa: E731
    (leaf,) = [i for i, line in enumerate(lines) if "Scan" in line and "parquet" in line]
    level = depth(lines[leaf])
    for line in reversed(lines[:leaf]):
        if depth(line) < level:
            level = depth(line)
            name = line.strip(" :+-").split(" ")[0]
            if any(k in name for k in ("Exchange", "Sort", "WindowGroupLimit")):
                return name
    raise AssertionError("no exchange, sort or window group limit above the scan:\n" + "\n".join(lines))
