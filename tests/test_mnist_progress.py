"""What a run prints (issue 20): progress bars for training and evaluation on stderr, so a log
redirected from stdout holds only the per-epoch lines; a quick try says that it is one."""
from __future__ import annotations

from conftest import MNIST_SAMPLE

from mnist import train
from mnist.cli import main


def test_bars_on_stderr_lines_on_stdout_and_the_quick_try_note(tmp_path, capsys):
    code = main(["train", "--limit", "256", "--epochs", "1", "--tta", "1", "--threads", "1",
                 "--data-dir", str(MNIST_SAMPLE), "--out", str(tmp_path / "runs" / "log.json"),
                 "--workbook", str(tmp_path / "books" / "b.xlsx")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "epoch 1 train" in err and "epoch 1 test" in err  # the two bars
    assert "it/s" not in out and "%|" not in out  # no bar in the log
    assert "Test set: Average loss" in out and "test_acc" in out
    assert "this was a quick try (256 of 60,000 training images, 1 of the recipe's 15 epochs)" \
        in out and "a low accuracy is expected" in out
    assert (tmp_path / "books" / "b.xlsx").exists()  # folders made for the log and the workbook


def test_a_full_run_has_no_quick_try_note():
    full = {"model": "compact", "train_images": 60_000, "epochs": [{}] * 15}
    assert train.quick_try_note(full) is None
    assert "quick try" in train.quick_try_note(full | {"epochs": [{}] * 14})
    assert train.quick_try_note(full | {"model": "no such model"}) is None
