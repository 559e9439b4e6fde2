"""The global report's charts (seed 002) and tables: the registry `CHARTS` (plus two charts per
configured lens topic, `topic_charts`) and the draw functions behind it.

A draw function gets the Context and a matplotlib Axes and returns the data points it drew (0: the
chart is shown as empty). It reads gold tables only, narrowed in Spark before the collect to a
top-N slice or a yearly series (at most a few hundred rows per chart), and passes the rows it draws
through `ctx.keep`. The challenger and the leader keep their colours on every chart.
"""

from __future__ import annotations

from typing import Callable

from pyspark.sql import functions as F

from jobs.config import Config
from jobs.report.context import Chart, Context, Table, top_rows
from jobs.report.drawing import (
    CHALLENGER_COLOR,
    LEADER_COLOR,
    OTHER_COLORS,
    band_label,
    count_axis,
    hbars,
    in_out_bars,
    institution_label,
    year_axis,
)


def _country_bars(table: str, value: str, xlabel: str) -> Callable[[Context, object], int]:
    def draw(ctx: Context, ax) -> int:
        rows = ctx.keep(top_rows(ctx.gold(table), value, ctx.top))
        return hbars(
            ax,
            [r["country_code"] or "?" for r in rows],
            [float(r[value] or 0) for r in rows],
            xlabel,
            [ctx.color(r["country_code"]) for r in rows],
        )

    return draw


def _institution_bars(table: str, value: str, xlabel: str) -> Callable[[Context, object], int]:
    def draw(ctx: Context, ax) -> int:
        rows = ctx.keep(top_rows(ctx.gold(table), value, ctx.top))
        colors = [ctx.color(r["country_code"]) for r in rows]
        return hbars(ax, [institution_label(r) for r in rows], [float(r[value] or 0) for r in rows], xlabel, colors)

    return draw


def _golden_cross(metric: str, ylabel: str) -> Callable[[Context, object], int]:
    def draw(ctx: Context, ax) -> int:
        series = (
            ctx.gold("golden_cross_series")
            .where(F.col("metric") == metric)
            .where((F.col("challenger") == ctx.focus[0]) & (F.col("leader") == ctx.focus[1]))
            .orderBy("year")
            .collect()  # one row per year of the window
        )
        ctx.keep(series)
        if not series:
            return 0
        years = [r["year"] for r in series]
        ax.plot(years, [r["challenger_value"] for r in series], marker="o", color=CHALLENGER_COLOR, label=ctx.focus[0])
        ax.plot(years, [r["leader_value"] for r in series], marker="o", color=LEADER_COLOR, label=ctx.focus[1])
        cross = (
            ctx.gold("golden_cross")
            .where(F.col("metric") == metric)
            .where((F.col("challenger") == ctx.focus[0]) & (F.col("leader") == ctx.focus[1]))
            .limit(1)
            .collect()  # one row
        )
        if cross and cross[0]["cross_year"] is not None:
            c = cross[0]
            ax.axvline(c["cross_year"], color="#f1c40f", linestyle="--", linewidth=1)
            ax.annotate(
                f"golden cross {c['cross_year']}",
                (c["cross_year"], c["challenger_value"]),
                xytext=(8, -14),
                textcoords="offset points",
                fontsize=8,
            )
        else:
            ax.text(0.02, 0.95, "no golden cross in the window", transform=ax.transAxes, fontsize=8, va="top")
        ax.set_xlabel("publication year")
        ax.set_ylabel(ylabel)
        count_axis(ax.yaxis)
        ax.set_xticks(years, labels=[str(y) for y in years], fontsize=8)
        ax.legend(fontsize=8)
        return 2 * len(series)

    return draw


