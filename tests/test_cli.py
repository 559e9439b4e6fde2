"""The scintel command line: flags, output formats, and one readable line for user errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml

from jobs.cli import main


@pytest.fixture(scope="module")
def patent_input(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli_in")
    (root / "patents").mkdir()
    rows = [
        {
            "id": "P1",
            "grant_year": 2019,
            "office": "US",
            "assignees": [{"name": "A Corp", "country": "US", "type": "company"}],
            "market_value_usd": 5.0,
        },
        {"id": "P2", "grant_year": 2020, "office": "CN", "assignees": [{"name": "B Co", "country": "CN", "type": "company"}]},
    ]
    (root / "patents" / "p.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return root


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("generate", "run", "show", "report", "stages"):
        assert command in out


def test_run_then_show(spark, patent_input, tmp_path, capsys):
    warehouse = str(tmp_path / "wh")
    assert main(["run", "ingest_patents", "--only", "--input", str(patent_input), "--warehouse", warehouse]) == 0
    assert "ingest_patents" in capsys.readouterr().out
    assert main(["show", "patents", "--warehouse", warehouse, "--format", "csv", "--limit", "5"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert sorted(r["patent_id"] for r in rows) == ["P1", "P2"]
    assert main(["show", "patents", "--warehouse", warehouse, "--format", "json", "--limit", "1"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 1
    runs = list((tmp_path / "wh" / "_runs").glob("*.json"))
    record = json.loads(runs[0].read_text())
    assert record["status"] == "succeeded"
    assert record["stages"]["ingest_patents"]["rows"]["patents"] == {"read": 2, "accepted": 2, "quarantined": 0}


def test_bad_config_key_is_one_line(tmp_path, capsys):
    conf = yaml.safe_load(open("conf/local.yaml"))
    conf["thresholds"] = {"high_levle_h_index": 20}
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(conf))
    assert main(["run", "--input", str(tmp_path), "--warehouse", str(tmp_path / "wh"), "--conf", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "unknown key 'thresholds.high_levle_h_index'" in err and "Traceback" not in err


def test_unknown_stage_and_missing_input(spark, tmp_path, capsys):
    assert main(["run", "no_such_stage", "--warehouse", str(tmp_path / "wh")]) == 1
    assert "unknown stage" in capsys.readouterr().err
    assert (
        main(["run", "ingest_patents", "--only", "--input", str(tmp_path / "absent"), "--warehouse", str(tmp_path / "wh")]) == 1
    )
    assert "does not exist" in capsys.readouterr().err


def test_show_unknown_table(spark, tmp_path, capsys):
    assert main(["show", "nothing_here", "--warehouse", str(tmp_path / "wh")]) == 1
    assert "no table 'nothing_here'" in capsys.readouterr().err
