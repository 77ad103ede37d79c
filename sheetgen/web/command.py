"""Write a static self-check page: students check their workbook in the browser, nothing installed,
nothing uploaded.

The page runs `sheetgen verify` under Pyodide (Python compiled to WebAssembly) from the site's own
files. Exit code 0 when the site is written, 2 when the assets are missing or altered, or the
folder cannot be written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..verify.hints import DEFAULT, LEVELS
from . import assets


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", type=Path, metavar="DIR",
                   help="folder to write the site into (made if missing; an existing one must be "
                        "empty or a site this command wrote, which is replaced)")
    p.add_argument("--assets", type=Path, metavar="PATH", default=None,
                   help="cache folder of the pinned Pyodide assets (default "
                        f"${assets.CACHE_VARIABLE}, else ~/.cache/sheetgen/web)")
    p.add_argument("--hints", choices=LEVELS, default=DEFAULT,
                   help="what the page tells a student of each finding, as `sheetgen verify "
                        f"--hints` (default {DEFAULT}: where and why, no formula to write)")
    p.add_argument("--rubric", type=Path, metavar="TOML", default=None,
                   help="the course's rubric, so the page scores as the course's CI does "
                        "(default: the built-in rubric)")
    p.add_argument("--fetch", action="store_true",
                   help="first fill the cache from npm (pyodide) and PyPI (its numpy wheel), "
                        "with npm and pip; what is there already and matches its pin is kept")


def page_options(args) -> dict:
    """The page's options object: keyword arguments for the verifier (`verify`) and its text
    report (`report`), the hint level and the rubric's points, as `sheetgen verify` takes them,
    so students see what the course's CI will say."""
    from ..usage import UsageError
    from ..verify.rubric import RubricError, load

    try:
        rubric = load(args.rubric) if args.rubric else None
    except RubricError as e:
        raise UsageError(f"sheetgen web: {e}") from None
    return {"verify": {}, "report": {}, "hints": args.hints,
            "rubric": {"points": rubric.points, "partial": rubric.partial} if rubric else None}


def run(args) -> int:
    from ..usage import UsageError
    from .bytecode import BytecodeError
    from .site import SiteError, write_site

    cache = args.assets or assets.default_cache()
    try:
        if args.fetch:
            assets.fetch(cache)
        sizes, note = write_site(args.folder, cache, page_options(args))
    except (assets.AssetError, BytecodeError, SiteError) as e:
        message = str(e)
        raise UsageError(message if message.startswith("sheetgen") else
                         f"sheetgen web: {message}") from None
    if note:
        print(f"sheetgen web: {note}", file=sys.stderr)
    total = sum(sizes.values())
    print(f"wrote the self-check page {args.folder / 'index.html'} ({len(sizes)} files, "
          f"{total / 1048576:.1f} MB): serve {args.folder} from any web server")
    return 0
