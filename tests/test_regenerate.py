"""output/ is what scripts/regenerate_output.py makes: the default workbook with the MNIST sheet of
the committed log, and the loss curves (issue 20: the one command that remakes output/)."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_regenerated_output_is_the_committed_one(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "regenerate_output.py"),
                          "--out", str(tmp_path)], capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    with zipfile.ZipFile(tmp_path / "backprop.xlsx") as fresh, \
            zipfile.ZipFile(ROOT / "output" / "backprop.xlsx") as committed:
        assert fresh.namelist() == committed.namelist()
        assert "xl/worksheets/mnist_sheet1.xml" in fresh.namelist()  # the MNIST sheet kept
        for name in fresh.namelist():
            assert fresh.read(name) == committed.read(name), \
                f"{name} differs: run python scripts/regenerate_output.py"
    assert (tmp_path / "loss_curves.png").read_bytes() == \
        (ROOT / "output" / "loss_curves.png").read_bytes()


def test_a_bad_log_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "log.json").write_text("{}")
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "regenerate_output.py"),
                          "--out", str(tmp_path / "o"), "--log", str(tmp_path / "log.json")],
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1, run.stderr
