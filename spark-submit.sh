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
#   SCINTEL_JARS         how the JVM packages (Delta Lake, GraphFrames, Comet) reach the cluster:
#                        cached (default when .jars/ holds them): ship the jars scripts/setup.sh
#                          resolved with --jars; nothing is downloaded at submit time, so this is
#                          the choice for an air-gapped cluster or a pinned, audited set of jars;
#                        packages: name the coordinates with --packages and let spark-submit
#                          resolve them (Ivy) from Maven Central plus --repositories, the extra
#                          repositories setup uses (SCINTEL_MAVEN_REPOS, ../shared/maven); for a
#                          submitting host without .jars/ that reaches a repository
#   SCINTEL_MAVEN_REPOS  comma-separated extra Maven repository URLs (a corporate mirror)
#   SPARK_HOME           a Spark 4.1 install to use instead of the pyspark in .venv
#
# The Python code ships as a zip with --py-files (with its package data: jobs/defaults.yaml and
# the report's templates), named by a digest of its sources (dist/scintel-py-<digest>.zip) so that
# a submission running while the code changes, or another submission starts, keeps serving its
# executors the zip it started with; the driver is dist/scintel_main.py. The JVM packages are the
# ones pinned in pyproject.toml [tool.scintel.jvm-packages]. Local paths given to --input,
# --warehouse, --conf and --out are made absolute: executors (and a cluster-mode driver) run in
# other working directories.
# SPARK_LOCAL_IP       the driver's address, which executors connect back to (default: 127.0.0.1 in
#                      local mode; with a spark:// master, this host's address on the route to it;
#                      otherwise Spark's choice from the host name)
# SCINTEL_PYTHON_ENV   a packed Python environment for the workers (a .tar.gz path or URI that
#                      scripts/pack_env.py builds: the interpreter, scintel's dependencies, no
#                      Spark), shipped with --archives and unpacked as ./scintel-env in every
#                      executor's directory, so the workers need only Java and Spark. The
#                      executors (and a cluster-mode driver) run its bin/python3; a client-mode
#                      driver runs PYSPARK_PYTHON on this host. Not for local mode.
# PYSPARK_PYTHON (default: this project's .venv/bin/python; a relative path is made absolute)
# must exist at that path on every worker unless SCINTEL_PYTHON_ENV ships one; the session time
# zone is UTC, as in local mode.
# In cluster deploy mode (--deploy-mode cluster in SCINTEL_SUBMIT_ARGS) the config file (--conf,
# or SCINTEL_CONF) is shipped with --files and the job reads it from the driver's directory.
# Apache DataFusion Comet is on unless the config file says `spark: {comet: false}`: its plugin,
# shuffle manager and off-heap pool (spark.comet_offheap_size, or spark.memory.offHeap.size in
# SCINTEL_SUBMIT_ARGS, per executor) are passed with --conf. Comet's native library is inside its
# jar (Linux amd64 and aarch64): Linux workers need nothing else.
# COMET_LOG_LEVEL      the log level of Comet's native library in the driver and the executors
#                      (default WARN; INFO logs a line per shuffle spill)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -eq 0 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"
  exit 0
fi
py="$root/.venv/bin/python"
[ -x "$py" ] || { echo "spark-submit.sh: run scripts/setup.sh first (no .venv)" >&2; exit 1; }
submit="${SPARK_HOME:+$SPARK_HOME/bin/spark-submit}"
submit="${submit:-$root/.venv/bin/spark-submit}"

mkdir -p "$root/dist"
zip_file="$(cd "$root" && "$py" - dist <<'PY'
import hashlib, os, pathlib, sys, tempfile, time, zipfile
dist = pathlib.Path(sys.argv[1])
sources = [
    path
    for package in ("jobs", "schemas", "data_quality")
    for path in sorted(pathlib.Path(package).rglob("*"))
    if path.is_file() and path.suffix in (".py", ".yaml", ".md", ".html", ".css") and "__pycache__" not in path.parts
]
digest = hashlib.sha256()
for path in sources:
    digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
target = dist / f"scintel-py-{digest.hexdigest()[:16]}.zip"
if not target.exists():
    fd, tmp = tempfile.mkstemp(dir=dist, suffix=".zip.tmp")
    with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sources:
            zf.write(path)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)  # atomic: a concurrent submission sees the whole zip or none
