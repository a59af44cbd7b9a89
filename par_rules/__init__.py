"""par_rules: score administrative-reform indexes (Vietnam's PAR INDEX) from versioned YAML
methodology files, with exact arithmetic and an explanation of every point.

The pipeline, one module a stage: :mod:`~par_rules.load` (safe YAML with places) →
:mod:`~par_rules.validate` (schema and semantic checks) → :mod:`~par_rules.compile` (model and
evaluation plan) → :mod:`~par_rules.evaluate` (scoring) → :mod:`~par_rules.report` (results).
"""

from .analysis import gaps, self_assessment, what_if
from .api import load, score
from .batch import score_many
from .compare import Comparison, compare
from .diff import MethodologyDiff, diff
from .errors import MethodologyError, MethodologyNotFound, ParRulesError, Problem, RecordError
from .files import read_records, results_table, write_table
from .model import Indicator, Methodology, Node, RatingBand
from .ranking import Ranking, rank
from .record import Record
from .registry import all_versions, shipped_root, versions
from .report import NodeResult, Result

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``par_rules.testing`` (hypothesis strategies) and ``par_rules.dump`` are imported when
    first used, so that ``import par_rules`` never needs hypothesis."""
    if name in ("testing", "dump"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'par_rules' has no attribute {name!r}")

__all__ = [
    "load",
    "score",
    "score_many",
    "rank",
    "Ranking",
    "compare",
    "Comparison",
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
