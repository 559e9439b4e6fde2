"""The planted facts: what the indicators must recover from a generated corpus (PLANTED.md).

PLANTED holds the facts for the default window 2012-2021, whatever the corpus size;
planted_facts(design) gives them for the design's window with the exact front core ids and the
expected CN/US ratios, as written to PLANTED.json beside each corpus.
"""

from __future__ import annotations

from jobs.generate.design import Design
from jobs.generate.ids import OPENALEX, work_number
from jobs.generate.reference import FLOWS, FRONTS

DEFAULT_YEAR_END = 2021

PLANTED = {
    "papers_golden_cross": {
        "series": "yearly papers, full counting (a paper counts once per distinct author country)",
        "challenger": "CN",
        "leader": "US",
        "rule": "CN <= US every year before year_end-2, CN > US every year from year_end-2",
        "first_year_challenger_exceeds": DEFAULT_YEAR_END - 2,
    },
    "top1_golden_cross": {
        "series": "yearly top-1% highly cited papers, ESI rule per (field, publication year), full counting",
        "challenger": "CN",
        "leader": "US",
        "rule": "CN <= US every year before year_end-1, CN > US every year from year_end-1",
        "first_year_challenger_exceeds": DEFAULT_YEAR_END - 1,
    },
    "talent_flow": {
        "rule": "country of the primary affiliation (institution on most papers that year) changes "
        "between consecutive active years of an author",
        "largest_net_importer": "US",
        "largest_net_exporter": "CN",
        "relative_move_rates": {f"{flow.origin}->{flow.destination}": flow.rate for flow in FLOWS},
    },
    "fronts": [
        {
            "name": front.name,
            "topic": front.topic,
            "trend": front.trend,
            "n_core": len(front.core_offsets),
            "core_years": sorted(DEFAULT_YEAR_END - offset for offset in front.core_offsets),
        }
        for front in FRONTS
    ],
}


def planted_facts(design: Design) -> dict:
    """PLANTED for the design's window and size, with the exact front core and review ids."""
    year_end = design.year_end
    facts = {
        "papers_golden_cross": {**PLANTED["papers_golden_cross"], "first_year_challenger_exceeds": year_end - 2},
        "top1_golden_cross": {**PLANTED["top1_golden_cross"], "first_year_challenger_exceeds": year_end - 1},
        "talent_flow": dict(PLANTED["talent_flow"]),
        "expected_cn_over_us": {
            year: {name: round(ratio, 3) for name, ratio in ratios.items()} for year, ratios in design.expected_cn_over_us.items()
        },
        "fronts": [],
    }
    for front, placed in zip(FRONTS, design.fronts):
        core_ids = [f"{OPENALEX}W{work_number(design, core.paper)}" for core in placed.cores]
        facts["fronts"].append(
            {
                "name": front.name,
                "topic": front.topic,
                "trend": front.trend,
                "core_ids": core_ids,
                "core_years": [design.years[core.year_index] for core in placed.cores],
                "review_ids": [core_id for core_id, core in zip(core_ids, placed.cores) if core.is_review],
                "terms": list(front.terms),
            }
        )
    return facts
