"""Load and validate scintel's settings into typed, read-only pydantic models.

Every setting has its default value and its explanation in jobs/defaults.yaml, which ships inside
the package (so a pip-installed scintel and a cluster-mode driver, which gets the code as a zip,
both find it). A config file (conf/local.yaml, conf/cluster.yaml, any `--conf FILE`) is an
overlay naming only what differs: loading merges it onto the defaults section by section, key by
key; a list, a scalar, or a mapping of data such as scope.subfields replaces the default whole.
With no file at all the settings are the defaults.

Validation (pydantic, strict: YAML's `true` is not 1 and "8" is not 8; an integer is a float)
reports every problem at once, in one ConfigError naming each key path (`indicators.top_n`) and
the file: unknown keys (with a did-you-mean), missing keys, values of the wrong type, values out
of range, broken cross-field rules. A setting declares its own range on its field
(`Field(ge=1)`, which the JSON Schema shows too); a rule relating several fields of a section is
that section's `_rules` method, run by a model validator (also when the section's only other
problems are unknown keys or ranges, so that one pass reports both).

`python -m jobs.config [FILE]` prints the merged settings; `--defaults` prints the defaults file;
`--json-schema` prints the JSON Schema of a config file (committed as
conf/scintel-config.schema.json, which editors use to complete and check the overlays).
"""

from __future__ import annotations

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
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError, model_validator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from jobs.errors import ScintelError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONF = PROJECT_ROOT / "conf" / "local.yaml"
DEFAULTS_RESOURCE = "defaults.yaml"  # in this package (jobs/defaults.yaml)
DEFAULTS_SOURCE = "<packaged defaults jobs/defaults.yaml>"


class ConfigError(ScintelError, ValueError):
    pass


# A Java/Spark size string: 512m, 6g, 2gb, 1024 (see JavaUtils.byteStringAs). Spelled without an
# inline flag so that editors (JSON Schema patterns are ECMAScript regexes) can use it too.
SPARK_SIZE = r"^[0-9]+([kmgtpKMGTP][bB]?|[bB])?$"
PATTERN_HELP = {SPARK_SIZE: "a size such as 512m or 6g"}  # how messages describe a pattern

RULE = "config_rule"  # the pydantic error type of a broken `_rules` rule


def _at(name: str = "") -> str:
    """A key in a rule's message, relative to its section (`_at('year_end')`, `_at('pairs[0]')`;
    `_at()` is the section itself). The ConfigError shows it as its whole quoted path."""
    return f"«{name}»"


def _key(path: str, name: str | None = None) -> str:
    """The quoted key path, as messages show it: 'scope.year_start'."""
    full = f"{path}.{name}" if path and name else (path or name or "<root>")
    return f"'{full}'"


class _Settings(BaseModel):
    """Settings: read-only, strictly typed, unknown keys refused. Fields can be given by position
    too (`LensTopic("q", ["qubit"])`), in their declared order."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    def __init__(self, /, *args: Any, **values: Any) -> None:
        names = list(type(self).model_fields)
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes {len(names)} fields, got {len(args)} positional values")
        for name, value in zip(names, args):
            if name in values:
                raise TypeError(f"{type(self).__name__} got two values for {name!r}")
            values[name] = value
        super().__init__(**values)

    # Validation itself does not go through __init__ (pydantic would otherwise call it with the
    # file's mapping as keywords, and a non-string key would be a TypeError, not a problem to report).
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    def _rules(self) -> Iterator[str]:
        """The rules relating this section's fields: a message per broken rule, its keys as _at()."""
        return iter(())

    @model_validator(mode="wrap")
    @classmethod
    def _check_rules(cls, data: Any, handler):
        """Fields first (types, ranges, unknown keys), then the section's `_rules`: also when the
        fields' only problems leave every value with its type (unknown keys, ranges, patterns,
        nested rules), as one error with both."""
        if cls._rules is _Settings._rules:
            return handler(data)
        failure: ValidationError | None = None
        try:
            built = handler(data)
        except ValidationError as err:
            if not all(e["type"] in _NOT_BLOCKING for e in err.errors()):
                raise  # a value without its type (or a missing key): the rules wait for it
            failure, built = err, _construct(cls, data)
        broken = [{"type": PydanticCustomError(RULE, message), "loc": (), "input": data} for message in built._rules()]
        if failure is None and not broken:
            return built
        if not broken:
            raise failure
        earlier = [_again(e) for e in failure.errors()] if failure else []
        raise ValidationError.from_exception_data(cls.__name__, earlier + broken)


