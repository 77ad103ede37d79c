"""Cell names and shared-string indices as `worksheet.read_sheet` places them, against positions
worked out by hand: a name with another row than its `<row>`, leading zeros, lower case, a
cell with no name after one, an index written `007` or `1e0`, and names outside the grid."""

import io
import random
import zipfile

import pytest

from sheetgen.verify.worksheet import read_sheet
from sheetgen.xlsx.read import _CELL_TAG, _ROW_TAG, Budget, CannotCheck, Sheet, _tags

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def read(rows: str, strings=("zero", "one", "two", "three", "four", "five", "six", "seven")):
    xml = f'<worksheet xmlns="{NS}"><sheetData>{rows}</sheetData></worksheet>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("sheet.xml", xml)
    sheet = Sheet("s")
    with zipfile.ZipFile(buf) as z:
        read_sheet(z, "sheet.xml", sheet, list(strings), Budget())
    return sheet


def test_cells_land_where_their_names_say():
    sheet = read('<row r="5"><c r="A5"><v>1</v></c><c r="B7"><v>2</v></c><c r="C07"><v>3</v></c>'
                 '<c r="d7"><v>4</v></c><c><v>5</v></c></row>'
                 '<row><c r="A8" t="s"><v>007</v></c><c r="B8" t="s"><v>1e0</v></c>'
                 '<c r="AB8"><f>A8&amp;B8</f><v>sevenone</v></c></row>')
    assert sheet.constants == {(5, 1): 1.0, (7, 2): 2.0, (7, 3): 3.0, (7, 4): 4.0, (7, 5): 5.0,
                               (8, 1): "seven", (8, 2): "one"}
    assert sheet.formulas == {(8, 28): "=A8&B8"}
    assert sheet.cached == {(8, 28): "sevenone"}


@pytest.mark.parametrize(("row", "reason"), [
    ('<row r="7"><c r="7"><v>1</v></c></row>', "a cell named '7'"),
    ('<row r="7"><c r="XFE7"><v>1</v></c></row>', "outside Excel's grid"),
    ('<row r="7"><c r="A0"><v>1</v></c></row>', "outside Excel's grid (row 0)"),
    ('<row r="7"><c r="A7" t="s"><v>8</v></c></row>', "shared string '8'"),
    ('<row r="7"><c r="A7" t="s"><v>' + "9" * 5000 + "</v></c></row>", "shared string '999"),
])
def test_damaged_names_and_indices_are_refused(row, reason):
    with pytest.raises(CannotCheck, match=reason.replace("(", r"\(").replace(")", r"\)")):
        read(row)


def test_a_cell_without_a_name_follows_the_blank_cells_before_it():
    sheet = read('<row r="7"><c r="A7" s="1"/><c r="B7" s="1"/><c><v>1</v></c></row>'
                 '<row r="8"><c r="A8" s="1"/><c r="C9" s="1"/><c><v>2</v></c></row>'
                 '<row r="10"><c r="b10" s="1"/><c><v>3</v></c><c r="XFD10" s="1"/></row>'
                 '<row><c><v>4</v></c></row>')
    assert sheet.constants == {(7, 3): 1.0, (9, 4): 2.0, (10, 3): 3.0, (11, 1): 4.0}


def test_a_blank_cell_outside_the_grid_is_refused():
    with pytest.raises(CannotCheck, match="outside Excel's grid"):
        read('<row r="7"><c r="A7" s="1"/><c r="XFE7" s="1"/></row>')


def test_tags_are_counted_as_the_prefixed_pattern_finds_them():
    # `_tags` leaves out the namespace prefix where no `:c` (`:row`) is in the text: the count
    # must be the one the full pattern gives, on tag soups with and without prefixes.
    rng = random.Random(1)
    atoms = [b"<c ", b"<c>", b"<c/>", b"<c\t", b"<c\n", b"<c\x0b", b"<x:c ", b"<_:c>", b"<cc ",
             b"<col ", b"<cx", b"< c", b":c", b":", b"c ", b"<", b"<row ", b"<row>", b"<rows ",
             b"<a:row/", b"r", b"ow>", b"x"]
    for _ in range(20_000):
        text = b"".join(rng.choice(atoms) for _ in range(rng.randint(0, 12)))
        end = rng.randint(0, len(text))
        for tag in (_CELL_TAG, _ROW_TAG):
            assert _tags(text, tag, end) == len(tag[0].findall(text, 0, end)), (text, end)
