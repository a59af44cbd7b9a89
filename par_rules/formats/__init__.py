"""File formats: records read from CSV, JSON Lines, JSON, YAML and Excel files, and tables
written as text, CSV, JSON, Excel and Markdown (``_files``); self-assessment forms, Excel
workbooks a unit fills in and that are read back as records (``_forms``).

A file format knows the engine's records and results, and nothing of many units: turning
results into tables (``results_table``) is done in :mod:`par_rules.units` (docs/architecture.md).
Names are imported when first used: the formats need csv, yaml and (for ``.xlsx``) openpyxl.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

if TYPE_CHECKING:  # for type checkers and doc tools; imported when first used (below)
    from ._files import Numbered as Numbered, count_rows as count_rows, Table as Table, read_records as read_records, write_table as write_table
    from ._forms import read_form as read_form, write_form as write_form

__all__ = ["read_records", "count_rows", "write_table", "Table", "Numbered"]

_FORMS = ["write_form", "read_form"]
__all__ += _FORMS

__getattr__, __dir__ = lazy_names(__name__, {name: "._forms" if name in _FORMS else "._files" for name in __all__}, globals())
