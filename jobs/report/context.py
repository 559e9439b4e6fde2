"""What a chart is and what it reads: the Context a chart draws with, the Chart entry of a
report's registry, the Rendered result, and a chart's scope and provenance.

Only aggregated rows reach the driver. A draw function reads a gold table through `Context.gold`,
narrows it in Spark (a top-N slice with `top_rows`, or a filter down to a yearly series) and
collects only that; each collect says in a comment how many rows it brings. `Context.keep` records
exactly the rows a chart draws, so that the CSV written beside the chart is its data and nothing
more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from jobs.config import Config
from jobs.report.drawing import CHALLENGER_COLOR, LEADER_COLOR, OTHER_COLORS
from jobs.warehouse import Warehouse


@dataclass
class Context:
    """What every draw function gets: the session, the warehouse, the config and the N of top-N
    charts, plus the rows of the chart being drawn (reset before each chart)."""

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
        """The challenger and the leader keep their colours on every chart; others get `default`."""
        return {self.focus[0]: CHALLENGER_COLOR, self.focus[1]: LEADER_COLOR}.get(country, default)


@dataclass(frozen=True)
class Chart:
    """One chart of a report. `title` and `what` may name {challenger} and {leader} (and {city} in
    the city report): they are filled from the config, so the words match the compared countries."""

    key: str  # the section id and the stem of its PNG, SVG and CSV files
    title: str
    seed: str  # the seed figure or table it regenerates
    what: str  # what it shows, in a sentence
    tables: tuple[str, ...]  # gold tables it reads
    stage: str  # the stage that writes them
    draw: Callable[[Context, object], int]  # draws on a matplotlib Axes, returns the data points drawn
    counting: str | None = "full"  # the counting its rows are filtered to (None: the table has none)
    height: float = 5.0  # figure height in inches (the width is 8)


@dataclass
class Rendered:
    """A chart as drawn: status ok (files and inline SVG written), missing (a table is not in the
    warehouse; nothing was read) or empty (no rows in scope; no files)."""

    chart: Chart
    title: str = ""  # the chart's title and sentence, words filled in
    what: str = ""
    points: int = 0
    status: str = "ok"  # ok | missing | empty
    svg: str = ""  # matplotlib's SVG from its <svg> element on
    files: list[str] = field(default_factory=list)  # relative to the HTML file: figures/<key>.png, .svg, .csv
    scope: str = ""
    provenance: str = ""


@dataclass(frozen=True)
class Table:
    """A table of a report: its rows are lists of plain values (str, int, float, None), formatted
    and escaped when the HTML is written."""

    caption: str
    columns: list[str]
    rows: list[list]


def words(ctx: Context, text: str, **extra: str) -> str:
    """A chart's title or sentence with the configured challenger and leader (and any extra
    word, such as the city report's city) in place."""
    return text.format(challenger=ctx.focus[0], leader=ctx.focus[1], **extra)


def top_rows(df: DataFrame, order: str, n: int, counting: str | None = "full") -> list:
    """The top `n` rows by `order` (nulls last), of one counting when the table has several."""
    if counting is not None and "counting" in df.columns:
        df = df.where(F.col("counting") == counting)
    return df.orderBy(F.col(order).desc_nulls_last()).limit(n).collect()  # top-N rows of an aggregated gold table


def scope(config: Config, chart: Chart) -> str:
    """The data a chart covers: the year window, the paper or patent filter of its stage, its
    counting and the thresholds behind 'high value' and 'high-level'."""
    s = config.scope
    parts = [f"years {s.year_start}-{s.year_end}"]
    if chart.stage == "patents":
        parts.append(
            f"patent filter: CPC {', '.join(s.patent_cpc_prefixes) or 'all'}; topics {', '.join(s.patent_topics) or 'all'}"
        )
        parts.append(f"high value: USD {config.thresholds.high_value_patent_usd:,.0f} or more")
    else:
        parts.append(f"paper filter: fields {', '.join(s.paper_fields) or 'all'}; topics {', '.join(s.paper_topics) or 'all'}")
    if chart.counting:
        parts.append(f"{chart.counting} counting")
    if chart.stage == "talent":
        parts.append(f"high-level: h-index {config.thresholds.high_level_h_index} or more")
    return "; ".join(parts)


def provenance(ctx: Context, tables: set[str]) -> dict[str, str]:
    """'gold/<table> v<N> (<commit time>), run <run id>' for each table: its latest Delta version
    and the run whose audit row records that version. A table no audited run wrote (written by
    hand, as in the tests) says so instead of naming a run."""
    from delta.tables import DeltaTable

    from jobs.audit import audit_path

    versions = {}
    for table in tables:
        history = DeltaTable.forPath(ctx.spark, ctx.warehouse.path(table, "gold")).history(1)  # the latest commit only
        commit = history.select("version", "timestamp").first()  # one row
        versions[table] = (int(commit["version"]), commit["timestamp"])
    runs: dict[str, str] = {}
    audit = audit_path(ctx.warehouse.root)
    if DeltaTable.isDeltaTable(ctx.spark, audit):
        wanted = ctx.spark.createDataFrame([(t, v) for t, (v, _) in versions.items()], "table string, version long")
        rows = (
            ctx.spark.read.format("delta")
            .load(audit)
            .where(F.col("status") == "succeeded")
            .select("run_id", "started", F.explode("versions").alias("key", "version"))
            .select("run_id", "started", F.element_at(F.split("key", r"\."), -1).alias("table"), "version")
            .join(wanted, ["table", "version"])
            .groupBy("table")
            .agg(F.max_by("run_id", "started").alias("run_id"))
            .collect()  # one row per gold table shown
        )
        runs = {r["table"]: r["run_id"] for r in rows}
    return {
        t: f"gold/{t} v{v} ({ts:%Y-%m-%d %H:%M} UTC), run {runs.get(t, 'not in the audit table')}"
        for t, (v, ts) in versions.items()
    }
