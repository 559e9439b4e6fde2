#!/usr/bin/env bash
# Nightly scintel run for cron: submit the whole pipeline with spark-submit.sh, log everything to
# a dated file, and exit with the pipeline's code (non-zero on failure: 1 bad input/config,
# 3 critical quality expectation, 4 too many rejects, 124 timeout, 75 previous run still going)
# so that cron's mail or a monitor on the exit code sees it.
#
# crontab (crontab -e as the user that owns the checkout; cron's PATH is minimal, so name java):
#   CRON_TZ=UTC
#   30 1 * * * JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 SCINTEL_MASTER=spark://spark-master:7077 SCINTEL_INPUT=/data/openalex SCINTEL_WAREHOUSE=/data/scintel /opt/scintel/deploy/cron/scintel-nightly.sh
#
# Environment:
#   SCINTEL_INPUT          raw input for --input (required)
#   SCINTEL_WAREHOUSE      warehouse for --warehouse (required)
#   SCINTEL_CONF           config file (default: conf/cluster.yaml of this checkout)
#   SCINTEL_MASTER, SCINTEL_SUBMIT_ARGS, SCINTEL_JARS   passed on to spark-submit.sh
#   SCINTEL_LOG_DIR        where the logs go (default: ~/.local/state/scintel/nightly); one file
#                          per run, scintel-nightly-<UTC date>T<time>Z.log
#   SCINTEL_LOG_KEEP_DAYS  logs older than this are deleted (default 30)
#   SCINTEL_TIMEOUT        stop the run after this long (timeout(1) syntax, default 10h)
#   SCINTEL_SUBMIT         the submit command (default: spark-submit.sh of this checkout)
#   SCINTEL_FULL           1: a full run (bronze replaced by the input) instead of the nightly
#                          update, which MERGEs only the snapshot's updated_date partitions (and
#                          merged_ids) since the last successful run (--incremental --since-last-run)
set -uo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
submit="${SCINTEL_SUBMIT:-$home/spark-submit.sh}"
log_dir="${SCINTEL_LOG_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/scintel/nightly}"
conf="${SCINTEL_CONF:-$home/conf/cluster.yaml}"
keep_days="${SCINTEL_LOG_KEEP_DAYS:-30}"
limit="${SCINTEL_TIMEOUT:-10h}"

if [ -z "${SCINTEL_INPUT:-}" ] || [ -z "${SCINTEL_WAREHOUSE:-}" ]; then
  echo "scintel-nightly: set SCINTEL_INPUT and SCINTEL_WAREHOUSE (see the header of $0)" >&2
  exit 2
fi
mkdir -p "$log_dir" || exit 1
log="$log_dir/scintel-nightly-$(date -u +%Y-%m-%dT%H%M%SZ).log"

# One nightly run at a time: a run still going when the next one starts is reported, not doubled.
if command -v flock >/dev/null; then
  exec 9>"$log_dir/.scintel-nightly.lock"
  if ! flock -n 9; then
    echo "scintel-nightly: the previous run still holds $log_dir/.scintel-nightly.lock; not starting" | tee -a "$log" >&2
    exit 75
  fi
fi

mode=(--incremental --since-last-run)
[ "${SCINTEL_FULL:-0}" != 1 ] || mode=()
started=$(date +%s)
{
  echo "scintel-nightly: start $(date -u +%FT%TZ) on $(hostname)"
  echo "  code: $(git -C "$home" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "  input: $SCINTEL_INPUT  warehouse: $SCINTEL_WAREHOUSE  conf: $conf  master: ${SCINTEL_MASTER:-local[2]}"
} >>"$log"

timeout --signal=TERM --kill-after=5m "$limit" \
  "$submit" run --input "$SCINTEL_INPUT" --warehouse "$SCINTEL_WAREHOUSE" --conf "$conf" ${mode[@]+"${mode[@]}"} >>"$log" 2>&1
code=$?

echo "scintel-nightly: end $(date -u +%FT%TZ) after $(( $(date +%s) - started ))s, exit $code" >>"$log"
find "$log_dir" -maxdepth 1 -name 'scintel-nightly-*.log' -mtime +"$keep_days" -delete 2>/dev/null
if [ "$code" -ne 0 ]; then
  # cron mails this; the whole story is in the log.
  echo "scintel-nightly: FAILED with exit $code; log: $log" >&2
  tail -n 20 "$log" >&2
fi
exit "$code"
