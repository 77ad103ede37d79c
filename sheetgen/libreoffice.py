"""LibreOffice headless: recalculate a workbook and read back the values it computed.

LibreOffice, run headless, loads a file and saves a converted copy. By default it does *not*
recalculate an xlsx that carries stored values: it shows and saves them as they are (the profile
setting `/org.openoffice.Office.Calc/Formula/Load/OOXMLRecalcMode` is 1, "never"). A second
opinion on what the formulas compute must recalculate every one of them, so `recalculate` runs
with a throw-away profile that sets that mode to 0 ("always"). `convert(..., recalc=False)` keeps a
fresh default profile instead: what a student who opens the file sees.

Each run has its own process group (a new session) and its own profile folder. On every way
out (success, an error, the time-out, Ctrl-C, SIGTERM turned into an exception by the command)
the whole group is killed and the profile removed, so no LibreOffice outlives its caller.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

# A user profile that makes LibreOffice recalculate every formula of an xlsx/ods file on load.
ALWAYS_RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class LibreOfficeError(RuntimeError):
    """soffice is missing, failed, or wrote nothing."""


def soffice() -> str:
    """Path of the soffice binary, or raise LibreOfficeError."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if not path:
        raise LibreOfficeError("LibreOffice (soffice) is not installed; "
                               "on Debian: apt-get install -y libreoffice-calc-nogui")
    return path


def convert(path: str | os.PathLike, outdir: str | os.PathLike, to: str = "xlsx",
            timeout: float = 180, recalc: bool = True) -> Path:
    """Convert `path` with soffice into `outdir` (`to`: xlsx, pdf, ...); return the new file.

    Each call uses its own throw-away user profile, so calls can run in parallel and never
    depend on (or change) the user's LibreOffice settings. With `recalc` (the default) that
    profile recalculates every formula on load; without it, it is LibreOffice's default profile,
    which keeps the values stored in the file.
    """
    path, outdir = Path(path).resolve(), Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / f"{path.stem}.{to.split(':')[0]}"
    if target == path:
        raise LibreOfficeError(f"refusing to convert {path} onto itself")
    with tempfile.TemporaryDirectory(prefix="sheetgen-lo-") as profile:
        if recalc:
            user = Path(profile) / "user"
            user.mkdir()
            (user / "registrymodifications.xcu").write_text(ALWAYS_RECALCULATE, encoding="utf-8")
        cmd = [soffice(), f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
               "--norestore", "--convert-to", to, "--outdir", str(outdir), str(path)]
        returncode, stderr = _run(cmd, timeout, path.name)
    if returncode != 0 or not target.exists():
        detail = stderr.strip().splitlines()
        raise LibreOfficeError(f"LibreOffice could not convert {path.name}: "
                               f"{detail[-1] if detail else 'no output'}")
    return target


def _run(cmd: list[str], timeout: float, name: str) -> tuple[int, str]:
    """Run soffice in a process group of its own; (exit status, its output). Whatever happens,
    the group is killed before this returns or raises."""
    # Ctrl-C and SIGTERM wait while soffice starts: arriving between its start and the `try`,
    # they would leave it running. soffice itself starts with them unblocked.
    stops = {signal.SIGINT, signal.SIGTERM}
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    try:
        process = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, errors="replace", start_new_session=True,
            # The command runs no threads, so preexec_fn (run between fork and exec) is safe.
            preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_SETMASK, blocked))  # noqa: PLW1509
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        raise
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a signal that came runs here
        out, _ = process.communicate(timeout=timeout)
        return process.returncode, out or ""
    except subprocess.TimeoutExpired:
        raise LibreOfficeError(f"LibreOffice took over {timeout:.0f} s on {name}") from None
    finally:
        kill_group(process)


def kill_group(process: subprocess.Popen) -> None:
    """Kill `process` and every process of its group (LibreOffice's oosplash and soffice.bin)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    process.wait()
    if process.stdout:
        process.stdout.close()


def recalculate(path: str | os.PathLike, outdir: str | os.PathLike) -> Path:
    """Recalculate every formula of the xlsx `path` in LibreOffice; return the recalculated copy."""
    return convert(path, outdir, "xlsx:Calc MS Excel 2007 XML", recalc=True)
