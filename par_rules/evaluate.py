"""Stage 4, evaluate: run a methodology's plan on a checked record.

The :class:`Plan` is built once per methodology (by :mod:`par_rules.compile`): derived
indicators in dependency order, then every node in one flat list, children before parents.
Scoring a record walks those lists once; what each step decided (which band, which level,
a cap, a rescale) is kept, so the explanation is read from it, never computed a second time.

Rules at parents: a parent sums its children (or takes their weighted mean) and never exceeds
its cap. Children that do not apply (``not_applicable``) are left out and the parent is rescaled
over the caps that do apply; a parent with no applicable child does not apply either.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .arithmetic import CONTEXT, format_decimal as fmt
from .errors import Problem, RecordError
from .model import Indicator, Methodology, Node
from .record import Catalogue
from .rules import BandsRule, ExpressionRule, _clamp as clamp

__all__ = ["Plan", "Outcome", "MISSING_DETAIL"]

_ZERO = Decimal(0)
_PRECEDENCE = {"not_applicable": 0, "zero": 1, "full": 2}

# The detail of a leaf whose indicator was missing: ("missing", indicator id, policy).
MISSING_DETAIL = "missing"


class Outcome:
    """What scoring decided at every node: points (``None``: not applicable) and details."""

    __slots__ = ("points", "details", "values", "total")

    def __init__(self, points: list[Decimal | None], details: list[Any], values: dict[str, Any], total: Decimal | None) -> None:
        self.points = points
        self.details = details
        self.values = values
        self.total = total


class Plan:
    """A methodology flattened for evaluation.

    Built once: a reader per input indicator (:class:`~par_rules.record.Catalogue`), a step per
    derived indicator, a ready-made callable per leaf (its rule's ``apply`` with the cap, the
    indicator and the missing-value policy bound), and per parent its children's positions
    and caps, so that :meth:`run` looks nothing up by name and parses nothing.
    """

    def __init__(self, methodology: Methodology) -> None:
        self.nodes: tuple[Node, ...] = tuple(methodology.nodes())
        index = {id(node): position for position, node in enumerate(self.nodes)}
        self.children: tuple[tuple[int, ...], ...] = tuple(tuple(index[id(child)] for child in node.children) for node in self.nodes)
        self.fields: tuple[int, ...] = tuple(index[id(node)] for node in methodology.criteria)
        self.position = {node.id: position for position, node in enumerate(self.nodes)}
        self.scale = methodology.scale
        indicators = methodology.indicators
        self.catalogue = Catalogue(indicators)
        self.derived = tuple(_dependency_order({key: ind for key, ind in indicators.items() if ind.derived}))
        self._derivations = tuple(_derivation(key, indicator) for key, indicator in self.derived)
        policies = {key: ind.missing for key, ind in indicators.items()}
        order = range(len(self.nodes) - 1, -1, -1)  # children always come after their parent
        self._leaves = tuple((position, _leaf_step(self.nodes[position], policies), self.nodes[position]) for position in order if self.nodes[position].rule is not None)
        may_lapse = [False] * len(self.nodes)  # may be "not applicable" for some record
        for position in order:
            node = self.nodes[position]
            if isinstance(node.rule, ExpressionRule):
                may_lapse[position] = any(policies[name] == "not_applicable" for name in node.rule.expression.names)
            elif node.rule is not None:
                may_lapse[position] = policies[node.rule.indicator] == "not_applicable"
            else:
                may_lapse[position] = all(may_lapse[child] for child in self.children[position])
        self._parents = tuple(self._parent_step(position, may_lapse) for position in order if self.nodes[position].rule is None)
        self._field_caps = tuple((position, self.nodes[position].max) for position in self.fields)
        self.field_caps = sum((self.nodes[f].max for f in self.fields), _ZERO)

    def _parent_step(self, position: int, may_lapse: list[bool]) -> tuple[Any, ...]:
        node = self.nodes[position]
        kids = tuple((child, self.nodes[child].max, self.nodes[child].weight) for child in self.children[position])
        full = sum((cap for _, cap, _ in kids), _ZERO)
        steady = not any(may_lapse[child] for child in self.children[position])  # every child always applies
        return position, kids, node.max, full, node.aggregate == "weighted_mean", steady

    def run(self, values: dict[str, Any], row: int | None = None) -> Outcome:
        """Score checked values (derived indicators are added to them); a RecordError lists
        every problem met on the way."""
        problems: list[Problem] = []
        size = len(self.nodes)
        points: list[Decimal | None] = [None] * size
        details: list[Any] = [None] * size
        with decimal.localcontext(CONTEXT):
            for derive in self._derivations:
                derive(values, problems, row)
            if problems:
                raise RecordError(problems)
            for position, step, node in self._leaves:
                try:
                    points[position], details[position] = step(values)
                except (ValueError, ArithmeticError, KeyError) as error:
                    problems.append(Problem(_reason(error), node=node.id, indicator=node.rule.indicator, row=row))
            if problems:
                raise RecordError(problems)
            for position, kids, cap, full, weighted, steady in self._parents:
                if weighted:
                    points[position], details[position] = _weighted_mean(kids, cap, points)
                    continue
                if steady:  # no child left out: nothing to rescale
                    raw = _ZERO
                    for child, _, _ in kids:
                        raw += points[child]  # type: ignore[operator]
                    points[position] = min(raw, cap)
                    details[position] = ("sum", raw, False, full)
                    continue
                raw = caps = _ZERO
                applicable = False
                for child, child_cap, _ in kids:
                    child_points = points[child]
                    if child_points is not None:
                        raw += child_points
                        caps += child_cap
                        applicable = True
                if not applicable:
                    details[position] = _NONE_APPLICABLE
                    continue
                rescaled = caps != full
                if rescaled:
                    raw = raw * full / caps
                points[position] = min(raw, cap)
                details[position] = ("sum", raw, rescaled, caps)
            total = caps = _ZERO
            applicable = False
            for position, cap in self._field_caps:
                field_points = points[position]
                if field_points is not None:
                    total += field_points
                    caps += cap
                    applicable = True
            if not applicable:
                raise RecordError([Problem("no criterion applies to this record: every field is not applicable", row=row)])
            if caps != self.field_caps:
                total = total * self.field_caps / caps
            total = min(total, self.scale)
        return Outcome(points, details, values, total)


_NONE_APPLICABLE = ("none_applicable",)
_ABSENT = object()


def _derivation(key: str, indicator: Indicator) -> Callable[[dict[str, Any], list[Problem], int | None], None]:
    """A derived indicator as one step: compute it into the values, or note why it cannot be."""
    formula = indicator.formula
    assert formula is not None  # only derived indicators come here
    names, compute, interval = formula.names, formula.evaluate_in_context, indicator.range
    required, ranged = indicator.missing == "error", indicator.type != "boolean"

    def derive(values: dict[str, Any], problems: list[Problem], row: int | None) -> None:
        for name in names:
            if name not in values:
                if required:
                    absent = [name for name in names if name not in values]
                    problems.append(Problem(f"cannot be computed: {', '.join(absent)} missing", indicator=key, row=row))
                return
        try:
            result = compute(values)
        except (ArithmeticError, ValueError) as error:
            problems.append(Problem(f"formula {formula.source}: {_reason(error)}", indicator=key, row=row))
            return
        if ranged and result not in interval:
            problems.append(Problem(f"formula gives {fmt(result)}, outside the allowed range {interval.symbols()} (check the inputs)", indicator=key, row=row))
            return
        values[key] = result

    return derive


def _weighted_mean(kids: tuple[tuple[int, Decimal, Decimal], ...], cap: Decimal, points: list[Decimal | None]) -> tuple[Decimal | None, Any]:
    applicable = [(points[child], child_cap, weight) for child, child_cap, weight in kids if points[child] is not None]
    if not applicable:
        return None, _NONE_APPLICABLE
    weights = sum((weight for _, _, weight in applicable), _ZERO)
    share = sum((weight * p / child_cap for p, child_cap, weight in applicable), _ZERO) / weights  # type: ignore[operator]
    return cap * share, ("weighted_mean", share)


def _missing(node: Node, indicator: str, policy: str) -> tuple[Decimal | None, Any] | None:
    """The outcome of a leaf whose indicator is missing (``None``: the record is in error)."""
    detail = (MISSING_DETAIL, indicator, policy)
    if policy == "zero":
        return _ZERO, detail
    if policy == "full":
        return node.max, detail
    if policy == "not_applicable":
        return None, detail
    return None


def _leaf_step(node: Node, policies: dict[str, str]) -> Callable[[dict[str, Any]], tuple[Decimal | None, Any]]:
    """A leaf as one callable from the record's values to (points, detail)."""
    rule = node.rule
    cap = node.max
    if isinstance(rule, ExpressionRule):
        names = rule.expression.names
        compute = rule.expression.evaluate_in_context  # ExpressionRule.apply, without entering CONTEXT again

        def expression_step(values: dict[str, Any]) -> tuple[Decimal | None, Any]:
            for name in names:
                if name not in values:
                    break
            else:
                raw = compute(values)
                return clamp(raw, cap), raw
            absent = [name for name in names if name not in values]
            policy = min((policies[name] for name in absent), key=lambda p: _PRECEDENCE.get(p, -1))
            return _outcome_of_missing(node, absent[0], policy)

        return expression_step
    indicator = rule.indicator  # type: ignore[union-attr]
    when_missing = _missing(node, indicator, policies[indicator])
    if isinstance(rule, BandsRule):
        return _bands_step(rule, cap, indicator, when_missing)
    apply = rule.apply  # type: ignore[union-attr]

    def step(values: dict[str, Any]) -> tuple[Decimal | None, Any]:
        value = values.get(indicator, _ABSENT)
        if value is _ABSENT:
            if when_missing is None:
                raise ValueError(f"indicator {indicator} is missing")
            return when_missing
        return apply(cap, value)

    return step


