"""The errors a user can fix, each with the exit code `scintel` returns for it.

The command line prints such an error as one line and exits with its class's `exit_code`
(`--debug` shows the stack trace); any other exception is a bug and propagates. The codes:
1 bad input, config or environment; 3 a critical quality expectation failed; 4 more rejected
records than `ingest.max_reject_ratio`; 5 the warehouse is held by another run (2, a bad command
line, is argparse's own); 143 the run was stopped by SIGTERM and 130 by SIGINT (Ctrl-C), as a
shell reports a process ended by that signal.
"""

from __future__ import annotations


class ScintelError(Exception):
    """Base of the errors a user can fix; the exit code is the class's."""

    exit_code = 1


class RunInterrupted(BaseException):
    """A signal (SIGTERM from a scheduler, SIGINT) stopped the command.

    A BaseException, like KeyboardInterrupt: raised from the signal handler in the middle of any
    call (py4j's included), it must not be caught as an ordinary error on its way up to the run
    loop, which cancels the Spark jobs, records the run as interrupted and releases the lock."""

    def __init__(self, signum: int):
        import signal

        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum
        self.exit_code = 128 + signum
