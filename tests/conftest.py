"""Shared fixtures. Tests write only to tmp_path; LibreOffice tests fail, never skip, in CI."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def require_soffice() -> None:
    """Skip where LibreOffice is not installed, but fail in CI, which must run these tests."""
    if shutil.which("soffice"):
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI=true but LibreOffice (soffice) is missing: .ci/run must install it")
    pytest.skip("LibreOffice (soffice) is not installed")


@pytest.fixture
def soffice():
    require_soffice()


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


SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared/datasets/MNIST/raw"

# The first 1,000 training and test images of the real files (tests/data/make_mnist_sample.py):
# the MNIST tests that need real digits but not all of them read this, with no download.
MNIST_SAMPLE = Path(__file__).resolve().parent / "data/mnist"


def mnist_dir() -> Path:
    """The full MNIST folder: $MNIST_DATA, else ../shared. Missing data fails in CI, never skips.
    Only the tests that need all 70,000 images use it; the rest read MNIST_SAMPLE."""
    root = Path(os.environ.get("MNIST_DATA") or SHARED_MNIST)
    if not any((root / f"t10k-labels-idx1-ubyte{ext}").exists() for ext in (".gz", "")):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"MNIST data not found in {root} (CI must have it)")
        pytest.skip(f"MNIST data not found in {root}")
    return root
