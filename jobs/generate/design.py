"""The corpus design: every number the driver decides before a single row exists.

A design is a pure function of (n_papers, seed, year_start, year_end), computed in plain Python:
papers and patents per year, the popularity blocks inside each year, the country shares that
plant the two golden crosses, where the research-front cores sit, the author groups and which of
them a paper of (country, year) may pick, institutions per country. A few hundred numbers: the
Spark builders turn them into literal arrays and small broadcast tables.

Papers are numbered p = 0..n_papers-1 in contiguous year blocks. Inside a block the local index
is also the paper's popularity rank: ranks below `hot_per_year` are the "hot" papers that take
the top-1% places, ranks from `citable_per_year` on are never drawn as random references (the
front cores sit there, so their citations are exactly the front citers' references).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from jobs.generate.reference import (
    COLLAB_OVERRIDES,
    COUNTRIES,
    COUNTRY_CODES,
    COUNTRY_INDEX,
    FIELD_KEYS,
    FLOWS,
    FRONTS,
    NAMED_INSTITUTIONS,
    PATENT_COUNTRIES,
    PATENT_COUNTRY_SHARES_FIRST_YEAR,
    PATENT_COUNTRY_SHARES_LAST_YEAR,
    TOPIC_INDEX,
)

MIN_YEARS = 6  # the crossings sit at year_end-2 and year_end-1, the fronts' cores in the last five years
MIN_PAPERS = 1000  # below this, a year block has no room for the front cores past its citable part
PAPER_GROWTH = 1.08  # papers per year grow 8% a year
PATENT_GROWTH = 1.12  # patent grants grow 12% a year
PAPERS_PER_PATENT = 10
HOT_SHARE = 0.015  # hot papers per year block
CITABLE_SHARE = 0.75  # the rest of a year block is never drawn as a random reference
INTL_SHARE = 0.22  # international papers among ordinary papers
INTL_SHARE_HOT = 0.25  # ... among hot papers and front cores
REVIEW_CORE = 2  # the third core of each front is a review

# Authors: a nominal population of AUTHORS_PER_PAPER per paper, MOVERS_SHARE of it in mover groups.
AUTHORS_PER_PAPER = 0.5
MOVERS_SHARE = 0.05
FIRST_COHORT = -6  # careers start up to six years before the window
COHORT_GROWTH = {"CN": 1.18, "US": 0.97}  # growth of the cohort sizes; other countries 1.04
COHORT_GROWTH_OTHER = 1.04
STAYER_PRODUCTIVITY = 1.0
MOVER_PRODUCTIVITY = 2.0  # movers are picked twice as often per author: enough moves to measure
MOVER_CAREER_BEFORE_MOVE = 4  # a mover group's careers start this many years before its move
NEVER_MOVES = 99  # move year index of stayer groups: past any window

# Institutions: about n_papers ** 0.6 in all (at least MIN_INSTITUTIONS), shared out like the
# author slots; every country has its named institutions plus at least FILLERS_MIN others.
INSTITUTION_EXPONENT = 0.6
MIN_INSTITUTIONS = 150
FILLERS_MIN = 3


@dataclass(frozen=True)
class CorePaper:
    """A core paper of a research front."""

    paper: int  # paper number p
    year_index: int
    is_review: bool


@dataclass(frozen=True)
class PlacedFront:
    name: str
    topic_index: int
    cores: tuple[CorePaper, ...]


@dataclass(frozen=True)
class AuthorGroup:
    """Authors first_author .. first_author + size - 1, who share a country history: stayers
    (origin == destination, never move) or movers origin -> destination at move_year."""

    index: int
    origin: int  # country index before the move
    destination: int  # country index from move_year on
    move_year: int  # year index of the move; NEVER_MOVES for stayers
    size: int
    first_author: int
    productivity: float  # pick weight per author
    cohort: int  # year index of the careers' start (negative: before the window)

    def country_in(self, year_index: int) -> int:
        return self.origin if year_index < self.move_year else self.destination

    def active_in(self, country: int, year_index: int) -> bool:
        return self.cohort <= year_index and self.country_in(year_index) == country


@dataclass(frozen=True)
class GroupChoice:
    """One eligible group for an author slot of a (country, year): picked when the slot's uniform
    is below upper_bound and above the previous choice's."""

    upper_bound: float
    group: int  # AuthorGroup.index


