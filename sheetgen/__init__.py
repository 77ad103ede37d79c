"""sheetgen: build and verify the backprop workbook."""

DISTRIBUTION = "sheetgen-backprop"  # the name on the package index; `sheetgen` there is another
