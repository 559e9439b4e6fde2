"""`scintel report`: the seeds' figures and tables, regenerated from a warehouse's gold tables.

Writes one self-contained HTML file (every chart embedded as inline SVG, no external asset) and
each chart as PNG and SVG under `figures/`. Each chart says what it shows, which seed figure it
regenerates, the data's scope (year window, domain filters, counting) and where it came from (the
gold table's Delta version and the run that wrote it).

Only aggregated gold rows reach the driver: a chart reads a top-N slice or a yearly series of a
gold table, limited in Spark before the collect (at most a few hundred rows per chart).

Charts whose gold tables are not in the warehouse are listed as missing with the stage that
writes them. The seed 000 pages are the city report's (jobs/city_report.py).
"""

from __future__ import annotations

import html
import io
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.config import Config
from jobs.warehouse import Warehouse

log = logging.getLogger(__name__)

CHALLENGER_COLOR, LEADER_COLOR = "#c0392b", "#2c5f8a"
OTHER_COLORS = ["#7f8c8d", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#2c3e50"]


@dataclass
class Context:
    spark: SparkSession
    warehouse: Warehouse
    config: Config
    top: int
    kept: list[dict] = field(default_factory=list)  # the rows of the chart being drawn

    def gold(self, table: str) -> DataFrame:
        return self.warehouse.read(self.spark, table, "gold")

    def keep(self, rows: list) -> list:
        """Record the rows a chart draws (written beside it as CSV); returns them."""
        self.kept.extend(row.asDict() for row in rows)
        return rows

    @property
    def focus(self) -> tuple[str, str]:
        """The (challenger, leader) the report compares: the first configured golden-cross pair
        (the seeds' China and US)."""
        pairs = self.config.indicators.golden_cross_pairs
        return (pairs[0][0], pairs[0][1]) if pairs else ("CN", "US")

    def color(self, country: str | None, default: str = OTHER_COLORS[0]) -> str:
        return {self.focus[0]: CHALLENGER_COLOR, self.focus[1]: LEADER_COLOR}.get(country, default)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    seed: str  # the seed figure or table it regenerates
    what: str  # what it shows, in a sentence
    tables: tuple[str, ...]  # gold tables it reads
    stage: str  # the stage that writes them
    draw: Callable[[Context, object], int]  # draws on a matplotlib Axes, returns the data points drawn
    counting: str | None = "full"


def _words(ctx: Context, text: str, **extra: str) -> str:
    """A chart's title or sentence with the configured challenger and leader (and any extra
    word, such as the city report's city) in place."""
    return text.format(challenger=ctx.focus[0], leader=ctx.focus[1], **extra)


@dataclass
class Rendered:
    chart: Chart
    points: int = 0
    status: str = "ok"  # ok | missing | empty
    svg: str = ""
    files: list[str] = field(default_factory=list)
    provenance: str = ""


# ----------------------------------------------------------------------------- drawing helpers


def _compact(value: float) -> str:
    """An axis tick: 3500000 -> '3.5M', 20000 -> '20k', 0.25 -> '0.25'."""
    for unit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= unit:
            return f"{value / unit:g}{suffix}"
    return f"{value:g}"


def _count_axis(axis) -> None:
    """Counts on an axis as 500k, 1M, 1.5M: matplotlib's default writes 0.5 ... 3.5 and a '1e6'
    offset at the axis end, easy to misread."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda value, _pos: _compact(value)))


def _year_axis(axis) -> None:
    """Years as whole numbers (matplotlib would tick 2017.5 on a short series)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _hbars(ax, labels: list[str], values: list[float], xlabel: str, colors: list[str] | None = None) -> int:
    """Horizontal bars, largest on top."""
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, values, color=colors or OTHER_COLORS[0])
    ax.set_yticks(positions, labels=labels, fontsize=8)
    ax.set_xlabel(xlabel)
    _count_axis(ax.xaxis)
    for pos, value in zip(positions, values):
        ax.text(value, pos, f" {value:,.0f}" if value >= 10 or float(value).is_integer() else f" {value:,.2f}",
                va="center", fontsize=7)
    ax.margins(x=0.15)
    return len(values)


def _top(df: DataFrame, order: str, n: int, counting: str | None = "full") -> list:
    if counting is not None and "counting" in df.columns:
        df = df.where(F.col("counting") == counting)
    return df.orderBy(F.col(order).desc_nulls_last()).limit(n).collect()  # top-N rows of an aggregated gold table


def _institution_label(row) -> str:
    name = row["canonical_name"] or row["canonical_id"]
    name = name if len(name) <= 38 else name[:36] + "..."
    return f"{name} ({row['country_code'] or '?'})"


def _country_bars(table: str, value: str, xlabel: str) -> Callable[[Context, object], int]:
    def draw(ctx: Context, ax) -> int:
        rows = ctx.keep(_top(ctx.gold(table), value, ctx.top))
        return _hbars(ax, [r["country_code"] or "?" for r in rows], [float(r[value] or 0) for r in rows], xlabel,
                      [ctx.color(r["country_code"]) for r in rows])

    return draw


def _institution_bars(table: str, value: str, xlabel: str) -> Callable[[Context, object], int]:
    def draw(ctx: Context, ax) -> int:
        rows = ctx.keep(_top(ctx.gold(table), value, ctx.top))
        colors = [ctx.color(r["country_code"]) for r in rows]
        return _hbars(ax, [_institution_label(r) for r in rows], [float(r[value] or 0) for r in rows], xlabel, colors)

    return draw


