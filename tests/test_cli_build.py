"""`sheetgen build` and `sheetgen plot` from the command line: outputs, and one-line errors."""
from __future__ import annotations

import openpyxl
import pytest

from sheetgen import network as net
from sheetgen.cli import main
from sheetgen.workbook import FIRST_ROW, sheet_name


def test_build_with_options(tmp_path, capsys):
    out, png = tmp_path / "mine.xlsx", tmp_path / "loss.png"
    code = main(["build", "-o", str(out), "--plot", str(png), "--iterations", "7",
                 "--lr", "0.3", "1.5", "--inputs", "0.2,0.4", "--targets", "0.1", "0.9",
                 "--weights", *map(str, range(1, 9))])
    assert code == 0
    assert "2 learning rates × 7 iterations" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[1:3] == [sheet_name(0.3), sheet_name(1.5)]
    assert wb[sheet_name(1.5)].max_row == FIRST_ROW + 6
    names = {n: wb[s][c.replace("$", "")].value for n, d in wb.defined_names.items()
             for s, c in d.destinations}
    assert (names["input_i2"], names["target_t1"], names["init_w8"]) == (0.4, 0.1, 8.0)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_writes_a_png(tmp_path):
    assert main(["plot", "-o", str(tmp_path / "p.png"), "--lr", "0.5"]) == 0
    assert (tmp_path / "p.png").stat().st_size > 10_000


@pytest.mark.parametrize("args, message", [
    (["--iterations", "0"], "iterations must be between 1 and 10000, got 0"),
    (["--iterations", "-3"], "iterations must be between 1 and 10000, got -3"),
    (["--iterations", "10001"], "iterations must be between 1 and 10000, got 10001"),
    (["--iterations", "ten"], "argument --iterations: invalid int value: 'ten'"),
    (["--lr", "fast"], "argument --lr: not a number: 'fast'"),
    (["--lr", "0.5", "-0.1"], "learning rates must be positive"),
    (["--lr", "0.5", "0.5"], "learning rates must differ"),
    (["--lr", "nan"], "learning rates must be finite numbers"),
    (["--weights", "0.1", "0.2"], "--weights needs 8 numbers, got 2"),
    (["--inputs", "1", "2", "3"], "--inputs needs 2 numbers, got 3"),
    (["-o", "no/such/folder/x.xlsx"], "output folder no/such/folder does not exist"),
    (["--weights", *["-1000"] * 8, "--inputs", "1", "1"], "these settings overflow"),
    (["-o", "same.xlsx", "--plot", "same.xlsx"], "--plot and -o both name same.xlsx"),
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_nonsense_gets_one_line_and_exit_2(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    code = main(["build", *args] + ([] if "-o" in args else ["-o", "out.xlsx"]))
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_the_png_goes_next_to_the_workbook_from_any_folder(tmp_path, monkeypatch, capsys):
    elsewhere, cwd = tmp_path / "elsewhere", tmp_path / "cwd"
    elsewhere.mkdir()
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    assert main(["build", "-o", str(elsewhere / "b.xlsx"), "--iterations", "3"]) == 0
    assert sorted(p.name for p in elsewhere.iterdir()) == ["b.xlsx", "loss_curves.png"]
    assert list(cwd.iterdir()) == []
    assert main(["build", "-o", str(elsewhere / "c.xlsx"), "--plot", str(cwd / "p.png")]) == 0
    assert [p.name for p in cwd.iterdir()] == ["p.png"]


def test_the_default_output_folder_is_made(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--iterations", "3"]) == 0
    assert sorted(p.name for p in (tmp_path / "output").iterdir()) == ["backprop.xlsx",
                                                                       "loss_curves.png"]


def test_output_path_that_is_a_folder(tmp_path, capsys):
    assert main(["build", "-o", str(tmp_path), "--no-plot"]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_failed_write_leaves_the_old_file(tmp_path):
    """Writes go through a temporary file: an error half-way keeps the previous file whole."""
    from sheetgen.files import atomic_write

    out = tmp_path / "keep.xlsx"
    out.write_bytes(b"previous")
    with pytest.raises(RuntimeError), atomic_write(out) as f:
        f.write(b"half a workbook")
        raise RuntimeError("disk full")
    assert out.read_bytes() == b"previous" and [p.name for p in tmp_path.iterdir()] == ["keep.xlsx"]


def test_help_lists_subcommands_and_defaults(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["build", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "--iterations" in out and f"default {net.ITERATIONS}" in out
