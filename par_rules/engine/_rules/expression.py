"""``kind: expression``: a safe formula over indicators (``MAX`` is the node's cap), kept within [0, cap].

>>> from decimal import Decimal as D
>>> from .._expressions import compile_expression
>>> rule = ExpressionRule(compile_expression("MAX * rate / 100", {"rate": "number"}, constants={"MAX": D(4)}))
>>> rule.apply(D(4), {"rate": D(130)})
(Decimal('4'), Decimal('5.2'))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from .._expressions import Expression, ExpressionError, compile_expression
from ..._i18n import gettext as _
from .._model import Indicator
from ._base import CLAMPED, Builder, Formula, Report, Slots, Writer, num, vi_number

__all__ = ["ExpressionRule", "expression_kinds"]

_KIND_OF_TYPE = {"number": "number", "percent": "number", "ratio": "number", "count": "number", "boolean": "boolean", "level": "level"}


def expression_kinds(indicators: Mapping[str, Indicator]) -> dict[str, str]:
    """The kind (number, boolean, level, or the type itself) of each indicator in expressions."""
    return {key: _KIND_OF_TYPE.get(indicator.type, indicator.type) for key, indicator in indicators.items()}


@dataclass(frozen=True)
class ExpressionRule:
    """A safe expression over indicators (``MAX`` is the node's cap); kept within [0, cap]."""

    expression: Expression
    monotone_in: tuple[str, ...] = ()
    kind: ClassVar[str] = "expression"
    # ``formula``: the expression's value (``apply``), or its checked tree as source (``write``).
    formula: ClassVar[Formula] = Formula(kind, ("raw = formula", CLAMPED), ("formula",))
    schema: ClassVar[dict[str, Any]] = {
        "required": ["formula"],
        "properties": {
            "formula": {"type": "string", "minLength": 1, "description": (
                "Công thức tính điểm từ các chỉ số (cộng, trừ, nhân, chia, min, max, so sánh). · "
                "The formula that gives the points from indicators (+ - * /, min, max, comparisons)."
            )},
            "monotone_in": {
                "type": "array",
                "items": {"$ref": "#/$defs/indicator_id"},
                "description": "Các chỉ số mà điểm không bao giờ giảm khi chúng tăng (được kiểm thử tính chất). · Indicators the points never decrease in (checked by the property tests).",
            },
        },
    }
    example: ClassVar[dict[str, Any]] = {
        "indicator": {"type": "number", "range": [0, 200]},
        "rule": {"formula": "MAX * x / 100", "monotone_in": ["x"]},
        "max": 4,
        "values": ["0", "50", "100", "130"],
    }

    @property
    def indicator(self) -> None:
        return None

    @property
    def inputs(self) -> tuple[str, ...]:
        return self.expression.names

    @classmethod
    def build(cls, raw: Mapping[str, Any], cap: Decimal, node_id: str, builder: Builder) -> ExpressionRule | None:
        indicators = builder.indicators
        levels = {key: frozenset(ind.levels) for key, ind in indicators.items() if ind.type == "level"}
        try:
            expression = compile_expression(raw["formula"], expression_kinds(indicators), levels=levels, constants={"MAX": cap})
        except ExpressionError as error:
            builder.problem(raw, "formula", _("formula: {error}").format(error=error), node=node_id)
            return None
        monotone = tuple(raw.get("monotone_in", ()))
        for name in monotone:
            if name not in expression.names:
                builder.problem(raw, "monotone_in", _("monotone_in names '{name}', which the formula does not use").format(name=name), node=node_id, indicator=name)
        return cls(expression, monotone)

    def check(self, cap: Decimal, indicators: Mapping[str, Indicator], report: Report) -> None:
        """Nothing: names, types and the allow-list are checked when the expression is compiled."""

    def apply(self, cap: Decimal, value: Mapping[str, Any]) -> tuple[Decimal, Decimal]:
        """``value``: the values of the indicators, by id."""
        return self.formula.run(cap, None, self.expression.evaluate(value))

    def write(self, out: Writer, indent: int, slots: Slots) -> None:
        self.formula.write(out, indent, slots, "None", [out.expression(self.expression, slots.inputs)])

    def explain(self, cap: Decimal, points: Decimal, detail: Decimal, value: str, unit: str = "") -> str:
        text = f"{self.expression.source} = {num(detail)}"
        return text + (_(", kept within 0 to {cap} → {points}").format(cap=num(cap), points=num(points)) if detail != points else "")

    def capped(self, cap: Decimal, points: Decimal, detail: Any) -> bool:
        return bool(detail != points)

    def describe(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        return _("formula: {source} (kept within 0 to {cap})").format(source=self.expression.source, cap=num(cap))

    def describe_vi(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        return f"công thức: {self.expression.source} (trong khoảng 0 đến {vi_number(cap)})"

    def dump(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "formula": self.expression.source}
        if self.monotone_in:
            data["monotone_in"] = list(self.monotone_in)
        return data

    def thresholds(self) -> tuple[Decimal, ...]:
        return ()

    def record_limit(self, cap: Decimal) -> Decimal | None:
        return None
