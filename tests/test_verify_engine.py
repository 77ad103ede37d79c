"""The in-process formula engine: Excel semantics, errors, long chains, and `formulas` agreeing."""

from __future__ import annotations

import math

import pytest
from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName

from sheetgen.verify.book import open_book
from sheetgen.verify.engine import Engine
from sheetgen.verify.formula import shape_key
from sheetgen.verify.functions import XLError


def evaluate(
    tmp_path,
    cells: dict[str, object],
    names: dict[str, str] | None = None,
    other: dict[str, object] | None = None,
    max_rows: int = 10_000,
) -> Engine:
    wb = Workbook()
    ws = wb.active
    for addr, v in cells.items():
        ws[addr] = v
    if other:
        ws2 = wb.create_sheet("η=0.1")
        for addr, v in other.items():
            ws2[addr] = v
    for name, target in (names or {}).items():
        wb.defined_names[name] = DefinedName(name, attr_text=target)
    wb.save(tmp_path / "e.xlsx")
    return Engine(open_book(tmp_path / "e.xlsx", max_rows=max_rows))


def value(engine: Engine, addr: str, sheet: int = 0):
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    col, row = coordinate_from_string(addr)
    return engine.value((sheet, row, column_index_from_string(col)))


CASES = [
    ("=-2^2", 4.0),
    ("=2^3^2", 64.0),
    ("=1+2*3", 7.0),
    ("=(1+2)*3", 9.0),
    ("=50%", 0.5),
    ("=10-2-3", 5.0),
    ("=8/2/2", 2.0),
    ("=-A1", -2.0),
    ('=A1&"x"', "2x"),
    ('=1.5&""', "1.5"),
    ("=A1>1", True),
    ('="a"="A"', True),
    ("=A1<>2", False),
    ('=IF(A1>1,"big","small")', "big"),
    ("=IFERROR(1/0,7)", 7.0),
    ("=IFERROR(A1,7)", 2.0),
    ("=SUM(A1:A3)", 6.0),
    ("=SUM(A1:A3,10)", 16.0),
    ("=PRODUCT(A1:A3)", 6.0),
    ("=AVERAGE(A1:A3)", 2.0),
    ("=MIN(A1:A3)", 1.0),
    ("=MAX(A1:A3)", 3.0),
    ("=COUNT(A1:A4)", 3.0),
    ("=SUMPRODUCT(A1:A3,A1:A3)", 14.0),
    ("=EXP(0)", 1.0),
    ("=LN(EXP(2))", 2.0),
    ("=LOG(100)", 2.0),
    ("=LOG(8,2)", 3.0),
    ("=SQRT(16)", 4.0),
    ("=POWER(2,10)", 1024.0),
    ("=ABS(-3)", 3.0),
    ("=ROUND(2.5,0)", 3.0),
    ("=ROUND(-2.5,0)", -3.0),
    ("=ROUND(1.2345,2)", 1.23),
    ('=_xlfn.MINIFS(A1:A3,A1:A3,">1")', 2.0),
    ("=INDEX(A1:A3,3)", 3.0),
    ("=MATCH(3,A1:A3,0)", 3.0),
    ("=1/(1+EXP(-1*A1))", 1 / (1 + math.exp(-2))),
    ("=A4*2", 0.0),
    ('="3"*2', 6.0),
    ("=TRUE+1", 2.0),
    ("=rate*10", 5.0),
    ("=SUM(data)", 6.0),
    ("='η=0.1'!A1*2", 0.2),
    ("=  A1 + A2 ", 3.0),
]


@pytest.mark.parametrize("formula,expected", CASES, ids=[c[0] for c in CASES])
def test_excel_semantics(tmp_path, formula, expected):
    engine = evaluate(
        tmp_path,
        {"A1": 2, "A2": 1, "A3": 3, "B1": formula, "C1": 0.5},
        names={"rate": "Sheet!$C$1", "data": "Sheet!$A$1:$A$3"},
        other={"A1": 0.1},
    )
    assert (
        value(engine, "B1") == pytest.approx(expected, rel=1e-15)
        if isinstance(expected, float)
        else value(engine, "B1") == expected
    )


