"""Put one worksheet into an existing .xlsx package without touching anything else.

openpyxl drops the charts and images of every sheet it loads and saves again, so the MNIST sheet
is not added that way. It is built alone in a fresh workbook, and its parts (worksheet, drawing,
charts, media, their relationships) are copied into the target package under new names. Only
four parts of the target change, each by text insertion so that everything else in them keeps
its bytes:

- `xl/workbook.xml`: one `<sheet>` element added (or swapped for the old sheet of that name);
- `xl/_rels/workbook.xml.rels`: one relationship added (or retargeted);
- `[Content_Types].xml`: overrides for the new parts (and a Default for .png if missing);
- `xl/styles.xml`: the cell formats the sheet uses, appended (reused when already there).

The sheet's strings become inline strings, so `sharedStrings.xml` stays as it was. An old sheet
of the same name is replaced in place: same position, sheetId and relationship id; its own
parts (drawing, charts, media no other part refers to) are removed.
"""
from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from xml.sax.saxutils import escape, quoteattr

from . import parts as pkg
from .package import PackageError
from .parts import REL, SpliceError
from .styles import Styles, map_styles

WORKSHEET_TYPE = REL + "/worksheet"
IMAGE_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg"}


def _inline_strings(sheet_xml: str, shared: list[str]) -> str:
    """Replace shared-string cells by inline-string cells."""
    def cell(m):
        attrs = m.group(1).replace(' t="s"', "")
        text = escape(shared[int(m.group(2))])
        return f'<c{attrs} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    return re.sub(r'<c((?: [^>]*?)?)><v>(\d+)</v></c>',
                  lambda m: cell(m) if ' t="s"' in m.group(1) else m.group(0), sheet_xml)


def _restyle(sheet_xml: str, mapping: dict[int, int]) -> str:
    """Renumber s="" of cells and rows and style="" of columns with `mapping`."""
    def tag(m):
        return re.sub(r'\b(s|style)="(\d+)"', lambda a: f'{a.group(1)}="{mapping[int(a.group(2))]}"',
                      m.group(0))
    return re.sub(r"<(?:c|row|col)\b[^>]*>", tag, sheet_xml)


def replace_sheet(target: bytes, source: bytes, name: str) -> bytes:
    """`target` with its sheet `name` replaced by (or, if absent, appended as) the first sheet
    of the workbook `source`. Both are xlsx bytes; returns new xlsx bytes.

    Raises SpliceError, and nothing else, when the target is not a workbook package it can edit
    (checked first, part by part; the last except is a net for damage the check did not name)."""
    infos, parts = pkg.read_package(target)
    _, src = pkg.read_package(source)
    wb_part = pkg.check_package(parts)
    try:
        return _replace(infos, parts, wb_part, src, name)
    except (ET.ParseError, KeyError, IndexError, TypeError, ValueError) as e:
        if isinstance(e, SpliceError):
            raise
        if isinstance(e, PackageError):  # from the shared package helpers: the same one line
            raise SpliceError(str(e)) from None
        raise SpliceError(f"the workbook is damaged: {type(e).__name__} {e}") from None


def _replace(infos, parts: dict[str, bytes], wb_part: str, src: dict[str, bytes], name: str) -> bytes:
    sheets = pkg.sheets(parts[wb_part])
    old = next((s for s in sheets if s["name"] == name), None)
    content_types = parts["[Content_Types].xml"].decode("utf-8")
    removed = _old_parts(parts, wb_part, old["rid"]) if old else set()
    for p in removed:
        content_types = re.sub(rf'<Override\b[^>]*PartName="/{re.escape(p)}"[^>]*/>', "",
                               content_types)
    styles = Styles(parts["xl/styles.xml"])
    new_parts, sheet_part, content_types = _copy_sheet(src, set(parts) - removed, styles,
                                                       content_types)
    changed = _point_workbook(parts, wb_part, sheets, old, name, "/" + sheet_part)
    changed.update({"[Content_Types].xml": content_types.encode("utf-8"),
                    "xl/styles.xml": styles.serialise()})
    return _write(infos, parts, removed, changed, new_parts)


def _old_parts(parts: dict[str, bytes], wb_part: str, rid: str) -> set[str]:
    """The parts only the old sheet (relationship `rid` of the workbook) reaches, and their
    relationship parts: those no remaining part refers to."""
    rels = {r["Id"]: r for r in pkg.relationships(parts, wb_part)}
    candidates = set(pkg.closure(parts, pkg.resolve(wb_part, rels[rid]["Target"])))
    # Still used: whatever the package reaches without the workbook's link to the old sheet.
    still_used = set(pkg.closure(parts, wb_part, skip=(wb_part, rid)))
    for r in ET.fromstring(parts["_rels/.rels"]):
        if r.get("TargetMode") != "External":
            still_used |= set(pkg.closure(parts, pkg.resolve("", r.get("Target")),
                                          skip=(wb_part, rid)))
    removed = {p for p in candidates if p not in still_used}
    return removed | {pkg.rels_path(p) for p in removed if pkg.rels_path(p) in parts}


