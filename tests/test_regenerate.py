"""output/ is what scripts/regenerate_output.py makes: the default workbook with the MNIST sheet of
the committed log, and the loss curves (issue 20: the one command that remakes output/)."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from rounding import same_but_last_places

ROOT = Path(__file__).parents[1]


def test_regenerated_output_is_the_committed_one(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "regenerate_output.py"),
                          "--out", str(tmp_path)], capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    with zipfile.ZipFile(tmp_path / "backprop.xlsx") as fresh, \
            zipfile.ZipFile(ROOT / "output" / "backprop.xlsx") as committed:
        assert fresh.namelist() == committed.namelist()
        assert "xl/worksheets/mnist_sheet1.xml" in fresh.namelist()  # the MNIST sheet kept
        differ = [name for name in fresh.namelist()
                  if not same_but_last_places(fresh.read(name), committed.read(name))]
        assert not differ, f"{differ} differ: run python scripts/regenerate_output.py"
    assert (tmp_path / "loss_curves.png").read_bytes() == \
        (ROOT / "output" / "loss_curves.png").read_bytes()


def test_a_changed_formula_or_number_is_a_difference():
    part = b'<c r="K25"><f>1/(1+EXP(-J25))</f><v>0.5068387922931814</v></c>'
    assert same_but_last_places(part, part.replace(b"814<", b"815<"))  # the last place only
    assert not same_but_last_places(part, part.replace(b"0.50683", b"0.50684"))
    assert not same_but_last_places(part, part.replace(b"-J25", b"-J26"))


def test_a_bad_log_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "log.json").write_text("{}")
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "regenerate_output.py"),
                          "--out", str(tmp_path / "o"), "--log", str(tmp_path / "log.json")],
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1, run.stderr
