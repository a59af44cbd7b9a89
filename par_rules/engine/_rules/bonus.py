"""``kind: bonus``: ``per_occurrence`` for each occurrence, up to the cap.

>>> from decimal import Decimal as D
>>> BonusRule("awards", D("0.5")).apply(D(1), D(3))
(Decimal('1'), Decimal('1.5'))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from ..._i18n import gettext as _
from .._model import Indicator
from ._base import (
    vi_number,
    CLAMPED,
    INDICATOR_PROPERTY,
    Builder,
    Formula,
    FormulaRule,
    Report,
    check_indicator,
    points_vi,
    num,
)

__all__ = ["BonusRule"]


@dataclass(frozen=True)
class BonusRule(FormulaRule):
    """``per_occurrence`` for each occurrence, up to the cap."""

    indicator: str
    per_occurrence: Decimal
    kind: ClassVar[str] = "bonus"
    accepts: ClassVar[frozenset[str]] = frozenset({"count", "number"})
    # One rounding, and the cap is exact; a negative count earns nothing.
    formula: ClassVar[Formula] = Formula(kind, ("""
        raw = value * per_occurrence
    """, CLAMPED), ("per_occurrence",))
    schema: ClassVar[dict[str, Any]] = {
        "required": ["indicator", "per_occurrence"],
        "properties": {
            "indicator": INDICATOR_PROPERTY,
            "per_occurrence": {"type": "number", "exclusiveMinimum": 0, "description": "Số điểm cộng cho mỗi lần xảy ra. · Points added per occurrence."},
        },
    }
    example: ClassVar[dict[str, Any]] = {
        "indicator": {"type": "count"},
        "rule": {"per_occurrence": 0.25},
        "max": 1,
        "values": ["0", "3", "4", "9"],
    }

    @classmethod
    def build(cls, raw: Mapping[str, Any], cap: Decimal, node_id: str, builder: Builder) -> BonusRule:
        return cls(raw["indicator"], raw["per_occurrence"])

    def arguments(self, cap: Decimal) -> tuple[Any, ...]:
        return (self.per_occurrence,)

    def check(self, cap: Decimal, indicators: Mapping[str, Indicator], report: Report) -> None:
        check_indicator(self, self.accepts, indicators, report)

    def explain(self, cap: Decimal, points: Decimal, detail: Decimal, value: str, unit: str = "") -> str:
        text = f"{value} × {num(self.per_occurrence)} = {num(detail)}"
        return text + (_(", capped at {points}").format(points=num(points)) if detail != points else "")

    def capped(self, cap: Decimal, points: Decimal, detail: Any) -> bool:
        return bool(detail != points)

    def describe(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        return _("{per_occurrence} per occurrence, up to {cap}").format(per_occurrence=num(self.per_occurrence), cap=num(cap))

    def describe_vi(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        return f"{vi_number(self.per_occurrence)} điểm mỗi trường hợp, tối đa {points_vi(cap)}"

    def dump(self) -> dict[str, Any]:
        return {"kind": self.kind, "indicator": self.indicator, "per_occurrence": self.per_occurrence}