@dataclass(frozen=True)
class Design:
    n_papers: int
    year_start: int
    year_end: int
    years: list[int]
    papers_per_year: list[int]
    first_paper: list[int]  # paper number opening each year block
    hot_per_year: list[int]
    citable_per_year: list[int]
    id_multiplier: int  # coprime with n_papers: work number = base + p * id_multiplier mod n_papers
    lead_cum: list[list[float]]  # [year][country] cumulative lead-country shares, ordinary papers
    lead_cum_hot: list[list[float]]  # ... hot papers and front cores
    collab_cum: list[list[float]]  # [lead country][collaborator country] cumulative shares
    expected_cn_over_us: dict[int, dict[str, float]]  # year -> expected CN/US ratios (full counting)
    fronts: list[PlacedFront]  # in FRONTS order
    front_citer_cum: list[list[list[float]]]  # [field][year][front] cumulative citer shares
    groups: list[AuthorGroup]
    group_choices: dict[tuple[int, int], list[GroupChoice]]  # (country, year index) -> choices
    institutions_per_country: list[int]
    n_patents: int
    patents_per_year: list[int]
    first_patent: list[int]  # patent number opening each year block
    patent_country_cum: list[list[float]]  # [year][PATENT_COUNTRIES] cumulative shares
    sequence_offsets: tuple[float, ...]  # start of each low-discrepancy coordinate (from the seed)


# ---------------------------------------------------------------------------------------------
# Small numeric helpers
# ---------------------------------------------------------------------------------------------


def cumulative(weights: list[float]) -> list[float]:
    """Cumulative shares of weights; the last is exactly 1.0."""
    total = float(sum(weights))
    out, acc = [], 0.0
    for weight in weights:
        acc += weight / total
        out.append(acc)
    out[-1] = 1.0
    return out


def split_counts(total: int, weights: list[float]) -> list[int]:
    """Integer counts proportional to weights summing exactly to total (largest remainder)."""
    raw = [total * w / sum(weights) for w in weights]
    counts = [int(math.floor(x)) for x in raw]
    order = sorted(range(len(raw)), key=lambda k: (counts[k] - raw[k], k))
    for k in order[: total - sum(counts)]:
        counts[k] += 1
    return counts


def block_starts(sizes: list[int]) -> list[int]:
    """First number of each contiguous block."""
    return [sum(sizes[:k]) for k in range(len(sizes))]


def coprime_multiplier(n: int) -> int:
    """An odd multiplier near n / golden ratio with gcd 1: p -> p * a mod n is a bijection."""
    multiplier = max(1, int(n * 0.6180339887)) | 1
    while math.gcd(multiplier, n) != 1:
        multiplier += 1
    return multiplier


# ---------------------------------------------------------------------------------------------
# Country shares: the two golden crosses
# ---------------------------------------------------------------------------------------------


def country_shares(cn: float, us: float) -> list[float]:
    """Shares of COUNTRIES: CN and US as given, the rest by Country.other_weight."""
    rest = 1.0 - cn - us
    other_weight = sum(country.other_weight for country in COUNTRIES)
    return [cn, us] + [rest * country.other_weight / other_weight for country in COUNTRIES[2:]]


def lead_shares(year: int, year_end: int, hot: bool) -> list[float]:
    """Lead-country shares: the challenger jumps ahead at year_end-2 (papers) and year_end-1
    (hot papers, hence the top 1%)."""
    if not hot:
        cross = year_end - 2
        if year < cross:
            cn, us = max(0.08, 0.24 - 0.015 * (cross - 1 - year)), 0.258 + 0.006 * (cross - 1 - year)
        else:
            cn, us = 0.295 + 0.02 * (year - cross), 0.240 - 0.008 * (year - cross)
    else:
        cross = year_end - 1
        if year < cross:
            cn, us = max(0.06, 0.20 - 0.015 * (cross - 1 - year)), 0.46 + 0.004 * (cross - 1 - year)
        else:
            cn, us = 0.50 + 0.02 * (year - cross), 0.20 - 0.01 * (year - cross)
    return country_shares(cn, us)


def collab_shares(lead: str) -> list[float]:
    """Collaborator-country shares of an international paper led by `lead` (0 for lead itself)."""
    fixed = COLLAB_OVERRIDES.get(lead, COLLAB_OVERRIDES[None])
    free = [country for country in COUNTRIES if country.code != lead and country.code not in fixed]
    rest = 1.0 - sum(v for k, v in fixed.items() if k != lead)
    free_weight = sum(country.other_weight for country in free)
    shares = []
    for country in COUNTRIES:
        if country.code == lead:
            shares.append(0.0)
        elif country.code in fixed:
            shares.append(fixed[country.code])
        else:
            shares.append(rest * country.other_weight / free_weight)
    return shares


def expected_full_counts(lead: list[float], intl_share: float) -> list[float]:
    """Expected papers per country under full counting, per paper: led by it, or international
    with it as the collaborator."""
    collab = [collab_shares(code) for code in COUNTRY_CODES]
    n_countries = len(COUNTRIES)
    return [
        lead[c] + intl_share * sum(lead[other] * collab[other][c] for other in range(n_countries) if other != c)
        for c in range(n_countries)
    ]


