"""The scheduler recipes (deploy/) and spark-submit.sh's argument handling, without Spark:
the cron script's log and exit code with a stub in place of spark-submit.sh, the Airflow DAG
read with `ast` (Airflow is not a dependency; the DAG is imported only where it is installed),
and spark-submit.sh against a stub spark-submit."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
from pathlib import Path

import pytest

from jobs import pipeline

ROOT = Path(__file__).resolve().parents[1]
CRON_SCRIPT = ROOT / "deploy" / "cron" / "scintel-nightly.sh"
DAG_FILE = ROOT / "deploy" / "airflow" / "scintel_nightly_dag.py"
SUBMIT_SCRIPT = ROOT / "spark-submit.sh"


def _stub(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


@pytest.mark.parametrize("script", [CRON_SCRIPT, SUBMIT_SCRIPT], ids=lambda p: p.name)
def test_scripts_are_valid_bash(script):
    assert os.access(script, os.X_OK)
    subprocess.run(["bash", "-n", str(script)], check=True)


def test_cron_script_documents_its_crontab_line():
    lines = [line.lstrip("# ") for line in CRON_SCRIPT.read_text().splitlines() if line.startswith("#")]
    crontab = [line for line in lines if line.endswith("deploy/cron/scintel-nightly.sh")]
    assert len(crontab) == 1
    assert re.match(r"^(\S+ ){5}", crontab[0]), crontab[0]  # five time fields


def _cron_env(tmp_path: Path, submit_body: str, **extra: str) -> dict[str, str]:
    """The cron script's environment, with a stub in place of spark-submit.sh."""
    return {
        **os.environ,
        "SCINTEL_SUBMIT": str(_stub(tmp_path / "submit", submit_body)),
        "SCINTEL_LOG_DIR": str(tmp_path / "logs"),
        "SCINTEL_INPUT": "/data/in",
        "SCINTEL_WAREHOUSE": "/data/wh",
        "SCINTEL_CONF": "/etc/scintel.yaml",
        **extra,
    }