def _value_bands(ctx: Context, ax) -> int:
    rows = (
        ctx.gold("patent_value_bands")
        .where(F.col("country_code").isin(*ctx.focus))
        .orderBy("band_low_usd", "country_code")
        .collect()  # two countries x six bands
    )
    ctx.keep(rows)
    if not rows:
        return 0
    bands = sorted({(r["band_low_usd"], r["band_high_usd"], r["band"]) for r in rows})
    index = {band: i for i, (_, _, band) in enumerate(bands)}
    width = 0.4
    for offset, country in ((-width / 2, ctx.focus[0]), (width / 2, ctx.focus[1])):
        mine = [r for r in rows if r["country_code"] == country]
        ax.bar(
            [index[r["band"]] + offset for r in mine],
            [r["patents"] for r in mine],
            width,
            color=ctx.color(country),
            label=country,
        )
    ratios = {r["band"]: r["ratio"] for r in ctx.gold("patent_value_band_ratio").collect()}  # one row per band
    labels = [
        f"{band_label(low, high)}\n"
        + (
            f"{ctx.focus[0]}/{ctx.focus[1]} {ratios[band]:.2f}"
            if ratios.get(band) is not None
            else f"{ctx.focus[0]}/{ctx.focus[1]} n/a"
        )
        for low, high, band in bands
    ]
    ax.set_xticks(range(len(bands)), labels=labels, fontsize=7)
    ax.set_ylabel("patents")
    count_axis(ax.yaxis)
    ax.set_xlabel("market value band (USD)")
    ax.legend(fontsize=8)
    return len(rows)


def _high_value_trend(ctx: Context, ax) -> int:
    rows = ctx.gold("high_value_trend").orderBy("country_rank", "year").collect()  # top-5 countries x years
    ctx.keep(rows)
    countries = [country for _, country in sorted({(r["country_rank"], r["country_code"]) for r in rows})]
    return _country_lines(ctx, ax, rows, countries, "high_value_patents", "high-value patents")


def _talent_cities(ctx: Context, ax) -> int:
    rows = (
        ctx.gold("talent_by_city")
        .where((F.col("country_code") == ctx.focus[0]) & F.col("city").isNotNull())
        .orderBy(F.col("scholars").desc())
        .limit(ctx.top)
        .collect()  # top-N cities
    )
    ctx.keep(rows)
    return hbars(ax, [r["city"] for r in rows], [float(r["scholars"]) for r in rows], "scholars", [CHALLENGER_COLOR] * len(rows))


def _talent_bars(table: str, label: Callable[[object], str]) -> Callable[[Context, object], int]:
    """Scholars and high-level scholars side by side, ranked by high-level scholars then scholars
    (small corpora have few scholars at the high-level threshold)."""

    def draw(ctx: Context, ax) -> int:
        rows = (
            ctx.gold(table).orderBy(F.col("high_level_scholars").desc(), F.col("scholars").desc()).limit(ctx.top).collect()
        )  # top-N rows
        ctx.keep(rows)
        positions = list(range(len(rows)))[::-1]
        ax.barh([p + 0.2 for p in positions], [r["scholars"] for r in rows], 0.4, color="#bdc3c7", label="scholars")
        ax.barh(
            [p - 0.2 for p in positions],
            [r["high_level_scholars"] for r in rows],
            0.4,
            color=[ctx.color(r["country_code"], OTHER_COLORS[1]) for r in rows],
            label="high-level scholars",
        )
        for pos, r in zip(positions, rows):
            ax.text(max(r["scholars"], 1), pos + 0.2, f" {r['scholars']:,}", va="center", fontsize=7)
            ax.text(max(r["high_level_scholars"], 1), pos - 0.2, f" {r['high_level_scholars']:,}", va="center", fontsize=7)
        ax.set_xscale("symlog")
        ax.set_yticks(positions, labels=[label(r) for r in rows], fontsize=8)
        ax.set_xlabel("scholars (log scale)")
        ax.legend(fontsize=8, loc="lower right")
        if rows and not any(r["high_level_scholars"] for r in rows):
            ax.text(
                0.98,
                0.12,
                f"no scholar reaches h-index {ctx.config.thresholds.high_level_h_index} here",
                transform=ax.transAxes,
                ha="right",
                fontsize=8,
            )
        return 2 * len(rows)

    return draw


def _patents_yearly(ctx: Context, ax) -> int:
    rows = ctx.keep(
        ctx.gold("patents_by_country_year")
        .where(F.col("country_code").isin(*ctx.focus))
        .orderBy("country_code", "year")
        .collect()
    )  # two countries x window years
    return _country_lines(ctx, ax, rows, list(ctx.focus), "patents", "granted patents")


def _country_lines(ctx: Context, ax, rows: list, countries: list[str], value: str, ylabel: str) -> int:
    """A yearly line per country (rows: country_code, year, value), by grant year."""
    for i, country in enumerate(countries):
        mine = [r for r in rows if r["country_code"] == country]
        ax.plot(
            [r["year"] for r in mine],
            [r[value] for r in mine],
            marker="o",
            color=ctx.color(country, OTHER_COLORS[i % len(OTHER_COLORS)]),
            label=country,
        )
    year_axis(ax.xaxis)
    ax.set_xlabel("grant year")
    ax.set_ylabel(ylabel)
    count_axis(ax.yaxis)
    if rows:
        ax.legend(fontsize=8)
    return len(rows)


