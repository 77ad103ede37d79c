"""An xlsx file as a package of parts, edited by text so that what is not changed keeps its bytes.

openpyxl drops what it does not model (charts of other sheets, images, extensions) when it loads
and saves a workbook. Tools that add to a workbook a student or another program made (the marked
copy of `sheetgen verify --annotate`) change only the parts they must, by inserting text:

    pkg = Package(data)
    sheet = pkg.sheet_parts()["Sheet1"]          # 'xl/worksheets/sheet1.xml'
    rid = pkg.relate(sheet, COMMENTS, "xl/comments1.xml")
    pkg.add("xl/comments1.xml", xml, COMMENTS_CT)
    data = pkg.to_bytes()
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from xml.etree import ElementTree as ET
from xml.sax.saxutils import quoteattr

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "[Content_Types].xml"


class PackageError(ValueError):
    """The file is not an xlsx package that can be edited."""


def rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(part: str, target: str) -> str:
    """The part a relationship of `part` points at (targets may be relative or absolute)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def set_count(opening_tag: str, count: int) -> str:
    """An opening tag with its `count` attribute set (added if it had none)."""
    if re.search(r'\bcount="\d+"', opening_tag):
        return re.sub(r'\bcount="\d+"', f'count="{count}"', opening_tag)
    return opening_tag[:-1].rstrip("/") + f' count="{count}">'


