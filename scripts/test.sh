#!/usr/bin/env bash
# The test command (README, .ci/run): installs what it needs, checks lint and formatting with
# ruff (configured in pyproject.toml), then runs the whole suite on the real Delta Lake and
# GraphFrames jars. `ruff format .` fixes a formatting failure; `ruff check --fix .` most lint ones.
# The suite runs on SCINTEL_TEST_WORKERS pytest-xdist workers (default 2), each with its own local
# SparkSession; each test module runs wholly on one worker (--dist loadfile: its fixtures are built
# once), and the modules that run the whole pipeline start first (tests/conftest.py).
# SCINTEL_TEST_WORKERS=0 runs everything in this process; PYTEST ARGS go after, so `-n 0` works too.
#   scripts/test.sh [PYTEST ARGS...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh
export PYSPARK_PYTHON="$root/.venv/bin/python"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
start=$(date +%s)
set +e
workers="${SCINTEL_TEST_WORKERS:-2}"
.venv/bin/python -m pytest -n "$workers" --dist loadfile --no-loadscope-reorder "$@"
code=$?
set -e
echo "test suite: $(( $(date +%s) - start ))s"
exit $code
