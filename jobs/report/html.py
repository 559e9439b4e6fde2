"""The reports' HTML, written from the Jinja templates in jobs/report/templates/.

Autoescaping is on for every template, so every value placed in the page (institution, scholar
and city names, topic terms, captions, the warehouse path) is escaped; the one value marked safe is
a chart's inline SVG, which matplotlib wrote with its text and attribute values escaped
(drawing.inline_svg). The stylesheet is included as template text, not as a value, so its quotes
stay quotes. The templates ship inside the package (package data in pyproject.toml, and in the zip
spark-submit.sh builds) and are loaded with PackageLoader, which reads them from a checkout, a
wheel or that zip alike.
"""

from __future__ import annotations

import functools
from datetime import datetime, timezone

import jinja2

from jobs.report.context import Context, Rendered, Table


def cell(value) -> str:
    """A table cell: integers with thousands separators, floats too (two decimals unless whole),
    None as empty, anything else as its text."""
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("jobs.report", "templates"),
        autoescape=True,
        trim_blocks=True,  # a line holding only a {% tag %} leaves no blank line behind
        lstrip_blocks=True,
        keep_trailing_newline=True,  # the page ends with a newline; style.css keeps its last one
        undefined=jinja2.StrictUndefined,  # a misspelt name fails the report instead of printing nothing
    )
    env.filters["cell"] = cell
    return env


def report_html(ctx: Context, rendered: list[Rendered], tables: list[Table], not_yet) -> str:
    """The global report: the tables, then each chart's section (title, the seed figure it
    regenerates, what it shows, scope, provenance, inline SVG and links to its files)."""
    return (
        environment()
        .get_template("report.html")
        .render(
            warehouse=ctx.warehouse.root,
            now=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            scope=ctx.config.scope,
            config_source=str(ctx.config.source),
            tables=tables,
            rendered=rendered,
            not_yet=not_yet,
        )
    )


def city_html(ctx, rendered: list[Rendered], annexes: list[Table], namesakes: int) -> str:
    """The city report of ctx.city (a CityContext): each chart's section, then the annexes."""
    return (
        environment()
        .get_template("city.html")
        .render(
            city=ctx.city,
            country=ctx.country,
            warehouse=ctx.warehouse.root,
            namesakes=namesakes,
            scope=ctx.config.scope,
            config_source=str(ctx.config.source),
            rendered=rendered,
            annexes=annexes,
        )
    )
