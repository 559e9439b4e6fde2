#!/usr/bin/env bash
# The test command (README, .ci/run): installs what it needs, checks lint and formatting with
# ruff (configured in pyproject.toml), then runs the whole suite on the real Delta Lake and
# GraphFrames jars. `ruff format .` fixes a formatting failure; `ruff check --fix .` most lint ones.
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
.venv/bin/python -m pytest "$@"
code=$?
set -e
echo "test suite: $(( $(date +%s) - start ))s"
exit $code
