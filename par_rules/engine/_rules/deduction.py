"""``kind: deduction``: start from the cap and lose ``per_occurrence`` for each occurrence, at most ``limit``.

>>> from decimal import Decimal as D
>>> DeductionRule("violations", D("2.5")).apply(D(10), D(3))
(Decimal('2.5'), Decimal('7.5'))
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
    INDICATOR_PROPERTY,
    ZERO,
    Builder,
    Formula,
    FormulaRule,
    Report,
    check_cap,
    check_indicator,
    points_vi,
    put,
    num,
)

__all__ = ["DeductionRule"]


@dataclass(frozen=True)
class DeductionRule(FormulaRule):
    """Start from the cap and lose ``per_occurrence`` for each occurrence, at most ``limit``."""

    indicator: str
    per_occurrence: Decimal
    limit: Decimal | None = None
    kind: ClassVar[str] = "deduction"
    accepts: ClassVar[frozenset[str]] = frozenset({"count", "number"})
    # The product exact, for the subtraction to round once; a negative count deducts nothing.
    formula: ClassVar[Formula] = Formula(kind, """
        raw = EXACT_MULTIPLY(value, per_occurrence)
        points = cap - (ZERO if raw < ZERO else limit if raw > limit else raw)
        detail = raw
    """, ("per_occurrence", "limit"))
    schema: ClassVar[dict[str, Any]] = {
        "required": ["indicator", "per_occurrence"],
        "properties": {
            "indicator": INDICATOR_PROPERTY,
            "per_occurrence": {"type": "number", "exclusiveMinimum": 0, "description": "Số điểm trừ cho mỗi lần xảy ra. · Points deducted per occurrence."},
            "limit": {"$ref": "#/$defs/points", "description": "Số điểm trừ tối đa (mặc định: điểm tối đa của nút). · Most points that can be deducted (default: the node's max)."},
        },
    }
    example: ClassVar[dict[str, Any]] = {
        "indicator": {"type": "count"},
        "rule": {"per_occurrence": 2.5, "limit": 6},
        "max": 10,
        "values": ["0", "1", "2", "3", "40"],
    }

    @classmethod
    def build(cls, raw: Mapping[str, Any], cap: Decimal, node_id: str, builder: Builder) -> DeductionRule:
        return cls(raw["indicator"], raw["per_occurrence"], raw.get("limit"))

    def most(self, cap: Decimal) -> Decimal:
        """The most a node of this cap can lose."""
        return cap if self.limit is None else min(self.limit, cap)

    def arguments(self, cap: Decimal) -> tuple[Any, ...]:
        return (self.per_occurrence, self.most(cap))

    def check(self, cap: Decimal, indicators: Mapping[str, Indicator], report: Report) -> None:
        indicator = check_indicator(self, self.accepts, indicators, report)
        if indicator is not None and self.limit is not None and self.limit > cap:  # (the words only for a problem)
            check_cap(self.limit, _("the deduction limit"), cap, indicator, report)

    def explain(self, cap: Decimal, points: Decimal, detail: Decimal, value: str, unit: str = "") -> str:
        text = f"{num(cap)} − {value} × {num(self.per_occurrence)} → {num(points)}"
        return text + (_(" (deduction capped)") if self.capped(cap, points, detail) else "")

    def capped(self, cap: Decimal, points: Decimal, detail: Any) -> bool:
        """Whether the deduction (``detail``: count × per occurrence) was kept within 0 to the limit."""
        return not ZERO <= detail <= self.most(cap)

    def describe(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        limit = cap if self.limit is None else self.limit
        return _("{cap} minus {per_occurrence} per occurrence (at most {limit} deducted)").format(cap=num(cap), per_occurrence=num(self.per_occurrence), limit=num(limit))

    def describe_vi(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        limit = cap if self.limit is None else self.limit
        return f"{points_vi(cap)}, trừ {vi_number(self.per_occurrence)} điểm mỗi trường hợp (trừ tối đa {vi_number(limit)} điểm)"

    def dump(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "indicator": self.indicator, "per_occurrence": self.per_occurrence}
        put(data, "limit", self.limit)
        return data
