"""The quality gate that runs between pipeline stages.

`run_gate` validates tables of the warehouse against their suites (data_quality/suites.py) with
Great Expectations and leaves, under `<warehouse.quality_dir>/<run_id>/`:

    <stage>/<table>.json    one table's checks, plus GE's own validation results ("all", "failed")
    <stage>/summary.json    the gate's verdict and every failing check
    data_docs/index.html    GE data docs for every stage gated so far in this run
    _gx/validations/        GE's validation results store, which data docs are built from

`enforce` turns a failed gate into QualityGateFailed when critical checks failed.

Great Expectations works on local files, so when the warehouse is a remote URI (hdfs://, s3a://)
the gate writes into a local staging directory per run and copies it to the warehouse with
Hadoop's FileSystem afterwards; data docs then cover the stages this driver process gated.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
import uuid
from copy import copy
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from data_quality.suites import CRITICAL, WARNING, AggregateCheck, ReferenceCheck, TableSuite, suite_for
from jobs.config import Config
from jobs.errors import ScintelError
from jobs.warehouse import TableNotFound, Warehouse

log = logging.getLogger(__name__)

DOCS_SITE = "scintel"
SPARK_SOURCE = "spark"
EXAMPLES = 10
PASS_FAIL = {"result_format": "BOOLEAN_ONLY"}
DETAILS = {"result_format": "SUMMARY", "partial_unexpected_count": EXAMPLES}
MAX_MESSAGE = 500


@dataclass(frozen=True)
class CheckOutcome:
    """One expectation (or reference check) evaluated on one table."""

    table: str
    expectation: str
    column: str | None
    severity: str
    success: bool
    unexpected_count: int | None = None
    element_count: int | None = None
    partial_unexpected: list = field(default_factory=list)
    detail: str = ""
    exception: str | None = None

    def describe(self) -> str:
        target = f"{self.expectation}({self.column or ''})"
        if self.detail:
            target += f" [{self.detail}]"
        if self.exception:
            return f"{target}: raised {self.exception}"
        if self.unexpected_count is None:
            return f"{target}: {'passed' if self.success else 'failed'}"
        of = f" of {self.element_count}" if self.element_count is not None else ""
        examples = f", e.g. {_examples(self.partial_unexpected)}" if self.partial_unexpected else ""
        return f"{target}: {self.unexpected_count}{of} rows unexpected{examples}"


@dataclass(frozen=True)
class GateResult:
    """The verdict of one gate: every check on every table, and where the evidence was written."""

    run_id: str
    stage: str
    rows: list[CheckOutcome]
    seconds: dict[str, float]
    output_dir: str
    data_docs_index: str | None
    data_docs_error: str | None = None

    @property
    def failures(self) -> list[CheckOutcome]:
        return [row for row in self.rows if not row.success]

    @property
    def critical_failures(self) -> list[CheckOutcome]:
        return [row for row in self.failures if row.severity == CRITICAL]

    @property
    def warnings(self) -> list[CheckOutcome]:
        """Failing checks below critical severity (GE's 'warning' and 'info')."""
        return [row for row in self.failures if row.severity != CRITICAL]

    @property
    def passed(self) -> bool:
        return not self.critical_failures

    def headline(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        return (
            f"quality gate '{self.stage}' (run {self.run_id}) {verdict}: {len(self.seconds)} tables, "
            f"{len(self.rows)} checks, {len(self.critical_failures)} critical failures, {len(self.warnings)} warnings"
        )

    def summary(self) -> str:
        lines = [self.headline()]
        for table, seconds in self.seconds.items():
            rows = [row for row in self.rows if row.table == table]
            failed = [row for row in rows if not row.success]
            lines.append(f"  {table}: {len(rows) - len(failed)}/{len(rows)} checks passed ({seconds:.1f}s)")
            lines += [f"    {row.severity.upper():8} {row.describe()}" for row in failed]
        if self.data_docs_index:
            lines.append(f"  data docs: {self.data_docs_index}")
        if self.data_docs_error:
            lines.append(f"  data docs not built: {self.data_docs_error}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "stage": self.stage,
            "passed": self.passed,
            "n_checks": len(self.rows),
            "n_critical_failures": len(self.critical_failures),
            "n_warnings": len(self.warnings),
            "seconds": self.seconds,
            "output_dir": self.output_dir,
            "data_docs_index": self.data_docs_index,
            "data_docs_error": self.data_docs_error,
            "failures": [asdict(row) for row in self.failures],
        }


class QualityGateFailed(ScintelError):
    """A critical expectation failed; `result` holds the whole gate result."""

    exit_code = 3

    def __init__(self, result: GateResult):
        super().__init__(result.summary())
        self.result = result


def enforce(result: GateResult, stop_on_critical: bool = True) -> GateResult:
    """Raise QualityGateFailed on critical failures (when stop_on_critical); warnings only log."""
    for row in result.warnings:
        log.warning("%s %s: %s", result.stage, row.table, row.describe())
    if result.critical_failures:
        if stop_on_critical:
            raise QualityGateFailed(result)
        log.error("%s (quality.stop_on_critical is off: continuing)\n%s", result.headline(), result.summary())
    return result


def run_gate(
    spark: SparkSession,
    warehouse: Warehouse,
    tables: list[str],
    config: Config,
    run_id: str,
    stage: str,
) -> GateResult:
    """Validate `tables` of the warehouse against their suites; write results and data docs.

    Never raises for bad data: a missing table, a missing column or an exception inside an
    expectation becomes a failed check. Raises KeyError for a table without a suite.
    """
    suites = [suite_for(table, config) for table in tables]
    target = f"{warehouse.quality_dir}/{run_id}"
    local_root = _local_root(target, run_id)
    context = _context(local_root)
    rows: list[CheckOutcome] = []
    seconds: dict[str, float] = {}
    for suite in suites:
        started = time.monotonic()
        table_rows, ge_json = _validate_table(
            spark, warehouse, context, suite, stage, config.quality.max_row_count_drift_pct
        )
        seconds[suite.table] = round(time.monotonic() - started, 2)
        failed = sum(not row.success for row in table_rows)
        log.info(
            "gate %s: %s validated in %.1fs (%d checks, %d failed)",
            stage, suite.table, seconds[suite.table], len(table_rows), failed,
        )
        _write_json(
            local_root / stage / f"{suite.table}.json",
            {
                "run_id": run_id,
                "stage": stage,
                "table": suite.table,
                "success": failed == 0,
                "seconds": seconds[suite.table],
                "checks": [asdict(row) for row in table_rows],
                "great_expectations": ge_json,
            },
        )
        rows += table_rows
    docs_error = _build_data_docs(context)
    result = GateResult(
        run_id=run_id,
        stage=stage,
        rows=rows,
        seconds=seconds,
        output_dir=f"{target}/{stage}",
        data_docs_index=None if docs_error else f"{target}/data_docs/index.html",
        data_docs_error=docs_error,
    )
    _write_json(local_root / stage / "summary.json", result.to_dict())
    if not _is_local(target):
        _upload(spark, local_root, target)
    log.info(result.headline())
    return result


# ----------------------------------------------------------------------------- one table


def _validate_table(
    spark: SparkSession, warehouse: Warehouse, context, suite: TableSuite, stage: str, drift_pct: float | None = None
) -> tuple[list[CheckOutcome], dict | None]:
    try:
        df = warehouse.read(spark, suite.table)
    except TableNotFound as err:
        return [CheckOutcome(suite.table, "expect_table_to_exist", None, CRITICAL, False, exception=str(err))], None
    # Validate only the columns the suite reads: every expectation is a pass over the table, and
    # papers' array columns would make each pass many times larger. Not cached: a pass over a
    # few Parquet columns (compressed, columnar) is cheaper than building the cache and reading
    # it back, and a large table's cache would spill to local disk anyway.
    # A column the table lacks is left out here and surfaces as an exception in its expectation.
    stand_ins = _key_hash_stand_ins(suite, df.columns)
    checked_df = df.select(
        *[c for c in suite.columns if c in df.columns], *[hashed.alias(name) for name, hashed in stand_ins.values()]
    )
    try:
        results, ge_json = _validate_with_gx(context, suite, checked_df, stage, stand_ins)
    except Exception as err:  # GE itself failed (not one expectation): the whole suite fails
        return [CheckOutcome(suite.table, "validate_suite", None, CRITICAL, False, exception=_message(err))], None
    rows = [_outcome(suite.table, result, expectation) for result, expectation in zip(results, suite.expectations)]
    rows += [_check_reference(spark, warehouse, suite.table, checked_df, ref) for ref in suite.references]
    rows += [_check_aggregate(suite.table, checked_df, check) for check in suite.aggregates]
    if drift_pct is not None:
        rows.append(_check_drift(spark, warehouse, suite.table, drift_pct))
    return rows, ge_json


def _validate_with_gx(context, suite: TableSuite, df: DataFrame, stage: str, stand_ins: dict | None = None) -> tuple[list, dict]:
    """Two passes, so that clean data is not scanned once more per expectation for examples.

    Pass 1 asks only pass/fail (BOOLEAN_ONLY): GE bundles the counts into a few aggregate jobs
    (papers' 6 expectations: 9 Spark jobs). Asking for examples (SUMMARY) adds two jobs per
    expectation (papers: 21), which on clean data read the whole table to find nothing. Pass 2
    reruns only the failed expectations, as suite `<table>.failed`, for counts and examples. Both
    results are stored, so data docs show both. Returns one result per expectation, in suite order.

    stand_ins (_key_hash_stand_ins): in pass 1, a compound key's uniqueness is checked on the
    key's hash column instead; when that fails, pass 2 runs the compound expectation itself.
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


KEY_HASH_PREFIX = "__key_hash"


def key_hash(*columns: str) -> Column:
    """64-bit hash of a key (Spark's xxhash64). Equal keys hash equal, nulls included."""
    return F.xxhash64(*columns)


def _key_hash_stand_ins(suite: TableSuite, columns: list[str]) -> dict[int, tuple[str, Column]]:
    """Position of each compound-key uniqueness expectation -> (hash column, its expression).

    GE checks a compound key with a window partitioned by the struct of its columns, and Spark
    sorts structs of strings field by field, without the sort prefix a long gets, so on a table
    as large as citations that sort is most of the expectation's cost; a window on the key's
    64-bit hash sorts longs. Distinct hashes prove distinct keys, so a hash column without repeats
    passes the expectation exactly; a repeated hash (a duplicate, or a collision: likely only
    past ~5 billion rows) sends the expectation to pass 2, which runs GE's compound check on the
    columns themselves, so counts and examples are GE's own. Rows whose key columns are all null
    get a null hash, as GE's default ignore_row_if='all_values_are_missing' skips them. Only
    expectations with that default and with every key column in the table are replaced.
    """
    stand_ins = {}
    for i, expectation in enumerate(suite.expectations):
        keys = list(getattr(expectation, "column_list", None) or [])
        if (
            isinstance(expectation, gxe.ExpectCompoundColumnsToBeUnique)
            and getattr(expectation, "ignore_row_if", "all_values_are_missing") == "all_values_are_missing"
            and keys and all(k in columns for k in keys)
        ):
            all_missing = F.greatest(*[F.col(k).isNotNull() for k in keys], F.lit(False))
            stand_ins[i] = (f"{KEY_HASH_PREFIX}_{i}", F.when(all_missing, key_hash(*keys)))
    return stand_ins


def _stand_in(expectation: gxe.Expectation, hash_column: str) -> gxe.Expectation:
    keys = ", ".join(expectation.column_list)
    return gxe.ExpectColumnValuesToBeUnique(
        column=hash_column, severity=expectation.severity,
        meta={"stands_in_for": f"expect_compound_columns_to_be_unique({keys})",
              "note": "pass 1 checks the key's 64-bit hash; a repeated hash reruns the compound check on the columns"},
    )


def _run_suite(context, batch, name: str, expectations: list, df: DataFrame, stage: str, result_format: dict):
    ge_suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{stage}.{name}", data=batch, suite=ge_suite)
    )
    result = validation.run(
        batch_parameters={"dataframe": df},
        result_format=result_format,
        run_id=RunIdentifier(run_name=stage, run_time=datetime.now(timezone.utc)),
    )
    return result, ge_suite


def _outcome(table: str, result, asked: gxe.Expectation | None = None) -> CheckOutcome:
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
            f"{key}={_plain(value)}"
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


def _check_reference(
    spark: SparkSession, warehouse: Warehouse, table: str, child_df: DataFrame, ref: ReferenceCheck
) -> CheckOutcome:
    """Anti-join the child's non-null keys against the parent; orphans are the unexpected rows.

    Two passes, like the GE expectations: the distinct child keys are anti-joined first, and only
    when some key is orphaned are its rows counted and quoted. A child repeats its key (a paper's
    ~10 references, ~4 authorships) in neighbouring rows, so the distinct keys are mostly found
    before the shuffle: the citations check shuffles about one key per citing paper, not one
    row per citation.

    Skew: the join shuffles on the child key. Per parent the child side is bounded by one paper's
    authors or references; institutions (60k papers on one key) are a small dimension and are
    broadcast, so the hub never lands in one shuffle partition.
    """
    outcome = dict(
        table=table, expectation=ref.expectation, column=ref.column, severity=ref.severity, detail=f"in {ref.parent}"
    )
    try:
        parent_df = warehouse.read(spark, ref.parent_table).select(F.col(ref.parent_column).alias(ref.column))
        if ref.broadcast_parent:
            parent_df = F.broadcast(parent_df)
        keys_df = child_df.select(ref.column).where(F.col(ref.column).isNotNull())
        orphan_keys_df = keys_df.distinct().join(parent_df, on=ref.column, how="left_anti")
        unexpected, examples = 0, []
        if orphan_keys_df.count():
            orphans_df = keys_df.join(orphan_keys_df, on=ref.column, how="left_semi")
            unexpected = orphans_df.count()
            examples = [row[0] for row in orphans_df.limit(EXAMPLES).collect()]
    except Exception as err:  # a missing parent table or column: the check could not run
        return CheckOutcome(**outcome, success=False, exception=_message(err))
    return CheckOutcome(**outcome, success=unexpected == 0, unexpected_count=unexpected, partial_unexpected=examples)


def _check_aggregate(table: str, checked_df: DataFrame, check: AggregateCheck) -> CheckOutcome:
    """Run one aggregate check over the (small, gold) table as the temp view `t`."""
    outcome = dict(table=table, expectation=check.expectation, column=check.column, severity=check.severity,
                   detail=check.detail)
    view = f"t_{uuid.uuid4().hex[:8]}"
    try:
        checked_df.createOrReplaceTempView(view)
        unexpected = int(checked_df.sparkSession.sql(check.query.replace(" FROM t", f" FROM {view}")).first()[0])
    except Exception as err:  # a missing column: the check could not run
        return CheckOutcome(**outcome, success=False, exception=_message(err))
    finally:
        checked_df.sparkSession.catalog.dropTempView(view)
    return CheckOutcome(**outcome, success=unexpected == 0, unexpected_count=unexpected)


def _check_drift(spark: SparkSession, warehouse: Warehouse, table: str, max_pct: float) -> CheckOutcome:
    """Rows written by the table's latest Delta version against the version before (from the
    commit metrics, no scan): a warning when they differ by more than max_pct percent. The
    first version of a table, and versions without row metrics (MERGE), pass."""
    outcome = dict(table=table, expectation="expect_row_count_to_stay_within_drift", column=None,
                   severity=WARNING, detail=f"max_pct={_plain(max_pct)}")
    try:
        from delta.tables import DeltaTable

        history = (
            DeltaTable.forPath(spark, warehouse.path(table, warehouse.find_layer(spark, table)))
            .history(2)
            .select("version", F.col("operationMetrics").getItem("numOutputRows").alias("rows"))
            .collect()
        )
    except Exception as err:
        return CheckOutcome(**outcome, success=False, exception=_message(err))
    counts = [int(r["rows"]) for r in history if r["rows"] is not None]
    if len(counts) < 2 or counts[1] == 0:
        return CheckOutcome(**outcome, success=True, element_count=counts[0] if counts else None)
    change = abs(counts[0] - counts[1]) * 100.0 / counts[1]
    return CheckOutcome(
        **{**outcome, "detail": f"{outcome['detail']}, previous={counts[1]}, now={counts[0]}, change={change:.1f}%"},
        success=change <= max_pct, element_count=counts[0],
    )


# ----------------------------------------------------------------------------- GE context, files


def _context(root: Path):
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


def _build_data_docs(context) -> str | None:
    """Build the HTML site; a failure here is reported, it does not fail the gate."""
    try:
        context.build_data_docs(site_names=[DOCS_SITE])
    except Exception as err:
        log.warning("data docs were not built: %s", err)
        return _message(err)
    return None


def _is_local(uri: str) -> bool:
    return "://" not in uri and not uri.startswith("file:")


def _local_root(target: str, run_id: str) -> Path:
    if _is_local(target):
        return Path(target)
    # One staging dir per run, so a later stage of the same run finds the earlier results.
    return Path(tempfile.gettempdir()) / "scintel-quality" / run_id


def _write_json(path: Path, body: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, indent=2, default=str))


def _upload(spark: SparkSession, local_root: Path, target: str) -> None:
    """Copy the staging tree file by file through Hadoop's FileSystem (hdfs, s3a, file)."""
    jvm = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path
    fs = hadoop_path(target).getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    for file in sorted(p for p in local_root.rglob("*") if p.is_file()):
        destination = f"{target.rstrip('/')}/{file.relative_to(local_root).as_posix()}"
        fs.copyFromLocalFile(False, True, hadoop_path(str(file)), hadoop_path(destination))


def _message(err: BaseException) -> str:
    return f"{type(err).__name__}: {str(err).strip().splitlines()[0] if str(err).strip() else ''}"[:MAX_MESSAGE]


def _plain(value: Any) -> Any:
    """GE stores bounds as floats; 2100.0 reads better as 2100."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _examples(values: list[Any]) -> str:
    return ", ".join(repr(value) for value in values[:5]) + (" ..." if len(values) > 5 else "")