def check_crossings(
    years: list[int], year_end: int, lead: list[list[float]], lead_hot: list[list[float]]
) -> dict[int, dict[str, float]]:
    """Expected CN/US ratios per year; refuses a design whose crossings are not where PLANTED
    says, with room (the realised counts wander a little around the expectation)."""
    cn, us = COUNTRY_INDEX["CN"], COUNTRY_INDEX["US"]
    expected = {}
    for t, year in enumerate(years):
        full = expected_full_counts(lead[t], INTL_SHARE)
        full_hot = expected_full_counts(lead_hot[t], INTL_SHARE_HOT)
        ratio, ratio_hot = full[cn] / full[us], full_hot[cn] / full_hot[us]
        expected[year] = {"papers_cn_over_us": ratio, "top1_cn_over_us": ratio_hot}
        if (year < year_end - 2 and ratio > 0.93) or (year >= year_end - 2 and ratio < 1.07):
            raise AssertionError(f"paper crossing margin too thin in {year}: {ratio:.3f}")
        if (year < year_end - 1 and ratio_hot > 0.8) or (year >= year_end - 1 and ratio_hot < 1.25):
            raise AssertionError(f"top-1% crossing margin too thin in {year}: {ratio_hot:.3f}")
    return expected


def country_pool_shares(lead_cum: list[list[float]], papers_per_year: list[int]) -> list[float]:
    """Average share of author slots per country over the window (weighted by papers). The lead
    shares are read back from the cumulative ones, as the papers draw them."""
    acc = [0.0] * len(COUNTRIES)
    for t, cum in enumerate(lead_cum):
        lead = [hi - lo for lo, hi in zip([0.0] + cum[:-1], cum)]
        full = expected_full_counts(lead, INTL_SHARE)
        for c in range(len(COUNTRIES)):
            acc[c] += full[c] * papers_per_year[t]
    total = sum(acc)
    return [a / total for a in acc]


# ---------------------------------------------------------------------------------------------
# Research fronts
# ---------------------------------------------------------------------------------------------


def place_front_cores(papers_per_year: list[int], first_paper: list[int], citable_per_year: list[int]) -> list[PlacedFront]:
    """Front cores take the last papers of their year blocks, past the citable part: they are never
    drawn as random references, so their citations are exactly the front citers' references."""
    n_years = len(papers_per_year)
    used = [0] * n_years
    fronts = []
    for front in FRONTS:
        cores = []
        for k, offset in enumerate(front.core_offsets):
            t = n_years - 1 - offset
            rank = papers_per_year[t] - 1 - used[t]
            used[t] += 1
            if rank < citable_per_year[t]:
                raise ValueError("too few papers per year for the front cores")
            cores.append(CorePaper(first_paper[t] + rank, t, k == REVIEW_CORE))
        fronts.append(PlacedFront(front.name, TOPIC_INDEX[front.topic], tuple(cores)))
    return fronts


def front_citer_cum(n_years: int) -> list[list[list[float]]]:
    """[field][year]: the fronts' citer shares stacked in FRONTS order (0 for a front the field
    does not cite or before its first citing year). A paper draws one uniform u and cites the
    first front whose running sum exceeds u; none if u is past the last."""
    table = []
    for field_key in FIELD_KEYS:
        per_year = []
        for t in range(n_years):
            acc, bounds = 0.0, []
            for front in FRONTS:
                shares = [0.0] * (n_years - len(front.citer_share)) + list(front.citer_share)
                acc = acc + (shares[t] if field_key in front.citing_fields else 0.0)
                bounds.append(acc)
            per_year.append(bounds)
        table.append(per_year)
    return table


# ---------------------------------------------------------------------------------------------
# Author groups
# ---------------------------------------------------------------------------------------------


def author_groups(n_papers: int, n_years: int, pool: list[float]) -> list[AuthorGroup]:
    """Stayer groups (country x career-start cohort, growing with the country) and mover groups
    (origin -> destination at a move year, sized by the FLOWS rates); numbered authors back to back."""
    nominal_authors = AUTHORS_PER_PAPER * n_papers
    groups: list[AuthorGroup] = []
    next_author = 0
    cohorts = list(range(FIRST_COHORT, n_years))
    for c, code in enumerate(COUNTRY_CODES):
        growth = COHORT_GROWTH.get(code, COHORT_GROWTH_OTHER)
        n_stayers = max(len(cohorts), round(nominal_authors * (1 - MOVERS_SHARE) * pool[c]))
        sizes = split_counts(n_stayers, [growth**cohort for cohort in cohorts])
        for cohort, size in zip(cohorts, sizes):
            size = max(1, size)
            groups.append(AuthorGroup(len(groups), c, c, NEVER_MOVES, size, next_author, STAYER_PRODUCTIVITY, cohort))
            next_author += size
    rate_total = sum(flow.rate for flow in FLOWS)
    movers_per_rate = MOVERS_SHARE * nominal_authors / (rate_total * (n_years - 1))
    for flow in FLOWS:
        for move_year in range(1, n_years):
            size = round(flow.rate * movers_per_rate)
            if size < 1:
                continue
            groups.append(
                AuthorGroup(
                    len(groups),
                    COUNTRY_INDEX[flow.origin],
                    COUNTRY_INDEX[flow.destination],
                    move_year,
                    size,
                    next_author,
                    MOVER_PRODUCTIVITY,
                    move_year - MOVER_CAREER_BEFORE_MOVE,
                )
            )
            next_author += size
    return groups


