"""Resolve the JVM halves of the stack (Delta Lake, GraphFrames) from Maven into .jars/.

Each package named in pyproject.toml [tool.scintel.jvm-packages] is resolved with Maven
(`mvn dependency:copy-dependencies`, runtime scope, transitive) into .jars/<name>/, from Maven
Central plus the extra repositories (see `repositories()`):
  - SCINTEL_MAVEN_REPOS: comma-separated repository URLs (a corporate mirror, a file:// folder);
  - ../shared/maven beside the project, when that folder exists, as a file:// URL.
An extra repository is asked exactly like Maven Central, so a package's dependencies come along
from wherever Maven finds them. Jars whose artifact Spark already ships in pyspark/jars (jackson,
log4j, parquet, hadoop, scala...) are left out so the cache never shadows Spark's own versions.
A package that resolved once is not asked for again (its coordinate is stamped in its folder):
later runs, tests and the demo work offline.

Every package is required. One that cannot be resolved is reported on one line with its
coordinate, the repositories tried and Maven's reason, recorded in .jars/status.json, and the
script exits 1. Nothing stands in for a missing package.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from xml.sax.saxutils import escape

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_MAVEN = PROJECT_ROOT.parent / "shared" / "maven"
MAVEN_CENTRAL = "https://repo.maven.apache.org/maven2"
JAR_VERSION_RE = re.compile(r"-\d[\w.\-]*\.jar$")

POM_TEMPLATE = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>scintel.resolve</groupId><artifactId>{name}</artifactId><version>1</version>
  <packaging>pom</packaging>
  <repositories>{repositories}
  </repositories>
  <dependencies>
    <dependency><groupId>{group}</groupId><artifactId>{artifact}</artifactId><version>{version}</version></dependency>
  </dependencies>
</project>
"""
REPOSITORY_TEMPLATE = """
    <repository><id>scintel-extra-{index}</id><url>{url}</url>
      <releases><enabled>true</enabled></releases><snapshots><enabled>false</enabled></snapshots></repository>"""


class ResolveError(RuntimeError):
    """A package Maven could not resolve: the message names the coordinate and the repositories."""


def jvm_packages(pyproject: Path = PROJECT_ROOT / "pyproject.toml") -> dict[str, str]:
    with pyproject.open("rb") as handle:
        return dict(tomllib.load(handle)["tool"]["scintel"]["jvm-packages"])


def repositories(environ: dict[str, str] | None = None, shared_maven: Path = SHARED_MAVEN) -> list[str]:
    """The extra Maven repositories, in the order Maven asks them after its own (Central):
    SCINTEL_MAVEN_REPOS first (comma-separated URLs; a bare absolute path becomes file://), then
    ../shared/maven when that folder exists. Duplicates are dropped."""
    environ = os.environ if environ is None else environ
    urls: list[str] = []
    for item in environ.get("SCINTEL_MAVEN_REPOS", "").split(","):
        item = item.strip()
        if not item:
            continue
        if item.startswith("/"):
            item = Path(item).as_uri()
        if "://" not in item and not item.startswith("file:"):
            raise ResolveError(f"SCINTEL_MAVEN_REPOS: {item!r} is not a URL (https://..., file:///...) nor an absolute path")
        urls.append(item.rstrip("/"))
    if shared_maven.is_dir():
        urls.append(shared_maven.resolve().as_uri())
    return list(dict.fromkeys(urls))


def artifact_name(jar_file: str) -> str:
    """'jackson-core-2.13.5.jar' -> 'jackson-core'."""
    return JAR_VERSION_RE.sub("", jar_file)


def spark_shipped_artifacts() -> set[str]:
    import pyspark

    jars_dir = Path(pyspark.__file__).parent / "jars"
    return {artifact_name(jar.name) for jar in jars_dir.glob("*.jar")}


def pom_for(name: str, coordinate: str, repos: list[str]) -> str:
    group, artifact, version = coordinate.split(":")
    listed = "".join(REPOSITORY_TEMPLATE.format(index=i, url=escape(url)) for i, url in enumerate(repos, 1))
    return POM_TEMPLATE.format(name=name, group=group, artifact=artifact, version=version, repositories=listed)


def resolve_one(name: str, coordinate: str, jars_root: Path, shipped: set[str], repos: list[str]) -> dict:
    """Resolve one coordinate into jars_root/name; the result is what status.json records."""
    target = jars_root / name
    stamp = target / ".coordinate"
    tried = [MAVEN_CENTRAL, *repos]
    if stamp.exists() and stamp.read_text().strip() == coordinate:
        jars = sorted(p.name for p in target.glob("*.jar"))
        return {"coordinate": coordinate, "ok": True, "jars": jars, "cached": True}

    with tempfile.TemporaryDirectory(prefix=f"scintel-{name}-") as tmp:
        pom = Path(tmp) / "pom.xml"
        pom.write_text(pom_for(name, coordinate, repos))
        out_dir = Path(tmp) / "jars"
        cmd = [
            "mvn",
            "-B",
            "-q",
            "-U",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={out_dir}",
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            return {
                "coordinate": coordinate,
                "ok": False,
                "jars": [],
                "repositories": tried,
                "error": _maven_reason(proc.stdout + proc.stderr),
            }
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        kept = []
        for jar in sorted(out_dir.glob("*.jar")):
            if artifact_name(jar.name) in shipped:
                continue
            shutil.copy2(jar, target / jar.name)
            kept.append(jar.name)
        stamp.write_text(coordinate + "\n")
        return {"coordinate": coordinate, "ok": True, "jars": kept, "cached": False, "repositories": tried}


def _maven_reason(output: str) -> str:
    for line in output.splitlines():
        clean = re.sub(r"\x1b\[[0-9;]*m", "", line)
        if "Could not resolve" in clean or "was not found" in clean or "Could not find" in clean:
            return clean.replace("[ERROR]", "").strip()
    tail = [re.sub(r"\x1b\[[0-9;]*m", "", l) for l in output.strip().splitlines()[-3:]]
    return " | ".join(tail) or "mvn failed without output"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jars-dir", type=Path, default=PROJECT_ROOT / ".jars")
    args = parser.parse_args(argv)

    if shutil.which("mvn") is None:
        print("ERROR: Maven (mvn) is needed to resolve the Delta Lake and GraphFrames jars.", file=sys.stderr)
        return 1
    try:
        repos = repositories()
    except ResolveError as err:
        print(f"ERROR: {err}", file=sys.stderr)
        return 1
    args.jars_dir.mkdir(parents=True, exist_ok=True)
    shipped = spark_shipped_artifacts()
    status = {}
    for name, coordinate in jvm_packages().items():
        result = resolve_one(name, coordinate, args.jars_dir, shipped, repos)
        status[name] = result
        if result["ok"]:
            how = "cached" if result.get("cached") else "resolved"
            print(f"jars: {name} {coordinate}: {how}, {len(result['jars'])} jar(s) in {args.jars_dir / name}")
        else:
            print(
                f"ERROR: cannot resolve {coordinate} ({name}) from {', '.join(result['repositories'])}: "
                f"{result['error']} (add a repository that serves it to SCINTEL_MAVEN_REPOS)",
                file=sys.stderr,
            )
    (args.jars_dir / "status.json").write_text(json.dumps(status, indent=2) + "\n")
    return 0 if all(entry["ok"] for entry in status.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