def _golden_cross(metric: str, ylabel: str) -> Callable[[Context, object], int]:
    def draw(ctx: Context, ax) -> int:
        series = (
            ctx.gold("golden_cross_series").where(F.col("metric") == metric)
            .where((F.col("challenger") == ctx.focus[0]) & (F.col("leader") == ctx.focus[1]))
            .orderBy("year").collect()  # one row per year of the window
        )
        ctx.keep(series)
        if not series:
            return 0
        years = [r["year"] for r in series]
        ax.plot(years, [r["challenger_value"] for r in series], marker="o", color=CHALLENGER_COLOR, label=ctx.focus[0])
        ax.plot(years, [r["leader_value"] for r in series], marker="o", color=LEADER_COLOR, label=ctx.focus[1])
        cross = (
            ctx.gold("golden_cross").where(F.col("metric") == metric)
            .where((F.col("challenger") == ctx.focus[0]) & (F.col("leader") == ctx.focus[1])).limit(1).collect()  # one row
        )
        if cross and cross[0]["cross_year"] is not None:
            c = cross[0]
            ax.axvline(c["cross_year"], color="#f1c40f", linestyle="--", linewidth=1)
            ax.annotate(f"golden cross {c['cross_year']}", (c["cross_year"], c["challenger_value"]),
                        xytext=(8, -14), textcoords="offset points", fontsize=8)
        else:
            ax.text(0.02, 0.95, "no golden cross in the window", transform=ax.transAxes, fontsize=8, va="top")
        ax.set_xlabel("publication year")
        ax.set_ylabel(ylabel)
        _count_axis(ax.yaxis)
        ax.set_xticks(years, labels=[str(y) for y in years], fontsize=8)
        ax.legend(fontsize=8)
        return 2 * len(series)

    return draw


def _value_bands(ctx: Context, ax) -> int:
    rows = (
        ctx.gold("patent_value_bands").where(F.col("country_code").isin(*ctx.focus))
        .orderBy("band_low_usd", "country_code").collect()  # two countries x six bands
    )
    ctx.keep(rows)
    if not rows:
        return 0
    bands = sorted({(r["band_low_usd"], r["band_high_usd"], r["band"]) for r in rows})
    index = {band: i for i, (_, _, band) in enumerate(bands)}
    width = 0.4
    for offset, country in ((-width / 2, ctx.focus[0]), (width / 2, ctx.focus[1])):
        mine = [r for r in rows if r["country_code"] == country]
        ax.bar([index[r["band"]] + offset for r in mine], [r["patents"] for r in mine], width, color=ctx.color(country), label=country)
    ratios = {r["band"]: r["ratio"] for r in ctx.gold("patent_value_band_ratio").collect()}  # one row per band
    labels = [f"{_band_label(low, high)}\n" + (f"{ctx.focus[0]}/{ctx.focus[1]} {ratios[band]:.2f}" if ratios.get(band) is not None else f"{ctx.focus[0]}/{ctx.focus[1]} n/a")
              for low, high, band in bands]
    ax.set_xticks(range(len(bands)), labels=labels, fontsize=7)
    ax.set_ylabel("patents")
    _count_axis(ax.yaxis)
    ax.set_xlabel("market value band (USD)")
    ax.legend(fontsize=8)
    return len(rows)


def _band_label(low: float, high: float | None) -> str:
    """[1e4, 3e4) -> '10k-30k'; the open last band -> '20M-' (no '$': matplotlib reads text between
    two '$' as mathtext)."""
    return f"{_compact(low)}-{_compact(high) if high is not None else ''}"


def _high_value_trend(ctx: Context, ax) -> int:
    rows = ctx.gold("high_value_trend").orderBy("country_rank", "year").collect()  # top-5 countries x years
    ctx.keep(rows)
    countries = [country for _, country in sorted({(r["country_rank"], r["country_code"]) for r in rows})]
    return _country_lines(ctx, ax, rows, countries, "high_value_patents", "high-value patents")


def _talent_cities(ctx: Context, ax) -> int:
    rows = (
        ctx.gold("talent_by_city").where((F.col("country_code") == ctx.focus[0]) & F.col("city").isNotNull())
        .orderBy(F.col("scholars").desc()).limit(ctx.top).collect()  # top-N cities
    )
    ctx.keep(rows)
    return _hbars(ax, [r["city"] for r in rows], [float(r["scholars"]) for r in rows], "scholars",
                  [CHALLENGER_COLOR] * len(rows))


def _talent_bars(table: str, label: Callable[[object], str]) -> Callable[[Context, object], int]:
    """Scholars and high-level scholars side by side, ranked by high-level scholars then scholars
    (small corpora have few scholars at the high-level threshold)."""

    def draw(ctx: Context, ax) -> int:
        rows = (ctx.gold(table).orderBy(F.col("high_level_scholars").desc(), F.col("scholars").desc())
                .limit(ctx.top).collect())  # top-N rows
        ctx.keep(rows)
        positions = list(range(len(rows)))[::-1]
        ax.barh([p + 0.2 for p in positions], [r["scholars"] for r in rows], 0.4, color="#bdc3c7", label="scholars")
        ax.barh([p - 0.2 for p in positions], [r["high_level_scholars"] for r in rows], 0.4,
                color=[ctx.color(r["country_code"], OTHER_COLORS[1]) for r in rows], label="high-level scholars")
        for pos, r in zip(positions, rows):
            ax.text(max(r["scholars"], 1), pos + 0.2, f" {r['scholars']:,}", va="center", fontsize=7)
            ax.text(max(r["high_level_scholars"], 1), pos - 0.2, f" {r['high_level_scholars']:,}", va="center", fontsize=7)
        ax.set_xscale("symlog")
        ax.set_yticks(positions, labels=[label(r) for r in rows], fontsize=8)
        ax.set_xlabel("scholars (log scale)")
        ax.legend(fontsize=8, loc="lower right")
        if rows and not any(r["high_level_scholars"] for r in rows):
            ax.text(0.98, 0.12, f"no scholar reaches h-index {ctx.config.thresholds.high_level_h_index} here",
                    transform=ax.transAxes, ha="right", fontsize=8)
        return 2 * len(rows)

    return draw


