"""The quality gate that runs between pipeline stages: orchestration only.

`run_gate` validates tables of the warehouse against their suites (data_quality/suites.py) and
returns a GateResult; `enforce` turns a failed gate into QualityGateFailed when critical checks
failed. The levels below it:

    data_quality/ge_runner.py   Great Expectations: context, expectations on a DataFrame, data docs
    data_quality/sql_checks.py  reference checks (anti-join) and aggregate checks (Spark SQL)
    data_quality/drift.py       row-count drift against the table's previous Delta version
    data_quality/results.py     the JSON results, staged locally and copied to a remote warehouse
    data_quality/outcome.py     CheckOutcome, the row every check produces

Per table the gate reads the table once, projects the columns its suite reads (ge_runner.
checked_frame), and runs, in this order, the GE expectations, the reference checks, the aggregate
checks and the drift check on that projection, so a gate's rows come out in suite order.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass

from pyspark.sql import SparkSession

from data_quality import drift, ge_runner, results, sql_checks
from data_quality.outcome import CheckOutcome, message
from data_quality.suites import CRITICAL, TableSuite, suite_for
from jobs.config import Config
from jobs.errors import ScintelError
from jobs.warehouse import TableNotFound, Warehouse

__all__ = ["CheckOutcome", "GateResult", "QualityGateFailed", "enforce", "run_gate"]

log = logging.getLogger(__name__)


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
    expectation becomes a failed check. Raises KeyError for a table without a suite (before
    anything is read or written).
    """
    suites = [suite_for(table, config) for table in tables]
    target = f"{warehouse.quality_dir}/{run_id}"
    local_root = results.staging_root(target, run_id)
    context = ge_runner.make_context(local_root)
    rows: list[CheckOutcome] = []
    seconds: dict[str, float] = {}
    for suite in suites:
        started = time.monotonic()
        table_rows, ge_json = _validate_table(spark, warehouse, context, suite, stage, config.quality.max_row_count_drift_pct)
        seconds[suite.table] = round(time.monotonic() - started, 2)
        failed = sum(not row.success for row in table_rows)
        log.info(
            "gate %s: %s validated in %.1fs (%d checks, %d failed)",
            stage,
            suite.table,
            seconds[suite.table],
            len(table_rows),
            failed,
        )
        results.write_table(local_root, run_id, stage, suite.table, seconds[suite.table], table_rows, ge_json)
        rows += table_rows
    docs_error = ge_runner.build_data_docs(context)
    result = GateResult(
        run_id=run_id,
        stage=stage,
        rows=rows,
        seconds=seconds,
        output_dir=f"{target}/{stage}",
        data_docs_index=None if docs_error else f"{target}/data_docs/index.html",
        data_docs_error=docs_error,
    )
    results.write_summary(local_root, stage, result.to_dict())
    results.publish(spark, local_root, target)
    log.info(result.headline())
    return result


def _validate_table(
    spark: SparkSession, warehouse: Warehouse, context, suite: TableSuite, stage: str, drift_pct: float | None = None
) -> tuple[list[CheckOutcome], dict | None]:
    """One table's rows: GE expectations, then reference, aggregate and drift checks.

    A missing table is one critical row and nothing else. When GE itself fails (not one
    expectation) the whole suite is one critical row and the other checks are not run: the
    table is not in a state worth probing further.
    """
    try:
        df = warehouse.read(spark, suite.table)
    except TableNotFound as err:
        return [CheckOutcome(suite.table, "expect_table_to_exist", None, CRITICAL, False, exception=str(err))], None
    checked_df, stand_ins = ge_runner.checked_frame(suite, df)
    try:
        ge_results, ge_json = ge_runner.validate(context, suite, checked_df, stage, stand_ins)
    except Exception as err:  # GE itself failed (not one expectation): the whole suite fails
        return [CheckOutcome(suite.table, "validate_suite", None, CRITICAL, False, exception=message(err))], None
    rows = ge_runner.outcomes(suite, ge_results)
    rows += [sql_checks.check_reference(spark, warehouse, suite.table, checked_df, ref) for ref in suite.references]
    rows += [sql_checks.check_aggregate(suite.table, checked_df, check) for check in suite.aggregates]
    if drift_pct is not None:
        rows.append(drift.check_drift(spark, warehouse, suite.table, drift_pct))
    return rows, ge_json
