"""`sheetgen build` and `sheetgen plot` from the command line: outputs, and one-line errors."""
from __future__ import annotations

import os
import stat

import numpy as np
import openpyxl
import pytest

from sheetgen import network as net
from sheetgen.cli import main, make_parser, settings_from
from sheetgen.workbook import FIRST_ROW, HEADER_ROW, sheet_name


def defined_values(path) -> dict[str, float]:
    wb = openpyxl.load_workbook(path)
    return {n: wb[s][c.replace("$", "")].value for n, d in wb.defined_names.items()
            for s, c in d.destinations}


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
    (["--biases", "0.3"], "--biases needs 2 numbers (b1 b2: one per layer) or 4 (b1..b4: one per unit), got 1"),
    (["--biases", "0.3", "inf"], "biases must be finite numbers"),
    (["--train-biases"], "--train-biases needs biases to train: give --biases B1 B2"),
    (["--preset", "nope"], "argument --preset: invalid choice: 'nope'"),
    (["--preset", "mazur", "--biases", "1", "2", "3"], "--biases needs 2 numbers (b1 b2: one per layer) or 4 (b1..b4: one per unit), got 3"),
    (["--exercise", "-o", "x.xlsx", "--plot", "x-key.xlsx"],
     "--plot and the answer key both name x-key.xlsx"),
    (["--exercise", "-o", "x.xlsx", "--plot", "x.xlsx"], "--plot and -o both name x.xlsx"),
    (["--exercise", "-o", "no/such/x.xlsx"], "output folder no/such does not exist"),
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


def test_biases_and_the_preset(tmp_path, capsys):
    out = tmp_path / "m.xlsx"
    assert main(["build", "--preset", "mazur", "-o", str(out), "--no-plot"]) == 0
    assert "1 learning rate × 100 iterations" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Backprop", sheet_name(0.5), "Loss curves"]
    assert [c.value for c in wb[sheet_name(0.5)][HEADER_ROW]][9:11] == ["b1", "h1"]
    names = defined_values(out)
    assert (names["bias_b1"], names["bias_b2"], names["target_t1"], names["init_w8"]) == \
           (0.35, 0.6, 0.01, 0.55)


def test_options_override_the_preset(tmp_path):
    out = tmp_path / "m.xlsx"
    assert main(["build", "--preset", "mazur", "-o", str(out), "--no-plot", "--lr", "0.1", "2",
                 "--targets", "0.2", "0.3", "--train-biases", "--iterations", "4"]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[1:3] == [sheet_name(0.1), sheet_name(2)]
    assert wb[sheet_name(2)].max_row == FIRST_ROW + 3
    names = defined_values(out)
    assert "bias_b1" not in names
    assert (names["init_b1"], names["init_b2"], names["target_t2"], names["input_i1"]) == \
           (0.35, 0.6, 0.3, 0.05)


def test_plot_takes_the_same_options():
    """The PNG's curves are the reference's with the biases (trained, here)."""
    from sheetgen.plots import loss_curves_figure

    args = make_parser().parse_args(["plot", "--preset", "mazur", "--train-biases",
                                     "--lr", "0.5", "4", "--iterations", "30"])
    want = net.iterate((0.05, 0.1), (0.01, 0.99), (0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55),
                       (0.5, 4.0), 30, b=(0.35, 0.6), train_biases=True)["E_total"]
    lines = loss_curves_figure(settings_from(args)).axes[0].get_lines()
    assert len(lines) == 2
    for line, curve in zip(lines, want):
        np.testing.assert_allclose(line.get_ydata(), curve, rtol=1e-12)


def test_exercise_and_key(tmp_path, capsys):
    folder = tmp_path / "class"
    folder.mkdir()
    assert main(["build", "--exercise", "--preset", "mazur", "-o", str(folder / "b.xlsx")]) == 0
    out = capsys.readouterr().out
    assert f"wrote the exercise {folder / 'b.xlsx'} and its answer key {folder / 'b-key.xlsx'}" \
        in out
    assert sorted(p.name for p in folder.iterdir()) == ["b-key.xlsx", "b.xlsx"]  # no PNG
    plain = tmp_path / "plain.xlsx"
    assert main(["build", "--preset", "mazur", "-o", str(plain), "--no-plot"]) == 0
    assert (folder / "b-key.xlsx").read_bytes() == plain.read_bytes()


def test_exercise_default_path_and_plot(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--exercise", "--iterations", "3", "--plot", "curves.png"]) == 0
    assert sorted(p.name for p in (tmp_path / "output").iterdir()) == ["exercise-key.xlsx",
                                                                       "exercise.xlsx"]
    assert (tmp_path / "curves.png").exists()


def test_exercise_writes_nothing_when_the_key_cannot_be_written(tmp_path, capsys):
    key = tmp_path / "b-key.xlsx"
    key.write_bytes(b"kept")
    os.chmod(key, stat.S_IRUSR)
    assert main(["build", "--exercise", "-o", str(tmp_path / "b.xlsx")]) == 2
    assert "read-only" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["b-key.xlsx"] and key.read_bytes() == b"kept"
