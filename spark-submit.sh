#!/usr/bin/env bash
# Submit a scintel job to Spark: the cluster entry point, and the same path in local mode.
#
#   ./spark-submit.sh JOB [ARGS...]        JOB is a scintel command: run | generate | show | stages
#   ./spark-submit.sh run --input s3a://corpus/ --warehouse s3a://wh/ --conf conf/cluster.yaml
#
# Environment:
#   SCINTEL_MASTER       --master for spark-submit (default local[2]; e.g. yarn, k8s://..., spark://host:7077)
#   SCINTEL_SUBMIT_ARGS  extra spark-submit options, e.g. "--deploy-mode client --num-executors 50
#                        --executor-memory 16g --conf spark.sql.shuffle.partitions=4000"
#   SCINTEL_JARS         cached (default when .jars/ holds the packages): ship the jars resolved by
#                        scripts/setup.sh with --jars; packages: name them with --packages and let
#                        the cluster resolve them (add --repositories via SCINTEL_SUBMIT_ARGS)
#   SPARK_HOME           a Spark 4.1 install to use instead of the pyspark in .venv
#
# The Python code ships as a zip with --py-files; the driver is dist/scintel_main.py. The JVM
# packages are the ones pinned in pyproject.toml [tool.scintel.jvm-packages].
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -eq 0 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
py="$root/.venv/bin/python"
[ -x "$py" ] || { echo "spark-submit.sh: run scripts/setup.sh first (no .venv)" >&2; exit 1; }
submit="${SPARK_HOME:+$SPARK_HOME/bin/spark-submit}"
submit="${submit:-$root/.venv/bin/spark-submit}"

mkdir -p "$root/dist"
zip_file="$root/dist/scintel-py.zip"
(cd "$root" && rm -f "$zip_file" && "$py" - "$zip_file" <<'PY'
import sys, zipfile, pathlib
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as zf:
    for package in ("jobs", "schemas", "data_quality"):
        for path in sorted(pathlib.Path(package).rglob("*")):
            if path.suffix in (".py", ".yaml", ".md") and "__pycache__" not in path.parts:
                zf.write(path)
PY
)
cat > "$root/dist/scintel_main.py" <<'PY'
import sys
from jobs.cli import main
sys.exit(main(sys.argv[1:]))
PY

mode="${SCINTEL_JARS:-}"
if [ -z "$mode" ]; then
  if "$py" -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(0 if s.get("delta",{}).get("ok") else 1)' "$root/.jars/status.json" 2>/dev/null; then
    mode=cached
  else
    mode=packages
  fi
fi
jar_args=()
if [ "$mode" = cached ]; then
  jars="$("$py" -c 'import sys; sys.path.insert(0, sys.argv[1]); from jobs.session import cached_jars; print(",".join(map(str, cached_jars())))' "$root")"
  jar_args=(--jars "$jars")
else
  packages="$("$py" -c 'import sys; sys.path.insert(0, sys.argv[1] + "/scripts"); from resolve_jars import jvm_packages; print(",".join(jvm_packages().values()))' "$root")"
  jar_args=(--packages "$packages")
fi

export PYSPARK_PYTHON="${PYSPARK_PYTHON:-$py}"
export SCINTEL_CONF="${SCINTEL_CONF:-$root/conf/local.yaml}"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
# shellcheck disable=SC2086
exec "$submit" \
  --master "${SCINTEL_MASTER:-local[2]}" \
  --name "scintel-$1" \
  --py-files "$zip_file" \
  "${jar_args[@]}" \
  --conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension \
  --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog \
  ${SCINTEL_SUBMIT_ARGS:-} \
  "$root/dist/scintel_main.py" "$@"
