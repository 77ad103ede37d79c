"""Verification results for people (text), programs (JSON), CI systems (JUnit XML) and
gradebooks (CSV).

The text report names each distinct mistake once per workbook: a mistake copied down a column
is one line with its range, and the same mistake on several sheets is one line listing them.
Under it, the student's formula and the one to write, aligned so the difference shows. No line
is longer than WIDTH characters.
"""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from ..text import printable
from . import FileResult
from .rubric import DEFAULT as DEFAULT_RUBRIC
from .score import grade

WIDTH = 200
SHOWN = 10  # distinct mistakes listed per workbook in the text report; JSON has them all
_SURROGATE = re.compile("[\ud800-\udfff]")
CSV_COLUMNS = ("file", "status", "tables", "findings", "first_finding", "score", "max_score")


def exit_code(results: list[FileResult]) -> int:
    """0 when every file passes; 1 when some file is FAIL or INCOMPLETE (whatever the others);
    2 when none is, but some file cannot be checked. A file that cannot be checked never hides
    the verdicts of the others: each has its own line."""
    statuses = {r.status for r in results}
    return 1 if statuses & {"fail", "incomplete"} else 2 if "error" in statuses else 0


@dataclass
class Mistake:
    """One distinct mistake of a workbook: the same words about the same quantity, in one
    table or several."""

    first: object  # the Finding of the first table, for its formula and fix
    places: list[tuple[str, str]] = field(default_factory=list)  # (sheet as quoted, cells)

    def line(self) -> str:
        f, cells = self.first, {c for _, c in self.places}
        if len(self.places) > 1 and len(cells) == 1:
            where = f"{cells.pop()} on {', '.join(s for s, _ in self.places)}"
        else:
            where = ", ".join(c if "!" in c else f"{s}!{c}" for s, c in self.places)
        return f"{where} ({f.quantity}) {f.words}" if f.quantity else f"{where}: {f.words}"


def mistakes(result: FileResult) -> list[Mistake]:
    """The file's findings, the same words about the same quantity in several tables as one."""
    out: dict[tuple, Mistake] = {}
    for t in result.tables:
        sheet = t.name.rsplit("!", 1)[0]
        for f in t.causes:
            m = out.setdefault((f.kind, f.words, f.quantity), Mistake(f))
            m.places.append((sheet, f.cells))
    return list(out.values())


def _wrap(text: str, indent: str, more: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=more,
                         break_on_hyphens=False, break_long_words=True)


def _formulas(f) -> list[str]:
    """`Z33 is  =…` and `write   =…`, aligned; a student's very long formula is cut."""
    if not f.fix or not f.formula:
        return [f"      write   {f.fix}"] if f.fix else []
    cell = f.cell.rsplit("!", 1)[-1]
    head = f"      {cell} is  "
    pad = " " * (len(head) - len("      write") - 1)
    mine = f.formula if len(head) + len(f.formula) <= WIDTH else (
        f.formula[: WIDTH - len(head) - 1] + "…")
    return [head + mine, f"      write{pad} {f.fix}"]


def score_line(result: FileResult, rubric=DEFAULT_RUBRIC) -> str:
    """`score 72.5/100: forward 20/20, loss 10/10, ...` (the rubric's parts, short names)."""
    s = grade(result.tally, rubric)
    parts = ", ".join(f"{p.name.replace('_', ' ')} {p.points:.3g}/{p.max_points:.3g}"
                      for p in s.parts if p.max_points)
    return f"score {s.text}: {parts}"


def text(result: FileResult, rubric=DEFAULT_RUBRIC) -> str:
    """A short report: one line per file, its score, then each distinct mistake."""
    head = f"{printable(result.path)}: {result.status.upper()}"
    if result.status == "error" and not result.tables:
        return "\n".join(_wrap(f"{head}: {result.reason}", "", "    "))
    found = mistakes(result)
    n = len(result.tables)
    rows = sum(t.rows for t in result.tables)
    cells = sum(t.cells for t in result.tables if t.status != "error")
    wrong = sum(t.status == "fail" for t in result.tables)
    unchecked = sum(t.status == "error" for t in result.tables)
    missing = sum(t.status == "incomplete" for t in result.tables)
    if result.status == "pass":
        summary = f"{n} table(s), {rows:,} rows, {cells:,} cells"
    else:
        parts = [f"{wrong} of {n} table(s) wrong"] if wrong else []
        parts += [f"{missing} of {n} incomplete"] if missing else []
        parts += [f"{unchecked} of {n} cannot be checked"] if unchecked else []
        parts += [f"{len(found)} distinct mistake(s)"] if found else []
        summary = ", ".join(parts)
    lines = [f"{head} ({summary}; {result.engine} engine, {result.seconds:.2f} s)"]
    if found:
        listed = "; ".join(_table(t) for t in result.tables[:SHOWN])
        more = f"; … and {n - SHOWN:,} more" if n > SHOWN else ""
        lines += _wrap(f"tables: {listed}{more}", "  ", "    ")
    for reason, names in _unchecked(result.tables).items():
        where = ", ".join(names[:3]) + (f" and {len(names) - 3:,} more" if len(names) > 3 else "")
        lines += _wrap(f"{where}: cannot check: {reason}", "  ", "    ")
    for m in found[:SHOWN]:
        lines += _wrap(m.line(), "  ", "      ")
        lines += _formulas(m.first)
    if len(found) > SHOWN:
        lines.append(f"  … and {len(found) - SHOWN} more distinct mistakes (--json lists them all)")
    spread = sum(len(t.wrong) for t in result.tables)
    if spread:
        lines.append(f"  the errors spread to {spread:,} more cells that read them")
    for note in result.notes:
        lines += _wrap(f"note: {note}", "  ", "    ")
    if result.status != "error":
        lines += _wrap(score_line(result, rubric), "  ", "    ")
    return "\n".join(lines)


