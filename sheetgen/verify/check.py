"""Check one iteration table against the NumPy reference and find the cells that are wrong.

Every cell is compared with `network.iterate` started from the table's own first row and η.
Every cell is also recomputed from its template on the sheet's own upstream values ("local"
check): a cell that differs from the reference *and* from its local value has a wrong formula of
its own (a root cause); one that differs only from the reference inherited the error (the
spread). `findings.group` turns the root causes into one finding per distinct mistake.

The phases, in order: read the values (errors and text are root causes), find η, look at the
structure (pasted numbers, updates that do not read η), compare with the reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import network as net
from .evidence import number_in
from .findings import EMPTY, Cause, Finding, group
from .helpers import blame_helpers
from .numbering import contradictions
from .relu import probed_mistakes
from .tables import Table, find_eta, reads_eta
from .values import XLError
from .words import number


@dataclass
class TableResult:
    sheet: str
    header: str  # address of the header row's first labelled cell
    status: str  # pass | fail | error
    rows: int = 0
    cells: int = 0
    eta: float | None = None
    eta_cell: str | None = None
    eta_source: str = ""
    causes: list[Finding] = field(default_factory=list)
    spread: str = ""
    reason: str = ""  # why the table cannot be checked (status error)
    notes: list[str] = field(default_factory=list)  # said, but no mistake: headers belied
    wrong: list[tuple[int, int, int]] = field(default_factory=list, repr=False)  # the spread

    @property
    def name(self) -> str:
        from .book import quote_sheet

        return f"{quote_sheet(self.sheet)}!{self.header}"

    def to_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "wrong"}
        out["causes"] = [f.to_dict() for f in self.causes]
        return out


def _close(a, b, rtol: float, atol: float):
    with np.errstate(invalid="ignore"):
        return np.abs(a - b) <= atol + rtol * np.abs(b)


def local_values(values: dict[str, np.ndarray], eta: float, q: net.Quantity) -> np.ndarray:
    """The template of `q` evaluated row by row on the sheet's own values (vectorised)."""
    n = len(values[q.name])

    def ref(name: str, offset: int):
        if name == "eta":
            return float(eta)
        v = values[name]
        return np.concatenate([np.full(-offset, np.nan), v[:offset]]) if offset else v

    return np.broadcast_to(net.evaluate(q.formula, ref), (n,))


def check_table(
    engine, table: Table, rtol: float = 1e-9, atol: float = 1e-12, max_rows: int = 10_000
) -> TableResult:
    book = engine.book
    sheet = book.sheets[table.sheet]
    result = TableResult(sheet, book.address(table.corner, sheet=False), "error", len(table.rows))
    if table.numbers_only and len(table.rows) > 1:  # pasted values, whatever the columns are
        key = (table.sheet, table.rows[0], min(table.columns.values(), default=1))
        cause = Cause("pasted-table", key, None, text=(
            f"every computed cell holds a pasted number, not a formula ({len(table.rows):,} rows "
            f"from {book.address(key, sheet=False)} on)"))
        result.causes, result.status = group(engine, table, [cause]), "fail"
        return result
    result.reason = _cannot_check(table, max_rows)
    if result.reason:
        return result
    find_eta(book, engine, table)
    causes: dict[tuple, Cause] = {}
    # Headers that what the columns compute belie: a note, as the sums are right (a teacher
    # marks the maths; the reading by computation judges every cell all the same).
    result.notes = [words + "; the table is judged by what each column computes"
                    for _, words in contradictions(table)]
    if table.partial:
        result.notes.append(f"holds the forward pass only ({len(table.present)} of "
                            f"{len(table.network.names)} quantities): judged on what it has")
    values = _read_values(engine, table, causes, result.notes)
    result.cells = len(table.present) * len(table.rows)
    eta = 0.0 if table.partial else _learning_rate(engine, table, values, causes, result)
    pasted = _pasted(book, table)
    computed = table.network.computed
    if pasted and len(pasted) == sum(len(table.rows) - (q.block == 0) for q in computed):
        key = pasted[0][0]
        causes = {key: Cause("pasted-table", key, None, text=(
            f"every computed cell holds a pasted number, not a formula ({len(pasted):,} cells "
            f"from {book.address(key, sheet=False)} on)"))}
    else:
        for key, name in pasted:
            causes.setdefault(key, Cause("pasted", key, name,
                                         text="holds a pasted number, not a formula"))
        _updates_read_eta(engine, table, causes)
        for cause in probed_mistakes(engine, table):  # ReLU: right only while units stay so
            causes.setdefault(cause.key, cause)
        if eta is not None and np.isfinite(eta):
            _compare(engine, table, values, eta, causes, result, rtol, atol)
            blame_helpers(engine, table, values, causes)
    result.causes = group(engine, table, list(causes.values()))
    result.status = "fail" if result.causes else "pass"
    return result


