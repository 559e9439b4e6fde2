"""`scintel`: generate a corpus, run the pipeline, look at tables.

    scintel generate --papers 20000 --seed 42 --out corpus/
    scintel run --input corpus/ --warehouse wh/            # every stage
    scintel run ingest_openalex --input corpus/ --warehouse wh/ --only
    scintel run --input delivery/ --warehouse wh/ --incremental   # MERGE a delivery of changes
    scintel run --input snapshot/ --warehouse wh/ --incremental --since-last-run   # nightly: new partitions only
    scintel show papers --warehouse wh/ --limit 5 --format csv
    scintel show papers --warehouse wh/ --history             # its Delta versions; --version N reads one
    scintel runs --warehouse wh/                             # the run history (audit table)
    scintel maintain --warehouse wh/                         # OPTIMIZE, Z-order, VACUUM, retention
    scintel check --warehouse wh/                            # Delta Lake + GraphFrames work here?
    scintel stages                                           # what `run` can do

Every command takes --debug, before or after the command name. A warehouse (or --input, --out)
is a local path or any URI Hadoop reads: file://, hdfs://, s3a://...

Exit codes: 0 ok, 1 bad input/config/environment (one readable line, no stack trace unless
--debug), 2 bad command line, 3 a critical quality expectation failed, 4 too many rejects,
5 the warehouse is in use by another run, 143 stopped by SIGTERM (130 by Ctrl-C): the run is
recorded as interrupted and its lock released.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import logging
import os
import sys
import tempfile
import urllib.parse
from pathlib import Path

from jobs import interrupt
from jobs.errors import RunInterrupted

log = logging.getLogger("scintel")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scintel",
        description="Science-and-technology intelligence indicators from OpenAlex-scale corpora, on Spark + Delta Lake.",
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show stack traces and Spark INFO logs")
    parser.add_argument("--version", action="version", version=version_text())
    # --debug after the command name too: SUPPRESS keeps the top-level value unless it is given.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show stack traces and Spark INFO logs")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, **kwargs) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], **kwargs)

    gen = command(
        "generate",
        help="write a synthetic corpus in the raw OpenAlex + patent formats",
        description="Write a synthetic corpus (works/, authors/, institutions/, patents/ JSON Lines, gzipped) "
        "built with Spark, with planted facts the indicators must recover (jobs/generate/PLANTED.md). "
        "Same seed, same corpus.",
    )
    gen.add_argument("--papers", type=_positive_int, required=True, metavar="N", help="number of works")
    gen.add_argument("--seed", type=int, default=42, metavar="S", help="random seed (default 42)")
    gen.add_argument("--out", required=True, metavar="DIR", help="output directory (replaced)")
    gen.add_argument("--conf", metavar="FILE", help="config file (default conf/local.yaml): year window")

    run = command(
        "run",
        help="run pipeline stages (all by default) from raw input to Delta tables",
        description="Run pipeline stages in dependency order. With no STAGE, run all. `scintel stages` lists them.",
    )
    run.add_argument("stages", nargs="*", metavar="STAGE", help="stages to run (with their prerequisites)")
    run.add_argument(
        "--input",
        metavar="DIR",
        help="raw input: works/, authors/, institutions/ (OpenAlex JSON Lines: a snapshot's data/jsonl/, whose "
        "manifest.json files are checked, or the legacy data/ with per-entity manifests), patents/ (JSON Lines or "
        "Parquet); each optional",
    )
    run.add_argument("--warehouse", required=True, metavar="DIR", help="where the Delta tables live")
    run.add_argument("--conf", metavar="FILE", help="config file (default conf/local.yaml)")
    run.add_argument("--only", action="store_true", help="run just the named stages, not their prerequisites")
    run.add_argument(
        "--incremental",
        action="store_true",
        help="--input is a delivery of changes (new and updated records, plus works to delete logged in "
        "works/deleted_ids.csv, or ids under merged_ids/<entity>/ in OpenAlex's legacy layout): MERGE it into the stored corpus (bronze) "
        "instead of replacing it; the canonical and gold tables are then recomputed so that they equal "
        "a full run over the merged corpus",
    )

    since = run.add_mutually_exclusive_group()
    since.add_argument(
        "--since",
        type=_date,
        metavar="YYYY-MM-DD",
        help="with --incremental and an OpenAlex snapshot as --input: read only its updated_date partitions "
        "(and merged_ids files) dated this day or later, the records changed since then",
    )
    since.add_argument(
        "--since-last-run",
        action="store_true",
        help="with --incremental: --since the newest partition of each entity the last successful run read "
        "(the nightly update of a synced snapshot; the first run reads every partition)",
    )

    show = command(
        "show",
        help="print rows of a table, an older version of it, or its history",
        description="Print rows of a silver, gold or bronze table: its current version, or version N with "
        "--version N (Delta time travel, while VACUUM has not removed that version's files); --history lists "
        "the versions with their time, operation and the run that wrote them.",
    )
    show.add_argument("table", nargs="?", metavar="TABLE", help="table name, e.g. papers (omit with --list)")
    show.add_argument("--warehouse", required=True, metavar="DIR")
    show.add_argument("--format", choices=("table", "csv", "json"), default="table")
    show.add_argument("--limit", type=_positive_int, default=20, metavar="N")
    show.add_argument("--list", action="store_true", help="list the tables of the warehouse")
    show.add_argument("--version", type=_non_negative_int, metavar="N", help="read the table as of Delta version N")
    show.add_argument("--history", action="store_true", help="list the table's versions (newest first, at most --limit)")
    show.add_argument("--conf", metavar="FILE", help=argparse.SUPPRESS)

    report = command(
        "report",
        help="render the HTML report (the seeds' charts) from the gold tables",
        description="Render the HTML reports from a warehouse's gold tables: report.html (the global report: "
        "rankings, yearly series with the golden cross, patents, talent and its flows, collaboration, research "
        "fronts, the topic lens, top teams) and city-<name>.html (the city report: a city's subfields, core "
        "scholars and institutions, its collaboration network). Each chart is also under figures/ as PNG, SVG "
        "and CSV, and states its seed figure, scope and the run that wrote its data.",
    )
    report.add_argument("--warehouse", required=True, metavar="DIR")
    report.add_argument("--out", metavar="DIR", help="output directory (default <warehouse>/_report)")
    report.add_argument("--top", type=_positive_int, default=15, metavar="N", help="bars per ranking (default 15)")
    report.add_argument("--conf", metavar="FILE", help="config file (default conf/local.yaml): scope shown with each chart")
    report.add_argument(
        "--city",
        metavar="NAME",
        help="the city report's city (default: the config's scope.report_city); "
        "the city report is written beside the main one when the city_subfield tables exist",
    )

    check = command(
        "check",
        help="check that this Spark runs Delta Lake, GraphFrames and Comet (local mode or a cluster)",
        description="Write a generated edge list as a Delta table under <warehouse>/_check/, run GraphFrames' "
        "connected components over it on the executors and compare with the known answer. Exit 0 when both "
        "engines work; 1 naming the engine and what went wrong. Submit it with ./spark-submit.sh check "
        "--warehouse DIR to try a cluster before the first run.",
    )
    check.add_argument("--warehouse", required=True, metavar="DIR", help="a warehouse (its _check/ folder is replaced)")
    check.add_argument("--conf", metavar="FILE", help="config file (default conf/local.yaml)")

    maintain = command(
        "maintain",
        help="Delta upkeep: retention properties, OPTIMIZE (Z-order by join keys), deletion-vector purge and VACUUM of every table",
        description="For every Delta table of the warehouse (bronze, silver, gold, the audit table): set "
        "delta.logRetentionDuration and delta.deletedFileRetentionDuration from the config's maintenance "
        "section, OPTIMIZE it (Z-ordered by the columns maintenance.zorder names for it, else compaction), "
        "purge the deletion vectors nightly MERGEs left on bronze that OPTIMIZE did not rewrite (REORG ... APPLY (PURGE)), "
        "then VACUUM the files no current version needs that are older than maintenance.file_retention_hours. "
        "Holds the warehouse lock like a run. Prints files and bytes on disk per table before and after.",
    )
    maintain.add_argument("--warehouse", required=True, metavar="DIR")
    maintain.add_argument("--conf", metavar="FILE", help="config file (default conf/local.yaml): the maintenance section")
    maintain.add_argument("tables", nargs="*", metavar="TABLE", help="only these tables (name or layer/name)")

    runs = command(
        "runs",
        help="list the runs recorded in a warehouse (newest first)",
        description="List the runs of a warehouse from its audit table (<warehouse>/_audit/runs): run id, "
        "status (succeeded, failed, interrupted), start (UTC), seconds, incremental or full, stages, whether "
        "every quality gate passed, and the error of a run that did not succeed. --format json prints every "
        "column, the full run record included.",
    )
    runs.add_argument("--warehouse", required=True, metavar="DIR")
    runs.add_argument("--limit", type=_positive_int, default=20, metavar="N")
    runs.add_argument("--format", choices=("table", "csv", "json"), default="table")
    runs.add_argument("--conf", metavar="FILE", help=argparse.SUPPRESS)

    command("stages", help="list the pipeline stages")
    return parser


def version_text() -> str:
    """`scintel --version`: this package's version and the Spark it runs on, when installed."""
    from importlib import metadata

    from jobs import __version__

    found = []
    for dist in ("pyspark", "delta-spark"):
        try:
            found.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            pass
    return f"scintel {__version__}" + (f" ({', '.join(found)})" if found else "")


