"""The conventions a newcomer expects (issue 20): a slim base install, --version, exit codes in
--help, a schema for --json, and the recipes for students' repositories (a pre-commit hook and a
GitHub Actions workflow), each run for real."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from sheetgen import network as net
from sheetgen.cli import DISTRIBUTION, EXIT_CODES, main

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).parents[1]
BIN = Path(sys.executable).parent  # the test environment's scripts: sheetgen, pre-commit


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def sheetgen(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sheetgen.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300, check=False)


# --- the slim install -------------------------------------------------------------------------
def test_base_install_leaves_out_torch_tqdm_and_pandas():
    base = " ".join(project()["dependencies"]).lower()
    assert not any(name in base for name in ("torch", "tqdm", "pandas"))
    extras = project()["optional-dependencies"]
    assert "torch>=2.4,<2.14" in extras["mnist"] and any("tqdm" in d for d in extras["mnist"])
    assert f"{DISTRIBUTION}[mnist]" in extras["test"] and any("pandas" in d for d in extras["test"])
    assert project()["name"] == DISTRIBUTION and project()["scripts"]["sheetgen"] == "sheetgen.cli:main"


BLOCKED = """
import sys
for name in ("torch", "tqdm", "pandas"):
    sys.modules[name] = None  # importing it now raises ImportError
from sheetgen.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_build_and_verify_run_without_torch_tqdm_and_pandas(tmp_path):
    """What the base install must do, with the three packages made unimportable."""
    def run(*args):
        return subprocess.run([sys.executable, "-c", BLOCKED, *args], cwd=tmp_path,
                              capture_output=True, text=True, timeout=300, check=False)

    built = run("build", "--iterations", "3", "-o", "a/b.xlsx")
    assert built.returncode == 0, built.stderr
    exercise = run("build", "--exercise", "--iterations", "3", "-o", "ex.xlsx")
    assert exercise.returncode == 0, exercise.stderr
    checked = run("verify", "--json", "--csv", "r/g.csv", "--junit", "r/j.xml",
                  "--annotate", "r/marked", "a/b.xlsx", "ex.xlsx")
    assert checked.returncode == 1, checked.stderr  # the exercise is still empty
    assert [f["status"] for f in json.loads(checked.stdout)["files"]] == ["pass", "incomplete"]
    assert (tmp_path / "r" / "marked" / "ex.xlsx").exists()
    assert run("plot", "--iterations", "3", "-o", "p/c.png").returncode == 0


# --- the command line -------------------------------------------------------------------------
def test_version_is_the_installed_distributions(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"sheetgen {project()['version']}"


@pytest.mark.parametrize("command", sorted(EXIT_CODES))
def test_help_ends_with_the_exit_codes(capsys, command):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert f"exit codes: {' '.join(EXIT_CODES[command].split())}" in help_text
    assert "0 " in help_text.split("exit codes:")[1] and "2 " in help_text.split("exit codes:")[1]


def test_license_file_is_the_declared_one():
    assert project()["license"] == "MIT" and project()["license-files"] == ["LICENSE"]  # SPDX
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


# --- verify --json and its schema -------------------------------------------------------------
def test_verify_json_follows_its_schema(tmp_path):
    from sheetgen.verify.samples import classic_workbook

    schema = json.loads((ROOT / "docs" / "verify-report.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert main(["build", "--iterations", "4", "-o", str(tmp_path / "good.xlsx"), "--no-plot"]) == 0
    assert main(["build", "--exercise", "--iterations", "4", "-o", str(tmp_path / "ex.xlsx")]) == 0
    wrong = net.BY_NAME["dw3"].formula.replace("{a_h2}", "{a_h1}")  # the class's mistake
    classic_workbook(tmp_path / "mistake.xlsx", etas=(0.5,), rows=5, mistake=(1, "dw3", wrong))
    (tmp_path / "text.xlsx").write_text("not a workbook")
    files = ["good.xlsx", "ex.xlsx", "mistake.xlsx", "text.xlsx", "missing.xlsx"]
    run = sheetgen("verify", "--json", *files, cwd=tmp_path)
    report = json.loads(run.stdout)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(report), key=str)
    assert not errors, f"update docs/verify-report.schema.json: {errors[0].message}"
    assert [f["status"] for f in report["files"]][:2] == ["pass", "incomplete"]
    assert {f["status"] for f in report["files"][3:]} == {"error"}
    assert report["exit_code"] == run.returncode == 1  # a wrong file outranks the unreadable ones
    assert any(t["causes"] for f in report["files"] for t in f["tables"])  # findings checked too


# --- the recipes for students' repositories ---------------------------------------------------
def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org",
                    "-c", "init.defaultBranch=main", *args], cwd=cwd, check=True,
                   capture_output=True, timeout=60)


