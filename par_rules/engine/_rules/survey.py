"""``kind: survey``: each answer option is worth a % of the cap; points = cap × weighted mean %.

>>> from decimal import Decimal as D
>>> rule = SurveyRule("satisfaction", {"A": D(100), "B": D(60), "C": D(0)})
>>> rule.apply(D(21), {"A": D(46), "B": D(16), "C": D(10)})[0]
Decimal('16.21666666666666666666666666666667')
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
    vi_number,
    INDICATOR_PROPERTY,
    Builder,
    Formula,
    FormulaRule,
    Report,
    check_indicator,
    coverage,
    points_vi,
    num,
)

__all__ = ["SurveyRule"]


@dataclass(frozen=True)
class SurveyRule(FormulaRule):
    """Survey answers: each option is worth a % of the cap; points = cap × weighted mean %."""

    indicator: str
    weights: Mapping[str, Decimal]
    kind: ClassVar[str] = "survey"
    accepts: ClassVar[frozenset[str]] = frozenset({"answers"})
    # Exact sums and products, in the record's order: cap × Σ(answers × weight) / (Σ answers × 100),
    # one division. (An error on the way leaves EXACT set: the scorer and ``run`` set context back.)
    formula: ClassVar[Formula] = Formula(kind, """
        setcontext(EXACT)
        answers = weighted = ZERO
        for option, count in value.items():
            answers += count
            weighted += count * weights[option]
        points = context.divide(cap * weighted, answers * HUNDRED)
        detail = (context.divide(weighted, answers), answers)
        setcontext(context)
    """, ("weights",))
    schema: ClassVar[dict[str, Any]] = {
        "required": ["indicator", "weights"],
        "properties": {
            "indicator": INDICATOR_PROPERTY,
            "weights": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": {"type": "number", "minimum": 0, "maximum": 100},
                "description": "Phương án trả lời -> % điểm tối đa của nút. · Answer option -> % of the node's max.",
            },
        },
    }
    example: ClassVar[dict[str, Any]] = {
        "indicator": {"type": "answers", "options": {"A": "Hài lòng", "B": "Bình thường", "C": "Không hài lòng"}},
        "rule": {"weights": {"A": 100, "B": 60, "C": 0}},
        "max": 21,
        "values": [{"A": 46, "B": 16, "C": 10}, {"A": 1}, {"C": 3}],
    }

    @classmethod
    def build(cls, raw: Mapping[str, Any], cap: Decimal, node_id: str, builder: Builder) -> SurveyRule:
        return cls(raw["indicator"], MappingProxyType({str(key): value for key, value in raw["weights"].items()}))

    def arguments(self, cap: Decimal) -> tuple[Any, ...]:
        return (self.weights,)

    def check(self, cap: Decimal, indicators: Mapping[str, Indicator], report: Report) -> None:
        indicator = check_indicator(self, self.accepts, indicators, report)
        if indicator is not None:
            coverage(indicator, indicator.options, self.weights, "weight", "answer", report)

    def explain(self, cap: Decimal, points: Decimal, detail: tuple[Decimal, Decimal], value: str, unit: str = "") -> str:
        percent, answers = detail
        return _("{answers} answers, weighted mean {percent}% of {cap} → {points}").format(answers=num(answers), percent=num(percent), cap=num(cap), points=num(points))

    def describe(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        labels: Mapping[str, str] = indicator.options if indicator else {}
        shares = ", ".join(f"{labels.get(option, option)} {num(weight)}%" for option, weight in self.weights.items())
        return _("mean of the answers, each worth a share of {cap}: {shares}").format(cap=num(cap), shares=shares)

    def describe_vi(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        labels: Mapping[str, str] = indicator.options if indicator else {}
        shares = ", ".join(f"{labels.get(option) or option} {vi_number(weight)}%" for option, weight in self.weights.items())
        return f"trung bình các ý kiến trả lời, mỗi mức bằng một tỷ lệ của {points_vi(cap)}: {shares}"

    def dump(self) -> dict[str, Any]:
        return {"kind": self.kind, "indicator": self.indicator, "weights": dict(self.weights)}
