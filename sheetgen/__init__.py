"""sheetgen: build and verify the backprop workbook."""