def _patents_yearly(ctx: Context, ax) -> int:
    rows = ctx.keep(ctx.gold("patents_by_country_year").where(F.col("country_code").isin(*ctx.focus))
                    .orderBy("country_code", "year").collect())  # two countries x window years
    return _country_lines(ctx, ax, rows, list(ctx.focus), "patents", "granted patents")


def _country_lines(ctx: Context, ax, rows: list, countries: list[str], value: str, ylabel: str) -> int:
    """A yearly line per country (rows: country_code, year, value), by grant year."""
    for i, country in enumerate(countries):
        mine = [r for r in rows if r["country_code"] == country]
        ax.plot([r["year"] for r in mine], [r[value] for r in mine], marker="o",
                color=ctx.color(country, OTHER_COLORS[i % len(OTHER_COLORS)]), label=country)
    _year_axis(ax.xaxis)
    ax.set_xlabel("grant year")
    ax.set_ylabel(ylabel)
    _count_axis(ax.yaxis)
    if rows:
        ax.legend(fontsize=8)
    return len(rows)


def _challenger_assignees(ctx: Context, ax) -> int:
    rows = ctx.keep(_top(ctx.gold("patents_by_assignee").where(F.col("country_code") == ctx.focus[0]), "high_value_patents",
                         ctx.top, None))
    return _hbars(ax, [r["canonical_assignee"][:40] for r in rows], [float(r["high_value_patents"]) for r in rows],
                  "high-value patents", [CHALLENGER_COLOR] * len(rows))


def _challenger_institutions(ctx: Context, ax) -> int:
    rows = ctx.keep(ctx.gold("talent_by_institution").where(F.col("country_code") == ctx.focus[0])
                    .orderBy(F.col("scholars").desc(), "canonical_id").limit(ctx.top).collect())  # top-N institutions
    return _hbars(ax, [_institution_label(r) for r in rows], [float(r["scholars"]) for r in rows], "scholars",
                  [CHALLENGER_COLOR] * len(rows))


def _assignee_bars(ctx: Context, ax) -> int:
    rows = ctx.keep(_top(ctx.gold("patents_by_assignee"), "high_value_patents", ctx.top, None))
    labels = [f"{r['canonical_assignee'][:38]} ({r['country_code'] or '?'})" for r in rows]
    colors = [ctx.color(r["country_code"]) for r in rows]
    return _hbars(ax, labels, [float(r["high_value_patents"]) for r in rows], "high-value patents", colors)



def _flow_bars(ctx: Context, ax) -> int:
    """Inflow and outflow side by side for the places with most moves, net in the label."""
    rows = ctx.gold("talent_flow_by_country").orderBy(F.col("total_flow").desc(), "country").limit(ctx.top).collect()  # top N
    ctx.keep(rows)
    return _in_out_bars(ax, [f"{r['country']} (net {r['net_inflow']:+,})" for r in rows], rows)


def _city_flow_bars(ctx: Context, ax) -> int:
    rows = (ctx.gold("talent_flow_by_city").where(F.col("country") == ctx.focus[0])
            .orderBy(F.col("total_flow").desc(), "city").limit(ctx.top).collect())  # top-N cities
    ctx.keep(rows)
    return _in_out_bars(ax, [f"{r['city']} (net {r['net_inflow']:+,})" for r in rows], rows)


def _in_out_bars(ax, labels: list[str], rows: list) -> int:
    positions = list(range(len(rows)))[::-1]
    ax.barh([p + 0.2 for p in positions], [r["inflow"] for r in rows], 0.4, color="#27ae60", label="inflow (moves in)")
    ax.barh([p - 0.2 for p in positions], [r["outflow"] for r in rows], 0.4, color="#c0392b", label="outflow (moves out)")
    ax.set_yticks(positions, labels=labels, fontsize=8)
    ax.set_xlabel("moves")
    _count_axis(ax.xaxis)
    ax.legend(fontsize=8, loc="lower right")
    return 2 * len(rows)


def _flow_sankey(ctx: Context, ax) -> int:
    """A Sankey-style picture: origins on the left, destinations on the right, a band per
    country pair whose width is proportional to its moves (the top pairs only)."""
    edges = (ctx.gold("talent_flow_edges").orderBy(F.col("moves").desc(), "from_country", "to_country")
             .limit(ctx.top).collect())  # the top-N country pairs
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
        ax.plot([0, 1], [y_left[e["from_country"]], y_right[e["to_country"]]], color=color, alpha=0.55,
                linewidth=1 + 14 * e["moves"] / widest, solid_capstyle="butt")
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
    rows = (ctx.gold("talent_mobility").groupBy("origin_country").agg(
        F.count(F.when(F.col("mobility") == "migrant", 1)).alias("migrants"),
        F.count(F.when(F.col("mobility") == "traveller", 1)).alias("travellers"),
        F.count(F.lit(1)).alias("mobile"))
        .orderBy(F.col("mobile").desc(), "origin_country").limit(ctx.top).collect())  # top-N origin countries
    ctx.keep(rows)
    positions = list(range(len(rows)))[::-1]
    ax.barh(positions, [r["migrants"] for r in rows], color="#8e44ad", label="migrants (left for good)")
    ax.barh(positions, [r["travellers"] for r in rows], left=[r["migrants"] for r in rows], color="#f39c12",
            label="travellers (came back or kept a tie)")
    ax.set_yticks(positions, labels=[r["origin_country"] for r in rows], fontsize=8)
    ax.set_xlabel("mobile scholars by origin country")
    _count_axis(ax.xaxis)
    ax.legend(fontsize=8, loc="lower right")
    return 2 * len(rows)