class Package:
    """The parts of an xlsx file, in their order, with their zip entries' settings."""

    def __init__(self, data: bytes):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                self.infos = z.infolist()
                self.parts = {i.filename: z.read(i.filename) for i in self.infos}
        except (zipfile.BadZipFile, EOFError, KeyError) as e:
            raise PackageError(f"not an xlsx (zip) file: {e}") from None
        for required in (CONTENT_TYPES, "_rels/.rels"):
            if required not in self.parts:
                raise PackageError(f"not an xlsx package: no {required}")

    def xml(self, part: str) -> ET.Element:
        try:
            return ET.fromstring(self.parts[part])
        except (KeyError, ET.ParseError) as e:
            raise PackageError(f"damaged part {part}: {e}") from None

    def relationships(self, part: str) -> list[dict]:
        if rels_path(part) not in self.parts:
            return []
        return [dict(el.attrib) for el in self.xml(rels_path(part))
                if el.tag == f"{{{PKG_REL}}}Relationship"]

    def related(self, part: str, kind: str) -> list[str]:
        """The parts `part` relates to with a relationship type ending in `/kind`."""
        return [resolve(part, r["Target"]) for r in self.relationships(part)
                if r.get("Type", "").endswith("/" + kind) and r.get("TargetMode") != "External"]

    def workbook(self) -> str:
        found = self.related("", "officeDocument")
        if not found or found[0] not in self.parts:
            raise PackageError("no workbook part in the package")
        return found[0]

    def sheet_parts(self) -> dict[str, str]:
        """Worksheet name -> its part."""
        book = self.workbook()
        targets = {r["Id"]: resolve(book, r["Target"]) for r in self.relationships(book)}
        sheets = self.xml(book).find(f"{{{MAIN}}}sheets")
        return {s.get("name"): targets.get(s.get(f"{{{REL}}}id"), "")
                for s in (sheets if sheets is not None else [])}

    def add(self, part: str, data: bytes, content_type: str | None = None) -> None:
        """A new part (or new bytes for one), with an Override of its content type."""
        self.parts[part] = data
        if content_type:
            text = self.parts[CONTENT_TYPES].decode("utf-8")
            override = f'<Override PartName="/{part}" ContentType="{content_type}"/>'
            self.parts[CONTENT_TYPES] = text.replace("</Types>", override + "</Types>").encode()

    def default_type(self, extension: str, content_type: str) -> None:
        text = self.parts[CONTENT_TYPES].decode("utf-8")
        if not re.search(rf'Extension="{extension}"', text, re.IGNORECASE):
            default = f'<Default Extension="{extension}" ContentType="{content_type}"/>'
            self.parts[CONTENT_TYPES] = text.replace("</Types>", default + "</Types>").encode()

    def relate(self, part: str, kind: str, target_part: str) -> str:
        """A new relationship of `part` to `target_part` (type `kind`); its id."""
        path = rels_path(part)
        text = self.parts.get(path, f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                                    f'<Relationships xmlns="{PKG_REL}"></Relationships>'.encode())
        text = text.decode("utf-8")
        taken = set(re.findall(r'\bId="([^"]+)"', text))
        rid = next(f"rId{n}" for n in range(len(taken) + 1, len(taken) + 1000)
                   if f"rId{n}" not in taken)
        target = posixpath.relpath(target_part, posixpath.dirname(part) or ".")
        rel = f'<Relationship Id="{rid}" Type="{kind}" Target={quoteattr(target)}/>'
        if "</Relationships>" in text:
            text = text.replace("</Relationships>", rel + "</Relationships>")
        else:  # <Relationships .../>: an empty list written short
            text = re.sub(r"<Relationships\b([^>]*)/>", rf"<Relationships\1>{rel}</Relationships>",
                          text)
        self.parts[path] = text.encode("utf-8")
        return rid

    def free_name(self, pattern: str) -> str:
        """The first part name `pattern.format(n)` not taken, n = 1, 2, ..."""
        return next(pattern.format(n) for n in range(1, 10_000)
                    if pattern.format(n) not in self.parts)

    def to_bytes(self) -> bytes:
        """The package as xlsx bytes: the old entries in their order and settings, new ones after."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            written = set()
            for info in self.infos:
                if info.filename in self.parts:
                    z.writestr(info, self.parts[info.filename], compress_type=info.compress_type)
                    written.add(info.filename)
            for name, data in self.parts.items():
                if name not in written:
                    z.writestr(name, data)
        return out.getvalue()


class Styles:
    """styles.xml, to which fills and cell formats are appended by text insertion."""

    def __init__(self, raw: bytes):
        self.text = raw.decode("utf-8")
        root = ET.fromstring(raw)
        self.fonts = _children(root, "fonts")
        self.fills = _children(root, "fills")
        self.xfs = _children(root, "cellXfs")
        self.added: dict[str, list[str]] = {"fonts": [], "fills": [], "cellXfs": []}
        self.cache: dict[tuple, int] = {}

    def with_fill(self, xf: int, rgb: str) -> int:
        """The index of a cell format like `xf` but filled with the colour `rgb` (AARRGGBB), its
        text in the font's automatic colour so that it reads on the new fill."""
        if (xf, rgb) not in self.cache:
            fill = f'<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/>' \
                   f'<bgColor indexed="64"/></patternFill></fill>'
            fill_id = len(self.fills) + len(self.added["fills"])
            self.added["fills"].append(fill)
            base = self.xfs[xf] if 0 <= xf < len(self.xfs) else ET.Element("xf")
            new = ET.Element(f"{{{MAIN}}}xf", dict(base.attrib))
            for child in base:
                new.append(child)
            new.set("fillId", str(fill_id))
            new.set("applyFill", "1")
            new.set("fontId", str(self._dark_font(int(new.get("fontId", "0")))))
            for key, default in (("numFmtId", "0"), ("fontId", "0"), ("borderId", "0")):
                new.set(key, new.get(key, default))
            self.added["cellXfs"].append(_element_text(new))
            self.cache[(xf, rgb)] = len(self.xfs) + len(self.added["cellXfs"]) - 1
        return self.cache[(xf, rgb)]

    def _dark_font(self, font: int) -> int:
        """A font like `font` without its colour (so automatic: dark on a light fill)."""
        if ("font", font) not in self.cache:
            base = self.fonts[font] if 0 <= font < len(self.fonts) else ET.Element(f"{{{MAIN}}}font")
            new = ET.Element(f"{{{MAIN}}}font", dict(base.attrib))
            for child in base:
                if not child.tag.endswith("}color"):
                    new.append(child)
            self.added["fonts"].append(_element_text(new))
            self.cache[("font", font)] = len(self.fonts) + len(self.added["fonts"]) - 1
        return self.cache[("font", font)]

    def to_bytes(self) -> bytes:
        text = self.text
        for name, have in (("fonts", len(self.fonts)), ("fills", len(self.fills)),
                           ("cellXfs", len(self.xfs))):
            new = self.added[name]
            if not new:
                continue
            block = re.search(rf"<(?:\w+:)?{name}\b[^>]*?(/>|>)", text)
            if block is None:
                raise PackageError(f"styles.xml has no <{name}>")
            prefix = block.group(0)[1 : block.group(0).index(name)]
            count = have + len(new)
            body = "".join(new)
            if prefix:
                body = re.sub(r"<(/?)(\w)", rf"<\1{prefix}\2", body)
            if block.group(1) == "/>":
                text = (text[: block.start()] + set_count(block.group(0)[:-2] + ">", count)
                        + body + f"</{prefix}{name}>" + text[block.end():])
            else:
                close = text.index(f"</{prefix}{name}>", block.end())
                text = (text[: block.start()] + set_count(block.group(0), count)
                        + text[block.end(): close] + body + text[close:])
        return text.encode("utf-8")


def _children(root: ET.Element, name: str) -> list[ET.Element]:
    el = root.find(f"{{{MAIN}}}{name}")
    return [] if el is None else list(el)


def _element_text(el: ET.Element) -> str:
    """An element of the main namespace as text without namespace declarations."""
    ET.register_namespace("", MAIN)
    return ET.tostring(el, encoding="unicode").replace(f' xmlns="{MAIN}"', "")
