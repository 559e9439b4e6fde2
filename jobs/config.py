"""Load and validate conf/*.yaml into typed, read-only settings.

Validation is strict: an unknown key, a missing key or a value of the wrong type is a
ConfigError naming the key path (`scope.year_start`) and the file, never a silent default.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONF = PROJECT_ROOT / "conf" / "local.yaml"


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class SparkSettings:
    master: str | None
    shuffle_partitions: int
    driver_memory: str | None
    checkpoint_dir: str | None


@dataclass(frozen=True)
class Scope:
    year_start: int
    year_end: int
    paper_fields: list[str]
    paper_topics: list[str]
    patent_cpc_prefixes: list[str]
    patent_topics: list[str]
    focus_countries: list[str]
    focus_cities: list[str]
    subfields: dict[str, list[str]]
    report_city: str = "Shanghai"  # the city report's city (scintel report --city overrides it)


@dataclass(frozen=True)
class InstitutionRule:
    canonical_id: str
    canonical_name: str
    ids: list[str] = field(default_factory=list)
    name_patterns: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AssigneeRule:
    canonical_name: str
    name_patterns: list[str]


@dataclass(frozen=True)
class InstitutionSettings:
    canonical: list[InstitutionRule]


@dataclass(frozen=True)
class PatentSettings:
    assignee_canonical: list[AssigneeRule]


@dataclass(frozen=True)
class Thresholds:
    top_cited_share: float
    top_cited_min_threshold: int
    high_value_patent_usd: float
    high_level_h_index: int
    cocitation_min_count: int
    cocitation_min_strength: float


@dataclass(frozen=True)
class IndicatorSettings:
    top_n: int
    golden_cross_pairs: list[list[str]]
    h5_years: int
    patent_value_band_edges: list[float]
    high_value_top_countries: int
    top_teams: int = 10      # institutions of the top-teams table (by h5-index)
    key_members: int = 5     # key members listed per top team


@dataclass(frozen=True)
class FrontSettings:
    """Research fronts (jobs/indicators/research_fronts.py)."""

    core_years: int = 5               # core papers: top-1% papers of the window's last N years
    max_core_references: int = 300    # citing papers with more core references are left out of co-citation
    label_topics: int = 3             # a front's label: its core papers' N most frequent topics


@dataclass(frozen=True)
class TalentSettings:
    """Talent flow (jobs/indicators/talent_flow.py)."""

    min_papers_per_year: int = 1  # an active year's primary institution holds at least this many of the author's papers


@dataclass(frozen=True)
class CollaborationSettings:
    """International collaboration and the city x subfield networks."""

    pairs: list[list[str]] = field(default_factory=lambda: [["CN", "US"]])  # country pairs with a yearly series
    core_scholars: int = 10          # core scholars per (city, subfield), by h-index in the subfield
    collaborators: int = 5           # top collaborators per core scholar
    core_institutions: int = 10      # core institutions per (city, subfield), by papers
    partners: int = 5                # top partner institutions per core institution
    max_authors_per_paper: int = 50  # papers with more authors form no co-author pairs (k(k-1)/2 grows fast)
    community_iterations: int = 5    # label propagation rounds on the co-authorship graph
    network_edges: int = 150         # heaviest institution-network edges kept per (city, subfield) in the gold table


@dataclass(frozen=True)
class LensTopic:
    """A technology topic of the topic lens: papers by terms, patents by CPC prefix or terms."""

    name: str
    paper_terms: list[str]
    patent_cpc_prefixes: list[str] = field(default_factory=list)
    patent_terms: list[str] = field(default_factory=list)


def _default_lens_topics() -> list[LensTopic]:
    return [
        LensTopic("AIGC / generative AI", ["generative", "large language model", "language model", "diffusion model", "image generation"],
                  ["G06N3/047", "G06N3/0455", "G06N3/0475", "G06T11/00"], ["large language model", "diffusion model", "image generation"]),
        LensTopic("cloud computing", ["cloud computing", "edge computing", "distributed computing"],
                  ["G06F9/50", "H04L67/10"], ["cloud computing", "edge computing"]),
        LensTopic("quantum computing", ["quantum comput", "qubit", "quantum algorithm", "quantum error correction"],
                  ["G06N10"], ["quantum computing", "quantum error correction"]),
    ]


@dataclass(frozen=True)
class TopicLensSettings:
    """The topic lens (jobs/indicators/topic_lens.py)."""

    topics: list[LensTopic] = field(default_factory=_default_lens_topics)


@dataclass(frozen=True)
class IngestSettings:
    max_reject_ratio: float
    min_year: int
    max_year: int
    # A work's cited_by_count (and each counts_by_year entry) above this is garbage, not data.
    max_cited_by_count: int = 1_000_000
    # A patent's market_value_usd above this is garbage (a unit or parsing error), not data.
    max_market_value_usd: float = 1e12


@dataclass(frozen=True)
class QualitySettings:
    stop_on_critical: bool
    gate_gold: bool = True  # gate every indicator stage's gold tables before the next stage
    max_row_count_drift_pct: float = 50.0  # warn when a table's rows change more than this vs its previous version


@dataclass(frozen=True)
class Config:
    spark: SparkSettings
    scope: Scope
    institutions: InstitutionSettings
    patents: PatentSettings
    thresholds: Thresholds
    indicators: IndicatorSettings
    ingest: IngestSettings
    quality: QualitySettings
    fronts: FrontSettings = field(default_factory=FrontSettings)
    talent: TalentSettings = field(default_factory=TalentSettings)
    collaboration: CollaborationSettings = field(default_factory=CollaborationSettings)
    topic_lens: TopicLensSettings = field(default_factory=TopicLensSettings)
    source: str = "<dict>"

    def digest(self) -> str:
        """Stable hash of the settings, for run records."""
        body = dataclasses.asdict(self)
        body.pop("source")
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]


def _build(cls, data, path: str, source: str):
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: '{path or '<root>'}' must be a mapping, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "source"}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        where = f"{path}.{unknown[0]}" if path else unknown[0]
        raise ConfigError(f"{source}: unknown key '{where}' (allowed here: {', '.join(sorted(fields))})")
    values = {}
    for name, f in fields.items():
        key_path = f"{path}.{name}" if path else name
        if name not in data:
            if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
                continue
            raise ConfigError(f"{source}: missing key '{key_path}'")
        values[name] = _coerce(hints[name], data[name], key_path, source)
    return cls(**values)


def _coerce(hint, value, path: str, source: str):
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, path, source)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None:
            return None
        return _coerce(options[0], value, path, source)
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{source}: '{path}' must be a list, got {value!r}")
        (item,) = typing.get_args(hint)
        return [_coerce(item, v, f"{path}[{i}]", source) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: '{path}' must be a mapping, got {value!r}")
        _, item = typing.get_args(hint)
        return {str(k): _coerce(item, v, f"{path}.{k}", source) for k, v in value.items()}
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is bool and isinstance(value, bool):
        return value
    if hint in (int, float, str) and isinstance(value, hint) and not isinstance(value, bool):
        return value
    raise ConfigError(f"{source}: '{path}' must be {hint.__name__}, got {value!r}")


def from_dict(data: dict, source: str = "<dict>") -> Config:
    config = _build(Config, data, "", source)
    config = dataclasses.replace(config, source=source)
    _check_rules(config)
    return config


def _check_rules(config: Config) -> None:
    scope, src = config.scope, config.source
    if scope.year_start > scope.year_end:
        raise ConfigError(f"{src}: 'scope.year_start' ({scope.year_start}) is after 'scope.year_end' ({scope.year_end})")
    if not 0 < config.thresholds.top_cited_share < 1:
        raise ConfigError(f"{src}: 'thresholds.top_cited_share' must be in (0, 1)")
    for i, pair in enumerate(config.indicators.golden_cross_pairs):
        if len(pair) != 2:
            raise ConfigError(f"{src}: 'indicators.golden_cross_pairs[{i}]' must be [challenger, leader], got {pair}")
    edges = config.indicators.patent_value_band_edges
    if sorted(edges) != edges or len(set(edges)) != len(edges):
        raise ConfigError(f"{src}: 'indicators.patent_value_band_edges' must be strictly increasing")
    if config.quality.max_row_count_drift_pct < 0:
        raise ConfigError(f"{src}: 'quality.max_row_count_drift_pct' must be >= 0")
    if not 0 <= config.ingest.max_reject_ratio <= 1:
        raise ConfigError(f"{src}: 'ingest.max_reject_ratio' must be in [0, 1]")
    fronts = config.fronts
    for key in ("core_years", "max_core_references", "label_topics"):
        if getattr(fronts, key) < (2 if key == "max_core_references" else 1):
            raise ConfigError(f"{src}: 'fronts.{key}' is too small ({getattr(fronts, key)})")
    names = [t.name for t in config.topic_lens.topics]
    if len(set(names)) != len(names):
        raise ConfigError(f"{src}: 'topic_lens.topics' names must be unique, got {names}")
    for i, topic in enumerate(config.topic_lens.topics):
        if not (topic.paper_terms or topic.patent_cpc_prefixes or topic.patent_terms):
            raise ConfigError(f"{src}: 'topic_lens.topics[{i}]' ({topic.name}) has no term and no CPC prefix")
    if config.indicators.top_teams < 1 or config.indicators.key_members < 1:
        raise ConfigError(f"{src}: 'indicators.top_teams' and 'indicators.key_members' must be at least 1")
    if config.talent.min_papers_per_year < 1:
        raise ConfigError(f"{src}: 'talent.min_papers_per_year' must be at least 1")
    collab = config.collaboration
    for i, pair in enumerate(collab.pairs):
        if len(pair) != 2 or pair[0] == pair[1]:
            raise ConfigError(f"{src}: 'collaboration.pairs[{i}]' must be two different countries, got {pair}")
    for key in ("core_scholars", "collaborators", "core_institutions", "partners", "community_iterations", "network_edges"):
        if getattr(collab, key) < 1:
            raise ConfigError(f"{src}: 'collaboration.{key}' must be at least 1")
    if collab.max_authors_per_paper < 2:
        raise ConfigError(f"{src}: 'collaboration.max_authors_per_paper' must be at least 2")
    ingest = config.ingest
    if ingest.min_year > ingest.max_year:
        raise ConfigError(f"{src}: 'ingest.min_year' ({ingest.min_year}) is after 'ingest.max_year' ({ingest.max_year})")
    if ingest.max_cited_by_count <= 0:
        raise ConfigError(f"{src}: 'ingest.max_cited_by_count' must be a positive integer, got {ingest.max_cited_by_count}")
    if not ingest.max_market_value_usd > 0:
        raise ConfigError(f"{src}: 'ingest.max_market_value_usd' must be a positive number, got {ingest.max_market_value_usd}")


def default_path() -> Path:
    """SCINTEL_CONF, else the project's conf/local.yaml (spark-submit.sh sets SCINTEL_CONF, since
    code shipped in a zip has no conf/ beside it)."""
    import os

    return Path(os.environ.get("SCINTEL_CONF", DEFAULT_CONF))


def load(path: str | Path | None = None) -> Config:
    conf_path = Path(path) if path else default_path()
    if not conf_path.exists():
        raise ConfigError(f"config file not found: {conf_path}")
    try:
        data = yaml.safe_load(conf_path.read_text())
    except yaml.YAMLError as err:
        raise ConfigError(f"{conf_path}: not valid YAML: {err}") from None
    return from_dict(data or {}, source=str(conf_path))


def load_dict(path: str | Path | None = None) -> dict:
    """The raw mapping of a config file, for tests and tools that derive variants from it."""
    return yaml.safe_load(Path(path or default_path()).read_text())
