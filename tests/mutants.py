"""Planted mistakes and correct rewrites of the formulas of a workbook: the mutation test.

`mutants(text)` edits one formula's syntax tree in the ways students go wrong (every operator
swapped for another, every reference moved one cell, every factor or term dropped, every
function's arguments changed, parts put into functions of two arguments, every number changed); `rewrites(text)` edits it in ways that keep
its value (a·b → b·a, x^2 → x·x and POWER(x,2), POWER(x,2) → x^2, a−b → −(b−a)).
`run(path, ...)` plants each in one cell of a middle row of each table, checks the mutated book
(`check_book`, no file written) and sorts the outcome:

- a mutant that changes the cell's value must FAIL (a finding), never PASS, never crash;
- a mutant that keeps the value (equal cells, t1 = t2) proves nothing either way;
- a rewrite must PASS.

Used by tests/test_verify_mutants.py (a fast subset) and benchmarks/verify_mutants.py (all).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from openpyxl.utils.cell import column_index_from_string, get_column_letter

from sheetgen.verify import check_book
from sheetgen.verify.book import open_book
from sheetgen.verify.engine import Engine
from sheetgen.verify.identify import identify
from sheetgen.verify.syntax import Node, parse
from sheetgen.verify.tables import find_regions
from sheetgen.verify.values import XLError

_CELL = re.compile(r"^(\$?)([A-Z]{1,3})(\$?)(\d+)$")
OTHER_FUNCTION = {"SUM": "PRODUCT", "PRODUCT": "SUM", "EXP": "LN", "LN": "EXP", "MAX": "MIN",
                  "MIN": "MAX", "SUMPRODUCT": "SUM", "POWER": "LOG", "SQRT": "ABS"}


def _walk(node: Node):
    yield node
    for a in node.args:
        yield from _walk(a)


class _Text:
    """A formula's tokens (spaces dropped) and its text with one span replaced."""

    def __init__(self, text: str):
        self.formula = parse(text)
        self.tokens = [t.value for t in self.formula.tokens]

    def src(self, node: Node) -> str:
        return self.formula.source(node)

    def put(self, start: int, end: int, new: str) -> str:
        return "=" + "".join(self.tokens[:start]) + new + "".join(self.tokens[end:])


def mutants(text: str) -> list[tuple[str, str]]:
    """(kind, formula) for every planted mistake of one formula."""
    f, out = _Text(text), []
    for node in _walk(f.formula.root):
        if node.kind in ("chain", "pow", "cmp"):
            ops = node.value if node.kind == "chain" else [node.value]
            for k, op in enumerate(ops):
                at = node.args[k + 1].start - 1
                for new in ("+", "-", "*", "/", "^"):
                    if new != op and f.tokens[at] == op:
                        out.append(("operator", f.put(at, at + 1, new)))
        if node.kind == "chain":
            for k, arg in enumerate(node.args):  # a factor or term dropped
                a, b = (arg.start, node.args[1].start) if k == 0 else (node.args[k - 1].end,
                                                                         arg.end)
                out.append(("dropped", f.put(a, b, "")))
        if node.kind == "operand" and (m := _CELL.match(node.value.upper())):
            for dr, dc in ((0, -1), (0, 1), (-1, 0), (1, 0)):
                if (moved := _move(m, dr, dc)) is not None:
                    out.append(("reference", f.put(node.start, node.end, moved)))
        if node.kind == "number":
            out.append(("number", f.put(node.start, node.end, repr(float(node.value) + 1))))
        if node.kind == "call":
            out.extend(("function", t) for t in _calls(f, node))
        out.extend(("function", t) for t in _wrapped(f, node))
    return list(dict.fromkeys(m for m in out if m[1] != "=" + "".join(f.tokens)))


def _calls(f: _Text, node: Node) -> list[str]:
    """A function's arguments changed: the last dropped, the first repeated, the first two
    swapped; the function replaced by a neighbour."""
    args = [f.src(a) for a in node.args]
    head = f.tokens[node.start]
    texts = []
    if len(args) > 1:
        texts += [",".join(args[:-1]), ",".join([args[0]] * 2 + args[2:]),
                  ",".join([args[1], args[0]] + args[2:])]
    calls = [head + t + ")" for t in texts]
    if node.value in OTHER_FUNCTION:
        calls.append(OTHER_FUNCTION[node.value] + "(" + ",".join(args) + ")")
    return [f.put(node.start, node.end, c) for c in calls]


def _wrapped(f: _Text, node: Node) -> list[str]:
    """A part put into a function of two arguments, as students mistype them: a power one
    higher (`POWER(x,3)` for `x^2`), `SUM(x,x)`, `MAX(a,b)` or `SUMPRODUCT(a,b)` for `a-b`."""
    args, calls = [f.src(a) for a in node.args], []
    if node.kind == "pow" and node.args[1].kind == "number":
        calls.append(f"POWER({args[0]},{float(node.args[1].value) + 1!r})")
    if node.kind == "operand" and _CELL.match(node.value.upper()):
        calls.append(f"SUM({node.value},{node.value})")
    if node.kind == "chain" and len(args) == 2:
        calls += [f"{name}({args[0]},{args[1]})" for name in ("MAX", "SUMPRODUCT")]
    return [f.put(node.start, node.end, c) for c in calls]


def _move(m: re.Match, dr: int, dc: int) -> str | None:
    cabs, letters, rabs, digits = m.groups()
    c, r = column_index_from_string(letters) + dc, int(digits) + dr
    if not (1 <= c <= 16384 and 1 <= r <= 1048576):
        return None
    return f"{cabs}{get_column_letter(c)}{rabs}{r}"


