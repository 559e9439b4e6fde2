"""Reading only what changed since the last run: OpenAlex's `updated_date=YYYY-MM-DD` partitions.

In an OpenAlex snapshot each entity folder holds one partition per update date, and a record
lives in the partition of the day it last changed: when a record changes, it leaves its old
partition for a new one. So the records changed since date D are exactly those in partitions
dated D or later, and ids removed since D are in the `merged_ids/<entity>/` files dated D or
later. An incremental run that reads only those (`--since DATE`, or `--since-last-run`: the
newest partition each entity had when the last successful run read it) MERGEs into bronze the
same changes a run over the whole snapshot would, and bronze MERGE keeps the newer of two
versions of a record, so re-reading the partition of the date itself changes nothing: the
selection is `>=`, not `>`, because a partition may still have been growing on the day the
previous run read it.

Files outside any updated_date partition (a flat delivery, a manual export) carry no date:
they are always read, and the log says how many.
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

_PARTITION = re.compile(r"(?:^|/)updated_date=(\d{4}-\d{2}-\d{2})(?:/|$)")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


def partition_date(relative: str) -> str | None:
    """The YYYY-MM-DD of the updated_date partition a file lies in, or None."""
    match = _PARTITION.search(relative)
    return match.group(1) if match else None


def file_date(relative: str) -> str | None:
    """The date a merged_ids file is named for (merged_ids/works/2024-01-15.csv.gz), or None."""
    match = _DATE.search(relative.rsplit("/", 1)[-1])
    return match.group(1) if match else None


def newest(relatives: list[str]) -> str | None:
    """The newest partition date among files (None when none lies in a partition)."""
    dates = [d for d in map(partition_date, relatives) if d]
    return max(dates) if dates else None


def keep(relative: str, since: str | None, date_of=partition_date) -> bool:
    """Whether a run reading changes since `since` reads this file."""
    if since is None:
        return True
    date = date_of(relative)
    return date is None or date >= since


def log_selection(what: str, relatives: list[str], since: str | None, date_of=partition_date) -> None:
    if since is None:
        return
    kept = [r for r in relatives if keep(r, since, date_of)]
    undated = [r for r in relatives if date_of(r) is None]
    log.info(
        "%s: %d of %d files dated %s or later%s",
        what,
        len(kept) - len(undated),
        len(relatives),
        since,
        f", plus {len(undated)} without a date (always read)" if undated else "",
    )
