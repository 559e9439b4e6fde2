"""Load and validate scintel's settings into typed, read-only dataclasses.

Every setting has its default value and its explanation in jobs/defaults.yaml, which ships inside
the package (so a pip-installed scintel and a cluster-mode driver, which gets the code as a zip,
both find it). A config file (conf/local.yaml, conf/cluster.yaml, any `--conf FILE`) is an
overlay naming only what differs: loading merges it onto the defaults section by section, key by
key; a list, a scalar, or a mapping of data such as scope.subfields replaces the default whole.
With no file at all the settings are the defaults.

Validation reports every problem at once, in one ConfigError naming each key path
(`indicators.top_n`) and the file: unknown keys (with a did-you-mean), missing keys, values of the
wrong type, values out of range, broken cross-field rules. A setting declares its own range next
to its field (`field(metadata=at_least(1))`); a rule relating several fields of a section is that
section's `_problems` method.

`python -m jobs.config [FILE]` prints the merged settings; `--defaults` prints the defaults file.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
import importlib.resources
import json
import os
import re
import sys
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from jobs.errors import ScintelError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONF = PROJECT_ROOT / "conf" / "local.yaml"
DEFAULTS_RESOURCE = "defaults.yaml"  # in this package (jobs/defaults.yaml)
DEFAULTS_SOURCE = "<packaged defaults jobs/defaults.yaml>"


class ConfigError(ScintelError, ValueError):
    pass


# Range rules, declared per field as dataclass metadata and checked by _range_problems.
def at_least(n: float) -> dict:
    return {"min": n}


def positive() -> dict:
    return {"gt": 0}


def within(low: float, high: float) -> dict:
    """Closed interval [low, high]."""
    return {"min": low, "max": high}


def strictly_within(low: float, high: float) -> dict:
    """Open interval (low, high)."""
    return {"gt": low, "lt": high}


# A Java/Spark size string: 512m, 6g, 2gb, 1024 (see JavaUtils.byteStringAs).
SPARK_SIZE = {"pattern": r"[0-9]+([kmgtp]b?|b)?", "pattern_help": "a size such as 512m or 6g"}


def _key(path: str, name: str | None = None) -> str:
    """The quoted key path, as messages show it: 'scope.year_start'."""
    full = f"{path}.{name}" if path and name else (path or name or "<root>")
    return f"'{full}'"


@dataclass(frozen=True)
class SparkSettings:
    master: str | None
    shuffle_partitions: int = field(metadata=at_least(1))
    driver_memory: str | None = field(metadata=SPARK_SIZE)
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
    report_city: str  # the city report's city (scintel report --city overrides it)

    def _problems(self, path: str) -> list[str]:
        if self.year_start > self.year_end:
            return [f"{_key(path, 'year_start')} ({self.year_start}) is after {_key(path, 'year_end')} ({self.year_end})"]
        return []


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
    top_cited_share: float = field(metadata=strictly_within(0, 1))
    top_cited_min_threshold: int = field(metadata=at_least(0))
    high_value_patent_usd: float = field(metadata=positive())
    high_level_h_index: int = field(metadata=at_least(1))
    cocitation_min_count: int = field(metadata=at_least(1))
    cocitation_min_strength: float = field(metadata=within(0, 1))


@dataclass(frozen=True)
class IndicatorSettings:
    top_n: int = field(metadata=at_least(1))
    golden_cross_pairs: list[list[str]]
    h5_years: int = field(metadata=at_least(1))
    patent_value_band_edges: list[float]
    high_value_top_countries: int = field(metadata=at_least(1))
    top_teams: int = field(metadata=at_least(1))     # institutions of the top-teams table (by h5-index)
    key_members: int = field(metadata=at_least(1))   # key members listed per top team

    def _problems(self, path: str) -> list[str]:
        problems = [
            f"{_key(path, f'golden_cross_pairs[{i}]')} must be [challenger, leader], got {pair}"
            for i, pair in enumerate(self.golden_cross_pairs)
            if len(pair) != 2
        ]
        edges = self.patent_value_band_edges
        if sorted(edges) != edges or len(set(edges)) != len(edges):
            problems.append(f"{_key(path, 'patent_value_band_edges')} must be strictly increasing, got {edges}")
        return problems


@dataclass(frozen=True)
class FrontSettings:
    """Research fronts (jobs/indicators/research_fronts.py)."""

    core_years: int = field(metadata=at_least(1))            # core papers: top-1% papers of the window's last N years
    max_core_references: int = field(metadata=at_least(2))   # citing papers with more core references are left out of co-citation
    label_topics: int = field(metadata=at_least(1))          # a front's label: its core papers' N most frequent topics


@dataclass(frozen=True)
class TalentSettings:
    """Talent flow (jobs/indicators/talent_flow.py)."""

    min_papers_per_year: int = field(metadata=at_least(1))  # an active year's primary institution holds at least this many of the author's papers


@dataclass(frozen=True)
class CollaborationSettings:
    """International collaboration and the city x subfield networks."""

    pairs: list[list[str]]                                      # country pairs with a yearly series
    core_scholars: int = field(metadata=at_least(1))            # core scholars per (city, subfield), by h-index in the subfield
    collaborators: int = field(metadata=at_least(1))            # top collaborators per core scholar
    core_institutions: int = field(metadata=at_least(1))        # core institutions per (city, subfield), by papers
    partners: int = field(metadata=at_least(1))                 # top partner institutions per core institution
    max_authors_per_paper: int = field(metadata=at_least(2))    # papers with more authors form no co-author pairs
    community_iterations: int = field(metadata=at_least(1))     # label propagation rounds on the co-authorship graph
    network_edges: int = field(metadata=at_least(1))            # heaviest institution-network edges kept per (city, subfield)

    def _problems(self, path: str) -> list[str]:
        return [
            f"{_key(path, f'pairs[{i}]')} must be two different countries, got {pair}"
            for i, pair in enumerate(self.pairs)
            if len(pair) != 2 or pair[0] == pair[1]
        ]


@dataclass(frozen=True)
class LensTopic:
    """A technology topic of the topic lens: papers by terms, patents by CPC prefix or terms."""

    name: str
    paper_terms: list[str]
    patent_cpc_prefixes: list[str] = field(default_factory=list)
    patent_terms: list[str] = field(default_factory=list)

    def _problems(self, path: str) -> list[str]:
        if not (self.paper_terms or self.patent_cpc_prefixes or self.patent_terms):
            return [f"{_key(path)} ({self.name}) has no term and no CPC prefix"]
        return []


@dataclass(frozen=True)
class TopicLensSettings:
    """The topic lens (jobs/indicators/topic_lens.py)."""

    topics: list[LensTopic]

    def _problems(self, path: str) -> list[str]:
        names = [t.name for t in self.topics]
        if len(set(names)) != len(names):
            return [f"{_key(path, 'topics')} names must be unique, got {names}"]
        return []


@dataclass(frozen=True)
class IngestSettings:
    max_reject_ratio: float = field(metadata=within(0, 1))
    min_year: int
    max_year: int
    # A work's cited_by_count (and each counts_by_year entry) above this is garbage, not data.
    max_cited_by_count: int = field(metadata=positive())
    # A patent's market_value_usd above this is garbage (a unit or parsing error), not data.
    max_market_value_usd: float = field(metadata=positive())

    def _problems(self, path: str) -> list[str]:
        if self.min_year > self.max_year:
            return [f"{_key(path, 'min_year')} ({self.min_year}) is after {_key(path, 'max_year')} ({self.max_year})"]
        return []


@dataclass(frozen=True)
class QualitySettings:
    stop_on_critical: bool
    gate_gold: bool  # gate every indicator stage's gold tables before the next stage
    max_row_count_drift_pct: float = field(metadata=at_least(0))  # warn when a table's rows change more than this vs its previous version


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
    fronts: FrontSettings
    talent: TalentSettings
    collaboration: CollaborationSettings
    topic_lens: TopicLensSettings
    source: str = "<dict>"

    def digest(self) -> str:
        """Stable hash of the settings, for run records."""
        body = dataclasses.asdict(self)
        body.pop("source")
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]


# --- the packaged defaults and the overlay merge ---------------------------------------------


@functools.lru_cache(maxsize=1)
def defaults_text() -> str:
    """jobs/defaults.yaml, read as package data (works from a wheel, a checkout or a zip)."""
    return importlib.resources.files(__package__ or "jobs").joinpath(DEFAULTS_RESOURCE).read_text(encoding="utf-8")


def defaults_dict() -> dict:
    """A fresh copy of the default settings mapping."""
    return yaml.safe_load(defaults_text())


def merge(base, overlay, cls=Config):
    """`overlay` merged onto `base`, following the schema `cls`: a section (a mapping the schema
    declares as a dataclass) merges key by key; anything else the overlay names (a scalar, a list,
    a mapping of data such as scope.subfields) replaces the base value. A section left empty in
    the overlay (`quality:` with nothing under it) keeps the base section."""
    if overlay is None and isinstance(base, dict):
        return base
    if not (isinstance(base, dict) and isinstance(overlay, dict)):
        return overlay
    hints = typing.get_type_hints(cls)
    merged = dict(base)
    for key, value in overlay.items():
        hint = hints.get(key)
        if key in base and hint is not None and dataclasses.is_dataclass(hint):
            merged[key] = merge(base[key], value, hint)
        else:
            merged[key] = value
    return merged


# --- validation: collect every problem, then raise one ConfigError ---------------------------

_INVALID = object()  # a value that could not be built; its problem is already recorded


def _build(cls, data, path: str, problems: list[str]):
    if not isinstance(data, dict):
        problems.append(f"{_key(path)} must be a mapping, got {data!r}")
        return _INVALID
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "source"}
    for name in data:
        if name in fields:
            continue
        close = difflib.get_close_matches(str(name), list(fields), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed here: {', '.join(sorted(fields))}"
        problems.append(f"unknown key {_key(path, str(name))} ({hint})")
    values, complete = {}, True
    for name, f in fields.items():
        if name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                problems.append(f"missing key {_key(path, name)}")
                complete = False
            continue
        value = _coerce(hints[name], data[name], f"{path}.{name}" if path else name, problems)
        if value is _INVALID:
            complete = False
            continue
        problems.extend(_range_problems(f.metadata, data[name], hints[name], path, name))
        values[name] = value
    if not complete:
        return _INVALID
    built = cls(**values)
    if hasattr(built, "_problems"):
        problems.extend(built._problems(path))
    return built


def _coerce(hint, value, path: str, problems: list[str]):
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, path, problems)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _coerce(options[0], value, path, problems)
    if origin is list:
        if not isinstance(value, list):
            problems.append(f"{_key(path)} must be a list, got {value!r}")
            return _INVALID
        (item,) = typing.get_args(hint)
        items = [_coerce(item, v, f"{path}[{i}]", problems) for i, v in enumerate(value)]
        return _INVALID if any(v is _INVALID for v in items) else items
    if origin is dict:
        if not isinstance(value, dict):
            problems.append(f"{_key(path)} must be a mapping, got {value!r}")
            return _INVALID
        _, item = typing.get_args(hint)
        items = {str(k): _coerce(item, v, f"{path}.{k}", problems) for k, v in value.items()}
        return _INVALID if any(v is _INVALID for v in items.values()) else items
    if isinstance(value, bool):  # YAML's true/false are not numbers here
        if hint is bool:
            return value
    elif hint is float and isinstance(value, int):
        return float(value)
    elif hint in (int, float, str) and isinstance(value, hint):
        return value
    problems.append(f"{_key(path)} must be {hint.__name__}, got {value!r}")
    return _INVALID


def _range_problems(rule: typing.Mapping, value, hint, path: str, name: str) -> list[str]:
    """The field's declared rule (metadata: min/gt lower bound, max/lt upper bound, pattern)
    against its value as written in the file; None (an optional value left out) passes."""
    if not rule or value is None:
        return []
    where = _key(path, name)
    if "pattern" in rule:
        if not re.fullmatch(rule["pattern"], str(value), re.IGNORECASE):
            return [f"{where} must be {rule.get('pattern_help', 'of the form ' + rule['pattern'])}, got {value!r}"]
        return []
    low, low_open = (rule["gt"], True) if "gt" in rule else (rule.get("min"), False)
    high, high_open = (rule["lt"], True) if "lt" in rule else (rule.get("max"), False)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if not (too_low or too_high):
        return []
    if low is not None and high is not None:
        expected = f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    elif too_low and low_open and low == 0:
        expected = f"a positive {'integer' if hint is int else 'number'}"
    elif too_low:
        expected = f"greater than {low}" if low_open else f"at least {low}"
    else:
        expected = f"less than {high}" if high_open else f"at most {high}"
    return [f"{where} must be {expected}, got {value!r}"]


def _error(problems: list[str], source: str) -> ConfigError:
    if len(problems) == 1:
        return ConfigError(f"{source}: {problems[0]}")
    return ConfigError(f"{source}: {len(problems)} problems:\n" + "\n".join(f" - {p}" for p in problems))


def from_dict(data: dict, source: str = "<dict>") -> Config:
    """The settings of `data` merged onto the packaged defaults, validated: a partial mapping
    (an overlay) or a whole one both work."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the file must be a mapping of sections, got {type(data).__name__}")
    problems: list[str] = []
    config = _build(Config, merge(defaults_dict(), data), "", problems)
    if problems:
        raise _error(problems, source)
    return dataclasses.replace(config, source=source)


