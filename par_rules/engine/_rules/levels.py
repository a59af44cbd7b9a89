"""``kind: levels``: each level of a level indicator earns fixed points (on time 1 / late 0.5 / not issued 0).

>>> from decimal import Decimal as D
>>> rule = LevelsRule("plan", {"on_time": D(1), "late": D("0.5"), "none": D(0)})
>>> rule.apply(D(1), "late")
(Decimal('0.5'), 'late')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar

from ..._i18n import gettext as _
from .._model import Indicator
from ._base import (
    INDICATOR_PROPERTY,
    Builder,
    Formula,
    FormulaRule,
    Report,
    check_cap,
    check_indicator,
    coverage,
    points_text,
    points_vi,
    num,
)

__all__ = ["LevelsRule"]


@dataclass(frozen=True)
class LevelsRule(FormulaRule):
    """Each level of a level indicator earns fixed points."""

    indicator: str
    points: Mapping[str, Decimal]
    kind: ClassVar[str] = "levels"
    accepts: ClassVar[frozenset[str]] = frozenset({"level"})
    formula: ClassVar[Formula] = Formula(kind, """
        points = levels[value]
        detail = value
    """, ("levels",))
    schema: ClassVar[dict[str, Any]] = {
        "required": ["indicator", "points"],
        "properties": {
            "indicator": INDICATOR_PROPERTY,
            "points": {"type": "object", "minProperties": 1, "additionalProperties": {"$ref": "#/$defs/points"}, "description": (
                "Mã mức -> điểm, cho mọi mức của chỉ số. · "
                "Level id -> points, for every level of the indicator."
            )},
        },
    }
    example: ClassVar[dict[str, Any]] = {
        "indicator": {"type": "level", "levels": {"on_time": "Ban hành kịp thời", "late": "Ban hành chậm", "none": "Không ban hành"}},
        "rule": {"points": {"on_time": 1, "late": 0.5, "none": 0}},
        "max": 1,
        "values": ["on_time", "late", "none"],
    }

    @classmethod
    def build(cls, raw: Mapping[str, Any], cap: Decimal, node_id: str, builder: Builder) -> LevelsRule:
        return cls(raw["indicator"], MappingProxyType({str(key): value for key, value in raw["points"].items()}))

    def arguments(self, cap: Decimal) -> tuple[Any, ...]:
        return (self.points,)

    def check(self, cap: Decimal, indicators: Mapping[str, Indicator], report: Report) -> None:
        indicator = check_indicator(self, self.accepts, indicators, report)
        if indicator is None:
            return
        coverage(indicator, indicator.levels, self.points, "points", "level", report)
        for level, points in self.points.items():
            check_cap(points, f"level {level}", cap, indicator, report)

    def explain(self, cap: Decimal, points: Decimal, detail: str, value: str, unit: str = "") -> str:
        return _("level “{level}” → {points}").format(level=value or detail, points=num(points))

    def describe(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        labels: Mapping[str, str] = indicator.levels if indicator else {}
        return "; ".join(f"{labels.get(level, level)}: {points_text(points)}" for level, points in self.points.items())

    def describe_vi(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        labels: Mapping[str, str] = indicator.levels if indicator else {}
        return "; ".join(f"{labels.get(level) or level}: {points_vi(points)}" for level, points in self.points.items())

    def dump(self) -> dict[str, Any]:
        return {"kind": self.kind, "indicator": self.indicator, "points": dict(self.points)}
