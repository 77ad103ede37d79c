"""`sheetgen verify --similar`: pairs of submissions that share what independent work would not.

Each checked file has traits: its non-default starting values, each wrong formula shape (R1C1,
with the quantity it computes), the digest of every value it stores (when it holds any work),
its document author, last-saved-by and creation time. A trait held by many files of the class
is the class's template (the teacher's starting values, a workbook handed round, Excel's own
blank template), not a sign; a trait held by exactly two files is. A pair is listed when it
shares identical stored values, or rare traits of at least two kinds. These are findings for
the teacher to look at, not accusations.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .. import network as net
from ..files import FIXED_TIME
from ..text import printable

# Creation times that say nothing: our own builds, and Excel's blank-workbook template.
GENERIC_CREATED = {FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ"), "2015-06-05T18:17:20Z"}
GENERIC_NAMES = {"", "openpyxl", "user", "admin", "microsoft office user", "windows user"}
DEFAULT_START = net.INPUTS + net.TARGETS + net.WEIGHTS
KINDS = {"start": "the same starting values", "shape": "the same wrong formula",
         "values": "identical stored values", "author": "the same document author",
         "saved_by": "the same last-saved-by", "created": "the same creation time"}


@dataclass(frozen=True)
class Pair:
    first: str
    second: str
    shared: tuple[tuple[str, str], ...]  # (kind, what)

    def line(self) -> str:
        what = "; ".join(f"{KINDS[k]} ({v})" if v else KINDS[k] for k, v in self.shared[:4])
        more = f"; and {len(self.shared) - 4} more" if len(self.shared) > 4 else ""
        return f"similar: {printable(self.first)} and {printable(self.second)} share {what}{more}"

    def to_dict(self) -> dict:
        return {"files": [self.first, self.second],
                "shared": [{"kind": k, "what": v} for k, v in self.shared]}


def traits(result) -> set[tuple[str, str, str]]:
    """(kind, key, what to show) of one checked file."""
    facts, out = result.facts, set()
    start = facts.get("start", {})
    order = ("i1", "i2", "t1", "t2", *(f"w{k}" for k in range(1, 9)))
    values = tuple(start.get(k) for k in order)
    if None not in values and values != DEFAULT_START:
        shown = ", ".join(f"{k} = {v:.6g}" for k, v in zip(order, values))
        out.add(("start", repr(values), shown[:120]))
    for shape in facts.get("shapes", []):
        out.add(("shape", shape, shape.split(":", 1)[0]))
    if any(right for right, _ in result.tally.values()) and facts.get("digest"):
        out.add(("values", facts["digest"], ""))
    props = facts.get("properties", {})
    for kind in ("author", "saved_by"):
        name = props.get(kind, "").strip()
        if name.lower() not in GENERIC_NAMES:
            out.add((kind, name.lower(), name[:60]))
    created = props.get("created", "")
    if created and created not in GENERIC_CREATED:
        out.add(("created", created, created))
    return out


def pairs(results) -> list[Pair]:
    """The pairs of checked files that share what independent work would not."""
    checked = [r for r in results if r.status != "error"]
    holders: dict[tuple[str, str], list[int]] = defaultdict(list)
    shown: dict[tuple[str, str], str] = {}
    for n, r in enumerate(checked):
        for kind, key, what in traits(r):
            holders[(kind, key)].append(n)
            shown[(kind, key)] = what
    shared: dict[tuple[int, int], list[tuple[str, str]]] = defaultdict(list)
    for trait, files in holders.items():
        if len(files) == 2:  # held by the whole class or a template's users: no sign
            shared[tuple(files)].append((trait[0], shown[trait]))
    out = []
    for (a, b), items in sorted(shared.items()):
        kinds = {k for k, _ in items}
        if "values" in kinds or len(kinds) >= 2:
            items.sort(key=lambda kv: list(KINDS).index(kv[0]))
            out.append(Pair(checked[a].path, checked[b].path, tuple(items)))
    return out


__all__ = ["Pair", "pairs", "traits"]