def _date(text: str) -> str:
    import datetime

    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date YYYY-MM-DD, got {text}") from None


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def session_for(config, app: str, warehouse_root: str | None = None, extra_conf: dict[str, str] | None = None):
    """The SparkSession of a command: the config file's Spark settings as defaults, a checkpoint
    dir under the warehouse unless the config names one, extra_conf on top (bench/ uses it)."""
    from jobs.session import build_session, checkpoint_dir

    # The config file's Spark settings are defaults: under spark-submit, a --conf (or properties
    # file) naming the same key wins.
    defaults = {"spark.sql.shuffle.partitions": str(config.spark.shuffle_partitions)}
    if config.spark.driver_memory:
        defaults["spark.driver.memory"] = config.spark.driver_memory
    checkpoint = checkpoint_dir(config.spark.checkpoint_dir, warehouse_root)
    return build_session(
        app,
        master=config.spark.master,
        checkpoint=checkpoint,
        default_conf=defaults,
        extra_conf=extra_conf,
        comet=config.spark.comet,
        comet_offheap_size=config.spark.comet_offheap_size,
    )


def cmd_generate(args) -> int:
    from jobs import config as cfg
    from jobs.generate.corpus import generate_corpus

    config = cfg.load(args.conf)
    spark = session_for(config, "scintel-generate")
    counts = generate_corpus(
        spark, args.out, args.papers, args.seed, year_start=config.scope.year_start, year_end=config.scope.year_end
    )
    summary = {k: v for k, v in counts.items() if k != "planted"}
    print(f"generated {args.out}: {json.dumps(summary)}")
    print(f"planted facts to recover (with exact ids): {args.out.rstrip('/')}/PLANTED.json; see jobs/generate/PLANTED.md")
    return 0