def group_choices(groups: list[AuthorGroup], n_years: int) -> dict[tuple[int, int], list[GroupChoice]]:
    """An author slot of country c in year t picks among the groups whose authors are in c in t
    (career started, before or after their move), with probability size x productivity."""
    choices = {}
    for c in range(len(COUNTRIES)):
        for t in range(n_years):
            eligible = [group for group in groups if group.active_in(c, t)]
            bounds = cumulative([group.size * group.productivity for group in eligible])
            choices[(c, t)] = [GroupChoice(bound, group.index) for bound, group in zip(bounds, eligible)]
    return choices


# ---------------------------------------------------------------------------------------------
# Patents
# ---------------------------------------------------------------------------------------------


def patent_country_cum(n_years: int) -> list[list[float]]:
    """[year][PATENT_COUNTRIES]: assignee-country shares moving linearly from the first year's to
    the last year's."""
    first, last = PATENT_COUNTRY_SHARES_FIRST_YEAR, PATENT_COUNTRY_SHARES_LAST_YEAR
    return [
        cumulative([first[code] + (last[code] - first[code]) * t / (n_years - 1) for code in PATENT_COUNTRIES])
        for t in range(n_years)
    ]


# ---------------------------------------------------------------------------------------------
# The design
# ---------------------------------------------------------------------------------------------


def make_design(n_papers: int, seed: int, year_start: int, year_end: int) -> Design:
    n_years = year_end - year_start + 1
    if n_years < MIN_YEARS:
        raise ValueError(f"the planted design needs a window of at least {MIN_YEARS} years")
    if n_papers < MIN_PAPERS:
        raise ValueError(f"n_papers must be >= {MIN_PAPERS} for the planted design to fit")
    years = list(range(year_start, year_end + 1))
    papers_per_year = split_counts(n_papers, [PAPER_GROWTH**t for t in range(n_years)])
    first_paper = block_starts(papers_per_year)
    citable_per_year = [int(CITABLE_SHARE * n) for n in papers_per_year]

    lead = [lead_shares(year, year_end, hot=False) for year in years]
    lead_hot = [lead_shares(year, year_end, hot=True) for year in years]
    lead_cum = [cumulative(shares) for shares in lead]
    expected = check_crossings(years, year_end, lead, lead_hot)

    pool = country_pool_shares(lead_cum, papers_per_year)
    groups = author_groups(n_papers, n_years, pool)
    n_institutions = max(MIN_INSTITUTIONS, int(n_papers**INSTITUTION_EXPONENT))
    n_named = [sum(1 for inst in NAMED_INSTITUTIONS if inst.country == code) for code in COUNTRY_CODES]

    n_patents = max(1, n_papers // PAPERS_PER_PATENT)
    patents_per_year = split_counts(n_patents, [PATENT_GROWTH**t for t in range(n_years)])
    rng = random.Random(f"scintel-corpus-{seed}")
    return Design(
        n_papers=n_papers,
        year_start=year_start,
        year_end=year_end,
        years=years,
        papers_per_year=papers_per_year,
        first_paper=first_paper,
        hot_per_year=[max(1, round(HOT_SHARE * n)) for n in papers_per_year],
        citable_per_year=citable_per_year,
        id_multiplier=coprime_multiplier(n_papers),
        lead_cum=lead_cum,
        lead_cum_hot=[cumulative(shares) for shares in lead_hot],
        collab_cum=[cumulative([max(w, 0.0) for w in collab_shares(code)]) for code in COUNTRY_CODES],
        expected_cn_over_us=expected,
        fronts=place_front_cores(papers_per_year, first_paper, citable_per_year),
        front_citer_cum=front_citer_cum(n_years),
        groups=groups,
        group_choices=group_choices(groups, n_years),
        institutions_per_country=[max(n_named[c] + FILLERS_MIN, round(n_institutions * pool[c])) for c in range(len(COUNTRIES))],
        n_patents=n_patents,
        patents_per_year=patents_per_year,
        first_patent=block_starts(patents_per_year),
        patent_country_cum=patent_country_cum(n_years),
        sequence_offsets=tuple(rng.random() for _ in range(3)),
    )
