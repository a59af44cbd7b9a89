"""Moved: the file formats live in :mod:`par_rules.formats`, and the results tables in
:mod:`par_rules.units`; this old path keeps working."""

from .formats._files import *  # noqa: F403 (this path re-exports the module's public names)
from .formats._files import __all__ as _formats
from .units._tables import CsvTexts, field_columns, result_cells, result_headers, results_table, stream_results_csv, write_csv_rows

__all__ = [*_formats, "results_table", "field_columns", "result_headers", "result_cells", "CsvTexts", "write_csv_rows", "stream_results_csv"]