def _pair_bars(ctx: Context, ax) -> int:
    rows = ctx.gold("collaboration_pairs").orderBy("rank", "country_a", "country_b").limit(10).collect()  # top 10 pairs
    ctx.keep(rows)
    colors = [CHALLENGER_COLOR if {r["country_a"], r["country_b"]} == set(ctx.focus) else OTHER_COLORS[0] for r in rows]
    return _hbars(ax, [f"{r['country_a']}-{r['country_b']}" for r in rows], [float(r["papers"]) for r in rows],
                  "co-authored top-1% papers", colors)


def _pair_yearly(ctx: Context, ax) -> int:
    rows = ctx.gold("collaboration_pairs_yearly").orderBy("country_a", "country_b", "year").collect()  # pairs x window years
    ctx.keep(rows)
    pairs = sorted({(r["country_a"], r["country_b"]) for r in rows})
    growth_ax = ax.twinx()
    for i, pair in enumerate(pairs):
        mine = [r for r in rows if (r["country_a"], r["country_b"]) == pair]
        color = OTHER_COLORS[(i + 1) % len(OTHER_COLORS)] if set(pair) != set(ctx.focus) else CHALLENGER_COLOR
        ax.bar([r["year"] + (i - (len(pairs) - 1) / 2) * 0.8 / len(pairs) for r in mine], [r["papers"] for r in mine],
               0.8 / len(pairs), color=color, alpha=0.7, label=f"{pair[0]}-{pair[1]} papers")
        growth = [(r["year"], 100 * r["growth_rate"]) for r in mine if r["growth_rate"] is not None]
        if growth:
            growth_ax.plot(*zip(*growth), marker="o", color=color, linestyle="--", label=f"{pair[0]}-{pair[1]} growth %")
    _year_axis(ax.xaxis)
    ax.set_xlabel("publication year")
    ax.set_ylabel("co-authored top-1% papers")
    growth_ax.set_ylabel("growth on the year before (%)")
    handles = ax.get_legend_handles_labels()[0] + growth_ax.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], fontsize=8, loc="upper left")
    return len(rows)


def _front_citations(ctx: Context, ax) -> int:
    fronts = ctx.gold("research_fronts").where(F.col("rank") <= 5).orderBy("rank").collect()  # top 5 fronts
    names = {f["front_id"]: f"{f['rank']}. {(f['label'] or f['front_id']).split(';')[0][:40]}" for f in fronts}
    rows = (ctx.gold("research_front_yearly").where(F.col("front_id").isin(list(names)))
            .orderBy("front_id", "year").collect())  # five fronts x window years
    ctx.keep(rows)
    for i, front in enumerate(fronts):
        mine = [r for r in rows if r["front_id"] == front["front_id"]]
        ax.plot([r["year"] for r in mine], [r["citations"] for r in mine], marker="o",
                color=OTHER_COLORS[i % len(OTHER_COLORS)], label=names[front["front_id"]])
    _year_axis(ax.xaxis)
    ax.set_xlabel("citing year")
    ax.set_ylabel("citations to the front's core papers")
    _count_axis(ax.yaxis)
    if fronts:
        ax.legend(fontsize=7)
    return len(rows)


def _front_split(column: str, xlabel: str) -> Callable[[Context, object], int]:
    """Per top-10 front, the focus countries side by side (core papers or high-value patents)."""

    def draw(ctx: Context, ax) -> int:
        fronts = ctx.gold("frontier_top10").orderBy("rank").collect()  # ten rows
        counts = {(r["front_id"], r["country_code"]): r[column] for r in ctx.keep(ctx.gold("research_front_countries").where(
            F.col("front_id").isin([f["front_id"] for f in fronts]) & F.col("country_code").isin(*ctx.focus)).collect())}
        positions = list(range(len(fronts)))[::-1]
        for offset, country in ((0.2, ctx.focus[0]), (-0.2, ctx.focus[1])):
            ax.barh([p + offset for p in positions], [counts.get((f["front_id"], country), 0) for f in fronts], 0.4,
                    color=ctx.color(country), label=country)
        ax.set_yticks(positions, labels=[f"{f['rank']}. {(f['label'] or '').split(';')[0][:38]}" for f in fronts], fontsize=7)
        ax.set_xlabel(xlabel)
        _count_axis(ax.xaxis)
        ax.legend(fontsize=8, loc="lower right")
        return 2 * len(fronts) if any(counts.values()) else 0

    return draw


