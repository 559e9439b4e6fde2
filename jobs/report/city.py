"""The city report's charts (seed 000) and tables, from the city_subfield gold tables.

The charts: the city's papers, scholars and institutions per year (fig 1), the focus cities
compared (fig 2), the per-subfield series (figs 3-5) and the institution network of the city's
largest subfield (laid out with networkx over the aggregated edges of gold city_institution_edges,
at most MAX_NETWORK_EDGES of its heaviest edges). The tables: the core scholars with their top
collaborators (annex 1), the core institutions with their partners (annex 2) and the concentration
indicators. Only aggregated rows of one city reach the driver.

The city is matched by name, case-insensitively; a name shared by cities of several countries
takes the one with most papers (`find_city` returns how many share it, and the report says so).
"""

from __future__ import annotations

from pyspark.sql import functions as F

from jobs.report.context import Chart, Context, Table
from jobs.report.drawing import OTHER_COLORS, count_axis, hbars, year_axis
from jobs.warehouse import TableNotFound

ALL = "all"  # the subfield value of a city's rows over all configured subfields
MAX_NETWORK_EDGES = 150
REQUIRED = ("city_subfield_year", "city_comparison")


class CityContext(Context):
    """The report context plus the city: (country_code, city) as stored."""

    country: str = ""
    city: str = ""

    def city_rows(self, table: str):
        return self.gold(table).where((F.col("country_code") == self.country) & (F.col("city") == self.city))


def _city_years(ctx: CityContext, ax) -> int:
    rows = ctx.keep(ctx.city_rows("city_subfield_year").where(F.col("subfield") == ALL).orderBy("year").collect())  # window years
    years = [r["year"] for r in rows]
    for column, color in (("papers", OTHER_COLORS[1]), ("scholars", OTHER_COLORS[2]), ("institutions", OTHER_COLORS[3])):
        ax.plot(years, [r[column] for r in rows], marker="o", color=color, label=column)
    ax.set_yscale("symlog")
    year_axis(ax.xaxis)
    ax.set_xlabel("publication year")
    ax.set_ylabel("count (log scale)")
    ax.legend(fontsize=8)
    return 3 * len(rows)


def _focus_comparison(ctx: CityContext, ax) -> int:
    """Papers and scholars side by side per focus city, institutions in the label."""
    rows = ctx.keep(ctx.gold("city_comparison").where(F.col("subfield") == ALL).orderBy("rank", "city").collect())  # focus cities
    positions = list(range(len(rows)))[::-1]
    mine = [r["city"].lower() == ctx.city.lower() for r in rows]
    ax.barh(
        [p + 0.2 for p in positions],
        [r["papers"] for r in rows],
        0.4,
        color=["#c0392b" if m else OTHER_COLORS[0] for m in mine],
        label="papers",
    )
    ax.barh(
        [p - 0.2 for p in positions],
        [r["scholars"] for r in rows],
        0.4,
        color=["#e6a0a0" if m else "#bdc3c7" for m in mine],
        label="scholars",
    )
    ax.set_yticks(positions, labels=[f"{r['city']} ({r['institutions']} inst.)" for r in rows], fontsize=8)
    ax.set_xlabel("papers and scholars in the subfields, over the window")
    count_axis(ax.xaxis)
    ax.legend(fontsize=8, loc="lower right")
    return 3 * len(rows)


def _subfield_series(ctx: CityContext, ax) -> int:
    rows = ctx.keep(
        ctx.city_rows("city_subfield_year").where(F.col("subfield") != ALL).orderBy("subfield", "year").collect()
    )  # subfields x window years of one city
    subfields = sorted({r["subfield"] for r in rows})
    for i, subfield in enumerate(subfields):
        mine = [r for r in rows if r["subfield"] == subfield]
        ax.plot(
            [r["year"] for r in mine],
            [r["papers"] for r in mine],
            marker=".",
            color=OTHER_COLORS[i % len(OTHER_COLORS)] if i < len(OTHER_COLORS) else None,
            label=subfield.replace("_", " "),
        )
    year_axis(ax.xaxis)
    ax.set_xlabel("publication year")
    ax.set_ylabel("papers")
    count_axis(ax.yaxis)
    ax.legend(fontsize=7, ncol=2)
    return len(rows)


def _subfield_totals(column: str, xlabel: str):
    def draw(ctx: CityContext, ax) -> int:
        rows = ctx.keep(
            ctx.gold("city_comparison")
            .where((F.lower("city") == ctx.city.lower()) & (F.col("subfield") != ALL))
            .orderBy(F.col(column).desc(), "subfield")
            .collect()
        )  # ten subfields
        return hbars(
            ax,
            [r["subfield"].replace("_", " ") for r in rows],
            [float(r[column]) for r in rows],
            xlabel,
            [OTHER_COLORS[1]] * len(rows),
        )

    return draw


