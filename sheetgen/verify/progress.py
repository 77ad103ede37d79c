"""A class run that reads as it goes: each file's report as soon as it is checked (in the order
files finish with `-j`), a progress bar on stderr when stderr is a terminal, and a summary line:
how many files got each verdict, the mean score, the slowest file."""
from __future__ import annotations

import sys

from ..text import printable
from .score import grade

VERDICTS = (("pass", "PASS"), ("incomplete", "INCOMPLETE"), ("fail", "FAIL"),
            ("error", "cannot be checked"))


class Live:
    """`done(result)` for `workers.check_all`: print the file's lines, move the bar."""

    def __init__(self, total: int, render, show, stderr=None):
        self.render, self.show = render, show  # result -> text; text -> None (prints it)
        stderr = stderr or sys.stderr
        self.bar = None
        if total > 1 and stderr.isatty() and (tqdm := _tqdm()):
            self.bar = tqdm(total=total, file=stderr, unit="file", leave=False, mininterval=0,
                            dynamic_ncols=True)

    def done(self, result) -> None:
        text = self.render(result)
        if self.bar is not None:
            self.bar.clear()
        if text:
            self.show(text)
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def summary(results, rubric) -> str:
    """`33 files: 6 PASS, 2 INCOMPLETE, 22 FAIL, 3 cannot be checked; mean score 58.2/100 over
    30 checked; slowest student19.xlsx (3.41 s)`."""
    counts = [f"{sum(r.status == key for r in results)} {name}" for key, name in VERDICTS
              if any(r.status == key for r in results)]
    checked = [r for r in results if r.status != "error"]
    line = f"{len(results)} file(s): {', '.join(counts)}"
    if checked:
        mean = sum(grade(r.tally, rubric).points for r in checked) / len(checked)
        line += f"; mean score {mean:.3g}/{rubric.total:.3g} over {len(checked)} checked"
    if results:
        slow = max(results, key=lambda r: r.seconds)
        line += f"; slowest {printable(slow.path)} ({slow.seconds:.2f} s)"
    return line


def _tqdm():
    """tqdm's bar class, or None where it is not installed (it comes with the `mnist` extra)."""
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm
