"""Gradescope's autograder results (`--gradescope FILE`), as its documented format has them
(gradescope-autograders.readthedocs.io, "Autograder Specifications", output format):

    {"score": 72.5, "execution_time": 1, "output": "...", "visibility": "visible",
     "stdout_visibility": "hidden",
     "tests": [{"name": "...", "score": 20.0, "max_score": 20.0, "status": "passed",
                "output": "..."}, ...]}

One test per part of the rubric; the top-level output is the text report at the run's hint
level, which is what the student sees.
"""
from __future__ import annotations

import json
import math

from . import report
from .score import grade


def results(result, rubric, shown) -> dict:
    """The results.json of one checked workbook; `shown` is its result at the hint level."""
    s = grade(result.tally, rubric)
    tests = []
    for number, p in enumerate(s.parts, start=1):
        if not p.max_points:
            continue
        tests.append({"name": p.title, "number": str(number), "score": round(p.points, 4),
                      "max_score": p.max_points,
                      "status": "passed" if p.points >= p.max_points else "failed",
                      "output": p.line})
    return {"score": round(s.points, 4), "execution_time": max(1, math.ceil(result.seconds)),
            "output": report.text(shown, rubric), "visibility": "visible",
            "stdout_visibility": "hidden", "tests": tests}


def to_json(result, rubric, shown) -> str:
    return json.dumps(results(result, rubric, shown), ensure_ascii=False, indent=2) + "\n"