def _network(ctx: CityContext, ax) -> int:
    """The institution network of the city's subfield with most papers: a spring layout of its
    heaviest edges, node size by degree, companies in orange."""
    import networkx as nx

    biggest = (
        ctx.gold("city_comparison")
        .where((F.lower("city") == ctx.city.lower()) & (F.col("subfield") != ALL))
        .orderBy(F.col("papers").desc(), "subfield")
        .limit(1)
        .collect()
    )  # one row
    if not biggest:
        return 0
    subfield = biggest[0]["subfield"]
    edges = ctx.keep(
        ctx.city_rows("city_institution_edges")
        .where(F.col("subfield") == subfield)
        .orderBy(F.col("papers").desc(), "inst_a", "inst_b")
        .limit(MAX_NETWORK_EDGES)
        .collect()
    )  # bounded
    if not edges:
        return 0
    ids = sorted({e["inst_a"] for e in edges} | {e["inst_b"] for e in edges})
    info = {
        r["institution_id"]: r
        for r in ctx.spark.read.format("delta")
        .load(ctx.warehouse.path("institutions", "silver"))
        .where(F.col("institution_id").isin(ids))
        .select("institution_id", "display_name", "institution_type", "city")
        .collect()
    }  # the drawn institutions only
    graph = nx.Graph()
    for e in edges:
        graph.add_edge(e["inst_a"], e["inst_b"], weight=e["papers"])
    layout = nx.spring_layout(graph, seed=7, weight="weight")
    degree = dict(graph.degree())
    colors = [
        "#e67e22"
        if (info.get(n) and info[n]["institution_type"] == "company")
        else ("#c0392b" if info.get(n) and info[n]["city"] == ctx.city else OTHER_COLORS[0])
        for n in graph.nodes
    ]
    heaviest = max(e["papers"] for e in edges)
    nx.draw_networkx_edges(
        graph, layout, ax=ax, width=[0.5 + 3 * graph[a][b]["weight"] / heaviest for a, b in graph.edges], alpha=0.35
    )
    nx.draw_networkx_nodes(graph, layout, ax=ax, node_size=[30 + 25 * degree[n] for n in graph.nodes], node_color=colors)
    hubs = sorted(graph.nodes, key=lambda n: (-degree[n], n))[:6]
    nx.draw_networkx_labels(
        graph, layout, ax=ax, labels={n: (info[n]["display_name"] if info.get(n) else n)[:28] for n in hubs}, font_size=6
    )
    ax.text(
        0.0,
        -0.02,
        f"{subfield.replace('_', ' ')}: red = in {ctx.city}, orange = company, grey = elsewhere; the {len(edges)} heaviest edges",
        transform=ax.transAxes,
        fontsize=8,
        va="top",
    )
    ax.axis("off")
    return len(edges)


CITY_CHARTS = (
    Chart(
        "city_years",
        "{city}: papers, scholars and institutions per year",
        "000 fig 1",
        "Papers of the configured subfields with an author in the city, their authors there and the city's "
        "institutions on them, per year.",
        ("city_subfield_year",),
        "city_subfield",
        _city_years,
        None,
    ),
    Chart(
        "city_comparison",
        "The focus cities compared",
        "000 fig 2",
        "Papers of the configured subfields, their scholars and institutions per focus city over the window; "
        "the report's city in red.",
        ("city_comparison",),
        "city_subfield",
        _focus_comparison,
        None,
    ),
    Chart(
        "city_subfield_series",
        "{city}: papers per subfield and year",
        "000 fig 3",
        "Yearly papers of each subfield with an author in the city.",
        ("city_subfield_year",),
        "city_subfield",
        _subfield_series,
        None,
    ),
    Chart(
        "city_subfield_scholars",
        "{city}: scholars per subfield",
        "000 fig 4",
        "Distinct authors in the city on the subfield's papers over the window.",
        ("city_comparison",),
        "city_subfield",
        _subfield_totals("scholars", "scholars"),
        None,
    ),
    Chart(
        "city_subfield_institutions",
        "{city}: institutions per subfield",
        "000 fig 5",
        "Distinct institutions of the city on the subfield's papers over the window.",
        ("city_comparison",),
        "city_subfield",
        _subfield_totals("institutions", "institutions"),
        None,
    ),
    Chart(
        "city_network",
        "{city}: the institution collaboration network of its largest subfield",
        "000 (network figure)",
        "Institutions that share papers of the subfield with the city (its heaviest edges); node size grows with the "
        "number of partners.",
        ("city_comparison", "city_institution_edges"),
        "city_subfield",
        _network,
        None,
    ),
)


def _names(ctx: CityContext, table: str, key: str, ids: list[str], name: str) -> dict[str, str]:
    if not ids:
        return {}
    return {
        r[key]: r[name]
        for r in ctx.spark.read.format("delta")
        .load(ctx.warehouse.path(table, "silver"))
        .where(F.col(key).isin(ids))
        .select(key, name)
        .collect()
    }  # the names of at most a few hundred ids


