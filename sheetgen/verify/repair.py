"""The smallest edit that makes a student's formula right: the precise words for a mistake.

Most wrong cells differ from the right formula by one edit of the student's own text: a reference
to the wrong cell, a wrong operator, a missing pair of parentheses, a factor too many or too few.
`repair` tries such edits, cheapest first, and accepts one when the edited formula both computes
the right value in that cell and reads exactly the quantities the rule needs (so two columns
that happen to hold equal values, t1 = t2 = 0.5, never make a wrong edit look right).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from openpyxl.formula.tokenizer import Token, Tokenizer

MAX_TOKENS = 80  # longer formulas are explained by comparing trees instead
OPERATORS = ("+", "-", "*", "/")


@dataclass
class Edit:
    kind: str  # reference | operator | parentheses | extra | missing
    text: str  # the repaired formula, in the student's own style
    old: str = ""  # the part of the student's formula that changes
    new: str = ""  # what it becomes


def repair(formula: str, check, needed_cells: list[str], extra: dict[str, list[int]]) -> Edit | None:
    """The first single edit of `formula` for which `check(text)` is true.

    `needed_cells`: addresses (as the edit should write them) of cells the rule needs that the
    formula does not read; `extra`: for each cell it reads that the rule does not need, the
    indexes of the tokens that read it (among the tokens that are not spaces)."""
    try:
        everything = Tokenizer(formula).items
    except Exception:  # noqa: BLE001 - unreadable text is explained elsewhere
        return None
    tokens = _Tokens(everything)
    if len(tokens) > MAX_TOKENS:
        return None
    for edit in _edits(tokens, needed_cells, extra):
        if check(edit.text):
            return edit
    return None


class _Tokens:
    """The tokens that are not spaces, and edits of the text that keep the student's spaces."""

    def __init__(self, everything: list[Token]):
        self.all = everything
        self.at = [k for k, t in enumerate(everything) if t.type != Token.WSPACE]

    def __len__(self) -> int:
        return len(self.at)

    def __getitem__(self, k: int) -> Token:
        return self.all[self.at[k]]

    def value(self, k: int) -> str:
        return self[k].value

    def span(self, a: int, b: int) -> str:
        """The student's text of tokens a..b-1, spaces inside kept."""
        return "".join(t.value for t in self.all[self.at[a] : self.at[b - 1] + 1]).strip()

    def edited(self, a: int, b: int, parts: list[str]) -> str:
        """The formula with tokens a..b-1 replaced by `parts`."""
        start = self.at[a] if a < len(self) else len(self.all)
        stop = self.at[b - 1] + 1 if b > a else start
        keep = [t.value for t in self.all]
        return "=" + "".join(keep[:start] + parts + keep[stop:])


def _edits(tokens: _Tokens, needed: list[str], extra: dict[str, list[int]]):
    n = len(tokens)
    yield from _substitutions(tokens, needed, extra)  # references to the wrong cells
    for k in range(n):  # the wrong operator
        if _is_op(tokens[k]):
            a, b = _operand_start(tokens, k - 1), _operand_end(tokens, k + 1)
            for op in OPERATORS:
                if op != tokens.value(k):
                    new = tokens.span(a, k) + op + tokens.span(k + 1, b)
                    yield Edit("operator", tokens.edited(k, k + 1, [op]), tokens.span(a, b), new)
    for k in sorted(k for ks in extra.values() for k in ks):  # a factor or term too many
        for a, b, op in ((k - 1, k + 1, k - 1), (k, k + 2, k + 1)):
            if 0 <= a and b <= n and _is_op(tokens[op]):
                yield Edit("extra", tokens.edited(a, b, []), tokens.value(k), "")
    for cell in needed:  # a factor too few
        yield Edit("missing", tokens.edited(n, n, [f"*{cell}"]), "", cell)
    yield from _parentheses(tokens)


def _substitutions(tokens: _Tokens, needed: list[str], extra: dict[str, list[int]]):
    """Every reading of each wrong cell replaced by a needed cell: one cell or up to three at
    once (a_o1 and t1 where a_o2 and t2 belong), each cell everywhere the formula reads it."""
    wrong = list(extra)[:3]
    for size in range(1, min(len(wrong), len(needed)) + 1):
        for old in itertools.combinations(wrong, size):
            for new in itertools.permutations(needed, size):
                parts = {k: cell for o, cell in zip(old, new) for k in extra[o]}
                text = "=" + "".join(
                    parts.get(_index(tokens, j), t.value) for j, t in enumerate(tokens.all))
                yield Edit("reference", text, " ".join(old), " ".join(new))


def _index(tokens: _Tokens, j: int) -> int | None:
    """The index among the tokens that are not spaces of the j-th token of all."""
    if not hasattr(tokens, "_back"):
        tokens._back = {a: k for k, a in enumerate(tokens.at)}
    return tokens._back.get(j)


def _is_op(t: Token) -> bool:
    return t.type == Token.OP_IN and t.value in OPERATORS


def _operand_start(tokens: _Tokens, k: int) -> int:
    """The first token of the operand (a cell, a number, a group or a call) ending at `k`."""
    depth = 0
    while k >= 0:
        t = tokens[k]
        depth += (t.subtype == Token.CLOSE) - (t.subtype == Token.OPEN)
        if depth == 0:
            return k
        k -= 1
    return 0


def _operand_end(tokens: _Tokens, k: int) -> int:
    """One past the last token of the operand starting at `k`."""
    depth = 0
    while k < len(tokens):
        t = tokens[k]
        depth += (t.subtype == Token.OPEN) - (t.subtype == Token.CLOSE)
        if depth == 0:
            return k + 1
        k += 1
    return len(tokens)


def _parentheses(tokens: _Tokens):
    """A pair of parentheses around every run of tokens that could be a group."""
    n = len(tokens)
    starts = [k for k in range(n) if tokens[k].type in (Token.OPERAND, Token.OP_PRE)
              or tokens[k].subtype == Token.OPEN]
    ends = [k for k in range(n) if tokens[k].type == Token.OPERAND
            or tokens[k].subtype == Token.CLOSE]
    for a in starts:
        for b in ends:
            if b > a and _balanced(tokens, a, b + 1):
                inside = tokens.span(a, b + 1)
                text = tokens.edited(a, b + 1, ["(" + inside + ")"])
                yield Edit("parentheses", text, inside, f"({inside})")


def _balanced(tokens: _Tokens, a: int, b: int) -> bool:
    """Tokens a..b-1 form a group: parentheses balanced, no argument separator at the top
    (`V6,V6` of `SUM(V6,V6)` is two arguments, not one operand to put in parentheses)."""
    depth = 0
    for k in range(a, b):
        t = tokens[k]
        depth += (t.subtype == Token.OPEN) - (t.subtype == Token.CLOSE)
        if depth < 0 or (depth == 0 and t.type == Token.SEP):
            return False
    return depth == 0
