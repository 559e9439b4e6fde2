"""City x subfield analysis (SPEC item 10; seed 000 figs 1-5, annexes 1-2).

Papers: the in-scope papers (gold paper_citations) tagged with the configured subfields
(`scope.subfields`: a paper belongs to a subfield when one of its topic, concept or keyword names
contains one of the subfield's terms, case-insensitively; a paper may belong to several). A
paper belongs to a city when one of its authors has an institution there (institution geo:
country and city), so a paper written in two cities counts in both. Cities are keyed by
(country_code, city): two cities of one name in two countries stay apart.

Tables (grain in parentheses):
- paper_subfields (paper_id, subfield);
- city_subfield_year (country_code, city, subfield, year): papers, scholars (distinct authors with
  an institution in the city on those papers), institutions (distinct institutions of the city);
  subfield 'all' counts a paper of any subfield once;
- city_comparison (city, subfield): the focus cities (`scope.focus_cities`, matched by name) over
  the window, every focus city x subfield present (zeros included), ranked by papers within each
  subfield; subfield 'all' counts a paper of any subfield once;
- core_scholars (country_code, city, subfield, rank): per city and subfield, the top
  `collaboration.core_scholars` authors with a subfield paper in the city, by h-index over all
  their papers of the subfield (anywhere), then papers in the city, then author id;
- core_scholar_collaborators (country_code, city, subfield, author_id, rank): each core scholar's top
  `collaboration.collaborators` co-authors by co-authored papers of the subfield, ties by id;
- core_institutions (country_code, city, subfield, rank): the city's institutions by papers of the
  subfield, then id; core_institution_partners (..., institution_id, rank): each core
  institution's top `collaboration.partners` partner institutions (anywhere) by co-authored
  papers of the subfield, ties by id, with the partner's type;
- collaboration_concentration (country_code, city, subfield), for the focus cities and the report
  city: top_partner_share (a core scholar's
  co-authored papers with their top co-author over their co-authored papers, averaged over the
  core scholars), top2_edge_share (the share of the city's institution-network edges that touch
  one of its two institutions of highest degree, ties by id), degree_gini (Gini coefficient of
  institution degree in that network), industry_share (share of those edges with a company at
  either end), closed_circle_share (share of the city's co-author pairs whose two authors are in
  one community: labelPropagation over the co-authorship graph of the focus cities' subfield papers).
The institution network of a (city, subfield) has the institutions on the city's subfield papers
as vertices and an edge between two institutions that share such a paper (inst_a < inst_b, with
the papers they share), built for the focus cities and the report city only: a paper's
institution pairs repeat for each of its cities, so every city's network together is many times
the pairs themselves. The concentration measures read every edge; the gold table
city_institution_edges (country_code, city, subfield, inst_a, inst_b, papers, rank) keeps each
network's `collaboration.network_edges` heaviest (papers, then the ids), what the city report
draws: a network has up to n(n-1)/2 edges over its n institutions, far more than anyone reads.

Scale: co-author pairs grow with the square of team size, so papers with more than
`collaboration.max_authors_per_paper` authors form no co-author pairs (they still count as
papers, for scholars and institutions); the stage logs how many papers that leaves out. Pairs are
built only where they are read: each core scholar with their co-authors (a paper of k authors with
c core scholars gives c(k-1) rows, not k(k-1)/2), and every pair on the focus cities' papers (the
communities), not on every subfield paper. The institution networks run on ints (a dense number
per institution in id order, one per network), the ids restored in the gold tables. On a cluster over
OpenAlex's 725M authorships, the subfield papers of a domain such as AI are a few percent of the
works; their pairs (a median team of 3-5 gives 3-10 pairs, the cap bounds a paper at 1,225) are a
shuffle of the order of 10^8 rows keyed by paper, then by author pair, aggregated map-side; the
label propagation runs a few rounds over the focus cities' part of it (GraphX, checkpointed).

Nightly runs recompute this stage in full: the core scholars rank by h-index (citations change with
every night's new works), the communities come from label propagation over the whole co-authorship
graph of the focus cities (one new edge can relabel authors far from it), and the concentration
measures read whole networks.
"""

from __future__ import annotations

import functools
import logging

from pyspark.sql import Column, DataFrame
from pyspark.sql import Window as W
from pyspark.sql import functions as F