def _challenger_assignees(ctx: Context, ax) -> int:
    rows = ctx.keep(
        top_rows(
            ctx.gold("patents_by_assignee").where(F.col("country_code") == ctx.focus[0]), "high_value_patents", ctx.top, None
        )
    )
    return hbars(
        ax,
        [r["canonical_assignee"][:40] for r in rows],
        [float(r["high_value_patents"]) for r in rows],
        "high-value patents",
        [CHALLENGER_COLOR] * len(rows),
    )


def _challenger_institutions(ctx: Context, ax) -> int:
    rows = ctx.keep(
        ctx.gold("talent_by_institution")
        .where(F.col("country_code") == ctx.focus[0])
        .orderBy(F.col("scholars").desc(), "canonical_id")
        .limit(ctx.top)
        .collect()
    )  # top-N institutions
    return hbars(
        ax, [institution_label(r) for r in rows], [float(r["scholars"]) for r in rows], "scholars", [CHALLENGER_COLOR] * len(rows)
    )


def _assignee_bars(ctx: Context, ax) -> int:
    rows = ctx.keep(top_rows(ctx.gold("patents_by_assignee"), "high_value_patents", ctx.top, None))
    labels = [f"{r['canonical_assignee'][:38]} ({r['country_code'] or '?'})" for r in rows]
    colors = [ctx.color(r["country_code"]) for r in rows]
    return hbars(ax, labels, [float(r["high_value_patents"]) for r in rows], "high-value patents", colors)


def _flow_bars(ctx: Context, ax) -> int:
    """Inflow and outflow side by side for the places with most moves, net in the label."""
    rows = ctx.gold("talent_flow_by_country").orderBy(F.col("total_flow").desc(), "country").limit(ctx.top).collect()  # top N
    ctx.keep(rows)
    return in_out_bars(ax, [f"{r['country']} (net {r['net_inflow']:+,})" for r in rows], rows)


def _city_flow_bars(ctx: Context, ax) -> int:
    rows = (
        ctx.gold("talent_flow_by_city")
        .where(F.col("country") == ctx.focus[0])
        .orderBy(F.col("total_flow").desc(), "city")
        .limit(ctx.top)
        .collect()
    )  # top-N cities
    ctx.keep(rows)
    return in_out_bars(ax, [f"{r['city']} (net {r['net_inflow']:+,})" for r in rows], rows)


def _flow_sankey(ctx: Context, ax) -> int:
    """A Sankey-style picture: origins on the left, destinations on the right, a band per
    country pair whose width is proportional to its moves (the top pairs only)."""
    edges = (
        ctx.gold("talent_flow_edges").orderBy(F.col("moves").desc(), "from_country", "to_country").limit(ctx.top).collect()
    )  # the top-N country pairs
    ctx.keep(edges)
    if not edges:
        return 0
    origins = sorted({e["from_country"] for e in edges}, key=lambda c: -sum(e["moves"] for e in edges if e["from_country"] == c))
    targets = sorted({e["to_country"] for e in edges}, key=lambda c: -sum(e["moves"] for e in edges if e["to_country"] == c))
    y_left = {c: 1 - i / max(1, len(origins) - 1) for i, c in enumerate(origins)}
    y_right = {c: 1 - i / max(1, len(targets) - 1) for i, c in enumerate(targets)}
    widest = max(e["moves"] for e in edges)
    for i, e in enumerate(edges):
        color = ctx.color(e["from_country"], OTHER_COLORS[i % len(OTHER_COLORS)])
        ax.plot(
            [0, 1],
            [y_left[e["from_country"]], y_right[e["to_country"]]],
            color=color,
            alpha=0.55,
            linewidth=1 + 14 * e["moves"] / widest,
            solid_capstyle="butt",
        )
    for c, y in y_left.items():
        ax.text(-0.02, y, c, ha="right", va="center", fontsize=9)
    for c, y in y_right.items():
        ax.text(1.02, y, c, ha="left", va="center", fontsize=9)
    ax.text(0, 1.08, "from", ha="center", fontsize=8, transform=ax.transData)
    ax.text(1, 1.08, "to", ha="center", fontsize=8, transform=ax.transData)
    ax.set_xlim(-0.25, 1.25)
    ax.set_ylim(-0.1, 1.15)
    ax.axis("off")
    return len(edges)


