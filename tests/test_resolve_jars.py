"""scripts/resolve_jars.py: failures name the coordinate; a jar provided by hand is taken only
under its exact artifact-version file name. Runs mvn against a coordinate that does not exist."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import resolve_jars  # noqa: E402

MISSING = "org.scintel.test:does-not-exist_2.13:0.0.1"


def test_unresolvable_package_is_reported_with_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("SCINTEL_LOCAL_JARS", str(tmp_path / "nothing-here"))
    result = resolve_jars.resolve_one("ghost", MISSING, tmp_path / "jars", set())
    assert result["ok"] is False and result["coordinate"] == MISSING
    assert "does-not-exist_2.13" in result["error"]


def test_jar_provided_by_hand_is_used_only_by_exact_name(tmp_path, monkeypatch):
    provided = tmp_path / "provided"
    provided.mkdir()
    (provided / "does-not-exist_2.13-0.0.2.jar").write_bytes(b"PK")  # other version: ignored
    monkeypatch.setenv("SCINTEL_LOCAL_JARS", str(provided))
    assert resolve_jars.resolve_one("ghost", MISSING, tmp_path / "jars", set())["ok"] is False
    (provided / "does-not-exist_2.13-0.0.1.jar").write_bytes(b"PK")
    result = resolve_jars.resolve_one("ghost", MISSING, tmp_path / "jars", set())
    assert result["ok"] and result["jars"] == ["does-not-exist_2.13-0.0.1.jar"]
    assert (tmp_path / "jars" / "ghost" / "does-not-exist_2.13-0.0.1.jar").exists()


def test_artifact_name_strips_version():
    assert resolve_jars.artifact_name("jackson-core-2.13.5.jar") == "jackson-core"
    assert resolve_jars.artifact_name("delta-spark_4.1_2.13-4.4.0.jar") == "delta-spark_4.1_2.13"
    assert resolve_jars.artifact_name("zstd-jni-1.5.7-3.jar") == "zstd-jni"
