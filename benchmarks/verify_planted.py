"""Planted mistakes: how many the verifier lets PASS (the worst outcome) or refuses, and its time.

    python benchmarks/verify_planted.py [--rows 6]

For the course's 2-2-2 without biases, with fixed biases and with trained ones, and for each
computed quantity: every reference of its template replaced by two other quantities of the same
kind (chosen with a fixed seed), and its first `-` and `*` made a `+`; each mistake planted in one
cell, then copied down the whole column (two mutants). Targets 0.01 and 0.99 and inputs 0.05 and
0.1 differ, so no mistake gives the right numbers by accident. Prints every PASS, then one line:
mutants, PASS, refused (exit 2), slowest seconds in process.
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from sheetgen import network as net
from sheetgen.verify import verify
from sheetgen.verify.samples import Layout, write_table

REF = re.compile(r"\{(\w+)(\[-1\])?\}")
NETWORKS = (net.Network(), net.Network(biases=True), net.Network(biases=True, trained=True))


def mutants(network: net.Network, rng: random.Random):
    """(quantity, wrong template) pairs."""
    for q in network.computed:
        for ref in dict.fromkeys(m.group(0) for m in REF.finditer(q.formula)):
            base = REF.match(ref).group(1)
            if base == "eta":
                continue
            others = [n for n in network.names if n != base and n[0] == base[0]]
            for other in rng.sample(others, min(2, len(others))):
                yield q.name, q.formula.replace(ref, ref.replace(base, other), 1)
        for old in "-*":
            if old in q.formula:
                yield q.name, q.formula.replace(old, "+", 1)


def write(path: Path, network: net.Network, name: str, wrong: str, rows: int, every: bool):
    wb = Workbook()
    info = write_table(wb.active, Layout(network=network), rows=rows, targets=(0.01, 0.99),
                       mistake=(min(2, rows - 1), name, wrong))
    eta = f"${get_column_letter(info['eta'][1])}${info['eta'][0]}"
    for k, r in enumerate(info["rows"] if every else ()):
        if k == 0 and network.by_name[name].block == 0:
            continue  # the first row's given numbers stay
        text = wrong.replace("{eta}", eta)
        for n, c in info["cols"].items():
            text = text.replace(f"{{{n}[-1]}}", f"{get_column_letter(c)}{r - 1}")
            text = text.replace(f"{{{n}}}", f"{get_column_letter(c)}{r}")
        wb.active.cell(r, info["cols"][name], "=" + text)
    wb.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=6, help="data rows per table (default 6)")
    args = parser.parse_args()
    rng = random.Random(1)
    total = passed = refused = 0
    slowest = 0.0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutant.xlsx"
        for network in NETWORKS:
            for name, wrong in mutants(network, rng):
                for every in (False, True):
                    write(path, network, name, wrong, args.rows, every)
                    start = time.perf_counter()
                    result = verify(path)
                    slowest = max(slowest, time.perf_counter() - start)
                    total += 1
                    passed += result.status == "pass"
                    refused += result.status == "error"
                    if result.status == "pass":
                        print(f"PASS {network} {name} = {wrong} (every row: {every})")
    print(f"{total} mutants, {passed} PASS, {refused} refused, slowest {slowest:.2f} s")


if __name__ == "__main__":
    main()