def _bands_step(rule: BandsRule, cap: Decimal, indicator: str, when_missing: tuple[Decimal | None, Any] | None) -> Callable[[dict[str, Any]], tuple[Decimal | None, Any]]:
    """A band table as a lookup: bands are tried from the highest lower bound down, so the first
    whose lower bound admits the value is the only band that can hold it (the methodology check
    rejects empty and overlapping bands); its upper bound is then confirmed, and anything
    unexpected goes to ``rule.apply`` itself (same result, same error)."""
    table = sorted(
        ((band.interval.low, band.interval.low_inclusive, band.interval.high, band.interval.high_inclusive, band.points, position) for position, band in enumerate(rule.bands)),
        key=lambda row: (row[0] is not None, row[0] or 0, not row[1]),
        reverse=True,
    )
    apply = rule.apply

    def step(values: dict[str, Any]) -> tuple[Decimal | None, Any]:
        value = values.get(indicator, _ABSENT)
        if value.__class__ is Decimal:
            for low, low_inclusive, high, high_inclusive, points, position in table:
                if low is None or value > low or (low_inclusive and value == low):
                    if high is None or value < high or (high_inclusive and value == high):
                        return points, position
                    break
        elif value is _ABSENT:
            if when_missing is None:
                raise ValueError(f"indicator {indicator} is missing")
            return when_missing
        return apply(cap, value)

    return step


def _outcome_of_missing(node: Node, indicator: str, policy: str) -> tuple[Decimal | None, Any]:
    outcome = _missing(node, indicator, policy)
    if outcome is None:
        raise ValueError(f"indicator {indicator} is missing")
    return outcome


def _reason(error: BaseException) -> str:
    if isinstance(error, decimal.DivisionByZero) or isinstance(error, ZeroDivisionError):
        return "division by zero"
    if isinstance(error, decimal.Overflow):
        return "number too large"
    if isinstance(error, decimal.InvalidOperation):
        return "invalid arithmetic operation"
    return str(error)


def _dependency_order(derived: dict[str, Any]) -> list[tuple[str, Any]]:
    """Derived indicators, each after the derived indicators it uses (no cycles: validated)."""
    ordered: list[tuple[str, Any]] = []
    placed: set[str] = set()
    remaining = dict(derived)
    while remaining:
        ready = [key for key, ind in remaining.items() if all(name in placed or name not in derived for name in ind.formula.names)]
        if not ready:  # pragma: no cover - cycles are rejected when the methodology is compiled
            raise RuntimeError("cycle among derived indicators")
        for key in ready:
            ordered.append((key, remaining.pop(key)))
            placed.add(key)
    return ordered

