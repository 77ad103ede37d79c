"""Packages another program could read differently, or that inflate without bound, are refused
in one line by verify, --annotate and mnist export alike; Strict Open XML is refused by name."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import zipfile

import pytest

from sheetgen.cli import main
from sheetgen.verify.samples import classic_workbook
from sheetgen.xlsx.package import Package, PackageError

SHEET = "xl/worksheets/sheet1.xml"


def parts_of(path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def write_parts(path, parts) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            z.writestr(name, data)


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.xlsx"
    classic_workbook(path, etas=(0.5,), rows=4)
    return path


def one_error_line(argv, capsys) -> str:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert all(len(line) <= 200 for line in (out + err).splitlines())
    lines = (out + err).replace("\n    ", " ").splitlines()  # a long line wraps, indented
    assert len(lines) == 1 and "Traceback" not in out + err, lines
    return lines[0]


@pytest.mark.parametrize("alias", [SHEET, SHEET.upper(), "/" + SHEET, SHEET.replace("/", "\\")])
def test_two_entries_for_one_part_are_refused(good, tmp_path, capsys, alias):
    """The verifier would read the last entry, Gnumeric the first: what is checked must be what
    the teacher opens, so the package is refused."""
    wrong = re.sub(rb"<f>[^<]*</f>", b"<f>1</f>", dict(parts_of(good))[SHEET])
    path = tmp_path / "two-faced.xlsx"
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name
        write_parts(path, [(alias, wrong), *parts_of(good)])
    line = one_error_line(["verify", str(path)], capsys)
    assert "an ambiguous package (two zip entries" in line
    with pytest.raises(PackageError, match="ambiguous"):
        Package(path.read_bytes())


def test_an_entry_flagged_encrypted_is_one_line(good, tmp_path, capsys):
    data = bytearray(good.read_bytes())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local, central
        at = data.find(signature)
        while at >= 0:
            flags = struct.unpack_from("<H", data, at + flag_at)[0]
            struct.pack_into("<H", data, at + flag_at, flags | 1)
            at = data.find(signature, at + 4)
    path = tmp_path / "encrypted.xlsx"
    path.write_bytes(bytes(data))
    assert "flagged as encrypted" in one_error_line(["verify", str(path)], capsys)


def test_a_sheet_in_utf16_is_one_line(good, tmp_path, capsys):
    parts = [(n, d.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
              .encode("utf-16") if n == SHEET else d) for n, d in parts_of(good)]
    path = tmp_path / "utf16.xlsx"
    write_parts(path, parts)
    assert "written in UTF-16" in one_error_line(["verify", str(path)], capsys)


def test_strict_open_xml_is_refused_by_name(good, tmp_path, capsys):
    strict = [(n, d.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                            b"http://purl.oclc.org/ooxml/spreadsheetml/main")) for n, d in parts_of(good)]
    path = tmp_path / "strict.xlsx"
    write_parts(path, strict)
    line = one_error_line(["verify", str(path)], capsys)
    assert "Strict Open XML" in line and "empty workbook" not in line
    with pytest.raises(PackageError, match="Strict Open XML"):
        Package(path.read_bytes())


def test_a_zip_bomb_part_is_refused_everywhere(good, tmp_path, capsys):
    """A part of 64 MB of zeros in a file of 100 KB: 600 times its size; verify, the marked
    copy's reader and mnist export refuse it before inflating it."""
    path = tmp_path / "bomb.xlsx"
    write_parts(path, [*parts_of(good), ("xl/media/zeros.bin", bytes(64 << 20))])
    assert "a zip bomb?" in one_error_line(["verify", str(path)], capsys)
    with pytest.raises(PackageError, match="zip bomb"):
        Package(path.read_bytes())
    from mnist.cli import main as mnist_main

    log = tmp_path / "log.json"
    log.write_text("{}")
    assert mnist_main(["export", str(log), "--workbook", str(path)]) == 2
    assert "zip bomb" in capsys.readouterr().err


@pytest.mark.parametrize(("megabytes", "reason"), [
    (12, "a text or formula of over 32,767 characters"),  # refused after its first 130 KB
    (240, "a zip bomb?"),  # refused from the zip directory, unread
])
def test_a_huge_string_is_refused_in_bounded_time_and_memory(good, tmp_path, megabytes, reason):
    """A formula of 240 MB in a file of about 300 KB, and one of 12 MB within the inflate budget
    (Excel's limit is 8,192 characters)."""
    parts = dict(parts_of(good))
    formula = b'<row r="900"><c r="A900"><f>' + b"1+" * (megabytes << 19) + b"1</f></c></row>"
    parts[SHEET] = parts[SHEET].replace(b"</sheetData>", formula + b"</sheetData>")
    path = tmp_path / "string.xlsx"
    write_parts(path, list(parts.items()))
    script = ("import re, sys, time; from sheetgen.cli import main; t = time.process_time(); "
              "code = main(['verify', sys.argv[1]]); "
              "peak = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1); "
              "print(code, time.process_time() - t, int(peak) // 1024, file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                         text=True, timeout=60, check=False)
    code, seconds, peak_mb = run.stderr.split()[-3:]
    assert int(code) == 2 and reason in run.stdout
    assert float(seconds) < 10 and int(peak_mb) < 500, (seconds, peak_mb)


def test_the_marked_copy_holds_only_the_parts_it_edits(tmp_path):
    """A 150 MB picture part (within the inflate budget) is copied through in chunks: the
    marked copy's peak memory stays far below the part's size, and the copy keeps its bytes."""
    import random

    from openpyxl import Workbook

    from sheetgen.verify.samples import Layout, write_table

    path = tmp_path / "heavy.xlsx"
    wb = Workbook()
    write_table(wb.active, Layout(), rows=5, eta=0.5, mistake=(2, "h1", "{w1}*{i1}"))
    wb.save(path)
    chunk = bytearray(1 << 20)
    rng = random.Random(1)
    for k in range(0, len(chunk), 150):
        chunk[k] = rng.randrange(256)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z, z.open("xl/media/a.bin", "w") as f:
        for _ in range(150):
            f.write(chunk)
    script = ("import re, sys, time; from sheetgen.cli import main; t = time.process_time(); "
              "code = main(['verify', '--annotate', sys.argv[2], sys.argv[1]]); "
              "peak = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1); "
              "print(code, time.process_time() - t, int(peak) // 1024, file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", script, str(path), str(tmp_path / "m")],
                         capture_output=True, text=True, timeout=120, check=False)
    code, seconds, peak_mb = run.stderr.split()[-3:]
    assert int(code) == 1 and float(seconds) < 20 and int(peak_mb) < 150, run.stdout + run.stderr
    with zipfile.ZipFile(tmp_path / "m" / "heavy.xlsx") as z, z.open("xl/media/a.bin") as f:
        assert f.read(1 << 20) == chunk