def _unchecked(tables) -> dict[str, list[str]]:
    """Reason -> the tables that cannot be checked for it: 2,000 sheets with the same unfilled
    table are one line."""
    out: dict[str, list[str]] = {}
    for t in tables:
        if t.status == "error":
            out.setdefault(t.reason, []).append(t.name)
    return out


def _table(t) -> str:
    if t.status == "error":
        return f"{t.name} (cannot check)"
    where = (t.eta_cell or "").rsplit("!", 1)[-1] or "inferred"
    eta = f", η = {t.eta:g} in {where}" if t.eta is not None else ""
    return f"{t.name} ({t.rows} rows{eta}, {t.status})"


def to_json(results: list[FileResult], rubric=DEFAULT_RUBRIC, extra: dict | None = None) -> str:
    """The results as JSON; a non-UTF-8 file name keeps its bytes as `\\udcXX` escapes (which
    Python reads back, and os.fsencode turns into the name's bytes)."""
    files = [r.to_dict() | {"score": grade(r.tally, rubric).to_dict()} for r in results]
    text = json.dumps(
        {"exit_code": exit_code(results), "files": files} | (extra or {}),
        ensure_ascii=False,
        indent=2,
    )
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def to_csv(results: list[FileResult], rubric=DEFAULT_RUBRIC) -> str:
    """One row per workbook for a gradebook: file, status, tables, findings, first finding,
    score, the most it could be, then the points of each part of the rubric."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + tuple(rubric.points))
    for r in results:
        found = mistakes(r)
        first = r.reason if r.status == "error" and not r.tables else (
            found[0].line() if found else next((t.reason for t in r.tables if t.reason), ""))
        s = grade(r.tally, rubric)
        writer.writerow([_cell(x) for x in (printable(r.path), r.status.upper(), len(r.tables),
                                            len(found), first)]
                        + [f"{round(x, 3):g}" for x in (s.points, s.max_points)]
                        + [f"{round(p.points, 3):g}" for p in s.parts])
    return out.getvalue()


def _cell(value) -> str:
    """A CSV field a spreadsheet will not run as a formula (sheet names are students' text)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def junit(results: list[FileResult], rubric=DEFAULT_RUBRIC) -> bytes:
    """JUnit XML: one test suite, one test case per table (per file when it cannot be read);
    an incomplete table is a failure; each file's score is a property of the suite."""
    suite = ET.Element("testsuite", name="sheetgen verify")
    properties = ET.SubElement(suite, "properties")
    for r in results:
        ET.SubElement(properties, "property", name=f"score {printable(r.path)}",
                      value=grade(r.tally, rubric).text)
    counts = {"tests": 0, "failures": 0, "errors": 0}
    total = 0.0
    for r in results:
        total += r.seconds
        cases = r.tables or [None]
        for t in cases:
            counts["tests"] += 1
            name = t.name if t else "workbook"
            case = ET.SubElement(
                suite, "testcase", classname=printable(r.path), name=printable(name),
                time=f"{r.seconds / len(cases):.3f}"
            )
            status, reason = (t.status, t.reason) if t else (r.status, r.reason)
            if status == "error":
                counts["errors"] += 1
                ET.SubElement(case, "error", message=reason or "cannot check").text = reason
            elif status in ("fail", "incomplete"):
                counts["failures"] += 1
                lines = []
                for f in t.causes:
                    lines += [f.message, *(x.strip() for x in _formulas(f))]
                lines += [t.spread] if t.spread else []
                ET.SubElement(
                    case, "failure", message=(f"{status}: " if status != "fail" else "") + (
                        t.causes[0].message if t.causes else "wrong"), type=status
                ).text = "\n".join(lines)
    for k, v in counts.items():
        suite.set(k, str(v))
    suite.set("time", f"{total:.3f}")
    ET.indent(suite)
    return (
        ET.tostring(ET.ElementTree(suite).getroot(), encoding="utf-8", xml_declaration=True) + b"\n"
    )
