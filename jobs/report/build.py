"""Rendering a report: each chart drawn, saved and described, provenance looked up once for the
tables shown, and the HTML written.

A chart whose gold tables are not all in the warehouse is not drawn (status missing: the report
names the stage that writes them) and reads nothing; a chart that draws no point is empty and
writes no file. Every drawn chart is written as PNG, SVG and CSV (the rows it drew) under
`figures/`, and inline in the HTML.
"""

from __future__ import annotations

import csv
import logging
import time
from pathlib import Path

from pyspark.sql import SparkSession

from jobs.config import Config
from jobs.report import drawing
from jobs.report.charts import NOT_YET, report_charts, report_tables
from jobs.report.city import CITY_CHARTS, CityContext, annex_tables, find_city, slug
from jobs.report.context import Chart, Context, Rendered, provenance, scope, words
from jobs.report.html import city_html, report_html
from jobs.warehouse import TableNotFound, Warehouse

log = logging.getLogger(__name__)


def render_chart(ctx: Context, chart: Chart, figures: Path, prefix: str = "", extra: dict[str, str] | None = None) -> Rendered:
    """Draw one chart into `figures/<prefix><key>.png|.svg|.csv`; `extra` fills words of its title
    and sentence beyond {challenger} and {leader} (the city report's {city})."""
    result = Rendered(chart, title=words(ctx, chart.title, **(extra or {})), what=words(ctx, chart.what, **(extra or {})))
    if any(not ctx.warehouse.exists(ctx.spark, t, "gold") for t in chart.tables):
        result.status = "missing"
        return result
    fig, ax = drawing.new_figure(chart.height)
    ctx.kept = []
    try:
        result.points = chart.draw(ctx, ax)
        ax.set_title(result.title, fontsize=10)
        fig.tight_layout()
        if result.points == 0:
            result.status = "empty"
            return result
        stem = figures / f"{prefix}{chart.key}"
        paths = drawing.save_figure(fig, stem) + [write_csv(stem.parent / f"{stem.name}.csv", ctx.kept)]
        result.files = [f"figures/{path.name}" for path in paths]
        result.svg = drawing.inline_svg(fig)
    finally:
        drawing.close_figure(fig)
    return result


def write_csv(path: Path, rows: list[dict]) -> Path:
    """The rows a chart drew, as CSV (a header of the union of their columns, in first-seen order)."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _add_provenance(ctx: Context, rendered: list[Rendered]) -> None:
    """Each drawn or empty chart's provenance, looked up once for all the tables shown."""
    present = {t for r in rendered if r.status != "missing" for t in r.chart.tables}
    found = provenance(ctx, present) if present else {}
    for r in rendered:
        r.provenance = "; ".join(found[t] for t in r.chart.tables if t in found)


def build_report(spark: SparkSession, warehouse: Warehouse, config: Config, out_dir: str, top: int = 15) -> Path:
    """Render every chart whose gold tables exist; return the path of report.html. A warehouse
    without any of the charts' gold tables is an error (TableNotFound): nothing was run yet."""
    started = time.monotonic()
    out = Path(out_dir)
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    ctx = Context(spark, warehouse, config, top)
    rendered = []
    for chart in report_charts(config):
        chart_started = time.monotonic()
        rendered.append(render_chart(ctx, chart, figures))
        rendered[-1].scope = scope(config, chart)
        log.info(
            "report: %s %s (%d points) in %.1fs",
            chart.key,
            rendered[-1].status,
            rendered[-1].points,
            time.monotonic() - chart_started,
        )
    if all(r.status == "missing" for r in rendered):
        raise TableNotFound(f"no gold tables in warehouse {warehouse.root}: run `scintel run` first")
    _add_provenance(ctx, rendered)
    path = out / "report.html"
    path.write_text(report_html(ctx, rendered, report_tables(ctx), NOT_YET))
    log.info(
        "report: %s (%d charts, %d missing, %d empty) in %.1fs",
        path,
        sum(r.status == "ok" for r in rendered),
        sum(r.status == "missing" for r in rendered),
        sum(r.status == "empty" for r in rendered),
        time.monotonic() - started,
    )
    return path


def build_city_report(spark: SparkSession, warehouse: Warehouse, config: Config, city: str, out_dir: str) -> Path:
    """Render the city report of the city named `city` (see city.find_city); return the path of
    its HTML file, city-<slug>.html, whose figures are prefixed <slug>_."""
    started = time.monotonic()
    ctx = CityContext(spark, warehouse, config, 15)
    namesakes = find_city(ctx, city)
    out = Path(out_dir)
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    rendered = [render_chart(ctx, chart, figures, prefix=f"{slug(ctx.city)}_", extra={"city": ctx.city}) for chart in CITY_CHARTS]
    _add_provenance(ctx, rendered)
    path = out / f"city-{slug(ctx.city)}.html"
    path.write_text(city_html(ctx, rendered, annex_tables(ctx), namesakes))
    log.info(
        "city report: %s (%d charts, %d empty) in %.1fs",
        path,
        sum(r.status == "ok" for r in rendered),
        sum(r.status == "empty" for r in rendered),
        time.monotonic() - started,
    )
    return path
