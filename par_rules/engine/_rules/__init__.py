"""The rule kinds that turn a leaf's indicators into points: one module per kind, one row of
:data:`KINDS` each.

Every kind satisfies :class:`Rule` (``_base.py``): it builds itself from its YAML mapping,
checks itself, applies itself, writes its code into the generated scorer from the same
:class:`Formula` as its ``apply``, dumps and describes itself. Nothing outside this package
asks which kind a rule is; a new kind is a new module here and a row below
(``docs/architecture.md`` shows one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._base import HELPERS as FORMULA_HELPERS
from ._base import (
    Builder,
    Formula,
    Rule,
    Slots,
    Writer,
    bounds_of,
    interval_vi,
    points_text,
    points_vi,
)
from .bands import Band, BandsRule
from .bonus import BonusRule
from .boolean import BooleanRule
from .deduction import DeductionRule
from .direct import DirectRule
from .expression import ExpressionRule, expression_kinds
from .levels import LevelsRule
from .proportional import ProportionalRule
from .survey import SurveyRule

__all__ = [
    "KINDS",
    "Rule",
    "Builder",
    "Writer",
    "Slots",
    "Formula",
    "FORMULA_HELPERS",
    "Band",
    "BandsRule",
    "LevelsRule",
    "BooleanRule",
    "ProportionalRule",
    "DirectRule",
    "DeductionRule",
    "BonusRule",
    "SurveyRule",
    "ExpressionRule",
    "rule_schema",
    "expression_kinds",
    "points_text",
    "points_vi",
    "interval_vi",
    "bounds_of",
]

#: Kind name (``kind:`` in a methodology file) -> its class, in the order the format documents them.
KINDS: dict[str, type[Rule]] = {
    cls.kind: cls
    for cls in (BandsRule, LevelsRule, BooleanRule, ProportionalRule, DirectRule, DeductionRule, BonusRule, SurveyRule, ExpressionRule)
}


#: What ``kind`` means, for editors (Vietnamese · English).
KIND_DESCRIPTION = (
    "Loại quy tắc: bands (theo khoảng), levels (theo mức), boolean (có/không), proportional (tỷ lệ), direct (điểm trực tiếp), "
    "deduction (trừ điểm), bonus (cộng điểm), survey (khảo sát), expression (công thức). · The rule's kind: " + ", ".join(KINDS) + "."
)


def rule_schema() -> dict[str, Any]:
    """The JSON Schema of a rule mapping (``$defs/rule`` of the methodology schema), made of
    the kinds' own schemas."""
    return {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"enum": list(KINDS), "description": KIND_DESCRIPTION}},
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": name}}},
                "then": {"additionalProperties": False, "required": cls.schema["required"], "properties": {"kind": True, **cls.schema["properties"]}},
            }
            for name, cls in KINDS.items()
        ],
    }


if TYPE_CHECKING:  # every kind is a Rule (mypy checks each class against the protocol here)
    _KINDS_ARE_RULES: tuple[type[Rule], ...] = (
        BandsRule, LevelsRule, BooleanRule, ProportionalRule, DirectRule, DeductionRule, BonusRule, SurveyRule, ExpressionRule,
    )
