"""A marked copy of a checked workbook, for the student: what is wrong, where, and what to write.

Root-cause cells are filled red, and the first cell of each run of a mistake gets a note (a
legacy cell comment, which Excel, LibreOffice and Google Sheets all show) saying what is wrong and
the formula to write there; the cells the error spreads to are tinted. The copy is the student's
own package with three kinds of change made by text: the marked cells' style numbers, formats
appended to styles.xml, and a comments part with its VML drawing per marked sheet. Charts,
images, formulas, defined names and every other part keep their bytes. The copy's zip comment
(`MARK`) says what it is, so a later run may replace it and nothing else.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.utils import column_index_from_string, get_column_letter

from ..files import atomic_write, open_regular
from ..xlsx.package import REL, Package
from ..xlsx.styles import Styles

RED, TINT = "FFFF8080", "FFFCE4D6"
AUTHOR = "sheetgen verify"
MARK = b"sheetgen verify: marked copy"  # the zip comment of every marked copy
COMMENTS = REL + "/comments"
VML = REL + "/vmlDrawing"
COMMENTS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_CELL_TAG = re.compile(r"<((?:\w+:)?c)\b([^>]*?)(/?)>")
_AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                 "webPublishItems", "tableParts", "extLst")


def marks(result) -> dict[str, dict[str, tuple[str, str]]]:
    """Sheet name -> cell -> (fill colour, note or "") for a checked workbook."""
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for table in result.tables:
        for s, r, c in table.wrong:
            out.setdefault(result.sheets[s], {})[f"{get_column_letter(c)}{r}"] = (TINT, "")
        for f in table.causes:
            rows = {k[1] for k in f.keys}
            for s, r, c in sorted(f.keys, key=lambda k: (k[2], k[1])):
                note = _note(f, r, c) if r - 1 not in rows or (s, r - 1, c) not in f.keys else ""
                out.setdefault(result.sheets[s], {})[f"{get_column_letter(c)}{r}"] = (RED, note)
    return out


def _note(f, r: int, c: int) -> str:
    """The note of a root-cause cell that starts a run of the finding `f`."""
    fix = f.fix_at(r, c)
    lines = [f"{f.cells} ({f.quantity}) {f.words}." if f.count > 1 else
             f"{f.quantity}: {f.words}."]
    if fix:
        lines.append(f"Write {fix} here" + (", then fill it down." if f.count > 1 else "."))
    return "\n".join(lines)


def annotate(result, source: Path, target: Path) -> Path:
    """Write the marked copy of the checked workbook `source` (its FileResult) to `target`."""
    with open_regular(source) as f:
        pkg = Package(f.read())
    styles_part = next(iter(pkg.related(pkg.workbook(), "styles")), None)
    if styles_part is None or styles_part not in pkg.parts:
        styles_part = None
    styles = Styles(pkg.parts[styles_part]) if styles_part else None
    sheets = pkg.sheet_parts()
    for n, (name, cells) in enumerate(sorted(marks(result).items()), start=1):
        part = sheets.get(name)
        if part not in pkg.parts:
            continue
        xml = pkg.parts[part].decode("utf-8")
        if styles is not None:
            xml = _restyle(xml, cells, styles)
        notes = {ref: note for ref, (_, note) in cells.items() if note}
        if notes:
            xml = _print_notes(_add_notes(pkg, part, xml, notes, n))
        pkg.parts[part] = xml.encode("utf-8")
    if styles is not None:
        pkg.parts[styles_part] = styles.serialise()
    with atomic_write(target, follow_links=False) as f:
        f.write(pkg.to_bytes(comment=MARK))
    return Path(target)


def is_marked_copy(path: Path) -> bool:
    """Whether `path` is a regular file (not a link) that an earlier run wrote as a marked copy."""
    import zipfile

    if path.is_symlink():
        return False
    try:
        with open_regular(path) as f, zipfile.ZipFile(f) as z:
            return z.comment == MARK
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return False


def _restyle(xml: str, cells: dict[str, tuple[str, str]], styles: Styles) -> str:
    """Every marked cell's style number swapped for a copy of its format with the mark's fill."""

    def tag(m):
        attrs = m.group(2)
        ref = re.search(r'\br="([A-Z]+\d+)"', attrs)
        if ref is None or ref.group(1) not in cells:
            return m.group(0)
        colour = cells[ref.group(1)][0]
        s = re.search(r'\bs="(\d+)"', attrs)
        new = styles.with_fill(int(s.group(1)) if s else 0, colour)
        attrs = (attrs[: s.start()] + f's="{new}"' + attrs[s.end():]) if s else f'{attrs} s="{new}"'
        return f"<{m.group(1)}{attrs}{m.group(3)}>"

    return _CELL_TAG.sub(tag, xml)


def _add_notes(pkg: Package, part: str, xml: str, notes: dict[str, str], n: int) -> str:
    """Notes for the cells `notes`, in the sheet's comments part (made if it has none)."""
    existing = pkg.related(part, "comments")
    if existing and existing[0] in pkg.parts:
        comments = pkg.parts[existing[0]].decode("utf-8")
        taken = set(re.findall(r'<(?:\w+:)?comment\b[^>]*\bref="([A-Z]+\d+)"', comments))
        notes = {ref: text for ref, text in notes.items() if ref not in taken}
        author = comments.count("<author>") + comments.count(":author>") // 2
        comments = comments.replace("</authors>", f"<author>{AUTHOR}</author></authors>", 1)
        comments = comments.replace("</commentList>", _comment_list(notes, author) +
                                    "</commentList>", 1)
        pkg.parts[existing[0]] = comments.encode("utf-8")
        vml = pkg.related(part, "vmlDrawing")
        if vml and vml[0] in pkg.parts:
            text = pkg.parts[vml[0]].decode("utf-8")
            pkg.parts[vml[0]] = text.replace("</xml>", _shapes(notes, n) + "</xml>").encode("utf-8")
        return xml
    comments_part = pkg.free_name("xl/comments{}.xml")
    vml_part = pkg.free_name("xl/drawings/vmlDrawing{}.vml")
    pkg.add(comments_part, _comments_xml(notes), COMMENTS_CT)
    pkg.add(vml_part, _vml(notes, n))
    pkg.default_type("vml", VML_CT)
    rid = pkg.relate(part, VML, vml_part)
    pkg.relate(part, COMMENTS, comments_part)
    return _legacy_drawing(xml, rid)


