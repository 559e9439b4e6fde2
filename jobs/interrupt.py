"""Stopping a command from outside: SIGTERM (a scheduler's stop, a timeout, `kill`).

The signal handler does not raise. Raising in the middle of a py4j call would unwind through
PySpark's own context managers, which make py4j calls of their own on the connection whose JVM
thread is still running the job: they would wait for the job to finish. Instead the handler
marks the stop as requested and starts a thread that cancels every running Spark job (on its
own py4j connection), again every half second until the run loop acknowledges the stop, so
that a job the stage starts after the first cancellation fails too. The interrupted call then
fails with Spark's "job cancelled" error, the run loop (jobs/pipeline.py) sees that a stop was
requested, records the run as interrupted, releases the warehouse lock and raises
RunInterrupted; the command line exits with 128 + the signal's number.
"""

from __future__ import annotations

import logging
import signal
import threading
from contextlib import contextmanager

from jobs.errors import RunInterrupted

log = logging.getLogger(__name__)

_requested: list[int] = []  # the signal, once one arrived
_acknowledged = threading.Event()


def requested() -> RunInterrupted | None:
    """The stop requested by a signal, or None."""
    return RunInterrupted(_requested[0]) if _requested else None


def check() -> None:
    """Raise RunInterrupted when a stop was requested (the run loop calls it between stages)."""
    stop = requested()
    if stop is not None:
        raise stop


def acknowledge() -> None:
    """The run loop has seen the stop: cancelling ends, so the run record can be written."""
    _acknowledged.set()


def _cancel_until_acknowledged() -> None:
    from pyspark import SparkContext

    while not _acknowledged.is_set():
        context = SparkContext._active_spark_context
        if context is not None:
            try:
                context.cancelAllJobs()
            except Exception as err:  # the JVM may be going away; the next round retries
                log.debug("cancelAllJobs failed: %s", err)
        _acknowledged.wait(0.5)


def _on_signal(signum, _frame) -> None:
    if _requested:
        return
    _requested.append(signum)
    log.warning("%s received: cancelling the running Spark jobs", signal.Signals(signum).name)
    threading.Thread(target=_cancel_until_acknowledged, name="scintel-cancel", daemon=True).start()


@contextmanager
def stop_on_sigterm():
    """Within the block, SIGTERM requests a stop as described above (main thread only: Python
    delivers signals there; elsewhere the block changes nothing)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _requested.clear()
    _acknowledged.clear()
    previous = signal.signal(signal.SIGTERM, _on_signal)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        _acknowledged.set()