@pytest.mark.parametrize("code", [0, 3])
def test_cron_script_logs_to_a_dated_file_and_returns_the_pipeline_exit_code(tmp_path, code):
    env = _cron_env(tmp_path, f'echo "submitted $*"\nexit {code}\n')
    done = subprocess.run([str(CRON_SCRIPT)], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == code
    logs = list((tmp_path / "logs").glob("scintel-nightly-*.log"))
    assert len(logs) == 1
    assert re.fullmatch(r"scintel-nightly-\d{4}-\d\d-\d\dT\d{6}Z\.log", logs[0].name)
    text = logs[0].read_text()
    assert "submitted run --input /data/in --warehouse /data/wh --conf /etc/scintel.yaml --incremental --since-last-run" in text
    assert f"exit {code}" in text
    assert ("FAILED" in done.stderr) == (code != 0)


def test_cron_script_refuses_to_run_without_input_and_warehouse(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SCINTEL_INPUT", "SCINTEL_WAREHOUSE")}
    env["SCINTEL_LOG_DIR"] = str(tmp_path)
    done = subprocess.run([str(CRON_SCRIPT)], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "SCINTEL_INPUT" in done.stderr


def _dag_module() -> ast.Module:
    return ast.parse(DAG_FILE.read_text(), filename=str(DAG_FILE))


def _literal(module: ast.Module, name: str):
    for node in module.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{DAG_FILE.name} has no module-level {name} = <literal>")


def test_dag_stage_groups_cover_the_pipeline_in_dependency_order():
    groups = _literal(_dag_module(), "STAGE_GROUPS")
    assert list(groups) == ["ingest", "quality", "indicators"]
    flat = [stage for stages in groups.values() for stage in stages]
    assert flat == pipeline.plan([])  # every stage once, in the order `scintel run` uses
    done: set[str] = set()
    for stages in groups.values():
        for stage in stages:  # a stage's prerequisites ran in an earlier task or earlier in its own
            assert set(pipeline.STAGES[stage].needs) <= done, stage
            done.add(stage)
    assert all(pipeline.STAGES[s].needs_input for s in groups["ingest"])
    assert not any(pipeline.STAGES[s].needs_input for g in ("quality", "indicators") for s in groups[g])


def test_dag_submits_with_spark_submit_sh_on_a_schedule_with_retries():
    source = DAG_FILE.read_text()
    module = _dag_module()
    calls = {node.func.id: node for node in ast.walk(module) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    dag_kwargs = {kw.arg: kw.value for kw in calls["DAG"].keywords}
    assert ast.literal_eval(dag_kwargs["dag_id"]) == "scintel_nightly"
    assert len(ast.literal_eval(dag_kwargs["schedule"]).split()) == 5
    default_args = {ast.literal_eval(k): v for k, v in zip(dag_kwargs["default_args"].keys, dag_kwargs["default_args"].values)}
    assert ast.literal_eval(default_args["retries"]) >= 1
    assert "spark-submit.sh" in source and "--only" in source


def test_dag_loads_in_airflow():
    if importlib.util.find_spec("airflow") is None:
        pytest.skip("Airflow is not installed here (not a scintel dependency); the DAG was checked with ast")
    from airflow.models import DagBag

    bag = DagBag(dag_folder=str(DAG_FILE), include_examples=False)
    assert bag.import_errors == {}
    dag = bag.get_dag("scintel_nightly")
    assert [t.task_id for t in dag.topological_sort()] == ["ingest", "quality", "indicators"]


def test_spark_submit_sh_ships_a_digest_named_zip_and_absolute_paths(tmp_path):
    """spark-submit.sh against a stub spark-submit (SPARK_HOME) that prints its arguments."""
    spark_home = tmp_path / "spark"
    (spark_home / "bin").mkdir(parents=True)
    _stub(spark_home / "bin" / "spark-submit", 'for a in "$@"; do echo "$a"; done\n')
    env = {**os.environ, "SPARK_HOME": str(spark_home), "SCINTEL_JARS": "cached"}
    args = ["run", "--input", "corpus", "--warehouse=wh", "--conf", "/etc/x.yaml", "--only", "ingest_patents"]
    done = subprocess.run([str(SUBMIT_SCRIPT), *args], env=env, cwd=tmp_path, capture_output=True, text=True, check=True)
    argv = done.stdout.splitlines()
    zip_file = Path(argv[argv.index("--py-files") + 1])
    assert re.fullmatch(r"scintel-py-[0-9a-f]{16}\.zip", zip_file.name) and zip_file.is_file()
    assert "delta-spark_4.1_2.13-4.4.0.jar" in argv[argv.index("--jars") + 1]
    assert "spark.sql.session.timeZone=UTC" in argv
    driver = argv.index(str(ROOT / "dist" / "scintel_main.py"))
    assert argv[driver + 1 :] == [
        "run",
        "--input",
        f"{tmp_path}/corpus",
        f"--warehouse={tmp_path}/wh",
        "--conf",
        "/etc/x.yaml",
        "--only",
        "ingest_patents",
    ]
    again = subprocess.run([str(SUBMIT_SCRIPT), *args], env=env, cwd=tmp_path, capture_output=True, text=True, check=True)
    assert str(zip_file) in again.stdout.splitlines()  # same sources, same zip


def _submitted_argv(tmp_path: Path, extra_env: dict[str, str]) -> list[str]:
    spark_home = tmp_path / "spark"
    (spark_home / "bin").mkdir(parents=True, exist_ok=True)
    _stub(spark_home / "bin" / "spark-submit", 'for a in "$@"; do echo "$a"; done\n')
    env = {**os.environ, "SPARK_HOME": str(spark_home), **extra_env}
    done = subprocess.run([str(SUBMIT_SCRIPT), "stages"], env=env, cwd=tmp_path, capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def test_spark_submit_sh_ships_delta_and_graphframes_jars(tmp_path):
    argv = _submitted_argv(tmp_path, {"SCINTEL_JARS": "cached"})
    jars = argv[argv.index("--jars") + 1].split(",")
    names = {Path(j).name for j in jars}
    assert {
        "delta-spark_4.1_2.13-4.4.0.jar",
        "graphframes-spark4_2.13-0.11.0.jar",
        "graphframes-graphx-spark4_2.13-0.11.0.jar",
    } <= names
    assert all(Path(j).is_file() for j in jars)
    assert "--packages" not in argv and "--repositories" not in argv


def test_spark_submit_sh_names_packages_with_the_extra_repositories(tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    import resolve_jars

    argv = _submitted_argv(tmp_path, {"SCINTEL_JARS": "packages", "SCINTEL_MAVEN_REPOS": "https://mirror.example.com/m2"})
    assert argv[argv.index("--packages") + 1] == ",".join(resolve_jars.jvm_packages().values())
    repositories = argv[argv.index("--repositories") + 1].split(",")
    assert repositories[0] == "https://mirror.example.com/m2"
    if resolve_jars.SHARED_MAVEN.is_dir():
        assert repositories[1] == resolve_jars.SHARED_MAVEN.resolve().as_uri()
    assert "--jars" not in argv


def _confs(argv: list[str]) -> dict[str, str]:
    return dict(argv[i + 1].split("=", 1) for i, arg in enumerate(argv) if arg == "--conf" and "=" in argv[i + 1])


def test_spark_submit_sh_names_comet_from_the_config(tmp_path):
    argv = _submitted_argv(tmp_path, {"SCINTEL_JARS": "cached"})
    confs = _confs(argv)
    assert confs["spark.plugins"] == "org.apache.spark.CometPlugin"
    assert confs["spark.shuffle.manager"].endswith("CometShuffleManager")
    assert confs["spark.memory.offHeap.size"] == "4g"  # conf/local.yaml's spark.comet_offheap_size
    assert any(Path(j).name == "comet-spark-spark4.1_2.13-1.2.0.jar" for j in argv[argv.index("--jars") + 1].split(","))
    off = tmp_path / "off.yaml"
    off.write_text("spark: {comet: false}\n")
    argv = _submitted_argv(tmp_path, {"SCINTEL_JARS": "cached", "SCINTEL_CONF": str(off)})
    assert not any(key.startswith(("spark.comet", "spark.memory.offHeap")) for key in _confs(argv))
    assert "spark.plugins" not in _confs(argv) and "spark.shuffle.manager" not in _confs(argv)


def test_spark_submit_sh_rejects_an_unknown_jar_mode(tmp_path):
    spark_home = tmp_path / "spark"
    (spark_home / "bin").mkdir(parents=True)
    _stub(spark_home / "bin" / "spark-submit", "exit 0\n")
    env = {**os.environ, "SPARK_HOME": str(spark_home), "SCINTEL_JARS": "maven"}
    done = subprocess.run([str(SUBMIT_SCRIPT), "stages"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2 and "cached or packages" in done.stderr


# --- the Databricks Asset Bundle -----------------------------------------------------------------

BUNDLE = ROOT / "databricks.yml"


def _bundle() -> dict:
    import yaml

    return yaml.safe_load(BUNDLE.read_text())


def test_bundle_runs_the_wheels_entry_point_with_a_valid_command():
    import tomllib

    from jobs import cli

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (task,) = _bundle()["resources"]["jobs"]["scintel_nightly"]["tasks"]
    wheel_task = task["python_wheel_task"]
    assert wheel_task["package_name"] == project["name"]
    assert project["scripts"][wheel_task["entry_point"]] == "jobs.cli:main"
    args = cli._parser().parse_args([str(p) for p in wheel_task["parameters"]])
    assert args.command == "run" and args.stages == [] and not args.only  # every stage
    assert args.input == "${var.input}" and args.warehouse == "${var.warehouse}"


def test_bundle_names_a_config_that_loads_and_the_pinned_graphframes():
    import tomllib

    from jobs import config as cfg

    (task,) = _bundle()["resources"]["jobs"]["scintel_nightly"]["tasks"]
    parameters = task["python_wheel_task"]["parameters"]
    conf = parameters[parameters.index("--conf") + 1]
    assert conf == "/Workspace${workspace.file_path}/conf/databricks.yaml"  # the bundle syncs conf/
    loaded = cfg.load(ROOT / "conf" / "databricks.yaml")
    assert loaded.spark.comet is False and loaded.maintenance.after_run is True
    jvm = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["scintel"]["jvm-packages"]
    assert {"maven": {"coordinates": jvm["graphframes"]}} in task["libraries"]


def test_bundle_declares_every_variable_it_uses_and_builds_the_wheel_it_installs():
    bundle = _bundle()
    used = set(re.findall(r"\$\{var\.(\w+)\}", BUNDLE.read_text()))
    assert used and used <= set(bundle["variables"])
    (artifact,) = bundle["artifacts"].values()
    assert artifact["type"] == "whl" and "--wheel-dir dist/wheel" in artifact["build"]
    (task,) = bundle["resources"]["jobs"]["scintel_nightly"]["tasks"]
    assert {"whl": "./dist/wheel/*.whl"} in task["libraries"]
    assert bundle["resources"]["jobs"]["scintel_nightly"]["job_clusters"][0]["job_cluster_key"] == task["job_cluster_key"]


def test_bundle_job_matches_the_databricks_bundle_schema():
    """The job resource against the Databricks CLI's typed bundle models (databricks-bundles, generated
    from the CLI's bundle JSON schema): a misspelt or unknown field anywhere in the job is refused."""
    import copy

    from databricks.bundles.jobs import Job

    job_dict = _bundle()["resources"]["jobs"]["scintel_nightly"]
    job = Job.from_dict(copy.deepcopy(job_dict))
    (task,) = job.tasks
    assert task.python_wheel_task.entry_point == "scintel" and task.max_retries == 1
    assert job.schedule.quartz_cron_expression == "0 30 1 * * ?"
    misspelt = copy.deepcopy(job_dict)
    misspelt["tasks"][0]["python_wheel_task"]["entry_pont"] = "scintel"
    with pytest.raises(ValueError, match="entry_pont"):
        Job.from_dict(misspelt)


def test_cron_script_runs_a_full_rebuild_when_asked(tmp_path):
    env = _cron_env(tmp_path, 'echo "submitted $*"\n', SCINTEL_FULL="1")
    assert subprocess.run([str(CRON_SCRIPT)], env=env, capture_output=True, text=True).returncode == 0
    (log,) = (tmp_path / "logs").glob("scintel-nightly-*.log")
    assert "submitted run --input /data/in --warehouse /data/wh --conf /etc/scintel.yaml\n" in log.read_text()


def test_dag_ingests_incrementally_since_the_last_run():
    source = DAG_FILE.read_text()
    assert "--incremental --since-last-run" in source


def test_spark_submit_sh_ships_a_packed_environment_to_the_executors_and_a_cluster_mode_driver(tmp_path):
    spark_home = tmp_path / "spark"
    (spark_home / "bin").mkdir(parents=True)
    _stub(spark_home / "bin" / "spark-submit", 'for a in "$@"; do echo "$a"; done\n')
    (tmp_path / "env.tar.gz").write_bytes(b"")
    (tmp_path / "night.yaml").write_text("spark: {comet: false}\n")
    env = {
        **os.environ,
        "SPARK_HOME": str(spark_home),
        "SCINTEL_JARS": "cached",
        "SCINTEL_MASTER": "yarn",
        "SCINTEL_PYTHON_ENV": "env.tar.gz",
        "PYSPARK_PYTHON": "/opt/py/bin/python3",
    }
    command = [str(SUBMIT_SCRIPT), "run", "--warehouse", "s3a://b/wh", "--conf", "night.yaml"]

    def confs(submit_args: str) -> list[str]:
        env["SCINTEL_SUBMIT_ARGS"] = submit_args
        argv = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, check=True).stdout.splitlines()
        assert argv[argv.index("--archives") + 1] == f"{tmp_path}/env.tar.gz#scintel-env"  # made absolute
        return [argv[i + 1] for i, a in enumerate(argv) if a == "--conf" and argv[i + 1].startswith("spark.pyspark.")]

    unpacked = "./scintel-env/bin/python3"
    assert confs("--deploy-mode cluster") == [f"spark.pyspark.python={unpacked}", f"spark.pyspark.driver.python={unpacked}"]
    # client mode: the driver runs on this host, with its own Python
    assert confs("--num-executors 4") == [f"spark.pyspark.python={unpacked}", "spark.pyspark.driver.python=/opt/py/bin/python3"]
    env["SCINTEL_MASTER"] = "local[2]"
    refused = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert refused.returncode == 2 and "ships a Python environment to cluster workers" in refused.stderr


def test_spark_submit_sh_ships_the_config_in_cluster_deploy_mode(tmp_path):
    spark_home = tmp_path / "spark"
    (spark_home / "bin").mkdir(parents=True)
    _stub(spark_home / "bin" / "spark-submit", 'for a in "$@"; do echo "$a"; done\n')
    conf = tmp_path / "night.yaml"
    conf.write_text("spark: {comet: false}\n")
    env = {
        **os.environ,
        "SPARK_HOME": str(spark_home),
        "SCINTEL_JARS": "cached",
        "SCINTEL_MASTER": "yarn",
        "SCINTEL_SUBMIT_ARGS": "--deploy-mode cluster --num-executors 4",
    }
    command = [str(SUBMIT_SCRIPT), "run", "--input", "s3a://b/in", "--warehouse", "s3a://b/wh", "--conf", "night.yaml"]
    argv = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, check=True).stdout.splitlines()
    assert argv[argv.index("--files") + 1] == str(conf)  # made absolute on this host, shipped with the job
    job = argv[argv.index(str(ROOT / "dist" / "scintel_main.py")) + 1 :]
    assert job == ["run", "--input", "s3a://b/in", "--warehouse", "s3a://b/wh", "--conf", "night.yaml"]
    assert "--deploy-mode" in argv and "cluster" in argv
    # Client mode (the default): the job reads the file where it is; nothing is shipped.
    env["SCINTEL_SUBMIT_ARGS"] = "--num-executors 4"
    argv = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, check=True).stdout.splitlines()
    assert "--files" not in argv and argv[-2:] == ["--conf", str(conf)]
