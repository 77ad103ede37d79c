"""The self-check page in a real browser (Debian's chromium, driven by puppeteer-core): served
from `sheetgen web`'s folder on 127.0.0.1, it must print for every workbook the report the
command prints, offer the same marked copy, refuse hostile files in one line, and ask nothing of
any other host. One browser session checks every file; its results are shared by the tests."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from browser.serve import (
    drive,
    in_ci,
    parts,
    require_assets,
    require_browser,
    serve,
    untimed,
)

from sheetgen.cli import main
from sheetgen.verify import hints
from sheetgen.verify.annotate import annotate
from sheetgen.verify.command import check_one

STUDENTS = Path(__file__).resolve().parents[2] / "shared" / "students"
HOSTILE = ("billion-laughs.xlsx", "not-a-workbook.xlsx")
SHOT_OF = "student03.xlsx"  # a wrong workbook: findings, formulas, a marked copy


def hostile_files(folder: Path, model: Path) -> None:
    """An XML entity bomb in a real workbook's first sheet, and text named .xlsx."""
    with zipfile.ZipFile(model) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    laughs = "".join(f'<!ENTITY l{k} "{f"&l{k - 1};" * 10}">' for k in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY l0 "lol">{laughs}]>'
    parts[sheet] = bomb.encode() + re.sub(rb"^<\?xml[^>]*\?>", b"", parts[sheet])
    with zipfile.ZipFile(folder / HOSTILE[0], "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data.replace(b"<v>", b"<v>&l9;", 1) if name == sheet else data)
    (folder / HOSTILE[1]).write_text("name,grade\nana,12\n", encoding="utf-8")


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """(workbooks folder, the command's output, what the page showed) for every workbook."""
    chromium = require_browser()
    cache = require_assets()
    if not (STUDENTS / "truth.json").exists():
        if in_ci():
            pytest.fail(f"CI must have {STUDENTS}")
        pytest.skip(f"no student workbooks in {STUDENTS}")
    root = tmp_path_factory.mktemp("web")
    books = root / "books"
    books.mkdir()
    for path in sorted(STUDENTS.glob("*.xlsx")):
        shutil.copy(path, books / path.name)
    assert main(["build", "--exercise", "-o", str(books / "exercise.xlsx")]) == 0
    hostile_files(books, books / "exercise-key.xlsx")
    names = sorted(p.name for p in books.iterdir())
    assert main(["web", str(root / "site"), "--assets", str(cache)]) == 0
    with serve(root / "site") as url:
        shown = drive({"chromium": chromium, "url": url + "index.html",
                       "files": [str(books / n) for n in names],
                       "screenshot": {"after": str(books / SHOT_OF), "to": str(root / "shot.png")}},
                      root)
    shown["url"], shown["root"] = url, root
    return books, names, shown


def native_reports(books: Path, names: list[str], monkeypatch, capsys) -> dict[str, str]:
    """`sheetgen verify NAME…` run in the workbooks' folder, its output split per file."""
    monkeypatch.chdir(books)
    main(["verify", *names])
    out = capsys.readouterr().out.rstrip("\n")
    out = re.sub(rf"\n{len(names)} file\(s\): [^\n]*$", "", out)  # the class summary, not a file's
    heads = [re.search(rf"^{re.escape(n)}: ", out, re.MULTILINE).start() for n in names]
    return {n: out[a:b].rstrip("\n") for n, a, b in zip(names, heads, heads[1:] + [len(out)])}


def test_every_report_is_the_commands(checked, monkeypatch, capsys):
    books, names, shown = checked
    native = native_reports(books, names, monkeypatch, capsys)
    assert [Path(r["file"]).name for r in shown["results"]] == names
    for name, r in zip(names, shown["results"]):
        assert r["state"] == "done", (name, r["status"])
        assert untimed(r["report"]) == untimed(native[name]), name
    print(f"\n{len(names)} workbooks; first report {shown['results'][0]['ms']} ms after opening "
          f"the page; all {shown['results'][-1]['ms']} ms; steps {shown['timings']}")


def test_hostile_files_are_refused_in_one_line(checked):
    shown = checked[2]
    for r in shown["results"]:
        if Path(r["file"]).name in HOSTILE:
            assert r["verdict"].endswith(": ERROR") and len(r["report"].splitlines()) == 1, r
            assert r["marked"] is None


def test_the_marked_copy_is_the_commands(checked, tmp_path):
    _, names, shown = checked
    offered = 0
    for r in shown["results"]:
        source = Path(r["file"])
        result = check_one(source, {"engine": "builtin"})
        if result.status == "error":
            assert r["marked"] is None
            continue
        offered += 1
        assert r["marked"] == source.stem + "-marked.xlsx"
        got = parts(shown["root"] / "downloads" / r["marked"])
        # the page's copy follows its hint level (why): notes say what is wrong, not what to write
        why = hints.apply(result, "why")
        assert got == parts(annotate(why, source, tmp_path / source.name)), source.name
    assert offered > len(names) // 2


def test_the_page_asks_nothing_of_any_other_host(checked):
    shown = checked[2]
    assert shown["requests"] and all(u.startswith(shown["url"]) for u in shown["requests"])
    assert not [line for line in shown["console"] if line.startswith(("error", "pageerror"))]


def test_a_screenshot_of_a_report_is_taken(checked):
    """The picture is for people (docs/web_page.png is one); here only that it was taken."""
    shot = checked[2]["root"] / "shot.png"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


@pytest.fixture(scope="module")
def one_site(tmp_path_factory):
    """Chromium, a folder with a site, and a workbook in that folder."""
    chromium = require_browser()
    root = tmp_path_factory.mktemp("one")
    assert main(["web", str(root / "site"), "--assets", str(require_assets())]) == 0
    assert main(["build", "--exercise", "-o", str(root / "exercise.xlsx")]) == 0
    return chromium, root, root / "exercise-key.xlsx"


def test_a_browser_without_decompression_streams_has_python_inflate_numpy(
        one_site, tmp_path, monkeypatch, capsys):
    chromium, root, book = one_site
    with serve(root / "site") as url:
        shown = drive({"chromium": chromium, "url": url + "index.html", "files": [str(book)],
                       "before": "delete window.DecompressionStream;"}, tmp_path)
    native = native_reports(root, [book.name], monkeypatch, capsys)
    assert untimed(shown["results"][0]["report"]) == untimed(native[book.name])


def test_an_altered_numpy_archive_is_refused_by_the_browser(one_site, tmp_path):
    chromium, root, book = one_site
    site = tmp_path / "site"
    shutil.copytree(root / "site", site)
    data = bytearray((site / "numpy.tar.gz").read_bytes())
    data[len(data) // 2] ^= 1
    (site / "numpy.tar.gz").write_bytes(bytes(data))
    with serve(site) as url:
        shown = drive({"chromium": chromium, "url": url + "index.html", "files": [str(book)]},
                      tmp_path)
    seen = shown["results"][0]
    assert seen["state"] == "failed" and seen["report"] == ""
    assert seen["status"].startswith("The checker could not start in this browser")
