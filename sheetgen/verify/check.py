"""Check one iteration table against the NumPy reference and find its root causes.

Every cell is compared with `network.iterate` started from the table's own first row and η.
Every cell is also recomputed from its template on the sheet's own upstream values ("local"
check): a cell that differs from the reference *and* from its local value has a wrong formula of
its own; one that differs only from the reference inherited the error. Root causes are the former,
earliest row first; the latter are counted once as the spread.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .. import network as net
from .diagnose import explain, label, number
from .functions import XLError
from .tables import Table, find_eta, reads

ORDER = {name: k for k, name in enumerate(net.NAMES)}


@dataclass
class Finding:
    """One root cause: `cell` is the full address, `message` the sentence shown to people."""

    kind: str  # formula | pasted | error | text | structure | values
    cell: str
    message: str
    row: int = 0
    order: int = 0


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

    @property
    def name(self) -> str:
        from .book import quote_sheet

        return f"{quote_sheet(self.sheet)}!{self.header}"

    def to_dict(self) -> dict:
        return asdict(self)


def _close(a, b, rtol: float, atol: float):
    with np.errstate(invalid="ignore"):
        return np.abs(a - b) <= atol + rtol * np.abs(b)


def local_values(
    values: dict[str, np.ndarray], eta: float, name: str, helpers: bool = False
) -> np.ndarray:
    """The template of `name` evaluated row by row on the sheet's own values (vectorised)."""
    n = len(values[name])
    env = {}

    def ref(q: str, offset: int) -> str:
        if q == "eta":
            return repr(float(eta))
        v = values[q]
        if offset:
            v = np.concatenate([np.full(-offset, np.nan), v[:offset]])
        env[f"_{len(env)}"] = v
        return f"_{len(env) - 1}"

    expr = net.render(net.BY_NAME[name].formula, ref)
    with np.errstate(all="ignore"):
        out = eval(expr, {"__builtins__": {}, "EXP": np.exp}, env)
    return np.broadcast_to(np.asarray(out, dtype=float), (n,))


