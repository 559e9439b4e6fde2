"""On the real OpenAlex sample, scholar_h_index recomputed from the works' cited_by_count
matches OpenAlex's own summary_stats.h_index (+-1, the sample's README says why) for every
sample author whose works are all in the sample."""

from __future__ import annotations

import gzip
import json

from pyspark.sql import functions as F

from jobs import config as cfg
from jobs.indicators import talent
from jobs.indicators.common import with_citations


def test_h_index_matches_openalex(spark, sample_ingested, shared_sample):
    warehouse, _ = sample_ingested
    papers = with_citations(warehouse.read(spark, "papers"), warehouse.read(spark, "citations"))
    config = cfg.load()
    scholars = talent.scholars(
        warehouse.read(spark, "authorships"),
        papers,
        warehouse.read(spark, "author_affiliation_years"),
        warehouse.read(spark, "institutions"),
        warehouse.read(spark, "authors"),
        config.scope,
        config.thresholds.high_level_h_index,
    )
    records = {}
    with gzip.open(next((shared_sample / "authors").glob("*.gz")), "rt") as handle:
        for line in handle:
            author = json.loads(line)
            records[author["id"].rsplit("/", 1)[-1]] = author
    ours = {
        r.author_id: (r.h_index, r.paper_count)
        for r in scholars.where(F.col("author_id").isin(list(records))).select("author_id", "h_index", "paper_count").collect()
    }
    complete = [aid for aid, a in records.items() if ours.get(aid, (0, 0))[1] == a["works_count"]]
    assert len(complete) >= 40, f"only {len(complete)} sample authors have all their works in the sample"
    off = {
        aid: (ours[aid][0], records[aid]["summary_stats"]["h_index"])
        for aid in complete
        if abs(ours[aid][0] - records[aid]["summary_stats"]["h_index"]) > 1
    }
    assert off == {}
    assert any(records[aid]["summary_stats"]["h_index"] >= 10 for aid in complete)  # not only trivial h's
