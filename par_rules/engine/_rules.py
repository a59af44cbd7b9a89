"""The rule kinds that turn a leaf's indicators into points.

Each rule is a frozen value with two jobs: :meth:`apply` computes points from a value (no
lookup by name, nothing parsed), and :meth:`explain` turns what ``apply`` recorded into words.
``describe`` says the rule itself in words, for the documentation.

Exactness: each formula multiplies its numerators exactly (in :data:`~par_rules.arithmetic.EXACT`)
and then divides, or rounds, once in :data:`~par_rules.arithmetic.CONTEXT`, so whatever the
documented formula gives exactly within 34 digits is given exactly (a survey leaf of 21 points
with 16 answers of 60 % among 72 is 21 × 960 / 7200 = 2.8; dividing first gave 2.799…9). The
generated scorer (:mod:`par_rules.codegen`) writes the same operations.

>>> from decimal import Decimal as D
>>> from par_rules.engine._model import Interval
>>> from par_rules._i18n import use
>>> rule = BandsRule("plan_completion", (
...     Band(Interval(low=D(90), low_inclusive=False), D(2)),
...     Band(Interval(low=D(70), high=D(90), high_inclusive=True), D(1)),
...     Band(Interval(high=D(70)), D(0)),
... ))
>>> rule.apply(D(2), D(90))
(Decimal('1'), 1)
>>> with use("vi"):
...     rule.explain(D(2), D(1), 1, "90%", "%")
'90% nằm trong khoảng từ 70% đến 90% → 1'
>>> with use("en"):
...     rule.explain(D(2), D(1), 1, "90%", "%"), rule.describe(D(2), "%")
('90% is from 70% to 90% → 1', 'above 90%: 2 points; from 70% to 90%: 1 point; below 70%: 0 points')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Union

from ._arithmetic import CONTEXT, EXACT
from ._arithmetic import format_short as fmt
from ._expressions import Expression
from ._model import Interval
from .._i18n import gettext as _, ngettext, number

__all__ = [
    "points_text",
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
    "Rule",
    "RULE_KINDS",
]

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


def points_text(value: Decimal) -> str:
    """``value`` as "N point(s)", as rules and the criteria browser describe points."""
    return ngettext("{points} point", "{points} points", 1 if value == 1 else 2).format(points=num(value))


def num(value: Decimal) -> str:
    """``value`` for people, as the language of the moment writes numbers (``16,75`` in Vietnamese)."""
    return number(fmt(value))


def yes_no(value: bool) -> str:
    """A yes/no value in words."""
    return _("yes") if value else _("no")


def _clamp(raw: Decimal, cap: Decimal) -> Decimal:
    return _ZERO if raw < 0 else cap if raw > cap else raw


@dataclass(frozen=True)
class Band:
    """One band of a threshold rule: values in ``interval`` earn ``points``."""

    interval: Interval
    points: Decimal
    label: str | None = None


@dataclass(frozen=True)
class BandsRule:
    """Threshold bands on a value, with explicit inclusive or exclusive bounds."""

    indicator: str
    bands: tuple[Band, ...]
    kind: ClassVar[str] = "bands"

    def apply(self, cap: Decimal, value: Decimal) -> tuple[Decimal, int]:
        for position, band in enumerate(self.bands):
            if value in band.interval:
                return band.points, position
        raise ValueError(_("{fmt} falls in no band").format(fmt=fmt(value)))  # validation makes the bands cover the range

    def explain(self, cap: Decimal, points: Decimal, detail: int, value: str, unit: str = "") -> str:
        return _("{value} is {interval} → {points}").format(value=value, interval=self.bands[detail].interval.describe(unit), points=num(points))

    def describe(self, cap: Decimal, unit: str = "") -> str:
        return "; ".join(f"{band.interval.describe(unit)}: {points_text(band.points)}" for band in self.bands)


@dataclass(frozen=True)
class LevelsRule:
    """Each level of a level indicator earns fixed points (on time 1 / late 0.5 / not issued 0)."""

    indicator: str
    points: Mapping[str, Decimal]
    kind: ClassVar[str] = "levels"

    def apply(self, cap: Decimal, value: str) -> tuple[Decimal, str]:
        return self.points[value], value

    def explain(self, cap: Decimal, points: Decimal, detail: str, value: str, unit: str = "") -> str:
        return _("level “{level}” → {points}").format(level=value or detail, points=num(points))

    def describe(self, cap: Decimal, unit: str = "", labels: Mapping[str, str] | None = None) -> str:
        labels = labels or {}
        return "; ".join(f"{labels.get(level, level)}: {points_text(points)}" for level, points in self.points.items())


@dataclass(frozen=True)
class BooleanRule:
    """Yes earns ``when_true`` (default the cap), no earns ``when_false`` (default 0)."""

    indicator: str
    when_true: Decimal | None = None
    when_false: Decimal = _ZERO
    kind: ClassVar[str] = "boolean"

    def apply(self, cap: Decimal, value: bool) -> tuple[Decimal, bool]:
        if value:
            return (cap if self.when_true is None else self.when_true), True
        return self.when_false, False

    def explain(self, cap: Decimal, points: Decimal, detail: bool, value: str, unit: str = "") -> str:
        return f"{yes_no(detail)} → {num(points)}"

    def describe(self, cap: Decimal, unit: str = "") -> str:
        yes = cap if self.when_true is None else self.when_true
        return f"{yes_no(True)}: {points_text(yes)}; {yes_no(False)}: {points_text(self.when_false)}"


@dataclass(frozen=True)
class ProportionalRule:
    """Points = cap × value / ``full_at``, kept within [0, cap]."""

    indicator: str
    full_at: Decimal
    kind: ClassVar[str] = "proportional"

    def apply(self, cap: Decimal, value: Decimal) -> tuple[Decimal, Decimal]:
        raw = CONTEXT.divide(EXACT.multiply(cap, value), self.full_at)
        return _clamp(raw, cap), raw

    def explain(self, cap: Decimal, points: Decimal, detail: Decimal, value: str, unit: str = "") -> str:
        text = f"{num(cap)} × {value} / {num(self.full_at)}{unit} = {num(detail)}"
        return text + (_(", capped at {points}").format(points=num(points)) if detail != points else "")

    def describe(self, cap: Decimal, unit: str = "") -> str:
        return _("{cap} × value / {full_at} (full points from {full_at})").format(cap=num(cap), full_at=num(self.full_at) + unit)


@dataclass(frozen=True)
class DirectRule:
    """The record supplies the points (already appraised); they must lie within [0, cap]."""

    indicator: str
    kind: ClassVar[str] = "direct"

    def apply(self, cap: Decimal, value: Decimal) -> tuple[Decimal, None]:
        if not _ZERO <= value <= cap:
            raise ValueError(_("{fmt} points given, outside 0 to {cap}").format(fmt=fmt(value), cap=fmt(cap)))
        return value, None

    def explain(self, cap: Decimal, points: Decimal, detail: None, value: str, unit: str = "") -> str:
        return _("points given by the record: {points}").format(points=num(points))

    def describe(self, cap: Decimal, unit: str = "") -> str:
        return _("appraised points supplied by the record (0 to {cap})").format(cap=num(cap))


@dataclass(frozen=True)
class DeductionRule:
    """Start from the cap and lose ``per_occurrence`` for each occurrence, at most ``limit``."""

    indicator: str
    per_occurrence: Decimal
    limit: Decimal | None = None
    kind: ClassVar[str] = "deduction"

    def apply(self, cap: Decimal, value: Decimal) -> tuple[Decimal, Decimal]:
        limit = cap if self.limit is None else min(self.limit, cap)
        raw = EXACT.multiply(value, self.per_occurrence)  # exact: the subtraction rounds once
        return CONTEXT.subtract(cap, _clamp(raw, limit)), raw  # a negative count (a number indicator) deducts nothing

    def explain(self, cap: Decimal, points: Decimal, detail: Decimal, value: str, unit: str = "") -> str:
        text = f"{num(cap)} − {value} × {num(self.per_occurrence)} → {num(points)}"
        return text + (_(" (deduction capped)") if self.capped(cap, detail) else "")

    def capped(self, cap: Decimal, detail: Decimal) -> bool:
        """Whether the deduction (``detail``: count × per occurrence) was kept within 0 to the limit."""
        limit = cap if self.limit is None else min(self.limit, cap)
        return not _ZERO <= detail <= limit

    def describe(self, cap: Decimal, unit: str = "") -> str:
        limit = cap if self.limit is None else self.limit
        return _("{cap} minus {per_occurrence} per occurrence (at most {limit} deducted)").format(cap=num(cap), per_occurrence=num(self.per_occurrence), limit=num(limit))


@dataclass(frozen=True)
class BonusRule:
    """``per_occurrence`` for each occurrence, up to the cap."""

    indicator: str
    per_occurrence: Decimal
    kind: ClassVar[str] = "bonus"

    def apply(self, cap: Decimal, value: Decimal) -> tuple[Decimal, Decimal]:
        raw = CONTEXT.multiply(value, self.per_occurrence)  # one rounding, and the cap is exact
        return _clamp(raw, cap), raw  # a negative count (a number indicator) earns nothing

    def explain(self, cap: Decimal, points: Decimal, detail: Decimal, value: str, unit: str = "") -> str:
        text = f"{value} × {num(self.per_occurrence)} = {num(detail)}"
        return text + (_(", capped at {points}").format(points=num(points)) if detail != points else "")

    def describe(self, cap: Decimal, unit: str = "") -> str:
        return _("{per_occurrence} per occurrence, up to {cap}").format(per_occurrence=num(self.per_occurrence), cap=num(cap))


@dataclass(frozen=True)
class SurveyRule:
    """Survey answers: each option is worth a % of the cap; points = cap × weighted mean %."""

    indicator: str
    weights: Mapping[str, Decimal]
    kind: ClassVar[str] = "survey"

    def apply(self, cap: Decimal, value: Mapping[str, Decimal]) -> tuple[Decimal, tuple[Decimal, Decimal]]:
        answers = weighted = _ZERO
        for option, count in value.items():  # exact sums: max × Σ(answers × weight) / (Σ answers × 100), one division
            answers = EXACT.add(answers, count)
            weighted = EXACT.add(weighted, EXACT.multiply(count, self.weights[option]))
        points = CONTEXT.divide(EXACT.multiply(cap, weighted), EXACT.multiply(answers, _HUNDRED))
        return points, (CONTEXT.divide(weighted, answers), answers)

    def explain(self, cap: Decimal, points: Decimal, detail: tuple[Decimal, Decimal], value: str, unit: str = "") -> str:
        percent, answers = detail
        return _("{answers} answers, weighted mean {percent}% of {cap} → {points}").format(answers=num(answers), percent=num(percent), cap=num(cap), points=num(points))

    def describe(self, cap: Decimal, unit: str = "", labels: Mapping[str, str] | None = None) -> str:
        labels = labels or {}
        shares = ", ".join(f"{labels.get(option, option)} {num(weight)}%" for option, weight in self.weights.items())
        return _("mean of the answers, each worth a share of {cap}: {shares}").format(cap=num(cap), shares=shares)


@dataclass(frozen=True)
class ExpressionRule:
    """A safe expression over indicators (``MAX`` is the node's cap); kept within [0, cap]."""

    expression: Expression
    monotone_in: tuple[str, ...] = ()
    kind: ClassVar[str] = "expression"

    @property
    def indicator(self) -> None:
        return None

    def apply(self, cap: Decimal, values: Mapping[str, Any]) -> tuple[Decimal, Decimal]:
        raw = self.expression.evaluate(values)
        return _clamp(raw, cap), raw

    def explain(self, cap: Decimal, points: Decimal, detail: Decimal, value: str, unit: str = "") -> str:
        text = f"{self.expression.source} = {num(detail)}"
        return text + (_(", kept within 0 to {cap} → {points}").format(cap=num(cap), points=num(points)) if detail != points else "")

    def describe(self, cap: Decimal, unit: str = "") -> str:
        return _("formula: {source} (kept within 0 to {cap})").format(source=self.expression.source, cap=num(cap))


Rule = Union[
    BandsRule, LevelsRule, BooleanRule, ProportionalRule, DirectRule, DeductionRule, BonusRule, SurveyRule, ExpressionRule
]

RULE_KINDS: dict[str, type] = {
    cls.kind: cls
    for cls in (BandsRule, LevelsRule, BooleanRule, ProportionalRule, DirectRule, DeductionRule, BonusRule, SurveyRule, ExpressionRule)
}
