"""Schemas of the raw inputs scintel reads. Readers always use these; nothing is inferred.

OpenAlex entities are read in the snapshot layout OpenAlex publishes (one JSON entity per line,
gzipped or not, many part files). Only the fields scintel uses are declared: Spark's JSON reader
skips the rest (abstract_inverted_index, locations, ... are never materialised). Ids keep their
URL form here (`https://openalex.org/W123`); ingest strips the prefix.

Patents have no open snapshot with market values, so scintel defines its own layout: JSON Lines,
one granted patent family per line:

    {"id": "US-11423456-B2",          # required, unique: family or publication id
     "family_id": "F123",              # optional
     "grant_year": 2020,               # required, 1800..2100
     "office": "US",                   # filing/granting office (ISO-2 or EP/WO)
     "title": "...",
     "assignees": [{"name": "Acme Corp", "country": "US", "type": "company"}],
     "cpc": ["G06N3/08", "G06F16/35"],
     "topics": ["machine learning"],   # topic terms matched against paper topics
     "keywords": ["neural network"],
     "market_value_usd": 1250000.0,    # KPSS-style value in USD, null when unknown
     "cited_works": ["W2741809807"]}   # optional patent-to-paper citations (OpenAlex ids)

Parquet files with the same columns are read too (see jobs.ingest.patents).
"""

from pyspark.sql import types as T

CORRUPT_COLUMN = "_corrupt_record"

_ID_NAME = [
    T.StructField("id", T.StringType()),
    T.StructField("display_name", T.StringType()),
]

RAW_INSTITUTION_REF = T.StructType(
    _ID_NAME
    + [
        T.StructField("ror", T.StringType()),
        T.StructField("country_code", T.StringType()),
        T.StructField("type", T.StringType()),
        T.StructField("lineage", T.ArrayType(T.StringType())),
    ]
)

RAW_AUTHORSHIP = T.StructType(
    [
        T.StructField("author_position", T.StringType()),
        T.StructField(
            "author",
            T.StructType(_ID_NAME + [T.StructField("orcid", T.StringType())]),
        ),
        T.StructField("institutions", T.ArrayType(RAW_INSTITUTION_REF)),
        T.StructField("countries", T.ArrayType(T.StringType())),
        T.StructField("is_corresponding", T.BooleanType()),
    ]
)

_TAXON = T.StructType(_ID_NAME)

# A work's topic, concepts and keywords are read for their names only (papers' topic_names,
# concept_names, keyword_names, which the domain filter and the subfield tags match); the primary
# topic also for its id, field and subfield. Their scores, levels, ids and the topics' own
# field/subfield/domain are left undeclared like any other unused field: each declared leaf is
# converted on every record of the corpus and written to bronze (about a third of a work's values).
_NAME = T.StructType([T.StructField("display_name", T.StringType())])

RAW_PRIMARY_TOPIC = T.StructType(_ID_NAME + [T.StructField("subfield", _TAXON), T.StructField("field", _TAXON)])

RAW_COUNTS_BY_YEAR = T.ArrayType(
    T.StructType(
        [
            T.StructField("year", T.IntegerType()),
            T.StructField("cited_by_count", T.LongType()),
        ]
    )
)

RAW_WORK = T.StructType(
    [
        T.StructField("id", T.StringType()),
        T.StructField("doi", T.StringType()),
        T.StructField("title", T.StringType()),
        T.StructField("publication_year", T.IntegerType()),
        T.StructField("type", T.StringType()),
        T.StructField("cited_by_count", T.LongType()),
        T.StructField("counts_by_year", RAW_COUNTS_BY_YEAR),
        T.StructField("referenced_works", T.ArrayType(T.StringType())),
        T.StructField("authorships", T.ArrayType(RAW_AUTHORSHIP)),
        T.StructField("primary_topic", RAW_PRIMARY_TOPIC),
        T.StructField("topics", T.ArrayType(_NAME)),
        T.StructField("concepts", T.ArrayType(_NAME)),
        T.StructField("keywords", T.ArrayType(_NAME)),
        T.StructField("updated_date", T.StringType()),
    ]
)

RAW_AUTHOR = T.StructType(
    [
        T.StructField("id", T.StringType()),
        T.StructField("orcid", T.StringType()),
        T.StructField("display_name", T.StringType()),
        T.StructField("works_count", T.LongType()),
        T.StructField("cited_by_count", T.LongType()),
        T.StructField(
            "summary_stats",
            T.StructType(
                [
                    T.StructField("h_index", T.IntegerType()),
                    T.StructField("i10_index", T.IntegerType()),
                ]
            ),
        ),
        T.StructField(
            "affiliations",
            T.ArrayType(
                T.StructType(
                    [
                        T.StructField("institution", RAW_INSTITUTION_REF),
                        T.StructField("years", T.ArrayType(T.IntegerType())),
                    ]
                )
            ),
        ),
        T.StructField("last_known_institutions", T.ArrayType(RAW_INSTITUTION_REF)),
        T.StructField("updated_date", T.StringType()),
    ]
)

RAW_INSTITUTION = T.StructType(
    [
        T.StructField("id", T.StringType()),
        T.StructField("ror", T.StringType()),
        T.StructField("display_name", T.StringType()),
        T.StructField("country_code", T.StringType()),
        T.StructField("type", T.StringType()),
        T.StructField(
            "geo",
            T.StructType(
                [
                    T.StructField("city", T.StringType()),
                    T.StructField("region", T.StringType()),
                    T.StructField("country_code", T.StringType()),
                    T.StructField("country", T.StringType()),
                    T.StructField("latitude", T.DoubleType()),
                    T.StructField("longitude", T.DoubleType()),
                ]
            ),
        ),
        T.StructField("lineage", T.ArrayType(T.StringType())),
        T.StructField("works_count", T.LongType()),
        T.StructField("cited_by_count", T.LongType()),
        T.StructField("updated_date", T.StringType()),
    ]
)

RAW_PATENT = T.StructType(
    [
        T.StructField("id", T.StringType()),
        T.StructField("family_id", T.StringType()),
        T.StructField("grant_year", T.IntegerType()),
        T.StructField("office", T.StringType()),
        T.StructField("title", T.StringType()),
        T.StructField(
            "assignees",
            T.ArrayType(
                T.StructType(
                    [
                        T.StructField("name", T.StringType()),
                        T.StructField("country", T.StringType()),
                        T.StructField("type", T.StringType()),
                    ]
                )
            ),
        ),
        T.StructField("cpc", T.ArrayType(T.StringType())),
        T.StructField("topics", T.ArrayType(T.StringType())),
        T.StructField("keywords", T.ArrayType(T.StringType())),
        T.StructField("market_value_usd", T.DoubleType()),
        T.StructField("cited_works", T.ArrayType(T.StringType())),
    ]
)

RAW_ENTITIES = {
    "works": RAW_WORK,
    "authors": RAW_AUTHOR,
    "institutions": RAW_INSTITUTION,
    "patents": RAW_PATENT,
}


def with_corrupt_column(schema: T.StructType) -> T.StructType:
    """The schema plus the string column where Spark's JSON parser puts unparsable lines."""
    return T.StructType(schema.fields + [T.StructField(CORRUPT_COLUMN, T.StringType())])
