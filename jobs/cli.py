"""`scintel`: generate a corpus, run the pipeline, look at tables.

    scintel generate --papers 20000 --seed 42 --out corpus/
    scintel run --input corpus/ --warehouse wh/            # every stage
    scintel run ingest_openalex --input corpus/ --warehouse wh/ --only
    scintel run --input delivery/ --warehouse wh/ --incremental   # nightly: MERGE a delivery
    scintel show papers --warehouse wh/ --limit 5 --format csv
    scintel check --warehouse wh/                            # Delta Lake + GraphFrames work here?
    scintel stages                                           # what `run` can do

Exit codes: 0 ok, 1 bad input/config/environment (one readable line, no stack trace unless
--debug), 2 bad command line, 3 a critical quality expectation failed, 4 too many rejects,
5 the warehouse is in use by another run.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from pathlib import Path

log = logging.getLogger("scintel")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scintel",
        description="Science-and-technology intelligence indicators from OpenAlex-scale corpora, on Spark + Delta Lake.",
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show stack traces and Spark INFO logs")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    gen = sub.add_parser(
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

    run = sub.add_parser(
        "run",
        help="run pipeline stages (all by default) from raw input to Delta tables",
        description="Run pipeline stages in dependency order. With no STAGE, run all. `scintel stages` lists them.",
    )
    run.add_argument("stages", nargs="*", metavar="STAGE", help="stages to run (with their prerequisites)")
    run.add_argument(
        "--input",
        metavar="DIR",
        help="raw input: works/, authors/, institutions/ (OpenAlex JSON Lines: a snapshot's data/jsonl/, or the "
        "legacy data/ whose per-entity manifest is checked), patents/ (JSON Lines or Parquet); each optional",
    )
    run.add_argument("--warehouse", required=True, metavar="DIR", help="where the Delta tables live")
    run.add_argument("--conf", metavar="FILE", help="config file (default conf/local.yaml)")
    run.add_argument("--only", action="store_true", help="run just the named stages, not their prerequisites")
    run.add_argument(
        "--incremental",
        action="store_true",
        help="--input is a delivery of changes (new and updated records, plus ids to delete under "
        "merged_ids/<entity>/ in OpenAlex's CSV layout): MERGE it into the stored corpus (bronze) "
        "instead of replacing it; the canonical and gold tables are then recomputed so that they equal "
        "a full run over the merged corpus",
    )

    show = sub.add_parser("show", help="print rows of a table", description="Print rows of a silver or gold table.")
    show.add_argument("table", nargs="?", metavar="TABLE", help="table name, e.g. papers (omit with --list)")
    show.add_argument("--warehouse", required=True, metavar="DIR")
    show.add_argument("--format", choices=("table", "csv", "json"), default="table")
    show.add_argument("--limit", type=_positive_int, default=20, metavar="N")
    show.add_argument("--list", action="store_true", help="list the tables of the warehouse")
    show.add_argument("--conf", metavar="FILE", help=argparse.SUPPRESS)

    report = sub.add_parser(
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

    check = sub.add_parser(
        "check",
        help="check that this Spark runs Delta Lake, GraphFrames and Comet (local mode or a cluster)",
        description="Write a generated edge list as a Delta table under <warehouse>/_check/, run GraphFrames' "
        "connected components over it on the executors and compare with the known answer. Exit 0 when both "
        "engines work; 1 naming the engine and what went wrong. Submit it with ./spark-submit.sh check "
        "--warehouse DIR to try a cluster before the first run.",
    )
    check.add_argument("--warehouse", required=True, metavar="DIR", help="a warehouse (its _check/ folder is replaced)")
    check.add_argument("--conf", metavar="FILE", help="config file (default conf/local.yaml)")

    sub.add_parser("stages", help="list the pipeline stages")
    return parser


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
    spark = session_for(config, "scintel-run", args.warehouse)
    ctx = pipeline.RunContext(spark, config, args.input, Warehouse(args.warehouse), incremental=args.incremental)
    record = pipeline.run(ctx, names)
    print(f"run {record['run_id']} {record['status']} in {record['seconds']}s: {', '.join(names)}")
    for name, stage in record["stages"].items():
        rows = stage.get("rows", {})
        detail = "; ".join(f"{t} {r['accepted']}/{r['read']} accepted" for t, r in rows.items())
        print(f"  {name}: {stage['seconds']}s {detail}")
    return 0


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
    # A limited slice of one table: at most --limit rows reach the driver.
    df = warehouse.read(spark, args.table).limit(args.limit)
    if args.format == "table":
        df.show(args.limit, truncate=60)
        return 0
    rows = [row.asDict(recursive=True) for row in df.collect()]
    if args.format == "json":
        for row in rows:
            print(json.dumps(row, default=str, ensure_ascii=False))
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=df.columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for k, v in row.items()})
    return 0


def cmd_report(args) -> int:
    from jobs import config as cfg
    from jobs.report import build_report
    from jobs.warehouse import Warehouse

    config = cfg.load(args.conf)
    warehouse = Warehouse(args.warehouse)
    if "://" not in args.warehouse and not Path(args.warehouse).is_dir():
        raise FileNotFoundError(f"warehouse {args.warehouse} does not exist")
    spark = session_for(config, "scintel-report")
    out = args.out or f"{args.warehouse.rstrip('/')}/_report"
    path = build_report(spark, warehouse, config, out, args.top)
    print(f"report: {path}")
    city = args.city or config.scope.report_city
    if args.city or warehouse.exists(spark, "city_subfield_year", "gold"):
        from jobs.report import build_city_report

        print(f"city report: {build_city_report(spark, warehouse, config, city, out)}")
    else:
        print(f"city report: not written (no city_subfield tables in {args.warehouse}: run the city_subfield stage)")
    return 0


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
    return 0


def cmd_stages(_args) -> int:
    from jobs.pipeline import STAGES

    for stage in STAGES.values():
        needs = f" (needs {', '.join(stage.needs)})" if stage.needs else ""
        print(f"{stage.name:<20} {stage.help}{needs}")
    return 0


def setup_logging(debug: bool = False) -> None:
    """Timestamped INFO logs (DEBUG with --debug); py4j and Great Expectations only from WARNING
    (at INFO they print hundreds of lines of their own registration per gate)."""
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    for noisy in ("py4j", "great_expectations"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    setup_logging(args.debug)
    handlers = {
        "generate": cmd_generate,
        "run": cmd_run,
        "show": cmd_show,
        "report": cmd_report,
        "check": cmd_check,
        "stages": cmd_stages,
    }
    try:
        return handlers[args.command](args)
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