def _section_schema(schema: dict, cls: type) -> None:
    """A section's JSON Schema: every key optional (an overlay names what differs), with its default."""
    schema.pop("required", None)
    name = next(n for n, f in Config.model_fields.items() if f.annotation is cls)
    for key, default in defaults_dict()[name].items():
        schema["properties"][key]["default"] = default


def _file_schema(schema: dict, cls: type) -> None:
    """A config file's JSON Schema: every section optional, and may be left empty (`quality:`
    keeps its defaults)."""
    schema.pop("required", None)
    for name, prop in schema["properties"].items():
        schema["properties"][name] = {"anyOf": [prop, {"type": "null"}]}


class _Section(_Settings):
    """A section of a config file, merged key by key onto its defaults."""

    model_config = ConfigDict(json_schema_extra=_section_schema)


class SparkSettings(_Section):
    """Spark session settings (local mode; spark-submit decides them on a cluster)."""

    master: str | None = Field(description="ignored under spark-submit, which decides master and resources")
    shuffle_partitions: int = Field(ge=1)
    driver_memory: str | None = Field(pattern=SPARK_SIZE, description="local mode only (Spark's size form: 512m, 6g)")
    checkpoint_dir: str | None = Field(description="null: <warehouse>/_checkpoints")
    comet: bool = Field(
        description="Apache DataFusion Comet under Spark: native scans, aggregations, joins and shuffles (false: plain Spark)"
    )
    comet_offheap_size: str | None = Field(
        pattern=SPARK_SIZE,
        description="the off-heap pool Comet and Spark's own operators share with Comet on "
        "(null: spark-submit's spark.memory.offHeap.size)",
    )


def _str_keys(value: Any) -> Any:
    """A mapping's keys as strings (YAML reads `2012:` as a number)."""
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value


class Scope(_Section):
    """What the indicators cover: the year window and the domain filters."""

    year_start: int
    year_end: int
    paper_fields: list[str]
    paper_topics: list[str]
    patent_cpc_prefixes: list[str]
    patent_topics: list[str]
    focus_countries: list[str]
    focus_cities: list[str]
    subfields: Annotated[dict[str, list[str]], BeforeValidator(_str_keys)] = Field(
        description="the city report's subfields: name -> terms (a file naming subfields gives the whole mapping)"
    )
    report_city: str = Field(description="the city report's city (scintel report --city overrides it)")

    def _rules(self) -> Iterator[str]:
        if self.year_start > self.year_end:
            yield f"{_at('year_start')} ({self.year_start}) is after {_at('year_end')} ({self.year_end})"


class InstitutionRule(_Settings):
    """An institution roll-up: ids, lineage ids or name patterns (Java regex) -> the canonical id and name."""

    canonical_id: str
    canonical_name: str
    ids: list[str] = []
    name_patterns: list[str] = []


class AssigneeRule(_Settings):
    """A patent assignee roll-up: name patterns -> the canonical name."""

    canonical_name: str
    name_patterns: list[str]


class InstitutionSettings(_Section):
    """Institution roll-ups; the first matching rule wins."""

    canonical: list[InstitutionRule]


class PatentSettings(_Section):
    """Patent assignee roll-ups."""

    assignee_canonical: list[AssigneeRule]


class Thresholds(_Section):
    """Thresholds of the indicators."""

    top_cited_share: float = Field(gt=0, lt=1, description="top share per (field, year) cell, e.g. 0.01 for the top 1%")
    top_cited_min_threshold: int = Field(ge=0, description="a cell whose threshold is <= this has no top paper")
    high_value_patent_usd: float = Field(gt=0)
    high_level_h_index: int = Field(ge=1)
    cocitation_min_count: int = Field(ge=1, description="research fronts: papers citing both core papers of a link")
    cocitation_min_strength: float = Field(ge=0, le=1, description="research fronts: cocit / sqrt(cites_a * cites_b)")


class IndicatorSettings(_Section):
    """Rankings and series of the indicators."""

    top_n: int = Field(ge=1, description="rows kept in each ranking table")
    golden_cross_pairs: list[list[str]] = Field(description="[challenger, leader] country pairs")
    h5_years: int = Field(ge=1, description="institution h5: papers of the last N complete window years")
    patent_value_band_edges: list[float] = Field(description="USD band edges, strictly increasing")
    high_value_top_countries: int = Field(ge=1, description="countries in the yearly high-value patent trend")
    top_teams: int = Field(ge=1, description="institutions of the top-teams table (by h5-index)")
    key_members: int = Field(ge=1, description="key members listed per top team")

    def _rules(self) -> Iterator[str]:
        for i, pair in enumerate(self.golden_cross_pairs):
            if len(pair) != 2:
                yield f"{_at(f'golden_cross_pairs[{i}]')} must be [challenger, leader], got {pair}"
        edges = self.patent_value_band_edges
        if sorted(edges) != edges or len(set(edges)) != len(edges):
            yield f"{_at('patent_value_band_edges')} must be strictly increasing, got {edges}"