def cmd_run(args) -> int:
    from jobs import config as cfg
    from jobs import pipeline
    from jobs.warehouse import Warehouse

    config = cfg.load(args.conf)
    names = pipeline.plan(args.stages, only=args.only)
    since = "last-run" if args.since_last_run else args.since
    if since and not args.incremental:
        raise pipeline.PipelineError("--since and --since-last-run read part of a snapshot: they need --incremental")
    spark = session_for(config, "scintel-run", args.warehouse)
    ctx = pipeline.RunContext(spark, config, args.input, Warehouse(args.warehouse), incremental=args.incremental, since=since)
    record = pipeline.run(ctx, names)
    print(f"run {record['run_id']} {record['status']} in {record['seconds']}s: {', '.join(names)}")
    for name, stage in record["stages"].items():
        rows = stage.get("rows", {})
        detail = "; ".join(f"{t} {r['accepted']}/{r['read']} accepted" for t, r in rows.items())
        print(f"  {name}: {stage['seconds']}s {detail}")
    if config.maintenance.after_run:
        _maintain(spark, Warehouse(args.warehouse), config, [])
    return 0


def cmd_maintain(args) -> int:
    from jobs import config as cfg
    from jobs import hadoop_fs
    from jobs.warehouse import Warehouse

    config = cfg.load(args.conf)
    spark = session_for(config, "scintel-maintain", args.warehouse)
    if not hadoop_fs.exists(spark, args.warehouse):
        raise FileNotFoundError(f"warehouse {args.warehouse} does not exist")
    _maintain(spark, Warehouse(args.warehouse), config, args.tables)
    return 0


