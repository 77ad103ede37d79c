"""Find the iteration tables of a workbook and the learning rate each one uses.

A header row is recognised by its labels, however a student spells them (`E_tot`, `dE/dw1`,
`out_h1`, `target1`, ...) and in any column order; a row may hold several tables side by side and
a sheet several tables one under another. η is the cell the weight-update formulas multiply by,
or failing that a cell labelled η / eta / lr / learning rate.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .. import network as net
from .book import Book

# Normalised label -> quantity name. `_norm` lower-cases and drops spaces, `_`, `-`, `·`, `:`
# and brackets, and writes ∂ as d, so `∂E_total/∂w1`, `dE/dw1` and `dEtotal / dw1` all meet.
_PATTERNS = [
    (r"(?:t|target|targett|targeto|y)([12])", "t{}"),
    (r"(?:i|input|inputi|in|x)([12])", "i{}"),
    (r"(?:w|weight)([1-8])", "w{}"),
    (r"(?:h|neth|inh|zh|hin|hnet)([12])", "h{}"),
    (r"(?:ah|outh|outputh|σh|sigh|sigmah|sigmoidh|acth|hout|hact|ha)([12])", "a_h{}"),
    (r"h([12])(?:out|output|act|a)", "a_h{}"),
    (r"(?:o|neto|ino|zo|oin|onet)([12])", "o{}"),
    (r"(?:ao|outo|outputo|σo|sigo|sigmao|sigmoido|acto|oout|oact|oa|yhat|ŷ|pred)([12])", "a_o{}"),
    (r"o([12])(?:out|output|act|a)", "a_o{}"),
    (r"(?:e|eo|error|err|loss|l)([12])", "E{}"),
    (r"(?:e|eo|error|err|loss|l)o?([12])", "E{}"),
    (
        r"(?:etotal|etot|esum|e|total|totalerror|errortotal|error|loss|totalloss|losstotal|ltotal)()",
        "E_total",
    ),
    (r"(?:d(?:e(?:total|tot)?|l|loss|etotal)?/?d|d|grad|gradient|g)w([1-8])", "dw{}"),
]
_COMPILED = [(re.compile(f"^{p}$"), name) for p, name in _PATTERNS]
_ETA_LABELS = {"η", "eta", "lr", "learningrate", "alpha", "α", "rate", "learnrate", "stepsize"}
MIN_LABELS = 16  # a header row names at least this many quantities, four of them gradients
LOCAL_TEXT = (str,)


def _norm(text: str) -> str:
    text = text.strip().lower().replace("∂", "d").replace("𝜕", "d")
    return re.sub(r"[\s_\-·:()\[\]{}=]", "", text)


def quantity(label) -> str | None:
    """The quantity a header label names, or None: `quantity('dE/dw1') == 'dw1'`."""
    if not isinstance(label, str) or len(label) > 40:
        return None
    text = _norm(label)
    for pattern, name in _COMPILED:
        m = pattern.match(text)
        if m:
            return name.format(*m.groups())
    return None


@dataclass
class Table:
    """One iteration table: where its header is, which column holds which quantity, its rows."""

    sheet: int
    header_row: int
    columns: dict[str, int]  # quantity name -> column number
    rows: list[int] = field(default_factory=list)  # data rows, top to bottom
    helpers: dict[int, str] = field(default_factory=dict)  # other labelled columns: col -> label
    eta_key: tuple[int, int, int] | None = None
    eta_source: str = ""

    @property
    def missing(self) -> list[str]:
        return [n for n in net.NAMES if n not in self.columns]

    @property
    def corner(self) -> tuple[int, int, int]:
        return (self.sheet, self.header_row, min(self.columns.values()))

    def key(self, name: str, row: int) -> tuple[int, int, int]:
        return (self.sheet, row, self.columns[name])

    def name_at(self, key) -> str | None:
        """The quantity of a cell of this table, or None outside it."""
        s, r, c = key
        if s != self.sheet or not self.rows or not self.rows[0] <= r <= self.rows[-1]:
            return None
        return self._by_col().get(c)

    def _by_col(self) -> dict[int, str]:
        if not hasattr(self, "_col_names"):
            self._col_names = {c: n for n, c in self.columns.items()}
        return self._col_names


def find_tables(book: Book) -> list[Table]:
    """Every iteration table of the workbook, by sheet, top to bottom, left to right."""
    labels: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for (s, r, c), v in book.constants.items():
        name = quantity(v)
        if name:
            labels.setdefault((s, r), []).append((c, name))
    tables = []
    for (s, r), found in sorted(labels.items()):
        if len(found) < MIN_LABELS:
            continue
        segment: dict[str, int] = {}
        for c, name in sorted(found) + [(None, None)]:
            if name is None or name in segment:  # a repeated label starts the next table
                if _looks_like_table(segment):
                    tables.append(Table(s, r, dict(segment)))
                segment = {}
            if name is not None:
                segment[name] = c
    for table in tables:
        _find_rows(book, table)
    return tables


def _looks_like_table(segment: dict[str, int]) -> bool:
    return len(segment) >= MIN_LABELS and sum(n.startswith("dw") for n in segment) >= 4


def _find_rows(book: Book, table: Table) -> None:
    """Data rows: from just under the header, while most of the table's columns hold something."""
    s, cols = table.sheet, list(table.columns.values())

    def filled(r: int) -> int:
        return sum((s, r, c) in book.constants or (s, r, c) in book.formulas for c in cols)

    r = table.header_row + 1
    while r <= table.header_row + 3 and filled(r) * 2 < len(cols):  # a units or maths line
        r += 1
    last_row = book.extent[s][0]
    while r <= last_row and filled(r) * 2 >= len(cols):
        table.rows.append(r)
        r += 1
    left, right = min(cols), max(cols)
    for c in range(left, right + 1):
        v = book.constants.get((s, table.header_row, c))
        if c not in cols and isinstance(v, str) and v.strip():
            table.helpers[c] = v.strip()