def _mobility_bars(ctx: Context, ax) -> int:
    rows = (
        ctx.gold("talent_mobility")
        .groupBy("origin_country")
        .agg(
            F.count(F.when(F.col("mobility") == "migrant", 1)).alias("migrants"),
            F.count(F.when(F.col("mobility") == "traveller", 1)).alias("travellers"),
            F.count(F.lit(1)).alias("mobile"),
        )
        .orderBy(F.col("mobile").desc(), "origin_country")
        .limit(ctx.top)
        .collect()
    )  # top-N origin countries
    ctx.keep(rows)
    positions = list(range(len(rows)))[::-1]
    ax.barh(positions, [r["migrants"] for r in rows], color="#8e44ad", label="migrants (left for good)")
    ax.barh(
        positions,
        [r["travellers"] for r in rows],
        left=[r["migrants"] for r in rows],
        color="#f39c12",
        label="travellers (came back or kept a tie)",
    )
    ax.set_yticks(positions, labels=[r["origin_country"] for r in rows], fontsize=8)
    ax.set_xlabel("mobile scholars by origin country")
    count_axis(ax.xaxis)
    ax.legend(fontsize=8, loc="lower right")
    return 2 * len(rows)


def _pair_bars(ctx: Context, ax) -> int:
    rows = ctx.gold("collaboration_pairs").orderBy("rank", "country_a", "country_b").limit(10).collect()  # top 10 pairs
    ctx.keep(rows)
    colors = [CHALLENGER_COLOR if {r["country_a"], r["country_b"]} == set(ctx.focus) else OTHER_COLORS[0] for r in rows]
    return hbars(
        ax,
        [f"{r['country_a']}-{r['country_b']}" for r in rows],
        [float(r["papers"]) for r in rows],
        "co-authored top-1% papers",
        colors,
    )


def _pair_yearly(ctx: Context, ax) -> int:
    rows = ctx.gold("collaboration_pairs_yearly").orderBy("country_a", "country_b", "year").collect()  # pairs x window years
    ctx.keep(rows)
    pairs = sorted({(r["country_a"], r["country_b"]) for r in rows})
    growth_ax = ax.twinx()
    for i, pair in enumerate(pairs):
        mine = [r for r in rows if (r["country_a"], r["country_b"]) == pair]
        color = OTHER_COLORS[(i + 1) % len(OTHER_COLORS)] if set(pair) != set(ctx.focus) else CHALLENGER_COLOR
        ax.bar(
            [r["year"] + (i - (len(pairs) - 1) / 2) * 0.8 / len(pairs) for r in mine],
            [r["papers"] for r in mine],
            0.8 / len(pairs),
            color=color,
            alpha=0.7,
            label=f"{pair[0]}-{pair[1]} papers",
        )
        growth = [(r["year"], 100 * r["growth_rate"]) for r in mine if r["growth_rate"] is not None]
        if growth:
            growth_ax.plot(*zip(*growth), marker="o", color=color, linestyle="--", label=f"{pair[0]}-{pair[1]} growth %")
    year_axis(ax.xaxis)
    ax.set_xlabel("publication year")
    ax.set_ylabel("co-authored top-1% papers")
    growth_ax.set_ylabel("growth on the year before (%)")
    handles = ax.get_legend_handles_labels()[0] + growth_ax.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], fontsize=8, loc="upper left")
    return len(rows)


def _front_citations(ctx: Context, ax) -> int:
    fronts = ctx.gold("research_fronts").where(F.col("rank") <= 5).orderBy("rank").collect()  # top 5 fronts
    names = {f["front_id"]: f"{f['rank']}. {(f['label'] or f['front_id']).split(';')[0][:40]}" for f in fronts}
    rows = (
        ctx.gold("research_front_yearly").where(F.col("front_id").isin(list(names))).orderBy("front_id", "year").collect()
    )  # five fronts x window years
    ctx.keep(rows)
    for i, front in enumerate(fronts):
        mine = [r for r in rows if r["front_id"] == front["front_id"]]
        ax.plot(
            [r["year"] for r in mine],
            [r["citations"] for r in mine],
            marker="o",
            color=OTHER_COLORS[i % len(OTHER_COLORS)],
            label=names[front["front_id"]],
        )
    year_axis(ax.xaxis)
    ax.set_xlabel("citing year")
    ax.set_ylabel("citations to the front's core papers")
    count_axis(ax.yaxis)
    if fronts:
        ax.legend(fontsize=7)
    return len(rows)


