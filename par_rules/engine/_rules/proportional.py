"""``kind: proportional``: points = cap × value / ``full_at``, kept within [0, cap].

>>> from decimal import Decimal as D
>>> ProportionalRule("rate", D(100)).apply(D(3), D(95))
(Decimal('2.85'), Decimal('2.85'))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from ..._i18n import gettext as _
from .._model import NUMERIC_TYPES, Indicator
from ._base import (
    vi_number,
    CLAMPED,
    INDICATOR_PROPERTY,
    Builder,
    Formula,
    FormulaRule,
    Report,
    check_indicator,
    num,
)

__all__ = ["ProportionalRule"]

_FULL_AT = {"percent": Decimal(100), "ratio": Decimal(1)}


@dataclass(frozen=True)
class ProportionalRule(FormulaRule):
    """Points = cap × value / ``full_at``, kept within [0, cap]."""

    indicator: str
    full_at: Decimal
    kind: ClassVar[str] = "proportional"
    accepts: ClassVar[frozenset[str]] = NUMERIC_TYPES
    formula: ClassVar[Formula] = Formula(kind, ("""
        raw = EXACT_MULTIPLY(cap, value) / full_at
    """, CLAMPED), ("full_at",))
    schema: ClassVar[dict[str, Any]] = {
        "required": ["indicator"],
        "properties": {
            "indicator": INDICATOR_PROPERTY,
            "full_at": {"type": "number", "exclusiveMinimum": 0, "description": (
                "Giá trị đạt đủ điểm (mặc định 100 với percent, 1 với ratio), cùng đơn vị với chỉ số. · "
                "Value that earns the full points (default: 100 for a percent, 1 for a ratio), in the indicator's unit."
            )},
        },
    }
    example: ClassVar[dict[str, Any]] = {
        "indicator": {"type": "number", "range": [0, None]},
        "rule": {"full_at": 30},
        "max": 3,
        "values": ["0", "7", "30", "45.5"],
    }

    @classmethod
    def build(cls, raw: Mapping[str, Any], cap: Decimal, node_id: str, builder: Builder) -> ProportionalRule:
        indicator_id = raw["indicator"]
        full_at = raw.get("full_at")
        if full_at is None:
            indicator = builder.indicators.get(indicator_id)
            full_at = _FULL_AT.get(indicator.type) if indicator else None
            if full_at is None:
                builder.problem(raw, "kind", _("a proportional rule on a {value} indicator needs full_at").format(
                    value=indicator.type if indicator else 'non-percent'
                ), node=node_id, indicator=indicator_id)
                full_at = Decimal(1)
        return cls(indicator_id, full_at)

    def arguments(self, cap: Decimal) -> tuple[Any, ...]:
        return (self.full_at,)

    def check(self, cap: Decimal, indicators: Mapping[str, Indicator], report: Report) -> None:
        check_indicator(self, self.accepts, indicators, report)

    def explain(self, cap: Decimal, points: Decimal, detail: Decimal, value: str, unit: str = "") -> str:
        text = f"{num(cap)} × {value} / {num(self.full_at)}{unit} = {num(detail)}"
        return text + (_(", capped at {points}").format(points=num(points)) if detail != points else "")

    def capped(self, cap: Decimal, points: Decimal, detail: Any) -> bool:
        return bool(detail != points)

    def describe(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        unit = indicator.unit_symbol if indicator else ""
        return _("{cap} × value / {full_at} (full points from {full_at})").format(cap=num(cap), full_at=num(self.full_at) + unit)

    def describe_vi(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        unit = indicator.unit_symbol if indicator else ""
        return f"{vi_number(cap)} × giá trị / {vi_number(self.full_at)}{unit} (đạt {vi_number(self.full_at)}{unit} trở lên: điểm tối đa)"

    def dump(self) -> dict[str, Any]:
        return {"kind": self.kind, "indicator": self.indicator, "full_at": self.full_at}
