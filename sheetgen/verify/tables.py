"""Where the iteration tables of a workbook are, and the learning rate each one uses.

A table is found two ways: a header row whose labels name many quantities (`labels.quantity`),
or a block of rows whose formulas have the shape of the update rule (a cell that reads its own
column one row up and another column one row up: `w − η·∂E/∂w`). Its columns are those that
hold numbers or formulas in its data rows, so a side list on the header row (`i1 0.05` left of
the table) never splits it. Which column holds which quantity is decided by `identify`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .. import network as net
from . import stacked
from .book import Book
from .labels import is_eta, quantity
from .updates import update_rows

MIN_HINTS = 16  # a header row that names this many different quantities is a table
MIN_SMALL = 9  # or this many, among them t, i, w and ∂E/∂w (a single neuron: 12 with a bias)
GIVEN = ("t1", "t2", "i1", "i2")
FILLED = 0.5  # a data row holds something in at least this share of the table's columns
READS = 500  # cells `reads` looks at, through helper cells, before it stops


@dataclass
class Region:
    """A block of cells that looks like an iteration table, before its columns are identified."""

    sheet: int
    header_row: int
    rows: list[int]
    columns: list[int]
    hints: dict[int, str]  # column -> the quantity its header label names
    labels: dict[int, str]  # column -> its header text
    period: int = 1  # rows per step: 1, or a block of rows per step (`stacked`)
    examples: int = 0  # with a block per step: its example rows (0: the labels tell)


@dataclass
class Table:
    """One identified iteration table: which column (or fixed cell) holds which quantity."""

    sheet: int
    header_row: int
    columns: dict[str, int]  # quantity name -> column number
    rows: list[int] = field(default_factory=list)  # data rows, top to bottom
    cells: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # name -> a fixed cell
    helpers: dict[int, str] = field(default_factory=dict)  # other labelled columns: col -> label
    eta_key: tuple[int, int, int] | None = None
    eta_source: str = ""
    problem: str = ""  # why its columns cannot be identified, in one sentence
    numbers_only: bool = False  # rows of numbers and not one formula: pasted values
    network: net.Network = net.CLASSIC  # which quantities it holds: with biases or not
    disagree: list[str] = field(default_factory=list)  # labelled columns off their template
    shown: dict[str, str] = field(default_factory=dict)  # name -> the student's own numbering
    contradicted: list[tuple[int, str, str]] = field(default_factory=list)  # col, label, is
    partial: bool = False  # holds no gradient and no update: judged on what it has
    period: int = 1  # rows per step; with a block per step a column is a place (`stacked`)

    @property
    def missing(self) -> list[str]:
        return [n for n in self.network.names if n not in self.columns and n not in self.cells]

    @property
    def present(self) -> list[str]:
        """The quantities it holds: all of the network's, or a forward pass's alone."""
        return [n for n in self.network.names if n in self.columns or n in self.cells]

    @property
    def corner(self) -> tuple[int, int, int]:
        return (self.sheet, self.header_row, min(self.columns.values(), default=1))

    def key(self, name: str, row: int, offset: int = 0) -> tuple[int, int, int]:
        """The cell of `name` in the step of `row` (`offset` steps before or after)."""
        if name in self.cells:
            return self.cells[name]
        if self.period == 1 and 0 <= (c := self.columns[name]) < stacked.STRIDE:  # a row a step
            return (self.sheet, row + offset, c)
        return stacked.cell(self.sheet, row, self.columns[name], offset, self.period)

    def step_row(self, row: int) -> int:
        """The first row of the step that row `row` is part of (itself, one row per step)."""
        if self.period == 1:
            return row
        return max((r for r in self.rows if r <= row), default=row)

    def name_at(self, key) -> str | None:
        """The quantity of a cell of this table (or of one of its fixed input cells), or None."""
        if key in self._fixed():
            return self._fixed()[key]
        s, r, c = key
        last = self.rows[-1] + self.period - 1 if self.rows else 0
        if s != self.sheet or not self.rows or not self.rows[0] <= r <= last:
            return None
        return self._by_col().get(stacked.place_of(self.rows, self.period, r, c))

    def _by_col(self) -> dict[int, str]:
        if not hasattr(self, "_col_names"):
            self._col_names = {c: n for n, c in self.columns.items()}
        return self._col_names

    def _fixed(self) -> dict[tuple, str]:
        return {k: n for n, k in self.cells.items()}


def find_regions(book: Book, engine) -> list[Region]:
    """Every block that looks like an iteration table, by sheet, top to bottom, left to right."""
    hints: dict[tuple[int, int], dict[int, str]] = {}
    for (s, r, c), v in book.constants.items():
        if (name := quantity(v)) is not None:
            hints.setdefault((s, r), {})[c] = name
    starts = {(s, r): "labels" for (s, r), found in hints.items() if _names_a_table(found)}
    for s, r in update_rows(book, engine):
        if not any(s == s2 and r - 4 <= r2 < r for s2, r2 in starts):
            starts.setdefault((s, r - 2), "updates")  # header above the first data row
    regions = []
    for (s, header), _ in sorted(starts.items()):
        regions += _regions_under(book, s, header, hints.get((s, header), {}))
    return stacked.merge(book, regions)


def _names_a_table(found: dict[int, str]) -> bool:
    """Many quantities named; or, for a smaller network (a single neuron), fewer that still
    hold a target, an input, a weight and its gradient."""
    names = set(found.values())
    kinds = {n.rstrip("0123456789") for n in names}
    return len(names) >= MIN_HINTS or len(names) >= MIN_SMALL and {"t", "i", "w", "dw"} <= kinds


def _regions_under(book: Book, s: int, header: int, hints: dict[int, str]) -> list[Region]:
    first = _first_data_row(book, s, header)
    if first is None:
        return [Region(s, header, [], sorted(hints), hints, _labels(book, s, header))]
    regions = []
    # A column the header names belongs to the table even where it is still empty (an exercise).
    for part in _split(sorted(set(_filled_columns(book, s, first)) | set(hints)), hints):
        part_hints = {c: hints[c] for c in part if c in hints}
        labels = {c: t for c, t in _labels(book, s, header).items() if c in part}
        rows = _data_rows(book, s, first, part, part_hints)
        regions.append(Region(s, header, rows, part, part_hints, labels))
    return regions


def _has(book: Book, key) -> bool:
    v = book.constants.get(key)
    return key in book.formulas or (v is not None and not isinstance(v, str))


def _first_data_row(book: Book, s: int, header: int) -> int | None:
    """The first row under the header (a units or maths line may sit between) with 8 numbers."""
    width = book.extent[s][1]
    for r in range(header + 1, header + 5):
        if sum(_has(book, (s, r, c)) for c in range(1, width + 1)) >= 8:
            return r
    return None


def _filled_columns(book: Book, s: int, first: int) -> list[int]:
    """Columns with a number or formula in most of the first rows that hold data (at most ten);
    text there is a student's mistake to report, not a reason to drop the column."""
    width = book.extent[s][1]
    probe = [first]
    while len(probe) < 10 and sum(_has(book, (s, probe[-1] + 1, c))
                                  for c in range(1, width + 1)) >= 8:
        probe.append(probe[-1] + 1)
    return [c for c in range(1, width + 1)
            if sum(_has(book, (s, r, c)) for r in probe) >= FILLED * len(probe)]