def hook_repository(tmp_path: Path) -> Path:
    """A copy of this project as a git repository, as pre-commit clones one."""
    repo = tmp_path / "sheetgen"
    repo.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, repo / name)
    for package in ("sheetgen", "mnist"):
        shutil.copytree(ROOT / package, repo / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "sheetgen", cwd=repo)
    return repo


def test_pre_commit_hook_checks_a_students_workbooks(tmp_path):
    """`pre-commit try-repo` installs the hook from the project (its base install) into a fresh
    environment (one per run: try-repo keeps no cache) and runs it on a student's repository: the
    full workbook passes, the empty exercise fails, and the hook fails with it."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["sheetgen-verify"]
    example = yaml.safe_load((ROOT / "docs" / "pre-commit-config.example.yaml").read_text())
    assert example["repos"][0]["hooks"] == [{"id": "sheetgen-verify"}]
    repo = hook_repository(tmp_path)
    student = tmp_path / "student"
    student.mkdir()
    git("init", "-q", cwd=student)
    assert main(["build", "--iterations", "3", "--no-plot", "-o", str(student / "mine.xlsx")]) == 0
    assert main(["build", "--exercise", "--iterations", "3", "-o", str(student / "ex.xlsx")]) == 0
    (student / "notes.txt").write_text("not a workbook: the hook leaves it alone")
    git("add", "-A", cwd=student)
    env = os.environ | {"PATH": f"{BIN}:{os.environ['PATH']}"}
    run = subprocess.run([str(BIN / "pre-commit"), "try-repo", str(repo), "sheetgen-verify",
                          "--all-files", "--verbose"], cwd=student, env=env, capture_output=True,
                         text=True, timeout=900, check=False)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "mine.xlsx: PASS" in run.stdout and "ex-key.xlsx: PASS" in run.stdout
    assert "ex.xlsx: INCOMPLETE" in run.stdout and "are still empty" in run.stdout
    assert "notes.txt" not in run.stdout


def workflow_steps() -> list[dict]:
    workflow = yaml.safe_load((ROOT / "docs" / "github-actions-verify.yml").read_text())
    return workflow["jobs"]["verify"]["steps"]


def test_actions_workflow_installs_this_distribution():
    install = next(s["run"] for s in workflow_steps() if s.get("name") == "install sheetgen")
    assert install.startswith(f'pip install "{DISTRIBUTION} @ ')


@pytest.mark.parametrize("exercise, code", [(False, 0), (True, 1)])
def test_actions_workflow_steps_run(tmp_path, exercise, code):
    """Each `run:` step but the install, run as GitHub runs it (bash -eo pipefail) in a student's
    checkout; `sheetgen` is this test environment's. Exit 1 fails the job on a wrong workbook."""
    assert main(["build", "--iterations", "3", "--no-plot", "-o", str(tmp_path / "a" / "b.xlsx")]) == 0
    if exercise:
        assert main(["build", "--exercise", "--iterations", "3", "-o", str(tmp_path / "ex.xlsx")]) == 0
    (tmp_path / "~$b.xlsx").write_bytes(b"a lock file")  # skipped, as Excel's lock files must be
    env = os.environ | {"PATH": f"{BIN}:{os.environ['PATH']}"}
    runs = [s["run"] for s in workflow_steps() if "run" in s and s.get("name") != "install sheetgen"]
    assert runs
    for script in runs:
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == code, done.stdout + done.stderr
    assert (tmp_path / "reports" / "verify.xml").exists()
    assert (tmp_path / "reports" / "grades.csv").read_text().count("\n") == 2 + exercise * 2