# Zips of code older than 30 days: no submission still serves them.
for old in dist.glob("scintel-py-*.zip"):
    if old != target and old.stat().st_mtime < time.time() - 30 * 86400:
        old.unlink(missing_ok=True)
os.utime(target)
print(target.resolve())
PY
)"
driver="$root/dist/scintel_main.py"
driver_tmp="$(mktemp "$root/dist/.scintel_main.XXXXXX")"
cat > "$driver_tmp" <<'PY'
import sys
from jobs.cli import main
sys.exit(main(sys.argv[1:]))
PY
chmod 644 "$driver_tmp"
mv -f "$driver_tmp" "$driver"

# Local paths to absolute ones (URIs such as s3a://, hdfs://, file:/ pass unchanged).
absolute() {
  case "$1" in
    /* | *://* | file:*) printf '%s' "$1" ;;
    *) printf '%s/%s' "$PWD" "$1" ;;
  esac
}
args=()
expect_path=
conf_file=
for arg in "$@"; do
  if [ -n "$expect_path" ]; then
    args+=("$(absolute "$arg")")
    [ "$expect_path" != conf ] || conf_file="$(absolute "$arg")"
    expect_path=
    continue
  fi
  case "$arg" in
    --conf) args+=("$arg"); expect_path=conf ;;
    --input | --warehouse | --out) args+=("$arg"); expect_path=1 ;;
    --conf=*) conf_file="$(absolute "${arg#*=}")"; args+=("--conf=$conf_file") ;;
    --input=* | --warehouse=* | --out=*) args+=("${arg%%=*}=$(absolute "${arg#*=}")") ;;
    *) args+=("$arg") ;;
  esac
done

mode="${SCINTEL_JARS:-}"
if [ -z "$mode" ]; then
  if "$py" -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(0 if s and all(e.get("ok") for e in s.values()) else 1)' "$root/.jars/status.json" 2>/dev/null; then
    mode=cached
  else
    mode=packages
  fi
fi
jar_args=()
if [ "$mode" = cached ]; then
  jars="$("$py" -c 'import sys; sys.path.insert(0, sys.argv[1]); from jobs.session import cached_jars; print(",".join(map(str, cached_jars())))' "$root")"
  jar_args=(--jars "$jars")
elif [ "$mode" = packages ]; then
  packages="$("$py" -c 'import sys; sys.path.insert(0, sys.argv[1] + "/scripts"); from resolve_jars import jvm_packages; print(",".join(jvm_packages().values()))' "$root")"
  repositories="$("$py" -c 'import sys; sys.path.insert(0, sys.argv[1] + "/scripts"); from resolve_jars import repositories; print(",".join(repositories()))' "$root")"
  jar_args=(--packages "$packages")
  [ -z "$repositories" ] || jar_args+=(--repositories "$repositories")
else
  echo "spark-submit.sh: SCINTEL_JARS must be cached or packages (got $mode)" >&2
  exit 2
fi

# A relative interpreter path would be looked up in each executor's work dir: make it absolute.
if [[ "${PYSPARK_PYTHON:-}" == */* && "${PYSPARK_PYTHON}" != /* ]]; then
  PYSPARK_PYTHON="$PWD/$PYSPARK_PYTHON"
fi
export PYSPARK_PYTHON="${PYSPARK_PYTHON:-$py}"
export SCINTEL_CONF="${SCINTEL_CONF:-$root/conf/local.yaml}"
# Comet's native library logs at this level in a client-mode driver (executors and a cluster-mode
# driver get it with --conf, see comet_conf in jobs/session.py); at its default, INFO, it logs a
# line per shuffle spill.
export COMET_LOG_LEVEL="${COMET_LOG_LEVEL:-WARN}"
# Cluster deploy mode: the driver runs on the cluster, in a working directory of its own, so the
# config file goes with the job (--files puts it in that directory) and the job names it there.
deploy_mode=client
case " ${SCINTEL_SUBMIT_ARGS:-} " in
  *" --deploy-mode cluster "* | *" --deploy-mode=cluster "*) deploy_mode=cluster ;;
esac
file_args=()
case "$deploy_mode" in
  cluster)
    if [ "$1" != stages ]; then
      shipped="${conf_file:-$SCINTEL_CONF}"
      file_args=(--files "$shipped")
      name="$(basename "$shipped")"
      rebuilt=()
      skip=
      for arg in "${args[@]}"; do
        if [ -n "$skip" ]; then skip=; continue; fi
        case "$arg" in
          --conf) skip=1 ;;
          --conf=*) ;;
          *) rebuilt+=("$arg") ;;
        esac
      done
      args=("${rebuilt[@]}" --conf "$name")
    fi
    ;;
esac

# The driver's address: executors on other hosts connect back to it (client mode), so it must
# be one they can reach. Local mode keeps everything on loopback. For a standalone master it is
# the address of this host's interface that routes to the master (the network the workers share
# with it); for YARN and Kubernetes, Spark's own choice. SPARK_LOCAL_IP, or --conf
# spark.driver.host in SCINTEL_SUBMIT_ARGS, chooses it by hand.
master="${SCINTEL_MASTER:-local[2]}"
if [ -z "${SPARK_LOCAL_IP:-}" ]; then
  case "$master" in
    local*) export SPARK_LOCAL_IP=127.0.0.1 ;;
    spark://*)
      route="$("$py" - "$master" <<'PY'
import socket, sys
host, _, port = sys.argv[1].removeprefix("spark://").split(",")[0].rpartition(":")
try:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect((host, int(port)))  # no packet is sent: the kernel only picks the route
        print(probe.getsockname()[0])
except (OSError, ValueError):
    pass
PY
)"
      if [ -n "$route" ]; then
        export SPARK_LOCAL_IP="$route"
      else
        echo "spark-submit.sh: no route to the master in $master; set SPARK_LOCAL_IP to an address the workers reach" >&2
      fi
      ;;
  esac
fi
[ -z "${SPARK_LOCAL_IP:-}" ] || echo "spark-submit.sh: driver address ${SPARK_LOCAL_IP} (SPARK_LOCAL_IP)" >&2
# A packed environment: Spark unpacks the archive as ./scintel-env in each executor's (and a
# cluster-mode driver's) directory; spark.pyspark.python is the Python workers' interpreter there.
# The code itself still comes from --py-files, ahead of the environment's copy on the path.
env_args=()
if [ -n "${SCINTEL_PYTHON_ENV:-}" ]; then
  case "$master" in
    local*)
      echo "spark-submit.sh: SCINTEL_PYTHON_ENV ships a Python environment to cluster workers; local mode runs $PYSPARK_PYTHON (unset SCINTEL_PYTHON_ENV, or set SCINTEL_MASTER)" >&2
      exit 2
      ;;
  esac
  archive="$(absolute "$SCINTEL_PYTHON_ENV")"
  if [[ "$archive" != *://* && ! -f "$archive" ]]; then
    echo "spark-submit.sh: no packed environment at $archive (build one with: .venv/bin/python scripts/pack_env.py)" >&2
    exit 1
  fi
  env_python=./scintel-env/bin/python3
  env_args=(--archives "$archive#scintel-env" --conf "spark.pyspark.python=$env_python")
  if [ "$deploy_mode" = cluster ]; then
    env_args+=(--conf "spark.pyspark.driver.python=$env_python")
  else
    env_args+=(--conf "spark.pyspark.driver.python=$PYSPARK_PYTHON")
  fi
  echo "spark-submit.sh: workers run the packed environment $archive" >&2
fi
# Comet (spark.comet in the config file): its plugin, shuffle manager and off-heap pool are
# static settings, so they go on the command line; SCINTEL_SUBMIT_ARGS can still override them.
comet_args=()
while IFS= read -r line; do
  [ -z "$line" ] || comet_args+=(--conf "$line")
done < <("$py" -c '
import sys
sys.path.insert(0, sys.argv[1])
from jobs import config
from jobs.session import comet_conf
settings = config.load(sys.argv[2] or None).spark
if settings.comet:
    print("\n".join(f"{k}={v}" for k, v in comet_conf(settings.comet_offheap_size).items()))
' "$root" "${conf_file:-$SCINTEL_CONF}")
# shellcheck disable=SC2086
exec "$submit" \
  --master "$master" \
  --name "scintel-$1" \
  --py-files "$zip_file" \
  "${jar_args[@]}" \
  ${file_args[@]+"${file_args[@]}"} \
  ${env_args[@]+"${env_args[@]}"} \
  ${comet_args[@]+"${comet_args[@]}"} \
  --conf spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension \
  --conf spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog \
  --conf spark.sql.session.timeZone=UTC \
  ${SCINTEL_SUBMIT_ARGS:-} \
  "$driver" "${args[@]}"
