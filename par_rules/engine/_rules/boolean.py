"""``kind: boolean``: yes earns ``when_true`` (default the cap), no earns ``when_false`` (default 0).

>>> from decimal import Decimal as D
>>> BooleanRule("published").apply(D(2), True), BooleanRule("published").apply(D(2), False)
((Decimal('2'), True), (Decimal('0'), False))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from .._arithmetic import format_short as fmt
from .._model import Indicator
from ._base import (
    INDICATOR_PROPERTY,
    ZERO,
    Builder,
    Formula,
    FormulaRule,
    Report,
    check_cap,
    check_indicator,
    points_text,
    points_vi,
    put,
)

__all__ = ["BooleanRule"]


@dataclass(frozen=True)
class BooleanRule(FormulaRule):
    """Yes earns ``when_true`` (default the cap), no earns ``when_false`` (default 0)."""

    indicator: str
    when_true: Decimal | None = None
    when_false: Decimal = ZERO
    kind: ClassVar[str] = "boolean"
    accepts: ClassVar[frozenset[str]] = frozenset({"boolean"})
    formula: ClassVar[Formula] = Formula(kind, """
        if value:
            points = yes
            detail = True
        else:
            points = no
            detail = False
    """, ("yes", "no"))
    schema: ClassVar[dict[str, Any]] = {
        "required": ["indicator"],
        "properties": {
            "indicator": INDICATOR_PROPERTY,
            "when_true": {"$ref": "#/$defs/points", "description": "Điểm khi có (mặc định: điểm tối đa của nút). · Points for yes (default: the node's max)."},
            "when_false": {"$ref": "#/$defs/points", "description": "Điểm khi không (mặc định: 0). · Points for no (default: 0)."},
        },
    }
    example: ClassVar[dict[str, Any]] = {
        "indicator": {"type": "boolean"},
        "rule": {"when_true": 1.5, "when_false": 0.25},
        "max": 2,
        "values": [True, False, "có", "không"],
    }

    @classmethod
    def build(cls, raw: Mapping[str, Any], cap: Decimal, node_id: str, builder: Builder) -> BooleanRule:
        return cls(raw["indicator"], raw.get("when_true"), raw.get("when_false", ZERO))

    def yes(self, cap: Decimal) -> Decimal:
        """The points of a yes."""
        return cap if self.when_true is None else self.when_true

    def arguments(self, cap: Decimal) -> tuple[Any, ...]:
        return (self.yes(cap), self.when_false)

    def check(self, cap: Decimal, indicators: Mapping[str, Indicator], report: Report) -> None:
        indicator = check_indicator(self, self.accepts, indicators, report)
        if indicator is None:
            return
        if self.when_true is not None:
            check_cap(self.when_true, "yes", cap, indicator, report)
        check_cap(self.when_false, "no", cap, indicator, report)

    def explain(self, cap: Decimal, points: Decimal, detail: bool, value: str, unit: str = "") -> str:
        return f"{'yes' if detail else 'no'} → {fmt(points)}"

    def describe(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        return f"yes: {points_text(self.yes(cap))}; no: {points_text(self.when_false)}"

    def describe_vi(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        return f"Có: {points_vi(self.yes(cap))}; Không: {points_vi(self.when_false)}"

    def dump(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "indicator": self.indicator}
        put(data, "when_true", self.when_true)
        data["when_false"] = self.when_false
        return data