def _front_split(column: str, xlabel: str) -> Callable[[Context, object], int]:
    """Per top-10 front, the focus countries side by side (core papers or high-value patents)."""

    def draw(ctx: Context, ax) -> int:
        fronts = ctx.gold("frontier_top10").orderBy("rank").collect()  # ten rows
        rows = ctx.keep(
            ctx.gold("research_front_countries")
            .where(F.col("front_id").isin([f["front_id"] for f in fronts]) & F.col("country_code").isin(*ctx.focus))
            .collect()
        )  # ten fronts x the two focus countries
        counts = {(r["front_id"], r["country_code"]): r[column] for r in rows}
        positions = list(range(len(fronts)))[::-1]
        for offset, country in ((0.2, ctx.focus[0]), (-0.2, ctx.focus[1])):
            ax.barh(
                [p + offset for p in positions],
                [counts.get((f["front_id"], country), 0) for f in fronts],
                0.4,
                color=ctx.color(country),
                label=country,
            )
        ax.set_yticks(positions, labels=[f"{f['rank']}. {(f['label'] or '').split(';')[0][:38]}" for f in fronts], fontsize=7)
        ax.set_xlabel(xlabel)
        count_axis(ax.xaxis)
        ax.legend(fontsize=8, loc="lower right")
        return 2 * len(fronts) if any(counts.values()) else 0

    return draw