def rewrites(text: str) -> list[tuple[str, str]]:
    """(kind, formula) for every rewrite of one formula that keeps its value."""
    f, out = _Text(text), []
    for node in _walk(f.formula.root):
        args = [f.src(a) for a in node.args]
        if node.kind == "chain" and set(node.value) in ({"*"}, {"+"}):
            op = node.value[0]
            for k in range(len(args) - 1):  # a·b → b·a
                swapped = args[:k] + [args[k + 1], args[k]] + args[k + 2:]
                out.append(("commute", f.put(node.start, node.end, "(" + op.join(swapped) + ")")))
        if node.kind == "chain" and node.value == ["-"]:  # a − b → −(b − a)
            out.append(("negate", f.put(node.start, node.end, f"(-({args[1]}-{args[0]}))")))
        if node.kind == "pow" and args[1] == "2":
            x = args[0]
            out.append(("square", f.put(node.start, node.end, f"(({x})*({x}))")))
            out.append(("square", f.put(node.start, node.end, f"POWER({x},2)")))
        if node.kind == "call" and node.value == "POWER" and len(args) == 2:
            out.append(("power", f.put(node.start, node.end, f"(({args[0]})^({args[1]}))")))
    return list(dict.fromkeys(out))


@dataclass
class Tally:
    """What the mutation test found; `bad` lists every outcome that breaks a property."""

    counts: Counter = field(default_factory=Counter)
    bad: list[str] = field(default_factory=list)

    def line(self) -> str:
        c = self.counts
        return (f"{c['mutants']} mutants: {c['changed']} change the value ({c['found']} found, "
                f"{c['wrong_pass']} wrong PASS, {c['refused']} refused), {c['neutral']} keep it; "
                f"{c['rewrites_ok']}/{c['rewrites']} correct rewrites accepted; "
                f"{c['crash']} crashes")


def sites(book, tables: int = 1) -> list[tuple[int, int, int]]:
    """The formula cells of a middle row of each of the first `tables` tables, in the columns
    of its quantities and the helper columns they read: where the mutants are planted. (A
    column nothing of the network reads, such as 'below threshold', is not judged.)"""
    engine, keys = Engine(book), []
    for table in [identify(book, engine, r) for r in find_regions(book, engine)][:tables]:
        row = table.rows[len(table.rows) // 2]
        cells = [(table.sheet, row, c) for c in table.columns.values()]
        read = {k for key in cells for k in engine.refs(key)}
        helpers = [(table.sheet, row, c) for c in table.helpers if (table.sheet, row, c) in read]
        keys += sorted(k for k in cells + helpers if k in book.formulas)
    return keys


def run(path, kinds=None, limit: int | None = None, tables: int = 1, every: int = 1,
        tally: Tally | None = None) -> Tally:
    """Plant every `every`-th mutant and rewrite (at most `limit` of each) in a middle row of
    the first `tables` tables of the workbook at `path`."""
    book, tally = open_book(path), tally or Tally()
    assert check_book(book).status == "pass", f"{path} must pass before it is mutated"
    base = Engine(book)
    keys = sites(book, tables)
    planted = [(key, kind, text, True) for key in keys for kind, text in mutants(book.formulas[key])]
    planted += [(key, kind, text, False) for key in keys for kind, text in
                rewrites(book.formulas[key])]
    chosen = [p for p in planted if kinds is None or p[1] in kinds][::every]
    done = Counter()
    for key, kind, text, is_mistake in chosen:
        if limit is not None and done[is_mistake] >= limit:
            continue
        done[is_mistake] += 1
        _judge(book, base, key, text, is_mistake, tally)
    return tally


def _judge(book, base: Engine, key, text: str, is_mistake: bool, tally: Tally) -> None:
    where = f"{book.path.name} {book.address(key)}: {book.formulas[key]} -> {text}"
    mutated = replace(book, formulas={**book.formulas, key: text}, cached={})
    try:
        result = check_book(mutated)
    except Exception as e:  # noqa: BLE001 - the crash is what this test looks for
        tally.counts["crash"] += 1
        tally.bad.append(f"crash {type(e).__name__}: {e} at {where}")
        return
    said = " ".join([result.reason] + [t.reason for t in result.tables])
    if "internal error" in said:
        tally.counts["crash"] += 1
        tally.bad.append(f"internal error at {where}")
    c = tally.counts
    if not is_mistake:
        c["rewrites"] += 1
        c["rewrites_ok"] += result.status == "pass"
        if result.status != "pass":
            tally.bad.append(f"rewrite judged {result.status} at {where}")
        return
    c["mutants"] += 1
    if not _changes(base, Engine(mutated), key):
        c["neutral"] += 1
        return
    c["changed"] += 1
    c["found"] += result.status == "fail"
    c["refused"] += result.status == "error"
    if result.status == "pass":
        c["wrong_pass"] += 1
        tally.bad.append(f"wrong PASS at {where}")


def _changes(base: Engine, mutated: Engine, key, rtol: float = 1e-9, atol: float = 1e-12) -> bool:
    a, b = base.value(key), mutated.value(key)
    if isinstance(a, float) and isinstance(b, float):
        return not abs(a - b) <= atol + rtol * abs(a)
    if isinstance(a, XLError) and isinstance(b, XLError):
        return a.code != b.code
    return a != b


def planted(book, key):
    """`book` with the first mutant of cell `key`'s formula that changes its value."""
    base = Engine(book)
    for _, text in mutants(book.formulas[key]):
        mutated = replace(book, formulas={**book.formulas, key: text}, cached={})
        if _changes(base, Engine(mutated), key):
            return mutated
    raise AssertionError(f"no mutant of {book.formulas[key]} changes its value")
