"""Benchmark a nightly incremental run against a full recomputation, at one corpus size.

    .venv/bin/python bench/nightly.py --papers 1000000 [--work /tmp/scintel-bench] [--conf FILE]
        [--driver-memory 16g] [--compare] [--nights N] [--maintain] [--results bench/results]

Needs the corpus and warehouse of `bench/pipeline.py --papers N` (WORK/<size>/input and
WORK/<size>/warehouse, a full run over delivery 1). Writes a second delivery for it with
jobs/generate/delivery.py (updated, stale, new and removed works and patents, plus the merged
corpus they stand for), copies the warehouse and runs every stage on the copy with
`--incremental` semantics (the delivery MERGEd into bronze, silver and gold recomputed).
With --compare it also runs a full pipeline over the merged corpus and counts, for every silver
and gold table, the rows that differ between the two warehouses (doubles rounded to 9 decimals,
maps by their entries; jobs.frames.differing_rows, computed by Spark, nothing but the counts reaches the driver).
With --nights N the nightly run is repeated N times over the same delivery (each night MERGEs it
again and rewrites every silver and gold table, as a night with changes does), and with
--maintain the warehouse that N nights left is then maintained (`scintel maintain`: OPTIMIZE with
Z-order, VACUUM) with a file retention of 0 hours, so VACUUM removes every file no current version
needs (the configured retention would keep this run's own files); the warehouse's files and
bytes are measured before and after, and the indicator stages (all but the ingests) run once
more on the maintained warehouse, their times against the last night's.
Writes bench/results/nightly-<size>.json and .md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import common  # bench/common.py: puts the project on sys.path
from pyspark.sql import functions as F  # noqa: E402

from jobs import frames, pipeline  # noqa: E402
from jobs.generate.delivery import second_delivery  # noqa: E402
from jobs.warehouse import Warehouse  # noqa: E402


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 2)[2],
    )
    parser.add_argument("--papers", type=int, required=True, help="size of a corpus bench/pipeline.py has run")
    common.add_run_arguments(parser)
    parser.add_argument(
        "--compare", action="store_true", help="also run a full pipeline over the merged corpus and diff every table"
    )
    parser.add_argument("--nights", type=int, default=1, help="nightly runs over the delivery, one after another (default 1)")
    parser.add_argument(
        "--maintain", action="store_true", help="then maintain the warehouse and run the indicator stages on it again"
    )
    return parser.parse_args()


def on_disk(root: Path) -> dict:
    """Files and bytes under a warehouse, per layer (every version's files and the logs)."""
    sizes: dict[str, dict] = {}
    for path in root.rglob("*"):
        if path.is_file():
            layer = path.relative_to(root).parts[0]
            entry = sizes.setdefault(layer, {"files": 0, "bytes": 0})
            entry["files"] += 1
            entry["bytes"] += path.stat().st_size
    sizes["total"] = {k: sum(v[k] for v in sizes.values()) for k in ("files", "bytes")}
    return sizes


def _latest_full_record(warehouse: Path) -> dict:
    records = [json.loads(p.read_text()) for p in sorted((warehouse / "_runs").glob("*.json"))]
    full = [r for r in records if r["status"] == "succeeded" and not r["incremental"] and "ingest_openalex" in r["stages"]]
    if not full:
        raise SystemExit(f"no succeeded full run recorded in {warehouse}/_runs: run bench/pipeline.py first")
    return full[-1]


def differing_rows(spark, left: Path, right: Path, layer: str, table: str) -> dict:
    a = spark.read.format("delta").load(str(left / layer / table))
    b = spark.read.format("delta").load(str(right / layer / table))
    extra = frames.differing_rows(a, b).select(
        F.greatest(F.col("left_rows") - F.col("right_rows"), F.lit(0)).alias("only_left"),
        F.greatest(F.col("right_rows") - F.col("left_rows"), F.lit(0)).alias("only_right"),
    )
    counts = extra.agg(F.sum("only_left"), F.sum("only_right")).first()
    return {"rows": a.count(), "only_incremental": counts[0] or 0, "only_full": counts[1] or 0}


def main() -> None:
    args = _args()
    common.setup_logging()
    label = common.size_label(args.papers)
    base = Path(args.work) / label
    corpus, full_wh = base / "input", base / "warehouse"
    if not (full_wh / "_runs").is_dir():
        raise SystemExit(f"{full_wh} has no pipeline run: run bench/pipeline.py --papers {args.papers} first")
    full_record = _latest_full_record(full_wh)
    nightly_root = base / "nightly"
    if nightly_root.exists():
        shutil.rmtree(nightly_root)
    nightly_wh, merged_wh = nightly_root / "warehouse", nightly_root / "warehouse_full"
    spark, config = common.session(args, f"scintel-bench-nightly-{label}", str(nightly_wh))

    started = time.monotonic()
    delivery = second_delivery(spark, corpus, nightly_root)
    delivery_seconds = round(time.monotonic() - started, 1)
    common.log.info("delivery 2 written in %.0fs: %s", delivery_seconds, delivery.sizes)
    shutil.copytree(full_wh, nightly_wh, ignore=shutil.ignore_patterns("_lock"), dirs_exist_ok=True)

    everything = pipeline.plan([])
    nights, first = [], None
    for night in range(1, args.nights + 1):
        nightly = pipeline.run(
            pipeline.RunContext(spark, config, str(delivery.second), Warehouse(str(nightly_wh)), incremental=True), everything
        )
        nights.append({"seconds": nightly["seconds"], "stages": {n: s["seconds"] for n, s in nightly["stages"].items()}})
        first = first if night > 1 else nightly  # the night that applies the delivery for the first time
        common.log.info("night %d of %d: %.0fs", night, args.nights, nightly["seconds"])
    data = {
        "papers": args.papers,
        "label": label,
        "delivery": delivery.sizes,
        "delivery_seconds": delivery_seconds,
        "machine": common.machine(spark),
        "nightly": {
            "run_id": first["run_id"],
            "seconds": first["seconds"],
            "stages": {n: s["seconds"] for n, s in first["stages"].items()},
            "merge": {n: s.get("bronze", {}) for n, s in first["stages"].items() if s.get("bronze")},
        },
        "full_delivery1": {
            "run_id": full_record["run_id"],
            "seconds": full_record["seconds"],
            "stages": {n: s["seconds"] for n, s in full_record["stages"].items()},
        },
    }
    if args.nights > 1:
        data["nights"] = nights
    if args.maintain:
        from jobs.maintain import maintain

        before = on_disk(nightly_wh)
        kept = config.model_copy(update={"maintenance": config.maintenance.model_copy(update={"file_retention_hours": 0})})
        started = time.monotonic()
        upkeep = maintain(spark, Warehouse(str(nightly_wh)), kept)
        maintain_seconds = round(time.monotonic() - started, 1)
        after = on_disk(nightly_wh)
        indicators = [s for s in everything if not s.startswith("ingest_")]
        rerun = pipeline.run(pipeline.RunContext(spark, config, None, Warehouse(str(nightly_wh))), indicators)
        data["maintain"] = {
            "seconds": maintain_seconds,
            "before": before,
            "after": after,
            "zordered": [u.table for u in upkeep if u.zorder],
            "stages_after": {n: s["seconds"] for n, s in rerun["stages"].items()},
        }
    if args.compare:
        merged = pipeline.run(pipeline.RunContext(spark, config, str(delivery.merged), Warehouse(str(merged_wh))), everything)
        data["full_merged"] = {
            "run_id": merged["run_id"],
            "seconds": merged["seconds"],
            "stages": {n: s["seconds"] for n, s in merged["stages"].items()},
        }
        tables = {layer: sorted(p.parent.name for p in (merged_wh / layer).glob("*/_delta_log")) for layer in ("silver", "gold")}
        data["differences"] = {
            f"{layer}/{t}": differing_rows(spark, nightly_wh, merged_wh, layer, t)
            for layer, names in tables.items()
            for t in names
        }
    json_path, md_path = common.write_results(args.results, f"nightly-{label}", data, markdown(data))
    print(f"nightly at {label} papers: {first['seconds']}s; results {json_path} and {md_path}")
    spark.stop()


def markdown(data: dict) -> str:
    d = data["delivery"]
    lines = [
        f"# Nightly incremental run vs full recomputation: {data['label']} generated papers\n",
        common.machine_markdown(data["machine"]),
        f"Delivery 2 ({data['delivery_seconds']:.0f} s to write): {d['updated']:,} updated works, 1 stale copy, "
        f"{d['new']:,} new works, {d['removed']:,} removed; {d['patents_updated']:,} updated patents, "
        f"{d['patents_new']:,} new, {d['patents_removed']:,} removed.",
        "",
    ]
    runs = [("nightly (delivery 2 MERGEd)", data["nightly"]), ("full run, delivery 1", data["full_delivery1"])]
    if "full_merged" in data:
        runs.append(("full run, merged corpus", data["full_merged"]))
    lines += ["| stage | " + " | ".join(name for name, _ in runs) + " |", "|---|" + "---:|" * len(runs)]
    for stage in data["nightly"]["stages"]:
        lines.append(f"| {stage} | " + " | ".join(f"{r['stages'].get(stage, 0):.1f}" for _, r in runs) + " |")
    lines.append("| **total** | " + " | ".join(f"**{r['seconds']:.0f}**" for _, r in runs) + " |")
    if "nights" in data:
        lines += [
            "",
            "Nightly runs over the same delivery, one after another: "
            + ", ".join(f"night {i}: {n['seconds']:.0f} s" for i, n in enumerate(data["nights"], 1))
            + ".",
        ]
    if "maintain" in data:
        m = data["maintain"]
        lines += [
            "",
            f"`scintel maintain` after {len(data.get('nights', [1]))} nights (file retention 0 h), {m['seconds']:.0f} s; "
            f"Z-ordered: {', '.join(m['zordered']) or 'none'}.",
            "",
            "| layer | files before | MB before | files after | MB after |",
            "|---|---:|---:|---:|---:|",
        ]
        for layer in sorted(m["before"], key=lambda x: (x == "total", x)):
            b, a = m["before"][layer], m["after"].get(layer, {"files": 0, "bytes": 0})
            lines.append(f"| {layer} | {b['files']:,} | {b['bytes'] / 1e6:,.1f} | {a['files']:,} | {a['bytes'] / 1e6:,.1f} |")
        last = data.get("nights", [data["nightly"]])[-1]["stages"]
        lines += ["", "| indicator stage | last night (s) | after maintain (s) |", "|---|---:|---:|"]
        for stage, seconds in m["stages_after"].items():
            lines.append(f"| {stage} | {last.get(stage, 0):.1f} | {seconds:.1f} |")
    lines += ["", "MERGE into bronze (Delta operation metrics):", ""]
    for stage, entities in data["nightly"]["merge"].items():
        for entity, landing in entities.items():
            m = landing.get("metrics") or {}
            lines.append(
                f"- {entity}: inserted {m.get('numTargetRowsInserted')}, updated {m.get('numTargetRowsUpdated')}, "
                f"deleted {m.get('numTargetRowsDeleted')}, copied {m.get('numTargetRowsCopied')}"
            )
    if "differences" in data:
        differing = {t: v for t, v in data["differences"].items() if v["only_incremental"] or v["only_full"]}
        lines += [
            "",
            f"Tables compared (incremental vs full over the merged corpus): {len(data['differences'])}; "
            f"tables with differing rows: {len(differing)}" + (f": {json.dumps(differing)}" if differing else "."),
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
