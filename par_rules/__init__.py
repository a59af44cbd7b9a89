"""par_rules: score administrative-reform indexes (Vietnam's PAR INDEX) from versioned YAML
methodology files, with exact arithmetic and an explanation of every point.

The package is layered, each layer a folder behind a short face (docs/architecture.md):
:mod:`~par_rules.errors` → :mod:`~par_rules.engine` (load, validate, compile, evaluate, report
one methodology) → :mod:`~par_rules.formats` (files in and out) → :mod:`~par_rules.units` (many
units) and :mod:`~par_rules.authoring` (diffs, dumps, methodology tests, the site) →
:mod:`~par_rules.cli` (the command line). This face offers what users import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._lazy import lazy_names, offer
from .engine import (
    Indicator,
    Methodology,
    Node,
    NodeResult,
    RatingBand,
    Record,
    Result,
    all_versions,
    load,
    score,
    shipped_root,
    versions,
)
from . import engine
from .errors import MethodologyError, MethodologyNotFound, ParRulesError, Problem, RecordError

#: What this face offers from the engine (imported above); the errors keep their own module.
_ENGINE_NAMES = ("Indicator", "Methodology", "Node", "NodeResult", "RatingBand", "Record", "Result", "all_versions", "load", "score", "shipped_root", "versions")

if TYPE_CHECKING:  # imported when first used (below); named here for type checkers and doc tools
    from .authoring import MethodologyDiff as MethodologyDiff, diff as diff
    from . import dump as dump, files as files, testing as testing
    from .formats import read_records as read_records, write_table as write_table
    from .units import (
        Comparison as Comparison,
        Ranking as Ranking,
        Sensitivity as Sensitivity,
        aggregate_survey as aggregate_survey,
        compare as compare,
        compare_units as compare_units,
        describe as describe,
        gaps as gaps,
        load_register as load_register,
        rank as rank,
        results_table as results_table,
        score_csv as score_csv,
        score_many as score_many,
        score_table as score_table,
        self_assessment as self_assessment,
        sensitivity as sensitivity,
        what_if as what_if,
    )

__version__ = "0.1.0"

# Name -> the face that offers it, for what ``import par_rules`` does not import: loading and
# scoring one methodology never needs them, and they cost ~25 ms.
_LAZY = {
    "gaps": ".units",
    "self_assessment": ".units",
    "what_if": ".units",
    "score_many": ".units",
    "score_table": ".units",
    "score_csv": ".units",
    "Comparison": ".units",
    "compare": ".units",
    "Ranking": ".units",
    "rank": ".units",
    "read_records": ".formats",
    "results_table": ".units",
    "write_table": ".formats",
    "MethodologyDiff": ".authoring",
    "diff": ".authoring",
    "describe": ".units",
    "aggregate_survey": ".units",
    "compare_units": ".units",
    "load_register": ".units",
    "sensitivity": ".units",
    "Sensitivity": ".units",
}

#: The public modules ``par_rules.testing`` (which needs hypothesis), ``par_rules.dump`` and the
#: signpost ``par_rules.files``, imported when first used as attributes.
_MODULES = {"testing": ".testing", "dump": ".dump", "files": ".files"}

_lazy_getattr, _lazy_dir = lazy_names(__name__, _LAZY, globals())


def __getattr__(name: str) -> object:
    """The names of :data:`_LAZY`, and the modules of :data:`_MODULES`, imported when first
    used (PEP 562)."""
    if name in _MODULES:
        return importlib.import_module(_MODULES[name], __name__)
    return _lazy_getattr(name)


def __dir__() -> list[str]:
    return _lazy_dir()


__all__ = [
    "load",
    "score",
    "score_many",
    "score_table",
    "score_csv",
    "rank",
    "Ranking",
    "sensitivity",
    "Sensitivity",
    "describe",
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

# The engine's names say where users import them: par_rules.Result, not par_rules.engine.Result.
offer(__name__, globals(), _ENGINE_NAMES)
offer(f"{__name__}.engine", vars(engine), [name for name in engine.__all__ if name not in _ENGINE_NAMES])
