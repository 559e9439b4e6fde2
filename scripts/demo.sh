#!/usr/bin/env bash
# The main job on the embedded default data: generate a synthetic corpus (20k papers, seed 42),
# run the pipeline over it into a Delta warehouse, show a few rows and render both HTML reports
# (the global one and the configured city's).
#   scripts/demo.sh [PAPERS] [OUT_DIR]      (defaults: 20000, ./demo)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
papers="${1:-20000}"
out="${2:-$root/demo}"
scripts/setup.sh
export PYSPARK_PYTHON="$root/.venv/bin/python"
.venv/bin/scintel generate --papers "$papers" --seed 42 --out "$out/input"
.venv/bin/scintel run --input "$out/input" --warehouse "$out/warehouse"
.venv/bin/scintel show papers --warehouse "$out/warehouse" --limit 5
.venv/bin/scintel show --list --warehouse "$out/warehouse"
.venv/bin/scintel report --warehouse "$out/warehouse" --out "$out/report"
echo "demo: tables under $out/warehouse; try: .venv/bin/scintel show quarantine --warehouse $out/warehouse"
echo "demo: reports in $out/report/: report.html (global) and city-*.html (the city report); charts also as PNG, SVG and CSV in $out/report/figures/"