def find_eta(book: Book, engine, table: Table) -> None:
    """Set table.eta_key: the cell the update formulas multiply by, else a cell labelled η."""
    if len(table.rows) >= 2:
        updates = [table.key(f"w{k}", table.rows[1]) for k in range(1, 9)]
        for deep in (False, True):  # the cells the updates read, then through helper cells
            votes = Counter(
                ref
                for key in updates
                for ref in set(reads(engine, table, key, deep))
                if table.name_at(ref) is None
            )
            if votes and votes.most_common(1)[0][1] >= 4:
                table.eta_key, n = votes.most_common(1)[0]
                table.eta_source = f"the cell the weight updates multiply by ({n} of 8)"
                return
    best = None
    for (s, r, c), v in book.constants.items():
        if s != table.sheet or not isinstance(v, str) or _norm(v) not in _ETA_LABELS:
            continue
        for key in ((s, r, c + 1), (s, r + 1, c)):
            if isinstance(engine.value(key), float):
                above = r <= table.header_row
                distance = (0 if above else 1, abs(table.header_row - r) + abs(c - table.corner[2]))
                if best is None or distance < best[0]:
                    best = (distance, key, v)
                break
    if best:
        table.eta_key, table.eta_source = best[1], f"the cell beside the label {best[2]!r}"


def reads(engine, table: Table, key, deep: bool = True, limit: int = 500) -> list:
    """The cells a formula reads; with `deep`, read through helper cells outside the table
    (a student's delta column, a cell holding =B3) down to table cells and constants."""
    direct = engine.refs(key)
    if not deep:
        return direct
    out, seen, todo = [], {key}, list(direct)
    while todo and len(seen) < limit:
        ref = todo.pop(0)
        if ref in seen:
            continue
        seen.add(ref)
        if table.name_at(ref) is None and ref != table.eta_key and ref in engine.book.formulas:
            todo.extend(engine.refs(ref))
        else:
            out.append(ref)
    return list(dict.fromkeys(out))