# --- files -------------------------------------------------------------------------------------


def default_path() -> Path:
    """SCINTEL_CONF, else the project's conf/local.yaml (spark-submit.sh sets SCINTEL_CONF, since
    code shipped in a zip has no conf/ beside it). load() falls back to the packaged defaults alone
    when neither is set nor present (an installed scintel run outside a checkout)."""
    return Path(os.environ.get("SCINTEL_CONF", DEFAULT_CONF))


def _file_mapping(path: str | Path | None) -> tuple[dict, str]:
    """The raw mapping of the config file `path` (None: default_path()) and its name for
    messages; ({}, DEFAULTS_SOURCE) when no file was asked for and there is none."""
    if path is None and "SCINTEL_CONF" not in os.environ and not DEFAULT_CONF.exists():
        return {}, DEFAULTS_SOURCE
    conf_path = Path(path) if path else default_path()
    if not conf_path.exists():
        raise ConfigError(f"config file not found: {conf_path}")
    try:
        data = yaml.safe_load(conf_path.read_text())
    except yaml.YAMLError as err:
        raise ConfigError(f"{conf_path}: not valid YAML: {err}") from None
    return data, str(conf_path)


def load(path: str | Path | None = None) -> Config:
    """The settings of config file `path` (None: default_path()) over the packaged defaults."""
    data, source = _file_mapping(path)
    return from_dict(data, source=source)


def load_dict(path: str | Path | None = None) -> dict:
    """The whole merged mapping (packaged defaults + the config file), for tests and tools that
    derive variants from it; from_dict() of a changed copy validates it."""
    data, source = _file_mapping(path)
    if data is not None and not isinstance(data, dict):
        raise ConfigError(f"{source}: the file must be a mapping of sections, got {type(data).__name__}")
    return merge(defaults_dict(), data or {})


def main(argv: list[str] | None = None) -> int:
    """python -m jobs.config [FILE] prints FILE's settings merged onto the defaults (FILE omitted:
    the default config); --defaults prints the packaged defaults file, comments included."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--defaults"]:
        print(defaults_text(), end="")
        return 0
    try:
        load(args[0] if args else None)  # validate first: print only settings that load
        print(yaml.safe_dump(load_dict(args[0] if args else None), sort_keys=False, allow_unicode=True), end="")
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
