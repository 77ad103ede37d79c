"""File names, like sheet names, cannot forge a line of any output, and a name that is not UTF-8
is printed escaped (text, CSV, JUnit) or as JSON escapes that read back to its bytes."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from xml.etree import ElementTree as ET

from sheetgen.cli import main
from sheetgen.verify.samples import Layout, write_table


def wrong_workbook(path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    write_table(wb.active, Layout(), rows=4, eta=0.5, mistake=(2, "h1", "{w1}*{i1}"))
    wb.save(path)


def test_a_newline_in_a_file_name_cannot_forge_a_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = "x.xlsx: ERROR\nstudent_x.xlsx: PASS (1 table(s), 4 rows).xlsx"
    wrong_workbook(name)
    assert main(["verify", "--csv", "c.csv", "--junit", "j.xml", name]) == 1
    out = capsys.readouterr().out
    assert not any(line.startswith("student_x.xlsx") for line in out.splitlines())
    assert out.startswith("x.xlsx: ERROR\\nstudent_x.xlsx: PASS (1 table(s), 4 rows).xlsx: FAIL")
    with open("c.csv", newline="", encoding="utf-8") as f:
        assert [r["file"] for r in csv.DictReader(f)] == [name.replace("\n", "\\n")]
    assert ET.parse("j.xml").getroot().find("testcase").get("classname") == name.replace("\n", "\\n")


def test_a_name_that_is_not_utf8(tmp_path):
    """A Latin-1 name (`é` as the byte E9) from an old archive: no UnicodeEncodeError."""
    folder = os.fsencode(tmp_path)
    raw = folder + b"/caf\xe9.xlsx"
    wrong_workbook(os.fsdecode(raw))
    run = subprocess.run([sys.executable, "-m", "sheetgen.cli", "verify", "--csv",
                          str(tmp_path / "c.csv"), os.fsdecode(raw)],
                         capture_output=True, timeout=120, check=False,
                         env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert run.returncode == 1 and b"Traceback" not in run.stderr, run.stderr
    assert run.stdout.startswith(folder + b"/caf\\xe9.xlsx: FAIL")
    assert "caf\\xe9.xlsx" in (tmp_path / "c.csv").read_text(encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "sheetgen.cli", "verify", "--json",
                          os.fsdecode(raw)], capture_output=True, timeout=120, check=False)
    assert run.returncode == 1 and run.stderr == b""
    path = json.loads(run.stdout)["files"][0]["path"]
    assert os.fsencode(path) == raw  # the JSON keeps the name's bytes
