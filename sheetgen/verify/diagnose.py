"""Say in words why a cell is wrong, and what the student should write there instead.

For a cell whose own formula is wrong (its value differs from its template evaluated on the
sheet's own upstream values), three explanations are tried, the most precise first:

1. `repair`: the single edit of the student's formula that makes it right
   ("reads a_h1 (column J) where the chain rule needs a_h2 (column L)", "has a product R32*A32
   where the chain rule needs a difference R32-A32", "lacks parentheses around ...");
2. `compare`: the parts where the student's tree and the right one differ (two mistakes in one
   formula are two parts);
3. what it reads against what the rule needs.

Cells are described by column (`a_h1 (column J)`, `w3 3 rows up (column G)`), so the words are
the same on every row of a mistake copied down a column and can be reported once for all of them.
The right formula is the quantity's template written in the student's own cells.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import compare, repair, syntax
from .formula import shape_key, translate
from .tables import Table, reads
from .values import short
from .words import absolute, describe, maths, number, right_formula, rule, syntax_group, token_cell

OP_NOUNS = {"+": "a sum", "-": "a difference", "*": "a product", "/": "a quotient"}
# Edits tried by `repair` in one workbook (each compiles and evaluates a formula, about 1-3
# ms): one mistake takes a few dozen; a table broken in twenty places no longer takes seconds.
MAX_REPAIR_TRIES = 400


class _Spent(Exception):
    """The workbook's repair tries are used up."""


@dataclass
class Explanation:
    words: str  # what is wrong, without the subject: "reads ... where the chain rule needs ..."
    fix: str  # the formula to write, in the student's cells
    formula: str = ""  # what the cell holds now


def explain(engine, table: Table, key, name: str, got: float, want: float) -> Explanation:
    """Why the cell `key` of quantity `name` holds `got` where `want` belongs, and the fix.

    The same mistake in a table of the same layout (six sheets of one workbook, one per η) has
    the same words: it is explained once per workbook and the fix moved to each cell."""
    book = engine.book
    fix = right_formula(book, table, name, key[1])
    if key not in book.formulas:
        return Explanation(f"holds the number {number(got, want)}, not a formula; it should "
                           f"be {number(want, got)}", fix)
    formula = book.formulas[key]
    layout = (name, shape_key(formula, key[1], key[2]), tuple(sorted(table.columns.items())),
              tuple(sorted(table.cells.items())), table.eta_key and table.eta_key[1:])
    cache = engine.__dict__.setdefault("explained", {})
    if layout in cache:
        words, repaired, (r0, c0) = cache[layout]
        if repaired:
            repaired = "=" + translate(repaired[1:], key[1] - r0, key[2] - c0)
        return Explanation(words, repaired or fix, formula)
    why = _explain(engine, table, key, name, want, formula, fix)
    cache[layout] = (why.words, why.fix if why.fix != fix else "", key[1:])
    return why


def _explain(engine, table: Table, key, name: str, want: float, formula: str, fix: str):
    needed = set(table.network.by_name[name].refs())
    read = _read(engine, table, key, engine.refs(key))
    words, repaired = _by_repair(engine, table, key, name, want, needed, read)
    if words is None:
        words = _by_comparison(engine, table, key, name, fix)
    if words is None:
        words = _by_reads(engine.book, table, key, name, needed, read)
    if ("eta", 0) in needed:
        repaired = None  # a student's own η reference may be relative and drift when filled down
    return Explanation(words, repaired or fix, formula)


def _read(engine, table: Table, key, refs) -> dict[tuple[str, int], tuple]:
    """(name, row offset) -> the cell read, through helper cells; `@addr` for other cells."""
    out: dict[tuple[str, int], tuple] = {}
    for ref in reads(engine, table, key, refs=refs):
        if ref == table.eta_key:
            out[("eta", 0)] = ref
        elif (n := table.name_at(ref)) is not None:
            out.setdefault((n, 0 if n in table.cells else ref[1] - key[1]), ref)
        elif ref != key:
            out[(f"@{engine.book.address(ref)}", 0)] = ref
    return out


