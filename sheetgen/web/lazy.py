"""A package whose `__init__` runs only when something asks it for a name it defines.

The page imports sheetgen under Pyodide, where every module is compiled from source at each
visit. `import openpyxl.utils` runs openpyxl's `__init__` first, which builds its whole workbook
model (Workbook, load_workbook, styles, charts: half of the page's import time) although the
verifier reads only `openpyxl.utils` and `openpyxl.formula`. `defer_init("openpyxl")` registers
the package so that its submodules import as usual while its `__init__` waits until the first
access of an attribute that is not a submodule (`openpyxl.Workbook`, `openpyxl.__version__`),
which then runs it whole: the same code, only later, or never.
"""

from __future__ import annotations

import importlib.util
import sys
import types


class _Deferred(types.ModuleType):
    """A package module whose own code has not run yet; the first missing attribute runs it."""

    def __getattr__(self, name: str):
        spec = self.__spec__
        self.__class__ = types.ModuleType  # from here on an ordinary module
        spec.loader.exec_module(self)
        return getattr(self, name)


def defer_init(name: str) -> None:
    """Register the top-level package `name` with its `__init__` deferred (see above); nothing
    when it is imported already."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.submodule_search_locations is None:
        raise ImportError(f"{name} is not an installed package")
    module = _Deferred(name)
    module.__spec__, module.__loader__ = spec, spec.loader
    module.__file__, module.__package__ = spec.origin, name
    module.__path__ = list(spec.submodule_search_locations)
    sys.modules[name] = module