CHARTS: tuple[Chart, ...] = (
    Chart("papers_yearly", "Papers per year: {challenger} vs {leader}, with the golden cross", "002 fig 8",
          "Yearly papers of {challenger} and {leader} (full counting) and the first year {challenger} exceeds {leader} after being at or below it.",
          ("golden_cross_series", "golden_cross"), "golden_cross", _golden_cross("papers", "papers")),
    Chart("papers_by_country", "Papers by country", "002 fig 6, table 1",
          "The top countries by papers in the window (a paper counts once for each distinct country of its authors).",
          ("output_by_country",), "output_impact", _country_bars("output_by_country", "papers", "papers")),
    Chart("citations_by_country", "Citations by country", "002 table 1",
          "The top countries by total citations of their papers.",
          ("output_by_country",), "output_impact", _country_bars("output_by_country", "citations", "citations")),
    Chart("papers_by_institution", "Papers by institution", "002 figs 1, 10",
          "The top institutions (after roll-up of campuses and institutes) by papers.",
          ("output_by_institution",), "output_impact", _institution_bars("output_by_institution", "papers", "papers")),
    Chart("top_cited_yearly", "Top 1% highly cited papers per year: {challenger} vs {leader}, with the golden cross", "002 fig 9",
          "Yearly top-1% papers (per field and year cell) of {challenger} and {leader} and their golden cross.",
          ("golden_cross_series", "golden_cross"), "golden_cross", _golden_cross("top_cited_papers", "top-1% papers")),
    Chart("top_cited_by_country", "Top 1% highly cited papers by country", "002 fig 7",
          "The top countries by top-1% papers.",
          ("top_cited_by_country",), "top_cited", _country_bars("top_cited_by_country", "papers", "top-1% papers")),
    Chart("top_cited_by_institution", "Top 1% highly cited papers by institution", "002 fig 11",
          "The top institutions by top-1% papers.",
          ("top_cited_by_institution",), "top_cited",
          _institution_bars("top_cited_by_institution", "papers", "top-1% papers")),
    Chart("patents_by_country", "Granted patents by country", "002 figs 2, 12",
          "The top countries by granted patent families (a family counts once per distinct assignee country).",
          ("patents_by_country",), "patents", _country_bars("patents_by_country", "patents", "patents"), None),
    Chart("high_value_by_country", "High-value patents by country", "002 fig 15",
          "The top countries by patents whose market value reaches the configured threshold.",
          ("patents_by_country",), "patents",
          _country_bars("patents_by_country", "high_value_patents", "high-value patents"), None),
    Chart("patents_by_assignee", "High-value patents by assignee", "002 table 5",
          "The top assignees (rolled up) by high-value patents.",
          ("patents_by_assignee",), "patents", _assignee_bars, None),
    Chart("patents_yearly", "Granted patents per year: {challenger} vs {leader}", "002 fig 14",
          "Patent families granted each year with an assignee in {challenger} or in {leader}.",
          ("patents_by_country_year",), "patents", _patents_yearly, None),
    Chart("challenger_assignees", "High-value patents by assignee of {challenger}", "002 tables 2, 6",
          "The assignees of {challenger} (rolled up) with the most high-value patents.",
          ("patents_by_assignee",), "patents", _challenger_assignees, None),
    Chart("patent_value_bands", "Patent value bands: {challenger} vs {leader}", "002 fig 16",
          "Patents per market-value band for {challenger} and {leader}; each band's label gives the {challenger}/{leader} ratio.",
          ("patent_value_bands", "patent_value_band_ratio"), "patents", _value_bands, None),
    Chart("high_value_trend", "High-value patents per year: the top-5 countries", "002 fig 17",
          "Yearly high-value patents of the five countries with the most high-value patents.",
          ("high_value_trend",), "patents", _high_value_trend, None),
    Chart("talent_by_country", "Scholars and high-level scholars by country", "002 figs 3, 18",
          "Scholars (by their latest affiliation) and high-level scholars (h-index at or above the configured threshold).",
          ("talent_by_country",), "talent", _talent_bars("talent_by_country", lambda r: r["country_code"] or "?"), None),
    Chart("talent_by_institution", "Scholars and high-level scholars by institution", "002 fig 19, table 3",
          "The top institutions by high-level scholars, then by scholars.",
          ("talent_by_institution",), "talent", _talent_bars("talent_by_institution", _institution_label), None),
    Chart("challenger_talent_institutions", "Scholars by institution of {challenger}", "002 table 7",
          "The institutions of {challenger} with the most scholars (by latest affiliation).",
          ("talent_by_institution",), "talent", _challenger_institutions, None),
    Chart("talent_by_city_cn", "Scholars by city of {challenger}", "002 fig 20 (and the summary's talent hubs)",
          "Scholars whose latest affiliation is in {challenger}, by city.",
          ("talent_by_city",), "talent", _talent_cities, None),
    Chart("institution_h5", "Institutions by h5-index", "002 ch.3 sec.4, table 4",
          "The top institutions by the h-index of their papers of the last five complete years of the window.",
          ("institution_h5",), "institution_h5", _institution_bars("institution_h5", "h5_index", "h5-index"), None),
    Chart("talent_flow_by_country", "Talent flow by country: moves in and out", "002 figs 4, 21",
          "Researcher moves between countries (a change of primary affiliation country between two active years), "
          "in and out per country, net inflow in the label.",
          ("talent_flow_by_country",), "talent_flow", _flow_bars, None),
    Chart("talent_flow_pairs", "Where researchers move: the largest country-to-country flows", "002 fig 21",
          "Each band joins an origin (left) to a destination (right); its width is the number of moves.",
          ("talent_flow_edges",), "talent_flow", _flow_sankey, None),
    Chart("talent_flow_by_city", "Talent flow by city of {challenger}: moves in and out", "002 fig 22",
          "Moves between cities of {challenger} and the rest of the world, in and out per city, net inflow in the label.",
          ("talent_flow_by_city",), "talent_flow", _city_flow_bars, None),
    Chart("talent_mobility", "Migrants and travellers by origin country", "beyond the seeds (Sugimoto et al. 2017)",
          "Mobile scholars by the country of their first active year: migrants left it for good; travellers came back "
          "or kept publishing from it.",
          ("talent_mobility",), "talent_flow", _mobility_bars, None),
    Chart("collaboration_pairs", "The top-10 collaborating country pairs on top-1% papers", "002 fig 23",
          "Top-1% papers co-authored by each pair of countries (a paper counts once per pair).",
          ("collaboration_pairs",), "collaboration", _pair_bars),
    Chart("collaboration_yearly", "Co-authored top-1% papers per year and their growth", "002 figs 5, 24",
          "Yearly top-1% papers of the configured country pairs (bars) and the growth on the year before (dashed).",
          ("collaboration_pairs_yearly",), "collaboration", _pair_yearly),
    Chart("front_citations", "The top-5 research fronts: citations per year", "002 ch.4 (frontier index)",
          "Citations received each year by the core papers of the five best-ranked fronts: the series whose slope "
          "drives the frontier index.",
          ("research_fronts", "research_front_yearly"), "research_fronts", _front_citations, None),
    Chart("front_papers_cn_us", "Top-10 research fronts: core papers, {challenger} vs {leader}", "002 fig 25",
          "Core (top-1%) papers of each top-10 front with an author in {challenger} or in {leader}.",
          ("frontier_top10", "research_front_countries"), "research_fronts", _front_split("papers", "core papers")),
    Chart("front_patents_cn_us", "Top-10 research fronts: high-value patents, {challenger} vs {leader}", "002 fig 26",
          "High-value patents linked to each top-10 front with an assignee in {challenger} or in {leader}.",
          ("frontier_top10", "research_front_countries"), "research_fronts",
          _front_split("high_value_patents", "high-value patents"), None),
)


