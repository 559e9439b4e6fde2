"""Gold tables: each indicator stage's outputs, their columns and types.

The stages write these (jobs/pipeline.py STAGES names each stage's tables); the report and users'
scripts read them. A stage's written tables are checked against this module at the end of the
end-to-end test, and tests/test_stage_contract.py checks that every table a stage names has a
schema here and a quality suite. The grain of each table (its key) is its uniqueness expectation
in data_quality/suites.py. Delta records every column of a DataFrame write as nullable, so the
contract is the column names, their order and their types.
"""

from pyspark.sql import types as T

STRING, INT, LONG, DOUBLE, BOOL = T.StringType(), T.IntegerType(), T.LongType(), T.DoubleType(), T.BooleanType()


def _columns(*fields: tuple[str, T.DataType]) -> T.StructType:
    return T.StructType([T.StructField(name, dtype, True) for name, dtype in fields])


GOLD: dict[str, T.StructType] = {
    # output_impact
    "paper_citations": _columns(
        ("paper_id", STRING), ("publication_year", INT), ("field_id", STRING), ("citations", LONG), ("citation_source", STRING),
    ),
    "paper_yearly_citations": _columns(("paper_id", STRING), ("year", INT), ("citations", LONG), ("source", STRING)),
    "output_by_country_year": _columns(
        ("counting", STRING), ("country_code", STRING), ("year", INT), ("papers", DOUBLE), ("citations", DOUBLE),
        ("mean_citations", DOUBLE),
    ),
    "output_by_country": _columns(
        ("counting", STRING), ("country_code", STRING), ("papers", DOUBLE), ("citations", DOUBLE), ("mean_citations", DOUBLE),
        ("rank", INT),
    ),
    "output_by_institution": _columns(
        ("counting", STRING), ("canonical_id", STRING), ("canonical_name", STRING), ("country_code", STRING), ("papers", DOUBLE),
        ("citations", DOUBLE), ("mean_citations", DOUBLE), ("rank", INT),
    ),
    "output_by_year": _columns(("year", INT), ("papers", DOUBLE), ("citations", DOUBLE), ("mean_citations", DOUBLE)),
    # top_cited
    "top_cited_thresholds": _columns(
        ("field_id", STRING), ("publication_year", INT), ("cell_size", LONG), ("threshold_rank", LONG), ("threshold", LONG),
        ("has_top", BOOL),
    ),
    "top_cited_papers": _columns(
        ("paper_id", STRING), ("field_id", STRING), ("publication_year", INT), ("citations", LONG), ("threshold", LONG),
    ),
    "top_cited_by_country_year": _columns(
        ("counting", STRING), ("country_code", STRING), ("year", INT), ("papers", DOUBLE), ("citations", DOUBLE),
        ("mean_citations", DOUBLE),
    ),
    "top_cited_by_country": _columns(
        ("counting", STRING), ("country_code", STRING), ("papers", DOUBLE), ("citations", DOUBLE), ("mean_citations", DOUBLE),
        ("rank", INT),
    ),
    "top_cited_by_institution": _columns(
        ("counting", STRING), ("canonical_id", STRING), ("canonical_name", STRING), ("country_code", STRING), ("papers", DOUBLE),
        ("citations", DOUBLE), ("mean_citations", DOUBLE), ("rank", INT),
    ),
    "top_cited_by_year": _columns(("year", INT), ("papers", DOUBLE), ("citations", DOUBLE), ("mean_citations", DOUBLE)),
    # golden_cross
    "golden_cross_series": _columns(
        ("metric", STRING), ("challenger", STRING), ("leader", STRING), ("year", INT), ("challenger_value", DOUBLE),
        ("leader_value", DOUBLE),
    ),
    "golden_cross": _columns(
        ("metric", STRING), ("challenger", STRING), ("leader", STRING), ("cross_year", INT), ("challenger_value", DOUBLE),
        ("leader_value", DOUBLE),
    ),
    # patents
    "patents_by_country": _columns(
        ("country_code", STRING), ("patents", LONG), ("high_value_patents", LONG), ("high_value_share", DOUBLE), ("rank", INT),
    ),
    "patents_by_country_year": _columns(
        ("country_code", STRING), ("year", INT), ("patents", LONG), ("high_value_patents", LONG), ("high_value_share", DOUBLE),
    ),
    "patents_by_assignee": _columns(
        ("canonical_assignee", STRING), ("patents", LONG), ("high_value_patents", LONG), ("high_value_share", DOUBLE),
        ("country_code", STRING), ("rank", INT),
    ),
    "patent_value_bands": _columns(
        ("country_code", STRING), ("band", INT), ("band_low_usd", DOUBLE), ("band_high_usd", DOUBLE), ("patents", LONG),
    ),
    "patent_value_band_ratio": _columns(
        ("band", INT), ("band_low_usd", DOUBLE), ("band_high_usd", DOUBLE), ("challenger", STRING), ("leader", STRING),
        ("challenger_patents", LONG), ("leader_patents", LONG), ("ratio", DOUBLE),
    ),
    "high_value_trend": _columns(("country_code", STRING), ("country_rank", INT), ("year", INT), ("high_value_patents", LONG)),
    # talent
    "scholar_h_index": _columns(
        ("author_id", STRING), ("display_name", STRING), ("h_index", INT), ("i10_index", INT), ("paper_count", INT),
        ("citations", LONG), ("latest_year", INT), ("institution_id", STRING), ("canonical_id", STRING),
        ("country_code", STRING), ("region", STRING), ("city", STRING), ("is_high_level", BOOL), ("has_scope_paper", BOOL),
    ),
    "talent_by_country": _columns(
        ("country_code", STRING), ("scholars", LONG), ("high_level_scholars", LONG), ("scholar_share", DOUBLE),
        ("high_level_share", DOUBLE), ("rank", INT),
    ),
    "talent_by_institution": _columns(
        ("canonical_id", STRING), ("scholars", LONG), ("high_level_scholars", LONG), ("scholar_share", DOUBLE),
        ("high_level_share", DOUBLE), ("rank", INT), ("canonical_name", STRING), ("country_code", STRING),
    ),
    "talent_by_region": _columns(
        ("country_code", STRING), ("region", STRING), ("scholars", LONG), ("high_level_scholars", LONG),
        ("scholar_share", DOUBLE), ("high_level_share", DOUBLE), ("rank", INT),
    ),
    "talent_by_city": _columns(
        ("country_code", STRING), ("city", STRING), ("scholars", LONG), ("high_level_scholars", LONG), ("scholar_share", DOUBLE),
        ("high_level_share", DOUBLE), ("rank", INT),
    ),
    # institution_h5
    "institution_h5": _columns(
        ("canonical_id", STRING), ("canonical_name", STRING), ("country_code", STRING), ("h5_index", INT), ("papers", LONG),
        ("citations", LONG), ("first_year", INT), ("last_year", INT), ("rank", INT),
    ),
    # research_fronts
    "research_front_links": _columns(("paper_a", STRING), ("paper_b", STRING), ("cocitations", LONG), ("strength", DOUBLE)),
    "research_front_papers": _columns(
        ("front_id", STRING), ("paper_id", STRING), ("is_review", BOOL), ("publication_year", INT), ("citations", LONG),
    ),
    "research_front_yearly": _columns(("front_id", STRING), ("year", INT), ("citations", LONG)),
    "research_front_countries": _columns(
        ("front_id", STRING), ("country_code", STRING), ("papers", LONG), ("patents", LONG), ("high_value_patents", LONG),
    ),
    "research_fronts": _columns(
        ("front_id", STRING), ("rank", INT), ("label", STRING), ("core_papers", LONG), ("reviews", LONG),
        ("mean_publication_year", DOUBLE), ("citing_papers", LONG), ("c_total", LONG), ("first_citation_year", INT),
        ("last_citation_year", INT), ("t_years", INT), ("s_trend", DOUBLE), ("frontier_raw", DOUBLE), ("frontier_index", DOUBLE),
        ("papers_cn", LONG), ("papers_us", LONG), ("patents", LONG), ("high_value_patents", LONG), ("patents_cn", LONG),
        ("patents_us", LONG),
    ),
    "frontier_top10": _columns(
        ("rank", INT), ("front_id", STRING), ("label", STRING), ("top_cited_papers", LONG), ("high_value_patents", LONG),
        ("frontier_index", DOUBLE), ("mean_publication_year", DOUBLE),
    ),
    # sleeping_beauties
    "sleeping_beauties": _columns(
        ("paper_id", STRING), ("publication_year", INT), ("peak_year", INT), ("beauty_coefficient", DOUBLE),
        ("awakening_year", INT), ("citations", LONG), ("rank", INT),
    ),
    # talent_flow
    "talent_moves": _columns(
        ("author_id", STRING), ("from_year", INT), ("to_year", INT), ("from_institution_id", STRING),
        ("to_institution_id", STRING), ("from_country", STRING), ("to_country", STRING), ("from_city", STRING),
        ("to_city", STRING), ("country_move", BOOL), ("city_move", BOOL),
    ),
    "talent_flow_edges": _columns(("from_country", STRING), ("to_country", STRING), ("moves", LONG)),
    "talent_flow_by_country": _columns(
        ("country", STRING), ("inflow", LONG), ("outflow", LONG), ("total_flow", LONG), ("net_inflow", LONG),
    ),
    "talent_flow_by_city": _columns(
        ("country", STRING), ("city", STRING), ("inflow", LONG), ("outflow", LONG), ("total_flow", LONG), ("net_inflow", LONG),
    ),
    "talent_flow_by_country_year": _columns(
        ("country", STRING), ("year", INT), ("inflow", LONG), ("outflow", LONG), ("net_inflow", LONG),
    ),
    "talent_mobility": _columns(
        ("author_id", STRING), ("origin_country", STRING), ("countries", INT), ("moves", INT), ("mobility", STRING),
        ("first_move_year", INT),
    ),
    # collaboration
    "collaboration_pairs": _columns(("country_a", STRING), ("country_b", STRING), ("papers", LONG), ("rank", INT)),
    "collaboration_pairs_yearly": _columns(
        ("country_a", STRING), ("country_b", STRING), ("year", INT), ("papers", LONG), ("growth_rate", DOUBLE),
    ),
    "collaboration_countries": _columns(
        ("country", STRING), ("partners", LONG), ("coauthored_papers", LONG), ("pagerank", DOUBLE),
    ),
    # city_subfield
    "paper_subfields": _columns(("paper_id", STRING), ("subfield", STRING)),
    "city_subfield_year": _columns(
        ("country_code", STRING), ("city", STRING), ("subfield", STRING), ("year", INT), ("papers", LONG), ("scholars", LONG),
        ("institutions", LONG),
    ),
    "city_comparison": _columns(
        ("city", STRING), ("subfield", STRING), ("papers", LONG), ("scholars", LONG), ("institutions", LONG), ("rank", INT),
    ),
    "core_scholars": _columns(
        ("country_code", STRING), ("city", STRING), ("subfield", STRING), ("rank", INT), ("author_id", STRING), ("h_index", INT),
        ("papers", LONG),
    ),
    "core_scholar_collaborators": _columns(
        ("country_code", STRING), ("city", STRING), ("subfield", STRING), ("author_id", STRING), ("collaborator_id", STRING),
        ("coauthored_papers", LONG), ("rank", INT), ("scholar_coauthored_papers", LONG),
    ),
    "core_institutions": _columns(
        ("country_code", STRING), ("city", STRING), ("subfield", STRING), ("rank", INT), ("institution_id", STRING),
        ("papers", LONG),
    ),
    "core_institution_partners": _columns(
        ("country_code", STRING), ("city", STRING), ("subfield", STRING), ("institution_id", STRING), ("partner_id", STRING),
        ("partner_type", STRING), ("coauthored_papers", LONG), ("rank", INT),
    ),
    "city_institution_edges": _columns(
        ("country_code", STRING), ("city", STRING), ("subfield", STRING), ("inst_a", STRING), ("inst_b", STRING),
        ("papers", LONG), ("rank", INT),
    ),
    "collaboration_concentration": _columns(
        ("country_code", STRING), ("city", STRING), ("subfield", STRING), ("top_partner_share", DOUBLE),
        ("top2_edge_share", DOUBLE), ("degree_gini", DOUBLE), ("industry_share", DOUBLE), ("closed_circle_share", DOUBLE),
    ),
    # topic_lens
    "topic_papers": _columns(("topic", STRING), ("paper_id", STRING)),
    "topic_country_rankings": _columns(
        ("topic", STRING), ("country", STRING), ("papers", LONG), ("top_cited_papers", LONG), ("rank", INT),
    ),
    "topic_patent_rankings": _columns(
        ("topic", STRING), ("country", STRING), ("patents", LONG), ("high_value_patents", LONG), ("rank", INT),
    ),
    # top_teams
    "institution_key_members": _columns(
        ("canonical_id", STRING), ("rank", INT), ("author_id", STRING), ("display_name", STRING), ("h_index", INT),
        ("topics", STRING),
    ),
}
