"""Which column of a table holds which quantity, decided by what its cells compute.

A header label is a hint. The passes below settle each quantity of `network.COLUMNS`, each pass
using what the earlier ones settled, until nothing changes:

1. labels:      a label that names exactly one column of the region;
2. updates:     a weight column's update `w − η·g` reads its gradient column g;
3. computation: a column whose values equal a quantity's template evaluated on the columns
                already identified (σ of h1, w1·i1 + w2·i2, ½(t1−a_o1)², ...) is that quantity;
4. solving:     a quantity whose template reads columns not yet identified names them, when
                exactly one choice among the remaining columns (or the cells it reads outside
                the table: inputs typed once above it) makes its values come out;
5. given cells: a column whose template one cell outside the table completes (a target typed
                once above it) names both (`candidates`);
6. structure:   when nothing else moves, a layer of the network named from its shape alone
                (`layers`: the weights update themselves, a net input is w·x + w·x);
7. elimination: one quantity and one column left.

Values are compared on the first PROBE data rows, where students' formulas are most often right
(`evidence`). A region is read as each network it may hold (`shapes`), each three ways: labels as
they say; weights renumbered by what the forward formulas do with them (`numbering`); and labels
that disagree with their columns set aside (swapped headers). The reading kept is the one where
the most columns agree with their templates.
"""

from __future__ import annotations

import itertools

import numpy as np

from .. import network as net
from . import layers, numbering, stacked
from .book import Book
from .candidates import given_cells, originals
from .evidence import Evidence, matches
from .shapes import NETS, networks
from .tables import Region, Table
from .updates import is_update


def identify(book: Book, engine, region: Region) -> Table:
    """A Table for the region; `table.problem` says in one sentence what could not be told.

    The region is read as each network in turn (classic, with biases, with trained biases), and
    each network three ways: labels taken as they say; weights numbered by what the forward
    formulas do with them (a student's own numbering); and, besides, the labels of columns that
    disagree with their template set aside (swapped headers). The reading kept is one where
    every quantity has a column (or a cell) and the most templates agree with their columns,
    then the one that contradicts the fewest labels: a table with biases read as the classic one
    would have every net input disagree."""
    readings, memo = [], {}
    for group in networks(region):
        if readings:  # the networks of the group that explain what the readings so far do not
            group = _explaining(book, engine, region, group, readings, memo)
        for network in group:
            readings += _readings(book, engine, region, network, memo)
            if _full(*readings[-1]):
                break  # complete, and every column behaves: no other reading can do better
    complete = [r for r in readings if not r[0].missing]
    if complete:  # max keeps the first of equals: the classic network, labels as they say
        return max(complete, key=lambda r: (r[1], -len(r[0].contradicted),
                                            _labels_used(r[0], region)))[0]
    return min(readings, key=lambda r: len(r[0].missing))[0]


def _readings(book: Book, engine, region: Region, network: net.Network, memo: dict) -> list:
    """The region read as `network`: labels as they say, then (where some disagree with what
    their columns compute) the weights renumbered, and the doubted labels set aside; a full
    reading, if any, comes last."""
    plain = _identify(book, engine, region, network, memo)
    out = [plain]
    doubted = frozenset(plain[0].disagree)
    if not _full(*plain) and doubted & NETS:  # a net input off its template: renumbered?
        out.append(_identify(book, engine, region, network, memo, True))
    if not _full(*out[-1]) and doubted:  # labels off their columns: headers swapped?
        out.append(_identify(book, engine, region, network, memo, True, doubted))
    return out


def _explaining(book: Book, engine, region: Region, group, readings, memo: dict) -> tuple:
    """The networks of the next group (another loss; another activation) worth reading the
    region as: none where a reading so far is complete and its computed columns all agree with
    their templates; else those whose activation and loss make the best reading's disagreeing
    columns (its loss columns E1.., or with another activation any but the gradients) agree,
    every bias mode of them; the whole group where no reading so far is complete."""
    complete = [t for t, _ in readings if not t.missing]
    if not complete:
        return group
    table = max(complete, key=lambda t: -len(t.disagree))
    kinds = {(n.activation, n.loss) for n in group if _explains(book, engine, region, table, n,
                                                               memo)}
    return tuple(n for n in group if (n.activation, n.loss) in kinds)


def _explains(book: Book, engine, region: Region, table: Table, other: net.Network,
              memo: dict) -> bool:
    """Whether `other` (of the table's shape and biases) makes the table's disagreeing columns
    agree: its loss columns for another loss, its forward columns too for another activation
    (with the table's own loss unless its loss columns disagree)."""
    mine = table.network
    if (other.layers, other.biases, other.trained) != (mine.layers, mine.biases, mine.trained):
        return False
    activation = other.activation != mine.activation
    names = [n for n in table.disagree if n in table.columns and (
        n[0] == "E" and n != "E_total" or activation and not n.startswith("d"))]
    if not names or other.loss != mine.loss and not any(n[0] == "E" for n in names):
        return False  # nothing to explain, or another loss where the losses agree already
    ev = Evidence(book, engine, region, other, memo)
    ev.where = {**table.columns, **table.cells}
    return all((p := ev.predict(n)) is not None and ev.matches(p, ev.column(table.columns[n]))
               for n in names)