def _copy_sheet(src: dict[str, bytes], taken: set[str], styles: Styles, content_types: str):
    """The source's first sheet and every part it reaches, under names free in `taken`, with
    its cell formats mapped onto `styles` and its content types added: (parts, the sheet's new
    part name, content types)."""
    src_wb = pkg.workbook_part(src)
    src_rel = next(r for r in pkg.relationships(src, src_wb) if r["Type"] == WORKSHEET_TYPE)
    src_sheet = pkg.resolve(src_wb, src_rel["Target"])
    renamed = {}
    for p in pkg.closure(src, src_sheet):
        renamed[p] = pkg.unique_name(p, taken, "mnist_" if not p.startswith("mnist_") else "")
        taken.add(renamed[p])
    src_types = pkg.content_type_overrides(src["[Content_Types].xml"])
    mapping = map_styles(src["xl/styles.xml"], styles)

    new_parts: dict[str, bytes] = {}
    for p, q in renamed.items():
        data = src[p]
        if p == src_sheet:
            xml = _inline_strings(data.decode("utf-8"), pkg.shared_strings(src))
            data = _restyle(xml, mapping).replace(' tabSelected="1"', "").encode("utf-8")
        new_parts[q] = data
        if pkg.relationships(src, p):
            new_parts[pkg.rels_path(q)] = _rewrite_rels(src[pkg.rels_path(p)], p, renamed)
        if p in src_types:
            content_types = content_types.replace(
                "</Types>", f'<Override PartName="/{q}" ContentType="{src_types[p]}"/></Types>')
    for ext in {posixpath.splitext(p)[1][1:] for p in renamed.values()} - {"xml"}:
        if not re.search(rf'<Default\b[^>]*Extension="{ext}"', content_types, re.IGNORECASE):
            ctype = IMAGE_TYPES.get(ext, "application/octet-stream")
            content_types = content_types.replace(
                "</Types>", f'<Default Extension="{ext}" ContentType="{ctype}"/></Types>')
    return new_parts, renamed[src_sheet], content_types


def _point_workbook(parts: dict[str, bytes], wb_part: str, sheets: list[dict], old: dict | None,
                    name: str, sheet_target: str) -> dict[str, bytes]:
    """workbook.xml and its relationships, pointing at the new sheet part: the old sheet's
    relationship retargeted, or a new relationship and <sheet> element at the end."""
    wb_rels = pkg.rels_path(wb_part)
    wb_xml = parts[wb_part].decode("utf-8")
    rels_xml = parts[wb_rels].decode("utf-8")
    if old is not None:
        rid = re.escape(old["rid"])
        rels_xml = re.sub(rf'(<Relationship\b[^>]*\bId="{rid}"[^>]*\bTarget=")[^"]*"',
                          lambda m: m.group(1) + sheet_target + '"', rels_xml)
        rels_xml = re.sub(rf'(<Relationship\b[^>]*\bTarget=")[^"]*("[^>]*\bId="{rid}")',
                          lambda m: m.group(1) + sheet_target + m.group(2), rels_xml)
        return {wb_part: wb_xml.encode("utf-8"), wb_rels: rels_xml.encode("utf-8")}
    numbers = [int(m) for m in re.findall(r'\bId="rId(\d+)"', rels_xml)]
    rid = f"rId{max(numbers, default=0) + 1}"
    sheet_id = max((int(s["sheetId"]) for s in sheets), default=0) + 1
    rels_xml = rels_xml.replace(
        "</Relationships>",
        f'<Relationship Id="{rid}" Type="{WORKSHEET_TYPE}" Target="{sheet_target}"/></Relationships>')
    prefix = re.search(r"<(\w+:)?sheets\b", wb_xml)
    if prefix is None:
        raise SpliceError("the workbook is damaged: workbook.xml has no <sheets>")
    ns = prefix.group(1) or ""
    rel_prefix = pkg.prefix_for(wb_xml, REL)
    wb_xml = wb_xml.replace(
        f"</{ns}sheets>",
        f'<{ns}sheet name={quoteattr(name)} sheetId="{sheet_id}" {rel_prefix}:id="{rid}"/></{ns}sheets>')
    if rel_prefix == "r" and 'xmlns:r="' not in wb_xml:
        wb_xml = re.sub(r"<(\w+:)?workbook\b", lambda m: m.group(0) + f' xmlns:r="{REL}"', wb_xml, 1)
    return {wb_part: wb_xml.encode("utf-8"), wb_rels: rels_xml.encode("utf-8")}


def _write(infos, parts: dict[str, bytes], removed: set[str], changed: dict[str, bytes],
           new_parts: dict[str, bytes]) -> bytes:
    """The target's entries in their order (minus removed, with changed content), then the new
    parts, stamped with the target's first entry's time."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in infos:
            if info.filename not in removed:
                z.writestr(info, changed.get(info.filename, parts[info.filename]))
        stamp = infos[0].date_time if infos else (2024, 1, 1, 0, 0, 0)
        for q, data in new_parts.items():
            info = zipfile.ZipInfo(q, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return out.getvalue()


def _rewrite_rels(raw: bytes, part: str, renamed: dict[str, str]) -> bytes:
    """A relationships part with internal targets pointed at the renamed parts (absolute)."""
    def fix(m):
        tag = m.group(0)
        if 'TargetMode="External"' in tag:
            return tag
        target = re.search(r'\bTarget="([^"]*)"', tag).group(1)
        new = renamed.get(pkg.resolve(part, target))
        return tag if new is None else tag.replace(f'Target="{target}"', f'Target="/{new}"')
    return re.sub(r"<Relationship\b[^>]*>", fix, raw.decode("utf-8")).encode("utf-8")