CHARTS: tuple[Chart, ...] = (
    Chart(
        "papers_yearly",
        "Papers per year: {challenger} vs {leader}, with the golden cross",
        "002 fig 8",
        "Yearly papers of {challenger} and {leader} (full counting) and the first year {challenger} exceeds {leader} after being at or below it.",
        ("golden_cross_series", "golden_cross"),
        "golden_cross",
        _golden_cross("papers", "papers"),
    ),
    Chart(
        "papers_by_country",
        "Papers by country",
        "002 fig 6, table 1",
        "The top countries by papers in the window (a paper counts once for each distinct country of its authors).",
        ("output_by_country",),
        "output_impact",
        _country_bars("output_by_country", "papers", "papers"),
    ),
    Chart(
        "citations_by_country",
        "Citations by country",
        "002 table 1",
        "The top countries by total citations of their papers.",
        ("output_by_country",),
        "output_impact",
        _country_bars("output_by_country", "citations", "citations"),
    ),
    Chart(
        "papers_by_institution",
        "Papers by institution",
        "002 figs 1, 10",
        "The top institutions (after roll-up of campuses and institutes) by papers.",
        ("output_by_institution",),
        "output_impact",
        _institution_bars("output_by_institution", "papers", "papers"),
    ),
    Chart(
        "top_cited_yearly",
        "Top 1% highly cited papers per year: {challenger} vs {leader}, with the golden cross",
        "002 fig 9",
        "Yearly top-1% papers (per field and year cell) of {challenger} and {leader} and their golden cross.",
        ("golden_cross_series", "golden_cross"),
        "golden_cross",
        _golden_cross("top_cited_papers", "top-1% papers"),
    ),
    Chart(
        "top_cited_by_country",
        "Top 1% highly cited papers by country",
        "002 fig 7",
        "The top countries by top-1% papers.",
        ("top_cited_by_country",),
        "top_cited",
        _country_bars("top_cited_by_country", "papers", "top-1% papers"),
    ),
    Chart(
        "top_cited_by_institution",
        "Top 1% highly cited papers by institution",
        "002 fig 11",
        "The top institutions by top-1% papers.",
        ("top_cited_by_institution",),
        "top_cited",
        _institution_bars("top_cited_by_institution", "papers", "top-1% papers"),
    ),
    Chart(
        "patents_by_country",
        "Granted patents by country",
        "002 figs 2, 12",
        "The top countries by granted patent families (a family counts once per distinct assignee country).",
        ("patents_by_country",),
        "patents",
        _country_bars("patents_by_country", "patents", "patents"),
        None,
    ),
    Chart(
        "high_value_by_country",
        "High-value patents by country",
        "002 fig 15",
        "The top countries by patents whose market value reaches the configured threshold.",
        ("patents_by_country",),
        "patents",
        _country_bars("patents_by_country", "high_value_patents", "high-value patents"),
        None,
    ),
    Chart(
        "patents_by_assignee",
        "High-value patents by assignee",
        "002 table 5",
        "The top assignees (rolled up) by high-value patents.",
        ("patents_by_assignee",),
        "patents",
        _assignee_bars,
        None,
    ),
    Chart(
        "patents_yearly",
        "Granted patents per year: {challenger} vs {leader}",
        "002 fig 14",
        "Patent families granted each year with an assignee in {challenger} or in {leader}.",
        ("patents_by_country_year",),
        "patents",
        _patents_yearly,
        None,
    ),
    Chart(
        "challenger_assignees",
        "High-value patents by assignee of {challenger}",
        "002 tables 2, 6",
        "The assignees of {challenger} (rolled up) with the most high-value patents.",
        ("patents_by_assignee",),
        "patents",
        _challenger_assignees,
        None,
    ),
    Chart(
        "patent_value_bands",
        "Patent value bands: {challenger} vs {leader}",
        "002 fig 16",
        "Patents per market-value band for {challenger} and {leader}; each band's label gives the {challenger}/{leader} ratio.",
        ("patent_value_bands", "patent_value_band_ratio"),
        "patents",
        _value_bands,
        None,
        height=4.6,
    ),
    Chart(
        "high_value_trend",
        "High-value patents per year: the top-5 countries",
        "002 fig 17",
        "Yearly high-value patents of the five countries with the most high-value patents.",
        ("high_value_trend",),
        "patents",
        _high_value_trend,
        None,
        height=4.6,
    ),
    Chart(
        "talent_by_country",
        "Scholars and high-level scholars by country",
        "002 figs 3, 18",
        "Scholars (by their latest affiliation) and high-level scholars (h-index at or above the configured threshold).",
        ("talent_by_country",),
        "talent",
        _talent_bars("talent_by_country", lambda r: r["country_code"] or "?"),
        None,
    ),
    Chart(
        "talent_by_institution",
        "Scholars and high-level scholars by institution",
        "002 fig 19, table 3",
        "The top institutions by high-level scholars, then by scholars.",
        ("talent_by_institution",),
        "talent",
        _talent_bars("talent_by_institution", institution_label),
        None,
    ),
    Chart(
        "challenger_talent_institutions",
        "Scholars by institution of {challenger}",
        "002 table 7",
        "The institutions of {challenger} with the most scholars (by latest affiliation).",
        ("talent_by_institution",),
        "talent",
        _challenger_institutions,
        None,
    ),
    Chart(
        "talent_by_city_cn",
        "Scholars by city of {challenger}",
        "002 fig 20 (and the summary's talent hubs)",
        "Scholars whose latest affiliation is in {challenger}, by city.",
        ("talent_by_city",),
        "talent",
        _talent_cities,
        None,
    ),
    Chart(
        "institution_h5",
        "Institutions by h5-index",
        "002 ch.3 sec.4, table 4",
        "The top institutions by the h-index of their papers of the last five complete years of the window.",
        ("institution_h5",),
        "institution_h5",
        _institution_bars("institution_h5", "h5_index", "h5-index"),
        None,
    ),
    Chart(
        "talent_flow_by_country",
        "Talent flow by country: moves in and out",
        "002 figs 4, 21",
        "Researcher moves between countries (a change of primary affiliation country between two active years), "
        "in and out per country, net inflow in the label.",
        ("talent_flow_by_country",),
        "talent_flow",
        _flow_bars,
        None,
    ),
    Chart(
        "talent_flow_pairs",
        "Where researchers move: the largest country-to-country flows",
        "002 fig 21",
        "Each band joins an origin (left) to a destination (right); its width is the number of moves.",
        ("talent_flow_edges",),
        "talent_flow",
        _flow_sankey,
        None,
    ),
    Chart(
        "talent_flow_by_city",
        "Talent flow by city of {challenger}: moves in and out",
        "002 fig 22",
        "Moves between cities of {challenger} and the rest of the world, in and out per city, net inflow in the label.",
        ("talent_flow_by_city",),
        "talent_flow",
        _city_flow_bars,
        None,
    ),
    Chart(
        "talent_mobility",
        "Migrants and travellers by origin country",
        "beyond the seeds (Sugimoto et al. 2017)",
        "Mobile scholars by the country of their first active year: migrants left it for good; travellers came back "
        "or kept publishing from it.",
        ("talent_mobility",),
        "talent_flow",
        _mobility_bars,
        None,
    ),
    Chart(
        "collaboration_pairs",
        "The top-10 collaborating country pairs on top-1% papers",
        "002 fig 23",
        "Top-1% papers co-authored by each pair of countries (a paper counts once per pair).",
        ("collaboration_pairs",),
        "collaboration",
        _pair_bars,
    ),
    Chart(
        "collaboration_yearly",
        "Co-authored top-1% papers per year and their growth",
        "002 figs 5, 24",
        "Yearly top-1% papers of the configured country pairs (bars) and the growth on the year before (dashed).",
        ("collaboration_pairs_yearly",),
        "collaboration",
        _pair_yearly,
    ),
    Chart(
        "front_citations",
        "The top-5 research fronts: citations per year",
        "002 ch.4 (frontier index)",
        "Citations received each year by the core papers of the five best-ranked fronts: the series whose slope "
        "drives the frontier index.",
        ("research_fronts", "research_front_yearly"),
        "research_fronts",
        _front_citations,
        None,
    ),
    Chart(
        "front_papers_cn_us",
        "Top-10 research fronts: core papers, {challenger} vs {leader}",
        "002 fig 25",
        "Core (top-1%) papers of each top-10 front with an author in {challenger} or in {leader}.",
        ("frontier_top10", "research_front_countries"),
        "research_fronts",
        _front_split("papers", "core papers"),
    ),
    Chart(
        "front_patents_cn_us",
        "Top-10 research fronts: high-value patents, {challenger} vs {leader}",
        "002 fig 26",
        "High-value patents linked to each top-10 front with an assignee in {challenger} or in {leader}.",
        ("frontier_top10", "research_front_countries"),
        "research_fronts",
        _front_split("high_value_patents", "high-value patents"),
        None,
    ),
)


