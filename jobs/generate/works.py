"""Works in OpenAlex's snapshot layout: the paper-level draws (jobs/generate/papers.py) dressed as
OpenAlex works, with their authorships, references and citation counts. They carry fields the
reader does not declare (schemas/raw.RAW_WORK: a topic's score and field, a concept's level, a
work's language), as OpenAlex's records do, so the ingest skips them as it does on real data."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from jobs.generate.columns import at, json_literal, lit_array, lit_array2, pick, unif
from jobs.generate.design import Design
from jobs.generate.ids import OPENALEX, openalex_id, work_number_col
from jobs.generate.reference import FIELDS, TITLE_OPENERS, TITLE_TARGETS, TOPICS

DOI_SHARE = 0.92
RETRACTED_SHARE = 0.001
FIRST_TOPIC_ID = 12000  # topic k is T<FIRST_TOPIC_ID + k>
FIRST_CONCEPT_ID = 40_000_000  # concepts are numbered in name order from here

_TAXON_DDL = "struct<id:string,display_name:string>"


def _taxon(prefix: str, key: str, name: str) -> dict:
    return {"id": f"{OPENALEX}{prefix}/{key}", "display_name": name}


def topic_struct_array() -> Column:
    """All topics as OpenAlex topic structs, in TOPICS order (the score is filled in per paper)."""
    structs = []
    for k, topic in enumerate(TOPICS):
        field = FIELDS[topic.field]
        structs.append(
            {
                "id": f"{OPENALEX}T{FIRST_TOPIC_ID + k}",
                "display_name": topic.name,
                "subfield": _taxon("subfields", *topic.subfield),
                "field": _taxon("fields", field.id, field.name),
                "domain": _taxon("domains", field.domain_id, field.domain_name),
            }
        )
    ddl = f"array<struct<id:string,display_name:string,subfield:{_TAXON_DDL},field:{_TAXON_DDL},domain:{_TAXON_DDL}>>"
    return json_literal(structs, ddl)


def _concept_ids() -> dict[str, int]:
    names = sorted({c for topic in TOPICS for c in topic.concepts} | {field.name for field in FIELDS.values()})
    return {name: FIRST_CONCEPT_ID + k for k, name in enumerate(names)}


def concept_array() -> Column:
    """Per topic: its field's concept (level 0) and its own concepts (level 1, then 2)."""
    ids = _concept_ids()
    per_topic = []
    for topic in TOPICS:
        items = [(FIELDS[topic.field].name, 0)] + [(c, 1 if k == 0 else 2) for k, c in enumerate(topic.concepts)]
        per_topic.append([{"id": f"{OPENALEX}C{ids[name]}", "display_name": name, "level": level} for name, level in items])
    return json_literal(per_topic, "array<array<struct<id:string,display_name:string,level:int>>>")


def _related_topics() -> list[list[int]]:
    """Same-field ordinary topics of each topic (secondary topics come from these)."""
    out = []
    for k, topic in enumerate(TOPICS):
        same = [m for m, other in enumerate(TOPICS) if other.field == topic.field and other.weight > 0 and m != k]
        out.append(same or [k])
    return out


def _scored(seed: int, salt: str, paper: Column, low: float, width: float) -> Column:
    """A score in [low, low + width), rounded to 4 decimals."""
    return F.round(F.lit(low) + F.lit(width) * unif(seed, salt, paper), 4)