from jobs.frames import Stash
from jobs.graph import graph_frame, label_propagation
from jobs.indicators.common import h_index_of

log = logging.getLogger(__name__)

ALL = "all"
COMPANY = "company"
KEY = ["country_code", "city", "subfield"]  # a city (two of one name in two countries stay apart) and subfield


def tag_subfields(papers_df: DataFrame, subfields: dict[str, list[str]]) -> DataFrame:
    """(paper_id, subfield): a row per subfield whose terms a paper's names contain.

    A paper's topic, concept and keyword names are joined, lower-cased, into one string with a
    separator no term contains, so "a name contains the term" is "the string contains the term":
    one codegen'd substring test per term and paper, instead of a lambda per name and term."""
    separator = "\u0001"
    # Its own projection, computed once per paper: the optimizer does not inline a non-trivial
    # alias that is referenced many times, so the terms test the column, not the expression.
    text = papers_df.select(
        "paper_id", F.lower(F.concat_ws(separator, "topic_names", "concept_names", "keyword_names")).alias("names")
    )

    def matches(terms: list[str]) -> Column:
        return functools.reduce(lambda a, b: a | b, [F.col("names").contains(t.lower()) for t in terms])

    tagged = F.filter(
        F.array(*[F.when(matches(terms), F.lit(name)) for name, terms in subfields.items()]), lambda s: s.isNotNull()
    )
    return text.select("paper_id", F.explode(tagged).alias("subfield"))


def city_authorships(authorships_df: DataFrame, institutions_df: DataFrame) -> DataFrame:
    """(paper_id, author_id, institution_id, country_code, city, institution_type) for authorship
    rows whose institution has a city."""
    places = institutions_df.select("institution_id", F.col("country_code").alias("inst_country"), "city", "institution_type")
    return (
        authorships_df.select("paper_id", "author_id", "institution_id")
        .join(places, "institution_id")
        .where(F.col("city").isNotNull() & F.col("inst_country").isNotNull())
        .select(
            "paper_id", "author_id", "institution_id", F.col("inst_country").alias("country_code"), "city", "institution_type"
        )
    )


def city_subfield_year(tagged_df: DataFrame, years_df: DataFrame, places_df: DataFrame) -> DataFrame:
    rows = tagged_df.join(years_df, "paper_id").join(places_df, "paper_id")
    return rows.groupBy("country_code", "city", "subfield", F.col("publication_year").alias("year")).agg(
        F.countDistinct("paper_id").alias("papers"),
        F.countDistinct("author_id").alias("scholars"),
        F.countDistinct("institution_id").alias("institutions"),
    )


def city_comparison(tagged_df: DataFrame, places_df: DataFrame, focus_cities: list[str], subfields: list[str]) -> DataFrame:
    """Focus cities x (subfields + 'all'), zeros included, ranked by papers within a subfield."""
    spark = tagged_df.sparkSession
    wanted = spark.createDataFrame([(c, s) for c in focus_cities for s in [*subfields, ALL]], "city string, subfield string")
    focus = places_df.where(F.lower("city").isin([c.lower() for c in focus_cities]))
    with_all = tagged_df.union(tagged_df.select("paper_id", F.lit(ALL).alias("subfield"))).distinct()
    totals = (
        with_all.join(focus, "paper_id")
        .groupBy(F.lower("city").alias("city_key"), "subfield")
        .agg(
            F.countDistinct("paper_id").alias("papers"),
            F.countDistinct("author_id").alias("scholars"),
            F.countDistinct("institution_id").alias("institutions"),
        )
    )
    joined = wanted.join(totals, (F.lower(wanted.city) == totals.city_key) & (wanted.subfield == totals.subfield), "left").select(
        wanted.city,
        wanted.subfield,
        *[F.coalesce(F.col(c), F.lit(0)).cast("long").alias(c) for c in ("papers", "scholars", "institutions")],
    )
    return joined.withColumn("rank", F.rank().over(W.partitionBy("subfield").orderBy(F.col("papers").desc())))


def subfield_h_index(tagged_df: DataFrame, authorships_df: DataFrame, citations_df: DataFrame) -> DataFrame:
    """(author_id, subfield, h_index): h over the author's papers of the subfield."""
    rows = tagged_df.join(authorships_df.select("paper_id", "author_id").distinct(), "paper_id").join(citations_df, "paper_id")
    ranked = rows.withColumn(
        "r", F.row_number().over(W.partitionBy("author_id", "subfield").orderBy(F.col("citations").desc(), "paper_id"))
    )
    return ranked.groupBy("author_id", "subfield").agg(h_index_of(F.col("citations"), F.col("r")).cast("int").alias("h_index"))