class FrontSettings(_Section):
    """Research fronts (jobs/indicators/research_fronts.py)."""

    core_years: int = Field(ge=1, description="core papers: top-1% papers of the window's last N years")
    max_core_references: int = Field(ge=2, description="citing papers with more core references are left out of co-citation")
    label_topics: int = Field(ge=1, description="a front's label: its core papers' N most frequent topics")


class TalentSettings(_Section):
    """Talent flow (jobs/indicators/talent_flow.py)."""

    min_papers_per_year: int = Field(
        ge=1, description="an active year's primary institution holds at least this many of the author's papers"
    )


class CollaborationSettings(_Section):
    """International collaboration and the city x subfield networks."""

    pairs: list[list[str]] = Field(description="country pairs with a yearly series")
    core_scholars: int = Field(ge=1, description="core scholars per (city, subfield), by h-index in the subfield")
    collaborators: int = Field(ge=1, description="top collaborators per core scholar")
    core_institutions: int = Field(ge=1, description="core institutions per (city, subfield), by papers")
    partners: int = Field(ge=1, description="top partner institutions per core institution")
    max_authors_per_paper: int = Field(ge=2, description="papers with more authors form no co-author pairs")
    community_iterations: int = Field(ge=1, description="label propagation rounds on the co-authorship graph")
    network_edges: int = Field(ge=1, description="heaviest institution-network edges kept per (city, subfield)")

    def _rules(self) -> Iterator[str]:
        for i, pair in enumerate(self.pairs):
            if len(pair) != 2 or pair[0] == pair[1]:
                yield f"{_at(f'pairs[{i}]')} must be two different countries, got {pair}"


class LensTopic(_Settings):
    """A technology topic of the topic lens: papers by terms, patents by CPC prefix or terms."""

    name: str
    paper_terms: list[str]
    patent_cpc_prefixes: list[str] = []
    patent_terms: list[str] = []

    def _rules(self) -> Iterator[str]:
        if not (self.paper_terms or self.patent_cpc_prefixes or self.patent_terms):
            yield f"{_at()} ({self.name}) has no term and no CPC prefix"


class TopicLensSettings(_Section):
    """The topic lens (jobs/indicators/topic_lens.py)."""

    topics: list[LensTopic]

    def _rules(self) -> Iterator[str]:
        names = [t.name for t in self.topics]
        if len(set(names)) != len(names):
            yield f"{_at('topics')} names must be unique, got {names}"


class IngestSettings(_Section):
    """Ingest checks and quarantine limits."""

    max_reject_ratio: float = Field(ge=0, le=1, description="ingest exits non-zero above this share of rejected records")
    min_year: int
    max_year: int
    max_cited_by_count: int = Field(
        gt=0, description="a work's cited_by_count (and each counts_by_year entry) above this is garbage, not data"
    )
    max_market_value_usd: float = Field(
        gt=0, description="a patent's market_value_usd above this is garbage (a unit or parsing error), not data"
    )

    def _rules(self) -> Iterator[str]:
        if self.min_year > self.max_year:
            yield f"{_at('min_year')} ({self.min_year}) is after {_at('max_year')} ({self.max_year})"


class QualitySettings(_Section):
    """Data quality gates."""

    stop_on_critical: bool
    gate_gold: bool = Field(description="gate every indicator stage's gold tables before the next stage")
    max_row_count_drift_pct: float = Field(
        ge=0, description="warn when a table's rows change more than this vs its previous version"
    )


class RunSettings(_Section):
    """How runs share a warehouse."""

    lock_lease_seconds: int = Field(
        ge=10,
        description="a run refreshes the warehouse lock every quarter of this; a lock not refreshed for this "
        "long belongs to a run that is gone (killed, its host lost) and the next run takes it over",
    )


class MaintenanceSettings(_Section):
    """Delta upkeep: `scintel maintain`, and after each successful run when after_run is true."""

    after_run: bool = Field(description="maintain the warehouse after every successful `scintel run`")
    log_retention_days: int = Field(ge=1, description="transaction log entries (time travel) are kept this long")
    file_retention_hours: int = Field(
        ge=0,
        description="VACUUM deletes files no current version needs once they are this old; under 168 "
        "(Delta's safety default) only where no run or reader can still be using an old version",
    )
    zorder: dict[str, list[str]] = Field(
        description="table -> columns OPTIMIZE Z-orders it by (its join keys); these tables keep per-file statistics on these columns only"
    )


