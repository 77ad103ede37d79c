"""Planted mistakes never pass and never crash; correct rewrites pass (see tests/mutants.py).

A fast subset: every k-th mutant of a middle row of a built workbook and of two real student
workbooks. `python benchmarks/verify_mutants.py` runs them all and prints the figures.
"""

from __future__ import annotations

import random
from dataclasses import replace

import mutants
import pytest
from openpyxl.formula.tokenizer import Tokenizer
from openpyxl.utils import get_column_letter as letter
from test_verify_students import STUDENTS, students  # noqa: F401 - the fixture

from sheetgen.verify import check_book
from sheetgen.verify.book import open_book
from sheetgen.verify.syntax import SyntaxProblem, parse
from sheetgen.workbook import build
from sheetgen.workbook.settings import Settings


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A built workbook of one learning rate and 8 iterations: every formula kind, quickly."""
    return build(tmp_path_factory.mktemp("small") / "small.xlsx",
                 Settings(learning_rates=(0.5,), iterations=8))


PIECES = ["A1", "$B$2", "1", "2.5", "SUM(", "POWER(", "MAX(", "IF(", "(", ")", ",", "+", "-",
          "*", "/", "^", "&", "=", "<", "%", '"x"', "TRUE", "#REF!", "A1:B2", "Sheet1!A1", " ",
          "{", "}", ";", ":", "!"]


@pytest.mark.parametrize("seed", range(4))
def test_the_parser_says_syntax_error_for_any_token_soup(seed):
    """Whatever the text, parse gives a tree or a SyntaxProblem: never another exception."""
    rng = random.Random(seed)
    for _ in range(1500):
        text = "=" + "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 12)))
        try:
            parse(text)
        except SyntaxProblem:
            pass


@pytest.mark.parametrize("text", ["=SUM((A1,A1))", "=(1,2)", "=POWER((A1-B1,3))", "=A1 B1"])
def test_a_union_or_intersection_is_a_syntax_problem(text):
    Tokenizer(text)  # the tokenizer reads it; the parser refuses it in its own words
    with pytest.raises(SyntaxProblem):
        parse(text)


def _plant(small, column: str, template: str):
    """The small workbook's formulas with `template` ({name}: that quantity's cell in the same
    row) in the cell of `column` three rows below the header."""
    book = open_book(small)
    s = 1  # the η sheet; sheet 0 is Backprop, the chain-rule blocks
    header = {v: (r, c) for (s2, r, c), v in book.constants.items()
              if s2 == s and isinstance(v, str) and v.isidentifier()}
    row = header["t1"][0] + 3
    text = template.format(**{k: f"{letter(c)}{row}" for k, (_, c) in header.items()})
    key = (s, row, header[column][1])
    return book, {**book.formulas, key: text}, key


@pytest.mark.parametrize("template", [
    "=POWER({t1}-{a_o1},3)/2", "=SUM({a_o1},{a_o1})", "=SUMPRODUCT({t1},{a_o1})",
    "=MAX({t1},{a_o1})"])
def test_wrong_functions_of_two_arguments_are_findings_not_crashes(small, template):
    """Issue 18: the repair step tried `SUM((V16,V16))` and the parser raised KeyError."""
    book, formulas, key = _plant(small, "E1", template)
    result = check_book(replace(book, formulas=formulas, cached={}))
    assert result.status == "fail", (result.reason, [t.reason for t in result.tables])
    assert book.address(key) in [f.cell for t in result.tables for f in t.causes]


def test_mutants_of_a_built_workbook(small):
    tally = mutants.run(small, every=40)
    assert tally.counts["changed"] >= 20 and tally.counts["rewrites"] >= 3, tally.line()
    assert not tally.bad, "\n".join(tally.bad)


@pytest.mark.parametrize("name", ["student01.xlsx", "student04.xlsx"])
def test_mutants_of_real_workbooks(students, name):  # noqa: F811 - the fixture
    tally = mutants.run(STUDENTS / name, every=80)
    assert tally.counts["changed"] >= 10 and tally.counts["rewrites"] >= 1, tally.line()
    assert not tally.bad, "\n".join(tally.bad)


def test_every_kind_of_mutant_and_rewrite_is_made():
    text = "=(S6-A6)*S6*(1-S6)*POWER(K6,2)+SUM(B6,C6)^2"
    assert {k for k, _ in mutants.mutants(text)} == {"operator", "dropped", "reference",
                                                     "number", "function"}
    assert {k for k, _ in mutants.rewrites(text)} == {"commute", "negate", "square", "power"}
    assert ("commute", "=(S6*(S6-A6)*(1-S6)*POWER(K6,2))+SUM(B6,C6)^2") in \
        mutants.rewrites(text)  # neighbours of a product swapped, the product kept whole
    assert ("square", "=(S6-A6)*S6*(1-S6)*POWER(K6,2)+POWER(SUM(B6,C6),2)") in \
        mutants.rewrites(text)
