"""Cell formats copied from one workbook's styles.xml into another's, by text insertion.

The target's styles.xml keeps every byte it had (`sheetgen.xlsx.package.Styles`); the formats the new
sheet uses are appended to its lists, or reused when an equal entry is already there, and the
source's format indices are mapped onto the target's.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from .package import STYLE_LISTS, Styles, children, element_text

__all__ = ["Styles", "map_styles"]


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
