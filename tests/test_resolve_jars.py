"""scripts/resolve_jars.py: Maven resolves from Central plus the extra repositories, dependencies
included; a failure names the coordinate and every repository tried. Runs the real mvn, against a
file:// repository built here and a coordinate that exists nowhere."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import resolve_jars  # noqa: E402

MISSING = "org.scintel.test:does-not-exist_2.13:0.0.1"
POM = """<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>org.scintel.test</groupId><artifactId>{artifact}</artifactId><version>1.0</version>
<dependencies>{dependencies}</dependencies></project>"""
DEPENDENCY = (
    "<dependency><groupId>org.scintel.test</groupId><artifactId>{artifact}</artifactId><version>1.0</version></dependency>"
)


def _publish(repo: Path, artifact: str, depends_on: list[str]) -> None:
    """A release in Maven's file layout: org/scintel/test/<artifact>/1.0/<artifact>-1.0.{pom,jar}."""
    folder = repo / "org" / "scintel" / "test" / artifact / "1.0"
    folder.mkdir(parents=True)
    deps = "".join(DEPENDENCY.format(artifact=d) for d in depends_on)
    (folder / f"{artifact}-1.0.pom").write_text(POM.format(artifact=artifact, dependencies=deps))
    with zipfile.ZipFile(folder / f"{artifact}-1.0.jar", "w") as jar:
        jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")


def test_extra_file_repository_brings_transitive_dependencies(tmp_path):
    repo = tmp_path / "repo"
    _publish(repo, "leaf-lib", [])
    _publish(repo, "top-lib", ["leaf-lib"])
    result = resolve_jars.resolve_one("top", "org.scintel.test:top-lib:1.0", tmp_path / "jars", set(), [repo.as_uri()])
    assert result["ok"], result
    assert result["jars"] == ["leaf-lib-1.0.jar", "top-lib-1.0.jar"]
    assert (tmp_path / "jars" / "top" / "leaf-lib-1.0.jar").exists()
    # Resolved once: the next call is served from .jars without asking Maven.
    again = resolve_jars.resolve_one("top", "org.scintel.test:top-lib:1.0", tmp_path / "jars", set(), [])
    assert again["ok"] and again["cached"] and again["jars"] == result["jars"]


def test_jars_spark_ships_are_left_out(tmp_path):
    repo = tmp_path / "repo"
    _publish(repo, "leaf-lib", [])
    _publish(repo, "top-lib", ["leaf-lib"])
    result = resolve_jars.resolve_one("top", "org.scintel.test:top-lib:1.0", tmp_path / "jars", {"leaf-lib"}, [repo.as_uri()])
    assert result["jars"] == ["top-lib-1.0.jar"]


def test_unresolvable_package_names_coordinate_and_repositories(tmp_path):
    empty = (tmp_path / "empty").as_uri()
    result = resolve_jars.resolve_one("ghost", MISSING, tmp_path / "jars", set(), [empty])
    assert result["ok"] is False and result["coordinate"] == MISSING
    assert result["repositories"] == [resolve_jars.MAVEN_CENTRAL, empty]
    assert "does-not-exist_2.13" in result["error"]
    assert not (tmp_path / "jars" / "ghost").exists()


def test_repositories_from_the_environment_then_shared_maven(tmp_path):
    shared = tmp_path / "shared-maven"
    env = {"SCINTEL_MAVEN_REPOS": " https://mirror.example.com/maven2/ , /opt/m2 ,,"}
    assert resolve_jars.repositories(env, shared) == ["https://mirror.example.com/maven2", "file:///opt/m2"]
    shared.mkdir()
    assert resolve_jars.repositories(env, shared)[-1] == shared.as_uri()
    assert resolve_jars.repositories({"SCINTEL_MAVEN_REPOS": shared.as_uri()}, shared) == [shared.as_uri()]
    with pytest.raises(resolve_jars.ResolveError, match="not a URL"):
        resolve_jars.repositories({"SCINTEL_MAVEN_REPOS": "mirror.example.com"}, shared)


def test_pinned_python_and_jvm_graphframes_are_one_version():
    import tomllib
    from importlib.metadata import version

    coordinate = resolve_jars.jvm_packages()["graphframes"]
    assert coordinate.rsplit(":", 1)[1] == version("graphframes-py")
    with open(resolve_jars.PROJECT_ROOT / "pyproject.toml", "rb") as handle:
        project = tomllib.load(handle)["project"]
    assert f"graphframes-py=={coordinate.rsplit(':', 1)[1]}" in project["dependencies"]
    # Spark and Delta's Python half are the `spark` extra: a managed runtime keeps its own.
    assert f"delta-spark=={resolve_jars.jvm_packages()['delta'].rsplit(':', 1)[1]}" in project["optional-dependencies"]["spark"]
    assert f"pyspark=={version('pyspark')}" in project["optional-dependencies"]["spark"]
    assert not [pin for pin in project["dependencies"] if pin.split("=")[0].split("[")[0] in ("pyspark", "delta-spark")]
    assert not [pin for pin in project["dependencies"] if "[spark]" in pin]  # no extra pulls pyspark in either


def test_artifact_name_strips_version():
    assert resolve_jars.artifact_name("jackson-core-2.13.5.jar") == "jackson-core"
    assert resolve_jars.artifact_name("delta-spark_4.1_2.13-4.4.0.jar") == "delta-spark_4.1_2.13"
    assert resolve_jars.artifact_name("zstd-jni-1.5.7-3.jar") == "zstd-jni"