def core_scholars(tagged_df: DataFrame, places_df: DataFrame, h_df: DataFrame, top: int) -> DataFrame:
    in_city = (
        tagged_df.join(places_df, "paper_id")
        .groupBy("country_code", "city", "subfield", "author_id")
        .agg(F.countDistinct("paper_id").alias("papers"))
    )
    ranked = in_city.join(h_df, ["author_id", "subfield"]).withColumn(
        "rank",
        F.row_number().over(
            W.partitionBy("country_code", "city", "subfield").orderBy(
                F.col("h_index").desc(), F.col("papers").desc(), "author_id"
            )
        ),
    )
    return ranked.where(F.col("rank") <= top).select(
        "country_code", "city", "subfield", F.col("rank").cast("int"), "author_id", "h_index", "papers"
    )


def pairable_authors(tagged_df: DataFrame, authorships_df: DataFrame, max_authors: int) -> tuple[DataFrame, DataFrame]:
    """((paper_id, author_id) of the subfield papers with at most max_authors authors, the
    subfield papers left out (paper_id, k)): the authors that form co-author pairs."""
    authors = authorships_df.select("paper_id", "author_id").distinct()
    sizes = authors.groupBy("paper_id").agg(F.count(F.lit(1)).alias("k"))
    subfield_papers = tagged_df.select("paper_id").distinct()
    small = sizes.where(F.col("k") <= max_authors).select("paper_id")
    kept = authors.join(subfield_papers, "paper_id", "left_semi").join(small, "paper_id", "left_semi")
    left_out = sizes.where(F.col("k") > max_authors).join(subfield_papers, "paper_id", "left_semi")
    return kept, left_out


def pairs_of(kept_df: DataFrame, paper_ids_df: DataFrame | None = None) -> DataFrame:
    """(paper_id, author_a, author_b), author_a < author_b: each unordered pair of distinct
    authors of kept_df's papers (pairable_authors), once per paper whatever its subfields, on the
    papers of paper_ids_df only when given (the pairs a caller reads: its k(k-1)/2 rows per paper
    are built for those papers, not for every subfield paper)."""
    kept = kept_df
    if paper_ids_df is not None:
        kept = kept.join(paper_ids_df.select("paper_id").distinct(), "paper_id", "left_semi")
    a, b = kept.alias("a"), kept.alias("b")
    return a.join(b, (F.col("a.paper_id") == F.col("b.paper_id")) & (F.col("a.author_id") < F.col("b.author_id"))).select(
        F.col("a.paper_id").alias("paper_id"), F.col("a.author_id").alias("author_a"), F.col("b.author_id").alias("author_b")
    )


def core_coauthorships(kept_df: DataFrame, tagged_df: DataFrame, core_df: DataFrame) -> DataFrame:
    """(paper_id, subfield, author_id, collaborator_id): each core scholar's co-authors on the
    scholar's papers of the subfield they are core in, from the pairable authors (kept_df,
    pairable_authors). These are the pairs of pairs_of with their papers' subfields, taken both
    ways and kept where the first author is a core scholar of the subfield, built directly: a
    paper of k authors with c core scholars gives c(k-1) rows instead of its k(k-1)/2 pairs."""
    cores = core_df.select("author_id", "subfield").distinct()
    mine = kept_df.join(F.broadcast(cores.select("author_id").distinct()), "author_id", "left_semi")
    others = kept_df.select("paper_id", F.col("author_id").alias("collaborator_id"))
    return (
        mine.join(others, "paper_id")
        .where(F.col("author_id") != F.col("collaborator_id"))
        .join(tagged_df, "paper_id")
        .join(F.broadcast(cores), ["author_id", "subfield"], "left_semi")
    )


