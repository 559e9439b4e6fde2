"""Quality gates between pipeline stages: expectation suites per table (suites.py) and the gate
that runs them (gate.py), built on Great Expectations (ge_runner.py), Spark SQL checks
(sql_checks.py), row-count drift (drift.py) and the results it writes (results.py)."""