def _cannot_check(table: Table, max_rows: int) -> str:
    if not table.rows:
        return "a header row with no data rows under it"
    if table.problem:
        return table.problem
    if len(table.rows) > max_rows:
        return f"{len(table.rows):,} rows; the limit is {max_rows:,} (see --max-rows)"
    return ""


def _read_values(engine, table: Table, causes: dict, notes: list) -> dict[str, np.ndarray]:
    """Every quantity's values as a float array (nan where a cell holds no number); errors,
    empty cells and text are root causes."""
    rows, texts = table.rows, []
    values = {name: np.full(len(rows), np.nan) for name in table.network.names}
    for name in table.present:
        column = values[name]
        for k, r in enumerate(rows):
            key = table.key(name, r)
            v = engine.value(key)
            if type(v) is float:
                column[k] = v
            elif table.network.by_name[name].block == 0 and np.isfinite(number_in(v)):
                column[k] = number_in(v)  # a given number typed as text: Excel computes with it
                texts.append(key)
            elif isinstance(v, XLError):
                origin = v.origin or key
                text = (f"is part of {v.detail}" if v.code == "#CIRC!"
                        else f"gives {v.code} ({v.detail})")
                causes.setdefault(origin, Cause("error", origin, table.name_at(origin), text=text))
            elif v is None or v == "":
                causes.setdefault(key, Cause("empty", key, name, text=EMPTY))
            elif not _inherits_text(engine, key):
                shown = f"the text {v!r}" if isinstance(v, str) else f"the value {v!r}"
                causes.setdefault(key, Cause("text", key, name,
                                             text=f"holds {shown} where a number belongs"))
    if texts:
        notes.append(f"{len(texts)} given number(s) typed as text, from "
                     f"{engine.book.address(texts[0], sheet=False)} on: read as the numbers "
                     "Excel's arithmetic makes of them")
    return values


def _inherits_text(engine, key) -> bool:
    """A formula that only passes on text it reads (`=E6` under a text cell) is no root cause."""
    return key in engine.book.formulas and any(
        isinstance(engine.value(ref), str) for ref in engine.refs(key))


def _learning_rate(engine, table: Table, values, causes: dict, result: TableResult):
    """η from its cell, or inferred from the first two rows (a root cause: typed into formulas)."""
    book, rows = engine.book, table.rows
    if table.eta_key is not None:
        v = engine.value(table.eta_key)
        result.eta_cell = book.address(table.eta_key)
        result.eta_source = table.eta_source
        if type(v) is float:
            result.eta = v
            return v
        shown = v.code if isinstance(v, XLError) else repr(v)
        causes.setdefault(table.eta_key, Cause("error", table.eta_key, None, text=(
            f"(η) holds {shown}, not a number")))
        return None
    if len(rows) >= 2 and values["dw1"][0]:
        eta = (values["w1"][0] - values["w1"][1]) / values["dw1"][0]
        result.eta, result.eta_source = eta, "inferred from w1 of the first two rows: no cell holds η"
        first = table.key("w1", rows[1])
        causes.setdefault(first, Cause("structure", first, "w1", text=(
            "multiplies by a number typed into the formula; put η in a cell of its own and "
            "read it")))
        return eta
    return None