def rank_collaborators(coauthorships_df: DataFrame, top: int) -> DataFrame:
    """Each scholar's top co-authors in the subfield from (paper_id, subfield, author_id,
    collaborator_id) rows, with the scholar's co-authored papers (for the top-partner share)."""
    counted = coauthorships_df.groupBy("author_id", "subfield", "collaborator_id").agg(
        F.countDistinct("paper_id").alias("coauthored_papers")
    )
    coauthored = coauthorships_df.groupBy("author_id", "subfield").agg(
        F.countDistinct("paper_id").alias("scholar_coauthored_papers")
    )
    ranked = counted.withColumn(
        "rank",
        F.row_number().over(W.partitionBy("author_id", "subfield").orderBy(F.col("coauthored_papers").desc(), "collaborator_id")),
    ).where(F.col("rank") <= top)
    return ranked.join(coauthored, ["author_id", "subfield"])


def institution_index(institutions_df: DataFrame) -> DataFrame:
    """(institution_id, inst): a dense int per institution, numbered in id order, so comparing two
    `inst` values compares their ids: a pair keeps its orientation (inst_a < inst_b) and a tie broken
    by id breaks the same way. The institution networks are built on these ints rather than on the
    id strings: their edge lists are the stage's largest rows (tens of millions at 5M papers) and
    an int pair is a fraction of a string pair's bytes in every shuffle and in the stash. One
    window over the institutions (10^5 rows in OpenAlex) numbers them on a single task."""
    return (
        institutions_df.select("institution_id")
        .distinct()
        .withColumn("inst", F.row_number().over(W.orderBy("institution_id")).cast("int"))
    )


def with_institution_ints(df: DataFrame, index_df: DataFrame) -> DataFrame:
    """df (places, core institutions, institution types) with institution_id replaced by its int
    from institution_index (broadcast: a row per institution)."""
    return df.join(F.broadcast(index_df), "institution_id").drop("institution_id").withColumnRenamed("inst", "institution_id")


def paper_institution_pairs(places_df: DataFrame) -> DataFrame:
    """(paper_id, inst_a, inst_b), inst_a < inst_b: each pair of distinct institutions on a paper.
    Keyed by paper, once: a paper with k institutions gives k(k-1)/2 rows whatever its cities.
    The institutions are places_df's institution_id, ids or their ints (institution_index)."""
    insts = places_df.select("paper_id", "institution_id").distinct()
    a, b = insts.alias("a"), insts.alias("b")
    return a.join(
        b, (F.col("a.paper_id") == F.col("b.paper_id")) & (F.col("a.institution_id") < F.col("b.institution_id"))
    ).select(
        F.col("a.paper_id").alias("paper_id"),
        F.col("a.institution_id").alias("inst_a"),
        F.col("b.institution_id").alias("inst_b"),
    )


def network_cells(tagged_df: DataFrame, places_df: DataFrame, cities: list[str] | None) -> tuple[DataFrame, DataFrame]:
    """((net, country_code, city, subfield): a row and an int per institution network,
    (paper_id, net): the networks a paper belongs to) for the named cities (all when None).
    A network is a city's subfield: its papers are the subfield's papers with an author in the
    city. Every city of a paper gets the paper's pairs, so the networks are built for the cities
    the reports show, not for every city of the corpus."""
    city_papers = places_df.select("paper_id", "country_code", "city").distinct()
    if cities is not None:
        city_papers = city_papers.where(F.lower("city").isin([c.lower() for c in cities]))
    cells = tagged_df.join(city_papers, "paper_id")
    networks = (
        cells.select(*KEY).distinct().withColumn("net", F.row_number().over(W.orderBy(*KEY)).cast("int"))
    )  # a row per (city, subfield) network: hundreds, numbered on one task
    return networks, cells.join(F.broadcast(networks), KEY).select("paper_id", "net")


def institution_edges(paper_networks_df: DataFrame, pairs_df: DataFrame) -> DataFrame:
    """(net, inst_a, inst_b, papers): the institution pairs of each network's papers (any
    institution of the paper, in the city or not), with the papers they share there."""
    return pairs_df.join(paper_networks_df, "paper_id").groupBy("net", "inst_a", "inst_b").agg(F.count(F.lit(1)).alias("papers"))


def core_institutions(tagged_df: DataFrame, places_df: DataFrame, top: int) -> DataFrame:
    counted = (
        tagged_df.join(places_df, "paper_id")
        .groupBy("country_code", "city", "subfield", "institution_id")
        .agg(F.countDistinct("paper_id").alias("papers"))
    )
    ranked = counted.withColumn(
        "rank",
        F.row_number().over(W.partitionBy("country_code", "city", "subfield").orderBy(F.col("papers").desc(), "institution_id")),
    )
    return ranked.where(F.col("rank") <= top).select(
        "country_code", "city", "subfield", F.col("rank").cast("int"), "institution_id", "papers"
    )


