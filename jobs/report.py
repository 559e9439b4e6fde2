"""`scintel report`: the seeds' figures and tables, regenerated from a warehouse's gold tables.

Writes one self-contained HTML file (every chart embedded as inline SVG, no external asset) and
each chart as PNG and SVG under `figures/`. Each chart says what it shows, which seed figure it
regenerates, the data's scope (year window, domain filters, counting) and where it came from (the
gold table's Delta version and the run that wrote it).

Only aggregated gold rows reach the driver: a chart reads a top-N slice or a yearly series of a
gold table, limited in Spark before the collect (at most a few hundred rows per chart).

Charts whose gold tables are not in the warehouse are listed as missing with the stage that
writes them; figures whose tables exist but are not drawn yet (talent flow, collaboration,
research fronts, city x subfield) are listed under "Not in this report".
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

FOCUS = ("CN", "US")  # the seeds' challenger and leader
COLORS = {"CN": "#c0392b", "US": "#2c5f8a"}
OTHER_COLORS = ["#7f8c8d", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#2c3e50"]


@dataclass
class Context:
    spark: SparkSession
    warehouse: Warehouse
    config: Config
    top: int

    def gold(self, table: str) -> DataFrame:
        return self.warehouse.read(self.spark, table, "gold")


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


def _hbars(ax, labels: list[str], values: list[float], xlabel: str, colors: list[str] | None = None) -> int:
    """Horizontal bars, largest on top."""
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, values, color=colors or [COLORS.get(lbl, OTHER_COLORS[0]) for lbl in labels])
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
        rows = _top(ctx.gold(table), value, ctx.top)
        return _hbars(ax, [r["country_code"] or "?" for r in rows], [float(r[value] or 0) for r in rows], xlabel)

    return draw


def _institution_bars(table: str, value: str, xlabel: str) -> Callable[[Context, object], int]:
    def draw(ctx: Context, ax) -> int:
        rows = _top(ctx.gold(table), value, ctx.top)
        colors = [COLORS.get(r["country_code"], OTHER_COLORS[0]) for r in rows]
        return _hbars(ax, [_institution_label(r) for r in rows], [float(r[value] or 0) for r in rows], xlabel, colors)

    return draw


def _golden_cross(metric: str, ylabel: str) -> Callable[[Context, object], int]:
    def draw(ctx: Context, ax) -> int:
        series = (
            ctx.gold("golden_cross_series").where(F.col("metric") == metric)
            .where((F.col("challenger") == FOCUS[0]) & (F.col("leader") == FOCUS[1]))
            .orderBy("year").collect()  # one row per year of the window
        )
        if not series:
            return 0
        years = [r["year"] for r in series]
        ax.plot(years, [r["challenger_value"] for r in series], marker="o", color=COLORS["CN"], label=FOCUS[0])
        ax.plot(years, [r["leader_value"] for r in series], marker="o", color=COLORS["US"], label=FOCUS[1])
        cross = (
            ctx.gold("golden_cross").where(F.col("metric") == metric)
            .where((F.col("challenger") == FOCUS[0]) & (F.col("leader") == FOCUS[1])).limit(1).collect()  # one row
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
        ctx.gold("patent_value_bands").where(F.col("country_code").isin(*FOCUS))
        .orderBy("band_low_usd", "country_code").collect()  # two countries x six bands
    )
    if not rows:
        return 0
    bands = sorted({(r["band_low_usd"], r["band_high_usd"], r["band"]) for r in rows})
    index = {band: i for i, (_, _, band) in enumerate(bands)}
    width = 0.4
    for offset, country in ((-width / 2, FOCUS[0]), (width / 2, FOCUS[1])):
        mine = [r for r in rows if r["country_code"] == country]
        ax.bar([index[r["band"]] + offset for r in mine], [r["patents"] for r in mine], width, color=COLORS[country], label=country)
    ratios = {r["band"]: r["ratio"] for r in ctx.gold("patent_value_band_ratio").collect()}  # one row per band
    labels = [f"{_band_label(low, high)}\n" + (f"CN/US {ratios[band]:.2f}" if ratios.get(band) is not None else "CN/US n/a")
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
    countries = sorted({(r["country_rank"], r["country_code"]) for r in rows})
    for i, (_, country) in enumerate(countries):
        mine = [r for r in rows if r["country_code"] == country]
        ax.plot([r["year"] for r in mine], [r["high_value_patents"] for r in mine], marker="o",
                color=COLORS.get(country, OTHER_COLORS[i % len(OTHER_COLORS)]), label=country)
    ax.set_xlabel("grant year")
    ax.set_ylabel("high-value patents")
    _count_axis(ax.yaxis)
    if countries:
        ax.legend(fontsize=8)
    return len(rows)


def _talent_cities(ctx: Context, ax) -> int:
    rows = (
        ctx.gold("talent_by_city").where((F.col("country_code") == FOCUS[0]) & F.col("city").isNotNull())
        .orderBy(F.col("scholars").desc()).limit(ctx.top).collect()  # top-N cities
    )
    return _hbars(ax, [r["city"] for r in rows], [float(r["scholars"]) for r in rows], "scholars",
                  [COLORS["CN"]] * len(rows))


def _talent_bars(table: str, label: Callable[[object], str]) -> Callable[[Context, object], int]:
    """Scholars and high-level scholars side by side, ranked by high-level scholars then scholars
    (small corpora have few scholars at the high-level threshold)."""

    def draw(ctx: Context, ax) -> int:
        rows = (ctx.gold(table).orderBy(F.col("high_level_scholars").desc(), F.col("scholars").desc())
                .limit(ctx.top).collect())  # top-N rows
        positions = list(range(len(rows)))[::-1]
        ax.barh([p + 0.2 for p in positions], [r["scholars"] for r in rows], 0.4, color="#bdc3c7", label="scholars")
        ax.barh([p - 0.2 for p in positions], [r["high_level_scholars"] for r in rows], 0.4,
                color=[COLORS.get(r["country_code"], OTHER_COLORS[1]) for r in rows], label="high-level scholars")
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


def _assignee_bars(ctx: Context, ax) -> int:
    rows = _top(ctx.gold("patents_by_assignee"), "high_value_patents", ctx.top, None)
    labels = [f"{r['canonical_assignee'][:38]} ({r['country_code'] or '?'})" for r in rows]
    colors = [COLORS.get(r["country_code"], OTHER_COLORS[0]) for r in rows]
    return _hbars(ax, labels, [float(r["high_value_patents"]) for r in rows], "high-value patents", colors)



CHARTS: tuple[Chart, ...] = (
    Chart("papers_yearly", "Papers per year: China vs US, with the golden cross", "002 fig 1",
          "Yearly papers of China and the US (full counting) and the first year China exceeds the US after being at or below it.",
          ("golden_cross_series", "golden_cross"), "golden_cross", _golden_cross("papers", "papers")),
    Chart("papers_by_country", "Papers by country", "002 figs 6-7, table 1",
          "The top countries by papers in the window (a paper counts once for each distinct country of its authors).",
          ("output_by_country",), "output_impact", _country_bars("output_by_country", "papers", "papers")),
    Chart("citations_by_country", "Citations by country", "002 fig 8, table 1",
          "The top countries by total citations of their papers.",
          ("output_by_country",), "output_impact", _country_bars("output_by_country", "citations", "citations")),
    Chart("papers_by_institution", "Papers by institution", "002 figs 10-11",
          "The top institutions (after roll-up of campuses and institutes) by papers.",
          ("output_by_institution",), "output_impact", _institution_bars("output_by_institution", "papers", "papers")),
    Chart("top_cited_yearly", "Top 1% highly cited papers per year: China vs US, with the golden cross", "002 fig 9",
          "Yearly top-1% papers (per field and year cell) of China and the US and their golden cross.",
          ("golden_cross_series", "golden_cross"), "golden_cross", _golden_cross("top_cited_papers", "top-1% papers")),
    Chart("top_cited_by_country", "Top 1% highly cited papers by country", "002 figs 9-10",
          "The top countries by top-1% papers.",
          ("top_cited_by_country",), "top_cited", _country_bars("top_cited_by_country", "papers", "top-1% papers")),
    Chart("top_cited_by_institution", "Top 1% highly cited papers by institution", "002 fig 11",
          "The top institutions by top-1% papers.",
          ("top_cited_by_institution",), "top_cited",
          _institution_bars("top_cited_by_institution", "papers", "top-1% papers")),
    Chart("patents_by_country", "Granted patents by country", "002 figs 12-13, table 2",
          "The top countries by granted patent families (a family counts once per distinct assignee country).",
          ("patents_by_country",), "patents", _country_bars("patents_by_country", "patents", "patents"), None),
    Chart("high_value_by_country", "High-value patents by country", "002 fig 14, table 5",
          "The top countries by patents whose market value reaches the configured threshold.",
          ("patents_by_country",), "patents",
          _country_bars("patents_by_country", "high_value_patents", "high-value patents"), None),
    Chart("patents_by_assignee", "High-value patents by assignee", "002 table 6",
          "The top assignees (rolled up) by high-value patents.",
          ("patents_by_assignee",), "patents", _assignee_bars, None),
    Chart("patent_value_bands", "Patent value bands: China vs US", "002 figs 15-16",
          "Patents per market-value band for China and the US; each band's label gives the China/US ratio.",
          ("patent_value_bands", "patent_value_band_ratio"), "patents", _value_bands, None),
    Chart("high_value_trend", "High-value patents per year: the top-5 countries", "002 fig 17",
          "Yearly high-value patents of the five countries with the most high-value patents.",
          ("high_value_trend",), "patents", _high_value_trend, None),
    Chart("talent_by_country", "Scholars and high-level scholars by country", "002 figs 18-19, table 7",
          "Scholars (by their latest affiliation) and high-level scholars (h-index at or above the configured threshold).",
          ("talent_by_country",), "talent", _talent_bars("talent_by_country", lambda r: r["country_code"] or "?"), None),
    Chart("talent_by_institution", "Scholars and high-level scholars by institution", "002 fig 19",
          "The top institutions by high-level scholars, then by scholars.",
          ("talent_by_institution",), "talent", _talent_bars("talent_by_institution", _institution_label), None),
    Chart("talent_by_city_cn", "Scholars by Chinese city", "002 fig 20",
          "Scholars whose latest affiliation is in China, by city.",
          ("talent_by_city",), "talent", _talent_cities, None),
    Chart("institution_h5", "Institutions by h5-index", "002 ch.3 sec.4",
          "The top institutions by the h-index of their papers of the last five complete years of the window.",
          ("institution_h5",), "institution_h5", _institution_bars("institution_h5", "h5_index", "h5-index"), None),
)


NOT_YET = (
    ("Talent flow per country and per Chinese city (in, out, net)", "002 figs 21-22", "talent_flow"),
    ("Top international collaboration pairs and the China-US trend", "002 figs 23-24", "collaboration"),
    ("Top-10 research fronts and the frontier index; front patents China vs US", "002 table 8, figs 25-26",
     "research_fronts"),
    ("City x subfield series and the ten-city comparison", "000 figs 1-5", "city_subfield"),
    ("Core scholars with their collaborators; core institutions and partners", "000 annexes 1-2", "city_subfield"),
    ("A subfield's collaboration network", "000", "city_subfield"),
)


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
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in rows)
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


def _render_chart(ctx: Context, chart: Chart, figures: Path) -> Rendered:
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
    try:
        result.points = chart.draw(ctx, ax)
        ax.set_title(chart.title, fontsize=10)
        fig.tight_layout()
        if result.points == 0:
            result.status = "empty"
            return result
        for ext in ("png", "svg"):
            path = figures / f"{chart.key}.{ext}"
            fig.savefig(path, dpi=130 if ext == "png" else None)
            result.files.append(f"figures/{path.name}")
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg")
        svg = buffer.getvalue()
        result.svg = svg[svg.index("<svg"):]
    finally:
        plt.close(fig)
    return result


def build_report(spark: SparkSession, warehouse: Warehouse, config: Config, out_dir: str, top: int = 15) -> Path:
    """Render every chart whose gold tables exist; return the path of report.html."""
    started = time.monotonic()
    out = Path(out_dir)
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    ctx = Context(spark, warehouse, config, top)
    rendered = []
    for chart in CHARTS:
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
        _html_table("Patent value bands: China / US ratio per band",
                    ["band (USD)", "China", "US", "China / US"],
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
    ]
    path = out / "report.html"
    path.write_text(_html(rendered, tables, config, warehouse))
    log.info("report: %s (%d charts, %d missing, %d empty) in %.1fs", path, sum(r.status == "ok" for r in rendered),
             sum(r.status == "missing" for r in rendered), sum(r.status == "empty" for r in rendered), time.monotonic() - started)
    return path


STYLE = """
body { font-family: -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif; max-width: 980px; margin: 2em auto; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ddd; }
.meta { color: #555; font-size: 0.85em; } .chart svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; } caption { text-align: left; font-weight: bold; }
td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: right; } td:first-child { text-align: left; }
.missing { color: #a94442; }
"""


def _html(rendered: list[Rendered], tables: list[str], config: Config, warehouse: Warehouse) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sections = []
    for r in rendered:
        c = r.chart
        head = f"<h2 id='{c.key}'>{html.escape(c.title)}</h2>"
        meta = (f"<p class='meta'>Regenerates {html.escape(c.seed)}. {html.escape(c.what)}<br>Scope: "
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
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>scintel report</title><style>{STYLE}</style></head><body>"
        f"<h1>Science and technology intelligence: scintel report</h1>"
        f"<p class='meta'>Warehouse {html.escape(warehouse.root)}; rendered {now}; window "
        f"{config.scope.year_start}-{config.scope.year_end}; config {html.escape(str(config.source))}.</p>"
        + "".join(tables) + "".join(sections)
        + f"<h2>Not in this report</h2><p class='meta'>Figures of the seeds whose tables the pipeline writes "
        f"but this report does not draw yet (read them with scintel show):</p><ul>{not_yet}</ul></body></html>\n"
    )