def _topic_bars(topic: str, table: str, value: str, xlabel: str) -> Callable[[Context, object], int]:
    """The top-10 countries of one lens topic by top-1% papers or by high-value patents."""

    def draw(ctx: Context, ax) -> int:
        rows = (
            ctx.gold(table)
            .where((F.col("topic") == topic) & (F.col(value) > 0))
            .orderBy(F.col(value).desc(), "country")
            .limit(10)
            .collect()
        )  # top 10 countries
        ctx.keep(rows)
        return hbars(
            ax, [r["country"] for r in rows], [float(r[value]) for r in rows], xlabel, [ctx.color(r["country"]) for r in rows]
        )

    return draw


SEED_TOPIC_FIGURES = ("002 fig 28", "002 fig 30", "002 fig 32")  # AIGC, cloud computing, quantum computing


def topic_charts(config: Config) -> tuple[Chart, ...]:
    """Two charts per configured lens topic, the seed's "hot technology" pages."""
    charts = []
    for i, topic in enumerate(config.topic_lens.topics):
        seed = SEED_TOPIC_FIGURES[i] if i < len(SEED_TOPIC_FIGURES) else "002 ch.4 sec.3"
        charts += [
            Chart(
                f"topic_{i + 1}_papers",
                f"{topic.name}: the top-10 countries by top-1% papers",
                seed,
                f"Top-1% papers of the topic '{topic.name}' (papers whose topic, concept or keyword names contain "
                f"one of: {', '.join(topic.paper_terms)}) by author country.",
                ("topic_country_rankings",),
                "topic_lens",
                _topic_bars(topic.name, "topic_country_rankings", "top_cited_papers", "top-1% papers"),
            ),
            Chart(
                f"topic_{i + 1}_patents",
                f"{topic.name}: the top-10 countries by high-value patents",
                seed,
                f"High-value patents of the topic '{topic.name}' (CPC {', '.join(topic.patent_cpc_prefixes) or 'none'}; "
                f"terms {', '.join(topic.patent_terms) or 'none'}) by assignee country.",
                ("topic_patent_rankings",),
                "topic_lens",
                _topic_bars(topic.name, "topic_patent_rankings", "high_value_patents", "high-value patents"),
                None,
            ),
        ]
    return tuple(charts)


def report_charts(config: Config) -> tuple[Chart, ...]:
    """Every chart of the report: the fixed ones and those of the configured lens topics."""
    return CHARTS + topic_charts(config)