def _by_repair(engine, table, key, name, want, needed, read):
    book, r = engine.book, key[1]
    missing = [k for k in sorted(needed) if k not in read]  # sorted: the same words every run
    cells = {}
    for n, off in missing:
        if n == "eta":
            if table.eta_key:
                cells[absolute(book, table, table.eta_key)] = table.eta_key
        else:
            target = table.key(n, r + off)
            cells[absolute(book, table, target) if n in table.cells
                  else book.address(target, sheet=False)] = target
    extra_keys = {v for k, v in read.items() if k not in needed}
    extra: dict[str, list[int]] = {}
    for k, t in enumerate(syntax.parse(book.formulas[key]).tokens):
        if t.type == "OPERAND" and token_cell(engine, key, t.value) in extra_keys:
            extra.setdefault(t.value, []).append(k)

    tries = engine.__dict__.setdefault("repair_tries", [0])

    def check(text: str) -> bool:
        tries[0] += 1
        if tries[0] > MAX_REPAIR_TRIES:
            raise _Spent
        value, refs = engine.evaluate_text(text, key)
        if value is None or not abs(value - want) <= 1e-12 + 1e-9 * abs(want):
            return False
        return set(_read(engine, table, key, refs)) == needed

    try:
        edit = repair.repair(book.formulas[key], check, list(cells), extra)
    except _Spent:  # the other explanations, cheaper, take it from here
        return None, None
    if edit is None:
        return None, None
    the = rule(name)
    if edit.kind == "reference":
        old = _and(describe(book, table, token_cell(engine, key, x), r) for x in edit.old.split())
        new = _and(describe(book, table, cells[x], r) for x in edit.new.split())
        return f"reads {old} where {the} needs {new}", edit.text
    if edit.kind == "operator":
        words = (f"has {_noun(edit.old)} {edit.old} {maths(engine, table, key, edit.old)} where "
                 f"{the} needs {_noun(edit.new)} {edit.new}")
        return words, edit.text
    if edit.kind == "parentheses":
        return f"lacks parentheses around {short(edit.old, 90)[1:-1]}", edit.text
    if edit.kind == "extra":
        old = describe(book, table, token_cell(engine, key, edit.old), r)
        return f"also uses {old}, which {the} does not", edit.text
    return f"does not multiply by {describe(book, table, cells[edit.new], r)}, which {the} needs", (
        edit.text)


def _and(items) -> str:
    items = list(items)
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]


def _noun(text: str) -> str:
    """`a product` for `(R32*A32)`: the operation at the top of a part of a formula."""
    text = text.strip()
    if text.startswith("(") and syntax_group(text):
        text = text[1:-1]
    depth, top = 0, ""
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and ch in OP_NOUNS:
            top = ch
    return OP_NOUNS.get(top, "")


def _by_comparison(engine, table, key, name, fix: str) -> str | None:
    try:
        student, right = syntax.parse(engine.book.formulas[key]), syntax.parse(fix)
    except syntax.SyntaxProblem:
        return None
    pairs = compare.differences(student, right, lambda f, node: engine.evaluate_node(f, node, key))
    if not pairs or len(pairs) > 3:
        return None
    the, out = rule(name), []
    book, r = engine.book, key[1]
    for mine, theirs in pairs:
        a, b = mine.text(), theirs.text()
        ca, cb = token_cell(engine, key, a), token_cell(engine, key, b)
        if ca is not None and table.name_at(ca) is None and ca != table.eta_key:
            return None  # a helper cell of the student's: what it reads says more
        if ca is not None and cb is not None:
            out.append(f"reads {describe(book, table, ca, r)} where {the} needs "
                       f"{describe(book, table, cb, r)}")
        elif not a:
            what = describe(book, table, cb, r) if cb else f"{b} {maths(engine, table, key, b)}"
            out.append(f"lacks {what}, which {the} needs")
        elif not b:
            what = describe(book, table, ca, r) if ca else f"{a} {maths(engine, table, key, a)}"
            out.append(f"also has {what}, which {the} does not")
        else:
            na, nb = _noun(a), _noun(b)
            na, nb = (f"{na} ", f"{nb} ") if na and nb and na != nb else ("", "")
            out.append(f"has {na}{a} {maths(engine, table, key, a)} where {the} needs {nb}{b} "
                       f"{maths(engine, table, key, b)}")
    return "; ".join(out)


def _by_reads(book, table, key, name, needed, read) -> str:
    r, the = key[1], rule(name)
    extra = [k for k in read if k not in needed]
    missing = [k for k in needed if k not in read]

    def cells(keys, where) -> str:
        return ", ".join(describe(book, table, where(k), r) for k in keys)

    def have(k):
        return read[k]

    def want(k):
        n, off = k
        return table.eta_key if n == "eta" else table.key(n, r + off)

    if extra and missing:
        return f"reads {cells(extra, have)} where {the} needs {cells(missing, want)}"
    if missing:
        return f"does not read {cells(missing, want)}, which {the} needs"
    if extra:
        return f"also reads {cells(extra, have)}, which {the} does not use"
    return f"reads the cells {the} needs but combines them differently"


