"""The page's Python compiled to bytecode ahead of time, by the site's own Pyodide under Node.

Pyodide ships its standard library as source, numpy's wheel holds source, and so does the bundle;
a browser then compiles every module it imports at each visit, which was half of the page's
start (about 3 s of 6-7 s on a 2-core machine). `sheetgen web` therefore runs the pinned Pyodide
once under Node (`compile.cjs` running `pyc.py`), and the site carries instead, each module an
unchecked-hash .pyc in its source's place:

- `pyodide/python_stdlib.zip`: the standard library;
- numpy's files, from the checked wheel, in `numpy.tar.gz` (`numpy_files.py`);
- `sheetgen-web.zip`: the bundle.

The first two depend only on the pinned files, so they are kept in the asset cache, in a folder
named from the hashes of those files and of this compiler; the bundle is compiled each time.
Without Node 18 or newer the site carries the sources, as before: the page works and starts
about 3 s later, and `compile_site` says so.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from . import assets, numpy_files

NODE_MAJOR = 18  # the oldest Node Pyodide 0.27 runs on
SECONDS = 600  # for Node to compile everything, on the slowest machine
STDLIB = "python_stdlib.zip"
NUMPY = "numpy.zip"  # the wheel's files, its modules compiled
BUNDLE = "sheetgen-web.zip"
# Where the page's Python finds each zip's modules (the names its bytecode is compiled under).
ROOTS = {STDLIB: "/lib/python312.zip/", NUMPY: numpy_files.SITE_PACKAGES,
         BUNDLE: "/sheetgen-web.zip/"}


WITHOUT_NODE = (f"note: the page's Python is shipped as source, which each browser compiles (about "
                f"3 s more to start): Node {NODE_MAJOR} or newer, which compiles it ahead of "
                "time, is not installed")


class BytecodeError(ValueError):
    """Node ran but could not compile: one sentence."""


def compile_site(cache: Path, core: dict[str, bytes], bundle: bytes) -> tuple[dict, str]:
    """The standard library, numpy's files and the bundle as zips (keyed STDLIB, NUMPY and
    BUNDLE), their modules compiled when Node is there, and a note for the person running
    `sheetgen web` ("" when compiled). `core`: the checked assets (`assets.check`), `bundle`:
    the source zip (`bundle.python_zip`)."""
    node = _node()
    if node is None:
        return {STDLIB: core[STDLIB], NUMPY: core[assets.NUMPY_WHEEL], BUNDLE: bundle}, WITHOUT_NODE
    kept = cache / f"bytecode-{_key(core)}"
    pinned = _cached(kept)
    tasks = {BUNDLE: bundle}
    if pinned is None:
        tasks |= {STDLIB: core[STDLIB], NUMPY: core[assets.NUMPY_WHEEL]}
    out = _run(node, core, tasks, kept / STDLIB if pinned else None)
    if pinned is None:
        pinned = {STDLIB: out[STDLIB], NUMPY: out[NUMPY]}
        _keep(kept, pinned)
    return {**pinned, BUNDLE: out[BUNDLE]}, ""


def _node() -> str | None:
    """The `node` to run, when it is new enough."""
    node = shutil.which("node")
    if node is None:
        return None
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True,
                                 timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    major = re.match(r"v(\d+)\.", version.strip())
    return node if major and int(major.group(1)) >= NODE_MAJOR else None


def _here(name: str) -> bytes:
    return (resources.files(__package__) / name).read_bytes()


def _key(core: dict[str, bytes]) -> str:
    """A name for the cached bytecode of these pinned files by this compiler (the pinned
    Pyodide, which compiles, and `pyc.py` with `compile.cjs`, which drive it)."""
    h = hashlib.sha256()
    for part in (assets.PYODIDE_SHA256, assets.sha256(core[STDLIB]),
                 assets.sha256(core[assets.NUMPY_WHEEL]), _here("pyc.py"), _here("compile.cjs")):
        h.update(part if isinstance(part, bytes) else part.encode())
    return h.hexdigest()[:16]


def _run(node: str, core: dict, tasks: dict, stdlib: Path | None) -> dict[str, bytes]:
    """Compile `tasks` (name -> zip) with Pyodide under Node, started with the
    standard library `stdlib` when given; the compiled zips by name."""
    with tempfile.TemporaryDirectory(prefix="sheetgen-bytecode-") as tmp:
        job = Path(tmp)
        for folder in ("pyodide", "in", "out"):
            (job / folder).mkdir()
        for name in assets.CORE_FILES:
            (job / "pyodide" / name).write_bytes(core[name])
        for name in ("pyc.py", "compile.cjs"):
            (job / name).write_bytes(_here(name))
        listed = []
        for name, data in tasks.items():
            (job / "in" / name).write_bytes(data)
            listed.append({"source": f"/job/in/{name}", "target": f"/job/out/{name}",
                           "root": ROOTS[name]})
        (job / "job.json").write_text(json.dumps({"tasks": listed}))
        command = [node, str(job / "compile.cjs"), str(job / "pyodide"), str(job)]
        try:
            done = subprocess.run(command + ([str(stdlib)] if stdlib else []),
                                  capture_output=True, text=True, timeout=SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise BytecodeError(f"Node did not compile the page's Python in {SECONDS} s") from None
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise BytecodeError(f"Node could not compile the page's Python ({last[:160]})")
        return {name: (job / "out" / name).read_bytes() for name in tasks}


def _cached(folder: Path) -> dict[str, bytes] | None:
    """The standard library's and numpy's bytecode kept in `folder`, when whole (each file's
    sha256 as noted when it was kept), else None."""
    try:
        sums = json.loads((folder / "sha256.json").read_text())
        files = {name: (folder / name).read_bytes() for name in (STDLIB, NUMPY)}
    except (OSError, ValueError):
        return None
    if any(sums.get(name) != assets.sha256(data) for name, data in files.items()):
        return None
    return files


def _keep(folder: Path, files: dict[str, bytes]) -> None:
    """Put the compiled files in the cache whole (a new folder renamed into place), dropping
    what older pins or compilers left there; a cache that cannot be written is left as it is
    (the next run compiles again)."""
    new = None
    try:
        for old in folder.parent.glob("bytecode-*"):  # other keys', and this one not whole
            shutil.rmtree(old, ignore_errors=True)
        new = Path(tempfile.mkdtemp(prefix=".bytecode-", dir=folder.parent))
        for name, data in files.items():
            (new / name).write_bytes(data)
        sums = {name: assets.sha256(data) for name, data in files.items()}
        (new / "sha256.json").write_text(json.dumps(sums, indent=1))
        os.replace(new, folder)
    except OSError:
        if new is not None:
            shutil.rmtree(new, ignore_errors=True)