def institution_partners(
    pairs_df: DataFrame,
    tagged_df: DataFrame,
    core_df: DataFrame,
    types_df: DataFrame,
    top: int,
    index_df: DataFrame | None = None,
) -> DataFrame:
    """Each core institution's top partners on the subfield's papers. A core institution's papers
    are papers of its own city, so the paper pairs are joined to the core institutions (ten per
    city and subfield) instead of to every city's network. With index_df (institution_index),
    pairs_df holds institution ints: the core institutions are looked up in it and the result
    carries the ids again."""
    cores = core_df.select("country_code", "city", "subfield", "institution_id")
    if index_df is not None:
        cores = with_institution_ints(cores, index_df)
    both_ways = pairs_df.select("paper_id", F.col("inst_a").alias("institution_id"), F.col("inst_b").alias("partner_id")).union(
        pairs_df.select("paper_id", F.col("inst_b").alias("institution_id"), F.col("inst_a").alias("partner_id"))
    )
    mine = (
        both_ways.join(F.broadcast(cores.select("institution_id").distinct()), "institution_id", "left_semi")
        .join(tagged_df, "paper_id")
        .join(cores, ["subfield", "institution_id"])
    )
    counted = mine.groupBy("country_code", "city", "subfield", "institution_id", "partner_id").agg(
        F.count(F.lit(1)).alias("papers")
    )
    ranked = counted.withColumn(
        "rank",
        F.row_number().over(
            W.partitionBy("country_code", "city", "subfield", "institution_id").orderBy(F.col("papers").desc(), "partner_id")
        ),
    ).where(F.col("rank") <= top)
    if index_df is not None:
        ids = F.broadcast(index_df)
        ranked = (
            ranked.join(ids.select(F.col("inst").alias("institution_id"), F.col("institution_id").alias("id")), "institution_id")
            .join(ids.select(F.col("inst").alias("partner_id"), F.col("institution_id").alias("partner")), "partner_id")
            .drop("institution_id", "partner_id")
            .withColumnRenamed("id", "institution_id")
            .withColumnRenamed("partner", "partner_id")
        )
    return ranked.join(
        types_df.select(F.col("institution_id").alias("partner_id"), F.col("institution_type").alias("partner_type")),
        "partner_id",
        "left",
    ).select(
        "country_code",
        "city",
        "subfield",
        "institution_id",
        "partner_id",
        "partner_type",
        F.col("papers").alias("coauthored_papers"),
        F.col("rank").cast("int"),
    )


def network_concentration(edges_df: DataFrame, types_df: DataFrame, key: list[str] | None = None) -> DataFrame:
    """(*key, top2_edge_share, degree_gini, industry_share) of each institution network, whose
    edges (*key, inst_a, inst_b) name institutions as types_df (institution_id, institution_type)
    does: both ids, or both institution_index ints. key: the network's columns (default KEY; the
    stage passes its network ints). The edges are read twice, each time into an aggregation by
    network (a few hundred rows): once for the degrees, once for both shares, whose per-edge
    flags come from broadcast lookups (the top-2 institutions of each network, the companies),
    so the edge list is never shuffled whole."""
    key = key or KEY
    ends = edges_df.select(*key, F.col("inst_a").alias("institution_id")).union(edges_df.select(*key, F.col("inst_b")))
    degrees = ends.groupBy(*key, "institution_id").agg(F.count(F.lit(1)).alias("degree"))
    top2 = degrees.withColumn(
        "k", F.row_number().over(W.partitionBy(*key).orderBy(F.col("degree").desc(), "institution_id"))
    ).where("k <= 2")
    tops = top2.groupBy(*key).agg(F.collect_list("institution_id").alias("top2"))
    # Gini over degrees sorted ascending: (2 sum i x_i) / (n sum x) - (n + 1) / n, i from 1.
    ascending = degrees.withColumn("i", F.row_number().over(W.partitionBy(*key).orderBy("degree", "institution_id")))
    gini = ascending.groupBy(*key).agg(
        (
            2 * F.sum(F.col("i") * F.col("degree")) / (F.count(F.lit(1)) * F.sum("degree"))
            - (F.count(F.lit(1)) + 1) / F.count(F.lit(1))
        ).alias("degree_gini")
    )
    companies = F.broadcast(types_df.where(F.col("institution_type") == COMPANY).select("institution_id"))
    flagged = (
        edges_df.join(companies.select(F.col("institution_id").alias("inst_a"), F.lit(True).alias("a_company")), "inst_a", "left")
        .join(companies.select(F.col("institution_id").alias("inst_b"), F.lit(True).alias("b_company")), "inst_b", "left")
        .join(F.broadcast(tops), key)
    )
    shares = flagged.groupBy(*key).agg(
        F.avg((F.array_contains("top2", F.col("inst_a")) | F.array_contains("top2", F.col("inst_b"))).cast("double")).alias(
            "top2_edge_share"
        ),
        F.avg((F.coalesce("a_company", F.lit(False)) | F.coalesce("b_company", F.lit(False))).cast("double")).alias(
            "industry_share"
        ),
    )
    return shares.join(gini, key)


