"""Cell formats copied from one workbook's styles.xml into another's, by text insertion.

The target's styles.xml keeps every byte it had; the formats the new sheet uses are appended
to its lists (number formats, fonts, fills, borders, cell formats), or reused when an equal
entry is already there, and the source's format indices are mapped onto the target's.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import quoteattr

from mnist.xlsx_package import MAIN, SpliceError


def _children(root: ET.Element, name: str) -> list[ET.Element]:
    el = root.find(f"{{{MAIN}}}{name}")
    return [] if el is None else list(el)


def _set_count(opening_tag: str, count: int) -> str:
    if re.search(r'\bcount="\d+"', opening_tag):
        return re.sub(r'\bcount="\d+"', f'count="{count}"', opening_tag)
    return opening_tag[:-1].rstrip("/") + f' count="{count}">'


_STYLE_LISTS = ("numFmts", "fonts", "fills", "borders", "cellXfs")


def _element_text(el: ET.Element) -> str:
    """An element of the main namespace as text without namespace declarations."""
    ET.register_namespace("", MAIN)
    text = ET.tostring(el, encoding="unicode")
    return text.replace(f' xmlns="{MAIN}"', "")


class Styles:
    """The target's styles.xml, to which formats are appended by text insertion."""

    def __init__(self, raw: bytes):
        self.text = raw.decode("utf-8")
        root = ET.fromstring(raw)
        # Canonical text of each existing entry, to reuse instead of duplicating.
        self.items = {name: [_element_text(c) for c in _children(root, name)]
                      for name in _STYLE_LISTS}
        self.added = {name: [] for name in _STYLE_LISTS}
        self.fmt_ids = {c.get("formatCode"): int(c.get("numFmtId"))
                        for c in _children(root, "numFmts")}

    def index(self, name: str, element_text: str) -> int:
        """Index of an entry equal to `element_text` in list `name`, appending it if new."""
        pool = self.items[name]
        if element_text not in pool:
            pool.append(element_text)
            self.added[name].append(element_text)
        return pool.index(element_text)

    def number_format(self, code: str) -> int:
        if code not in self.fmt_ids:
            new_id = max([163, *self.fmt_ids.values()]) + 1
            self.fmt_ids[code] = new_id
            self.index("numFmts", f'<numFmt numFmtId="{new_id}" formatCode={quoteattr(code)} />')
        return self.fmt_ids[code]

    def serialise(self) -> bytes:
        text = self.text
        for name in _STYLE_LISTS:
            if not self.added[name]:
                continue
            block = re.search(rf"<{name}\b[^>]*?(/>|>)", text)
            new = "".join(self.added[name])
            count = len(self.items[name])
            if block is None:
                if name != "numFmts":
                    raise SpliceError(f"styles.xml has no <{name}>")
                opening = re.search(r"<styleSheet\b[^>]*>", text)
                text = (text[:opening.end()] + f'<numFmts count="{count}">{new}</numFmts>'
                        + text[opening.end():])
            elif block.group(1) == "/>":
                text = (text[:block.start()] + _set_count(block.group(0)[:-2] + ">", count)
                        + new + f"</{name}>" + text[block.end():])
            else:
                close = text.index(f"</{name}>", block.end())
                text = (text[:block.start()] + _set_count(block.group(0), count)
                        + text[block.end():close] + new + text[close:])
        return text.encode("utf-8")


def map_styles(source_styles: bytes, target: Styles) -> dict[int, int]:
    """For every cellXfs index of the source, the index of an equal format in the target."""
    root = ET.fromstring(source_styles)
    lists = {n: _children(root, n) for n in _STYLE_LISTS}
    codes = {int(f.get("numFmtId")): f.get("formatCode") for f in lists["numFmts"]}
    mapping = {}
    for i, xf in enumerate(lists["cellXfs"]):
        xf = ET.fromstring(ET.tostring(xf))  # a copy to edit
        for attr, name in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            if xf.get(attr) is not None:
                xf.set(attr, str(target.index(name, _element_text(lists[name][int(xf.get(attr))]))))
        fmt = int(xf.get("numFmtId", "0"))
        if fmt in codes:
            xf.set("numFmtId", str(target.number_format(codes[fmt])))
        xf.set("xfId", "0")
        mapping[i] = target.index("cellXfs", _element_text(xf))
    return mapping
