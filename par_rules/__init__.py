"""par_rules: score administrative-reform indexes (Vietnam's PAR INDEX) from versioned YAML
methodology files, with exact arithmetic and an explanation of every point.

The pipeline, one module a stage: :mod:`~par_rules.load` (safe YAML with places) →
:mod:`~par_rules.validate` (schema and semantic checks) → :mod:`~par_rules.compile` (model and
evaluation plan) → :mod:`~par_rules.evaluate` (scoring) → :mod:`~par_rules.report` (results).
"""

from .api import load, score
from .diff import MethodologyDiff, diff
from .errors import MethodologyError, MethodologyNotFound, ParRulesError, Problem, RecordError
from .model import Indicator, Methodology, Node, RatingBand
from .record import Record
from .registry import all_versions, shipped_root, versions
from .report import NodeResult, Result

__version__ = "0.1.0"

__all__ = [
    "load",
    "score",
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
