"""The self-check page (`sheetgen web DIR`): `sheetgen verify` in the student's browser.

`assets` keeps the pinned Pyodide and numpy, `bundle` zips the project's own Python, `site` writes
the static folder, `check` is what the page calls under Pyodide, `command` the CLI.
"""
