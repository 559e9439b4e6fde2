"""Quality gates between pipeline stages: expectation suites per canonical table (suites.py) and
the gate that runs them with Great Expectations and writes results and data docs (gate.py)."""
