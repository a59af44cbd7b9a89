"""Many units: scoring a batch (``_batch``, and on several processes ``_parallel``), ranking
(``_ranking``), year on year (``_compare``), and gaps, what-if and self-assessment
(``_analysis``), statistics of the results (``_statistics``), questionnaires counted into survey answers
(``_survey``), units across mergers (``_register``), the office's results report
with its charts (``_office_report``), rank robustness under perturbed weights
(``_sensitivity``), results turned into tables (``_tables``: the results table, its CSV
stream, a comparison's table), and whole tables scored column by column (``_table``:
``score_table``, ``score_csv``; numpy and pandas from the ``table`` extra).

Units use the engine and the file formats, never the command line or authoring. Names are
imported when first used: one methodology and one record never need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

if TYPE_CHECKING:  # for type checkers and doc tools; imported when first used (below)
    from ._analysis import gaps as gaps, self_assessment as self_assessment, what_if as what_if
    from ._batch import BatchTally as BatchTally, score_many as score_many
    from ._compare import Comparison as Comparison, compare as compare
    from ._parallel import score_rows as score_rows
    from ._ranking import Ranking as Ranking, rank as rank
    from ._office_report import build_report as build_report, write_annex as write_annex, write_html as write_html
    from ._sensitivity import Sensitivity as Sensitivity, sensitivity as sensitivity
    from ._register import UnitsComparison as UnitsComparison, UnitsRegister as UnitsRegister, UnitsRegisterError as UnitsRegisterError, compare_units as compare_units, load_register as load_register
    from ._statistics import describe as describe
    from ._survey import SurveyCounts as SurveyCounts, aggregate_survey as aggregate_survey
    from ._table import score_csv as score_csv, score_table as score_table
    from ._tables import (
        CsvTexts as CsvTexts,
        band_lines as band_lines,
        comparison_notes as comparison_notes,
        comparison_table as comparison_table,
        field_columns as field_columns,
        results_table as results_table,
        stream_results_csv as stream_results_csv,
        write_csv_rows as write_csv_rows,
    )

_NAMES = {
    "score_many": "._batch",
    "BatchTally": "._batch",
    "score_rows": "._parallel",
    "rank": "._ranking",
    "Ranking": "._ranking",
    "compare": "._compare",
    "Comparison": "._compare",
    "gaps": "._analysis",
    "what_if": "._analysis",
    "self_assessment": "._analysis",
    "describe": "._statistics",
    "score_table": "._table",
    "score_csv": "._table",
    "aggregate_survey": "._survey",
    "compare_units": "._register",
    "load_register": "._register",
    "UnitsRegister": "._register",
    "UnitsRegisterError": "._register",
    "UnitsComparison": "._register",
    "SurveyCounts": "._survey",
    "build_report": "._office_report",
    "write_html": "._office_report",
    "write_annex": "._office_report",
    "results_table": "._tables",
    "field_columns": "._tables",
    "CsvTexts": "._tables",
    "write_csv_rows": "._tables",
    "stream_results_csv": "._tables",
    "comparison_table": "._tables",
    "comparison_notes": "._tables",
    "band_lines": "._tables",
    "sensitivity": "._sensitivity",
    "Sensitivity": "._sensitivity",
}

__all__ = list(_NAMES)

__getattr__, __dir__ = lazy_names(__name__, _NAMES, globals())