def _data_rows(book: Book, s: int, first: int, columns: list[int], hints: dict) -> list[int]:
    """Rows from `first` on while most columns hold something, or while the inputs t1, t2, i1,
    i2 do (a table whose formulas are still to be written: an exercise)."""
    given = [c for c, name in hints.items() if name in GIVEN]
    rows, r = [], first
    while r <= book.extent[s][0] and (
        sum(_has(book, (s, r, c)) for c in columns) >= FILLED * len(columns)
        or (len(given) == len(GIVEN) and all(_has(book, (s, r, c)) for c in given))
    ):
        rows.append(r)
        r += 1
    return rows


def _split(columns: list[int], hints: dict[int, str]) -> list[list[int]]:
    """Side-by-side tables: runs of columns (two empty columns may sit inside a table), and a
    new table where a label repeats."""
    parts: list[list[int]] = []
    seen: set[str] = set()
    for c in columns:
        name = hints.get(c)
        if not parts or c > parts[-1][-1] + 3 or (name in seen and _enough(parts[-1], hints)):
            parts.append([])
            seen = set()
        parts[-1].append(c)
        if name:
            seen.add(name)
    return [p for p in parts if len(p) >= 8]


def _enough(part: list[int], hints: dict[int, str]) -> bool:
    return len({hints[c] for c in part if c in hints}) >= MIN_HINTS


def _labels(book: Book, s: int, header: int) -> dict[int, str]:
    width = book.extent[s][1]
    out = {}
    for c in range(1, width + 1):
        v = book.constants.get((s, header, c))
        if isinstance(v, str) and v.strip():
            out[c] = v.strip()
    return out


def find_eta(book: Book, engine, table: Table) -> None:
    """Set table.eta_key: the cell the update formulas multiply by, else a cell labelled η."""
    if len(table.rows) >= 2:
        updates = [table.key(n, table.rows[1]) for n in table.network.updated]
        for deep in (False, True):  # the cells the updates read, then through helper cells
            votes = Counter(
                ref
                for key in updates
                for ref in set(reads(engine, table, key, deep))
                if table.name_at(ref) is None
            )
            if votes and votes.most_common(1)[0][1] >= min(4, len(updates)):
                table.eta_key, n = votes.most_common(1)[0]
                table.eta_source = (f"the cell the weight updates multiply by ({n} of "
                                    f"{len(updates)})")
                return
    best = None
    for (s, r, c), v in book.constants.items():
        if s != table.sheet or not is_eta(v):
            continue
        for key in ((s, r, c + 1), (s, r, c + 2), (s, r + 1, c)):
            if isinstance(engine.value(key), float):
                above = r <= table.header_row
                distance = (0 if above else 1, abs(table.header_row - r) + abs(c - table.corner[2]))
                if best is None or distance < best[0]:
                    best = (distance, key, v)
                break
    if best:
        table.eta_key, table.eta_source = best[1], f"the cell beside the label {best[2]!r}"


def reads_eta(engine, table: Table, key) -> bool:
    """Whether η's cell is among `reads(engine, table, key)`: at once when the formula names it
    among its first cells, which the search meets before its limit."""
    direct = engine.refs(key)
    if key != table.eta_key and table.eta_key in direct[:READS - 1]:
        return True
    return table.eta_key in reads(engine, table, key, refs=direct)


def reads(engine, table: Table, key, deep: bool = True, limit: int = READS, refs=None) -> list:
    """The cells a formula reads (or the cells `refs`); with `deep`, read through helper cells
    outside the table (a student's delta column, a cell holding =B3) down to table cells and
    constants."""
    direct = engine.refs(key) if refs is None else list(refs)
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