def _topic_bars(topic: str, table: str, value: str, xlabel: str) -> Callable[[Context, object], int]:
    """The top-10 countries of one lens topic by top-1% papers or by high-value patents."""

    def draw(ctx: Context, ax) -> int:
        rows = (ctx.gold(table).where((F.col("topic") == topic) & (F.col(value) > 0))
                .orderBy(F.col(value).desc(), "country").limit(10).collect())  # top 10 countries
        ctx.keep(rows)
        return _hbars(ax, [r["country"] for r in rows], [float(r[value]) for r in rows], xlabel,
                      [ctx.color(r["country"]) for r in rows])

    return draw


SEED_TOPIC_FIGURES = ("002 fig 28", "002 fig 30", "002 fig 32")  # AIGC, cloud computing, quantum computing


def topic_charts(config: Config) -> tuple[Chart, ...]:
    """Two charts per configured lens topic, the seed's "hot technology" pages."""
    charts = []
    for i, topic in enumerate(config.topic_lens.topics):
        seed = SEED_TOPIC_FIGURES[i] if i < len(SEED_TOPIC_FIGURES) else "002 ch.4 sec.3"
        charts += [
            Chart(f"topic_{i + 1}_papers", f"{topic.name}: the top-10 countries by top-1% papers", seed,
                  f"Top-1% papers of the topic '{topic.name}' (papers whose topic, concept or keyword names contain "
                  f"one of: {', '.join(topic.paper_terms)}) by author country.",
                  ("topic_country_rankings",), "topic_lens",
                  _topic_bars(topic.name, "topic_country_rankings", "top_cited_papers", "top-1% papers")),
            Chart(f"topic_{i + 1}_patents", f"{topic.name}: the top-10 countries by high-value patents", seed,
                  f"High-value patents of the topic '{topic.name}' (CPC {', '.join(topic.patent_cpc_prefixes) or 'none'}; "
                  f"terms {', '.join(topic.patent_terms) or 'none'}) by assignee country.",
                  ("topic_patent_rankings",), "topic_lens",
                  _topic_bars(topic.name, "topic_patent_rankings", "high_value_patents", "high-value patents"), None),
        ]
    return tuple(charts)


def report_charts(config: Config) -> tuple[Chart, ...]:
    """Every chart of the report: the fixed ones and those of the configured lens topics."""
    return CHARTS + topic_charts(config)


# Figures of the seeds whose tables exist but that no report draws: (what, seed figure, stage).
# Empty: the global report and the city report (jobs/city_report.py) draw every one.
NOT_YET: tuple[tuple[str, str, str], ...] = ()


# ----------------------------------------------------------------------------- tables


def _table_rows(ctx: Context, table: str, columns: list[str], order: str, counting: str | None = "full") -> list:
    if not ctx.warehouse.exists(ctx.spark, table, "gold"):
        return []
    return [[r[c] for c in columns] for r in _top(ctx.gold(table), order, ctx.top, counting)]


def _html_table(caption: str, columns: list[str], rows: list[list]) -> str:
    def cell(v):
        if isinstance(v, float):
            return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}"
        if isinstance(v, int):
            return f"{v:,}"
        return html.escape("" if v is None else str(v))

    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    # Text reads from the left, numbers from the right.
    body = "".join("<tr>" + "".join(f"<td class='text'>{cell(v)}</td>" if isinstance(v, str) else f"<td>{cell(v)}</td>"
                                    for v in row) + "</tr>" for row in rows)
    return f"<table><caption>{html.escape(caption)}</caption><tr>{head}</tr>{body}</table>"


# ----------------------------------------------------------------------------- provenance and scope