def heaviest_edges(edges_df: DataFrame, networks_df: DataFrame, index_df: DataFrame, top: int) -> DataFrame:
    """city_institution_edges: each network's `top` heaviest edges (net, inst ints) ranked by
    papers, then inst_a, inst_b (the ints' order is the ids'), named again: the network's city and
    subfield, the institutions' ids.

    Only the edges that can rank are sorted: a histogram of each network's edges by papers (a
    few hundred rows per network) gives its floor, the largest papers value that at least `top`
    of its edges reach (every edge when it has fewer), and an edge below the floor has `top`
    heavier edges ahead of it. The window then sorts those candidates (`top` plus the ties at the
    floor) instead of every edge of the network, where a network of a big city holds millions."""
    histogram = edges_df.groupBy("net", "papers").agg(F.count(F.lit(1)).alias("n"))
    at_least = histogram.withColumn(
        "reaching",
        F.sum("n").over(W.partitionBy("net").orderBy(F.col("papers").desc()).rowsBetween(W.unboundedPreceding, W.currentRow)),
    )
    floors = at_least.groupBy("net").agg(
        F.coalesce(F.max(F.when(F.col("reaching") >= top, F.col("papers"))), F.min("papers")).alias("floor")
    )
    candidates = edges_df.join(F.broadcast(floors), "net").where(F.col("papers") >= F.col("floor")).drop("floor")
    ranked = candidates.withColumn(
        "rank", F.row_number().over(W.partitionBy("net").orderBy(F.col("papers").desc(), "inst_a", "inst_b"))
    ).where(F.col("rank") <= top)
    ids = F.broadcast(index_df)
    return (
        ranked.join(F.broadcast(networks_df), "net")
        .join(ids.select(F.col("inst").alias("inst_a"), F.col("institution_id").alias("id_a")), "inst_a")
        .join(ids.select(F.col("inst").alias("inst_b"), F.col("institution_id").alias("id_b")), "inst_b")
        .select(*KEY, F.col("id_a").alias("inst_a"), F.col("id_b").alias("inst_b"), "papers", F.col("rank").cast("int"))
    )


def vertex_key(author_id: Column) -> Column:
    """A long id per author, the same on every run and cluster: the number of an OpenAlex id (a
    letter and digits, 'A5012345678' -> 5012345678), else the id's 64-bit hash (two ids of another
    form could share a hash: about one chance in 3,000 over 10^8 authors, for a share statistic)."""
    number = F.regexp_extract(author_id, r"^[A-Za-z](\d{1,18})$", 1)
    return F.when(number != "", number.cast("long")).otherwise(F.xxhash64(author_id))


