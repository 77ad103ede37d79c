"""How much a report tells: `--hints none|where|why|formula`.

- `none`: the verdict and the score only;
- `where`: the cells that are wrong or still empty, and which quantity they hold;
- `why`: and why, in words (the default: what a student checking their own work needs);
- `formula`: and the formula to write there (for the teacher, and the marked copies).

Below `formula` no level shows a formula the student has not written: not the one to write,
and not the part of it the student lacks ("where the chain rule needs a difference R32-A32" is
cut to "where the chain rule needs a difference"). What names a cell to read ("reads a_h1
(column J) where the chain rule needs a_h2 (column L)") stays: that is where, not a formula.
"""
from __future__ import annotations

import copy
import re

from .. import network as net

LEVELS = ("none", "where", "why", "formula")
DEFAULT = "why"

_RULES = r"(?:the chain rule|the forward pass|the update rule|copying the row above)"
_NEEDS = re.compile(rf"( where {_RULES} needs )(.*?)(?=; |$)")
_LACKS = re.compile(rf"\blacks (.*?)(, which {_RULES} needs)")
_NOUN = re.compile(r"^(a sum|a difference|a product|a quotient)\b")
# a cell as the verifier names one: `a_h2 (column L)`, `w3 3 rows up (column G)`, `η (G19)`,
# `B2 (outside the table)`: a label or an address, then where it is
_ADDRESS = r"(?:(?:'(?:[^']|'')*'|[^\s'!()*+/^&=<>-]+)!)?\$?[A-Z]{1,3}\$?\d+"
_LABEL = "|".join(re.escape(label) for label in sorted(
    set(net.LABELS.values()) | {"η"}, key=len, reverse=True))
_CELL = re.compile(rf"(?:{_LABEL}|{_ADDRESS})(?: one row up| \d+ rows (?:up|down))? "
                   rf"\((?:column [A-Z]{{1,3}}|{_ADDRESS}|outside the table)\)")
_LIST = re.compile(rf"{_CELL.pattern}(?:(?:, | and ){_CELL.pattern})*")


def _names_cells(text: str) -> bool:
    return _LIST.fullmatch(text) is not None


def _needs(m) -> str:
    head, what = m.group(1), m.group(2)
    if _names_cells(what):
        return m.group(0)
    noun = _NOUN.match(what)
    return head + (noun.group(1) if noun else "something else")


def _lacks(m) -> str:
    what = m.group(1)
    return m.group(0) if _names_cells(what) else f"lacks a part{m.group(2)}"


def words_for(words: str, fix: str) -> str:
    """The words of a finding without the parts of the right formula they quote."""
    out = _LACKS.sub(_lacks, _NEEDS.sub(_needs, words))
    if fix and _bare(fix[1:]) in _bare(out):
        return "is wrong"  # the words would give the answer away after all
    return out


def _bare(text: str) -> str:
    return re.sub(r"[\s$]", "", text)


WHERE = {"empty": "are still empty"}


def finding(f, level: str):
    """A copy of the finding as `level` shows it."""
    if level == "formula":
        return f
    fix, f = f.fix, copy.copy(f)
    f.fix, f.fixes = "", {}
    if hasattr(f, "by_row"):
        f.by_row = {}
    words = words_for(f.words, fix) if level == "why" else WHERE.get(f.kind, "is wrong")
    f.message = f.message.replace(f.words, words) if f.words else f.message
    f.words = words
    return f


def apply(result, level: str):
    """A copy of the file's result as `level` shows it (the result itself is not changed)."""
    if level == "formula":
        return result
    out = copy.copy(result)
    out.tables = []
    for t in result.tables:
        t = copy.copy(t)
        if level == "none":
            t.causes, t.spread, t.wrong = [], "", []
        else:
            t.causes = [finding(f, level) for f in t.causes]
        out.tables.append(t)
    return out
