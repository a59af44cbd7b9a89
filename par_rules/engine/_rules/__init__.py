"""The rule kinds that turn a leaf's indicators into points: one module per kind, one row of
:data:`KINDS` each.

Every kind satisfies :class:`Rule` (``_base.py``): it builds itself from its YAML mapping,
checks itself, applies itself, writes its code into the generated scorer from the same
:class:`Formula` as its ``apply``, dumps and describes itself. Nothing outside this package
asks which kind a rule is; a new kind is a new module here and a row below
(``docs/architecture.md`` shows one).
"""

from __future__ import annotations

import importlib
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
    num,
    points_text,
    points_vi,
    yes_no,
)

if TYPE_CHECKING:  # imported when first used (below): ``import par_rules`` does not build nine dataclasses
    from .bands import Band, BandsRule
    from .bonus import BonusRule
    from .boolean import BooleanRule
    from .deduction import DeductionRule
    from .direct import DirectRule
    from .expression import ExpressionRule, expression_kinds
    from .levels import LevelsRule
    from .proportional import ProportionalRule
    from .survey import SurveyRule

    #: Kind name (``kind:`` in a methodology file) -> its class, in the order the format documents them.
    KINDS: dict[str, type[Rule]]

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
    "num",
    "yes_no",
    "points_vi",
    "interval_vi",
    "bounds_of",
]

#: Kind name -> the module and class of that kind, in the order the format documents them. The
#: modules are imported when a methodology is first compiled (about 9 ms of dataclasses that
#: ``import par_rules`` would otherwise pay); :data:`KINDS` is this table with the classes.
_KIND_CLASSES = {
    "bands": (".bands", "BandsRule"),
    "levels": (".levels", "LevelsRule"),
    "boolean": (".boolean", "BooleanRule"),
    "proportional": (".proportional", "ProportionalRule"),
    "direct": (".direct", "DirectRule"),
    "deduction": (".deduction", "DeductionRule"),
    "bonus": (".bonus", "BonusRule"),
    "survey": (".survey", "SurveyRule"),
    "expression": (".expression", "ExpressionRule"),
}
#: The other names this face offers from the kinds' modules.
_OTHER_NAMES = {"Band": ".bands", "expression_kinds": ".expression"}


def __getattr__(name: str) -> Any:
    """:data:`KINDS` and the kinds' classes, imported when first asked for (PEP 562)."""
    if name == "KINDS":
        value: Any = {kind: getattr(importlib.import_module(module, __name__), cls) for kind, (module, cls) in _KIND_CLASSES.items()}
    else:
        module = next((module for module, cls in _KIND_CLASSES.values() if cls == name), None) or _OTHER_NAMES.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


#: What ``kind`` means, for editors (Vietnamese · English).
KIND_DESCRIPTION = (
    "Loại quy tắc: bands (theo khoảng), levels (theo mức), boolean (có/không), proportional (tỷ lệ), direct (điểm trực tiếp), "
    "deduction (trừ điểm), bonus (cộng điểm), survey (khảo sát), expression (công thức). · The rule's kind: " + ", ".join(_KIND_CLASSES) + "."
)


def rule_schema() -> dict[str, Any]:
    """The JSON Schema of a rule mapping (``$defs/rule`` of the methodology schema), made of
    the kinds' own schemas."""
    kinds: dict[str, type[Rule]] = globals()["KINDS"] if "KINDS" in globals() else __getattr__("KINDS")
    return {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"enum": list(kinds), "description": KIND_DESCRIPTION}},
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": name}}},
                "then": {"additionalProperties": False, "required": cls.schema["required"], "properties": {"kind": True, **cls.schema["properties"]}},
            }
            for name, cls in kinds.items()
        ],
    }


if TYPE_CHECKING:  # every kind is a Rule (mypy checks each class against the protocol here)
    _KINDS_ARE_RULES: tuple[type[Rule], ...] = (
        BandsRule, LevelsRule, BooleanRule, ProportionalRule, DirectRule, DeductionRule, BonusRule, SurveyRule, ExpressionRule,
    )
