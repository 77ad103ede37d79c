"""Where a student's formula and the right one part ways, compared as trees, by value.

Both formulas are written in the student's cells, so every part of either can be evaluated in
the wrong cell's own row. Sums are compared term by term and products factor by factor, each
matched with a part of equal value whatever its order or grouping (`a·(b·c)` meets `a·b·c`),
and the search descends into the one pair left unmatched. What remains are the parts that
really differ: `R32*A32` where the chain rule needs `R32-A32`, two such places in one formula
if a student made two mistakes there.
"""

from __future__ import annotations

from dataclasses import dataclass

from .syntax import Formula, Node

TOLERANCE = 1e-9


@dataclass
class Part:
    """Terms (of a sum) or factors (of a product) of one formula: (sign or power, node)."""

    formula: Formula
    items: list[tuple[int, Node]]
    kind: str  # sum | product | single

    def text(self) -> str:
        if not self.items:
            return ""
        out = []
        for k, (sign, node) in enumerate(self.items):
            body = self.formula.source(node)
            if self.kind == "sum":
                out.append(("-" if sign < 0 else "+" if k else "") + body)
            elif self.kind == "product":
                out.append(("/" if sign < 0 else "*" if k else "") + body)
            else:
                out.append(body)
        return "".join(out)


def differences(student: Formula, right: Formula, value) -> list[tuple[Part, Part]]:
    """(student part, right part) pairs that differ; `value(formula, node)` evaluates a part of
    either formula in the cell (None where it errs). Empty parts mean a missing or extra term."""
    out: list[tuple[Part, Part]] = []
    _diff(student, student.root, right, right.root, value, out)
    return out


def _close(a, b) -> bool:
    return a is not None and b is not None and abs(a - b) <= 1e-12 + TOLERANCE * abs(b)


def _unwrap(node: Node) -> Node:
    while node.kind == "paren":
        node = node.args[0]
    return node


def _flatten(node: Node, ops: str, sign: int = 1, groups: bool = True,
             top: bool = True) -> list[tuple[int, Node]]:
    """The terms of a sum (ops '+-') or factors of a product (ops '*/'); with `groups`,
    parenthesised groups are opened too. Each part keeps its own parentheses, so its text reads
    as the student wrote it."""
    inner = _unwrap(node)
    if (top or groups or inner is node) and inner.kind == "chain" and inner.value[0] in ops:
        out = []
        signs = [1] + [1 if op in "+*" else -1 for op in inner.value]
        for s, arg in zip(signs, inner.args):
            out += _flatten(arg, ops, sign * s, groups, top=False)
        return out
    if inner.kind == "neg" and ops == "+-" and (top or groups or inner is node):
        return _flatten(inner.args[0], ops, -sign, groups, top=False)
    return [(sign, node)]


def _kind(node: Node) -> str:
    node = _unwrap(node)
    if node.kind == "chain":
        return "sum" if node.value[0] in "+-" else "product"
    return "sum" if node.kind == "neg" else "single"


def _diff(fs: Formula, s: Node, fc: Formula, c: Node, value, out) -> None:
    if _close(value(fs, s), value(fc, c)):
        return
    kind = _kind(c) if _kind(c) != "single" else _kind(s)
    if kind == "single":
        out.append((Part(fs, [(1, s)], "single"), Part(fc, [(1, c)], "single")))
        return
    ops = "+-" if kind == "sum" else "*/"
    for groups in (False, True):  # the student's groups as units first, then opened
        left_s, left_c = _unmatched(fs, _flatten(s, ops, groups=groups), fc,
                                    _flatten(c, ops, groups=groups), value)
        if len(left_s) == len(left_c):
            break
    if len(left_s) == 1 and len(left_c) == 1 and left_s[0][1] is s and left_c[0][1] is c:
        out.append((Part(fs, left_s, "single"), Part(fc, left_c, "single")))
        return
    if len(left_s) == len(left_c) and all(a[0] == b[0] for a, b in zip(left_s, left_c)):
        for (_, a), (_, b) in _pairs(fs, left_s, fc, left_c, value):
            _diff(fs, a, fc, b, value, out)  # the same number of parts: each pair on its own
    elif left_s or left_c:
        out.append((Part(fs, left_s, kind), Part(fc, left_c, kind)))


def _unmatched(fs, left_s, fc, left_c, value):
    """The parts of either side left when parts of equal value (and sign) are paired off."""
    left_s, left_c = list(left_s), list(left_c)
    for item in list(left_c):
        sign, node = item
        v = value(fc, node)
        for other in left_s:
            if other[0] == sign and _close(value(fs, other[1]), v):
                left_s.remove(other)
                left_c.remove(item)
                break
    return left_s, left_c


def _pairs(fs, left_s, fc, left_c, value):
    """Unmatched parts paired by likeness: how many of their own factors or terms agree."""
    pairs, free = [], list(left_s)
    for item in left_c:
        best = max(free, key=lambda other: _likeness(fs, other[1], fc, item[1], value))
        free.remove(best)
        pairs.append((best, item))
    return pairs


def _likeness(fs, s: Node, fc, c: Node, value) -> int:
    ops = "+-" if _kind(c) == "sum" else "*/"
    mine = [value(fs, n) for _, n in _flatten(s, ops)]
    return sum(any(_close(v, value(fc, n)) for v in mine) for _, n in _flatten(c, ops))