def _pasted(book, table: Table) -> list[tuple[tuple, str]]:
    """Computed cells that hold a number instead of a formula (the first row's t, i, w aside)."""
    out = []
    for q in table.network.computed:
        if q.name not in table.present:
            continue
        for r in table.rows[1:] if q.block == 0 else table.rows:
            key = table.key(q.name, r)
            if key not in book.formulas and isinstance(book.constants.get(key), float):
                out.append((key, q.name))
    return out


def _updates_read_eta(engine, table: Table, causes: dict) -> None:
    if table.eta_key is None:
        return
    where = engine.book.address(table.eta_key, sheet=table.eta_key[0] != table.sheet)
    for name in table.network.updated:
        for r in table.rows[1:]:
            key = table.key(name, r)
            if key in engine.book.formulas and not reads_eta(engine, table, key):
                causes.setdefault(key, Cause("structure", key, name,
                                             text=f"does not read η ({where})"))


def _compare(engine, table: Table, values, eta: float, causes: dict, result: TableResult,
             rtol: float, atol: float) -> None:
    """Cells that differ from the reference; those that also differ from their own template on
    the sheet's values are root causes, the others the spread."""
    book, rows, n, network = engine.book, table.rows, len(table.rows), table.network
    ref = None if table.partial else reference_table(values, network, eta, n)
    if ref is None and not table.partial:
        return
    if table.partial:  # no update rule to follow: each row judged on its own values
        local = {q: local_values(values, eta, network.by_name[q]) for q in table.present}
        ref = {q: (np.where(np.isfinite(v) & (network.by_name[q].block > 0), v, values[q]),)
               for q, v in local.items()}
    differs = {q: np.isfinite(values[q]) & ~_close(values[q], ref[q][0], rtol, atol)
               for q in table.present}
    for quantity in network.columns:
        q = quantity.name
        if q not in table.present or table.partial and quantity.block == 0:
            continue
        local = local_values(values, eta, quantity)
        wrong = np.isfinite(values[q]) & np.isfinite(local) & ~_close(values[q], local, rtol, atol)
        if quantity.block == 0:
            wrong[0] = False  # the first row's t, i, w and b are where the reference starts
        for k in np.flatnonzero(wrong):
            key = table.key(q, rows[k])
            kind = "formula" if key in book.formulas else "pasted"
            if kind == "formula" and key in causes and causes[key].kind == "structure":
                del causes[key]  # the sentence about what it reads says more
            causes.setdefault(key, Cause(kind, key, q, float(values[q][k]), float(local[k])))
    if any(d.any() for d in differs.values()) and not causes:
        k, q = min((int(np.flatnonzero(d)[0]), network.names.index(q))
                   for q, d in differs.items() if d.any())
        q = network.names[q]
        key = table.key(q, rows[k])
        causes[key] = Cause("values", key, q, text=(
            f"is {number(float(values[q][k]))} where the reference gives "
            f"{number(float(ref[q][0][k]))}, yet every formula agrees with its own inputs; "
            f"is η = {number(eta)} right?"))
    result.wrong = list(dict.fromkeys(
        table.key(q, rows[k]) for q, d in differs.items() for k in np.flatnonzero(d)
        if table.key(q, rows[k]) not in causes))
    if result.wrong:
        hit = sorted({key[1] for key in result.wrong})
        result.spread = (f"the error spreads to {len(result.wrong):,} more cells of the table "
                         f"(rows {hit[0]} to {hit[-1]})")


def reference_table(values, network: net.Network, eta: float, n: int) -> dict | None:
    """The reference table started from the table's own first row and η (None if that row
    does not hold numbers: those cells are root causes already)."""
    start = [q.name for q in network.columns if q.block == 0]
    if not all(np.isfinite(values[q][0]) for q in start):
        return None
    first = {q: values[q][0] for q in start}

    def given(letter: str, count: int) -> list[float]:
        return [first[network.example(f"{letter}{j}", e)] for e in range(1, network.examples + 1)
                for j in range(1, count + 1)]

    return net.run(network, given("i", network.layers[0]), given("t", network.layers[-1]),
                   [first[w] for w in network.weight_names], [eta], n,
                   biases=[first[b] for b in network.bias_names] or None)


__all__ = ["Finding", "TableResult", "check_table", "local_values"]