def _full(table: Table, agree: int) -> bool:
    return not table.missing and agree == sum(not q.is_updated for q in table.network.columns)


def _labels_used(table: Table, region: Region) -> int:
    """How many header labels a reading takes as they say: what breaks a tie where nothing is
    computed yet (a blank exercise's ∂E/∂b1 column is only a label)."""
    return sum(table.columns.get(name) == c for c, name in region.hints.items())


def _identify(book: Book, engine, region: Region, network: net.Network, memo: dict,
              renumber: bool = False, distrust: frozenset = frozenset()) -> tuple[Table, int]:
    ev = Evidence(book, engine, region, network, memo)
    _labels(ev, distrust)
    progress = True
    while progress:
        progress = (_updates(ev) | _computed(ev) | _solved(ev) or given_cells(ev)
                    or renumber and numbering.renumber(ev) or layers.settle(ev))
    _eliminate(ev)
    columns = {n: w for n, w in ev.where.items() if not isinstance(w, tuple)}
    cells = {n: w for n, w in ev.where.items() if isinstance(w, tuple)}
    helpers = {c: t for c, t in region.labels.items() if c not in columns.values()}
    table = Table(region.sheet, region.header_row, columns, list(region.rows), cells, helpers)
    table.network, table.period = network, region.period
    table.numbers_only = not any(ev.key(r, c) in book.formulas for r in region.rows
                                 for c in region.columns)
    table.problem = _problem(ev, table)
    table.disagree = _disagree(ev)
    if not table.missing or table.partial:
        numbering.name_as_student(table, region, ev.renumbered)
    return table, _agreement(ev)


def _disagree(ev: Evidence) -> list[str]:
    """The computed quantities whose column (where a label put it) disagrees with its template."""
    out = []
    for q in ev.network.computed:
        where = ev.where.get(q.name)
        if isinstance(where, int) and not q.is_updated and ev.region.hints.get(where) == q.name:
            predicted = ev.predict(q.name)
            if predicted is not None and not ev.matches(predicted, ev.column(where)):
                out.append(q.name)
    return out


def _agreement(ev: Evidence) -> int:
    """How many columns behave as their quantity does in the first rows: a computed one agrees
    with its template, a given one holds the same number in every row."""
    count = 0
    for q in ev.network.columns:
        where = ev.where.get(q.name)
        if q.is_updated or where is None:
            continue
        if q.is_input:
            v = ev.values(q.name)
            count += bool(v.size and np.isfinite(v).all() and np.all(v == v[0]))
        elif isinstance(where, int):
            predicted = ev.predict(q.name)
            count += predicted is not None and ev.matches(predicted, ev.column(where))
    return count


def _labels(ev: Evidence, distrust: frozenset = frozenset()) -> None:
    counts: dict[str, list[int]] = {}
    for c, name in ev.region.hints.items():
        if name in ev.network.by_name and name not in distrust:  # a label of another network says nothing here
            counts.setdefault(name, []).append(c)
    for name, cols in counts.items():
        if len(cols) == 1:
            ev.where[name] = cols[0]


def _updates(ev: Evidence) -> bool:
    """A labelled weight's (or trained bias's) update names its gradient column, unless that
    column's own label names another gradient (then the update is the mistake, reported later)."""
    changed = False
    for w in ev.network.updated:
        g = "d" + w
        if g in ev.where or not isinstance(ev.where.get(w), int) or len(ev.rows) < 2:
            continue
        read = _gradient_read(ev, ev.where[w])
        hint = ev.region.hints.get(read)  # a renumbered weight's gradient has its own label
        if read in ev.free_columns() and (hint in (None, g) or w in ev.renumbered):
            ev.where[g], changed = read, True
    return changed


def _gradient_read(ev: Evidence, c: int) -> int | None:
    """The column (other than its own) that the update formula of column `c` reads one row up,
    in the first data rows after the first."""
    for r in ev.rows[1:3]:
        key = ev.key(r, c)
        if key in ev.book.formulas and is_update(ev.engine, key):
            others = {x[2] for x in ev.engine.refs(key) if x[0] == ev.s and x[1] == r - 1} - {c}
            if len(others) == 1:
                return others.pop()
    return None


