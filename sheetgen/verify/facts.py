"""What a workbook says about where it came from, for `--roster` and `--similar`.

- its document properties: author, last saved by, creation time (docProps/core.xml), and the
  custom properties (docProps/custom.xml), where `sheetgen build --roster` puts the student id;
- where its first table starts: the first row's given values (t, i, initial w, b);
- the shapes (R1C1) of its wrong formulas, each with the quantity it computes;
- a digest of every value it stores (constants and the values cached with formulas).
"""
from __future__ import annotations

import hashlib
import re
import zipfile
from array import array
from xml.etree import ElementTree as ET

from .formula import shape_key

MAX_PART = 1 << 20  # a properties part larger than 1 MiB is not read
STUDENT_PROPERTY = "sheetgen student id"
CORE = {"creator": "author", "lastModifiedBy": "saved_by", "created": "created"}


def properties(path) -> dict[str, str]:
    """author, saved_by, created and the custom properties (by name) of the package; {} when
    it holds none or they cannot be read."""
    out: dict[str, str] = {}
    try:
        with zipfile.ZipFile(path) as z:
            for part, read in (("docProps/core.xml", _core), ("docProps/custom.xml", _custom)):
                try:
                    info = z.getinfo(part)
                except KeyError:
                    continue
                if info.file_size <= MAX_PART:
                    out.update(read(ET.fromstring(z.read(part))))
    except (OSError, zipfile.BadZipFile, ET.ParseError, ValueError, NotImplementedError):
        return out
    return out


def _core(root) -> dict[str, str]:
    out = {}
    for el in root:
        name = el.tag.rsplit("}", 1)[-1]
        if name in CORE and (el.text or "").strip():
            out[CORE[name]] = el.text.strip()[:200]
    return out


def _custom(root) -> dict[str, str]:
    out = {}
    for el in root:
        name = el.get("name")
        value = next((child.text for child in el), None)
        if name and value:
            out[name[:100]] = value.strip()[:200]
    return out


def start(engine, table) -> dict[str, float]:
    """The given values of the table's first row, by quantity name (numbers only)."""
    out = {}
    for q in table.network.columns:
        if q.block == 0 and table.rows and (q.name in table.columns or q.name in table.cells):
            v = engine.value(table.key(q.name, table.rows[0]))
            if type(v) is float:
                out[q.name] = v
    return out


def wrong_shapes(book, results) -> list[str]:
    """`quantity: shape` of every wrong formula's first cell, the same for a mistake copied."""
    out = set()
    for t in results:
        for f in t.causes:
            key = f.keys[0] if f.keys else None
            if f.kind == "formula" and key in book.formulas:
                shape = _MARK.sub(_r1c1, shape_key(book.formulas[key], key[1], key[2]))
                out.add(f"{f.quantity}: {shape}")
    return sorted(out)


_MARK = re.compile("\x00([^,\x00]*),([^\x00]*)\x00")


def _r1c1(m) -> str:
    """`shape_key`'s marker as R1C1 text: R[-1]C, RC[-4], R7C (absolute)."""
    def part(letter: str, text: str) -> str:
        if text.startswith("$"):
            return f"{letter}{text[1:]}"
        return letter if text in ("0", "") else f"{letter}[{text}]"

    return part("R", m.group(1)) + part("C", m.group(2))


def digest(book) -> str:
    """A hash of every stored value of the workbook, in cell order: the cells (as integers), the
    numbers (as their 8 bytes: `repr` of 20,000 floats took most of the time) and the rest (with
    their place among the values), each part preceded by its length."""
    h = hashlib.sha256()
    for store in (book.constants, book.cached):
        items = sorted(store.items())
        numbers = array("d", [v for _, v in items if type(v) is float])
        others = repr([(k, v) for k, (_, v) in enumerate(items) if type(v) is not float])
        for part in (array("q", [x for key, _ in items for x in key]).tobytes(),
                     numbers.tobytes(), others.encode("utf-8", "surrogatepass")):
            h.update(len(part).to_bytes(8, "little") + part)
    return h.hexdigest()[:32]
