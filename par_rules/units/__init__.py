"""Many units: scoring a batch (``_batch``, and on several processes ``_parallel``), ranking
(``_ranking``), year on year (``_compare``), and gaps, what-if and self-assessment
(``_analysis``), statistics of the results (``_statistics``), questionnaires counted into survey answers
(``_survey``), units across mergers (``_register``), the office's results report
with its charts (``_office_report``), and rank robustness under perturbed weights
(``_sensitivity``), and whole tables scored column by column (``_table``:
``score_table``, ``score_csv``; numpy and pandas from the ``table`` extra).

Units use the engine and the file formats, never the command line or authoring. Names are
imported when first used: one methodology and one record never need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

if TYPE_CHECKING:  # for type checkers and doc tools; imported when first used (below)
    from ._analysis import gaps, self_assessment, what_if
    from ._batch import score_many
    from ._compare import Comparison, compare
    from ._parallel import score_rows
    from ._ranking import Ranking, rank
    from ._office_report import build_report, write_annex, write_html
    from ._sensitivity import Sensitivity, sensitivity
    from ._register import UnitsComparison, UnitsRegister, UnitsRegisterError, compare_units, load_register
    from ._statistics import describe
    from ._table import score_csv, score_table
    from ._survey import SurveyCounts, aggregate_survey

_NAMES = {
    "score_many": "._batch",
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
    "sensitivity": "._sensitivity",
    "Sensitivity": "._sensitivity",
}

__all__ = list(_NAMES)

__getattr__, __dir__ = lazy_names(__name__, _NAMES, globals())