def _scope(config: Config, chart: Chart) -> str:
    s = config.scope
    parts = [f"years {s.year_start}-{s.year_end}"]
    if chart.stage == "patents":
        parts.append(f"patent filter: CPC {', '.join(s.patent_cpc_prefixes) or 'all'}; topics {', '.join(s.patent_topics) or 'all'}")
        parts.append(f"high value: USD {config.thresholds.high_value_patent_usd:,.0f} or more")
    else:
        parts.append(f"paper filter: fields {', '.join(s.paper_fields) or 'all'}; topics {', '.join(s.paper_topics) or 'all'}")
    if chart.counting:
        parts.append(f"{chart.counting} counting")
    if chart.stage == "talent":
        parts.append(f"high-level: h-index {config.thresholds.high_level_h_index} or more")
    return "; ".join(parts)


def _provenance(ctx: Context, tables: set[str]) -> dict[str, str]:
    """'gold/<table> v<N> (<commit time>), run <run id>' for each table: the run whose audit row
    records that table version."""
    from delta.tables import DeltaTable

    from jobs.audit import audit_path

    versions = {}
    for table in tables:
        commit = DeltaTable.forPath(ctx.spark, ctx.warehouse.path(table, "gold")).history(1).select("version", "timestamp").first()
        versions[table] = (int(commit["version"]), commit["timestamp"])
    runs: dict[str, str] = {}
    audit = audit_path(ctx.warehouse.root)
    if DeltaTable.isDeltaTable(ctx.spark, audit):
        wanted = ctx.spark.createDataFrame([(t, v) for t, (v, _) in versions.items()], "table string, version long")
        rows = (
            ctx.spark.read.format("delta").load(audit).where(F.col("status") == "succeeded")
            .select("run_id", "started", F.explode("versions").alias("key", "version"))
            .select("run_id", "started", F.element_at(F.split("key", r"\."), -1).alias("table"), "version")
            .join(wanted, ["table", "version"])
            .groupBy("table").agg(F.max_by("run_id", "started").alias("run_id"))
            .collect()  # one row per gold table shown
        )
        runs = {r["table"]: r["run_id"] for r in rows}
    return {t: f"gold/{t} v{v} ({ts:%Y-%m-%d %H:%M} UTC), run {runs.get(t, 'not in the audit table')}"
            for t, (v, ts) in versions.items()}


# ----------------------------------------------------------------------------- render


def _render_chart(ctx: Context, chart: Chart, figures: Path, prefix: str = "", words: dict[str, str] | None = None) -> Rendered:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text in the SVG: searchable, selectable
    import matplotlib.pyplot as plt

    result = Rendered(chart)
    missing = [t for t in chart.tables if not ctx.warehouse.exists(ctx.spark, t, "gold")]
    if missing:
        result.status = "missing"
        return result
    fig, ax = plt.subplots(figsize=(8, 4.6 if chart.draw in (_value_bands, _high_value_trend) else 5))
    ctx.kept = []
    try:
        result.points = chart.draw(ctx, ax)
        ax.set_title(_words(ctx, chart.title, **(words or {})), fontsize=10)
        fig.tight_layout()
        if result.points == 0:
            result.status = "empty"
            return result
        for ext in ("png", "svg"):
            path = figures / f"{prefix}{chart.key}.{ext}"
            fig.savefig(path, dpi=130 if ext == "png" else None)
            result.files.append(f"figures/{path.name}")
        result.files.append(f"figures/{_write_csv(figures / f'{prefix}{chart.key}.csv', ctx.kept).name}")
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg")
        svg = buffer.getvalue()
        result.svg = svg[svg.index("<svg"):]
    finally:
        plt.close(fig)
    return result


def _team_rows(ctx: Context) -> list[list]:
    """Table 4: one row per top institution, its members as 'name (h; topics)'."""
    if not all(ctx.warehouse.exists(ctx.spark, t, "gold") for t in ("institution_key_members", "institution_h5")):
        return []
    members = ctx.gold("institution_key_members").orderBy("canonical_id", "rank").collect()  # top teams x key members
    teams = ctx.gold("institution_h5").where(F.col("rank") <= ctx.config.indicators.top_teams).orderBy("rank", "canonical_id").collect()
    return [[t["rank"], t["canonical_name"] or t["canonical_id"], t["country_code"] or "", t["h5_index"],
             "; ".join(f"{m['display_name'] or m['author_id']} ({m['h_index']}{'; ' + m['topics'] if m['topics'] else ''})"
                       for m in members if m["canonical_id"] == t["canonical_id"])] for t in teams]


