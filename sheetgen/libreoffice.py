"""LibreOffice headless: recalculate a workbook and read back the values it computed.

openpyxl writes formulas without results. LibreOffice, run headless, loads the file, recalculates
every formula and saves a copy whose cells carry the computed values; that copy is the independent
second opinion on what the workbook computes.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


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
            timeout: float = 180) -> Path:
    """Convert `path` with soffice into `outdir` (`to`: xlsx, pdf, ...); return the new file.

    Each call uses its own throw-away user profile, so calls can run in parallel and never
    depend on (or change) the user's LibreOffice settings.
    """
    path, outdir = Path(path).resolve(), Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / f"{path.stem}.{to.split(':')[0]}"
    if target == path:
        raise LibreOfficeError(f"refusing to convert {path} onto itself")
    with tempfile.TemporaryDirectory(prefix="sheetgen-lo-") as profile:
        cmd = [soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", to, "--outdir", str(outdir), str(path)]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise LibreOfficeError(f"LibreOffice took over {timeout:.0f} s on {path.name}") from None
    if run.returncode != 0 or not target.exists():
        detail = (run.stderr or run.stdout).strip().splitlines()
        raise LibreOfficeError(f"LibreOffice could not convert {path.name}: "
                               f"{detail[-1] if detail else 'no output'}")
    return target


def recalculate(path: str | os.PathLike, outdir: str | os.PathLike) -> Path:
    """Recalculate every formula of the xlsx `path` in LibreOffice; return the recalculated copy."""
    return convert(path, outdir, "xlsx:Calc MS Excel 2007 XML")