def closed_circles(
    pairs_df: DataFrame, paper_networks_df: DataFrame, iterations: int, stash: Stash | None = None
) -> tuple[DataFrame, DataFrame]:
    """((net, closed_circle_share), the persisted communities): the share of a network's distinct
    co-author pairs (pairs on its papers) whose two authors carry one label after `iterations`
    rounds of GraphFrames' labelPropagation over the co-authorship graph of pairs_df.

    pairs_df (paper_id, author_a, author_b): the pairs of the papers whose communities are wanted
    (the focus cities' subfield papers), a row per paper and pair; paper_networks_df (paper_id,
    net): the networks (a city's subfield, network_cells) each paper belongs to. With a stash,
    the labels are read back from Parquet, so the two lookups that follow run natively instead of
    on the persisted GraphX result."""
    # Long vertex ids made from the author ids themselves: label propagation breaks a tie toward
    # the smallest label, so ids that GraphFrames would number by partition would make the
    # communities depend on the partitioning (a cluster and local mode disagreed).
    keyed = pairs_df.select(
        "paper_id", vertex_key(F.col("author_a")).alias("key_a"), vertex_key(F.col("author_b")).alias("key_b")
    )
    # One edge per co-authored paper: a pair that wrote three papers together weighs three
    # times in the label vote, so strong ties decide a community.
    vertices = keyed.select(F.col("key_a").alias("id")).union(keyed.select("key_b")).distinct()
    edges = keyed.select(F.col("key_a").alias("src"), F.col("key_b").alias("dst"))
    communities = label_propagation(graph_frame(vertices, edges), max_iter=iterations)
    labels = communities.select("id", "label")
    if stash is not None:
        labels = stash.put(labels, "community_labels")
    # Distinct (network, pair) first, on ints and longs: a pair that wrote many of a network's
    # papers is looked up once, and no city or subfield string is carried through the shuffles.
    network_pairs = keyed.join(paper_networks_df.select("paper_id", "net"), "paper_id").select("net", "key_a", "key_b").distinct()
    labelled = network_pairs.join(labels.select(F.col("id").alias("key_a"), F.col("label").alias("label_a")), "key_a").join(
        labels.select(F.col("id").alias("key_b"), F.col("label").alias("label_b")), "key_b"
    )
    result = labelled.groupBy("net").agg(
        F.avg((F.col("label_a") == F.col("label_b")).cast("double")).alias("closed_circle_share")
    )
    return result, communities


def run(ctx) -> dict:
    spark, wh, config = ctx.spark, ctx.warehouse, ctx.config
    with Stash(spark, "city_subfield") as stash:
        return _run(spark, wh, config, stash)


