"""par_rules: score administrative-reform indexes (Vietnam's PAR INDEX) from versioned YAML
methodology files, with exact arithmetic and an explanation of every point.

The pipeline, one module a stage: :mod:`~par_rules.load` (safe YAML with places) →
:mod:`~par_rules.validate` (schema and semantic checks) → :mod:`~par_rules.compile` (model and
evaluation plan) → :mod:`~par_rules.evaluate` (scoring) → :mod:`~par_rules.report` (results).
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING

from .api import load, score
from .errors import MethodologyError, MethodologyNotFound, ParRulesError, Problem, RecordError
from .model import Indicator, Methodology, Node, RatingBand
from .record import Record
from .registry import all_versions, shipped_root, versions
from .report import NodeResult, Result

if TYPE_CHECKING:  # imported when first used (below); named here for type checkers and doc tools
    from . import dump, testing
    from .analysis import gaps, self_assessment, what_if
    from .batch import score_many
    from .compare import Comparison, compare
    from .diff import MethodologyDiff, diff
    from .files import read_records, results_table, write_table
    from .ranking import Ranking, rank
    from .survey import aggregate_survey
    from .units_register import compare_units, load_register

__version__ = "0.1.0"

# Name -> module of what ``import par_rules`` does not import: loading and scoring one methodology
# never needs them, and they cost ~25 ms. ``testing`` needs hypothesis.
_LAZY = {
    "gaps": "analysis",
    "self_assessment": "analysis",
    "what_if": "analysis",
    "score_many": "batch",
    "Comparison": "compare",
    "compare": "compare",
    "MethodologyDiff": "diff",
    "diff": "diff",
    "read_records": "files",
    "results_table": "files",
    "write_table": "files",
    "Ranking": "ranking",
    "rank": "ranking",
    "aggregate_survey": "survey",
    "compare_units": "units_register",
    "load_register": "units_register",
}


def __getattr__(name: str) -> object:
    """The names of :data:`_LAZY`, and the modules ``par_rules.testing`` and ``par_rules.dump``,
    imported when first used (PEP 562)."""
    if name in ("testing", "dump"):
        return importlib.import_module(f".{name}", __name__)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'par_rules' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # once: later uses are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


class _Package(ModuleType):
    """``par_rules.compare`` and ``par_rules.diff`` are functions, named as their modules are:
    the import system binds a submodule on its package when it is first imported (by anyone), and
    that binding must not hide the function."""

    def __setattr__(self, name: str, value: object) -> None:
        if isinstance(value, ModuleType) and _LAZY.get(name) == name:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "load",
    "score",
    "score_many",
    "rank",
    "Ranking",
    "compare",
    "Comparison",
    "compare_units",
    "load_register",
    "aggregate_survey",
    "gaps",
    "what_if",
    "self_assessment",
    "read_records",
    "results_table",
    "write_table",
    "diff",
    "MethodologyDiff",
    "versions",
    "all_versions",
    "shipped_root",
    "Methodology",
    "Node",
    "Indicator",
    "RatingBand",
    "Record",
    "Result",
    "NodeResult",
    "ParRulesError",
    "MethodologyError",
    "MethodologyNotFound",
    "RecordError",
    "Problem",
]
