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

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKSHEET_TYPE = REL + "/worksheet"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


class SpliceError(ValueError):
    """The target is not an xlsx package this module can edit."""


# --- package helpers ---------------------------------------------------------------------------

def _rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _resolve(part: str, target: str) -> str:
    """The part name a relationship of `part` points at (targets may be relative or absolute)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def _relationships(parts: dict[str, bytes], part: str) -> list[dict]:
    """The internal and external relationships of `part`, as attribute dicts."""
    raw = parts.get(_rels_path(part))
    if raw is None:
        return []
    return [dict(el.attrib) for el in ET.fromstring(raw) if el.tag == f"{{{PKG_REL}}}Relationship"]


def _closure(parts: dict[str, bytes], start: str, skip: tuple[str, str] | None = None) -> list[str]:
    """`start` and every part reachable from it through internal relationships, in order;
    `skip` = (part, relationship id) is one relationship not to follow."""
    seen, todo = [], [start]
    while todo:
        part = todo.pop(0)
        if part in seen or part not in parts:
            continue
        seen.append(part)
        todo += [_resolve(part, r["Target"]) for r in _relationships(parts, part)
                 if r.get("TargetMode") != "External" and (part, r["Id"]) != skip]
    return seen


def _workbook_part(parts: dict[str, bytes]) -> str:
    for r in ET.fromstring(parts["_rels/.rels"]):
        if r.get("Type", "").endswith("/officeDocument"):
            return _resolve("", r.get("Target"))
    raise SpliceError("no workbook part in the package")


def _sheets(workbook_xml: bytes) -> list[dict]:
    root = ET.fromstring(workbook_xml)
    sheets = root.find(f"{{{MAIN}}}sheets")
    return [{"name": s.get("name"), "sheetId": s.get("sheetId"), "rid": s.get(f"{{{REL}}}id")}
            for s in (sheets if sheets is not None else [])]


def _children(root: ET.Element, name: str) -> list[ET.Element]:
    el = root.find(f"{{{MAIN}}}{name}")
    return [] if el is None else list(el)


def _set_count(opening_tag: str, count: int) -> str:
    if re.search(r'\bcount="\d+"', opening_tag):
        return re.sub(r'\bcount="\d+"', f'count="{count}"', opening_tag)
    return opening_tag[:-1].rstrip("/") + f' count="{count}">'


# --- styles ------------------------------------------------------------------------------------

_STYLE_LISTS = ("numFmts", "fonts", "fills", "borders", "cellXfs")


def _element_text(el: ET.Element) -> str:
    """An element of the main namespace as text without namespace declarations."""
    ET.register_namespace("", MAIN)
    text = ET.tostring(el, encoding="unicode")
    return text.replace(f' xmlns="{MAIN}"', "")


class _Styles:
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


def _map_styles(source_styles: bytes, target: _Styles) -> dict[int, int]:
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


# --- the sheet itself --------------------------------------------------------------------------

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


def _shared_strings(parts: dict[str, bytes]) -> list[str]:
    raw = parts.get("xl/sharedStrings.xml")
    if raw is None:
        return []
    return ["".join(si.itertext()) for si in ET.fromstring(raw)]


def _content_type_overrides(raw: bytes) -> dict[str, str]:
    root = ET.fromstring(raw)
    return {el.get("PartName").lstrip("/"): el.get("ContentType")
            for el in root if el.tag.endswith("Override")}


def _unique_name(part: str, taken: set[str], prefix: str) -> str:
    folder, name = posixpath.split(part)
    candidate, n = posixpath.join(folder, prefix + name), 1
    while candidate in taken:
        n += 1
        candidate = posixpath.join(folder, f"{prefix}{n}_{name}")
    return candidate


# --- the whole operation -----------------------------------------------------------------------

def read_package(data: bytes) -> tuple[list[zipfile.ZipInfo], dict[str, bytes]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            return infos, {i.filename: z.read(i.filename) for i in infos}
    except zipfile.BadZipFile as e:
        raise SpliceError(f"not an xlsx (zip) file: {e}") from None


def replace_sheet(target: bytes, source: bytes, name: str) -> bytes:
    """`target` with its sheet `name` replaced by (or, if absent, appended as) the first sheet
    of the workbook `source`. Both are xlsx bytes; returns new xlsx bytes."""
    infos, parts = read_package(target)
    _, src = read_package(source)
    for required in ("[Content_Types].xml", "_rels/.rels"):
        if required not in parts:
            raise SpliceError(f"not an xlsx package: no {required}")
    wb_part = _workbook_part(parts)
    wb_rels = _rels_path(wb_part)
    sheets = _sheets(parts[wb_part])
    rels = {r["Id"]: r for r in _relationships(parts, wb_part)}
    content_types = parts["[Content_Types].xml"].decode("utf-8")

    # 1. Remove the old sheet's own parts (those no remaining part refers to).
    old = next((s for s in sheets if s["name"] == name), None)
    removed: set[str] = set()
    if old is not None:
        old_part = _resolve(wb_part, rels[old["rid"]]["Target"])
        candidates = set(_closure(parts, old_part))
        # Still used: whatever the package reaches without the workbook's link to the old sheet.
        still_used = set(_closure(parts, wb_part, skip=(wb_part, old["rid"])))
        for r in ET.fromstring(parts["_rels/.rels"]):
            still_used |= set(_closure(parts, _resolve("", r.get("Target")), skip=(wb_part, old["rid"])))
        removed = {p for p in candidates if p not in still_used}
        removed |= {_rels_path(p) for p in removed if _rels_path(p) in parts}
        for p in removed:
            content_types = re.sub(rf'<Override\b[^>]*PartName="/{re.escape(p)}"[^>]*/>', "",
                                   content_types)

    # 2. Copy the source sheet and its parts under names free in the target.
    src_wb = _workbook_part(src)
    src_rel = next(r for r in _relationships(src, src_wb) if r["Type"] == WORKSHEET_TYPE)
    src_sheet = _resolve(src_wb, src_rel["Target"])
    taken = set(parts) - removed
    renamed = {}
    for p in _closure(src, src_sheet):
        renamed[p] = _unique_name(p, taken, "mnist_" if not p.startswith("mnist_") else "")
        taken.add(renamed[p])
    src_types = _content_type_overrides(src["[Content_Types].xml"])

    styles = _Styles(parts["xl/styles.xml"]) if "xl/styles.xml" in parts else None
    if styles is None:
        raise SpliceError("the workbook has no xl/styles.xml")
    mapping = _map_styles(src["xl/styles.xml"], styles)

    new_parts: dict[str, bytes] = {}
    for p, q in renamed.items():
        data = src[p]
        if p == src_sheet:
            xml = _inline_strings(data.decode("utf-8"), _shared_strings(src))
            xml = _restyle(xml, mapping).replace(' tabSelected="1"', "")
            data = xml.encode("utf-8")
        new_parts[q] = data
        relationships = _relationships(src, p)
        if relationships:
            new_parts[_rels_path(q)] = _rewrite_rels(src[_rels_path(p)], p, renamed)
        if p in src_types:
            content_types = content_types.replace(
                "</Types>", f'<Override PartName="/{q}" ContentType="{src_types[p]}"/></Types>')
    for ext in {posixpath.splitext(p)[1][1:] for p in renamed.values()} - {"xml"}:
        if not re.search(rf'<Default\b[^>]*Extension="{ext}"', content_types, re.IGNORECASE):
            ctype = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg"}.get(ext, "application/octet-stream")
            content_types = content_types.replace(
                "</Types>", f'<Default Extension="{ext}" ContentType="{ctype}"/></Types>')

    # 3. Point the workbook at the new sheet part.
    sheet_target = "/" + renamed[src_sheet]
    wb_xml = parts[wb_part].decode("utf-8")
    rels_xml = parts[wb_rels].decode("utf-8")
    if old is not None:
        rels_xml = re.sub(rf'(<Relationship\b[^>]*\bId="{re.escape(old["rid"])}"[^>]*\bTarget=")[^"]*"',
                          lambda m: m.group(1) + sheet_target + '"', rels_xml)
        rels_xml = re.sub(rf'(<Relationship\b[^>]*\bTarget=")[^"]*("[^>]*\bId="{re.escape(old["rid"])}")',
                          lambda m: m.group(1) + sheet_target + m.group(2), rels_xml)
    else:
        numbers = [int(m) for m in re.findall(r'\bId="rId(\d+)"', rels_xml)]
        rid = f"rId{max(numbers, default=0) + 1}"
        sheet_id = max((int(s["sheetId"]) for s in sheets), default=0) + 1
        rels_xml = rels_xml.replace(
            "</Relationships>",
            f'<Relationship Id="{rid}" Type="{WORKSHEET_TYPE}" Target="{sheet_target}"/></Relationships>')
        prefix = re.search(r"<(\w+:)?sheets\b", wb_xml)
        if prefix is None:
            raise SpliceError("workbook.xml has no <sheets>")
        ns = prefix.group(1) or ""
        rel_prefix = _prefix_for(wb_xml, REL)
        wb_xml = wb_xml.replace(
            f"</{ns}sheets>",
            f'<{ns}sheet name={quoteattr(name)} sheetId="{sheet_id}" {rel_prefix}:id="{rid}"/></{ns}sheets>')
        if rel_prefix == "r" and 'xmlns:r="' not in wb_xml:
            wb_xml = re.sub(r"<(\w+:)?workbook\b", lambda m: m.group(0) + f' xmlns:r="{REL}"', wb_xml, 1)

    changed = {wb_part: wb_xml.encode("utf-8"), wb_rels: rels_xml.encode("utf-8"),
               "[Content_Types].xml": content_types.encode("utf-8"),
               "xl/styles.xml": styles.serialise()}

    # 4. Write: the target's entries in their order (minus removed), then the new parts.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in infos:
            if info.filename in removed:
                continue
            z.writestr(info, changed.get(info.filename, parts[info.filename]))
        stamp = infos[0].date_time if infos else (2024, 1, 1, 0, 0, 0)
        for q, data in new_parts.items():
            info = zipfile.ZipInfo(q, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return out.getvalue()


def _prefix_for(xml: str, namespace: str) -> str:
    m = re.search(rf'xmlns:(\w+)="{re.escape(namespace)}"', xml)
    return m.group(1) if m else "r"


def _rewrite_rels(raw: bytes, part: str, renamed: dict[str, str]) -> bytes:
    """A relationships part with internal targets pointed at the renamed parts (absolute)."""
    def fix(m):
        tag = m.group(0)
        if 'TargetMode="External"' in tag:
            return tag
        target = re.search(r'\bTarget="([^"]*)"', tag).group(1)
        new = renamed.get(_resolve(part, target))
        return tag if new is None else tag.replace(f'Target="{target}"', f'Target="/{new}"')
    return re.sub(r"<Relationship\b[^>]*>", fix, raw.decode("utf-8")).encode("utf-8")
