"""A workbook's styles.xml, added to by text insertion (`Styles`): the marked copy's fills and
the MNIST sheet's formats (`map_styles`, from another workbook's styles.xml).

styles.xml keeps every byte it had; new formats are appended to its lists, or reused when an
equal entry is already there, and a source's format indices are mapped onto the target's.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import quoteattr

from .package import MAIN, PackageError, set_count

__all__ = ["Styles", "map_styles"]

STYLE_LISTS = ("numFmts", "fonts", "fills", "borders", "cellXfs")


class Styles:
    """styles.xml, to which formats are appended by text insertion: every byte it had is kept;
    new entries go at the end of their lists (number formats, fonts, fills, borders, cell
    formats), or an equal entry already there is reused."""

    def __init__(self, raw: bytes):
        self.text = raw.decode("utf-8")
        root = ET.fromstring(raw)
        # Canonical text of each existing entry, to reuse instead of duplicating.
        self.items = {name: [element_text(c) for c in children(root, name)]
                      for name in STYLE_LISTS}
        self.added: dict[str, list[str]] = {name: [] for name in STYLE_LISTS}
        self.fmt_ids = {c.get("formatCode"): int(c.get("numFmtId"))
                        for c in children(root, "numFmts")}

    def index(self, name: str, text: str) -> int:
        """Index of an entry equal to `text` in list `name`, appending it if new."""
        pool = self.items[name]
        if text not in pool:
            pool.append(text)
            self.added[name].append(text)
        return pool.index(text)

    def number_format(self, code: str) -> int:
        if code not in self.fmt_ids:
            new_id = max([163, *self.fmt_ids.values()]) + 1
            self.fmt_ids[code] = new_id
            self.index("numFmts", f'<numFmt numFmtId="{new_id}" formatCode={quoteattr(code)} />')
        return self.fmt_ids[code]

    def with_fill(self, xf: int, rgb: str) -> int:
        """A cell format like number `xf` but filled with `rgb` (AARRGGBB), its text in the
        font's automatic colour so that it reads on the new fill."""
        pool = self.items["cellXfs"]
        base = ET.fromstring(pool[xf]) if 0 <= xf < len(pool) else ET.Element("xf")
        fill = (f'<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/>'
                '<bgColor indexed="64"/></patternFill></fill>')
        for key, default in (("numFmtId", "0"), ("fontId", "0"), ("borderId", "0")):
            base.set(key, base.get(key, default))
        base.set("fillId", str(self.index("fills", fill)))
        base.set("fontId", str(self._dark_font(int(base.get("fontId")))))
        base.set("applyFill", "1")
        return self.index("cellXfs", ET.tostring(base, encoding="unicode"))

    def _dark_font(self, font: int) -> int:
        """A font like number `font` without its colour: automatic, dark on a light fill."""
        pool = self.items["fonts"]
        base = ET.fromstring(pool[font]) if 0 <= font < len(pool) else ET.Element("font")
        for child in [c for c in base if c.tag == "color"]:
            base.remove(child)
        return self.index("fonts", ET.tostring(base, encoding="unicode"))

    def serialise(self) -> bytes:
        text = self.text
        for name in STYLE_LISTS:
            if self.added[name]:
                text = _insert(text, name, self.added[name], len(self.items[name]))
        return text.encode("utf-8")


def _insert(text: str, name: str, new: list[str], count: int) -> str:
    """styles.xml `text` with the entries `new` appended to its list `name` (made if missing,
    for numFmts), written with the namespace prefix the file uses."""
    block = re.search(rf"<(\w+:)?{name}\b[^>]*?(/>|>)", text)
    root = re.search(r"<(\w+:)?styleSheet\b[^>]*>", text)
    prefix = (block or root).group(1) or "" if (block or root) else ""
    body = "".join(new)
    if prefix:
        body = re.sub(r"<(/?)(\w)", rf"<\1{prefix}\2", body)
    if block is None:
        if name != "numFmts" or root is None:
            raise PackageError(f"styles.xml has no <{name}>")
        return (text[:root.end()] + f'<{prefix}numFmts count="{count}">{body}</{prefix}numFmts>'
                + text[root.end():])
    if block.group(2) == "/>":
        return (text[:block.start()] + set_count(block.group(0)[:-2] + ">", count) + body
                + f"</{prefix}{name}>" + text[block.end():])
    close = text.index(f"</{prefix}{name}>", block.end())
    return (text[:block.start()] + set_count(block.group(0), count) + text[block.end():close]
            + body + text[close:])


def children(root: ET.Element, name: str) -> list[ET.Element]:
    el = root.find(f"{{{MAIN}}}{name}")
    return [] if el is None else list(el)


def element_text(el: ET.Element) -> str:
    """An element of the main namespace as text without namespace declarations."""
    ET.register_namespace("", MAIN)
    return ET.tostring(el, encoding="unicode").replace(f' xmlns="{MAIN}"', "")



def map_styles(source_styles: bytes, target: Styles) -> dict[int, int]:
    """For every cellXfs index of the source, the index of an equal format in the target."""
    root = ET.fromstring(source_styles)
    lists = {n: children(root, n) for n in STYLE_LISTS}
    codes = {int(f.get("numFmtId")): f.get("formatCode") for f in lists["numFmts"]}
    mapping = {}
    for i, xf in enumerate(lists["cellXfs"]):
        xf = ET.fromstring(ET.tostring(xf))  # a copy to edit
        for attr, name in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            if xf.get(attr) is not None:
                xf.set(attr, str(target.index(name, element_text(lists[name][int(xf.get(attr))]))))
        fmt = int(xf.get("numFmtId", "0"))
        if fmt in codes:
            xf.set("numFmtId", str(target.number_format(codes[fmt])))
        xf.set("xfId", "0")
        mapping[i] = target.index("cellXfs", element_text(xf))
    return mapping
