"""Scintel's core indicators on Spark vs the single-machine peers, pandas and DuckDB, on the same data.

    .venv/bin/python bench/peers.py --papers 1000000 [--work /tmp/scintel-bench]
        [--engines spark,pandas,duckdb] [--conf conf/local.yaml] [--driver-memory 16g]
        [--shuffle-partitions 16] [--results bench/results]

Needs the warehouse bench/pipeline.py wrote for that size (WORK/<size>/warehouse). Exports the
columns the indicators read from its silver tables to plain Parquet once (WORK/<size>/peers-input;
not timed), so every engine reads the same files. Then each engine runs in its own process, one
after the other, and computes five indicators, each timed from the Parquet files to a fully
materialised result (Spark: the noop sink; pandas: the DataFrame; DuckDB: a temporary table):

  papers_by_country  distinct papers per author country (full counting)
  top1_flags         top 1% papers per (field, year) cell, SPEC item 2 (threshold at rank
                     ceil(1% of the cell), ties qualify, no top paper when the threshold <= 2)
  h_index            every author's h-index over their distinct papers
  yearly_citations   citations per (paper, year): in-corpus edges by citing year, else the
                     paper's counts_by_year (scintel's paper_yearly_citations)
  cocitation_pairs   pairs of top 1% papers co-cited by >= 2 papers with strength >= 0.1
                     (SPEC item 9's links; each engine finds its own top 1% first)

Citations of a paper are cited_by_count when present, else its in-corpus citing edges; every
engine looks first whether any paper lacks cited_by_count and counts the edges only then. All
papers count (no year window), so the numbers differ from the scoped gold tables.

Spark runs scintel's own indicator functions (jobs/indicators); pandas and DuckDB run the same
definitions written the way a user of each would. Every result is checked across the engines
(rows and sums must be equal) before any time is reported. Writes bench/results/peers-<size>.json
and .md with seconds per indicator and engine, the ratio of Spark to each peer, and each engine
process's peak resident memory. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import common  # bench/common.py: puts the project on sys.path

INDICATORS = ["papers_by_country", "top1_flags", "h_index", "yearly_citations", "cocitation_pairs"]
ENGINES = ["spark", "pandas", "duckdb"]
# What each engine reports of a result, to check that the engines agree: (column, aggregate).
CHECKS = {
    "papers_by_country": [("papers", "sum"), ("papers", "max")],
    "top1_flags": [("citations", "sum"), ("citations", "min")],
    "h_index": [("h_index", "sum"), ("h_index", "max")],
    "yearly_citations": [("citations", "sum"), ("year", "min")],
    "cocitation_pairs": [("cocitations", "sum"), ("cocitations", "max")],
}
EXPORT = {
    "papers": ["paper_id", "publication_year", "field_id", "cited_by_count", "counts_by_year"],
    "authorships": ["paper_id", "author_id", "country_code"],
    "citations": ["citing_paper_id", "cited_paper_id", "citing_year"],
}


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 2)[2],
    )
    parser.add_argument("--papers", type=int, required=True, help="the size bench/pipeline.py ran (e.g. 100000, 1000000)")
    parser.add_argument("--engines", default=",".join(ENGINES), help=f"comma-separated, from {','.join(ENGINES)}")
    common.add_run_arguments(parser)
    parser.add_argument("--one-engine", default=None, help=argparse.SUPPRESS)  # internal: run one engine, print JSON
    return parser.parse_args()


def thresholds(conf_file: str | None) -> dict:
    from jobs import config as cfg

    th = cfg.load(conf_file).thresholds
    return {
        "share": str(th.top_cited_share),
        "min_threshold": th.top_cited_min_threshold,
        "min_count": th.cocitation_min_count,
        "min_strength": th.cocitation_min_strength,
    }


def export_inputs(args, base: Path) -> Path:
    """Plain Parquet copies of the silver columns the indicators read (once per size)."""
    out = base / "peers-input"
    if (out / "_EXPORTED").exists():
        return out
    warehouse = base / "warehouse"
    if not (warehouse / "silver" / "papers" / "_delta_log").is_dir():
        sys.exit(
            f"peers: no silver tables under {warehouse}; run bench/pipeline.py --papers {args.papers} --work {args.work} first"
        )
    spark, _ = common.session(args, "scintel-bench-peers-export", str(warehouse))
    for table, columns in EXPORT.items():
        df = spark.read.format("delta").load(str(warehouse / "silver" / table)).select(*columns)
        df.repartition(8).write.mode("overwrite").parquet(str(out / table))
        common.log.info("exported silver %s (%s) to %s", table, ", ".join(columns), out / table)
    spark.stop()
    (out / "_EXPORTED").write_text("")
    return out


# --- Spark: scintel's own functions -------------------------------------------------------------


def run_spark(args, data: Path, th: dict) -> dict:
    from pyspark.sql import functions as F

    from jobs.indicators import fronts, output_impact, talent, top_cited
    from jobs.indicators.common import paper_countries, with_citations

    spark, _ = common.session(args, "scintel-bench-peers", str(data / "_spark"))

    def read(table):
        return spark.read.parquet(str(data / table))

    def cited():
        return with_citations(read("papers"), read("citations"))

    def top():
        papers = cited()
        return top_cited.flag_top(papers, top_cited.cell_thresholds(papers, float(th["share"]), th["min_threshold"]))

    plans = {
        "papers_by_country": lambda: (
            paper_countries(read("authorships")).groupBy("country_code").agg(F.count(F.lit(1)).alias("papers"))
        ),
        "top1_flags": top,
        "h_index": lambda: talent.h_index(talent.author_papers(read("authorships"), cited())),
        "yearly_citations": lambda: output_impact.yearly_citations(read("papers"), read("citations")),
        "cocitation_pairs": lambda: fronts.cocitation_links(top(), read("citations"), th["min_count"], th["min_strength"]),
    }
    read("papers").write.format("noop").mode("overwrite").save()  # JVM warm-up, not timed
    seconds, checks = {}, {}
    for name in INDICATORS:
        started = time.monotonic()  # building a plan runs jobs too (with_citations looks for a missing count)
        df = plans[name]()
        df.write.format("noop").mode("overwrite").save()
        seconds[name] = round(time.monotonic() - started, 2)
        aggs = [F.count(F.lit(1)).alias("rows")] + [getattr(F, agg)(col).alias(f"{agg}_{col}") for col, agg in CHECKS[name]]
        checks[name] = {k: _num(v) for k, v in df.agg(*aggs).first().asDict().items()}
        common.log.info("spark %s: %.1fs %s", name, seconds[name], checks[name])
    rss, machine = common.jvm_peak_rss_mb(spark), common.machine(spark)
    spark.stop()
    return {"seconds": seconds, "checks": checks, "peak_rss_mb": rss, "machine": machine}


# --- pandas -------------------------------------------------------------------------------------


def run_pandas(data: Path, th: dict) -> dict:
    import numpy as np
    import pandas as pd

    share = Fraction(th["share"])

    def read(table, columns):
        return pd.read_parquet(data / table, columns=columns)

    def cited():
        papers = read("papers", ["paper_id", "publication_year", "field_id", "cited_by_count"])
        if papers["cited_by_count"].notna().all():  # no edge count needed, as in scintel's with_citations
            return papers.assign(citations=papers["cited_by_count"].astype("int64")).drop(columns=["cited_by_count"])
        in_corpus = read("citations", ["cited_paper_id"]).groupby("cited_paper_id").size().rename("in_corpus")
        papers = papers.merge(in_corpus, left_on="paper_id", right_index=True, how="left")
        papers["citations"] = papers["cited_by_count"].fillna(papers["in_corpus"]).fillna(0).astype("int64")
        return papers.drop(columns=["cited_by_count", "in_corpus"])

    def top():
        papers = cited()
        papers["field_id"] = papers["field_id"].fillna("unknown")
        cell = ["field_id", "publication_year"]
        papers = papers.sort_values(cell + ["citations"], ascending=[True, True, False], kind="stable")
        rank = papers.groupby(cell, sort=False).cumcount() + 1
        size = papers.groupby(cell, sort=False)["citations"].transform("size")
        k = -(-size * share.numerator // share.denominator)  # ceil(share * n), exact
        at_k = papers.loc[rank == k, cell + ["citations"]].rename(columns={"citations": "threshold"})
        at_k = at_k[at_k["threshold"] > th["min_threshold"]]
        flagged = papers.merge(at_k, on=cell)
        return flagged[flagged["citations"] >= flagged["threshold"]]

    def papers_by_country():
        a = read("authorships", ["paper_id", "country_code"]).dropna(subset=["country_code"]).drop_duplicates()
        return a.groupby("country_code").size().rename("papers").reset_index()

    def h_index():
        pairs = read("authorships", ["author_id", "paper_id"]).drop_duplicates()
        ap = pairs.merge(cited()[["paper_id", "citations"]], on="paper_id")
        ap = ap.sort_values(["author_id", "citations"], ascending=[True, False])
        r = ap.groupby("author_id", sort=False).cumcount() + 1
        ap["h"] = np.where(ap["citations"].to_numpy() >= r.to_numpy(), r.to_numpy(), 0)
        return ap.groupby("author_id", sort=False)["h"].max().rename("h_index").reset_index()

    def yearly_citations():
        papers = read("papers", ["paper_id", "counts_by_year"])
        edges = read("citations", ["cited_paper_id", "citing_year"])
        edges = edges[edges["cited_paper_id"].isin(papers["paper_id"])]
        from_edges = edges.groupby(["cited_paper_id", "citing_year"]).size().rename("citations").reset_index()
        from_edges.columns = ["paper_id", "year", "citations"]
        rest = (
            papers[~papers["paper_id"].isin(from_edges["paper_id"])].explode("counts_by_year").dropna(subset=["counts_by_year"])
        )
        by_year = pd.DataFrame(rest["counts_by_year"].tolist(), index=rest.index, columns=["year", "cited_by_count"])
        from_source = pd.DataFrame(
            {"paper_id": rest["paper_id"], "year": by_year["year"], "citations": by_year["cited_by_count"]}
        )
        return pd.concat([from_edges, from_source[from_source["citations"] > 0]], ignore_index=True)

    def cocitation_pairs():
        core = top()[["paper_id", "citations"]]
        refs = read("citations", ["citing_paper_id", "cited_paper_id"])
        refs = refs[refs["cited_paper_id"].isin(core["paper_id"])].drop_duplicates()
        pairs = refs.merge(refs, on="citing_paper_id", suffixes=("_a", "_b"))
        pairs = pairs[pairs["cited_paper_id_a"] < pairs["cited_paper_id_b"]]
        counted = pairs.groupby(["cited_paper_id_a", "cited_paper_id_b"]).size().rename("cocitations").reset_index()
        counted = counted[counted["cocitations"] >= th["min_count"]]
        cites = core.set_index("paper_id")["citations"]
        strength = counted["cocitations"] / np.sqrt(
            counted["cited_paper_id_a"].map(cites).astype(float) * counted["cited_paper_id_b"].map(cites).astype(float)
        )
        return counted[strength >= th["min_strength"]]

    plans = {
        "papers_by_country": papers_by_country,
        "top1_flags": top,
        "h_index": h_index,
        "yearly_citations": yearly_citations,
        "cocitation_pairs": cocitation_pairs,
    }
    seconds, checks = {}, {}
    for name in INDICATORS:
        started = time.monotonic()
        result = plans[name]()
        seconds[name] = round(time.monotonic() - started, 2)
        checks[name] = {"rows": len(result), **{f"{agg}_{col}": _num(getattr(result[col], agg)()) for col, agg in CHECKS[name]}}
        common.log.info("pandas %s: %.1fs %s", name, seconds[name], checks[name])
        del result
    return {
        "seconds": seconds,
        "checks": checks,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "version": pd.__version__,
    }


# --- DuckDB -------------------------------------------------------------------------------------


def run_duckdb(data: Path, th: dict) -> dict:
    import duckdb

    share = Fraction(th["share"])
    con = duckdb.connect()
    for table in EXPORT:
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{data / table}/*.parquet')")
    # Citations: the edges are counted only when some paper lacks cited_by_count, as in scintel's
    # with_citations; the look at the papers is inside each indicator's timing.
    with_edges = """SELECT p.paper_id, p.publication_year, coalesce(p.field_id, 'unknown') AS field_id,
                           coalesce(p.cited_by_count, e.n, 0) AS citations
                    FROM papers p LEFT JOIN (SELECT cited_paper_id, count(*) AS n FROM citations GROUP BY 1) e
                      ON e.cited_paper_id = p.paper_id"""
    from_counts = """SELECT paper_id, publication_year, coalesce(field_id, 'unknown') AS field_id, cited_by_count AS citations
                     FROM papers"""
    missing = "SELECT EXISTS (SELECT 1 FROM papers WHERE cited_by_count IS NULL)"
    seconds, checks = {}, {}
    for name in INDICATORS:
        started = time.monotonic()
        cited = with_edges if con.execute(missing).fetchone()[0] else from_counts
        con.execute(f"CREATE OR REPLACE TEMP TABLE result AS {_duckdb_queries(cited, share, th)[name]}")
        seconds[name] = round(time.monotonic() - started, 2)
        aggs = ", ".join(f"{agg}({col})" for col, agg in CHECKS[name])
        row = con.execute(f"SELECT count(*), {aggs} FROM result").fetchone()
        checks[name] = {"rows": row[0], **{f"{agg}_{col}": _num(v) for (col, agg), v in zip(CHECKS[name], row[1:])}}
        common.log.info("duckdb %s: %.1fs %s", name, seconds[name], checks[name])
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.close()
    return {
        "seconds": seconds,
        "checks": checks,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "version": duckdb.__version__,
        "threads": threads,
    }


def _duckdb_queries(cited: str, share: Fraction, th: dict) -> dict:
    """The five indicators in DuckDB SQL, given the query of the papers with their citations."""
    top = f"""WITH cited AS ({cited}),
              ranked AS (SELECT *, row_number() OVER cell AS r, count(*) OVER cell AS n FROM cited
                         WINDOW cell AS (PARTITION BY field_id, publication_year ORDER BY citations DESC
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)),
              thresholds AS (SELECT field_id, publication_year, citations AS threshold FROM ranked
                             WHERE r = (n * {share.numerator} + {share.denominator - 1}) // {share.denominator}
                               AND citations > {th["min_threshold"]})
              SELECT c.paper_id, c.field_id, c.publication_year, c.citations, t.threshold
              FROM cited c JOIN thresholds t USING (field_id, publication_year) WHERE c.citations >= t.threshold"""
    return {
        "papers_by_country": """SELECT country_code, count(*) AS papers FROM
                                  (SELECT DISTINCT paper_id, country_code FROM authorships WHERE country_code IS NOT NULL)
                                GROUP BY country_code""",
        "top1_flags": top,
        "h_index": f"""WITH cited AS ({cited}),
                       ap AS (SELECT DISTINCT author_id, paper_id FROM authorships),
                       ranked AS (SELECT ap.author_id, c.citations,
                                         row_number() OVER (PARTITION BY ap.author_id ORDER BY c.citations DESC) AS r
                                  FROM ap JOIN cited c USING (paper_id))
                       SELECT author_id, max(CASE WHEN citations >= r THEN r ELSE 0 END) AS h_index FROM ranked GROUP BY author_id""",
        "yearly_citations": """WITH from_edges AS (
                                 SELECT cited_paper_id AS paper_id, citing_year AS year, count(*) AS citations FROM citations
                                 WHERE cited_paper_id IN (SELECT paper_id FROM papers) GROUP BY 1, 2),
                               from_source AS (
                                 SELECT paper_id, c.year AS year, c.cited_by_count AS citations
                                 FROM (SELECT paper_id, unnest(counts_by_year) AS c FROM papers
                                       WHERE paper_id NOT IN (SELECT paper_id FROM from_edges)))
                               SELECT * FROM from_edges UNION ALL SELECT * FROM from_source WHERE citations > 0""",
        "cocitation_pairs": f"""WITH core AS ({top}),
                                refs AS (SELECT DISTINCT citing_paper_id, cited_paper_id FROM citations
                                         WHERE cited_paper_id IN (SELECT paper_id FROM core)),
                                counted AS (SELECT a.cited_paper_id AS paper_a, b.cited_paper_id AS paper_b, count(*) AS cocitations
                                            FROM refs a JOIN refs b ON a.citing_paper_id = b.citing_paper_id
                                                                   AND a.cited_paper_id < b.cited_paper_id
                                            GROUP BY 1, 2 HAVING count(*) >= {th["min_count"]})
                                SELECT k.*, k.cocitations / sqrt(ca.citations::DOUBLE * cb.citations::DOUBLE) AS strength
                                FROM counted k JOIN core ca ON ca.paper_id = k.paper_a JOIN core cb ON cb.paper_id = k.paper_b
                                WHERE k.cocitations / sqrt(ca.citations::DOUBLE * cb.citations::DOUBLE) >= {th["min_strength"]}""",
    }


def _secs(s: float) -> str:
    return f"{s:.1f}" if s >= 10 else f"{s:.2f}"


def _num(v):
    """Checks compare as numbers: integral values as int, others rounded (sums of doubles)."""
    if v is None:
        return None
    v = float(v)
    return int(v) if v.is_integer() else round(v, 6)


# --- driver -------------------------------------------------------------------------------------


def run_engine(args) -> None:
    base = Path(args.work) / common.size_label(args.papers)
    data, th = base / "peers-input", thresholds(args.conf)
    result = (
        run_spark(args, data, th)
        if args.one_engine == "spark"
        else (run_pandas(data, th) if args.one_engine == "pandas" else run_duckdb(data, th))
    )
    print("RESULT " + json.dumps(result))


def main() -> None:
    args = _args()
    common.setup_logging()
    if args.one_engine:
        return run_engine(args)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown or not engines:
        sys.exit(f"peers: unknown engine(s) {unknown or engines}; choose from {ENGINES}")
    if "duckdb" in engines:
        try:
            import duckdb  # noqa: F401
        except ImportError:
            sys.exit(
                "peers: DuckDB is not installed in this venv: .venv/bin/pip install -e '.[bench]' (or --engines spark,pandas)"
            )
    label = common.size_label(args.papers)
    base = Path(args.work) / label
    export_inputs(args, base)

    results = {}
    for engine in engines:
        cmd = (
            [
                sys.executable,
                __file__,
                "--one-engine",
                engine,
                "--papers",
                str(args.papers),
                "--work",
                args.work,
                "--driver-memory",
                args.driver_memory,
            ]
            + (["--conf", args.conf] if args.conf else [])
            + (["--shuffle-partitions", str(args.shuffle_partitions)] if args.shuffle_partitions else [])
            + (["--driver-java-options", args.driver_java_options] if args.driver_java_options else [])
            + common.run_flags(args)
        )
        common.log.info("peers: %s", engine)
        started = time.monotonic()
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
        if proc.returncode != 0 or line is None:
            results[engine] = {"failed": f"exit {proc.returncode}", "process_seconds": round(time.monotonic() - started, 1)}
            common.log.error("peers: %s failed: %s", engine, _failure(results[engine]))
            continue
        results[engine] = json.loads(line[len("RESULT ") :]) | {"process_seconds": round(time.monotonic() - started, 1)}

    agree = agreement(results)
    data = {
        "papers": args.papers,
        "label": label,
        "thresholds": thresholds(args.conf),
        "engines": results,
        "agree": agree,
        "machine": results.get("spark", {}).get("machine") or common.machine(None),
    }
    name = f"peers-{label}" + common.engine_suffix(bool(data["machine"].get("comet")))
    json_path, md_path = common.write_results(args.results, name, data, markdown(data))
    print(f"peers at {label} papers: results {json_path} and {md_path}")
    if not all(agree.values()):
        sys.exit("peers: the engines disagree on " + ", ".join(k for k, ok in agree.items() if not ok) + f" (see {json_path})")


def agreement(results: dict) -> dict:
    ok = {}
    for name in INDICATORS:
        seen = [r["checks"][name] for r in results.values() if "checks" in r]
        ok[name] = all(s == seen[0] for s in seen)
    return ok


def _failure(result: dict) -> str:
    """How an engine's process ended; exit -9 is SIGKILL, which on Linux is usually the kernel's
    out-of-memory killer (`dmesg` says so)."""
    why = f"{result['failed']} after {result['process_seconds']:,.0f} s"
    if result["failed"] == "exit -9":
        why += " (SIGKILL: on Linux usually the kernel's out-of-memory killer; dmesg names the process)"
    return why


def markdown(data: dict) -> str:
    engines = data["engines"]
    ran = [e for e in engines if "seconds" in engines[e]]
    peers = [e for e in ran if e != "spark"]
    lines = [
        f"# Core indicators: scintel on Spark vs pandas and DuckDB, {data['label']} generated papers\n",
        common.machine_markdown(data["machine"]),
        "Same Parquet files for every engine (silver columns exported from the pipeline's warehouse); each indicator timed "
        "from those files to a materialised result, each engine in its own process. Spark runs scintel's indicator "
        "functions in local mode"
        + (f"; pandas {engines['pandas']['version']} single-threaded" if "pandas" in ran else "")
        + (f"; DuckDB {engines['duckdb']['version']} with {engines['duckdb']['threads']} threads" if "duckdb" in ran else "")
        + ". Results checked equal across engines (rows and sums).",
        "",
        "| indicator | " + " | ".join(f"{e} s" for e in ran) + "".join(f" | spark / {p}" for p in peers) + " | agree |",
        "|---|" + "---:|" * (len(ran) + len(peers)) + "---|",
    ]
    for name in INDICATORS:
        row = [_secs(engines[e]["seconds"][name]) for e in ran]
        if "spark" in ran:
            row += [f"{engines['spark']['seconds'][name] / max(engines[p]['seconds'][name], 0.01):.1f}x" for p in peers]
        lines.append(f"| {name} | " + " | ".join(row) + f" | {'yes' if data['agree'][name] else '**NO**'} |")
    totals = [_secs(sum(engines[e]["seconds"].values())) for e in ran]
    if "spark" in ran:
        totals += [
            f"{sum(engines['spark']['seconds'].values()) / max(sum(engines[p]['seconds'].values()), 0.01):.1f}x" for p in peers
        ]
    lines.append("| **all five** | " + " | ".join(totals) + " | |")
    lines += [
        "",
        "Peak resident memory per engine process: " + ", ".join(f"{e} {engines[e]['peak_rss_mb']:,.0f} MB" for e in ran) + ".",
        "",
        "Result checks (equal across engines):",
        "",
    ]
    first = next((engines[e]["checks"] for e in ran), {})
    for name in INDICATORS:
        if name in first:
            lines.append(
                f"- {name}: "
                + ", ".join(
                    f"{k} {v:,}" if isinstance(v, int) and "year" not in k else f"{k} {v}" for k, v in first[name].items()
                )
            )
    failed = [e for e in engines if "failed" in engines[e]]
    if failed:
        lines += ["", "Failed: " + "; ".join(f"{e}, {_failure(engines[e])}" for e in failed) + "."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