def annex_tables(ctx: CityContext) -> list[Table]:
    """Annex 1 (core scholars and their top collaborators), annex 2 (core institutions and their
    partners) and the concentration indicators. The gold tables hold only the core scholars and
    institutions (indicators.core_scholars and core_institutions per city and subfield, 10 by
    default) and their top 5 partners, so one city's rows are at most a few hundred."""
    scholars = ctx.city_rows("core_scholars").orderBy("subfield", "rank").collect()  # subfields x core scholars
    collaborators = ctx.city_rows("core_scholar_collaborators").orderBy("subfield", "author_id", "rank").collect()  # x top 5
    people = _names(
        ctx,
        "authors",
        "author_id",
        sorted({r["author_id"] for r in scholars} | {r["collaborator_id"] for r in collaborators}),
        "display_name",
    )
    annex1 = [
        [
            r["subfield"].replace("_", " "),
            r["rank"],
            people.get(r["author_id"]) or r["author_id"],
            r["h_index"],
            r["papers"],
            ", ".join(
                f"{people.get(c['collaborator_id']) or c['collaborator_id']} ({c['coauthored_papers']})"
                for c in collaborators
                if c["author_id"] == r["author_id"] and c["subfield"] == r["subfield"]
            ),
        ]
        for r in scholars
    ]
    institutions = ctx.city_rows("core_institutions").orderBy("subfield", "rank").collect()  # subfields x core institutions
    partners = ctx.city_rows("core_institution_partners").orderBy("subfield", "institution_id", "rank").collect()  # x top 5
    names = _names(
        ctx,
        "institutions",
        "institution_id",
        sorted({r["institution_id"] for r in institutions} | {r["partner_id"] for r in partners}),
        "display_name",
    )
    annex2 = [
        [
            r["subfield"].replace("_", " "),
            r["rank"],
            names.get(r["institution_id"]) or r["institution_id"],
            r["papers"],
            ", ".join(
                f"{names.get(p['partner_id']) or p['partner_id']} ({p['coauthored_papers']}"
                f"{', ' + p['partner_type'] if p['partner_type'] else ''})"
                for p in partners
                if p["institution_id"] == r["institution_id"] and p["subfield"] == r["subfield"]
            ),
        ]
        for r in institutions
    ]
    concentration = ctx.city_rows("collaboration_concentration").orderBy("subfield").collect()  # one row per subfield
    share = lambda v: "" if v is None else f"{v:.2f}"  # noqa: E731
    return [
        Table(
            f"Annex 1: core scholars of {ctx.city} by subfield, with their top collaborators (co-authored papers)",
            ["subfield", "rank", "scholar", "h-index", "papers in the city", "top collaborators"],
            annex1,
        ),
        Table(
            f"Annex 2: core institutions of {ctx.city} by subfield, with their main partners (shared papers, type)",
            ["subfield", "rank", "institution", "papers", "main partners"],
            annex2,
        ),
        Table(
            "How concentrated collaboration is",
            [
                "subfield",
                "top-partner share",
                "top-2 institutions' edge share",
                "degree Gini",
                "industry share",
                "closed-circle share",
            ],
            [
                [
                    r["subfield"].replace("_", " "),
                    share(r["top_partner_share"]),
                    share(r["top2_edge_share"]),
                    share(r["degree_gini"]),
                    share(r["industry_share"]),
                    share(r["closed_circle_share"]),
                ]
                for r in concentration
            ],
        ),
    ]


def find_city(ctx: CityContext, name: str) -> int:
    """Set ctx.country and ctx.city to the stored city matching `name` (case-insensitively) with
    the most papers; return how many cities share that name. Raises TableNotFound when the
    city_subfield tables are missing or no city has that name."""
    warehouse = ctx.warehouse
    missing = [t for t in REQUIRED if not warehouse.exists(ctx.spark, t, "gold")]
    if missing:
        raise TableNotFound(
            f"the city report needs {', '.join(missing)} in warehouse {warehouse.root}: run the city_subfield stage"
        )
    matches = (
        ctx.gold("city_subfield_year")
        .where((F.lower("city") == name.lower()) & (F.col("subfield") == ALL))
        .groupBy("country_code", "city")
        .agg(F.sum("papers").alias("papers"))
        .orderBy(F.col("papers").desc())
        .collect()
    )  # the cities of that name: a handful
    if not matches:
        raise TableNotFound(f"no paper of the configured subfields in a city named {name!r} in warehouse {warehouse.root}")
    ctx.country, ctx.city = matches[0]["country_code"], matches[0]["city"]
    return len(matches)


def slug(name: str) -> str:
    """A city name as a file name: lower case, anything but letters and digits as '-'."""
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
