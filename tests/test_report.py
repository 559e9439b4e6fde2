"""scintel report on hand-built gold tables: which charts render, what they plot, what the report
says about tables it does not find. tests/test_end_to_end.py renders it on a generated corpus."""

from __future__ import annotations

import re

import pytest

from jobs import cli
from jobs import config as cfg
from jobs.report import CHARTS, build_report
from jobs.warehouse import TableNotFound, Warehouse

SERIES = "metric string, challenger string, leader string, year int, challenger_value double, leader_value double"
CROSS = "metric string, challenger string, leader string, cross_year int, challenger_value double, leader_value double"
OUTPUT = "counting string, country_code string, papers double, citations double, mean_citations double, rank int"


@pytest.fixture(scope="module")
def report(spark, tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    warehouse = Warehouse(str(root / "warehouse"))
    # CN overtakes the US in 2014 in papers; in top-1% papers it never does.
    series = [
        ("papers", "CN", "US", 2012, 1.0, 3.0),
        ("papers", "CN", "US", 2013, 2.0, 3.0),
        ("papers", "CN", "US", 2014, 5.0, 4.0),
        ("top_cited_papers", "CN", "US", 2012, 0.0, 1.0),
        ("top_cited_papers", "CN", "US", 2013, 0.0, 1.0),
        ("top_cited_papers", "CN", "US", 2014, 0.0, 1.0),
    ]
    warehouse.write(spark.createDataFrame(series, SERIES), "golden_cross_series", layer="gold")
    crosses = [("papers", "CN", "US", 2014, 5.0, 4.0), ("top_cited_papers", "CN", "US", None, None, None)]
    warehouse.write(spark.createDataFrame(crosses, CROSS), "golden_cross", layer="gold")
    # Full counting: US 20, CN 10, DE 5 papers; the fractional rows must not reach the chart.
    output = [
        ("full", "US", 20.0, 60.0, 3.0, 1),
        ("full", "CN", 10.0, 50.0, 5.0, 2),
        ("full", "DE", 5.0, 5.0, 1.0, 3),
        ("fractional", "DE", 99.0, 99.0, 1.0, 1),
    ]
    warehouse.write(spark.createDataFrame(output, OUTPUT), "output_by_country", layer="gold")
    # Talent flow: US 5 in 2 out, CN 1 in 4 out, DE 1 in 1 out (the least moves: not in the top 2).
    flows = [("US", 5, 2, 7, 3), ("CN", 1, 4, 5, -3), ("DE", 1, 1, 2, 0)]
    warehouse.write(
        spark.createDataFrame(flows, "country string, inflow long, outflow long, total_flow long, net_inflow long"),
        "talent_flow_by_country",
        layer="gold",
    )
    top10 = [(1, "F1", "Large Language Models", 10, 3, 1.0, 2019.3), (2, "F2", "Diffusion Models", 8, 0, 0.93, 2020.1)]
    warehouse.write(
        spark.createDataFrame(
            top10,
            "rank int, front_id string, label string, top_cited_papers long, "
            "high_value_patents long, frontier_index double, mean_publication_year double",
        ),
        "frontier_top10",
        layer="gold",
    )
    path = build_report(spark, warehouse, cfg.load(), str(root / "out"), top=2)
    return path, path.read_text()


def _chart(html: str, key: str) -> tuple[str, str]:
    """(data points, inline SVG) of a rendered chart."""
    match = re.search(rf"<div class='chart' data-chart='{key}' data-points='(\d+)'>(.*?)</div>", html, re.S)
    assert match, f"chart {key} not rendered"
    return match.group(1), match.group(2)


def test_series_charts_mark_the_golden_cross_or_say_there_is_none(report):
    _, html = report
    points, svg = _chart(html, "papers_yearly")
    assert points == "6"  # 3 years x 2 countries
    assert "golden cross 2014" in svg
    points, svg = _chart(html, "top_cited_yearly")
    assert points == "6" and "no golden cross in the window" in svg and "golden cross 20" not in svg


def test_rankings_take_the_top_n_of_full_counting(report):
    _, html = report
    points, svg = _chart(html, "papers_by_country")
    assert points == "2"
    labels = re.findall(r">\s*(US|CN|DE)\s*<", svg)
    assert sorted(set(labels)) == ["CN", "US"]  # top 2 by papers; DE's fractional 99 is not full counting
    table = html[html.index("Table 1") :].split("</table>")[0]
    rows = re.findall(r"<tr><td class='text'>(\w+)</td><td>([\d.,]+)</td><td>([\d.,]+)</td><td>([\d.,]+)</td>", table)
    assert rows == [("US", "20", "60", "3"), ("CN", "10", "50", "5")]


def test_every_rendered_chart_has_png_and_svg_files_and_missing_ones_name_their_stage(report):
    path, html = report
    rendered = {"papers_yearly", "top_cited_yearly", "papers_by_country", "citations_by_country", "talent_flow_by_country"}
    for chart in CHARTS:
        png, svg = path.parent / "figures" / f"{chart.key}.png", path.parent / "figures" / f"{chart.key}.svg"
        if chart.key in rendered:
            assert png.stat().st_size > 1000 and svg.stat().st_size > 1000, chart.key
            assert (path.parent / "figures" / f"{chart.key}.csv").read_text().count("\n") >= 2, chart.key
        else:
            assert not png.exists(), chart.key
            section = html[html.index(f"<h2 id='{chart.key}'>") :].split("<h2")[1]
            assert "Not available" in section and f"<code>{chart.stage}</code>" in section, chart.key
    assert "Not in this report" not in html  # every seed figure has a chart: no such section


def test_each_chart_states_scope_and_provenance(report):
    _, html = report
    section = html[html.index("<h2 id='papers_by_country'>") :].split("<h2")[1]
    assert "years 2012-2021" in section and "full counting" in section
    # No pipeline run wrote these tables: the version is given, the run is not invented.
    assert "gold/output_by_country v0" in section and "run not in the audit table" in section


def test_a_warehouse_without_gold_tables_is_an_error(spark, tmp_path):
    with pytest.raises(TableNotFound, match="no gold tables"):
        build_report(spark, Warehouse(str(tmp_path / "empty")), cfg.load(), str(tmp_path / "out"))


def test_cli_report_on_a_missing_warehouse_exits_1_with_one_line(tmp_path, capsys):
    assert cli.main(["report", "--warehouse", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nowhere does not exist" in err


def test_count_axes_read_in_k_and_m_without_a_scientific_offset():
    """Bars of millions: ticks like 1M, 2M (matplotlib's default is 1, 2 and a '1e6' at the axis end)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from jobs.report.drawing import band_label, compact, hbars

    assert [compact(v) for v in (0, 0.25, 950, 20_000, 1_500_000, 3_000_000_000)] == ["0", "0.25", "950", "20k", "1.5M", "3B"]
    assert [band_label(1e4, 3e4), band_label(3e5, 6e5), band_label(2e7, None)] == ["10k-30k", "300k-600k", "20M-"]
    fig, ax = plt.subplots()
    try:
        assert hbars(ax, ["US", "CN"], [3_143_199.0, 2_811_745.0], "papers") == 2
        fig.canvas.draw()
        ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert "1M" in ticks and "3M" in ticks, ticks
        assert ax.xaxis.get_offset_text().get_text() == ""
    finally:
        plt.close(fig)


def test_talent_flow_bars_and_table_8(report):
    _, html = report
    points, svg = _chart(html, "talent_flow_by_country")
    assert points == "4"  # in and out for the top 2 countries by total flow
    assert "US (net +3)" in svg and "CN (net -3)" in svg and "DE (net" not in svg
    table = html[html.index("Table 8") :].split("</table>")[0]
    rows = re.findall(
        r"<tr><td>(\d+)</td><td class='text'>([^<]+)</td><td>(\d+)</td><td>(\d+)</td>"
        r"<td class='text'>([\d.]+)</td><td class='text'>(\d+)</td>",
        table,
    )
    assert rows == [
        ("1", "Large Language Models", "10", "3", "1.00", "2019"),
        ("2", "Diffusion Models", "8", "0", "0.93", "2020"),
    ]


def test_each_chart_writes_its_data_as_csv(report):
    """The papers chart draws the top 2 countries of full counting: their rows, as in the table."""
    import csv

    path, html = report
    with open(path.parent / "figures" / "papers_by_country.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["country_code"], float(r["papers"])) for r in rows] == [("US", 20.0), ("CN", 10.0)]
    assert "figures/papers_by_country.csv" in html


def test_values_from_data_are_escaped_and_the_inline_svg_is_kept():
    """Names come from the corpus: markup in one is shown as text. The chart's SVG is matplotlib's
    (its text already escaped) and goes in as markup."""
    from types import SimpleNamespace

    from jobs.report.context import Rendered, Table
    from jobs.report.html import city_html, report_html

    config = cfg.load()
    chart = CHARTS[1]
    rendered = Rendered(
        chart,
        title="<b>Papers</b>",
        what="King's & co",
        points=3,
        svg="<svg><text>A &amp; B</text></svg>",
        files=[f"figures/{chart.key}.png"],
        scope="years",
        provenance="gold/x v1",
    )
    table = Table("Top <i>institutions</i>", ["institution", "papers"], [["<script>alert(1)</script>", 1234], [None, 0.5]])
    ctx = SimpleNamespace(warehouse=SimpleNamespace(root="/wh/<x>"), config=config, city="<Shanghai>", country="CN")
    page = report_html(ctx, [rendered], [table], ())
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Papers&lt;/b&gt;" in page and "King&#39;s &amp; co" in page and "/wh/&lt;x&gt;" in page
    assert "Top &lt;i&gt;institutions&lt;/i&gt;" in page
    assert "<tr><td class='text'>&lt;script&gt;alert(1)&lt;/script&gt;</td><td>1,234</td></tr>" in page
    assert "<tr><td></td><td>0.50</td></tr>" in page  # None is an empty cell, a number reads from the right
    assert "data-points='3'><svg><text>A &amp; B</text></svg></div>" in page
    city = city_html(ctx, [rendered], [table], 1)
    assert "<h1>&lt;Shanghai&gt; (CN)" in city and "<script>" not in city


def test_templates_ship_with_the_package_and_the_submitted_zip():
    """Every template is package data (a wheel has it) and has a suffix spark-submit.sh zips."""
    import fnmatch
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    templates = sorted((root / "jobs" / "report" / "templates").iterdir())
    globs = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["jobs.report"]
    suffixes = re.search(r"path\.suffix in \(([^)]*)\)", (root / "spark-submit.sh").read_text()).group(1)
    assert templates
    for path in templates:
        assert any(fnmatch.fnmatch(f"templates/{path.name}", glob) for glob in globs), path.name
        assert f'"{path.suffix}"' in suffixes, path.name
