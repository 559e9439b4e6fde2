"""Operating a warehouse: the lock's lease and heartbeat, the command line's global flags and
version, run history and time travel, and every command on a file:// warehouse URI (the path
Hadoop's FileSystem takes for hdfs:// and s3a:// too)."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import socket
import time
from datetime import datetime, timedelta, timezone

import pytest

from jobs import audit, cli
from jobs import config as cfg
from jobs.warehouse import Warehouse


def _stale_body(run_id: str, *, host: str = "elsewhere.example", minutes_ago: float = 120) -> str:
    beat = (datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)).isoformat(timespec="seconds")
    return json.dumps({"run_id": run_id, "host": host, "pid": 4242, "since": beat, "heartbeat": beat})


# --- the lock: lease, heartbeat, takeover ------------------------------------------------------


def test_a_lock_from_another_host_without_heartbeat_for_a_lease_is_taken_over(tmp_path, caplog):
    (tmp_path / "_lock").write_text(_stale_body("killed-elsewhere", minutes_ago=11))
    lock = audit.WarehouseLock(str(tmp_path), "new-run", lease_seconds=600)
    with caplog.at_level(logging.WARNING, logger="jobs.audit"):
        lock.acquire(None)  # a local warehouse needs no Spark
    try:
        holder = json.loads((tmp_path / "_lock").read_text())
        assert holder["run_id"] == "new-run" and holder["host"] == socket.gethostname()
        assert "killed-elsewhere" in caplog.text and "longer than the 600s lease" in caplog.text
        assert sorted(p.name for p in tmp_path.iterdir()) == ["_lock"]  # the stale lock set aside was removed
    finally:
        lock.release(None)
    assert not (tmp_path / "_lock").exists()


def test_a_live_lock_from_another_host_is_respected(tmp_path):
    (tmp_path / "_lock").write_text(_stale_body("alive-elsewhere", minutes_ago=9))  # 540 s < 600 s
    with pytest.raises(audit.WarehouseLocked, match="alive-elsewhere.*taken over after 600s"):
        audit.WarehouseLock(str(tmp_path), "new-run", lease_seconds=600).acquire(None)
    assert json.loads((tmp_path / "_lock").read_text())["run_id"] == "alive-elsewhere"


def test_the_holder_refreshes_its_heartbeat_and_stops_on_release(tmp_path):
    lock = audit.WarehouseLock(str(tmp_path), "beating", lease_seconds=4)  # a beat every second
    lock.acquire(None)
    first = json.loads((tmp_path / "_lock").read_text())
    time.sleep(2.5)
    later = json.loads((tmp_path / "_lock").read_text())
    assert later["since"] == first["since"] and later["heartbeat"] > first["heartbeat"]
    # Its own heartbeat keeps a competitor out even with the shortest lease.
    with pytest.raises(audit.WarehouseLocked, match="beating"):
        audit.WarehouseLock(str(tmp_path), "competitor", lease_seconds=4).acquire(None)
    lock.release(None)
    time.sleep(1.5)
    assert not (tmp_path / "_lock").exists()  # no beat recreated it after the release


def test_a_takeover_that_lost_the_race_puts_the_winners_lock_back(tmp_path):
    """Two runs judged the same lock stale; the first replaced it. The second moves the fresh
    lock aside, sees it is not the one it judged stale, puts it back and gives up."""
    judged = json.loads(_stale_body("dead-run"))
    (tmp_path / "_lock").write_text(_stale_body("winner", host=socket.gethostname(), minutes_ago=0))
    loser = audit.WarehouseLock(str(tmp_path), "loser")
    assert loser._set_aside(None, judged) is False
    assert json.loads((tmp_path / "_lock").read_text())["run_id"] == "winner"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_lock"]


def test_the_lock_through_hadoop_on_a_file_uri(spark, tmp_path):
    root = f"file://{tmp_path}/wh"
    (tmp_path / "wh").mkdir()
    (tmp_path / "wh" / "_lock").write_text(_stale_body("killed-elsewhere"))
    lock = audit.WarehouseLock(root, "uri-run", lease_seconds=600)
    lock._local = lambda: None  # as for hdfs:// or s3a://: every file operation through Hadoop
    lock.acquire(spark)
    assert json.loads((tmp_path / "wh" / "_lock").read_text())["run_id"] == "uri-run"
    with pytest.raises(audit.WarehouseLocked, match="uri-run"):
        other = audit.WarehouseLock(root, "second", lease_seconds=600)
        other._local = lambda: None
        other.acquire(spark)
    lock.release(spark)
    assert not (tmp_path / "wh" / "_lock").exists()


# --- the command line ----------------------------------------------------------------------------


def test_version_names_the_package_and_its_spark(capsys):
    from importlib import metadata

    import jobs

    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out.strip()
    assert (
        out
        == f"scintel {jobs.__version__} (pyspark {metadata.version('pyspark')}, delta-spark {metadata.version('delta-spark')})"
    )


@pytest.mark.parametrize(
    "argv, debug",
    [
        (["--debug", "stages"], True),
        (["stages", "--debug"], True),
        (["run", "--warehouse", "w", "--debug"], True),
        (["show", "--debug", "papers", "--warehouse", "w"], True),
        (["run", "--warehouse", "w"], False),
    ],
)
def test_debug_is_accepted_before_or_after_the_command(argv, debug):
    assert cli._parser().parse_args(argv).debug is debug


def test_debug_brings_spark_and_comet_logs_to_info_unless_levels_are_set(monkeypatch):
    for name in ("SCINTEL_SPARK_LOG_LEVEL", "COMET_LOG_LEVEL"):
        monkeypatch.setenv(name, "unset")  # recorded, so the test's setdefault is undone afterwards
        monkeypatch.delenv(name)
    cli.setup_logging(False)
    assert "SCINTEL_SPARK_LOG_LEVEL" not in os.environ and "COMET_LOG_LEVEL" not in os.environ
    monkeypatch.setenv("COMET_LOG_LEVEL", "DEBUG")
    cli.setup_logging(True)
    assert (os.environ["SCINTEL_SPARK_LOG_LEVEL"], os.environ["COMET_LOG_LEVEL"]) == ("INFO", "DEBUG")


def test_log_lines_carry_the_date():
    record = logging.LogRecord("scintel", logging.INFO, __file__, 1, "hello", None, None)
    line = logging.Formatter(cli.LOG_FORMAT, cli.LOG_DATE_FORMAT).format(record)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} INFO scintel: hello", line), line


# --- history, time travel and a file:// warehouse -------------------------------------------------


@pytest.fixture(scope="module")
def uri_warehouse(spark, tmp_path_factory):
    """A warehouse named by a file:// URI with two runs of the patent stage and a gold table
    written twice: version 0 has 2 rows, version 1 has 3."""
    root = tmp_path_factory.mktemp("uri")
    (root / "in" / "patents").mkdir(parents=True)
    rows = [
        {"id": "P1", "grant_year": 2019, "office": "US", "assignees": [{"name": "A Corp", "country": "US", "type": "company"}]},
        {"id": "P2", "grant_year": 2020, "office": "CN", "assignees": [{"name": "B Co", "country": "CN", "type": "company"}]},
    ]
    (root / "in" / "patents" / "p.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    uri = f"file://{root}/wh"
    for _ in range(2):
        assert cli.main(["run", "ingest_patents", "--only", "--input", str(root / "in"), "--warehouse", uri]) == 0
    warehouse = Warehouse(uri)
    schema = "country string, papers long"
    warehouse.write(spark.createDataFrame([("US", 3), ("CN", 2)], schema), "demo_counts", layer="gold")
    warehouse.write(spark.createDataFrame([("US", 4), ("CN", 2), ("DE", 1)], schema), "demo_counts", layer="gold")
    return root, uri


def test_show_list_on_a_uri_warehouse(uri_warehouse, capsys):
    _, uri = uri_warehouse
    capsys.readouterr()
    assert cli.main(["show", "--list", "--warehouse", uri]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == ["silver: patent_assignees, patents, quarantine", "gold: demo_counts", "bronze: patents"]


def test_show_an_older_version_and_the_history(uri_warehouse, capsys):
    _, uri = uri_warehouse
    capsys.readouterr()
    assert cli.main(["show", "demo_counts", "--warehouse", uri, "--version", "0", "--format", "csv"]) == 0
    assert sorted((r["country"], r["papers"]) for r in csv.DictReader(io.StringIO(capsys.readouterr().out))) == [
        ("CN", "2"),
        ("US", "3"),
    ]
    assert cli.main(["show", "demo_counts", "--warehouse", uri, "--format", "csv"]) == 0
    assert len(list(csv.DictReader(io.StringIO(capsys.readouterr().out)))) == 3
    assert cli.main(["show", "demo_counts", "--warehouse", uri, "--history", "--format", "json"]) == 0
    history = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [h["version"] for h in history] == [1, 0]
    assert [h["rows_written"] for h in history] == ["3", "2"]
    assert cli.main(["show", "demo_counts", "--warehouse", uri, "--version", "7"]) == 1
    assert "has versions 0 to 1; there is no version 7" in capsys.readouterr().err


def test_runs_lists_the_audit_history_newest_first(uri_warehouse, capsys):
    root, uri = uri_warehouse
    capsys.readouterr()
    assert cli.main(["runs", "--warehouse", uri, "--format", "json"]) == 0
    runs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(runs) == 2 and {r["status"] for r in runs} == {"succeeded"}
    assert runs[0]["started"] >= runs[1]["started"]
    assert runs[0]["stages"] == 1 and json.loads(runs[0]["record"])["stages"]["ingest_patents"]["rows"]["patents"]["read"] == 2
    # The JSON run records went through Hadoop's FileSystem to the same URI.
    records = sorted(p.stem for p in (root / "wh" / "_runs").glob("*.json"))
    assert records == sorted(r["run_id"] for r in runs)
    assert not (root / "wh" / "_lock").exists()
    assert cli.main(["runs", "--warehouse", f"file://{root}/nothing-here"]) == 0
    assert "no runs recorded" in capsys.readouterr().out


def test_report_to_a_remote_folder_is_drawn_locally_then_copied(spark, uri_warehouse, monkeypatch, capsys):
    from tests.test_report import OUTPUT

    root, uri = uri_warehouse
    # output_by_country is enough for a report: charts without their tables say which stage to run.
    Warehouse(uri).write(spark.createDataFrame([("full", "US", 2.0, 4.0, 2.0, 1)], OUTPUT), "output_by_country", layer="gold")
    monkeypatch.setattr(cli, "local_path", lambda _uri: None)  # as for s3a:// or hdfs://
    capsys.readouterr()
    assert cli.main(["report", "--warehouse", uri, "--out", f"{uri}/_report"]) == 0
    out = capsys.readouterr().out
    assert f"report: {uri}/_report/report.html" in out
    copied = root / "wh" / "_report"
    assert "papers by country" in (copied / "report.html").read_text().lower()
    assert any(p.suffix == ".png" for p in (copied / "figures").iterdir())


def test_local_path_of_uris():
    assert cli.local_path("/data/wh/_report") == "/data/wh/_report"
    assert cli.local_path("file:///data/wh/_report") == "/data/wh/_report"
    assert cli.local_path("file:/data/wh") == "/data/wh"
    assert cli.local_path("s3a://bucket/wh/_report") is None
    assert cli.local_path("hdfs://nn:8020/wh") is None


def test_runs_take_the_lease_from_the_config(tmp_path):
    config = cfg.from_dict({"run": {"lock_lease_seconds": 30}})
    assert config.run.lock_lease_seconds == 30
    with pytest.raises(cfg.ConfigError, match="lock_lease_seconds"):
        cfg.from_dict({"run": {"lock_lease_seconds": 5}})


def test_without_pyspark_the_command_says_how_to_get_it(monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "pyspark", None)  # `import pyspark` now raises ImportError
    assert cli.main(["stages"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'scintel[spark]'" in err


def test_maintain_and_check_on_a_uri_warehouse(uri_warehouse, capsys):
    root, uri = uri_warehouse
    capsys.readouterr()
    assert cli.main(["maintain", "--warehouse", uri, "demo_counts", "patents"]) == 0
    out = capsys.readouterr().out
    # A bare name picks the table in every layer that has one: patents is in silver and bronze.
    assert f"maintained 3 tables of {uri}" in out
    assert all(f"  {t}:" in out for t in ("silver/patents", "bronze/patents", "gold/demo_counts"))
    assert cli.main(["check", "--warehouse", uri]) == 0
    assert "check: Delta Lake ok" in capsys.readouterr().out
    assert (root / "wh" / "_check").is_dir() and not (root / "wh" / "_lock").exists()
