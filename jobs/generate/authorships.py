"""Authorships: who wrote each paper, from where.

Slot j of a paper has the paper's lead country, or its collaborator country on international
papers; it picks an author group eligible for (country, year) (design.group_choices), then an
author inside the group by a power law, so productive authors keep a low rank for their whole
career. An author's institution is a hash of (author, career epoch): movers change institution
and country at their move year, and some stayers change institution once inside their country.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.window import Window

from jobs.generate.authors import author_name, author_orcid
from jobs.generate.columns import at, bin_index, lit_array, local_table, power_rank, unif
from jobs.generate.design import NEVER_MOVES, Design
from jobs.generate.ids import AUTHOR_ID_BASE, INST_KEY_STRIDE, openalex_id
from jobs.generate.reference import COUNTRY_CODES

INST_ALPHA = 1.8  # power law over an author's country's institutions (named ones are biggest)
AUTHOR_ALPHA = 1.8  # power law over authors inside a group (rank 0 = most productive)
AUTHOR_ALPHA_HOT = 3.0  # hot papers lean on productive authors (stars write the cited papers)
COLLAB_SLOT_SHARE = 0.3  # on an international paper: the last slot, and this share of the others but the first
LOCAL_MOVE_SHARE = 0.15  # authors (outside mover groups) who change institution once, inside their country
SECOND_INST_SHARE = 0.12  # authors with a second affiliation ...
SECOND_INST_ON_PAPER = 0.3  # ... which shows on this share of their papers

# Group attributes shipped per (country, year) choice list, aligned with the choices' bounds,
# with their column types.
_GROUP_ATTRS = {"c1": "int", "c2": "int", "move_t": "int", "n": "bigint", "base": "bigint"}


def _group_choice_table(spark: SparkSession, design: Design) -> tuple[DataFrame, int]:
    """One row per (country, year), key cy = country * 100 + year index: `bounds`, the cumulative
    pick bounds of the eligible groups, padded with 1.0 to a common width, and per group attribute
    an array aligned with them (padded with the last group, never picked past bound 1.0):
    g_c1 (origin), g_c2 (destination), g_move_t (move year index), g_n (size), g_base (first author)."""
    width = max(len(choices) for choices in design.group_choices.values())
    rows = []
    for country, year_idx in sorted(design.group_choices):
        choices = design.group_choices[(country, year_idx)]
        padded = [design.groups[choice.group] for choice in choices + [choices[-1]] * (width - len(choices))]
        rows.append(
            (
                country * 100 + year_idx,
                [choice.upper_bound for choice in choices] + [1.0] * (width - len(choices)),
                [group.origin for group in padded],
                [group.destination for group in padded],
                [group.move_year for group in padded],
                [group.size for group in padded],
                [group.first_author for group in padded],
            )
        )
    schema = "cy int, bounds array<double>, " + ", ".join(f"g_{name} array<bigint>" for name in _GROUP_ATTRS)
    return local_table(spark, rows, schema), width


def authorship_rows(spark: SparkSession, design: Design, seed: int, papers_df: DataFrame, inst_ref_df: DataFrame) -> DataFrame:
    """Grain: (paper, distinct author), in byline order: p, t, rank, a (author number), c1 (home
    country index), c (country index that year), inst_keys and `authorship`, the RAW_AUTHORSHIP
    struct."""
    choice_df, width = _group_choice_table(spark, design)
    paper, slot, year_idx, author = F.col("p"), F.col("j"), F.col("t"), F.col("a")
    is_collab_slot = F.col("is_intl") & (
        (slot == F.col("team") - 1) | ((slot > 0) & (unif(seed, "collab_slot", paper, slot) < COLLAB_SLOT_SHARE))
    )
    slot_country = F.when(is_collab_slot, F.col("collab_c")).otherwise(F.col("lead_c"))
    author_alpha = F.when(F.col("is_hotlike"), F.lit(AUTHOR_ALPHA_HOT)).otherwise(F.lit(AUTHOR_ALPHA))
    # An author's career is a pure function of the author (and group): every paper agrees on it.
    local_move = (unif(seed, "local_move", author) < LOCAL_MOVE_SHARE) & (
        year_idx >= F.lit(1) + F.floor(unif(seed, "local_move_year", author) * (len(design.years) - 1))
    )
    epoch = F.when(F.col("move_t") < NEVER_MOVES, (year_idx >= F.col("move_t")).cast("int")).otherwise(local_move.cast("int"))
    n_institutions = at(lit_array(design.institutions_per_country, "bigint"), F.col("c"))

    def institution(salt: str) -> Column:
        rank = power_rank(n_institutions, unif(seed, salt, author, F.col("epoch")), INST_ALPHA)
        return F.col("c").cast("bigint") * INST_KEY_STRIDE + rank

    has_second = (unif(seed, "has_second", author) < SECOND_INST_SHARE) & (
        unif(seed, "second_on_paper", paper, slot) < SECOND_INST_ON_PAPER
    )
    first_slot = Window.partitionBy("p", "a").orderBy("j").rowsBetween(Window.unboundedPreceding, Window.currentRow)
    byline = Window.partitionBy("p").orderBy("j").rowsBetween(Window.unboundedPreceding, Window.currentRow)
    whole_paper = Window.partitionBy("p").rowsBetween(Window.unboundedPreceding, Window.unboundedFollowing)
    slots_df = (
        papers_df.select(
            "p",
            "t",
            "team",
            "lead_c",
            "collab_c",
            "is_intl",
            "is_hotlike",
            F.explode(F.sequence(F.lit(0), F.col("team") - 1)).alias("j"),
        )
        .withColumn("cy", slot_country * 100 + year_idx)
        .join(F.broadcast(choice_df), on="cy", how="inner")
        .withColumn("u_group", unif(seed, "group", paper, slot))
        .withColumn("gi", bin_index(F.col("bounds"), width, F.col("u_group")))
        .select(
            "p",
            "t",
            "j",
            "is_hotlike",
            *[at(F.col(f"g_{name}"), F.col("gi")).cast(typ).alias(name) for name, typ in _GROUP_ATTRS.items()],
        )
        .withColumn("a", F.col("base") + power_rank(F.col("n"), unif(seed, "author", paper, slot), author_alpha).cast("bigint"))
        .withColumn("epoch", epoch)
        .withColumn("c", F.when(year_idx >= F.col("move_t"), F.col("c2")).otherwise(F.col("c1")))
        .withColumn("inst_key", institution("inst"))
        .withColumn("sec_key", F.when(has_second & (institution("second_inst") != F.col("inst_key")), institution("second_inst")))
        # An author drawn twice for one paper keeps the first slot (same author, same country).
        .withColumn("dup", F.row_number().over(first_slot))
        .filter(F.col("dup") == 1)
        .withColumn("rank", F.row_number().over(byline))
        .withColumn("n_authors", F.count(F.lit(1)).over(whole_paper))
    )
    primary = inst_ref_df.select("inst_key", "inst")
    secondary = inst_ref_df.select(F.col("inst_key").alias("sec_key"), F.col("inst").alias("sec_inst"))
    has_sec = F.col("sec_key").isNotNull()
    position = F.when(F.col("rank") == 1, "first").when(F.col("rank") == F.col("n_authors"), "last").otherwise("middle")
    authorship = F.struct(
        position.alias("author_position"),
        F.struct(
            openalex_id("A", F.lit(AUTHOR_ID_BASE) + author).alias("id"),
            author_name(seed, author, F.col("c1")).alias("display_name"),
            author_orcid(seed, author).alias("orcid"),
        ).alias("author"),
        F.when(has_sec, F.array("inst", "sec_inst")).otherwise(F.array("inst")).alias("institutions"),
        F.array(at(lit_array(COUNTRY_CODES), F.col("c"))).alias("countries"),
        (F.col("rank") == 1).alias("is_corresponding"),
    )
    return (
        slots_df.join(F.broadcast(primary), on="inst_key", how="inner")
        .join(F.broadcast(secondary), on="sec_key", how="left")
        .select(
            "p",
            "t",
            "rank",
            "a",
            "c1",
            "c",
            F.when(has_sec, F.array("inst_key", "sec_key")).otherwise(F.array("inst_key")).alias("inst_keys"),
            authorship.alias("authorship"),
        )
    )


def paper_authorships(rows_df: DataFrame) -> DataFrame:
    """Grain: paper: p, authorships (array in byline order; rows are partitioned on p: no shuffle)."""
    return rows_df.groupBy("p").agg(
        F.transform(F.sort_array(F.collect_list(F.struct("rank", "authorship"))), lambda x: x["authorship"]).alias("authorships")
    )


def author_works(rows_df: DataFrame, cites_df: DataFrame) -> DataFrame:
    """Grain: (author, paper): p, t, a, c1, inst_keys, cites (the paper's citations, 0 if none)."""
    return (
        rows_df.select("p", "t", "a", "c1", "inst_keys")
        .join(cites_df.select("p", "cited_by_count"), on="p", how="left")
        .withColumn("cites", F.coalesce(F.col("cited_by_count"), F.lit(0)))
        .drop("cited_by_count")
    )
