#!/usr/bin/env bash
# The test command (README, .ci/run): installs what it needs, then runs the whole suite on the
# real Delta Lake jar (and GraphFrames where its jar could be resolved).
#   scripts/test.sh [PYTEST ARGS...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# GraphFrames' JVM package may be unobtainable from the Maven repositories a machine reaches;
# setup then names its coordinate, and the tests that need it are skipped with that reason.
# Nothing stands in for it. Delta Lake is never optional.
scripts/setup.sh --allow-missing graphframes
export PYSPARK_PYTHON="$root/.venv/bin/python"
start=$(date +%s)
set +e
.venv/bin/python -m pytest "$@"
code=$?
set -e
echo "test suite: $(( $(date +%s) - start ))s"
if ! .venv/bin/python -c 'import json,sys; sys.exit(0 if json.load(open(".jars/status.json"))["graphframes"]["ok"] else 1)'; then
  echo "NOTE: GraphFrames JVM package $(.venv/bin/python -c 'import json; print(json.load(open(".jars/status.json"))["graphframes"]["coordinate"])') could not be resolved here; its tests were skipped (see the skip reasons above)."
fi
exit $code