def _computed(ev: Evidence) -> bool:
    """Columns whose values equal a quantity's template on the settled columns."""
    changed = False
    for q in ev.network.columns:
        name = q.name
        if name in ev.where or q.is_input or q.is_updated:
            continue
        predicted = ev.predict(name)
        free = ev.free_columns()
        if predicted is None or not free:
            continue
        # every free column against the prediction at once
        hit = matches(predicted[None, :], np.stack([ev.column(c) for c in free]), len(ev.rows))
        found = [c for c, ok in zip(free, hit) if ok]
        if len(found) > 1:  # a column that computes it beats a pasted copy of its numbers
            found = [c for c in found if ev.key(ev.rows[0], c) in ev.book.formulas]
        if len(found) > 1:  # and a formula that copies another of them (`=N14`)
            found = originals(ev, found)
        if len(found) == 1:
            ev.where[name], changed = found[0], True
    return changed


def _solved(ev: Evidence) -> bool:
    """A settled quantity whose template reads one or two unsettled quantities names them."""
    changed = False
    for q in ev.network.columns:
        name = q.name
        if name not in ev.where or isinstance(ev.where[name], tuple) or q.is_updated:
            continue
        unknown = [n for n, _ in q.refs() if n not in ev.where and n != "eta"]
        if not 1 <= len(unknown) <= 2:
            continue
        choice = _one(ev, _solutions(ev, name, unknown))
        if choice is not None:
            ev.where.update(zip(unknown, choice))
            changed = True
    return changed


def _solutions(ev: Evidence, name: str, unknown: list[str]) -> list[tuple]:
    """The choices of columns for `unknown` that make the template of `name` give its column:
    every choice tried at once (one evaluation on stacked columns), and the answer kept for
    the other readings of the region (the same search recurs in each)."""
    pool = list(_candidates(ev, unknown))
    known = tuple((n, ev.where[n]) for n, _ in ev.network.by_name[name].refs() if n in ev.where)
    key = ("solve", ev.network.by_name[name].formula, ev.where[name], known, tuple(unknown),
           tuple(pool))
    if key not in ev.memo:
        predicted = ev.predict_choices(name, unknown, pool)
        actual = ev.column(ev.where[name])
        hit = () if predicted is None else matches(predicted, actual[None, :], len(ev.rows))
        ev.memo[key] = [c for c, ok in zip(pool, hit) if ok]
    return ev.memo[key]


def _candidates(ev: Evidence, unknown: list[str]):
    """Ordered choices of distinct free columns (and, for inputs, cells outside the table)."""
    pools = []
    for name in unknown:
        pool: list[object] = ev.free_columns()
        if ev.network.by_name[name].is_input:
            pool = pool + ev.outside_cells()
        pools.append(pool)
    for choice in itertools.product(*pools):
        if len(set(choice)) == len(choice):
            yield choice


def _one(ev: Evidence, choices: list[tuple]):
    """The single choice; among several, the leftmost when all of them give the same values
    (t1 = t2 = 0.5 cannot be told apart by what they compute, and need not be)."""
    if len(choices) <= 1:
        return choices[0] if choices else None
    seen = {tuple(tuple(np.round(ev.at(w), 15)) for w in choice) for choice in choices}
    return min(choices, key=_order) if len(seen) == 1 else None


def _order(choice: tuple) -> tuple:
    """Columns left to right, then cells outside the table."""
    return tuple((1, *w) if isinstance(w, tuple) else (0, w) for w in choice)


def _eliminate(ev: Evidence) -> None:
    missing = [n for n in ev.network.names if n not in ev.where]
    free = [c for c in ev.free_columns() if c not in ev.region.hints]
    if len(missing) == 1 and len(free) == 1:
        ev.where[missing[0]] = free[0]


def _forward_only(ev: Evidence, missing: list[str]) -> bool:
    """A table of the forward pass alone: it lacks gradients only, and no column of it updates
    a weight (or is labelled as a gradient) that could be one."""
    if not all(n.startswith("d") for n in missing) or len(missing) < len(ev.network.updated):
        return False
    if any(ev.region.hints.get(c, "").startswith("d") for c in ev.free_columns()):
        return False
    return not any(is_update(ev.engine, ev.key(r, c)) for r in ev.rows[1:3]
                   for c in ev.region.columns)


def _problem(ev: Evidence, table: Table) -> str:
    if table.numbers_only and len(table.rows) == 1:
        return ("a header over one row of numbers and no formula: nothing computes the "
                "network yet (an unfilled template?)")
    missing = table.missing
    if not missing or not table.rows:
        return ""
    if _forward_only(ev, missing):
        table.partial = True  # judged on what it has: the forward pass
        return ""
    shown = ", ".join(net.label_of(n) for n in missing[:8]) + ("…" if len(missing) > 8 else "")
    free = [c for c in ev.free_columns() if c not in table.helpers or c in ev.region.labels]
    if not free:
        return (f"a table of {len(table.columns)} of the 31 quantities; no column holds {shown} "
                "(none is labelled so or computes it)")
    where = ", ".join(
        f"{stacked.letter(c)}" + (f" ({ev.region.labels[c][:20]!r})" if c in ev.region.labels
                                     else "")
        for c in free[:4]
    )
    return (f"cannot tell which column holds {shown}: column(s) {where} neither carry such a "
            "label nor compute it from the other columns")

