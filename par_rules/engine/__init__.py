"""The engine: load one methodology, check it, and score records against it.

The stages, one private module each, in the order of the imports:
``_load`` (safe YAML with places) → ``_validate`` (schema and semantic checks) → ``_compile``
(the frozen model of ``_model``, the rule kinds of ``_rules``, the formulas of ``_expressions``,
and the evaluation plan) → ``_evaluate`` and ``_codegen`` (scoring) → ``_report`` (results).
``_registry`` finds versions by id and year, ``_extends`` merges ``extends`` chains,
``_lineage`` matches nodes across versions, ``_arithmetic`` holds the decimal context, and
``_api`` is :func:`load` and :func:`score`.

The engine imports nothing above it (docs/architecture.md; tests/test_architecture.py). It is
imported by ``import par_rules``: loading and scoring one methodology needs all of it, but for
``read_node_mapping`` (``_lineage``), imported when first asked for.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_names
from ._api import load, resolve_methodology, score
from ._model import Indicator, Methodology, Node, RatingBand
from ._record import Record
from ._registry import all_versions, shipped_root, source_files, versions
from ._report import NodeResult, Result

__all__ = [
    "load",
    "score",
    "versions",
    "all_versions",
    "shipped_root",
    "resolve_methodology",
    "source_files",
    "read_node_mapping",
    "Methodology",
    "Node",
    "Indicator",
    "RatingBand",
    "Record",
    "Result",
    "NodeResult",
]

if TYPE_CHECKING:  # imported when first used (below): scoring never reads a node mapping
    from ._lineage import read_node_mapping as read_node_mapping

__getattr__, __dir__ = lazy_names(__name__, {"read_node_mapping": "._lineage"}, globals())
# The names' __module__ is set by par_rules/__init__.py, which imports this face whole first:
# par_rules for what it offers in turn (par_rules.Record), par_rules.engine for the rest.
