"""The errors a user can fix, each with the exit code `scintel` returns for it.

The command line prints such an error as one line and exits with its class's `exit_code`
(`--debug` shows the stack trace); any other exception is a bug and propagates. The codes:
1 bad input, config or environment; 3 a critical quality expectation failed; 4 more rejected
records than `ingest.max_reject_ratio`; 5 the warehouse is held by another run (2, a bad command
line, is argparse's own).
"""

from __future__ import annotations


class ScintelError(Exception):
    """Base of the errors a user can fix; the exit code is the class's."""

    exit_code = 1
