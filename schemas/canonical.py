"""Canonical (silver) Delta tables every analysis reads. Writers `select` to these schemas.

Ids are OpenAlex ids without the URL prefix (`W123`, `A456`, `I789`); patents keep their own ids.
"""

from pyspark.sql import types as T


def _struct(*fields: tuple) -> T.StructType:
    return T.StructType([T.StructField(name, dtype, nullable) for name, dtype, nullable in fields])


_STR_ARRAY = T.ArrayType(T.StringType())

# One row per work. Grain: paper_id.
PAPERS = _struct(
    ("paper_id", T.StringType(), False),
    ("doi", T.StringType(), True),
    ("title", T.StringType(), True),
    ("publication_year", T.IntegerType(), False),
    ("work_type", T.StringType(), True),
    ("is_review", T.BooleanType(), False),
    ("cited_by_count", T.LongType(), True),
    ("field_id", T.StringType(), True),
    ("field_name", T.StringType(), True),
    ("subfield_name", T.StringType(), True),
    ("primary_topic_id", T.StringType(), True),
    ("primary_topic_name", T.StringType(), True),
    ("topic_names", _STR_ARRAY, False),
    ("concept_names", _STR_ARRAY, False),
    ("keyword_names", _STR_ARRAY, False),
    (
        "counts_by_year",
        T.ArrayType(T.StructType([T.StructField("year", T.IntegerType()), T.StructField("cited_by_count", T.LongType())])),
        False,
    ),
    ("n_authors", T.IntegerType(), False),
    ("n_references", T.IntegerType(), False),
    ("updated_date", T.StringType(), True),
)

# One row per (paper, author, institution); an authorship without institution has one row with
# institution_id null. Grain: (paper_id, author_order, institution_id).
AUTHORSHIPS = _struct(
    ("paper_id", T.StringType(), False),
    ("author_id", T.StringType(), False),
    ("author_order", T.IntegerType(), False),
    ("author_position", T.StringType(), True),
    ("is_corresponding", T.BooleanType(), True),
    ("institution_id", T.StringType(), True),
    ("country_code", T.StringType(), True),
    ("n_author_institutions", T.IntegerType(), False),
    ("publication_year", T.IntegerType(), False),
)

# One row per reference of an ingested work. cited_paper_id may point outside the corpus
# (dangling), as in any slice of OpenAlex. Grain: (citing_paper_id, cited_paper_id).
CITATIONS = _struct(
    ("citing_paper_id", T.StringType(), False),
    ("cited_paper_id", T.StringType(), False),
    ("citing_year", T.IntegerType(), False),
)

# One row per institution. canonical_id/canonical_name apply conf institutions.canonical rules
# (e.g. UC campuses -> University of California system); without a rule they equal the
# institution itself. Grain: institution_id.
INSTITUTIONS = _struct(
    ("institution_id", T.StringType(), False),
    ("display_name", T.StringType(), True),
    ("ror", T.StringType(), True),
    ("country_code", T.StringType(), True),
    ("institution_type", T.StringType(), True),
    ("city", T.StringType(), True),
    ("region", T.StringType(), True),
    ("latitude", T.DoubleType(), True),
    ("longitude", T.DoubleType(), True),
    ("canonical_id", T.StringType(), False),
    ("canonical_name", T.StringType(), True),
    ("source", T.StringType(), False),
)

# One row per author: every author of an OpenAlex author record (source 'author_record') plus
# every author who appears only in works' authorships (source 'works', stats null).
# Grain: author_id.
AUTHORS = _struct(
    ("author_id", T.StringType(), False),
    ("display_name", T.StringType(), True),
    ("orcid", T.StringType(), True),
    ("works_count", T.LongType(), True),
    ("cited_by_count", T.LongType(), True),
    ("source_h_index", T.IntegerType(), True),
    ("source_i10_index", T.IntegerType(), True),
    ("updated_date", T.StringType(), True),
    ("source", T.StringType(), False),
)

# Where an author was, year by year. source 'works': from authorships (n_papers = that year's
# papers at that institution); source 'author_record': from the author entity's affiliations
# (n_papers null). Grain: (author_id, institution_id, year, source).
AUTHOR_AFFILIATION_YEARS = _struct(
    ("author_id", T.StringType(), False),
    ("institution_id", T.StringType(), False),
    ("year", T.IntegerType(), False),
    ("source", T.StringType(), False),
    ("n_papers", T.LongType(), True),
)

# One row per granted patent family. Grain: patent_id.
PATENTS = _struct(
    ("patent_id", T.StringType(), False),
    ("family_id", T.StringType(), True),
    ("grant_year", T.IntegerType(), False),
    ("office", T.StringType(), True),
    ("title", T.StringType(), True),
    ("cpc_codes", _STR_ARRAY, False),
    ("topics", _STR_ARRAY, False),
    ("keywords", _STR_ARRAY, False),
    ("market_value_usd", T.DoubleType(), True),
    ("cited_paper_ids", _STR_ARRAY, False),
    ("n_assignees", T.IntegerType(), False),
)

# One row per (patent, assignee). canonical_assignee applies conf patents.assignee_canonical.
# Grain: (patent_id, assignee_order).
PATENT_ASSIGNEES = _struct(
    ("patent_id", T.StringType(), False),
    ("assignee_order", T.IntegerType(), False),
    ("assignee_name", T.StringType(), True),
    ("canonical_assignee", T.StringType(), True),
    ("country_code", T.StringType(), True),
    ("assignee_type", T.StringType(), True),
    ("grant_year", T.IntegerType(), False),
)

# Rejected input, never dropped silently. Grain: one rejected record (or sub-record).
QUARANTINE = _struct(
    ("source", T.StringType(), False),
    ("source_file", T.StringType(), True),
    ("record_id", T.StringType(), True),
    ("reason", T.StringType(), False),
    ("raw", T.StringType(), True),
)

CANONICAL_TABLES = {
    "papers": PAPERS,
    "authorships": AUTHORSHIPS,
    "citations": CITATIONS,
    "institutions": INSTITUTIONS,
    "authors": AUTHORS,
    "author_affiliation_years": AUTHOR_AFFILIATION_YEARS,
    "patents": PATENTS,
    "patent_assignees": PATENT_ASSIGNEES,
    "quarantine": QUARANTINE,
}
