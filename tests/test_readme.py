"""The README's shell commands, run as written in a fresh folder (issue 20).

Every line of every ```bash block runs, in order, in one temporary git repository that holds the
project's .gitignore and a copy of `output/` (as a fresh clone does), except the lines this test
cannot or need not run, each listed in SKIPPED with why. Setting up (`python3 -m venv ... && pip
install ...`) is this test environment's own; the command after it runs. At the end `git status`
must be clean: whatever the commands wrote is in .gitignore, and nothing tracked changed.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
BIN = Path(sys.executable).parent
SAMPLE = ROOT / "tests" / "data" / "mnist"

SKIPPED = {  # a piece of the line -> why it does not run here
    "python -m pytest": "this is the test suite itself",
    "mnist download": "needs the network; the data comes from the sample ($MNIST_DATA)",
    "export MNIST_DATA": "the test sets $MNIST_DATA to the sample in tests/data/mnist",
    "benchmarks/": "measurements of many minutes, not user commands",
    "regenerate_output.py": "writes the repository's output/: tests/test_regenerate.py runs it",
    "optuna": "the distributed recipe needs optuna, which sheetgen does not depend on",
    "http.server": "serves until stopped; tests/test_web_page.py serves the site itself",
    "mnist search": "the 96-setting grid takes many minutes: tests/test_mnist_numpy.py runs a "
                    "small one on the sample",
}
FULL_TRAINING = re.compile(r"python -m mnist train(?!.*--limit)")  # minutes each: not here


def readme_commands() -> list[str]:
    """The command lines of the README's bash blocks, comments dropped."""
    text = (ROOT / "README.md").read_text()
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.DOTALL):
        for line in block.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command and not command.startswith("#"):
                lines.append(command)
    return lines


def runnable(command: str) -> str | None:
    """The part of `command` this test runs, or None."""
    if any(piece in command for piece in SKIPPED) or FULL_TRAINING.search(command):
        return None
    if "pip install" in command:  # set-up && the command itself
        rest = command.split("pip install", 1)[1].split("&&", 1)
        return rest[1].strip() if len(rest) > 1 else None
    return command


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                          cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_readme_lists_the_set_up_commands():
    commands = readme_commands()
    assert any(c.endswith('pip install -e . && sheetgen build') for c in commands)
    assert any('pip install -e ".[test]" && python -m pytest' in c for c in commands)
    assert any(c.startswith('pip install -e ".[mnist]"') for c in commands)


def test_readme_commands_run_as_written(tmp_path):
    folder = tmp_path / "clone"
    folder.mkdir()
    shutil.copy(ROOT / ".gitignore", folder / ".gitignore")
    shutil.copytree(ROOT / "output", folder / "output",
                    ignore=shutil.ignore_patterns("*.pt", "mnist_bench_*"))
    git("init", "-q", cwd=folder)
    git("add", "-A", cwd=folder)
    git("commit", "-q", "-m", "as cloned", cwd=folder)
    env = os.environ | {"PATH": f"{BIN}:{os.environ['PATH']}", "MNIST_DATA": str(SAMPLE)}
    ran = []
    for command in filter(None, map(runnable, readme_commands())):
        if "submissions/" in command:  # the class's hand-in: a blank exercise and a full one
            (folder / "submissions").mkdir(exist_ok=True)
            for name in ("backprop.xlsx", "backprop-key.xlsx"):
                shutil.copy(folder / "class" / name, folder / "submissions" / name)
        done = subprocess.run(["bash", "-c", command], cwd=folder, env=env, capture_output=True,
                              text=True, timeout=600, check=False)
        expected = (0, 1) if command.startswith("sheetgen verify") else (0,)  # 1: a FAIL verdict
        assert done.returncode in expected, f"{command}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, command
        ran.append(command)
    assert "sheetgen build" in ran and any(c.startswith("python -m mnist train") for c in ran)
    assert len(ran) >= 8
    assert git("status", "--porcelain", cwd=folder) == "", "the README's commands dirtied a clone"
    assert (folder / "backprop.xlsx").exists() and (folder / "class" / "backprop-key.xlsx").exists()
