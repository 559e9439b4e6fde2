"""Row-count drift: a table's latest write against its previous one, from Delta's commit metrics.

Every table the gate checks, silver or gold, gets this warning-level check; no suite lists it.
"""

from __future__ import annotations

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from data_quality.outcome import CheckOutcome, message, plain
from data_quality.suites import WARNING
from jobs.warehouse import Warehouse

DRIFT_EXPECTATION = "expect_row_count_to_stay_within_drift"


def check_drift(spark: SparkSession, warehouse: Warehouse, table: str, max_pct: float) -> CheckOutcome:
    """Rows written by the table's latest Delta version against the version before: a warning
    when they differ by more than max_pct percent of the previous count.

    Read from the last two commits' `numOutputRows` (Delta's history, no scan of the data), so
    the check costs the same on any table size. The first version of a table, a previous
    version that wrote no rows, and a pair where either commit records no numOutputRows pass:
    there is nothing to compare against. A table whose history cannot be read fails the check
    with the exception's message.
    """
    outcome = dict(table=table, expectation=DRIFT_EXPECTATION, column=None, severity=WARNING, detail=f"max_pct={plain(max_pct)}")
    try:
        from delta.tables import DeltaTable

        history = (
            DeltaTable.forPath(spark, warehouse.path(table, warehouse.find_layer(spark, table)))
            .history(2)
            .select("version", F.col("operationMetrics").getItem("numOutputRows").alias("rows"))
            .collect()
        )
    except Exception as err:
        return CheckOutcome(**outcome, success=False, exception=message(err))
    counts = [int(r["rows"]) for r in history if r["rows"] is not None]
    if len(counts) < 2 or counts[1] == 0:
        return CheckOutcome(**outcome, success=True, element_count=counts[0] if counts else None)
    change = abs(counts[0] - counts[1]) * 100.0 / counts[1]
    return CheckOutcome(
        **{**outcome, "detail": f"{outcome['detail']}, previous={counts[1]}, now={counts[0]}, change={change:.1f}%"},
        success=change <= max_pct,
        element_count=counts[0],
    )
