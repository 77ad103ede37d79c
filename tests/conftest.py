"""Shared fixtures. Tests write only to tmp_path; LibreOffice and Gnumeric tests fail, never
skip, in CI."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require(program: str, package: str) -> None:
    """Skip where `program` is not installed, but fail in CI, which must run these tests."""
    if shutil.which(program):
        return
    if in_ci():
        pytest.fail(f"CI=true but {program} is missing: .ci/run must install {package}")
    pytest.skip(f"{program} is not installed (apt-get install -y {package})")


def require_soffice() -> None:
    require("soffice", "libreoffice-calc-nogui")


@pytest.fixture
def soffice():
    require_soffice()


def gnumeric_recalculate(path: Path, outdir: Path) -> Path:
    """Recalculate every formula of the xlsx `path` in Gnumeric; return the recalculated copy."""
    require("ssconvert", "gnumeric")
    outdir.mkdir(parents=True, exist_ok=True)
    out = outdir / path.name
    run = subprocess.run(["ssconvert", "--recalc", str(path), str(out)], capture_output=True,
                         text=True, timeout=300, check=False)
    assert run.returncode == 0 and out.exists(), run.stderr
    return out


@pytest.fixture(scope="session")
def built_default(tmp_path_factory):
    """The default workbook, built once per test session."""
    from sheetgen.workbook import build

    return build(tmp_path_factory.mktemp("built") / "backprop.xlsx")


@pytest.fixture(scope="session")
def recalculated_default(built_default, tmp_path_factory):
    """The default workbook after LibreOffice recalculated it (values readable by openpyxl)."""
    require_soffice()
    from sheetgen.libreoffice import recalculate

    return recalculate(built_default, tmp_path_factory.mktemp("recalculated"))


@pytest.fixture(scope="session")
def gnumeric_default(built_default, tmp_path_factory):
    """The default workbook after Gnumeric recalculated it."""
    return gnumeric_recalculate(built_default, tmp_path_factory.mktemp("gnumeric"))


@pytest.fixture(scope="session")
def shown_by_libreoffice(built_default, tmp_path_factory):
    """The default workbook as LibreOffice with a fresh default profile shows it (it keeps the
    stored values), saved again as xlsx so openpyxl can read what it showed."""
    require_soffice()
    from sheetgen.libreoffice import convert

    return convert(built_default, tmp_path_factory.mktemp("shown"), "xlsx:Calc MS Excel 2007 XML",
                   recalc=False)


SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared/datasets/MNIST/raw"

# The first 1,000 training and test images of the real files (tests/data/make_mnist_sample.py):
# the MNIST tests that need real digits but not all of them read this, with no download.
MNIST_SAMPLE = Path(__file__).resolve().parent / "data/mnist"


def mnist_dir() -> Path:
    """The full MNIST folder: $MNIST_DATA, else ../shared. Missing data fails in CI, never skips.
    Only the tests that need all 70,000 images use it; the rest read MNIST_SAMPLE."""
    root = Path(os.environ.get("MNIST_DATA") or SHARED_MNIST)
    if not any((root / f"t10k-labels-idx1-ubyte{ext}").exists() for ext in (".gz", "")):
        if in_ci():
            pytest.fail(f"MNIST data not found in {root} (CI must have it)")
        pytest.skip(f"MNIST data not found in {root}")
    return root