# Figures of the seeds whose tables exist but that no report draws: (what, seed figure, stage).
# Empty: the global report and the city report (jobs/report/city.py) draw every one.
NOT_YET: tuple[tuple[str, str, str], ...] = ()


# ----------------------------------------------------------------------------- tables


def _table_rows(ctx: Context, table: str, columns: list[str], order: str, counting: str | None = "full") -> list[list]:
    """The top-N rows of a gold table as lists of `columns`; none when the table is missing."""
    if not ctx.warehouse.exists(ctx.spark, table, "gold"):
        return []
    return [[r[c] for c in columns] for r in top_rows(ctx.gold(table), order, ctx.top, counting)]


def _team_rows(ctx: Context) -> list[list]:
    """Table 4: one row per top institution, its members as 'name (h; topics)'."""
    if not all(ctx.warehouse.exists(ctx.spark, t, "gold") for t in ("institution_key_members", "institution_h5")):
        return []
    members = ctx.gold("institution_key_members").orderBy("canonical_id", "rank").collect()  # top teams x key members
    teams = (
        ctx.gold("institution_h5")
        .where(F.col("rank") <= ctx.config.indicators.top_teams)
        .orderBy("rank", "canonical_id")
        .collect()
    )  # the top teams (ties at the last place included)
    return [
        [
            t["rank"],
            t["canonical_name"] or t["canonical_id"],
            t["country_code"] or "",
            t["h5_index"],
            "; ".join(
                f"{m['display_name'] or m['author_id']} ({m['h_index']}{'; ' + m['topics'] if m['topics'] else ''})"
                for m in members
                if m["canonical_id"] == t["canonical_id"]
            ),
        ]
        for t in teams
    ]


def report_tables(ctx: Context) -> list[Table]:
    """The tables the global report shows before its charts; a table whose gold table is missing
    has no rows."""
    challenger, leader = ctx.focus
    bands = (
        ctx.gold("patent_value_band_ratio").orderBy("band_low_usd").collect()  # six bands
        if ctx.warehouse.exists(ctx.spark, "patent_value_band_ratio", "gold")
        else []
    )
    return [
        Table(
            "Table 1: papers and citations by country (full counting)",
            ["country", "papers", "citations", "mean citations", "rank"],
            _table_rows(ctx, "output_by_country", ["country_code", "papers", "citations", "mean_citations", "rank"], "papers"),
        ),
        Table(
            f"Patent value bands: {challenger} / {leader} ratio per band",
            ["band (USD)", challenger, leader, f"{challenger} / {leader}"],
            [
                [band_label(r["band_low_usd"], r["band_high_usd"]), r["challenger_patents"], r["leader_patents"], r["ratio"]]
                for r in bands
            ],
        ),
        Table(
            "Top institutions by h5-index",
            ["institution", "country", "h5-index", "papers", "citations", "years"],
            [
                [r[0], r[1], r[2], r[3], r[4], f"{r[5]}-{r[6]}"]
                for r in _table_rows(
                    ctx,
                    "institution_h5",
                    ["canonical_name", "country_code", "h5_index", "papers", "citations", "first_year", "last_year"],
                    "h5_index",
                    None,
                )
            ],
        ),
        Table(
            "Table 4: the top research teams (institutions by h5-index) and their key members",
            ["rank", "institution", "country", "h5-index", "key members (h-index; main topics)"],
            _team_rows(ctx),
        ),
        Table(
            "Table 8: the top-10 research fronts",
            ["rank", "front", "top-1% papers", "high-value patents", "frontier index", "mean publication year"],
            [
                [r[0], r[1], r[2], r[3], f"{r[4]:.2f}", f"{r[5]:.0f}"]
                for r in _table_rows(
                    ctx,
                    "frontier_top10",
                    ["rank", "label", "top_cited_papers", "high_value_patents", "frontier_index", "mean_publication_year"],
                    "frontier_index",
                    None,
                )
            ],
        ),
        Table(
            "Sleeping beauties: top-1% papers with the latest, steepest awakening",
            ["paper", "published", "awakened", "peak", "beauty coefficient", "citations"],
            [
                [r[0], str(r[1]), str(r[2] or ""), str(r[3]), f"{r[4]:.2f}", r[5]]
                for r in _table_rows(
                    ctx,
                    "sleeping_beauties",
                    ["paper_id", "publication_year", "awakening_year", "peak_year", "beauty_coefficient", "citations"],
                    "beauty_coefficient",
                    None,
                )
            ],
        ),
    ]
