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

import copy
import io
import posixpath
import re
import shutil
import zipfile
import zlib
from collections.abc import MutableMapping
from xml.etree import ElementTree as ET
from xml.sax.saxutils import quoteattr

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = b"http://purl.oclc.org/ooxml/spreadsheetml/main"  # Strict Open XML's main namespace
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "[Content_Types].xml"
# Zip-bomb budgets (as Apache POI's ZipSecureFile): the parts of a package, by its zip directory
# (zipfile never returns more of an entry than the directory declares), may inflate to at most
# MAX_INFLATE_RATIO times their compressed size once past FREE_INFLATED bytes, and to
# MAX_INFLATED bytes in all. Student workbooks inflate 3 to 20 times to 0.1-14 MB, a built
# workbook of 6 x 10,000 rows 9 times to 160 MB. Verify, --annotate and mnist export use them.
MAX_INFLATE_RATIO = 100
FREE_INFLATED = 16 << 20
MAX_INFLATED = 1 << 30


class PackageError(ValueError):
    """The file is not an xlsx package that can be edited."""


def check_entries(infos: list[zipfile.ZipInfo], max_inflated: int = MAX_INFLATED) -> None:
    """Refuse, in one sentence, a package that another program could read differently from
    this one, or that inflates past the budget: two entries whose names a reader could take
    for the same part (same name, or differing only by case, a leading '/' or backslashes),
    an entry flagged as encrypted, parts that inflate past the budgets above."""
    from ..text import printable

    seen: dict[str, str] = {}
    total = 0
    for info in infos:
        name = printable(info.filename)[:80]
        if info.flag_bits & 0x1:
            raise PackageError(f"zip entry {name} is flagged as encrypted; save the workbook "
                               "again without a password")
        key = info.filename.replace("\\", "/").lstrip("/").casefold()
        if key in seen:
            other = "" if seen[key] == info.filename else f" and {printable(seen[key])[:80]}"
            raise PackageError(f"an ambiguous package (two zip entries {name}{other}: programs "
                               "may read different ones)")
        seen[key] = info.filename
        total += info.file_size
    packed = sum(i.compress_size for i in infos)
    if total > max_inflated or total > max(FREE_INFLATED, MAX_INFLATE_RATIO * packed):
        raise PackageError(f"its parts inflate to {total >> 20:,} MB, {total // max(packed, 1):,} "
                           "times their size in the file (a zip bomb?); refusing to read them")


def check_not_strict(workbook_xml: bytes) -> None:
    """Refuse a workbook saved as Strict Open XML by name (its namespaces differ throughout)."""
    if STRICT in workbook_xml[:4096]:
        raise PackageError("a Strict Open XML workbook, which is not supported; save it as "
                           "'Excel Workbook (.xlsx)'")


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


class Parts(MutableMapping):
    """Part name -> bytes, each read from the zip only when asked for: a marked copy holds in
    memory the few parts it edits, never the images and other parts it copies unchanged."""

    def __init__(self, z: zipfile.ZipFile, infos: list[zipfile.ZipInfo]):
        self.zip, self.infos = z, {i.filename: i for i in infos}
        self.loaded: dict[str, bytes] = {}

    def __getitem__(self, name: str) -> bytes:
        if name not in self.loaded:
            if name not in self.infos:
                raise KeyError(name)
            try:
                self.loaded[name] = self.zip.read(self.infos[name])
            except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError) as e:
                raise PackageError(f"a damaged part {name}: {e}"[:160]) from None
        return self.loaded[name]

    def __setitem__(self, name: str, data: bytes) -> None:
        self.loaded[name] = data

    def __delitem__(self, name: str) -> None:
        self.loaded.pop(name, None)
        self.infos.pop(name, None)

    def __contains__(self, name) -> bool:
        return name in self.loaded or name in self.infos

    def __iter__(self):
        return iter({**dict.fromkeys(self.infos), **dict.fromkeys(self.loaded)})

    def __len__(self) -> int:
        return len(set(self.infos) | set(self.loaded))


class Package:
    """The parts of an xlsx file, in their order, with their zip entries' settings."""

    def __init__(self, data: bytes):
        try:
            z = zipfile.ZipFile(io.BytesIO(data))
            self.infos = z.infolist()
            check_entries(self.infos)
        except (zipfile.BadZipFile, EOFError, KeyError, zlib.error, NotImplementedError) as e:
            raise PackageError(f"not an xlsx (zip) file: {e}"[:160]) from None
        self.parts = Parts(z, self.infos)
        for required in (CONTENT_TYPES, "_rels/.rels"):
            if required not in self.parts:
                raise PackageError(f"not an xlsx package: no {required}")
        check_not_strict(self.parts[self.workbook()])

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

    def to_bytes(self, comment: bytes = b"") -> bytes:
        """The package as xlsx bytes: the old entries in their order and settings, new ones after,
        with the zip comment `comment`. A part never read is copied through in chunks."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            z.comment = comment
            for info in self.infos:
                if info.filename in self.parts.loaded:
                    z.writestr(info, self.parts.loaded[info.filename],
                               compress_type=info.compress_type)
                elif info.filename in self.parts:
                    self._copy(info, z)
            for name, data in self.parts.loaded.items():
                if name not in self.parts.infos:
                    z.writestr(name, data)
        return out.getvalue()

    def _copy(self, info: zipfile.ZipInfo, z: zipfile.ZipFile) -> None:
        try:
            with self.parts.zip.open(info) as source, z.open(copy.copy(info), "w") as target:
                shutil.copyfileobj(source, target, 1 << 20)
        except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError) as e:
            raise PackageError(f"a damaged part {info.filename}: {e}"[:160]) from None