def check_table(
    engine, table: Table, rtol: float = 1e-9, atol: float = 1e-12, max_rows: int = 10_000
) -> TableResult:
    book = engine.book
    sheet = book.sheets[table.sheet]
    result = TableResult(sheet, book.address(table.corner, sheet=False), "error", len(table.rows))
    if not table.rows:
        result.reason = "a header row with no data rows under it"
        return result
    if table.problem:
        result.reason = table.problem
        return result
    if len(table.rows) > max_rows:
        result.reason = f"{len(table.rows):,} rows; the limit is {max_rows:,} (see --max-rows)"
        return result

    find_eta(book, engine, table)
    rows, n = table.rows, len(table.rows)
    causes: dict[tuple, Finding] = {}

    def cause(kind: str, key, message: str, name: str | None = None) -> None:
        if key not in causes:
            order = ORDER.get(name, 100 + key[2]) if key[0] == table.sheet else -1
            causes[key] = Finding(kind, book.address(key), message, key[1], order)

    # --- values, errors and text -------------------------------------------------------------
    values = {name: np.full(n, np.nan) for name in net.NAMES}
    for name in net.NAMES:
        column = values[name]
        for k, r in enumerate(rows):
            key = table.key(name, r)
            v = engine.value(key)
            if type(v) is float:
                column[k] = v
            elif isinstance(v, XLError):
                origin = v.origin or key
                where = label(book, table, origin, origin[1])
                if v.code == "#CIRC!":
                    cause("error", origin, f"{where} is part of {v.detail}", table.name_at(origin))
                else:
                    cause(
                        "error",
                        origin,
                        f"{where} gives {v.code} ({v.detail})",
                        table.name_at(origin),
                    )
            elif v is None or v == "":
                cause(
                    "text",
                    key,
                    f"{label(book, table, key, r)} is empty where a number belongs",
                    name,
                )
            else:
                shown = f"the text {v!r}" if isinstance(v, str) else f"the value {v!r}"
                cause(
                    "text",
                    key,
                    f"{label(book, table, key, r)} holds {shown} where a number belongs",
                    name,
                )
    result.cells = 31 * n

    # --- η ------------------------------------------------------------------------------------
    eta = None
    if table.eta_key is not None:
        v = engine.value(table.eta_key)
        result.eta_cell = book.address(table.eta_key)
        result.eta_source = table.eta_source
        if type(v) is float:
            eta = v
        else:
            shown = v.code if isinstance(v, XLError) else repr(v)
            cause(
                "error",
                table.eta_key,
                f"η in {book.address(table.eta_key)} holds {shown}, not a number",
            )
    elif n >= 2 and values["dw1"][0]:
        eta = (values["w1"][0] - values["w1"][1]) / values["dw1"][0]
        result.eta_source = "inferred from w1 of the first two rows: no cell holds η"
        first = table.key("w1", rows[1])
        cause(
            "structure",
            first,
            f"{label(book, table, first, rows[1])} multiplies by a number typed "
            "into the formula; put η in a cell of its own and read it",
            "w1",
        )
    result.eta = eta

    # --- structure: live formulas, updates that read η ------------------------------------------
    pasted = []
    for q in net.COMPUTED:
        for r in rows[1:] if q.block == 0 else rows:
            key = table.key(q.name, r)
            if key not in book.formulas and isinstance(book.constants.get(key), float):
                pasted.append((key, q.name))
    if pasted and len(pasted) == sum(n - 1 if q.block == 0 else n for q in net.COMPUTED):
        key = pasted[0][0]
        result.causes = [
            Finding(
                "pasted",
                book.address(key),
                f"every computed cell holds a pasted number, not a formula "
                f"({len(pasted):,} cells from {book.address(key, sheet=False)} on)",
                key[1],
            )
        ]
        result.status = "fail"
        return result
    for key, name in pasted:
        cause(
            "pasted",
            key,
            f"{label(book, table, key, key[1])} holds a pasted number, not a formula",
            name,
        )
    if table.eta_key is not None:
        for k in range(1, 9):
            for r in rows[1:]:
                key = table.key(f"w{k}", r)
                if key in book.formulas and table.eta_key not in reads(engine, table, key):
                    cause(
                        "structure",
                        key,
                        f"{label(book, table, key, r)} does not read η "
                        f"({book.address(table.eta_key, sheet=table.eta_key[0] != table.sheet)})",
                        f"w{k}",
                    )

    # --- compare with the reference, and each cell with its own inputs -------------------------
    start_ok = all(np.isfinite(values[q][0]) for q in ("t1", "t2", "i1", "i2", *net.WEIGHT_NAMES))
    if eta is not None and np.isfinite(eta) and start_ok:
        ref = net.iterate(
            [values["i1"][0], values["i2"][0]],
            [values["t1"][0], values["t2"][0]],
            [values[w][0] for w in net.WEIGHT_NAMES],
            [eta],
            n,
        )
        differs = {
            q: np.isfinite(values[q]) & ~_close(values[q], ref[q][0], rtol, atol) for q in net.NAMES
        }
        for q in net.NAMES:
            local = local_values(values, eta, q)
            wrong = (
                np.isfinite(values[q]) & np.isfinite(local) & ~_close(values[q], local, rtol, atol)
            )
            if net.BY_NAME[q].block == 0:
                wrong[0] = False  # the first row's t, i and w are where the reference starts
            for k in np.flatnonzero(wrong):
                key = table.key(q, rows[k])
                kind = "formula" if key in book.formulas else "pasted"
                if kind == "formula" and key in causes and causes[key].kind == "structure":
                    del causes[key]  # the sentence about what it reads says more
                cause(
                    kind,
                    key,
                    explain(engine, table, key, q, float(values[q][k]), float(local[k])),
                    q,
                )
        n_diff = int(sum(d.sum() for d in differs.values()))
        if n_diff and not causes:
            k, order = min(
                (int(np.flatnonzero(d)[0]), ORDER[q]) for q, d in differs.items() if d.any()
            )
            q = net.NAMES[order]
            key = table.key(q, rows[k])
            cause(
                "values",
                key,
                f"{label(book, table, key, rows[k])} is {number(float(values[q][k]))} "
                f"where the reference gives {number(float(ref[q][0][k]))}, yet every formula "
                f"agrees with its own inputs; is η = {number(eta)} right?",
                q,
            )
        later = n_diff - sum(
            1
            for key in causes
            if key[0] == table.sheet
            and (name := table.name_at(key))
            and differs[name][rows.index(key[1])]
        )
        if later > 0:
            hit = [rows[k] for d in differs.values() for k in np.flatnonzero(d)]
            result.spread = (
                f"the error spreads to {later:,} more cells of the table "
                f"(rows {min(hit)} to {max(hit)})"
            )

    result.causes = sorted(causes.values(), key=lambda f: (f.row, f.order))
    result.status = "fail" if result.causes else "pass"
    return result