class Config(_Settings):
    """scintel's settings. A config file names only what differs from the packaged defaults
    (jobs/defaults.yaml): any section, any key of a section."""

    model_config = ConfigDict(title="scintel config", json_schema_extra=_file_schema)

    spark: SparkSettings
    scope: Scope
    institutions: InstitutionSettings
    patents: PatentSettings
    thresholds: Thresholds
    indicators: IndicatorSettings
    ingest: IngestSettings
    quality: QualitySettings
    run: RunSettings
    maintenance: MaintenanceSettings
    fronts: FrontSettings
    talent: TalentSettings
    collaboration: CollaborationSettings
    topic_lens: TopicLensSettings
    _source: str = PrivateAttr(default="<dict>")

    @property
    def source(self) -> str:
        """Where the settings came from (the file, for messages and run records)."""
        return self._source

    def digest(self) -> str:
        """Stable hash of the settings, for run records."""
        return hashlib.sha256(json.dumps(self.model_dump(), sort_keys=True).encode()).hexdigest()[:16]


def json_schema() -> dict:
    """The JSON Schema of a config file (an overlay: no key is required; each setting shows its
    packaged default). conf/scintel-config.schema.json is a copy, for editors."""
    return Config.model_json_schema()


# --- the packaged defaults and the overlay merge ---------------------------------------------


@functools.lru_cache(maxsize=1)
def defaults_text() -> str:
    """jobs/defaults.yaml, read as package data (works from a wheel, a checkout or a zip)."""
    return importlib.resources.files(__package__ or "jobs").joinpath(DEFAULTS_RESOURCE).read_text(encoding="utf-8")


def defaults_dict() -> dict:
    """A fresh copy of the default settings mapping."""
    return yaml.safe_load(defaults_text())


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def merge(base, overlay, cls=Config):
    """`overlay` merged onto `base`, following the schema `cls`: a section (a mapping the schema
    declares as a model) merges key by key; anything else the overlay names (a scalar, a list,
    a mapping of data such as scope.subfields) replaces the base value. A section left empty in
    the overlay (`quality:` with nothing under it) keeps the base section."""
    if overlay is None and isinstance(base, dict):
        return base
    if not (isinstance(base, dict) and isinstance(overlay, dict)):
        return overlay
    fields = cls.model_fields
    merged = dict(base)
    for key, value in overlay.items():
        field = fields.get(key) if isinstance(key, str) else None
        if key in base and field is not None and _is_model(field.annotation):
            merged[key] = merge(base[key], value, field.annotation)
        else:
            merged[key] = value
    return merged


# --- validation: pydantic's errors, in file order, as one ConfigError -------------------------

