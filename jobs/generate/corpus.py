"""Synthetic corpus in the raw formats scintel ingests: OpenAlex works, authors, institutions
(JSON Lines, gzip) and patents (the JSON Lines layout of schemas/raw.py), with the facts of
PLANTED.md planted in it. `generate_corpus` is the entry point; the package splits the work:

- reference.py: reference data (countries, cities, institutions, topics, fronts, flows, names);
- design.py: the driver-side design, a few hundred numbers (papers per year, country shares,
  front cores, author groups) computed before any row exists;
- columns.py, ids.py: Spark column helpers (hashed uniforms, literal tables) and the id scheme;
- papers.py, citations.py, authorships.py: the paper-level draws, the citation edges and the
  authorships every entity is built from;
- works.py, authors.py, institutions.py, patents.py: one module per written entity;
- writer.py, planted.py: deterministic files and the planted facts (PLANTED.json).

Everything is built by Spark from `spark.range` with Spark SQL functions: no Python UDF, no loop
over rows, nothing large on the driver. Every random choice is a uniform derived from
xxhash64(seed, salt, ids...), and files are hash-partitioned and sorted on a numeric key: the
same (n_papers, seed, window) gives the same bytes whatever the cluster.

Internal frames share short column names: p paper number, t year index, i popularity rank in
the year, j slot or draw index, a author number, q patent number, c / c1 / c2 country indices
(that year / home / after the move).

Skew: hub papers (fronts, hot papers) get tens of thousands of citations at 10M papers; their
counts come from a partially aggregated group-by on the cited id, so no task holds a hub's edge
list. Big authors and institutions are grouped the same way (a collect of a few thousand numbers
at most per author).
"""

from __future__ import annotations

import json
import logging
import time
from contextlib import contextmanager

from pyspark.sql import SparkSession

from jobs.generate.authors import build_authors
from jobs.generate.authorships import author_works, authorship_rows, paper_authorships
from jobs.generate.citations import citation_counts, front_edges, random_edges, references_per_paper
from jobs.generate.design import Design, make_design
from jobs.generate.institutions import build_institution_rows, build_institutions, institution_ref
from jobs.generate.papers import build_papers
from jobs.generate.patents import build_patents
from jobs.generate.planted import PLANTED, planted_facts
from jobs.generate.works import build_works
from jobs.generate.writer import file_count, write_json, write_text

__all__ = ["PLANTED", "Design", "generate_corpus", "make_design", "planted_facts"]

log = logging.getLogger(__name__)


@contextmanager
def _timed(step: str, timings: dict):
    start = time.perf_counter()
    yield
    timings[step] = round(time.perf_counter() - start, 1)
    log.info("generate: %s in %.1f s", step, timings[step])


def generate_corpus(
    spark: SparkSession, out_dir: str, n_papers: int, seed: int, year_start: int = 2012, year_end: int = 2021
) -> dict:
    """Write works/, authors/, institutions/ and patents/ under out_dir (gzip JSON Lines in the
    raw layouts) and PLANTED.json beside them; return {"counts": rows per entity, "planted":
    facts to recover, "out_dir", "seed", "year_start", "year_end", "seconds": per entity}."""
    design = make_design(n_papers, seed, year_start, year_end)
    out = out_dir.rstrip("/")
    n_parts = int(spark.conf.get("spark.sql.shuffle.partitions"))
    # Every frame below is read by more than one output: persisted once, released at the end.
    inst_df = build_institutions(spark, design, seed).persist()
    inst_ref_df = institution_ref(inst_df)
    papers_df = build_papers(spark, design, seed, n_parts).persist()
    edges_df = random_edges(design, seed, papers_df).unionByName(front_edges(spark, design, seed, papers_df)).persist()
    cites_df = citation_counts(design, edges_df).persist()
    rows_df = authorship_rows(spark, design, seed, papers_df, inst_ref_df).persist()
    author_works_df = author_works(rows_df, cites_df).persist()
    cached = [author_works_df, rows_df, cites_df, edges_df, papers_df, inst_df]
    timings: dict[str, float] = {}
    try:
        works_df = build_works(
            design, seed, papers_df, paper_authorships(rows_df), references_per_paper(design, edges_df), cites_df
        )
        with _timed("works", timings):
            write_json(works_df, f"{out}/works", file_count(n_papers))
        with _timed("authors", timings):
            authors_df = build_authors(design, seed, author_works_df, inst_ref_df).persist()
            cached.append(authors_df)
            n_authors = authors_df.count()
            write_json(authors_df, f"{out}/authors", file_count(n_authors))
        with _timed("institutions", timings):
            write_json(build_institution_rows(inst_df, author_works_df), f"{out}/institutions", 1)
        with _timed("patents", timings):
            write_json(build_patents(spark, design, seed), f"{out}/patents", file_count(design.n_patents))
        n_authorships = author_works_df.count()
        n_citations = edges_df.count()
    finally:
        for df in cached:
            df.unpersist()
    counts = {
        "works": n_papers,
        "authors": n_authors,
        "institutions": sum(design.institutions_per_country),
        "patents": design.n_patents,
        "authorships": n_authorships,
        "citations": n_citations,
    }
    result = {
        "counts": counts,
        "planted": planted_facts(design),
        "out_dir": out,
        "seed": seed,
        "year_start": year_start,
        "year_end": year_end,
        "seconds": timings,
    }
    # PLANTED.json leaves the timings out: same inputs, same file.
    planted_json = json.dumps({k: v for k, v in result.items() if k != "seconds"}, indent=1, sort_keys=True)
    write_text(spark, f"{out}/PLANTED.json", planted_json)
    return result
