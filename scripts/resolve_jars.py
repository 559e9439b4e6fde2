"""Resolve the JVM halves of the stack (Delta Lake, GraphFrames) from Maven into .jars/.

Each package named in pyproject.toml [tool.scintel.jvm-packages] is resolved with Maven
(`mvn dependency:copy-dependencies`, runtime scope, transitive) into .jars/<name>/. Jars whose
artifact Spark already ships in pyspark/jars (jackson, log4j, parquet, hadoop, scala...) are left
out so the cache never shadows Spark's own versions. A package that resolved once is not asked
for again: later runs, tests and the demo work offline.

When Maven cannot resolve a package, the jar itself may still be provided by hand: a file named
<artifact>-<version>.jar in a directory of SCINTEL_LOCAL_JARS (colon-separated) or in
../shared/jars/ is copied in (the real artifact from another place, checked by file name).
A package that cannot be had either way is reported with its coordinate and Maven's reason, and
recorded in .jars/status.json; the script exits 1 unless that package was named with --allow-missing. There
is no substitute for a missing package: code that needs it fails with the same coordinate.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
JAR_VERSION_RE = re.compile(r"-\d[\w.\-]*\.jar$")

POM_TEMPLATE = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>scintel.resolve</groupId><artifactId>{name}</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>{group}</groupId><artifactId>{artifact}</artifactId><version>{version}</version></dependency>
  </dependencies>
</project>
"""


def jvm_packages(pyproject: Path = PROJECT_ROOT / "pyproject.toml") -> dict[str, str]:
    with pyproject.open("rb") as handle:
        return dict(tomllib.load(handle)["tool"]["scintel"]["jvm-packages"])


def artifact_name(jar_file: str) -> str:
    """'jackson-core-2.13.5.jar' -> 'jackson-core'."""
    return JAR_VERSION_RE.sub("", jar_file)


def spark_shipped_artifacts() -> set[str]:
    import pyspark

    jars_dir = Path(pyspark.__file__).parent / "jars"
    return {artifact_name(jar.name) for jar in jars_dir.glob("*.jar")}


def resolve_one(name: str, coordinate: str, jars_root: Path, shipped: set[str]) -> dict:
    target = jars_root / name
    stamp = target / ".coordinate"
    if stamp.exists() and stamp.read_text().strip() == coordinate:
        jars = sorted(p.name for p in target.glob("*.jar"))
        return {"coordinate": coordinate, "ok": True, "jars": jars, "cached": True}

    group, artifact, version = coordinate.split(":")
    with tempfile.TemporaryDirectory(prefix=f"scintel-{name}-") as tmp:
        pom = Path(tmp) / "pom.xml"
        pom.write_text(POM_TEMPLATE.format(name=name, group=group, artifact=artifact, version=version))
        out_dir = Path(tmp) / "jars"
        cmd = [
            "mvn", "-B", "-q", "-U", "-f", str(pom), "dependency:copy-dependencies",
            "-DincludeScope=runtime", f"-DoutputDirectory={out_dir}",
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            reason = _maven_reason(proc.stdout + proc.stderr)
            provided = _provided_jar(artifact, version)
            if provided is None:
                return {"coordinate": coordinate, "ok": False, "jars": [], "error": reason}
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            shutil.copy2(provided, target / provided.name)
            stamp.write_text(coordinate + "\n")
            return {"coordinate": coordinate, "ok": True, "jars": [provided.name], "cached": False, "provided_by_hand": str(provided)}
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
        return {"coordinate": coordinate, "ok": True, "jars": kept, "cached": False}


def _provided_jar(artifact: str, version: str) -> Path | None:
    import os

    dirs = [Path(d) for d in os.environ.get("SCINTEL_LOCAL_JARS", "").split(":") if d]
    dirs.append(PROJECT_ROOT.parent / "shared" / "jars")
    for directory in dirs:
        candidate = directory / f"{artifact}-{version}.jar"
        if candidate.is_file():
            return candidate
    return None


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
    parser.add_argument(
        "--allow-missing", action="append", default=[], metavar="NAME",
        help="do not fail when this package (e.g. graphframes) cannot be resolved; it is still "
        "reported and recorded as missing, and code that needs it refuses to run",
    )
    args = parser.parse_args(argv)

    if shutil.which("mvn") is None:
        print("ERROR: Maven (mvn) is needed to resolve the Delta Lake and GraphFrames jars.", file=sys.stderr)
        return 1
    args.jars_dir.mkdir(parents=True, exist_ok=True)
    shipped = spark_shipped_artifacts()
    status = {}
    failed = []
    for name, coordinate in jvm_packages().items():
        result = resolve_one(name, coordinate, args.jars_dir, shipped)
        status[name] = result
        if result["ok"]:
            how = "cached" if result.get("cached") else "resolved"
            print(f"jars: {name} {coordinate}: {how}, {len(result['jars'])} jar(s) in {args.jars_dir / name}")
        else:
            failed.append(name)
            print(
                f"ERROR: cannot resolve JVM package {coordinate} ({name}) from the Maven repositories "
                f"configured for mvn: {result['error']}",
                file=sys.stderr,
            )
    (args.jars_dir / "status.json").write_text(json.dumps(status, indent=2) + "\n")
    fatal = [name for name in failed if name not in args.allow_missing]
    if fatal:
        return 1
    for name in failed:
        print(
            f"WARNING: continuing without {status[name]['coordinate']} (--allow-missing {name}); "
            f"everything that needs it will refuse to run and name this coordinate.",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
