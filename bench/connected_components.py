"""Connected components of a generated graph, both GraphFrames algorithms, in local mode: the
baseline the graph stages (research fronts, collaboration, talent flow) build on.

    .venv/bin/python bench/connected_components.py --edges 1000000 [--vertices N] [--seed S]

The graph is built by Spark and stored as a Delta table first (the stages read theirs from Delta
too): `--edges` edges between two vertices drawn uniformly from `--vertices` (default half the edge
count, so the graph has mean degree 4: one giant component plus many small ones, as a citation or
co-authorship graph has). Self-loops and duplicate edges are kept as drawn. Each algorithm's
components are written to Delta and timed from the read of the edges to the end of the write;
the two results must be the same partition of the vertices (checked on the executors: the pairs
(component_a, component_b) are one-to-one). Results go to bench/results/connected-components-<size>.{json,md}.
"""

from __future__ import annotations

import argparse
import time

from common import (
    add_run_arguments,
    jvm_peak_rss_mb,
    machine,
    machine_markdown,
    session,
    setup_logging,
    size_label,
    write_results,
)
from pyspark.sql import functions as F

ALGORITHMS = ("two_phase", "graphx")


def generate(spark, edges: int, vertices: int, seed: int, path: str) -> None:
    ids = spark.range(edges)
    drawn = ids.select(
        (F.abs(F.xxhash64("id", F.lit(seed))) % vertices).alias("src"),
        (F.abs(F.xxhash64("id", F.lit(seed + 1))) % vertices).alias("dst"),
    )
    drawn.write.format("delta").mode("overwrite").save(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--vertices", type=int, default=None, help="default: edges / 2")
    parser.add_argument("--seed", type=int, default=7)
    add_run_arguments(parser)
    args = parser.parse_args(argv)
    setup_logging()
    vertices = args.vertices or args.edges // 2
    base = f"{args.work}/cc-{size_label(args.edges)}"
    spark, _config = session(args, "scintel-bench-cc", base)
    from jobs.graph import connected_components, graph_frame

    started = time.monotonic()
    generate(spark, args.edges, vertices, args.seed, f"{base}/edges")
    generated_s = round(time.monotonic() - started, 1)

    runs = {}
    for algorithm in ALGORITHMS:
        started = time.monotonic()
        edges = spark.read.format("delta").load(f"{base}/edges")
        vertex_ids = spark.range(vertices)
        components = connected_components(graph_frame(vertex_ids, edges), algorithm=algorithm)
        components.select("id", "component").write.format("delta").mode("overwrite").save(f"{base}/components-{algorithm}")
        components.unpersist()
        seconds = round(time.monotonic() - started, 1)
        stats = (
            spark.read.format("delta")
            .load(f"{base}/components-{algorithm}")
            .groupBy("component")
            .count()
            .agg(
                F.count("*").alias("components"),
                F.max("count").alias("largest"),
                F.sum((F.col("count") == 1).cast("int")).alias("isolated"),
            )
            .first()
        )
        runs[algorithm] = {
            "seconds": seconds,
            "components": stats["components"],
            "largest": stats["largest"],
            "isolated": stats["isolated"],
        }
        print(f"{algorithm}: {seconds}s, {stats['components']:,} components, largest {stats['largest']:,} vertices")

    a = spark.read.format("delta").load(f"{base}/components-{ALGORITHMS[0]}").withColumnRenamed("component", "a")
    b = spark.read.format("delta").load(f"{base}/components-{ALGORITHMS[1]}").withColumnRenamed("component", "b")
    pairs = (
        a.join(b, "id")
        .select("a", "b")
        .distinct()
        .agg(F.count("*").alias("pairs"), F.countDistinct("a").alias("a"), F.countDistinct("b").alias("b"))
        .first()
    )
    same = pairs["pairs"] == pairs["a"] == pairs["b"]
    data = {
        "edges": args.edges,
        "vertices": vertices,
        "seed": args.seed,
        "generate_seconds": generated_s,
        "algorithms": runs,
        "same_partition": same,
        "jvm_peak_rss_mb": jvm_peak_rss_mb(spark),
        "machine": machine(spark),
    }
    rows = "\n".join(
        f"| {name} | {r['seconds']} | {r['components']:,} | {r['largest']:,} | {r['isolated']:,} |" for name, r in runs.items()
    )
    markdown = (
        f"# Connected components, {args.edges:,} edges over {vertices:,} vertices (seed {args.seed})\n\n"
        f"Graph generated and stored as Delta in {generated_s} s. Each time: read the edges from Delta, "
        "GraphFrames connectedComponents, write the components to Delta.\n\n"
        "| algorithm | seconds | components | largest component | isolated vertices |\n|---|---:|---:|---:|---:|\n"
        f"{rows}\n\nBoth algorithms give the same partition: {'yes' if same else 'NO'}. "
        f"JVM peak RSS {data['jvm_peak_rss_mb']} MB.\n\n{machine_markdown(data['machine'])}"
    )
    json_path, _ = write_results(args.results, f"connected-components-{size_label(args.edges)}", data, markdown)
    print(f"results: {json_path}")
    spark.stop()
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
