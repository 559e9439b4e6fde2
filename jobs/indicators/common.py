"""Pieces every indicator shares: scope, a paper's citations, who a paper counts for.

Counting (SPEC): full counting gives a paper 1 for every distinct country / institution among
its authors. Fractional counting (CWTS Leiden) gives each author 1/n_authors of the paper,
split evenly over that author's institutions; an author without institution keeps their share
on their lone country when OpenAlex names one (country tables) and it is unattributed otherwise,
so a paper's weights sum to at most 1.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import Window as W
from pyspark.sql import functions as F

from jobs.config import Scope

FULL = "full"
FRACTIONAL = "fractional"


def in_year_window(year: Column, scope: Scope) -> Column:
    return year.between(scope.year_start, scope.year_end)


def _any_term(names: Column, terms: list[str]) -> Column:
    lowered = [t.lower() for t in terms]
    return F.exists(names, lambda n: F.greatest(*[F.lower(n).contains(t) for t in lowered], F.lit(False)))


def papers_in_scope(papers_df: DataFrame, scope: Scope) -> DataFrame:
    """Papers of the configured window and domain (empty domain lists keep every field)."""
    condition = in_year_window(F.col("publication_year"), scope)
    if scope.paper_fields:
        fields = [f.lower() for f in scope.paper_fields]
        condition = condition & (F.lower(F.col("field_name")).isin(fields) | F.lower(F.col("subfield_name")).isin(fields))
    if scope.paper_topics:
        names = F.concat(F.col("topic_names"), F.col("concept_names"), F.col("keyword_names"))
        condition = condition & _any_term(names, scope.paper_topics)
    return papers_df.where(condition)


def patents_in_scope(patents_df: DataFrame, scope: Scope) -> DataFrame:
    condition = in_year_window(F.col("grant_year"), scope)
    if scope.patent_cpc_prefixes or scope.patent_topics:
        domain = F.lit(False)
        if scope.patent_cpc_prefixes:
            prefixes = [p.upper() for p in scope.patent_cpc_prefixes]
            domain = domain | F.exists(
                F.col("cpc_codes"), lambda c: F.greatest(*[c.startswith(p) for p in prefixes], F.lit(False))
            )
        if scope.patent_topics:
            domain = domain | _any_term(F.concat(F.col("topics"), F.col("keywords")), scope.patent_topics)
        condition = condition & domain
    return patents_df.where(condition)


def with_citations(papers_df: DataFrame, citations_df: DataFrame) -> DataFrame:
    """Adds `citations` (total citations of the paper) and `citation_source`.

    The source's cited_by_count when present (the full count, also from outside the corpus
    slice), else the in-corpus citing edges. Skew: the in-corpus count is one group-by on
    cited_paper_id; a hub paper with 100k citations is one partial aggregate per map task, not a
    hot partition (group-by aggregates combine map-side).

    OpenAlex gives every work a cited_by_count, so the edge count is usually never used: one
    look at the papers' cited_by_count column (a Spark job that stops at the first null) decides,
    and when none is null the edges are not read at all. Same rows either way; this skips a
    group-by over every citation edge in each stage that needs citations.
    """
    if papers_df.where(F.col("cited_by_count").isNull()).isEmpty():
        return papers_df.select(
            *papers_df.columns,
            F.col("cited_by_count").cast("long").alias("citations"),
            F.lit("source_cited_by_count").alias("citation_source"),
        )
    in_corpus = citations_df.groupBy(F.col("cited_paper_id").alias("paper_id")).agg(F.count(F.lit(1)).alias("in_corpus"))
    return papers_df.join(in_corpus, "paper_id", how="left").select(
        *papers_df.columns,
        F.coalesce(F.col("cited_by_count"), F.col("in_corpus"), F.lit(0)).alias("citations"),
        F.when(F.col("cited_by_count").isNotNull(), F.lit("source_cited_by_count"))
        .otherwise(F.lit("in_corpus_edges"))
        .alias("citation_source"),
    )


def paper_countries(authorships_df: DataFrame) -> DataFrame:
    """Full counting: (paper_id, country_code) once per distinct author country."""
    return authorships_df.where(F.col("country_code").isNotNull()).select("paper_id", "country_code").distinct()


def fractional_weights(authorships_df: DataFrame) -> DataFrame:
    """(paper_id, institution_id, country_code, weight) per authorship row, CWTS style.

    weight = 1 / n_authors(paper) / max(1, n_author_institutions). n_authors counts the distinct
    authors the corpus kept for the paper (author_order), so weights of a paper sum to 1 when
    every author has an institution or a lone country. n_authors is the paper's largest dense
    rank of author_order: two windows over one shuffle and sort by paper, where a count of
    distinct orders joined back shuffled the authorships three times for the same weights.
    A window buffers one paper's rows (a 5,000-author paper: 5,000 rows), and nothing
    is collected per row.
    """
    ranked = authorships_df.select(
        "paper_id",
        "institution_id",
        "country_code",
        "n_author_institutions",
        F.dense_rank().over(W.partitionBy("paper_id").orderBy("author_order")).alias("order_rank"),
    )
    n_authors = F.max("order_rank").over(W.partitionBy("paper_id"))
    return ranked.select(
        "paper_id",
        "institution_id",
        "country_code",
        (F.lit(1.0) / n_authors / F.greatest(F.col("n_author_institutions"), F.lit(1))).alias("weight"),
    )


def rank_desc(*values: str, within: tuple[str, ...] = ()) -> Column:
    """Competition rank (1, 2, 2, 4) by the value columns, descending; ties share a rank.

    Values are compared rounded to 9 decimals: a fractional count is a sum of doubles, and the
    same sum added in another order (other partitions, other executors) can come out one ulp
    apart, which would split a tie into two ranks and make the ranking depend on the cluster.
    Integer counts are unaffected.

    `within`: rank separately per value of these columns (e.g. counting). A window without
    partition keys (or with a few): only for gold tables already aggregated to a few thousand
    rows (countries, institutions), never on raw data.
    """
    window = W.partitionBy(*within) if within else W
    return F.rank().over(window.orderBy(*[F.round(F.col(v), RANK_DECIMALS).desc() for v in values]))


RANK_DECIMALS = 9


def h_index_of(citations: Column, rank: Column) -> Column:
    """Aggregate over rows ranked by citations descending (row_number): largest rank r with
    citations >= r, 0 when none."""
    return F.coalesce(F.max(F.when(citations >= rank, rank)), F.lit(0))


def country_units(authorships_df: DataFrame) -> DataFrame:
    """(paper_id, country_code, full, fractional): who a paper counts for, by country, under both
    countings: one row per distinct author country; `full` is 1, `fractional` the paper's CWTS
    weights on that country (fractional_weights)."""
    weighted = fractional_weights(authorships_df).where(F.col("country_code").isNotNull())
    return _both_countings(weighted, "country_code")


def institution_units(authorships_df: DataFrame, institutions_df: DataFrame) -> DataFrame:
    """(paper_id, canonical_id, full, fractional): who a paper counts for, by canonical
    institution, under both countings (as country_units)."""
    canonical = institutions_df.select("institution_id", "canonical_id")
    weighted = (
        fractional_weights(authorships_df)
        .where(F.col("institution_id").isNotNull())
        .join(canonical, "institution_id", how="inner")
    )
    return _both_countings(weighted, "canonical_id")


def _both_countings(weighted_df: DataFrame, unit: str) -> DataFrame:
    """One group-by gives both countings: full counting is the distinct (paper, unit) pairs,
    fractional the sum of weights over the same pairs. Computed together, the authorships are
    joined to their papers once instead of once per counting, with the same rows as two
    separate group-bys."""
    return weighted_df.groupBy("paper_id", unit).agg(F.lit(1.0).alias(FULL), F.sum("weight").alias(FRACTIONAL))


def counted_totals(papers_df: DataFrame, units_df: DataFrame, keys: list[str]) -> DataFrame:
    """counting + keys + papers (sum of weights), citations (weighted), mean_citations: one row
    per counting (full, fractional) and key.

    papers_df: (paper_id, publication_year, citations, ...); units_df: (paper_id, unit, full,
    fractional) from country_units or institution_units. Skew: a country with 30% of the
    world's papers is a group-by key, aggregated map-side.
    """
    joined = papers_df.select("paper_id", "publication_year", "citations").join(units_df, "paper_id", how="inner")
    totals = joined.groupBy(*keys).agg(
        *[
            agg
            for counting in (FULL, FRACTIONAL)
            for agg in (
                F.sum(counting).alias(f"papers_{counting}"),
                F.sum(F.col(counting) * F.col("citations")).alias(f"citations_{counting}"),
            )
        ]
    )
    rows = totals.select(
        *keys,
        F.inline(
            F.array(
                *[
                    F.struct(
                        F.lit(counting).alias("counting"),
                        F.col(f"papers_{counting}").cast("double").alias("papers"),
                        F.col(f"citations_{counting}").cast("double").alias("citations"),
                    )
                    for counting in (FULL, FRACTIONAL)
                ]
            )
        ),
    )
    return rows.select(
        "counting",
        *keys,
        "papers",
        "citations",
        F.when(F.col("papers") > 0, F.col("citations") / F.col("papers")).alias("mean_citations"),
    )


def most_frequent(rows_df: DataFrame, key: str, value: str, n: int) -> DataFrame:
    """(key, top): per key, its n most frequent values (ties by value), most frequent first.
    A group-by on (key, value), then a window per key over its distinct values only."""
    counted = rows_df.where(F.col(value).isNotNull()).groupBy(key, value).agg(F.count(F.lit(1)).alias("n"))
    ranked = counted.withColumn("k", F.row_number().over(W.partitionBy(key).orderBy(F.col("n").desc(), value)))
    return (
        ranked.where(F.col("k") <= n)
        .groupBy(key)
        .agg(F.transform(F.array_sort(F.collect_list(F.struct("k", value))), lambda s: s[value]).alias("top"))
    )
