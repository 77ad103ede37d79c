"""The parts of an .xlsx package (a zip of XML parts linked by relationships), read and checked.

A workbook written by any spreadsheet program is a package: `[Content_Types].xml`, `_rels/.rels`
pointing at the workbook part, the workbook's own relationships pointing at its sheets, and so
on. `check_package` makes sure a target is whole before anything is written into it: a damaged
workbook gives one SpliceError that names the part, never a traceback and never a written file.
"""
from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib

from .package import (
    MAIN,
    PKG_REL,
    REL,
    PackageError,
    check_entries,
    check_not_strict,
    rels_path,
    resolve,
)

__all__ = ["MAIN", "PKG_REL", "REL", "SpliceError", "rels_path", "resolve"]


class SpliceError(PackageError):
    """The target is not an xlsx package this module can edit."""


def relationships(parts: dict[str, bytes], part: str) -> list[dict]:
    """The internal and external relationships of `part`, as attribute dicts."""
    raw = parts.get(rels_path(part))
    if raw is None:
        return []
    return [dict(el.attrib) for el in ET.fromstring(raw) if el.tag == f"{{{PKG_REL}}}Relationship"]


def closure(parts: dict[str, bytes], start: str, skip: tuple[str, str] | None = None) -> list[str]:
    """`start` and every part reachable from it through internal relationships, in order;
    `skip` = (part, relationship id) is one relationship not to follow."""
    seen, todo = [], [start]
    while todo:
        part = todo.pop(0)
        if part in seen or part not in parts:
            continue
        seen.append(part)
        todo += [resolve(part, r["Target"]) for r in relationships(parts, part)
                 if r.get("TargetMode") != "External" and (part, r["Id"]) != skip]
    return seen


def workbook_part(parts: dict[str, bytes]) -> str:
    for r in ET.fromstring(parts["_rels/.rels"]):
        if r.get("Type", "").endswith("/officeDocument") and r.get("Target"):
            part = resolve("", r.get("Target"))
            if part not in parts:
                raise SpliceError(f"the workbook is damaged: {part} is missing")
            return part
    raise SpliceError("no workbook part in the package")


def sheets(workbook_xml: bytes) -> list[dict]:
    root = ET.fromstring(workbook_xml)
    sheets = root.find(f"{{{MAIN}}}sheets")
    return [{"name": s.get("name"), "sheetId": s.get("sheetId"), "rid": s.get(f"{{{REL}}}id")}
            for s in (sheets if sheets is not None else [])]


def shared_strings(parts: dict[str, bytes]) -> list[str]:
    raw = parts.get("xl/sharedStrings.xml")
    if raw is None:
        return []
    return ["".join(si.itertext()) for si in ET.fromstring(raw)]


def content_type_overrides(raw: bytes) -> dict[str, str]:
    root = ET.fromstring(raw)
    return {el.get("PartName").lstrip("/"): el.get("ContentType")
            for el in root if el.tag.endswith("Override")}


def unique_name(part: str, taken: set[str], prefix: str) -> str:
    folder, name = posixpath.split(part)
    candidate, n = posixpath.join(folder, prefix + name), 1
    while candidate in taken:
        n += 1
        candidate = posixpath.join(folder, f"{prefix}{n}_{name}")
    return candidate


def prefix_for(xml: str, namespace: str) -> str:
    m = re.search(rf'xmlns:(\w+)="{re.escape(namespace)}"', xml)
    return m.group(1) if m else "r"



def read_package(data: bytes) -> tuple[list[zipfile.ZipInfo], dict[str, bytes]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            check_entries(infos)  # the same budgets and ambiguity checks as verify
            return infos, {i.filename: z.read(i) for i in infos}
    except PackageError as e:
        raise SpliceError(str(e)) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as e:
        raise SpliceError(f"not a readable xlsx (zip) file: {e}") from None


# The parts the splice edits as text: they must be UTF-8 XML of at most MAX_EDITED bytes (a
# workbook.xml, its relationships, the content types and styles of real workbooks are far smaller).
MAX_EDITED = 16 << 20
def edited_parts(wb_part: str) -> tuple[str, ...]:
    return (wb_part, rels_path(wb_part), "[Content_Types].xml", "xl/styles.xml")


def check_package(parts: dict[str, bytes]) -> str:
    """Raise SpliceError, naming the part, unless `parts` is a workbook package this module can
    edit: every relationships part and every part it edits well-formed UTF-8 XML, and every
    sheet of the workbook reachable through its relationships. Returns the workbook part."""
    for required in ("[Content_Types].xml", "_rels/.rels"):
        if required not in parts:
            raise SpliceError(f"not an xlsx package: no {required}")
    _parse(parts, "[Content_Types].xml")
    for name in [n for n in parts if n.endswith(".rels")]:
        for r in _parse(parts, name):
            if not r.get("Id") or (r.get("Target") is None and r.get("TargetMode") != "External"):
                raise SpliceError(f"the workbook is damaged: a relationship in {name} has no "
                                  f"Id or Target")
    wb_part = workbook_part(parts)
    try:
        check_not_strict(parts[wb_part])
    except PackageError as e:
        raise SpliceError(str(e)) from None
    for name in edited_parts(wb_part):
        if name not in parts:
            raise SpliceError(f"the workbook is damaged: {name} is missing")
        _parse(parts, name)
        try:
            parts[name].decode("utf-8")
        except UnicodeDecodeError:
            raise SpliceError(f"the workbook's {name} is not UTF-8") from None
    rels = {r.get("Id"): r for r in relationships(parts, wb_part)}
    for sheet in sheets(parts[wb_part]):
        rel = rels.get(sheet["rid"])
        if rel is None or rel.get("Target") is None:
            raise SpliceError(f"the workbook is damaged: sheet {sheet['name']!r} has no "
                              f"relationship {sheet['rid']!r} in {rels_path(wb_part)}")
        if resolve(wb_part, rel.get("Target")) not in parts:
            raise SpliceError(f"the workbook is damaged: sheet {sheet['name']!r} points at "
                              f"{rel.get('Target')}, which is not in the package")
    return wb_part


def _parse(parts: dict[str, bytes], name: str) -> ET.Element:
    if len(parts[name]) > MAX_EDITED:
        raise SpliceError(f"the workbook's {name} is over {MAX_EDITED >> 20} MB; no "
                          "spreadsheet program writes one that large")
    try:
        return ET.fromstring(parts[name])
    except ET.ParseError as e:
        raise SpliceError(f"the workbook is damaged: {name} is not well-formed XML ({e})") from None