def _write_csv(path: Path, rows: list[dict]) -> Path:
    """The rows a chart drew, as CSV (a header of the union of their columns, in first-seen order)."""
    import csv

    columns = list(dict.fromkeys(key for row in rows for key in row))
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def build_report(spark: SparkSession, warehouse: Warehouse, config: Config, out_dir: str, top: int = 15) -> Path:
    """Render every chart whose gold tables exist; return the path of report.html."""
    started = time.monotonic()
    out = Path(out_dir)
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    ctx = Context(spark, warehouse, config, top)
    rendered = []
    for chart in report_charts(config):
        chart_started = time.monotonic()
        rendered.append(_render_chart(ctx, chart, figures))
        log.info("report: %s %s (%d points) in %.1fs", chart.key, rendered[-1].status, rendered[-1].points,
                 time.monotonic() - chart_started)
    present = {t for r in rendered if r.status != "missing" for t in r.chart.tables}
    if not present:
        from jobs.warehouse import TableNotFound

        raise TableNotFound(f"no gold tables in warehouse {warehouse.root}: run `scintel run` first")
    provenance = _provenance(ctx, present) if present else {}
    for r in rendered:
        r.provenance = "; ".join(provenance[t] for t in r.chart.tables if t in provenance)
    tables = [
        _html_table("Table 1: papers and citations by country (full counting)",
                    ["country", "papers", "citations", "mean citations", "rank"],
                    _table_rows(ctx, "output_by_country", ["country_code", "papers", "citations", "mean_citations", "rank"], "papers")),
        _html_table(f"Patent value bands: {ctx.focus[0]} / {ctx.focus[1]} ratio per band",
                    ["band (USD)", ctx.focus[0], ctx.focus[1], f"{ctx.focus[0]} / {ctx.focus[1]}"],
                    [[_band_label(r["band_low_usd"], r["band_high_usd"]),
                      r["challenger_patents"], r["leader_patents"], r["ratio"]]
                     for r in (ctx.gold("patent_value_band_ratio").orderBy("band_low_usd").collect()  # six bands
                               if warehouse.exists(spark, "patent_value_band_ratio", "gold") else [])]),
        _html_table("Top institutions by h5-index",
                    ["institution", "country", "h5-index", "papers", "citations", "years"],
                    [[r[0], r[1], r[2], r[3], r[4], f"{r[5]}-{r[6]}"] for r in _table_rows(
                        ctx, "institution_h5",
                        ["canonical_name", "country_code", "h5_index", "papers", "citations", "first_year", "last_year"],
                        "h5_index", None)]),
        _html_table("Table 4: the top research teams (institutions by h5-index) and their key members",
                    ["rank", "institution", "country", "h5-index", "key members (h-index; main topics)"],
                    _team_rows(ctx)),
        _html_table("Table 8: the top-10 research fronts",
                    ["rank", "front", "top-1% papers", "high-value patents", "frontier index", "mean publication year"],
                    [[r[0], r[1], r[2], r[3], f"{r[4]:.2f}", f"{r[5]:.0f}"] for r in _table_rows(
                        ctx, "frontier_top10",
                        ["rank", "label", "top_cited_papers", "high_value_patents", "frontier_index", "mean_publication_year"],
                        "frontier_index", None)]),
        _html_table("Sleeping beauties: top-1% papers with the latest, steepest awakening",
                    ["paper", "published", "awakened", "peak", "beauty coefficient", "citations"],
                    [[r[0], str(r[1]), str(r[2] or ""), str(r[3]), f"{r[4]:.2f}", r[5]] for r in _table_rows(
                        ctx, "sleeping_beauties",
                        ["paper_id", "publication_year", "awakening_year", "peak_year", "beauty_coefficient", "citations"],
                        "beauty_coefficient", None)]),
    ]
    path = out / "report.html"
    path.write_text(_html(ctx, rendered, tables))
    log.info("report: %s (%d charts, %d missing, %d empty) in %.1fs", path, sum(r.status == "ok" for r in rendered),
             sum(r.status == "missing" for r in rendered), sum(r.status == "empty" for r in rendered), time.monotonic() - started)
    return path


STYLE = """
body { font-family: -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif; max-width: 980px; margin: 2em auto; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ddd; }
.meta { color: #555; font-size: 0.85em; } .chart svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; } caption { text-align: left; font-weight: bold; }
td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: right; } td:first-child, td.text { text-align: left; }
.missing { color: #a94442; }
"""


def _html(ctx: Context, rendered: list[Rendered], tables: list[str]) -> str:
    config, warehouse = ctx.config, ctx.warehouse
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sections = []
    for r in rendered:
        c = r.chart
        head = f"<h2 id='{c.key}'>{html.escape(_words(ctx, c.title))}</h2>"
        meta = (f"<p class='meta'>Regenerates {html.escape(c.seed)}. {html.escape(_words(ctx, c.what))}<br>Scope: "
                f"{html.escape(_scope(config, c))}.<br>")
        if r.status == "missing":
            sections.append(f"{head}{meta}<span class='missing'>Not available: the gold tables "
                            f"{', '.join(c.tables)} are not in this warehouse (stage <code>{c.stage}</code>).</span></p>")
            continue
        meta += f"From {html.escape(r.provenance)}.</p>"
        if r.status == "empty":
            sections.append(f"{head}{meta}<p class='missing'>No rows in scope.</p>")
            continue
        files = " ".join(f"<a href='{f}'>{f.rsplit('.', 1)[1].upper()}</a>" for f in r.files)
        sections.append(f"{head}{meta}<div class='chart' data-chart='{c.key}' data-points='{r.points}'>{r.svg}</div>"
                        f"<p class='meta'>{files}</p>")
    not_yet = "".join(f"<li>{html.escape(t)} ({html.escape(s)}): tables of stage {html.escape(w)}</li>" for t, s, w in NOT_YET)
    not_yet = (f"<h2>Not in this report</h2><p class='meta'>Figures of the seeds whose tables the pipeline writes "
               f"but this report does not draw yet (read them with scintel show):</p><ul>{not_yet}</ul>") if NOT_YET else ""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>scintel report</title><style>{STYLE}</style></head><body>"
        f"<h1>Science and technology intelligence: scintel report</h1>"
        f"<p class='meta'>Warehouse {html.escape(warehouse.root)}; rendered {now}; window "
        f"{config.scope.year_start}-{config.scope.year_end}; config {html.escape(str(config.source))}.</p>"
        + "".join(tables) + "".join(sections)
        + not_yet + "</body></html>\n"
    )
