"""jobs/config.py: the packaged defaults, the overlay merge and validation. Pure Python: no Spark.

Every expected value and message below is worked out by hand from jobs/defaults.yaml and the
rules declared on the fields of jobs/config.py.
"""

from __future__ import annotations

import importlib.resources
import json
import tomllib
from pathlib import Path

import pydantic
import pytest
import yaml

from jobs import config as cfg

ROOT = Path(__file__).resolve().parents[1]

# conf/local.yaml as it was before the configs became overlays (commit 03b0da2), comments
# dropped, plus the Comet settings added since: every setting the suite runs with. Loading
# today's conf/local.yaml (defaults + overlay) must give exactly these settings. The cluster example of that commit differed from it only in
# its spark section (OLD_CLUSTER_SPARK).
OLD_LOCAL_YAML = """\
spark: {master: 'local[2]', shuffle_partitions: 8, driver_memory: 6g, checkpoint_dir: null, comet: true, comet_offheap_size: 4g}
scope:
  year_start: 2012
  year_end: 2021
  paper_fields: []
  paper_topics: []
  patent_cpc_prefixes: []
  patent_topics: []
  focus_countries: [CN, US, GB, DE, JP, FR, KR, CA, AU, IN, IT, SG]
  focus_cities: [Beijing, Shanghai, Shenzhen, Hangzhou, Nanjing, Wuhan, Guangzhou, Chengdu, Xi'an, Hong Kong]
  report_city: Shanghai
  subfields:
    machine_learning: [machine learning, deep learning, neural network, reinforcement learning]
    computer_vision: [computer vision, image recognition, object detection, image segmentation]
    natural_language_processing: [natural language processing, language model, machine translation, text mining]
    data_mining: [data mining, knowledge discovery, anomaly detection]
    information_retrieval: [information retrieval, recommender system, search engine]
    human_computer_interaction: [human-computer interaction, user interface, usability]
    multimedia: [multimedia, video processing, image compression]
    robotics: [robotics, robot, autonomous vehicle]
    knowledge_engineering: [knowledge graph, ontology, knowledge representation, expert system]
    speech_recognition: [speech recognition, speech synthesis, speaker recognition]
institutions:
  canonical:
  - canonical_id: I2803209242
    canonical_name: University of California System
    ids: []
    name_patterns: ['^University of California,? ', ^UC (Berkeley|Davis|Irvine|Los Angeles|San Diego|Santa Barbara)]
  - canonical_id: I19820366
    canonical_name: Chinese Academy of Sciences
    ids: []
    name_patterns: [Chinese Academy of Sciences]
patents:
  assignee_canonical:
  - canonical_name: Alphabet
    name_patterns: [^Google, ^DeepMind, ^Alphabet]
thresholds: {top_cited_share: 0.01, top_cited_min_threshold: 2, high_value_patent_usd: 1000000, high_level_h_index: 20,
  cocitation_min_count: 2, cocitation_min_strength: 0.1}
indicators:
  top_n: 20
  golden_cross_pairs:
  - [CN, US]
  h5_years: 5
  patent_value_band_edges: [10000, 30000, 300000, 600000, 3000000, 20000000]
  high_value_top_countries: 5
  top_teams: 10
  key_members: 5
fronts: {core_years: 5, max_core_references: 300, label_topics: 3}
talent: {min_papers_per_year: 1}
collaboration:
  pairs:
  - [CN, US]
  core_scholars: 10
  collaborators: 5
  core_institutions: 10
  partners: 5
  max_authors_per_paper: 50
  community_iterations: 5
  network_edges: 150
topic_lens:
  topics:
  - name: AIGC / generative AI
    paper_terms: [generative, large language model, language model, diffusion model, image generation]
    patent_cpc_prefixes: [G06N3/047, G06N3/0455, G06N3/0475, G06T11/00]
    patent_terms: [large language model, diffusion model, image generation]
  - name: cloud computing
    paper_terms: [cloud computing, edge computing, distributed computing]
    patent_cpc_prefixes: [G06F9/50, H04L67/10]
    patent_terms: [cloud computing, edge computing]
  - name: quantum computing
    paper_terms: [quantum comput, qubit, quantum algorithm, quantum error correction]
    patent_cpc_prefixes: [G06N10]
    patent_terms: [quantum computing, quantum error correction]
ingest: {max_reject_ratio: 0.05, min_year: 1800, max_year: 2100, max_cited_by_count: 1000000, max_market_value_usd: 1000000000000.0}
quality: {stop_on_critical: true, gate_gold: true, max_row_count_drift_pct: 50}
run: {lock_lease_seconds: 600}
maintenance:
  after_run: false
  log_retention_days: 30
  file_retention_hours: 168
  zorder:
    authorships: [author_id, paper_id]
    citations: [cited_paper_id]
    author_affiliation_years: [author_id]
    papers: [paper_id]

"""
OLD_CLUSTER_SPARK = {
    "master": None,
    "shuffle_partitions": 2000,
    "driver_memory": None,
    "checkpoint_dir": None,
    "comet": True,
    "comet_offheap_size": None,
}


