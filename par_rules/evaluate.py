"""Stage 4, evaluate: run a methodology's plan on a checked record.

The :class:`Plan` is built once per methodology (by :mod:`par_rules.compile`): derived
indicators in dependency order, then every node in one flat list, children before parents.
Scoring a record runs the plan written as one Python function (:mod:`par_rules.codegen`); what
each step decided (which band, which level, a cap, a rescale) is kept, so the explanation is
read from it, never computed a second time.

Rules at parents: a parent sums its children (or takes their weighted mean) and never exceeds
its cap. Children that do not apply (``not_applicable``) are left out and the parent is rescaled
over the caps that do apply; a parent with no applicable child does not apply either.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .codegen import MISSING_DETAIL, Reader, Runner, compile_plan
from .model import Indicator, Methodology, Node
from .record import Catalogue
from .rules import ExpressionRule

__all__ = ["Plan", "Outcome", "MISSING_DETAIL"]

_ZERO = Decimal(0)


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

    Built once: a reader per input indicator (:class:`~par_rules.record.Catalogue`), the
    derived indicators in dependency order, the nodes in one flat list (parents before their
    children) with each parent's children's positions, and which nodes may not apply to some
    record. :meth:`run` is this plan written as one Python function (:mod:`par_rules.codegen`),
    compiled when the first record is scored, so that loading a methodology to check or
    document it never pays for it.
    """

    def __init__(self, methodology: Methodology) -> None:
        self.name = f"{methodology.id}@{methodology.version}"
        self.nodes: tuple[Node, ...] = tuple(methodology.nodes())
        index = {id(node): position for position, node in enumerate(self.nodes)}
        self.children: tuple[tuple[int, ...], ...] = tuple(tuple(index[id(child)] for child in node.children) for node in self.nodes)
        self.fields: tuple[int, ...] = tuple(index[id(node)] for node in methodology.criteria)
        self.position = {node.id: position for position, node in enumerate(self.nodes)}
        self.scale = methodology.scale
        indicators = methodology.indicators
        self.catalogue = Catalogue(indicators)
        self.derived: tuple[tuple[str, Indicator], ...] = tuple(_dependency_order({key: ind for key, ind in indicators.items() if ind.derived}))
        self.policies: dict[str, str] = {key: ind.missing for key, ind in indicators.items()}
        self.may_lapse = self._may_lapse()
        self.field_caps = sum((self.nodes[f].max for f in self.fields), _ZERO)
        self._compiled: tuple[Reader, Runner] | None = None

    def _may_lapse(self) -> tuple[bool, ...]:
        """Whether each node may be "not applicable" for some record (a parent none of whose
        children can lapse is a plain sum, with no rescale bookkeeping)."""
        lapses = [False] * len(self.nodes)
        for position in range(len(self.nodes) - 1, -1, -1):  # children always come after their parent
            node = self.nodes[position]
            if isinstance(node.rule, ExpressionRule):
                lapses[position] = any(self.policies[name] == "not_applicable" for name in node.rule.expression.names)
            elif node.rule is not None:
                lapses[position] = self.policies[node.rule.indicator] == "not_applicable"
            else:
                lapses[position] = all(lapses[child] for child in self.children[position])
        return tuple(lapses)

    def _functions(self) -> tuple[Reader, Runner]:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = compile_plan(self)  # two threads may both compile: same functions
        return compiled

    def read(self, raw: Mapping[str, Any]) -> dict[str, Any] | None:
        """A record's values checked and coerced, or ``None`` when anything is unusual (then
        :func:`~par_rules.record.prepare` reads them the general way and reports every problem)."""
        return self._functions()[0](raw)

    def run(self, values: dict[str, Any], row: int | None = None) -> Outcome:
        """Score checked values (derived indicators are added to them); a RecordError lists
        every problem met on the way."""
        return self._functions()[1](values, row)


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

