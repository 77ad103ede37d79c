"""Modules whose code runs only when something asks them for a name they define.

The page imports sheetgen under Pyodide, where every module is compiled from source at each
visit, so what the verifier imports but never uses costs the student seconds:

- `import openpyxl.utils` runs openpyxl's `__init__` first, which builds its whole workbook model
  (Workbook, load_workbook, styles, charts: half of the page's import time), although the
  verifier reads only `openpyxl.utils` and `openpyxl.formula`;
- `xml.sax.saxutils` (for `escape` and `quoteattr`) imports `urllib.request`, and with it
  `http.client` and `email`, for a function sheetgen never calls;
- numpy imports `pickle` for `ndarray.dump`, which the verifier never calls.

`defer_init(name)` registers the module so that `import name` and the import of its submodules
work as usual while its own code waits until the first access of an attribute that is not a
submodule (`openpyxl.Workbook`, `openpyxl.__version__`, `urllib.request.urlopen`), which then
runs it whole: the same code, only later, or never.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types


class _Deferred(types.ModuleType):
    """A module whose own code has not run yet; the first missing attribute runs it."""

    def __getattr__(self, name: str):
        spec = self.__spec__
        self.__class__ = types.ModuleType  # from here on an ordinary module
        spec.loader.exec_module(self)
        return getattr(self, name)


def defer_init(name: str) -> None:
    """Register the module or package `name` with its code deferred (see above); nothing when
    it is imported already."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name}")
    module = _Deferred(name)
    module.__spec__, module.__loader__, module.__file__ = spec, spec.loader, spec.origin
    module.__package__ = name if spec.submodule_search_locations is not None else spec.parent
    if spec.submodule_search_locations is not None:
        module.__path__ = list(spec.submodule_search_locations)
    sys.modules[name] = module
    if spec.parent:  # as the import system does: `urllib.request` is an attribute of `urllib`
        setattr(importlib.import_module(spec.parent), name.rpartition(".")[2], module)


# What the page defers before it imports the checker (see above).
UNUSED_ON_THE_PAGE = ("openpyxl", "urllib.request", "pickle")


def defer_unused() -> None:
    for name in UNUSED_ON_THE_PAGE:
        defer_init(name)