def _legacy_drawing(xml: str, rid: str) -> str:
    """The sheet with a `<legacyDrawing r:id>` where the schema wants it."""
    root = re.search(r"<(\w+:)?worksheet\b[^>]*>", xml)
    prefix = (root.group(1) or "") if root else ""
    declared = re.search(rf'xmlns:(\w+)="{re.escape(REL)}"', root.group(0) if root else "")
    r = declared.group(1) if declared else "r"
    ns = "" if declared else f' xmlns:r="{REL}"'
    element = f'<{prefix}legacyDrawing{ns} {r}:id="{rid}"/>'
    later = re.search(rf"<{prefix}(?:{'|'.join(_AFTER_LEGACY)})\b", xml)
    at = later.start() if later else xml.rindex(f"</{prefix}worksheet>")
    return xml[:at] + element + xml[at:]


_AFTER_PAGE_SETUP = ("headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches",
                     "ignoredErrors", "smartTags", "drawing", "legacyDrawing", *_AFTER_LEGACY)


def _print_notes(xml: str) -> str:
    """The sheet set to print its notes on a page at the end (`cellComments="atEnd"`), so a
    printed marked copy says what to write in each red cell."""
    root = re.search(r"<(\w+:)?worksheet\b", xml)
    prefix = (root.group(1) or "") if root else ""
    setup = re.search(rf"<{prefix}pageSetup\b[^>]*?(/?)>", xml)
    if setup:
        tag = re.sub(r'\s+cellComments="[^"]*"', "", setup.group(0))
        tag = tag[: -len(setup.group(1)) - 1] + ' cellComments="atEnd"' + tag[-len(setup.group(1)) - 1:]
        return xml[: setup.start()] + tag + xml[setup.end():]
    later = re.search(rf"<{prefix}(?:{'|'.join(_AFTER_PAGE_SETUP)})\b", xml)
    at = later.start() if later else xml.rindex(f"</{prefix}worksheet>")
    return xml[:at] + f'<{prefix}pageSetup cellComments="atEnd"/>' + xml[at:]


def _comments_xml(notes: dict[str, str]) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<authors><author>{AUTHOR}</author></authors>"
            f"<commentList>{_comment_list(notes, 0)}</commentList></comments>").encode()


def _comment_list(notes: dict[str, str], author: int) -> str:
    return "".join(
        f'<comment ref="{ref}" authorId="{author}"><text><r><rPr><b/><sz val="9"/></rPr>'
        f'<t xml:space="preserve">{AUTHOR}:\n</t></r><r><rPr><sz val="9"/></rPr>'
        f'<t xml:space="preserve">{escape(text)}</t></r></text></comment>'
        for ref, text in notes.items())


def _vml(notes: dict[str, str], n: int) -> bytes:
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" '
            'xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">'
            f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{n}"/></o:shapelayout>'
            '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
            'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
            '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
            f"{_shapes(notes, n)}</xml>").encode()


def _shapes(notes: dict[str, str], n: int) -> str:
    out = []
    for k, ref in enumerate(notes):
        m = re.match(r"([A-Z]+)(\d+)", ref)
        col, row = column_index_from_string(m.group(1)) - 1, int(m.group(2)) - 1
        out.append(
            f'<v:shape id="_x0000_s{n * 1024 + k + 1}" type="#_x0000_t202" '
            'style="position:absolute;margin-left:60pt;margin-top:2pt;width:320pt;height:80pt;'
            'z-index:1;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
            '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            '<div style="text-align:left"/></v:textbox><x:ClientData ObjectType="Note">'
            f"<x:MoveWithCells/><x:SizeWithCells/>"
            f"<x:Anchor>{col + 1}, 15, {row}, 2, {col + 6}, 15, {row + 5}, 16</x:Anchor>"
            f"<x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{col}</x:Column>"
            "</x:ClientData></v:shape>")
    return "".join(out)

