"""Configs shared by the test modules that run the whole pipeline, and the JIT setting of the
short-lived JVMs some of them start.

The gold gates are tested once, in tests/data_quality/test_gold_gate.py and the gated end-to-end
run; a module that runs the pipeline to compare tables (Comet on and off, cluster and local,
nightly and full) leaves them out, since they write no table and would only multiply its time.
"""

from __future__ import annotations

from jobs import config as cfg
from jobs import pipeline

UNGATED = "conf/local.yaml without gold gates"

# The JVMs the suite starts for a few minutes each (the cluster test's master, workers, driver and
# executors, the nightly run's driver process) compile with C1 only: they run one small pipeline
# and exit, so C2's optimising compilations cost more CPU than its faster code earns back, and
# that CPU is taken from the other pytest worker (two workers and the standalone cluster share
# the cores).
# The session's local JVM (tests/conftest.py) keeps the JVM's full tiered JIT: it lives through
# every module of its worker, where C2's code pays. So do users' runs (jobs/session.py).
TEST_JIT_OPTION = "-XX:TieredStopAtLevel=1"


def ungated_dict() -> dict:
    """conf/local.yaml as a dict, with quality.gate_gold off."""
    data = cfg.load_dict()
    data["quality"]["gate_gold"] = False
    return data


def ungated_config() -> cfg.Config:
    """conf/local.yaml with quality.gate_gold off."""
    return cfg.from_dict(ungated_dict(), source=UNGATED)


def ungated_stages(stages: list[str] | None = None) -> list[str]:
    """The stages (default every stage) without quality_silver, the silver gate: it writes no table."""
    return [s for s in (stages if stages is not None else pipeline.plan([])) if s != "quality_silver"]
