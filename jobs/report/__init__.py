"""`scintel report`: the seeds' figures and tables, regenerated from a warehouse's gold tables.

Two self-contained HTML files (every chart embedded as inline SVG, no external asset): the global
report (seed 002, report.html) and the city report (seed 000, city-<name>.html), and each chart
as PNG, SVG and CSV under `figures/`. Each chart says what it shows, which seed figure it
regenerates, the data's scope (year window, domain filters, counting) and where it came from (the
gold table's Delta version and the run that wrote it). Charts whose gold tables are not in the
warehouse are listed as missing with the stage that writes them.

Only aggregated gold rows reach the driver: a chart reads a top-N slice or a yearly series of a
gold table, limited in Spark before the collect (at most a few hundred rows per chart).

The package, by level:
  context.py   Context, Chart, Rendered, Table; a chart's scope and provenance
  drawing.py   matplotlib helpers: colours, count and year axes, bars, saving a figure
  charts.py    the global report's chart registry (CHARTS, topic charts), draw functions, tables
  city.py      the city report's charts (CITY_CHARTS), annex tables, matching the city
  html.py      the HTML, from the Jinja templates in templates/ (autoescaped)
  build.py     build_report and build_city_report: draw, save, provenance, write
"""

from jobs.report.build import build_city_report, build_report
from jobs.report.charts import CHARTS, NOT_YET, report_charts
from jobs.report.city import CITY_CHARTS
from jobs.report.context import Chart, Context, Rendered, Table

__all__ = [
    "CHARTS",
    "CITY_CHARTS",
    "NOT_YET",
    "Chart",
    "Context",
    "Rendered",
    "Table",
    "build_city_report",
    "build_report",
    "report_charts",
]
