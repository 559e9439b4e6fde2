"""One session-scoped local SparkSession for the whole run: Delta Lake and GraphFrames on (both
required), UI off, few shuffle partitions, a temp warehouse."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jobs.session import build_session

SHARED_SAMPLE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "openalex-sample"


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    checkpoints = tmp_path_factory.mktemp("checkpoints")
    session = build_session(
        "scintel-tests",
        master="local[2]",
        checkpoint=str(checkpoints),
        extra_conf={
            "spark.sql.shuffle.partitions": "4",
            "spark.default.parallelism": "4",
            "spark.sql.warehouse.dir": str(tmp_path_factory.mktemp("spark-warehouse")),
            "spark.driver.memory": os.environ.get("SCINTEL_TEST_DRIVER_MEMORY", "6g"),
            # The JVM's collector and code cache are scintel's local-mode defaults
            # (jobs/session.py LOCAL_DEFAULTS, with the measurements behind them).
        },
    )
    yield session
    session.stop()


@pytest.fixture
def warehouse(tmp_path):
    from jobs.warehouse import Warehouse

    return Warehouse(str(tmp_path / "warehouse"))


@pytest.fixture(scope="session")
def shared_sample():
    if not (SHARED_SAMPLE / "works").is_dir():
        pytest.skip(f"the real OpenAlex sample is not at {SHARED_SAMPLE} (it lives in ../shared, outside the project)")
    return SHARED_SAMPLE


@pytest.fixture(scope="session")
def sample_ingested(spark, shared_sample, tmp_path_factory):
    """The shared OpenAlex sample ingested once for the run: (warehouse, ingest report)."""
    from jobs import config as cfg
    from jobs.ingest import openalex
    from jobs.warehouse import Warehouse

    warehouse = Warehouse(str(tmp_path_factory.mktemp("sample") / "warehouse"))
    return warehouse, openalex.run(spark, cfg.load(), str(shared_sample), warehouse)


# The modules that run the whole pipeline, longest first. With pytest-xdist (scripts/test.sh
# runs two workers, each file on one worker) they start first, one per worker, and the short
# modules fill in around them; in collection order last, they would leave one worker idle at the end.
HEAVY_MODULES = ("test_end_to_end.py", "test_cluster_mode.py", "test_incremental.py")


def pytest_collection_modifyitems(config, items):
    def weight(item):
        name = item.path.name
        return HEAVY_MODULES.index(name) if name in HEAVY_MODULES else len(HEAVY_MODULES)

    items.sort(key=weight)  # stable: the order within a module and among the rest is kept
