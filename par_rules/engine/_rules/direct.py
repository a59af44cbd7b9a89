"""``kind: direct``: the record supplies the points (already appraised), within [0, cap].

>>> from decimal import Decimal as D
>>> DirectRule("e_gov_points").apply(D(2), D("1.5"))
(Decimal('1.5'), None)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, NoReturn

from .._arithmetic import format_short as fmt
from ..._i18n import gettext as _
from .._model import NUMERIC_TYPES, Indicator
from ._base import (
    vi_number,
    INDICATOR_PROPERTY,
    Builder,
    Formula,
    FormulaRule,
    Report,
    check_indicator,
    num,
)

__all__ = ["DirectRule"]


def _refuse(cap: Decimal, value: Decimal) -> NoReturn:
    raise ValueError(_("{fmt} points given, outside 0 to {cap}").format(fmt=fmt(value), cap=fmt(cap)))


@dataclass(frozen=True)
class DirectRule(FormulaRule):
    """The record supplies the points (already appraised); they must lie within [0, cap]."""

    indicator: str
    kind: ClassVar[str] = "direct"
    accepts: ClassVar[frozenset[str]] = NUMERIC_TYPES
    formula: ClassVar[Formula] = Formula(kind, """
        if ZERO <= value <= cap:
            points = value
            detail = None
        else:
            points, detail = refuse(cap, value)
    """, ("refuse",))
    schema: ClassVar[dict[str, Any]] = {
        "required": ["indicator"],
        "properties": {"indicator": INDICATOR_PROPERTY},
    }
    example: ClassVar[dict[str, Any]] = {
        "indicator": {"type": "number", "range": [0, 2]},
        "rule": {},
        "max": 2,
        "values": ["0", "1.25", "2"],
    }

    @classmethod
    def build(cls, raw: Mapping[str, Any], cap: Decimal, node_id: str, builder: Builder) -> DirectRule:
        return cls(raw["indicator"])

    def arguments(self, cap: Decimal) -> tuple[Any, ...]:
        return (_refuse,)

    def check(self, cap: Decimal, indicators: Mapping[str, Indicator], report: Report) -> None:
        check_indicator(self, self.accepts, indicators, report)

    def explain(self, cap: Decimal, points: Decimal, detail: None, value: str, unit: str = "") -> str:
        return _("points given by the record: {points}").format(points=num(points))

    def describe(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        return _("appraised points supplied by the record (0 to {cap})").format(cap=num(cap))

    def describe_vi(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        return f"điểm do hội đồng thẩm định chấm (từ 0 đến {vi_number(cap)})"

    def dump(self) -> dict[str, Any]:
        return {"kind": self.kind, "indicator": self.indicator}

    def record_limit(self, cap: Decimal) -> Decimal | None:
        return cap
