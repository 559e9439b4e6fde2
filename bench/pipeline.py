"""Benchmark the full pipeline at one corpus size, in local mode, on this machine.

    .venv/bin/python bench/pipeline.py --papers 1000000 [--seed 7] [--work /tmp/scintel-bench]
        [--conf conf/local.yaml] [--driver-memory 16g] [--shuffle-partitions 16] [--results bench/results]
        [--stages STAGE ...]

Generates the corpus (patents in proportion, one per ten papers) under WORK/<size>/input unless it
is already there, runs every stage with `jobs.pipeline.run` (as `scintel run` does) into a fresh
WORK/<size>/warehouse, then writes bench/results/pipeline-<size>.json and .md with, per stage:
wall time, rows in (its input tables) and out (the tables it wrote), shuffle read/write bytes and
spill (Spark's REST API, jobs grouped by the stage's job group), the seconds of a bare scan of its
inputs and the stage's time as a ratio to that scan; plus generation time, the JVM's peak resident
memory during the pipeline (the generator runs in a SparkContext of its own, stopped before the
pipeline starts) and the machine. Not part of the test suite (it takes minutes to hours).

Disk: the corpus, the warehouse and Spark's shuffle files of the largest stage must fit under
WORK and /tmp; at 25M papers the generator alone peaks at 57 GB of cached tables and shuffle
files under /tmp (deleted when its context stops).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import time
from collections import Counter
from pathlib import Path

import common  # bench/common.py: puts the project on sys.path

from jobs import pipeline  # noqa: E402
from jobs.generate.corpus import generate_corpus  # noqa: E402
from jobs.warehouse import Warehouse  # noqa: E402


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 2)[2],
    )
    parser.add_argument("--papers", type=int, required=True, help="papers to generate (e.g. 100000, 1000000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--stages",
        nargs="+",
        default=[],
        metavar="STAGE",
        help="run these stages and their prerequisites instead of every stage; the results file is then "
        "pipeline-<size>-<first stage>[-and-more].json",
    )
    common.add_run_arguments(parser)
    return parser.parse_args()


def main() -> None:
    args = _args()
    common.setup_logging()
    label = common.size_label(args.papers)
    base = Path(args.work) / label
    input_dir, warehouse = base / "input", base / "warehouse"

    def session():
        return common.session(args, f"scintel-bench-{label}", str(warehouse))

    spark, config = session()

    generated = None
    if not (input_dir / "PLANTED.json").exists():
        started = time.monotonic()
        counts = generate_corpus(
            spark, str(input_dir), args.papers, args.seed, year_start=config.scope.year_start, year_end=config.scope.year_end
        )
        generated = {"seconds": round(time.monotonic() - started, 1), "counts": counts["counts"]}
        common.log.info("generated %s in %.0fs", input_dir, generated["seconds"])
        # A fresh SparkContext for the pipeline: the generator's shuffle files stay in the
        # context's local directory until its cleaner collects them (25 GB at 25M papers once
        # its cached tables are dropped, 57 GB before), and the pipeline's peak memory is its
        # own, not the generator's.
        spark.stop()
        spark, config = session()
        common.reset_jvm_peak_rss(spark)
    if warehouse.exists():
        shutil.rmtree(warehouse)

    spark_operators: dict[str, Counter] = {}
    write = Warehouse.write

    def census_write(self, df, table, **options):
        group = df.sparkSession.sparkContext.getLocalProperty("spark.jobGroup.id") or ""
        stage = group.removeprefix("scintel:")
        spark_operators.setdefault(stage, Counter()).update(spark_operator_names(df))
        return write(self, df, table, **options)

    Warehouse.write = census_write
    try:
        record = pipeline.run(
            pipeline.RunContext(spark, config, str(input_dir), Warehouse(str(warehouse))), pipeline.plan(args.stages)
        )
    finally:
        Warehouse.write = write
    spark_metrics = common.spark_metrics_by_stage(spark)
    peak_rss = common.jvm_peak_rss_mb(spark)
    scans = common.scan_inputs(spark, str(input_dir), str(warehouse))

    stages = {}
    for name, stage in record["stages"].items():
        inputs = [t for t in common.STAGE_INPUTS[name] if t in scans]
        scan_seconds = sum(scans[t]["seconds"] for t in inputs)
        stages[name] = {
            "seconds": stage["seconds"],
            "rows_in": {t: scans[t]["rows"] for t in inputs},
            "rows_out": common.stage_rows(spark, str(warehouse), name, stage),
            "scan_seconds": round(scan_seconds, 2),
            "ratio_to_scan": round(stage["seconds"] / scan_seconds, 1) if scan_seconds else None,
            "spark": spark_metrics.get(name, {}),
            # What the graph stages built: co-citation pairs and links, co-author pairs and edges.
            "built": {**stage.get("cocitation", {}), **stage.get("edges", {})},
            # Operators of the written plans that Spark runs, not Comet (with Comet on).
            "spark_operators": dict(spark_operators.get(name, Counter()).most_common()),
        }
    data = {
        "planted": planted_recovery(spark, str(input_dir), str(warehouse), record["stages"]),
        "papers": args.papers,
        "seed": args.seed,
        "label": label,
        "run_id": record["run_id"],
        "status": record["status"],
        "pipeline_seconds": record["seconds"],
        "generated": generated,
        "jvm_peak_rss_mb": peak_rss,
        "gates": {"silver": True, "gold": config.quality.gate_gold},
        "machine": common.machine(spark),
        "stages": stages,
        "scans": scans,
    }
    name = f"pipeline-{label}" + (f"-{args.stages[0]}" + ("-and-more" if len(args.stages) > 1 else "") if args.stages else "")
    name += common.engine_suffix(config.spark.comet)
    data["stages_requested"] = args.stages or "all"
    json_path, md_path = common.write_results(args.results, name, data, markdown(data))
    print(f"pipeline at {label} papers: {record['seconds']}s; results {json_path} and {md_path}")
    spark.stop()


# Plan nodes that are not operators of their own: AQE's wrappers and stage boundaries, codegen,
# subquery holders and reuse markers.
PLAN_WRAPPERS = {
    "AdaptiveSparkPlan",
    "ShuffleQueryStage",
    "BroadcastQueryStage",
    "TableCacheQueryStage",
    "ResultQueryStage",
    "AQEShuffleRead",
    "InputAdapter",
    "WholeStageCodegen",
    "ReusedExchange",
    "ReusedSubquery",
    "Subquery",
    "SubqueryBroadcast",
}


def spark_operator_names(df) -> list[str]:
    """The physical operators of df's plan (as planned for execution, Comet's rules applied) that
    Spark runs: every node whose name does not start with Comet, transitions between the two
    included (ColumnarToRow), wrappers left out."""
    names = []
    for line in df._jdf.queryExecution().executedPlan().toString().splitlines():
        match = re.match(r"^[\s:+\-|]*(\*\(\d+\)\s*)?([A-Z][A-Za-z0-9]*)", line)
        if match and not match.group(2).startswith("Comet") and match.group(2) not in PLAN_WRAPPERS:
            names.append(match.group(2))
    return names


def planted_recovery(spark, input_dir: str, warehouse: str, stages: dict) -> dict:
    """The generator's planted facts against what the run found (jobs/generate/PLANTED.md): each
    planted front's best-matching recovered front (most shared core papers) with precision and
    recall of core-paper membership, its rank and frontier index; the planted talent importer and
    exporter's net inflow. Read from the run's small gold tables."""
    planted = json.loads((Path(input_dir) / "PLANTED.json").read_text())["planted"]
    wh = Warehouse(warehouse)
    found: dict = {}
    if "research_fronts" in stages:
        members: dict[str, set[str]] = {}
        for row in wh.read(spark, "research_front_papers", "gold").select("front_id", "paper_id").collect():  # core papers only
            members.setdefault(row.front_id, set()).add(row.paper_id)
        ranks = {
            r.front_id: r
            for r in wh.read(spark, "research_fronts", "gold").select("front_id", "rank", "frontier_index").collect()
        }
        fronts = []
        for front in planted["fronts"]:
            cores = {c.rsplit("/", 1)[-1] for c in front["core_ids"]}
            best = max(members, key=lambda k: len(members[k] & cores)) if members else None
            shared = len(members[best] & cores) if best else 0
            fronts.append(
                {
                    "name": front["name"],
                    "trend": front["trend"],
                    "planted_core": len(cores),
                    "front_id": best,
                    "precision": round(shared / len(members[best]), 3) if best else 0.0,
                    "recall": round(shared / len(cores), 3),
                    "rank": ranks[best].rank if best else None,
                    "frontier_index": ranks[best].frontier_index if best else None,
                }
            )
        found["fronts"] = fronts
    if "talent_flow" in stages:
        flows = {
            r.country: r.net_inflow for r in wh.read(spark, "talent_flow_by_country", "gold").collect()
        }  # one row per country
        found["net_inflow"] = {c: flows.get(c) for c in ("US", "CN")}
    return found


def markdown(data: dict) -> str:
    lines = [
        f"# Pipeline benchmark: {data['label']} generated papers (seed {data['seed']})\n",
        common.machine_markdown(data["machine"]),
        f"Run {data['run_id']}: {data['status']} in **{data['pipeline_seconds']:.0f} s** "
        f"({data['pipeline_seconds'] / 60:.1f} min), quality gates on silver and "
        f"{'gold' if data['gates']['gold'] else 'not gold'} tables. JVM peak resident memory "
        f"{data['jvm_peak_rss_mb']:,.0f} MB.",
    ]
    if data.get("stages_requested", "all") != "all":
        lines.append(f"Stages requested: {', '.join(data['stages_requested'])} (with their prerequisites).")
    if data["generated"]:
        lines.append(
            f"Generating the corpus took {data['generated']['seconds']:.0f} s: {json.dumps(data['generated']['counts'])}."
        )
    lines += [
        "",
        "Rows in: the stage's input tables; rows out: the tables it wrote. Scan: seconds to read its inputs in full "
        "into Spark's noop sink (after the run, warm OS cache).",
        "",
        "| stage | seconds | rows in | rows out | shuffle read | shuffle write | spill | scan s | x scan |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in data["stages"].items():
        sp = s["spark"]
        lines.append(
            f"| {name} | {s['seconds']:.1f} | {common.fmt_int(sum(s['rows_in'].values()))} | "
            f"{common.fmt_int(sum(s['rows_out'].values()))} | {common.fmt_bytes(sp.get('shuffle_read_bytes'))} | "
            f"{common.fmt_bytes(sp.get('shuffle_write_bytes'))} | {common.fmt_bytes(sp.get('spill_disk_bytes'))} | "
            f"{s['scan_seconds']:.1f} | {s['ratio_to_scan'] if s['ratio_to_scan'] is not None else ''} |"
        )
    lines += ["", "Rows per table:", ""]
    for name, s in data["stages"].items():
        out = ", ".join(f"{t} {common.fmt_int(r)}" for t, r in s["rows_out"].items())
        lines.append(f"- {name}: {out}")
    if data["machine"].get("comet"):
        lines += ["", "Operators Spark runs instead of Comet, per stage (nodes of the written plans):", ""]
        lines += [
            f"- {name}: " + (", ".join(f"{op} {n}" for op, n in s.get("spark_operators", {}).items()) or "none")
            for name, s in data["stages"].items()
        ]
    built = {name: s["built"] for name, s in data["stages"].items() if s.get("built")}
    if built:
        lines += ["", "What the graph stages built (pairs before thresholds, links and edges):", ""]
        lines += [f"- {name}: " + ", ".join(f"{k} {common.fmt_int(v)}" for k, v in b.items()) for name, b in built.items()]
    planted = data.get("planted") or {}
    if planted.get("fronts"):
        lines += [
            "",
            "Planted research fronts against the recovered ones (core-paper membership):",
            "",
            "| planted front | trend | planted core papers | recovered front | precision | recall | rank | frontier index |",
            "|---|---|---:|---|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {f['name']} | {f['trend']} | {f['planted_core']} | {f['front_id']} | {f['precision']:.2f} | {f['recall']:.2f} | "
            f"{f['rank']} | {'' if f['frontier_index'] is None else format(f['frontier_index'], '.3f')} |"
            for f in planted["fronts"]
        ]
    if planted.get("net_inflow"):
        lines += [
            "",
            "Planted talent importer and exporter, net inflow in moves: "
            + ", ".join(f"{c} {v:+,}" for c, v in planted["net_inflow"].items() if v is not None)
            + ".",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
