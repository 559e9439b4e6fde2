"""matplotlib helpers shared by both reports: the colours, count and year axes, labelled bars, and
the figure itself (created, saved as PNG and SVG, closed).

Nothing here reads a table: each helper draws the rows it is given on an Axes. Counts are ticked
as 500k, 1M, 1.5M and years as whole numbers, because matplotlib's defaults (a '1e6' offset at the
axis end, a tick at 2017.5) are easy to misread. The backend is Agg and SVG text stays text
(svg.fonttype none), so the inline SVG is searchable and its labels selectable.
"""

from __future__ import annotations

import io
from pathlib import Path

CHALLENGER_COLOR, LEADER_COLOR = "#c0392b", "#2c5f8a"
OTHER_COLORS = ["#7f8c8d", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#2c3e50"]


def compact(value: float) -> str:
    """An axis tick: 3500000 -> '3.5M', 20000 -> '20k', 0.25 -> '0.25'."""
    for unit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= unit:
            return f"{value / unit:g}{suffix}"
    return f"{value:g}"


def band_label(low: float, high: float | None) -> str:
    """[1e4, 3e4) -> '10k-30k'; the open last band -> '20M-' (no '$': matplotlib reads text between
    two '$' as mathtext)."""
    return f"{compact(low)}-{compact(high) if high is not None else ''}"


def institution_label(row) -> str:
    """'<name> (<country>)', the name cut to 38 characters so that the bars keep their width."""
    name = row["canonical_name"] or row["canonical_id"]
    name = name if len(name) <= 38 else name[:36] + "..."
    return f"{name} ({row['country_code'] or '?'})"


def count_axis(axis) -> None:
    """Counts on an axis as 500k, 1M, 1.5M: matplotlib's default writes 0.5 ... 3.5 and a '1e6'
    offset at the axis end, easy to misread."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda value, _pos: compact(value)))


def year_axis(axis) -> None:
    """Years as whole numbers (matplotlib would tick 2017.5 on a short series)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def hbars(ax, labels: list[str], values: list[float], xlabel: str, colors: list[str] | None = None) -> int:
    """Horizontal bars, largest on top, each with its value; returns the bars drawn."""
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, values, color=colors or OTHER_COLORS[0])
    ax.set_yticks(positions, labels=labels, fontsize=8)
    ax.set_xlabel(xlabel)
    count_axis(ax.xaxis)
    for pos, value in zip(positions, values):
        ax.text(
            value,
            pos,
            f" {value:,.0f}" if value >= 10 or float(value).is_integer() else f" {value:,.2f}",
            va="center",
            fontsize=7,
        )
    ax.margins(x=0.15)
    return len(values)


def in_out_bars(ax, labels: list[str], rows: list) -> int:
    """Inflow and outflow side by side per row (rows: inflow, outflow); returns the bars drawn."""
    positions = list(range(len(rows)))[::-1]
    ax.barh([p + 0.2 for p in positions], [r["inflow"] for r in rows], 0.4, color="#27ae60", label="inflow (moves in)")
    ax.barh([p - 0.2 for p in positions], [r["outflow"] for r in rows], 0.4, color="#c0392b", label="outflow (moves out)")
    ax.set_yticks(positions, labels=labels, fontsize=8)
    ax.set_xlabel("moves")
    count_axis(ax.xaxis)
    ax.legend(fontsize=8, loc="lower right")
    return 2 * len(rows)


def new_figure(height: float):
    """(figure, axes) of 8 inches by `height` on the Agg backend, text kept as text in SVG."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text in the SVG: searchable, selectable
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(8, height))


def close_figure(fig) -> None:
    import matplotlib.pyplot as plt

    plt.close(fig)


def save_figure(fig, stem: Path) -> list[Path]:
    """`<stem>.png` (130 dpi) and `<stem>.svg`; returns their paths."""
    paths = []
    for ext in ("png", "svg"):
        path = stem.parent / f"{stem.name}.{ext}"
        fig.savefig(path, dpi=130 if ext == "png" else None)
        paths.append(path)
    return paths


def inline_svg(fig) -> str:
    """The figure as SVG from its <svg> element on (no XML declaration or doctype), to place inside
    HTML. matplotlib's SVG writer escapes text and attribute values (&, <, >, quotes), so labels
    made of data, such as institution names, arrive escaped."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]