def _write(tmp_path: Path, overlay: dict, name: str = "x.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(overlay))
    return path


def _error(tmp_path: Path, overlay: dict) -> str:
    path = _write(tmp_path, overlay)
    with pytest.raises(cfg.ConfigError) as err:
        cfg.load(path)
    return str(err.value).replace(str(path), "x.yaml")


# --- the packaged defaults ------------------------------------------------------------------------


def test_defaults_file_is_package_data():
    resource = importlib.resources.files("jobs").joinpath("defaults.yaml")
    assert resource.is_file()
    assert "top_n: 20" in resource.read_text()
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "defaults.yaml" in package_data["jobs"]


def test_defaults_hold_every_setting():
    """Validated on their own (from_dict of the defaults file alone, nothing merged under it), the
    defaults build a whole Config: no setting is left to a Python default."""
    defaults = cfg.defaults_dict()
    assert set(defaults) == set(cfg.Config.model_fields)
    assert isinstance(cfg.Config.model_validate(defaults), cfg.Config)
    sections = [f.annotation for f in cfg.Config.model_fields.values()]
    assert [f"{s.__name__}.{name}" for s in sections for name, f in s.model_fields.items() if not f.is_required()] == []


def test_no_file_gives_the_defaults(monkeypatch, tmp_path):
    monkeypatch.delenv("SCINTEL_CONF", raising=False)
    monkeypatch.setattr(cfg, "DEFAULT_CONF", tmp_path / "absent.yaml")  # an installed scintel: no conf/ beside it
    config = cfg.load()
    assert config.source == cfg.DEFAULTS_SOURCE
    assert config == cfg.from_dict({}, source=cfg.DEFAULTS_SOURCE)
    assert (config.spark.master, config.indicators.top_n, config.collaboration.network_edges) == ("local[2]", 20, 150)
    # A file that is asked for and absent is still an error.
    with pytest.raises(cfg.ConfigError, match="config file not found"):
        cfg.load(tmp_path / "absent.yaml")


# --- the overlays give what the full files gave ------------------------------------------------------


def test_local_overlay_equals_the_old_local_file():
    old = yaml.safe_load(OLD_LOCAL_YAML)
    assert cfg.load_dict(ROOT / "conf" / "local.yaml") == old
    new = cfg.load(ROOT / "conf" / "local.yaml")
    assert new == cfg.from_dict(old, source=new.source)
    assert new.digest() == cfg.from_dict(old).digest()  # what run records store


def test_cluster_overlay_equals_the_old_cluster_file():
    old = {**yaml.safe_load(OLD_LOCAL_YAML), "spark": OLD_CLUSTER_SPARK}
    assert cfg.load_dict(ROOT / "conf" / "cluster.yaml") == old
    new = cfg.load(ROOT / "conf" / "cluster.yaml")
    assert new == cfg.from_dict(old, source=new.source)
    assert new.spark == cfg.SparkSettings(
        master=None, shuffle_partitions=2000, driver_memory=None, checkpoint_dir=None, comet=True, comet_offheap_size=None
    )


def test_overlays_are_short():
    for name in ("local.yaml", "cluster.yaml"):
        overlay = yaml.safe_load((ROOT / "conf" / name).read_text())
        assert list(overlay) == ["spark"], name


# --- the merge ------------------------------------------------------------------------------------


def test_nested_override_keeps_sibling_defaults(tmp_path):
    config = cfg.load(_write(tmp_path, {"collaboration": {"partners": 7}, "spark": {"shuffle_partitions": 64}}))
    defaults = cfg.from_dict({})
    assert config.collaboration == defaults.collaboration.model_copy(update={"partners": 7})
    assert (config.collaboration.core_scholars, config.collaboration.network_edges) == (10, 150)
    assert config.spark == cfg.SparkSettings(
        master="local[2]", shuffle_partitions=64, driver_memory="6g", checkpoint_dir=None, comet=True, comet_offheap_size="4g"
    )
    assert config.scope == defaults.scope and config.topic_lens == defaults.topic_lens


def test_lists_scalars_and_data_mappings_replace():
    base = {
        "scope": {"year_start": 2012, "focus_countries": ["CN", "US"], "subfields": {"a": ["x"], "b": ["y"]}},
        "quality": {"gate_gold": True, "stop_on_critical": True},
    }
    overlay = {"scope": {"focus_countries": ["GB"], "subfields": {"c": ["z"]}, "checkpoint": None}, "quality": None}
    assert cfg.merge(base, overlay) == {
        "scope": {"year_start": 2012, "focus_countries": ["GB"], "subfields": {"c": ["z"]}, "checkpoint": None},
        "quality": {"gate_gold": True, "stop_on_critical": True},  # a section left empty keeps its defaults
    }
    assert base["scope"]["focus_countries"] == ["CN", "US"]  # the base is not changed
    # A value set to null replaces the default (checkpoint_dir is optional).
    assert cfg.from_dict({"spark": {"driver_memory": None}}).spark.driver_memory is None


# --- validation ----------------------------------------------------------------------------------


def test_several_bad_values_reported_together(tmp_path):
    message = _error(
        tmp_path,
        {
            "indicators": {"top_n": 0},
            "spark": {"shuffle_partitions": -3},
            "thresholds": {"top_cited_share": 1.5},
        },
    )
    assert message == (
        "x.yaml: 3 problems:\n"
        " - 'spark.shuffle_partitions' must be at least 1, got -3\n"
        " - 'thresholds.top_cited_share' must be in (0, 1), got 1.5\n"
        " - 'indicators.top_n' must be at least 1, got 0"
    )


def test_every_kind_of_problem_in_one_error(tmp_path):
    message = _error(
        tmp_path,
        {
            "sparks": {"master": "local[4]"},
            "scope": {"year_start": 2022},
            "quality": {"gate_gold": "yes"},
            "collaboration": {"pairs": [["CN", "CN"]], "partners": 0},
            "topic_lens": {"topics": [{"name": "q", "paper_terms": []}]},
        },
    )
    assert message.splitlines() == [
        "x.yaml: 6 problems:",
        " - unknown key 'sparks' (did you mean 'spark'?)",
        " - 'scope.year_start' (2022) is after 'scope.year_end' (2021)",
        " - 'quality.gate_gold' must be bool, got 'yes'",
        " - 'collaboration.partners' must be at least 1, got 0",
        " - 'collaboration.pairs[0]' must be two different countries, got ['CN', 'CN']",
        " - 'topic_lens.topics[0]' (q) has no term and no CPC prefix",
    ]


def test_unknown_key_with_suggestion(tmp_path):
    assert _error(tmp_path, {"thresholds": {"high_levle_h_index": 20}}) == (
        "x.yaml: unknown key 'thresholds.high_levle_h_index' (did you mean 'high_level_h_index'?)"
    )
    # Nothing close: the keys allowed there.
    assert _error(tmp_path, {"talent": {"zzz": 1}}) == "x.yaml: unknown key 'talent.zzz' (allowed here: min_papers_per_year)"


@pytest.mark.parametrize(
    "section, key, value, expected",
    [
        ("collaboration", "network_edges", 0, "must be at least 1, got 0"),
        ("collaboration", "community_iterations", -2, "must be at least 1, got -2"),
        ("collaboration", "max_authors_per_paper", 1, "must be at least 2, got 1"),
        ("spark", "shuffle_partitions", 0, "must be at least 1, got 0"),
        ("fronts", "max_core_references", 1, "must be at least 2, got 1"),
        ("thresholds", "cocitation_min_count", 0, "must be at least 1, got 0"),
        ("thresholds", "top_cited_share", 0, "must be in (0, 1), got 0"),
        ("thresholds", "high_value_patent_usd", -5, "must be a positive number, got -5"),
        ("ingest", "max_cited_by_count", -1, "must be a positive integer, got -1"),
        ("ingest", "max_market_value_usd", 0, "must be a positive number, got 0"),
        ("ingest", "max_reject_ratio", 1.5, "must be in [0, 1], got 1.5"),
        ("quality", "max_row_count_drift_pct", -1, "must be at least 0, got -1"),
        ("spark", "driver_memory", "6 GB", "must be a size such as 512m or 6g, got '6 GB'"),
    ],
)
def test_zero_and_negative_rejected(tmp_path, section, key, value, expected):
    assert _error(tmp_path, {section: {key: value}}) == f"x.yaml: '{section}.{key}' {expected}"


def test_limits_themselves_are_accepted():
    config = cfg.from_dict(
        {
            "collaboration": {"max_authors_per_paper": 2, "network_edges": 1},
            "thresholds": {"top_cited_min_threshold": 0, "cocitation_min_strength": 0},
            "ingest": {"max_reject_ratio": 1},
            "quality": {"max_row_count_drift_pct": 0},
            "spark": {"driver_memory": "512M"},
        }
    )
    assert (config.collaboration.max_authors_per_paper, config.ingest.max_reject_ratio) == (2, 1.0)
    assert isinstance(config.ingest.max_reject_ratio, float)


def test_wrong_types(tmp_path):
    message = _error(
        tmp_path, {"ingest": {"max_cited_by_count": "lots"}, "indicators": {"top_n": True, "golden_cross_pairs": "CN,US"}}
    )
    assert message.splitlines()[1:] == [
        " - 'indicators.top_n' must be int, got True",
        " - 'indicators.golden_cross_pairs' must be a list, got 'CN,US'",
        " - 'ingest.max_cited_by_count' must be int, got 'lots'",
    ]
    assert _error(tmp_path, {"scope": ["a"]}) == "x.yaml: 'scope' must be a mapping, got ['a']"
    (tmp_path / "list.yaml").write_text("- a\n")
    with pytest.raises(cfg.ConfigError, match="must be a mapping of sections, got list"):
        cfg.load(tmp_path / "list.yaml")


def test_cross_field_rules_keep_their_meaning(tmp_path):
    assert _error(tmp_path, {"ingest": {"min_year": 2100, "max_year": 1800}}) == (
        "x.yaml: 'ingest.min_year' (2100) is after 'ingest.max_year' (1800)"
    )
    assert _error(
        tmp_path, {"indicators": {"golden_cross_pairs": [["CN"]], "patent_value_band_edges": [10, 10, 20]}}
    ).splitlines()[1:] == [
        " - 'indicators.golden_cross_pairs[0]' must be [challenger, leader], got ['CN']",
        " - 'indicators.patent_value_band_edges' must be strictly increasing, got [10.0, 10.0, 20.0]",
    ]
    topic = {"name": "q", "paper_terms": ["qubit"]}
    assert _error(tmp_path, {"topic_lens": {"topics": [topic, topic]}}) == (
        "x.yaml: 'topic_lens.topics' names must be unique, got ['q', 'q']"
    )


NO_RANGE = {"Scope.year_start", "Scope.year_end", "IngestSettings.min_year", "IngestSettings.max_year"}


def test_every_number_declares_its_range():
    """A new count, size or threshold declares its range on its field (or is listed in NO_RANGE)."""
    sections = [f.annotation for f in cfg.Config.model_fields.values()]
    undeclared = [
        f"{section.__name__}.{name}"
        for section in sections
        for name, f in section.model_fields.items()
        if f.annotation in (int, float) and not ({"ge", "gt"} & set(cfg.bounds(f)))
    ]
    assert sorted(undeclared) == sorted(NO_RANGE)


def test_load_dict_gives_the_merged_mapping_for_variants(tmp_path):
    data = cfg.load_dict(_write(tmp_path, {"fronts": {"label_topics": 4}}))
    assert data["fronts"] == {"core_years": 5, "max_core_references": 300, "label_topics": 4}
    data["quality"]["gate_gold"] = False
    assert cfg.from_dict(data).quality.gate_gold is False


def test_rules_run_beside_range_problems(tmp_path):
    """A section's rules need its values typed, not in range: one pass reports both."""
    assert _error(tmp_path, {"ingest": {"max_reject_ratio": 1.5, "min_year": 2100, "max_year": 1800}}).splitlines()[1:] == [
        " - 'ingest.max_reject_ratio' must be in [0, 1], got 1.5",
        " - 'ingest.min_year' (2100) is after 'ingest.max_year' (1800)",
    ]
    # A value of the wrong type holds the rules back (they could not compare it).
    assert _error(tmp_path, {"ingest": {"min_year": "x", "max_year": 1800}}) == "x.yaml: 'ingest.min_year' must be int, got 'x'"


def test_unknown_keys_first_and_missing_keys(tmp_path):
    message = _error(
        tmp_path, {"collaboration": {"partners": 0, "partnrs": 3}, "topic_lens": {"topics": [{"paper_terms": ["x"]}]}}
    )
    assert message.splitlines()[1:] == [
        " - unknown key 'collaboration.partnrs' (did you mean 'partners'?)",
        " - 'collaboration.partners' must be at least 1, got 0",
        " - missing key 'topic_lens.topics[0].name'",
    ]


def test_settings_are_read_only_and_built_like_dataclasses():
    config = cfg.from_dict({})
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        config.indicators.top_n = 3
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        config.source = "elsewhere"
    assert isinstance(config.scope.focus_countries, list) and isinstance(config.scope.subfields["robotics"], list)
    assert cfg.LensTopic("q", ["qubit"]) == cfg.LensTopic(
        name="q", paper_terms=["qubit"], patent_cpc_prefixes=[], patent_terms=[]
    )
    assert cfg.from_dict({}, source="a").digest() == cfg.from_dict({}, source="b").digest()  # the source is not a setting
    assert cfg.from_dict({}, source="a") != cfg.from_dict({}, source="b")


# --- the JSON Schema, for editors ------------------------------------------------------------------

SCHEMA = ROOT / "conf" / "scintel-config.schema.json"


def test_committed_schema_is_the_generated_one(capsys):
    """conf/scintel-config.schema.json is what `python -m jobs.config --json-schema` prints today."""
    assert cfg.main(["--json-schema"]) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed) == cfg.Config.model_json_schema()
    assert SCHEMA.read_text() == printed, "regenerate: python -m jobs.config --json-schema > conf/scintel-config.schema.json"


def test_overlays_name_the_schema():
    for name in ("local.yaml", "cluster.yaml"):
        first = (ROOT / "conf" / name).read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=./scintel-config.schema.json", name


def test_schema_accepts_overlays_and_refuses_what_loading_refuses():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    for overlay in [yaml.safe_load((ROOT / "conf" / n).read_text()) for n in ("local.yaml", "cluster.yaml")] + [
        cfg.defaults_dict(),
        {},
        {"quality": None},
        {"collaboration": {"partners": 7}},
    ]:
        assert list(validator.iter_errors(overlay)) == []
    for bad in [
        {"sparks": {}},
        {"spark": {"shuffle_partitions": 0}},
        {"thresholds": {"top_cited_share": 1}},
        {"spark": {"driver_memory": "6 GB"}},
        {"quality": {"gate_gold": "yes"}},
        {"topic_lens": {"topics": [{"paper_terms": ["x"]}]}},
    ]:
        assert list(validator.iter_errors(bad)) != [], bad
    # Editors show each setting's packaged default.
    assert cfg.Config.model_json_schema()["$defs"]["IndicatorSettings"]["properties"]["top_n"]["default"] == 20