def _maintain(spark, warehouse, config, tables: list[str]) -> None:
    """maintain() under the warehouse lock (VACUUM must not run beside a run still reading old files)."""
    from datetime import datetime, timezone

    from jobs.audit import WarehouseLock
    from jobs.maintain import maintain, size_text

    lock = WarehouseLock(
        warehouse.root, datetime.now(timezone.utc).strftime("maintain-%Y%m%dT%H%M%SZ"), config.run.lock_lease_seconds
    )
    lock.acquire(spark)
    try:
        done = maintain(spark, warehouse, config, only=tables)
    finally:
        lock.release(spark)
    before, after = sum(t.bytes_before for t in done), sum(t.bytes_after for t in done)
    files_before, files_after = sum(t.files_before for t in done), sum(t.files_after for t in done)
    print(
        f"maintained {len(done)} tables of {warehouse.root}: {files_before} files {size_text(before)} -> "
        f"{files_after} files {size_text(after)}"
    )
    for t in done:
        keys = f" Z-order {','.join(t.zorder)}" if t.zorder else ""
        print(
            f"  {t.table}: {t.files_before} files {size_text(t.bytes_before)} -> {t.files_after} files {size_text(t.bytes_after)}{keys}"
        )


def cmd_show(args) -> int:
    from jobs import config as cfg
    from jobs.warehouse import Warehouse

    config = cfg.load(args.conf)
    spark = session_for(config, "scintel-show")
    warehouse = Warehouse(args.warehouse)
    if args.list or not args.table:
        for layer, tables in warehouse.list_tables(spark).items():
            print(f"{layer}: {', '.join(tables) or '(none)'}")
        return 0
    if args.history:
        df = warehouse.history(spark, args.table).limit(args.limit)
    elif args.version is not None:
        df = warehouse.read_version(spark, args.table, args.version).limit(args.limit)
    else:
        df = warehouse.read(spark, args.table).limit(args.limit)
    _print_rows(df, args.format, args.limit)  # a limited slice: at most --limit rows reach the driver
    return 0


def cmd_runs(args) -> int:
    from jobs import audit
    from jobs import config as cfg

    config = cfg.load(args.conf)
    spark = session_for(config, "scintel-runs")
    runs = audit.read_runs(spark, args.warehouse)
    if runs is None:
        print(f"no runs recorded in {args.warehouse} (no {audit.audit_path(args.warehouse)})")
        return 0
    if args.format != "json":
        runs = runs.drop("record")
    _print_rows(runs.limit(args.limit), args.format, args.limit)
    return 0


def _print_rows(df, fmt: str, limit: int) -> None:
    if fmt == "table":
        df.show(limit, truncate=60)
        return
    rows = [row.asDict(recursive=True) for row in df.collect()]
    if fmt == "json":
        for row in rows:
            print(json.dumps(row, default=str, ensure_ascii=False))
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=df.columns)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, (list, dict)) else v for k, v in row.items()}
        )


def cmd_report(args) -> int:
    from jobs import config as cfg
    from jobs import hadoop_fs
    from jobs.report import build_report
    from jobs.warehouse import Warehouse

    config = cfg.load(args.conf)
    warehouse = Warehouse(args.warehouse)
    spark = session_for(config, "scintel-report")
    if not hadoop_fs.exists(spark, args.warehouse):
        raise FileNotFoundError(f"warehouse {args.warehouse} does not exist")
    out = args.out or f"{args.warehouse.rstrip('/')}/_report"
    local_out = local_path(out)
    with contextlib.ExitStack() as stack:
        # A remote destination (hdfs://, s3a://): the report is drawn into a local folder, then
        # copied file by file through Hadoop's FileSystem.
        render_dir = local_out or stack.enter_context(tempfile.TemporaryDirectory(prefix="scintel-report-"))
        written = [build_report(spark, warehouse, config, render_dir, args.top)]
        city = args.city or config.scope.report_city
        if args.city or warehouse.exists(spark, "city_subfield_year", "gold"):
            from jobs.report import build_city_report

            written.append(build_city_report(spark, warehouse, config, city, render_dir))
        if local_out is None:
            hadoop_fs.upload_tree(spark, Path(render_dir), out)
            written = [f"{out.rstrip('/')}/{Path(p).relative_to(render_dir).as_posix()}" for p in written]
    print(f"report: {written[0]}")
    if len(written) > 1:
        print(f"city report: {written[1]}")
    else:
        print(f"city report: not written (no city_subfield tables in {args.warehouse}: run the city_subfield stage)")
    return 0


def local_path(uri: str) -> str | None:
    """The local path a local path or file: URI names; None for another file system's URI."""
    if uri.startswith("file:"):
        return urllib.parse.urlparse(uri).path
    return None if "://" in uri else uri


