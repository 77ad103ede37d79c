"""Stopping verify (Ctrl-C, SIGTERM) ends it in one line with no worker traceback, leaves no
report half-written, no LibreOffice running and no temporary folder behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sheetgen.verify.samples import classic_workbook


def start(args: list[str], tmp: Path) -> subprocess.Popen:
    """`sheetgen verify ARGS` in a session of its own (so a signal to its group is Ctrl-C), with
    its temporary folders in `tmp`."""
    tmp.mkdir(exist_ok=True)
    return subprocess.Popen([sys.executable, "-m", "sheetgen.cli", "verify", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(tmp)}, start_new_session=True)


def soffice_groups(tmp: Path) -> set[int]:
    """Process groups of the running processes whose command line names a folder in `tmp`
    (LibreOffice's profile and output folders)."""
    groups = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if str(tmp).encode() in cmdline and b"soffice" in cmdline and alive(
                    group := os.getpgid(int(pid))):
                groups.add(group)
        except (OSError, ProcessLookupError):
            continue
    return groups


def wait_for(condition, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.1)


def alive(group: int) -> bool:
    """Whether a process of `group` runs (a zombie, which a container's init may never reap,
    is not running)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            return True
    return False


@pytest.fixture
def workbooks(tmp_path) -> list[str]:
    paths = []
    for k in range(2):
        paths.append(tmp_path / f"s{k}.xlsx")
        classic_workbook(paths[-1], etas=(0.5,), rows=4)
    return [str(p) for p in paths]


@pytest.mark.parametrize(("how", "jobs", "code", "line"), [
    (signal.SIGTERM, "1", 143, "sheetgen: stopped (SIGTERM)"),
    (signal.SIGINT, "2", 130, "sheetgen: interrupted"),
])
def test_stopping_libreoffice_leaves_nothing_behind(tmp_path, soffice, workbooks, how, jobs,
                                                    code, line):
    tmp = tmp_path / "tmp"
    verify = start(["--engine", "libreoffice", "-j", jobs, "--csv", str(tmp_path / "c.csv"),
                    *workbooks], tmp)
    wait_for(lambda: len(soffice_groups(tmp)) >= int(jobs))  # each worker's LibreOffice
    groups = soffice_groups(tmp)
    assert verify.pid not in groups  # LibreOffice runs in a group of its own
    if how == signal.SIGINT:
        os.killpg(verify.pid, how)  # Ctrl-C: the terminal signals the whole foreground group
    else:
        verify.send_signal(how)
    _, err = verify.communicate(timeout=60)
    assert verify.returncode == code and err.splitlines() == [line], err
    assert not any(alive(g) for g in groups) and not soffice_groups(tmp)
    assert not list(tmp.glob("sheetgen-*")) and not (tmp_path / "c.csv").exists()


def test_ctrl_c_on_parallel_workers_is_one_line(tmp_path):
    path = tmp_path / "big.xlsx"
    classic_workbook(path, etas=(0.5,), rows=2000)
    verify = start(["-j", "2", "--junit", str(tmp_path / "j.xml"), *[str(path)] * 40],
                   tmp_path / "tmp")
    time.sleep(2)
    os.killpg(verify.pid, signal.SIGINT)
    _, err = verify.communicate(timeout=60)
    assert verify.returncode == 130 and err.splitlines() == ["sheetgen: interrupted"], err
    assert not (tmp_path / "j.xml").exists()
