"""Verification results for people (text), programs (JSON) and CI systems (JUnit XML)."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from . import FileResult

SHOWN = 5  # root causes listed per table in the text report; JSON has them all


def exit_code(results: list[FileResult]) -> int:
    """0 when every file passes, 1 when some file is wrong, 2 when some file cannot be checked."""
    statuses = {r.status for r in results}
    return 2 if "error" in statuses else 1 if "fail" in statuses else 0


def text(result: FileResult) -> str:
    """A short report: one line per file, then the root causes of each wrong table."""
    head = f"{result.path}: {result.status.upper()}"
    if result.status == "error" and not result.tables:
        return f"{head}: {result.reason}"
    rows = sum(t.rows for t in result.tables)
    cells = sum(t.cells for t in result.tables if t.status != "error")
    wrong = sum(t.status != "pass" for t in result.tables)
    summary = (
        f"{len(result.tables)} table(s), {rows:,} rows, {cells:,} cells"
        if result.status == "pass"
        else f"{wrong} of {len(result.tables)} table(s) wrong"
    )
    lines = [f"{head} ({summary}; {result.engine} engine, {result.seconds:.2f} s)"]
    for t in result.tables:
        if t.status == "pass":
            continue
        if t.status == "error":
            lines.append(f"  {t.name}: cannot check: {t.reason}")
            continue
        where = (t.eta_cell or t.eta_source).removeprefix(t.name.rsplit("!", 1)[0] + "!")
        eta = f", η = {t.eta:g} from {where}" if t.eta is not None else ""
        lines.append(f"  {t.name} ({t.rows} rows{eta}):")
        lines += [f"    {f.message}" for f in t.causes[:SHOWN]]
        if len(t.causes) > SHOWN:
            lines.append(
                f"    … and {len(t.causes) - SHOWN} more root causes (--json lists them all)"
            )
        if t.spread:
            lines.append(f"    {t.spread}")
    lines += [f"  note: {n}" for n in result.notes]
    return "\n".join(lines)


def to_json(results: list[FileResult]) -> str:
    return json.dumps(
        {"exit_code": exit_code(results), "files": [r.to_dict() for r in results]},
        ensure_ascii=False,
        indent=2,
    )


def junit(results: list[FileResult]) -> bytes:
    """JUnit XML: one test suite, one test case per table (per file when it cannot be read)."""
    suite = ET.Element("testsuite", name="sheetgen verify")
    counts = dict(tests=0, failures=0, errors=0)
    total = 0.0
    for r in results:
        total += r.seconds
        cases = r.tables or [None]
        for t in cases:
            counts["tests"] += 1
            name = t.name if t else "workbook"
            case = ET.SubElement(
                suite, "testcase", classname=r.path, name=name, time=f"{r.seconds / len(cases):.3f}"
            )
            status, reason = (t.status, t.reason) if t else (r.status, r.reason)
            if status == "error":
                counts["errors"] += 1
                ET.SubElement(case, "error", message=reason or "cannot check").text = reason
            elif status == "fail":
                counts["failures"] += 1
                lines = [f.message for f in t.causes] + ([t.spread] if t.spread else [])
                ET.SubElement(
                    case, "failure", message=lines[0] if lines else "wrong"
                ).text = "\n".join(lines)
    for k, v in counts.items():
        suite.set(k, str(v))
    suite.set("time", f"{total:.3f}")
    ET.indent(suite)
    return (
        ET.tostring(ET.ElementTree(suite).getroot(), encoding="utf-8", xml_declaration=True) + b"\n"
    )