def cmd_check(args) -> int:
    from jobs import config as cfg
    from jobs.check import run_check

    config = cfg.load(args.conf)
    spark = session_for(config, "scintel-check", args.warehouse)
    results = run_check(spark, args.warehouse)
    print(f"check: Delta Lake ok ({results['delta']['rows']} rows written and read back in {results['delta']['seconds']}s)")
    print(
        f"check: GraphFrames ok ({results['graphframes']['components']} connected components as expected, "
        f"in {results['graphframes']['seconds']}s)"
    )
    comet = results["comet"]
    if comet["enabled"]:
        print(f"check: Comet ok (scan, aggregation and shuffle ran natively, in {comet['seconds']}s)")
    else:
        print("check: Comet off (spark.comet is false in the config, or the launcher turned it off)")
    interpreters = ", ".join(f"{i['version']} at {i['prefix']}" for i in results["python"]["interpreters"])
    print(f"check: executors' Python ok ({interpreters})")
    return 0


def cmd_stages(_args) -> int:
    from jobs.pipeline import STAGES

    for stage in STAGES.values():
        needs = f" (needs {', '.join(stage.needs)})" if stage.needs else ""
        print(f"{stage.name:<20} {stage.help}{needs}")
    return 0


# Log lines carry the date: a nightly run's log spans midnight, and logs of many nights are
# read side by side.
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def setup_logging(debug: bool = False) -> None:
    """Dated INFO logs (DEBUG with --debug); py4j and Great Expectations only from WARNING
    (at INFO they print hundreds of lines of their own registration per gate). With --debug,
    the JVM's logs come at INFO too: Spark's (SCINTEL_SPARK_LOG_LEVEL, read by build_session)
    and Comet's native library's (COMET_LOG_LEVEL), unless the environment names their levels.
    Sessions are built after this. Comet's level reaches a local JVM, started by the session;
    under spark-submit the JVMs are already running with the COMET_LOG_LEVEL spark-submit.sh
    gave them."""
    logging.basicConfig(level=logging.DEBUG if debug else logging.INFO, format=LOG_FORMAT, datefmt=LOG_DATE_FORMAT)
    for noisy in ("py4j", "great_expectations"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if debug:
        os.environ.setdefault("SCINTEL_SPARK_LOG_LEVEL", "INFO")
        os.environ.setdefault("COMET_LOG_LEVEL", "INFO")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    setup_logging(args.debug)
    try:
        import pyspark  # noqa: F401  (the runtime's, or the `spark` extra's)
    except ImportError:
        print(
            "scintel: error: pyspark is not installed. On a Spark runtime, run scintel with the runtime's Python; "
            "elsewhere install Spark with scintel: pip install 'scintel[spark]'",
            file=sys.stderr,
        )
        return 1
    handlers = {
        "generate": cmd_generate,
        "run": cmd_run,
        "show": cmd_show,
        "report": cmd_report,
        "check": cmd_check,
        "runs": cmd_runs,
        "maintain": cmd_maintain,
        "stages": cmd_stages,
    }
    try:
        with interrupt.stop_on_sigterm():
            try:
                return handlers[args.command](args)
            except Exception as err:
                stop = interrupt.requested()  # the error is the cancelled job's
                if stop is None:
                    raise
                raise stop from err
    except (RunInterrupted, KeyboardInterrupt) as err:
        code = getattr(err, "exit_code", 130)
        print(f"scintel: interrupted: {err or 'stopped by SIGINT'}", file=sys.stderr)
        return code
    except Exception as err:  # one readable line for the errors users can fix
        code = _exit_code(err)
        if args.debug or code is None:
            raise
        print(f"scintel: error: {_one_line(err)}", file=sys.stderr)
        return code


def _one_line(err: Exception) -> str:
    from jobs.ingest.files import read_failure

    # Spark's own message for an unreadable input file is a JVM stack trace: say which file and why.
    return read_failure(err) or str(err)


def _exit_code(err: Exception) -> int | None:
    """The exit code of an error a user can fix (jobs/errors.py), None for a bug."""
    from jobs.errors import ScintelError
    from jobs.ingest.files import read_failure

    if isinstance(err, ScintelError):
        return err.exit_code
    if isinstance(err, FileNotFoundError) or read_failure(err) is not None:  # an input file Spark could not read
        return 1
    return None


if __name__ == "__main__":
    sys.exit(main())
