#!/usr/bin/env bash
# Install everything scintel needs into the project: a Python venv (.venv) with the pinned stack,
# and the Delta Lake / GraphFrames jars resolved by Maven (.jars) from Maven Central plus the
# extra repositories: SCINTEL_MAVEN_REPOS (comma-separated URLs) and ../shared/maven when it
# exists. Both packages are required: setup fails naming a coordinate it cannot resolve.
# Idempotent and quick when nothing changed; after the first run it works offline.
#   scripts/setup.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
py="${SCINTEL_PYTHON:-python3.11}"
command -v "$py" >/dev/null 2>&1 || py=python3
"$py" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' \
  || { echo "ERROR: scintel needs Python 3.11 (found $("$py" --version 2>&1))." >&2; exit 1; }
command -v java >/dev/null || { echo "ERROR: Java 17 is needed (java not on PATH)." >&2; exit 1; }

start=$(date +%s)
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$py" -m venv .venv
fi
want="$(sha256sum pyproject.toml | cut -c1-16)"
have="$(cat .venv/.scintel-installed 2>/dev/null || true)"
if [ "$want" != "$have" ]; then
  echo "setup: installing the pinned stack into .venv (first time: pyspark builds a wheel, ~2 min)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[spark,test]"
  echo "$want" > .venv/.scintel-installed
fi
.venv/bin/python scripts/resolve_jars.py "$@"
echo "setup: ready in $(( $(date +%s) - start ))s (venv $(du -sh .venv | cut -f1), jars $(du -sh .jars | cut -f1))"
