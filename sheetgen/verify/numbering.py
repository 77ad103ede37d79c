"""A student's own numbering of the weights, and header labels that what a column computes
contradicts.

The numbering of the weights is the student's choice; which connection a weight serves is what
its forward formula does with it. `renumber` names a layer's weight columns by the net inputs
they make (`h1 = w1·i1 + w2·i2` whatever the headers call them), once the labels leave a net
input of that layer disagreeing with its template; each weight's gradient is then the column
its update reads. `name_as_student` keeps the student's names for the words of the report where
their numbering is consistent, and lists the labels the reading contradicts (swapped headers).
"""

from __future__ import annotations

import itertools

MAX_WEIGHTS = 6  # a layer with more weights is not renumbered (720 orders at most)


def renumber(ev) -> bool:
    """Rename the weight columns of the first layer whose net inputs disagree with the labels'
    numbering, when exactly one assignment of those columns makes every net input agree."""
    network = ev.network
    for layer in range(1, network.depth + 1):
        nets, weights = network.units(layer), list(network.layer_weights(layer))
        if len(weights) > MAX_WEIGHTS:
            continue
        if ev.renumbered & set(weights) or not all(
                isinstance(ev.where.get(n), int) for n in (*nets, *weights)):
            continue
        actual = {n: ev.column(ev.where[n]) for n in nets}
        if _agree(ev, nets, actual, {}):
            continue
        columns = [ev.where[w] for w in weights]
        good = [p for p in itertools.permutations(columns)
                if _agree(ev, nets, actual, dict(zip(weights, p)))]
        if len(good) != 1:
            continue  # none: a mistake in a formula; several: the values cannot tell
        ev.where.update(zip(weights, good[0]))
        ev.renumbered.update(weights)
        for w in weights:  # each gradient is what its weight's update reads
            ev.where.pop("d" + w, None)
        return True
    return False


def _agree(ev, nets, actual, trial) -> bool:
    for n in nets:
        predicted = ev.predict(n, trial)
        if predicted is None or not ev.matches(predicted, actual[n]):
            return False
    return True


def name_as_student(table, region, renumbered: set[str]) -> None:
    """Set `table.shown` (the student's name of each renumbered weight and its gradient) and
    `table.contradicted` (columns whose label names another quantity than the one they hold),
    in whichever numbering contradicts fewer labels: the course's, or the student's."""
    hints = region.hints
    student = {}
    for w in sorted(renumbered):
        mine = hints.get(table.columns.get(w))
        if mine is not None and mine.startswith("w"):
            student[w], student["d" + w] = mine, "d" + mine
    course = _contradicted(table, hints, {})
    theirs = _contradicted(table, hints, student)
    table.shown, table.contradicted = ({}, course) if len(course) <= len(theirs) else (
        student, theirs)


def _contradicted(table, hints: dict[int, str], shown: dict[str, str]) -> list:
    by_col = {c: n for n, c in table.columns.items()}
    out = []
    for c, hint in sorted(hints.items()):
        name = by_col.get(c)
        if name is not None and hint in table.network.by_name and shown.get(name, name) != hint:
            out.append((c, hint, shown.get(name, name)))
    return out


def contradictions(table) -> list[tuple[list[int], str]]:
    """The contradicted labels in words, two columns that trade labels as one pair: ([J, L],
    'the headers of J and L are swapped: J computes a_h2, L computes a_h1')."""
    from ..network import label_of
    from .stacked import STRIDE, letter

    said, columns = {}, set()
    for c, hint, is_ in table.contradicted:  # a column of a block per step: its first row
        if c % STRIDE not in columns:
            said[c] = (hint, is_)
            columns.add(c % STRIDE)
    out, done = [], set()
    for c, (hint, is_) in said.items():
        if c in done:
            continue
        other = next((d for d, (h, i) in said.items() if d not in done and d != c
                      and h == is_ and i == hint), None)
        if other is not None:
            done |= {c, other}
            words = (f"the headers of columns {letter(c)} and {letter(other)} are swapped: "
                     f"{letter(c)} computes {label_of(is_)} and {letter(other)} computes "
                     f"{label_of(hint)}")
            out.append(([c, other], words))
        else:
            done.add(c)
            words = (f"the header of column {letter(c)} says {label_of(hint)} where the column "
                     f"computes {label_of(is_)}")
            out.append(([c], words))
    return out
