"""Every output goes only where it was asked for: never over a workbook being checked, never
through a link, never over an unrelated file; an impossible folder is one line, exit 2."""

from __future__ import annotations

import os
import tempfile

import pytest

from sheetgen.cli import main
from sheetgen.verify.annotate import MARK, is_marked_copy
from sheetgen.verify.samples import classic_workbook


def lines_of(capsys) -> list[str]:
    out, err = capsys.readouterr()
    text = out + err
    assert "Traceback" not in text and all(len(line) <= 200 for line in text.splitlines())
    return text.splitlines()


@pytest.fixture
def student(tmp_path):
    path = tmp_path / "class" / "alice.xlsx"
    path.parent.mkdir()
    classic_workbook(path, etas=(0.5,), rows=4)
    return path


@pytest.mark.parametrize("option", ["--csv", "--junit"])
def test_a_report_over_a_workbook_is_refused_before_checking(student, tmp_path, capsys, option):
    """`--csv class/*.xlsx` with the CSV's name forgotten: the first workbook is the CSV's path."""
    other = tmp_path / "class" / "bob.xlsx"
    classic_workbook(other, etas=(0.5,), rows=4)
    before = student.read_bytes()
    assert main(["verify", option, str(student), str(other)]) == 2
    lines = lines_of(capsys)
    assert lines == [(f"sheetgen verify: {option} {student} is a workbook (was the report's "
                      "name forgotten?); refusing to write over it")]
    assert student.read_bytes() == before


def test_a_report_named_as_a_workbook_checked_is_refused(student, tmp_path, capsys):
    before = student.read_bytes()
    assert main(["verify", "--junit", str(student), "--", str(student)]) == 2
    assert lines_of(capsys) == [(f"sheetgen verify: --junit {student} is one of the workbooks "
                                 "to check; refusing to write over it")]
    assert student.read_bytes() == before


def test_a_hard_link_to_a_workbook_is_the_same_file(student, tmp_path, capsys):
    link = tmp_path / "report.csv"
    os.link(student, link)
    before = student.read_bytes()
    assert main(["verify", "--csv", str(link), str(student)]) == 2
    assert "one of the workbooks" in lines_of(capsys)[0]
    assert student.read_bytes() == before


def test_csv_and_junit_on_one_path_are_refused(student, tmp_path, capsys):
    out = str(tmp_path / "r.out")
    assert main(["verify", "--csv", out, "--junit", out, str(student)]) == 2
    assert "both name" in lines_of(capsys)[0] and not os.path.exists(out)


def test_a_link_at_the_marked_copys_path_is_not_followed(student, tmp_path, capsys):
    """`sub/alice-marked.xlsx -> ../home/.bashrc`: the link and its target stay as they were."""
    precious = tmp_path / "bashrc"
    precious.write_text("export PATH=/usr/bin\n")
    folder = student.parent
    (folder / "alice-marked.xlsx").symlink_to(precious)
    assert main(["verify", "--annotate", str(folder), str(student)]) == 0
    lines = lines_of(capsys)
    assert precious.read_text() == "export PATH=/usr/bin\n"
    assert (folder / "alice-marked.xlsx").is_symlink()
    assert is_marked_copy(folder / "alice-marked-2.xlsx")
    assert ("sheetgen verify: the marked copy of alice.xlsx is alice-marked-2.xlsx: "
            "alice-marked.xlsx there is a link or another file, not a marked copy") in lines


def test_an_unrelated_file_is_kept_and_an_earlier_copy_replaced(student, tmp_path, capsys):
    folder = tmp_path / "marked"
    folder.mkdir()
    (folder / "alice.xlsx").write_bytes(b"the teacher's own notes")
    for _ in range(2):  # the second run replaces the first run's copy, nothing else
        assert main(["verify", "--annotate", str(folder), str(student)]) == 0
    lines = lines_of(capsys)
    assert (folder / "alice.xlsx").read_bytes() == b"the teacher's own notes"
    assert sorted(p.name for p in folder.iterdir()) == ["alice-marked.xlsx", "alice.xlsx"]
    assert is_marked_copy(folder / "alice-marked.xlsx") and MARK
    assert sum("not a marked copy" in line for line in lines) == 2


def test_annotate_into_an_impossible_folder_is_one_line(student, tmp_path, capsys):
    (tmp_path / "f").write_text("")
    assert main(["verify", "--annotate", str(tmp_path / "f" / "sub"), str(student)]) == 2
    lines = lines_of(capsys)
    assert len(lines) == 1 and lines[0].startswith("sheetgen verify: cannot make the folder")


def test_annotate_into_a_read_only_folder_is_one_line(student, tmp_path, capsys, monkeypatch):
    def read_only(*args, **kwargs):  # what a read-only mount answers (root ignores chmod)
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    assert main(["verify", "--annotate", str(tmp_path / "ro"), str(student)]) == 2
    lines = lines_of(capsys)
    assert lines[-1].startswith("sheetgen verify: cannot write the marked copy of")
    assert "could not write" in lines[-1] and not list((tmp_path / "ro").iterdir())
