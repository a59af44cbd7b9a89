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
from decimal import Decimal
from typing import Any

from .arithmetic import CONTEXT, format_decimal as fmt
from .errors import Problem, RecordError
from .model import Methodology, Node
from .rules import ExpressionRule

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
    """A methodology flattened for evaluation."""

    def __init__(self, methodology: Methodology) -> None:
        self.nodes: tuple[Node, ...] = tuple(methodology.nodes())
        index = {id(node): position for position, node in enumerate(self.nodes)}
        self.children: tuple[tuple[int, ...], ...] = tuple(tuple(index[id(child)] for child in node.children) for node in self.nodes)
        self.fields: tuple[int, ...] = tuple(index[id(node)] for node in methodology.criteria)
        self.position = {node.id: position for position, node in enumerate(self.nodes)}
        self.scale = methodology.scale
        indicators = methodology.indicators
        self.derived = tuple(_dependency_order({key: ind for key, ind in indicators.items() if ind.derived}))
        self.indicators = indicators
        self.policies = {key: ind.missing for key, ind in indicators.items()}
        self.order = tuple(reversed(range(len(self.nodes))))  # children always come after parents
        self.full_caps = tuple(sum((self.nodes[c].max for c in kids), _ZERO) for kids in self.children)
        self.field_caps = sum((self.nodes[f].max for f in self.fields), _ZERO)

    def run(self, values: dict[str, Any], row: int | None = None) -> Outcome:
        """Score checked values; a RecordError lists every problem met on the way."""
        problems: list[Problem] = []
        with decimal.localcontext(CONTEXT):
            for key, indicator in self.derived:
                self._derive(key, indicator, values, problems, row)
            if problems:
                raise RecordError(problems)
            points: list[Decimal | None] = [None] * len(self.nodes)
            details: list[Any] = [None] * len(self.nodes)
            for position in self.order:
                node = self.nodes[position]
                if node.rule is not None:
                    try:
                        points[position], details[position] = self._leaf(node, values)
                    except (ValueError, ArithmeticError, KeyError) as error:
                        problems.append(Problem(_reason(error), node=node.id, indicator=node.rule.indicator, row=row))
                        points[position] = _ZERO
                else:
                    points[position], details[position] = self._parent(node, position, points)
            if problems:
                raise RecordError(problems)
            applicable = [(points[f], self.nodes[f].max) for f in self.fields if points[f] is not None]
            if not applicable:
                raise RecordError([Problem("no criterion applies to this record: every field is not applicable", row=row)])
            total = sum((p for p, _ in applicable), _ZERO)
            caps = sum((cap for _, cap in applicable), _ZERO)
            if caps != self.field_caps:
                total = total * self.field_caps / caps
            total = min(total, self.scale)
        return Outcome(points, details, values, total)

    def _derive(self, key: str, indicator: Any, values: dict[str, Any], problems: list[Problem], row: int | None) -> None:
        formula = indicator.formula
        absent = [name for name in formula.names if name not in values]
        if absent:
            if indicator.missing == "error":
                problems.append(Problem(f"cannot be computed: {', '.join(absent)} missing", indicator=key, row=row))
            return
        try:
            result = formula.evaluate(values)
        except (ArithmeticError, ValueError) as error:
            problems.append(Problem(f"formula {formula.source}: {_reason(error)}", indicator=key, row=row))
            return
        if indicator.type != "boolean" and result not in indicator.range:
            problems.append(Problem(f"formula gives {fmt(result)}, outside the allowed range {indicator.range.symbols()} (check the inputs)", indicator=key, row=row))
            return
        values[key] = result

    def _leaf(self, node: Node, values: dict[str, Any]) -> tuple[Decimal | None, Any]:
        rule = node.rule
        if isinstance(rule, ExpressionRule):
            absent = [name for name in rule.expression.names if name not in values]
            if not absent:
                return rule.apply(node.max, values)
            policy = min((self.policies[name] for name in absent), key=lambda p: _PRECEDENCE.get(p, -1))
            return self._missing(node, absent[0], policy)
        value = values.get(rule.indicator, values)  # the dict itself marks "absent"
        if value is values:
            return self._missing(node, rule.indicator, self.policies[rule.indicator])
        return rule.apply(node.max, value)

    @staticmethod
    def _missing(node: Node, indicator: str, policy: str) -> tuple[Decimal | None, Any]:
        detail = (MISSING_DETAIL, indicator, policy)
        if policy == "zero":
            return _ZERO, detail
        if policy == "full":
            return node.max, detail
        if policy == "not_applicable":
            return None, detail
        raise ValueError(f"indicator {indicator} is missing")

    def _parent(self, node: Node, position: int, points: list[Decimal | None]) -> tuple[Decimal | None, Any]:
        kids = self.children[position]
        applicable = [(points[c], self.nodes[c]) for c in kids if points[c] is not None]
        if not applicable:
            return None, ("none_applicable",)
        if node.aggregate == "weighted_mean":
            weights = sum((child.weight for _, child in applicable), _ZERO)
            share = sum((child.weight * p / child.max for p, child in applicable), _ZERO) / weights
            return node.max * share, ("weighted_mean", share)
        raw = sum((p for p, _ in applicable), _ZERO)
        caps = sum((child.max for _, child in applicable), _ZERO)
        full = self.full_caps[position]
        rescaled = caps != full
        if rescaled:
            raw = raw * full / caps
        return min(raw, node.max), ("sum", raw, rescaled, caps)


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

