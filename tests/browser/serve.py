"""Serve a folder on 127.0.0.1 (an ephemeral port) and drive Debian's chromium through it with
puppeteer-core (`drive.mjs`), for the self-check page's tests."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PUPPETEER = HERE / "node_modules" / "puppeteer-core"


def untimed(report: str) -> str:
    """A report without its timings, the one thing that differs between two runs."""
    return re.sub(r"engine, \d+\.\d\d s\)", "engine, … s)", report)


def parts(xlsx: Path) -> list[tuple[str, bytes]]:
    """A package's parts in order, uncompressed: what a marked copy says, whatever zlib deflated
    it (the browser's gives other bytes) and whenever its new parts were stamped."""
    with zipfile.ZipFile(xlsx) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """The base URL of `folder` served over HTTP on the loopback address only."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require_assets() -> Path:
    """The cache of the real pinned assets (`sheetgen web --fetch`, which .ci/run runs): skip
    without them, fail in CI."""
    from sheetgen.web import assets

    cache = assets.default_cache()
    try:
        assets.check(cache)
    except assets.AssetError as e:
        if in_ci():
            pytest.fail(f"CI=true but {e}")
        pytest.skip(str(e))
    return cache


def require_browser() -> str:
    """The chromium to drive; skip where the browser tools are missing, fail in CI."""
    missing = [what for what, ok in (
        ("chromium (apt-get install -y chromium)", shutil.which("chromium")),
        ("node (apt-get install -y nodejs npm)", shutil.which("node")),
        (f"puppeteer-core (npm ci --prefix {HERE})", PUPPETEER.is_dir())) if not ok]
    if missing:
        message = "the browser tests need " + ", ".join(missing)
        if in_ci():
            pytest.fail(f"CI=true but {message}: .ci/run must install them")
        pytest.skip(message)
    return shutil.which("chromium")


def drive(job: dict, folder: Path, timeout: float = 600) -> dict:
    """Run `drive.mjs` on `job` (see there); what the page showed."""
    job = {**job, "out": str(folder / "driven.json"), "downloads": str(folder / "downloads")}
    (folder / "downloads").mkdir()
    (folder / "job.json").write_text(json.dumps(job), encoding="utf-8")
    run = subprocess.run(["node", str(HERE / "drive.mjs"), str(folder / "job.json")],
                         capture_output=True, text=True, timeout=timeout, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads((folder / "driven.json").read_text(encoding="utf-8"))