def _run(spark, wh, config, stash: Stash) -> dict:
    """The stage's body. What it reads several times goes to the stash (jobs.frames.Stash:
    Parquet that Comet's native scan reads) rather than to Spark's cache; the stash's files go
    when the stage ends."""
    settings = config.collaboration
    scoped = wh.read(spark, "paper_citations", "gold")
    papers_df = wh.read(spark, "papers", "silver").join(scoped.select("paper_id"), "paper_id", "left_semi")
    versions = {"paper_subfields": wh.write(tag_subfields(papers_df, config.scope.subfields), "paper_subfields", layer="gold")}
    tagged = wh.read(spark, "paper_subfields", "gold")
    authorships_df = wh.read(spark, "authorships", "silver")
    institutions_df = wh.read(spark, "institutions", "silver")
    all_places = stash.put(
        city_authorships(authorships_df.join(tagged.select("paper_id").distinct(), "paper_id", "left_semi"), institutions_df),
        "places",
    )
    years = scoped.select("paper_id", "publication_year")
    with_all = tagged.union(tagged.select("paper_id", F.lit(ALL).alias("subfield"))).distinct()
    versions["city_subfield_year"] = wh.write(city_subfield_year(with_all, years, all_places), "city_subfield_year", layer="gold")
    versions["city_comparison"] = wh.write(
        city_comparison(tagged, all_places, config.scope.focus_cities, list(config.scope.subfields)),
        "city_comparison",
        layer="gold",
    )
    h_df = subfield_h_index(tagged, authorships_df, scoped.select("paper_id", "citations"))
    versions["core_scholars"] = wh.write(
        core_scholars(tagged, all_places, h_df, settings.core_scholars), "core_scholars", layer="gold"
    )
    core_df = wh.read(spark, "core_scholars", "gold")

    # Co-authors are paired where they are read: each core scholar with their co-authors (the
    # top collaborators), and every pair on the focus cities' papers (the communities), not
    # every pair of every subfield paper. The focus pairs are read twice (the graph, its
    # labels), so stashed.
    shown = list(dict.fromkeys([*config.scope.focus_cities, config.scope.report_city]))
    # The pairable authors (at most max_authors_per_paper per paper) are found once: both sets
    # and the left-out count read them.
    kept, left_out = pairable_authors(tagged, authorships_df, settings.max_authors_per_paper)
    kept = stash.put(kept, "pairable_authors")
    coauthorships = stash.put(core_coauthorships(kept, tagged, core_df), "core_coauthorships")
    # The networks (a focus city's subfield) and their papers: the institution edges and the
    # communities' pairs both read them.
    networks, paper_networks = network_cells(tagged, all_places, shown)
    paper_networks = stash.put(paper_networks, "paper_networks")
    focus_pairs = stash.put(pairs_of(kept, paper_networks), "focus_pairs")
    left = left_out.count()
    edge_counts = {
        "core_scholar_coauthorships": coauthorships.count(),
        "coauthor_pairs_focus_cities": focus_pairs.count(),
        "papers_without_pairs": left,
    }
    if left:
        log.warning(
            "city_subfield: %s subfield papers with more than %d authors form no co-author pairs",
            f"{left:,}",
            settings.max_authors_per_paper,
        )
    log.info(
        "city_subfield: %s (paper, subfield, core scholar, co-author) rows, %s co-author pair rows (paper, pair) "
        "on the focus cities' papers",
        f"{edge_counts['core_scholar_coauthorships']:,}",
        f"{edge_counts['coauthor_pairs_focus_cities']:,}",
    )
    collaborators = rank_collaborators(coauthorships, settings.collaborators)
    placed = core_df.select("country_code", "city", "subfield", "author_id").join(collaborators, ["author_id", "subfield"])
    versions["core_scholar_collaborators"] = wh.write(
        placed.select(
            "country_code",
            "city",
            "subfield",
            "author_id",
            "collaborator_id",
            "coauthored_papers",
            F.col("rank").cast("int"),
            "scholar_coauthored_papers",
        ),
        "core_scholar_collaborators",
        layer="gold",
    )

    versions["core_institutions"] = wh.write(
        core_institutions(tagged, all_places, settings.core_institutions), "core_institutions", layer="gold"
    )
    types_df = institutions_df.select("institution_id", "institution_type")
    # The institution networks run on institution ints (institution_index) and network ints:
    # their pairs and edges are the stage's largest intermediate rows.
    index = stash.put(institution_index(institutions_df), "institution_index")
    institution_pairs = stash.put(paper_institution_pairs(with_institution_ints(all_places, index)), "institution_pairs")
    edge_counts["institution_pairs"] = institution_pairs.count()
    versions["core_institution_partners"] = wh.write(
        institution_partners(
            institution_pairs, tagged, wh.read(spark, "core_institutions", "gold"), types_df, settings.partners, index
        ),
        "core_institution_partners",
        layer="gold",
    )
    networks = stash.put(networks, "networks")
    edges = stash.put(institution_edges(paper_networks, institution_pairs), "institution_edges")
    edge_counts["focus_city_institution_edges"] = edges.count()
    log.info(
        "city_subfield: %s institution pairs on subfield papers, %s edges in the focus cities' networks",
        f"{edge_counts['institution_pairs']:,}",
        f"{edge_counts['focus_city_institution_edges']:,}",
    )
    versions["city_institution_edges"] = wh.write(
        heaviest_edges(edges, networks, index, settings.network_edges), "city_institution_edges", layer="gold"
    )
    typed_index = with_institution_ints(types_df, index)
    closed, communities = closed_circles(focus_pairs, paper_networks, settings.community_iterations, stash)
    network = (
        network_concentration(edges, typed_index, key=["net"])
        .join(closed, "net", "full")
        .join(F.broadcast(networks), "net")
        .drop("net")
    )
    try:
        top_partner = (
            wh.read(spark, "core_scholar_collaborators", "gold")
            .where("rank = 1")
            .groupBy("country_code", "city", "subfield")
            .agg(F.avg(F.col("coauthored_papers") / F.col("scholar_coauthored_papers")).alias("top_partner_share"))
        )
        cells = core_df.select(*KEY).distinct().where(F.lower("city").isin([c.lower() for c in shown]))
        concentration = (
            cells.join(top_partner, KEY, "left")
            .join(network, KEY, "left")
            .select(*KEY, "top_partner_share", "top2_edge_share", "degree_gini", "industry_share", "closed_circle_share")
        )
        versions["collaboration_concentration"] = wh.write(concentration, "collaboration_concentration", layer="gold")
    finally:
        communities.unpersist()
    return {"versions": versions, "edges": edge_counts}