_UNKNOWN_KEY = {"extra_forbidden", "invalid_key"}
_RANGE = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}
# Problems after which a section's values still have their types, so its rules can run.
_NOT_BLOCKING = _UNKNOWN_KEY | _RANGE | {"string_pattern_mismatch", RULE}
_TYPE_NAMES = {
    "int_type": "int",
    "float_type": "float",
    "string_type": "str",
    "bool_type": "bool",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _optional_inner(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation


def _construct(annotation: Any, value: Any) -> Any:
    """`value`, whose every value has its type (its only problems are unknown keys, ranges or
    broken rules), built as validation builds it: mappings as models (unknown keys left out),
    integers as floats where a float is declared."""
    if value is None:
        return None
    annotation = _optional_inner(annotation)
    if _is_model(annotation):
        fields = annotation.model_fields
        return annotation.model_construct(
            **{k: _construct(fields[k].annotation, v) for k, v in value.items() if isinstance(k, str) and k in fields}
        )
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list:
        return [_construct(args[0], v) for v in value]
    if origin is dict:
        return {str(k): _construct(args[1], v) for k, v in value.items()}
    if annotation is float:
        return float(value)
    return value


def _again(error: dict) -> dict:
    """A pydantic error as collected, to raise again with others."""
    kind = PydanticCustomError(RULE, error["msg"]) if error["type"] == RULE else error["type"]
    again = {"type": kind, "loc": error["loc"], "input": error["input"]}
    if "ctx" in error:
        again["ctx"] = error["ctx"]
    return again


def _annotation_at(loc: tuple) -> Any:
    """The declared type at key path `loc` of a config (None: not in the schema)."""
    annotation: Any = Config
    for part in loc:
        annotation = _optional_inner(annotation)
        origin = typing.get_origin(annotation)
        if _is_model(annotation) and isinstance(part, str) and part in annotation.model_fields:
            annotation = annotation.model_fields[part].annotation
        elif origin is list and isinstance(part, int):
            annotation = typing.get_args(annotation)[0]
        elif origin is dict:
            annotation = typing.get_args(annotation)[1]
        else:
            return None
    return _optional_inner(annotation)


def _path(loc: tuple) -> str:
    """A key path as messages write it: collaboration.pairs[0], scope.subfields.robotics."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def bounds(field: FieldInfo) -> dict[str, float]:
    """A field's declared range: {'gt': 0, 'lt': 1}, {'ge': 1}; {} when it declares none."""
    return {
        name: getattr(rule, name)
        for rule in field.metadata
        for name in ("gt", "ge", "lt", "le")
        if getattr(rule, name, None) is not None
    }


def _range_message(error: dict) -> str:
    """'must be at least 1', 'in (0, 1)', 'a positive integer': the field's whole declared range."""
    parent = _annotation_at(error["loc"][:-1])
    field = parent.model_fields.get(error["loc"][-1]) if _is_model(parent) else None
    if field is None:  # a constraint on something other than a setting (none today)
        return f"{_key(_path(error['loc']))}: {error['msg']}, got {error['input']!r}"
    rule = bounds(field)
    low, low_open = (rule["gt"], True) if "gt" in rule else (rule.get("ge"), False)
    high, high_open = (rule["lt"], True) if "lt" in rule else (rule.get("le"), False)
    too_low = error["type"] in ("greater_than", "greater_than_equal")
    if low is not None and high is not None:
        expected = f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    elif too_low and low_open and low == 0:
        expected = f"a positive {'integer' if field.annotation is int else 'number'}"
    elif too_low:
        expected = f"greater than {low}" if low_open else f"at least {low}"
    else:
        expected = f"less than {high}" if high_open else f"at most {high}"
    return f"{_key(_path(error['loc']))} must be {expected}, got {error['input']!r}"


def _message(error: dict) -> str:
    """One pydantic error as a ConfigError line."""
    kind, loc, value = error["type"], error["loc"], error["input"]
    where = _key(_path(loc))
    if kind in _UNKNOWN_KEY:
        parent = _annotation_at(loc[:-1])
        allowed = list(parent.model_fields) if _is_model(parent) else []
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed here: {', '.join(sorted(allowed))}"
        return f"unknown key {_key(_path(loc[:-1]), str(loc[-1]))} ({hint})"
    if kind == "missing":
        return f"missing key {where}"
    if kind in _TYPE_NAMES:
        return f"{where} must be {_TYPE_NAMES[kind]}, got {value!r}"
    if kind in _RANGE:
        return _range_message(error)
    if kind == "string_pattern_mismatch":
        pattern = error["ctx"]["pattern"]
        return f"{where} must be {PATTERN_HELP.get(pattern, 'of the form ' + pattern)}, got {value!r}"
    if kind == RULE:
        return re.sub("«([^«»]*)»", lambda m: _key(_path(loc), m[1] or None), error["msg"])
    return f"{where}: {error['msg']}, got {value!r}"


def _in_file_order(errors: list[dict], depth: int = 0) -> list[dict]:
    """The errors as the file reads: at each level the unknown keys first, then each setting in
    its declared order (pydantic's), then the level's own rules."""
    unknown = [e for e in errors if len(e["loc"]) == depth + 1 and e["type"] in _UNKNOWN_KEY]
    own = [e for e in errors if len(e["loc"]) == depth]
    below: dict[Any, list[dict]] = {}
    for e in errors:
        if len(e["loc"]) > depth and not (len(e["loc"]) == depth + 1 and e["type"] in _UNKNOWN_KEY):
            below.setdefault(e["loc"][depth], []).append(e)
    return unknown + [e for group in below.values() for e in _in_file_order(group, depth + 1)] + own


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
    try:
        config = Config.model_validate(merge(defaults_dict(), data))
    except ValidationError as err:
        raise _error([_message(e) for e in _in_file_order(err.errors(include_url=False))], source) from None
    config._source = source
    return config


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
    the default config); --defaults prints the packaged defaults file, comments included;
    --json-schema prints the JSON Schema of a config file."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--defaults"]:
        print(defaults_text(), end="")
        return 0
    if args[:1] == ["--json-schema"]:
        print(json.dumps(json_schema(), indent=2))
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
