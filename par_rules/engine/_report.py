"""Stage 5, report: the :class:`Result` of scoring a record, its explanation and its JSON form.

A result is built from what the evaluation recorded; node results are made when they are first
asked for, so a batch that only needs totals does not pay for explanations. Everything that
computes (those lazy values included) runs in :data:`~par_rules.arithmetic.CONTEXT`, whatever
decimal context the caller has set (:func:`~par_rules.arithmetic.in_context`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from ._arithmetic import CONTEXT, format_decimal as fmt, format_short, in_context, publish
from ..errors import MethodologyNotFound
from ._evaluate import MISSING_DETAIL, Outcome
from ._model import Methodology, Node, RatingBand
from ._record import Record

__all__ = ["Result", "NodeResult"]

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class NodeResult:
    """The points of one node, and why."""

    id: str
    label: str
    max: Decimal
    points: Decimal | None  # None: not applicable
    source: str
    why: str
    rule: str | None
    inputs: Mapping[str, Any]
    capped: bool
    rescaled: bool
    children: tuple[NodeResult, ...]
    node: Node

    @property
    def applicable(self) -> bool:
        return self.points is not None

    @property
    def lost(self) -> Decimal:
        """Points lost against the cap (0 for a node that does not apply)."""
        return _ZERO if self.points is None else CONTEXT.subtract(self.max, self.points)

    @property
    def percent(self) -> Decimal | None:
        """The component index: points / max × 100 (``None`` if not applicable or max is 0)."""
        if self.points is None or self.max == 0:
            return None
        return CONTEXT.divide(CONTEXT.multiply(self.points, _HUNDRED), self.max)

    def walk(self) -> Iterator[NodeResult]:
        yield self
        for child in self.children:
            yield from child.walk()

    @in_context
    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "max": fmt(self.max),
            "points": None if self.points is None else fmt(self.points),
            "lost": fmt(self.lost),
            "applicable": self.applicable,
            "source": self.source,
            "why": self.why,
        }
        if self.rule:
            data["rule"] = self.rule
            data["inputs"] = {key: _json_value(value) for key, value in self.inputs.items()}
        if self.capped:
            data["capped"] = True
        if self.rescaled:
            data["rescaled"] = True
        if self.children:
            data["children"] = [child.to_dict() for child in self.children]
        return data


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, Mapping):
        return {key: _json_value(item) for key, item in value.items()}
    return value


def _value_text(value: Any, unit: str) -> str:
    if isinstance(value, Decimal):
        return f"{format_short(value)}{unit}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return ", ".join(f"{key}: {fmt(count)}" for key, count in value.items())
    return str(value)


class Result:
    """The score of one record under one methodology.

    ``total`` and ``index`` are exact; ``published_total`` and ``published_index`` are rounded
    as the methodology declares (half-up). ``band`` is the rating band.
    """

    def __init__(self, methodology: Methodology, record: Record, outcome: Outcome) -> None:
        self.methodology = methodology
        self.record = record
        self._outcome = outcome
        self.total: Decimal = outcome.total  # type: ignore[assignment]
        self.scale: Decimal = methodology.scale
        self.index: Decimal = CONTEXT.divide(CONTEXT.multiply(self.total, _HUNDRED), self.scale)  # × 100 is exact
        self.published_total = publish(self.total, methodology.decimals)
        self.published_index = publish(self.index, methodology.decimals)
        rated = self.published_index if methodology.bands_on == "published" else self.index
        self.band: RatingBand | None = methodology.band_for(rated)

    @in_context
    def __repr__(self) -> str:
        unit = f" {self.record.unit}" if self.record.unit else ""
        return f"<Result{unit} {fmt(self.published_total)}/{fmt(self.scale)} index {fmt(self.published_index)}% band {self.band.id if self.band else '-'}>"

    @property
    def unit(self) -> str | None:
        return self.record.unit

    @property
    def period(self) -> int | None:
        return self.record.period

    def points(self, node_id: str) -> Decimal | None:
        """The exact points of one node (``None``: not applicable)."""
        plan = self.methodology.plan
        try:
            return self._outcome.points[plan.position[node_id]]
        except KeyError:
            raise MethodologyNotFound(f"{self.methodology.id}@{self.methodology.version} has no node {node_id!r}") from None

    def node(self, node_id: str) -> NodeResult:
        """The result of one node, with its explanation and its children's."""
        for node in self.nodes():
            if node.id == node_id:
                return node
        raise MethodologyNotFound(f"{self.methodology.id}@{self.methodology.version} has no node {node_id!r}")

    def nodes(self) -> Iterator[NodeResult]:
        """Every node result, parents first."""
        for field_result in self.fields:
            yield from field_result.walk()

    @cached_property
    @in_context
    def fields(self) -> tuple[NodeResult, ...]:
        """The results of the top-level nodes (the fields), each with its subtree."""
        plan = self.methodology.plan
        return tuple(self._node_result(position) for position in plan.fields)

    @cached_property
    @in_context
    def by_source(self) -> dict[str, Decimal]:
        """Points by where they come from (appraisal, survey), read from the largest subtrees
        whose leaves share one source."""
        totals: dict[str, Decimal] = {}
        stack = list(self.fields)
        while stack:
            result = stack.pop()
            sources = {leaf.source for leaf in result.node.walk() if leaf.is_leaf}
            if len(sources) == 1 or not result.children:
                if result.points is not None:
                    totals[result.source] = totals.get(result.source, _ZERO) + result.points
            else:
                stack.extend(result.children)
        return totals

    def _node_result(self, position: int) -> NodeResult:
        plan = self.methodology.plan
        node = plan.nodes[position]
        points = self._outcome.points[position]
        detail = self._outcome.details[position]
        children = tuple(self._node_result(child) for child in plan.children[position])
        why, inputs, capped, rescaled = self._why(node, points, detail)
        return NodeResult(
            id=node.id, label=node.label, max=node.max, points=points, source=node.source, why=why,
            rule=node.rule.kind if node.rule is not None else None, inputs=inputs, capped=capped,
            rescaled=rescaled, children=children, node=node,
        )

    def _why(self, node: Node, points: Decimal | None, detail: Any) -> tuple[str, dict[str, Any], bool, bool]:
        values = self._outcome.values
        indicators = self.methodology.indicators
        if isinstance(detail, tuple) and detail and detail[0] == MISSING_DETAIL:
            _, indicator, policy = detail
            text = {"zero": "0 points", "full": "full points", "not_applicable": "not applicable"}[policy]
            return f"{indicator} missing → {text}", {}, False, False
        rule = node.rule
        if rule is None:
            kind = detail[0]
            if kind == "none_applicable":
                return "no criterion below applies", {}, False, False
            if kind == "weighted_mean":
                return f"weighted mean of the children: {format_short(detail[1] * _HUNDRED)}% of {fmt(node.max)}", {}, False, False
            _, raw, rescaled, caps = detail
            text = f"sum of the children: {format_short(raw)}"
            if rescaled:
                text = f"sum of the applicable children, rescaled from {fmt(caps)} to {fmt(sum((c.max for c in node.children), _ZERO))} points: {format_short(raw)}"
            capped = raw > node.max
            if capped:
                text += f", capped at {fmt(node.max)}"
            return text, {}, capped, rescaled
        inputs = {name: values[name] for name in rule.inputs}
        if rule.indicator is None:  # a formula over several indicators
            return rule.explain(node.max, points, detail, ""), inputs, rule.capped(node.max, points, detail), False
        unit = indicators[rule.indicator].unit_symbol
        text = rule.explain(node.max, points, detail, _value_text(inputs[rule.indicator], unit), unit)
        return text, inputs, rule.capped(node.max, points, detail), False

    @in_context
    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data; numbers are exact decimal strings."""
        methodology = self.methodology
        return {
            "methodology": {"id": methodology.id, "version": methodology.version},
            "unit": self.record.unit,
            "name": self.record.name,
            "period": self.record.period,
            "group": self.record.group,
            "total": fmt(self.total),
            "published_total": fmt(self.published_total),
            "scale": fmt(self.scale),
            "index": fmt(self.index),
            "published_index": fmt(self.published_index),
            "band": self.band.id if self.band else None,
            "by_source": {source: fmt(points) for source, points in sorted(self.by_source.items())},
            "fields": [field_result.to_dict() for field_result in self.fields],
        }

    @in_context
    def explain(self, depth: int | None = None) -> str:
        """The breakdown as readable text: every node with its points, cap and reason."""
        methodology = self.methodology
        who = " ".join(part for part in (self.record.unit, f"({self.record.name})" if self.record.name else None) if part)
        lines = [
            f"{methodology.title} — {methodology.id}@{methodology.version}" + (f" [{methodology.status}]" if methodology.status != "official" else ""),
            f"{who or 'record'}" + (f", {self.record.period}" if self.record.period else ""),
            f"Total {fmt(self.published_total)} / {fmt(self.scale)}   index {fmt(self.published_index)}%"
            + (f"   band {self.band.id}" if self.band else ""),
        ]
        if len(self.by_source) > 1:
            lines.append("  " + ", ".join(f"{source} {fmt(publish(points, methodology.decimals))}" for source, points in sorted(self.by_source.items())))
        lines.append("")
        width = max((len(r.id) + 2 * (r.node.depth - 1) for r in self.nodes()), default=4)
        for result in self.nodes():
            if depth is not None and result.node.depth > depth:
                continue
            indent = "  " * (result.node.depth - 1)
            points = "n/a" if result.points is None else format_short(result.points, methodology.decimals)
            label = result.label if len(result.label) <= 60 else result.label[:57] + "..."
            lines.append(f"{indent}{result.id:<{width - len(indent)}}  {points:>8} / {fmt(result.max):<6} {label}")
            if result.rule is not None or result.points is None or result.capped or result.rescaled:
                lines.append(f"{'':<{width + 20}}↳ {result.why}")
        return "\n".join(lines)