ERRORS = [
    ("=1/0", "#DIV/0!", "division by zero"),
    ("=#REF!+1", "#REF!", "a reference to deleted cells"),
    ("=FOO(1)", "#NAME?", "unknown function FOO"),
    ("=nosuchname*2", "#NAME?", "unknown name 'nosuchname'"),
    ('="abc"*2', "#VALUE!", "the text 'abc' where a number belongs"),
    ("=LN(0)", "#NUM!", None),
    ("=EXP(1000)", "#NUM!", None),
    ("='No sheet'!A1", "#REF!", "no sheet named 'No sheet'"),
    ("=A1*(", "#VALUE!", None),
    ("=B2+1", "#DIV/0!", "division by zero"),
]


@pytest.mark.parametrize("formula,code,detail", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_are_typed_values(tmp_path, formula, code, detail):
    engine = evaluate(tmp_path, {"A1": 2, "B1": formula, "B2": "=1/0"})
    v = value(engine, "B1")
    assert isinstance(v, XLError) and v.code == code
    if detail:
        assert v.detail == detail


def test_errors_keep_their_origin(tmp_path):
    engine = evaluate(tmp_path, {"A1": "=1/0", "A2": "=A1+1", "A3": "=A2*2"})
    v = value(engine, "A3")
    assert v.code == "#DIV/0!" and v.origin == (0, 1, 1)


def test_circular_reference(tmp_path):
    engine = evaluate(tmp_path, {"A1": "=A3+1", "A2": "=A1*2", "A3": "=A2", "A4": "=A3+1"})
    v = value(engine, "A4")
    assert v.code == "#CIRC!" and v.detail == "a circular reference: A3 → A2 → A1 → A3"


def test_a_long_chain_needs_no_recursion(tmp_path):
    cells = {"A1": 1.0} | {f"A{r}": f"=A{r - 1}+1" for r in range(2, 20_001)}
    engine = evaluate(tmp_path, cells, max_rows=20_000)
    assert value(engine, "A20000") == 20000.0
    assert len(engine.compiler.shapes) == 1  # one code object for 19,999 formulas


def test_shape_key_is_relative():
    assert (
        shape_key("=F6-$B$3*Y6", 7, 6)
        == shape_key("=F7-$B$3*Y7", 8, 6)
        == "=\x00-1,0\x00-\x00$3,$2\x00*\x00-1,19\x00"
    )
    assert shape_key('=LOG10(A1)&"B2"', 1, 1) == '=LOG10(\x000,0\x00)&"B2"'
    assert shape_key("='Sheet 1'!A1+input_i1", 1, 2) == "='Sheet 1'!\x000,-1\x00+input_i1"


def test_r1c1_text_never_shares_the_shape_of_an_a1_formula():
    """`=R[0]C[-4]*2` typed into a cell is a name Excel does not know, not the A1 formula
    `=A1*2` one row and four columns on; it must not reuse that formula's compiled code."""
    assert shape_key("=R[0]C[-4]*2", 1, 5) != shape_key("=A1*2", 1, 5)


def test_cross_check_with_formulas_library(tmp_path):
    """An independent, maintained engine computes the same numbers as ours (to 1e-12)."""
    import formulas

    from sheetgen.verify.samples import LAYOUTS_FOR_CROSS_CHECK, write_table
    from sheetgen.workbook import Settings, build

    built = build(tmp_path / "built.xlsx", Settings.create(iterations=5, learning_rates=[0.1, 2.0]))
    wb = Workbook()
    for k, layout in enumerate(LAYOUTS_FOR_CROSS_CHECK):
        write_table(wb.create_sheet(f"S{k}"), layout, rows=5, eta=0.8)
    wb.remove(wb["Sheet"])
    wb.save(tmp_path / "student.xlsx")
    for path in (built, tmp_path / "student.xlsx"):
        book = open_book(path)
        ours = Engine(book)
        solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
        checked = 0
        for key in book.formulas:
            s = key[0]
            if not book.sheets[s].startswith(("η", "S")):
                continue  # the iteration-table sheets; Backprop only shows text
            theirs = solution[
                f"'[{path.name}]{book.sheets[s].upper()}'!{book.address(key, sheet=False)}"
            ]
            theirs = theirs.value[0, 0]
            mine = ours.value(key)
            if isinstance(mine, float):
                assert mine == pytest.approx(float(theirs), rel=1e-12, abs=1e-15), book.address(key)
                checked += 1
        assert checked > 200
