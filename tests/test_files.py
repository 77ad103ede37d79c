"""Safe writes: what stands at the target is respected as `cp` would, and a full disk loses nothing.

Every writer goes through `sheetgen.files.atomic_write`: `sheetgen build` (workbook and PNG),
`sheetgen plot`, `sheetgen verify --junit`, and the MNIST export, logs and downloads.
"""
from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import in_ci

from sheetgen import files
from sheetgen.cli import main
from sheetgen.files import OutputError, WriteError, atomic_write


def write(path, data: bytes = b"new") -> None:
    with atomic_write(path) as f:
        f.write(data)


def disk_full(*args):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# --- atomic_write itself ----------------------------------------------------------------------------
def test_replacing_keeps_the_targets_permissions(tmp_path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write(target)
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_new_file_gets_the_umasks_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        write(tmp_path / "new.xlsx")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.xlsx").stat().st_mode) == 0o640


def test_a_symlink_is_written_through(tmp_path):
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "book.xlsx"
    real.write_bytes(b"old")
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    write(link)
    assert link.is_symlink() and real.read_bytes() == b"new"
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["book.xlsx"]


def test_a_read_only_target_is_refused(tmp_path):
    target = tmp_path / "keep.xlsx"
    target.write_bytes(b"old")
    target.chmod(0o444)
    with pytest.raises(OutputError, match="read-only"):
        write(target)
    assert target.read_bytes() == b"old" and stat.S_IMODE(target.stat().st_mode) == 0o444


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_what_is_not_a_regular_file_is_refused(tmp_path, kind):
    if kind == "fifo":
        target = tmp_path / "pipe"
        os.mkfifo(target)
    else:
        target = Path("/dev/full")
    with pytest.raises(OutputError, match="not a regular file"):
        write(target)
    assert stat.S_ISFIFO(target.stat().st_mode) if kind == "fifo" else \
        stat.S_ISCHR(target.stat().st_mode)


def test_a_full_disk_keeps_the_target_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "keep.xlsx"
    target.write_bytes(b"old")
    monkeypatch.setattr(files.os, "fsync", disk_full)
    with pytest.raises(WriteError, match="No space left on device; the old file is unchanged"):
        write(target, b"x" * 100_000)
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["keep.xlsx"]


# --- the commands ---------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    ["build", "-o", "/dev/full", "--no-plot"],
    ["build", "-o", "{tmp}/b.xlsx", "--plot", "/dev/full"],
    ["plot", "-o", "/dev/full"],
    ["verify", "--junit", "/dev/full", "{book}"],
])
def test_devices_are_refused_with_exit_2(tmp_path, capsys, args):
    book = tmp_path / "book.xlsx"
    shutil.copy(Path(__file__).parents[1] / "output" / "backprop.xlsx", book)
    args = [a.format(tmp=tmp_path, book=book) for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "/dev/full is not a regular file" in err and err.count("\n") == 1
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]  # nothing written


@pytest.mark.parametrize("args", [
    ["build", "-o", "{target}", "--no-plot"],
    ["plot", "-o", "{target}"],
    ["verify", "--junit", "{target}", "{book}"],
])
def test_a_full_disk_gives_one_line_and_exit_1(tmp_path, capsys, monkeypatch, args):
    target, book = tmp_path / "target", tmp_path / "book.xlsx"
    target.write_bytes(b"old")
    shutil.copy(Path(__file__).parents[1] / "output" / "backprop.xlsx", book)
    monkeypatch.setattr(files.os, "fsync", disk_full)
    assert main([a.format(target=target, book=book) for a in args]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err and "Traceback" not in err
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx", "target"]


def test_mnist_export_on_a_full_disk(tmp_path, monkeypatch, capsys):
    """The MNIST export writes through the same function; its command says so in one line."""
    from mnist.cli import main as mnist_main

    book = tmp_path / "book.xlsx"
    shutil.copy(Path(__file__).parents[1] / "output" / "backprop.xlsx", book)
    before = book.read_bytes()
    monkeypatch.setattr(files.os, "fsync", disk_full)
    log = Path(__file__).parents[1] / "output" / "mnist_compact_seed1.json"
    assert mnist_main(["export", str(log), "--workbook", str(book)]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err
    assert book.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_a_really_full_disk(tmp_path):
    """`sheetgen build` onto a 64 KiB tmpfs (mounted in a user namespace, no root needed)."""
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    script = (f"mount -t tmpfs -o size=64k tmpfs {tiny} && printf old > {tiny}/b.xlsx && "
              f"{sys.executable} -m sheetgen.cli build -o {tiny}/b.xlsx --no-plot; "
              f"echo rc=$?; ls -A {tiny}; cat {tiny}/b.xlsx")
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True, check=False).returncode:
        if in_ci():
            pytest.fail("unshare -rm (a user and mount namespace) is not allowed on this machine")
        pytest.skip("unshare -rm (a user and mount namespace) is not allowed here")
    run = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True,
                         check=False, cwd=tmp_path)
    assert run.stdout.split() == ["rc=1", "b.xlsx", "old"], run.stdout + run.stderr
    assert run.stderr.count("\n") == 1 and "No space left on device" in run.stderr
