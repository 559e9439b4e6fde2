"""Where the landing of raw works in bronze spends its time: parse, checks, Parquet, Delta.

    .venv/bin/python bench/landing.py --papers 1000000 [--work /tmp/scintel-bench] [--repeat 2]
        [--comet on|off] [--driver-memory 12g] [--results bench/results]

Needs the corpus of `bench/pipeline.py --papers N` (WORK/<size>/input/works). A full run lands
works in one pass (jobs/ingest/openalex.py): the JSON Lines are parsed, checked, and the accepted
records written to bronze/works as Delta. This times that pass cut at each step, every step
from the same files to a complete sink, in one session:

  parse     the lines read and parsed with the raw schema (json_lines.read_json_lines) into
            Spark's noop sink
  checked   + the works rules (check_works) and bronze's shape (the raw line kept on rejects
            only, the accepted rows' raw columns and source file), into the noop sink
  parquet   the same rows written as plain Parquet (Spark's writer, the session's codec)
  parquet-uncompressed  the same, uncompressed: what compression adds to the write
  delta     the same rows written as a Delta table (what bronze.land does on a full run)

Each step runs --repeat times in turn (parse, checked, ... then again), so the OS cache and the
JIT treat them alike; the table reports each step's fastest time and the output's size on disk.
The differences between consecutive steps are the costs of the checks, of Parquet's encoding and
of the Delta commit. Writes bench/results/landing-<size>[-comet].json and .md. Not part of the
test suite.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import common  # bench/common.py: puts the project on sys.path

from jobs.ingest import bronze, duplicates, json_lines  # noqa: E402
from jobs.ingest.openalex import check_works  # noqa: E402
from schemas.raw import RAW_WORK  # noqa: E402

STEPS = ["parse", "checked", "parquet", "parquet-uncompressed", "delta"]


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 2)[2],
    )
    parser.add_argument("--papers", type=int, required=True, help="size of a corpus bench/pipeline.py has generated")
    parser.add_argument("--repeat", type=int, default=2, help="rounds over the steps (default 2); the fastest counts")
    common.add_run_arguments(parser)
    return parser.parse_args()


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    args = _args()
    common.setup_logging()
    label = common.size_label(args.papers)
    works = Path(args.work) / label / "input" / "works"
    if not works.is_dir():
        raise SystemExit(f"no corpus at {works}: run bench/pipeline.py --papers {args.papers} --work {args.work} first")
    scratch = Path(tempfile.mkdtemp(prefix="scintel-landing-", dir=str(Path(args.work) / label)))
    spark, config = common.session(args, f"scintel-bench-landing-{label}", str(scratch / "warehouse"))
    info = common.machine(spark)

    def records(checked: bool):
        raw = json_lines.read_json_lines(spark, str(works), RAW_WORK)
        if not checked:
            return raw
        return bronze.accepted_records(duplicates.raw_of_rejects_only(check_works(raw, config)), RAW_WORK.fieldNames())

    def run(step: str) -> tuple[float, int | None]:
        out = scratch / step
        shutil.rmtree(out, ignore_errors=True)
        started = time.monotonic()
        if step in ("parse", "checked"):
            records(step == "checked").write.format("noop").mode("overwrite").save()
        elif step == "parquet":
            records(True).write.parquet(str(out))
        elif step == "parquet-uncompressed":
            records(True).write.option("compression", "none").parquet(str(out))
        else:
            records(True).write.format("delta").save(str(out))
        seconds = time.monotonic() - started
        size = _size(out) if out.exists() else None
        shutil.rmtree(out, ignore_errors=True)
        common.log.info("%s: %.1fs", step, seconds)
        return seconds, size

    times: dict[str, list[float]] = {s: [] for s in STEPS}
    sizes: dict[str, int | None] = {}
    try:
        for _ in range(args.repeat):
            for step in STEPS:
                seconds, size = run(step)
                times[step].append(round(seconds, 1))
                sizes[step] = size
    finally:
        spark.stop()
        shutil.rmtree(scratch, ignore_errors=True)

    comet = config.spark.comet
    name = f"landing-{label}{common.engine_suffix(comet)}"
    best = {s: min(t) for s, t in times.items()}
    lines = [
        f"# Landing raw works in bronze, step by step: {label} generated papers ({'Comet' if comet else 'plain Spark'})\n\n",
        common.machine_markdown(info),
        f"\nEach step from the same JSON Lines files ({works}) to a complete sink; fastest of {args.repeat} rounds.\n\n",
        "| step | seconds (fastest) | all rounds | + over the previous step | output on disk |\n",
        "|---|---:|---|---:|---:|\n",
    ]
    previous = None
    for step in STEPS:
        added = "" if previous is None else f"{best[step] - best[previous]:+.1f}"
        size = common.fmt_bytes(sizes[step]) if sizes.get(step) else ""
        lines.append(f"| {step} | {best[step]:.1f} | {', '.join(f'{t:.1f}' for t in times[step])} | {added} | {size} |\n")
        previous = step if step != "parquet-uncompressed" else "parquet"
    data = {"papers": args.papers, "comet": comet, "machine": info, "seconds": times, "bytes": sizes}
    json_path, md_path = common.write_results(args.results, name, data, "".join(lines))
    print(f"landing at {label} papers: results {json_path} and {md_path}")


if __name__ == "__main__":
    main()