def build_works(
    design: Design, seed: int, papers_df: DataFrame, authorships_df: DataFrame, refs_df: DataFrame, cites_df: DataFrame
) -> DataFrame:
    """Works in OpenAlex's layout, plus the numeric key p for partitioning and sorting."""
    paper, topic = F.col("p"), F.col("topic")
    year = (F.lit(design.year_start) + F.col("t")).cast("int")
    topics = topic_struct_array()
    related = _related_topics()
    n_related = at(lit_array([len(r) for r in related]), topic)

    def topic_at(k: Column, score: Column) -> Column:
        struct = at(topics, k)
        return F.struct(
            struct["id"].alias("id"),
            struct["display_name"].alias("display_name"),
            F.round(score, 4).alias("score"),
            struct["subfield"].alias("subfield"),
            struct["field"].alias("field"),
            struct["domain"].alias("domain"),
        )

    primary_score = F.lit(0.9) + F.lit(0.1) * unif(seed, "tscore", paper)
    second, third = [
        at(at(lit_array2(related, "int"), topic), F.floor(unif(seed, f"topic{k}", paper) * n_related).cast("int")) for k in (2, 3)
    ]
    # Primary topic, then up to two distinct related ones; the paper keeps 1 to 3 of them.
    topic_list = F.slice(
        F.array_compact(
            F.array(
                topic_at(topic, primary_score),
                F.when(second != topic, topic_at(second, F.lit(0.4) + F.lit(0.4) * unif(seed, "tscore2", paper))),
                F.when(
                    (third != topic) & (third != second), topic_at(third, F.lit(0.3) + F.lit(0.3) * unif(seed, "tscore3", paper))
                ),
            )
        ),
        F.lit(1),
        (F.lit(1) + F.floor(unif(seed, "n_topics", paper) * 3)).cast("int"),
    )

    concepts_of = at(concept_array(), topic)
    concepts = F.array(
        *[
            F.struct(
                at(concepts_of, F.lit(k))["id"].alias("id"),
                at(concepts_of, F.lit(k))["display_name"].alias("display_name"),
                at(concepts_of, F.lit(k))["level"].alias("level"),
                _scored(seed, f"cscore{k}", paper, 0.3, 0.65).alias("score"),
            )
            for k in range(4)
        ]
    )
    keywords_of = at(lit_array2([list(tp.keywords) for tp in TOPICS], "string"), topic)
    keywords = F.array(
        *[
            F.struct(
                F.concat(
                    F.lit(OPENALEX + "keywords/"), F.regexp_replace(F.lower(at(keywords_of, F.lit(k))), "[^a-z0-9]+", "-")
                ).alias("id"),
                at(keywords_of, F.lit(k)).alias("display_name"),
                _scored(seed, f"kscore{k}", paper, 0.3, 0.65).alias("score"),
            )
            for k in range(3)
        ]
    )
    title_terms = lit_array2([[kw.title() if kw[0].islower() else kw for kw in tp.keywords] for tp in TOPICS], "string")
    title = F.concat_ws(
        " ",
        pick(TITLE_OPENERS, unif(seed, "title1", paper)),
        at(at(title_terms, topic), F.floor(unif(seed, "title2", paper) * 3).cast("int")),
        F.lit("for"),
        pick(TITLE_TARGETS, unif(seed, "title3", paper)),
    )
    number = work_number_col(design, paper)
    month = F.lpad((F.lit(1) + F.floor(unif(seed, "month", paper) * 12)).cast("string"), 2, "0")
    day = F.lpad((F.lit(1) + F.floor(unif(seed, "day", paper) * 28)).cast("string"), 2, "0")
    doi = F.concat(
        F.lit("https://doi.org/10."),
        (F.lit(1000) + F.pmod(F.xxhash64(F.lit(seed), F.lit("doi"), paper), F.lit(9000))).cast("string"),
        F.lit("/scintel."),
        number.cast("string"),
    )
    return (
        papers_df.join(authorships_df, on="p", how="inner")
        .join(refs_df, on="p", how="left")
        .join(cites_df, on="p", how="left")
        .select(
            paper.alias("key"),
            openalex_id("W", number).alias("id"),
            F.when(unif(seed, "has_doi", paper) < DOI_SHARE, doi).alias("doi"),
            title.alias("title"),
            year.alias("publication_year"),
            F.concat(year.cast("string"), F.lit("-"), month, F.lit("-"), day).alias("publication_date"),
            F.when(F.col("is_review"), "review").otherwise("article").alias("type"),
            F.lit("en").alias("language"),
            F.coalesce(F.col("cited_by_count"), F.lit(0)).cast("bigint").alias("cited_by_count"),
            F.coalesce(F.col("counts_by_year"), F.array().cast("array<struct<year:int,cited_by_count:bigint>>")).alias(
                "counts_by_year"
            ),
            F.coalesce(F.col("referenced_works"), F.array().cast("array<string>")).alias("referenced_works"),
            F.col("authorships"),
            topic_at(topic, primary_score).alias("primary_topic"),
            topic_list.alias("topics"),
            concepts.alias("concepts"),
            keywords.alias("keywords"),
            (unif(seed, "retracted", paper) < RETRACTED_SHARE).alias("is_retracted"),
            F.concat(F.lit("2025-"), month, F.lit("-"), day, F.lit("T00:00:00.000000")).alias("updated_date"),
        )
    )
