"""Great Expectations plumbing: the run's data context, a suite's expectations run on a Spark
DataFrame, GE's results turned into CheckOutcome rows, and the data docs.

Everything GE-specific lives here; the gate (data_quality/gate.py) hands in a DataFrame and gets
back one CheckOutcome per expectation of the suite, in suite order, plus GE's own validation
results as JSON.

The context is ephemeral, but its validation results store is a directory (`<root>/_gx`), so the
data docs built under `<root>/data_docs` list every stage gated in this run, not only the last.
"""

from __future__ import annotations

import logging
from copy import copy
from datetime import datetime, timezone
from pathlib import Path

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from data_quality.outcome import EXAMPLES, MAX_MESSAGE, CheckOutcome, message, plain
from data_quality.suites import TableSuite

log = logging.getLogger(__name__)

DOCS_SITE = "scintel"
SPARK_SOURCE = "spark"
PASS_FAIL = {"result_format": "BOOLEAN_ONLY"}
DETAILS = {"result_format": "SUMMARY", "partial_unexpected_count": EXAMPLES}
KEY_HASH_PREFIX = "__key_hash"

StandIns = dict[int, tuple[str, Column]]


# ----------------------------------------------------------------------------- context, data docs


def make_context(root: Path):
    """An ephemeral context whose validation results persist under root/_gx, so the data docs
    built under root/data_docs list every stage gated in this run, not only the last one."""
    defaults = InMemoryStoreBackendDefaults()
    defaults.stores[defaults.validation_results_store_name]["store_backend"] = {
        "class_name": "TupleFilesystemStoreBackend",
        "base_directory": str(root / "_gx" / "validations"),
    }
    site = {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(root / "data_docs")},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }
    config = DataContextConfig(
        store_backend_defaults=defaults,
        data_docs_sites={DOCS_SITE: site},
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    # persist=False: GE would otherwise cache every batch it validates and never unpersist it.
    context.data_sources.add_spark(SPARK_SOURCE, persist=False)
    return context


def build_data_docs(context) -> str | None:
    """Build the HTML site; a failure here is reported (the message is returned), it does not
    fail the gate: the verdict and the JSON results do not depend on the docs."""
    try:
        context.build_data_docs(site_names=[DOCS_SITE])
    except Exception as err:
        log.warning("data docs were not built: %s", err)
        return message(err)
    return None


# ----------------------------------------------------------------------------- the projection


def checked_frame(suite: TableSuite, df: DataFrame) -> tuple[DataFrame, StandIns]:
    """The projection the gate validates: the suite's columns that the table has, then one hash
    column per uniqueness expectation that key_hash_stand_ins replaces in pass 1.

    Only the columns the suite reads: every expectation is a pass over the table, and papers'
    array columns would make each pass many times larger. Not cached: a pass over a few Parquet
    columns (compressed, columnar) costs less than building the cache and reading it back, and a
    large table's cache would spill to local disk anyway. A column the table lacks is left out
    here and surfaces as an exception in the expectation that reads it. The extra hash columns
    carry a reserved prefix, so the reference and aggregate checks that share this projection
    never read them.
    """
    stand_ins = key_hash_stand_ins(suite, df.columns)
    projected = df.select(
        *[c for c in suite.columns if c in df.columns], *[hashed.alias(name) for name, hashed in stand_ins.values()]
    )
    return projected, stand_ins


def key_hash(*columns: str) -> Column:
    """64-bit hash of a key (Spark's xxhash64). Equal keys hash equal, nulls included."""
    return F.xxhash64(*columns)


def key_hash_stand_ins(suite: TableSuite, columns: list[str]) -> StandIns:
    """Position of each uniqueness expectation -> (hash column, its expression).

    GE checks uniqueness with a window partitioned by the key (count over the key's rows), which
    sorts every row of the table by it: on tables as large as citations and authorships that
    sort is most of the gate's time, natively or not, and a compound key of strings sorts field by
    field. Pass 1 asks instead for the proportion of distinct values of the key's 64-bit hash
    among the rows that have one (a count distinct: one hash aggregation of longs, no sort), which
    is 1 exactly when no hash repeats. Distinct hashes prove distinct keys, so such a key passes
    exactly; a repeated hash (a duplicate, or a collision: likely only past ~5 billion rows), an
    empty table or one whose keys are all null (GE's proportion is then 0) sends the expectation
    to pass 2, which runs GE's own expectation on the columns, so counts and examples are GE's.
    Rows whose key columns are all null get a null hash, as GE skips them (a single column's
    nulls; a compound key's ignore_row_if='all_values_are_missing', its default). Only
    expectations with those defaults (no `mostly`) and with every key column in the table are
    replaced.
    """
    stand_ins = {}
    for i, expectation in enumerate(suite.expectations):
        if getattr(expectation, "mostly", None) not in (None, 1, 1.0):
            continue
        if isinstance(expectation, gxe.ExpectColumnValuesToBeUnique):
            keys = [expectation.column]
        elif (
            isinstance(expectation, gxe.ExpectCompoundColumnsToBeUnique)
            and getattr(expectation, "ignore_row_if", "all_values_are_missing") == "all_values_are_missing"
        ):
            keys = list(expectation.column_list or [])
        else:
            continue
        if keys and all(k in columns for k in keys):
            any_present = F.greatest(*[F.col(k).isNotNull() for k in keys], F.lit(False))
            stand_ins[i] = (f"{KEY_HASH_PREFIX}_{i}", F.when(any_present, key_hash(*keys)))
    return stand_ins


def _stand_in(expectation: gxe.Expectation, hash_column: str) -> gxe.Expectation:
    keys = ", ".join(getattr(expectation, "column_list", None) or [expectation.column])
    return gxe.ExpectColumnProportionOfUniqueValuesToBeBetween(
        column=hash_column,
        min_value=1.0,
        severity=expectation.severity,
        meta={
            "stands_in_for": f"{expectation.expectation_type}({keys})",
            "note": "pass 1: the key's 64-bit hashes all distinct; otherwise pass 2 runs the expectation on the columns",
        },
    )


# ----------------------------------------------------------------------------- running a suite


def validate(context, suite: TableSuite, df: DataFrame, stage: str, stand_ins: StandIns | None = None) -> tuple[list, dict]:
    """Run the suite's expectations on df; one GE result per expectation, in suite order, and
    GE's validation results as JSON ("all", and "failed" when pass 2 ran). Raises when GE itself
    fails (not one expectation: those come back as results with exception_info).

    Two passes, so that clean data is not scanned once more per expectation for examples.
    Pass 1 asks only pass/fail (BOOLEAN_ONLY): GE bundles the counts into a few aggregate jobs
    (papers' 6 expectations: 9 Spark jobs). Asking for examples (SUMMARY) adds two jobs per
    expectation (papers: 21), which on clean data read the whole table to find nothing. Pass 2 reruns only the failed
    expectations, as suite `<table>.failed`, for counts and examples. Both results are stored,
    so data docs show both.

    stand_ins (key_hash_stand_ins): in pass 1, a key's uniqueness is checked on the key's hash
    column instead; when that fails, pass 2 runs the uniqueness expectation itself.
    """
    stand_ins = stand_ins or {}
    batch = context.data_sources.get(SPARK_SOURCE).add_dataframe_asset(suite.table).add_batch_definition_whole_dataframe("whole")
    # Copies: GE binds an expectation object to the suite it is added to, and a TableSuite may
    # be validated more than once.
    copies = [_stand_in(e, stand_ins[i][0]) if i in stand_ins else copy(e) for i, e in enumerate(suite.expectations)]
    first, first_suite = _run_suite(context, batch, suite.table, copies, df, stage, PASS_FAIL)
    position = {expectation.id: i for i, expectation in enumerate(first_suite.expectations)}
    results = {position[r.expectation_config.id]: r for r in first.results}
    ge_json = {"all": first.to_json_dict()}
    failed = sorted(i for i, r in results.items() if not r.success and not _exception_message(r.exception_info))
    if failed:
        again = [copy(suite.expectations[i]) for i in failed]
        second, second_suite = _run_suite(context, batch, f"{suite.table}.failed", again, df, stage, DETAILS)
        back = {expectation.id: failed[j] for j, expectation in enumerate(second_suite.expectations)}
        results.update({back[r.expectation_config.id]: r for r in second.results})
        ge_json["failed"] = second.to_json_dict()
    return [results[i] for i in sorted(results)], ge_json


def _run_suite(context, batch, name: str, expectations: list, df: DataFrame, stage: str, result_format: dict):
    ge_suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
    validation = context.validation_definitions.add(gx.ValidationDefinition(name=f"{stage}.{name}", data=batch, suite=ge_suite))
    result = validation.run(
        batch_parameters={"dataframe": df},
        result_format=result_format,
        run_id=RunIdentifier(run_name=stage, run_time=datetime.now(timezone.utc)),
    )
    return result, ge_suite


# ----------------------------------------------------------------------------- GE results -> rows


def outcomes(suite: TableSuite, results: list) -> list[CheckOutcome]:
    """validate's results as CheckOutcome rows, one per expectation of the suite, in suite order;
    a stand-in's result is named after the compound expectation it stood in for."""
    return [outcome(suite.table, result, expectation) for result, expectation in zip(results, suite.expectations)]


def outcome(table: str, result, asked: gxe.Expectation | None = None) -> CheckOutcome:
    """One GE result as a CheckOutcome, named after `asked` (the suite's expectation) when the
    result is that of its pass-1 stand-in."""
    expectation = result.expectation_config
    if asked is not None and expectation.type != asked.expectation_type:
        expectation = asked.configuration
    kwargs = dict(expectation.kwargs)
    details = result.result or {}
    exception = _exception_message(result.exception_info)
    return CheckOutcome(
        table=table,
        expectation=expectation.type,
        column=kwargs.get("column")
        or ", ".join(kwargs.get("column_list") or [kwargs[k] for k in ("column_A", "column_B") if kwargs.get(k)])
        or None,
        severity=getattr(expectation.severity, "value", expectation.severity),
        success=bool(result.success) and exception is None,
        unexpected_count=details.get("unexpected_count"),
        element_count=details.get("element_count"),
        partial_unexpected=list(details.get("partial_unexpected_list") or []),
        detail=", ".join(
            f"{key}={plain(value)}"
            for key, value in kwargs.items()
            if key not in ("column", "column_list", "column_A", "column_B", "batch_id") and value is not None
        ),
        exception=exception,
    )


def _exception_message(info: dict | None) -> str | None:
    """GE reports exceptions either flat ({raised_exception, exception_message, ...}) or keyed by
    the metric that raised ({metric_id: {...}}); collect the messages of those that raised."""
    if not info:
        return None
    entries = [info] if "raised_exception" in info else list(info.values())
    messages = [
        str(entry.get("exception_message") or "exception without message")[:MAX_MESSAGE]
        for entry in entries
        if isinstance(entry, dict) and entry.get("raised_exception")
    ]
    return "; ".join(dict.fromkeys(messages)) or None
