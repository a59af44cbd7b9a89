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
from ._evaluate import MISSING_DETAIL, PENDING_DETAIL, Outcome
from ._model import Methodology, Node, RatingBand
from ._record import Record
from .._i18n import gettext as _, language, number, use
from ._rules import num, yes_no

__all__ = ["Result", "NodeResult"]

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class NodeResult:
    """The points of one node, and why.

    A node not in yet is ``pending`` (its points ``None``, what it can reach its cap); a parent
    some of whose leaves are pending is ``partial``: its points are the points so far, ``reach``
    the most it can still score. A complete node reaches its points."""

    id: str
    label: str
    max: Decimal
    points: Decimal | None  # None: not applicable, or pending
    source: str
    why: str
    rule: str | None
    inputs: Mapping[str, Any]
    capped: bool
    rescaled: bool
    children: tuple[NodeResult, ...]
    node: Node
    pending: bool = False
    partial: bool = False
    reach: Decimal | None = None  # None: not applicable

    @property
    def applicable(self) -> bool:
        return self.points is not None or self.pending

    @property
    def complete(self) -> bool:
        """Whether every leaf below is in (neither pending nor partial)."""
        return not (self.pending or self.partial)

    @property
    def lost(self) -> Decimal:
        """Points lost against the cap (0 for a node that does not apply); for a partial node,
        the points lost for good (cap − reach), 0 for a pending one."""
        if self.pending or self.points is None:
            return _ZERO
        if self.partial and self.reach is not None:
            return CONTEXT.subtract(self.max, self.reach)
        return CONTEXT.subtract(self.max, self.points)

    @property
    def percent(self) -> Decimal | None:
        """The component index: points / max × 100 (``None`` if not applicable, not complete,
        or max is 0)."""
        if self.points is None or self.max == 0 or not self.complete:
            return None
        return CONTEXT.divide(CONTEXT.multiply(self.points, _HUNDRED), self.max)

    def walk(self) -> Iterator[NodeResult]:
        yield self
        for child in self.children:
            yield from child.walk()

    @in_context
    def to_dict(self) -> dict[str, Any]:
        """The node as JSON-ready data: numbers are exact decimal strings and ids stay ids; the
        label and the reason are in the language the result was asked in."""
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
        if not self.complete:
            data["pending" if self.pending else "partial"] = True
            data["reach"] = None if self.reach is None else fmt(self.reach)
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


def _value_text(value: Any, unit: str, labels: Mapping[str, str]) -> str:
    """An indicator's value for people: numbers as the language writes them, a level or an
    answer option by its label."""
    if isinstance(value, Decimal):
        return f"{num(value)}{unit}"
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, Mapping):
        return ", ".join(f"{labels.get(key, key)}: {num(count)}" for key, count in value.items())
    return labels.get(str(value), str(value))


def exact(value: Decimal) -> str:
    """A decimal written in full, as the language of the moment writes numbers for people."""
    return number(fmt(value))


def label_in(item: Any, lang: str) -> str | None:
    """The label of a node, indicator or band in ``lang``: ``label_en`` in English when the
    methodology gives one, else its (Vietnamese) ``label``."""
    if lang == "en" and getattr(item, "label_en", None):
        return item.label_en
    return item.label


class Result:
    """The score of one record under one methodology.

    ``total`` and ``index`` are exact; ``published_total`` and ``published_index`` are rounded
    as the methodology declares (half-up). ``band`` is the rating band.

    A result with parts not in yet (a missing value under the policy ``pending``, or parts named
    to score) is partial: ``pending`` names the nodes not in yet (the highest of them),
    ``complete`` is false, ``total`` is the points so far and ``reach`` the most the total can
    still reach; there is no ``index`` and no ``band`` (both ``None``): a share of a total not
    known yet means nothing.
    """

    def __init__(self, methodology: Methodology, record: Record, outcome: Outcome) -> None:
        self.methodology = methodology
        self.record = record
        self._outcome = outcome
        self.total: Decimal = outcome.total  # type: ignore[assignment]
        self.scale: Decimal = methodology.scale
        self.published_total = publish(self.total, methodology.decimals)
        self.complete: bool = not outcome.pending
        self.reach: Decimal = self.total if outcome.reach is None else outcome.reach.total  # type: ignore[assignment]
        self.index: Decimal | None = None
        self.published_index: Decimal | None = None
        self.band: RatingBand | None = None
        if self.complete:
            self.index = CONTEXT.divide(CONTEXT.multiply(self.total, _HUNDRED), self.scale)  # × 100 is exact
            self.published_index = publish(self.index, methodology.decimals)
            rated = self.published_index if methodology.bands_on == "published" else self.index
            self.band = methodology.band_for(rated)
        self._fields: dict[str, tuple[NodeResult, ...]] = {}

    @in_context
    def __repr__(self) -> str:
        unit = f" {self.record.unit}" if self.record.unit else ""
        published = self.published_index
        if published is None:  # partial: no index until every part is in
            return f"<Result{unit} partial {fmt(self.published_total)}/{fmt(self.scale)} so far, at most {fmt(self.reach)}; pending {', '.join(self.pending)}>"
        return f"<Result{unit} {fmt(self.published_total)}/{fmt(self.scale)} index {fmt(published)}% band {self.band.id if self.band else '-'}>"

    @cached_property
    def _status(self) -> tuple[str, ...]:
        """Each node's state, by position: "complete", "partial" or "pending"."""
        plan = self.methodology.plan
        status = ["complete"] * len(plan.nodes)
        if self.complete:
            return tuple(status)
        details = self._outcome.details
        for position in range(len(plan.nodes) - 1, -1, -1):  # children after their parent
            children = plan.children[position]
            if not children:
                detail = details[position]
                if isinstance(detail, tuple) and detail and detail[0] == PENDING_DETAIL:
                    status[position] = "pending"
                continue
            states = [status[child] for child in children if self._outcome.points[child] is not None or status[child] == "pending"]
            if states and all(state == "pending" for state in states):
                status[position] = "pending"
            elif any(state != "complete" for state in states):
                status[position] = "partial"
        return tuple(status)

    @cached_property
    def pending(self) -> tuple[str, ...]:
        """The ids of the nodes not in yet: the highest ones (a pending node's children are
        pending too, and not listed); empty for a complete result."""
        if self.complete:
            return ()
        plan = self.methodology.plan
        status = self._status
        found: list[str] = []
        stack = list(reversed(plan.fields))
        while stack:
            position = stack.pop()
            if status[position] == "pending":
                found.append(plan.nodes[position].id)
            elif status[position] == "partial":
                stack.extend(reversed(plan.children[position]))
        return tuple(found)

    def reach_of(self, node_id: str) -> Decimal | None:
        """The most one node can still score (its points when complete; ``None``: not applicable)."""
        position = self._position(node_id)
        if self.complete or self._status[position] == "complete":
            return self._outcome.points[position]
        return self._outcome.reach.points[position]  # type: ignore[union-attr]

    def _position(self, node_id: str) -> int:
        try:
            return self.methodology.plan.position[node_id]
        except KeyError:
            raise MethodologyNotFound(_("{id}@{version} has no node {node_id!r}").format(id=self.methodology.id, version=self.methodology.version, node_id=node_id)) from None

    def is_complete(self, node_id: str) -> bool:
        """Whether every leaf below ``node_id`` is in."""
        return self.complete or self._status[self._position(node_id)] == "complete"

    @property
    def unit(self) -> str | None:
        return self.record.unit

    @property
    def period(self) -> int | None:
        return self.record.period

    def points(self, node_id: str) -> Decimal | None:
        """The exact points of one node (``None``: not applicable, or pending; a partial node's
        points so far)."""
        position = self._position(node_id)
        if not self.complete and self._status[position] == "pending":
            return None
        return self._outcome.points[position]

    def node(self, node_id: str) -> NodeResult:
        """The result of one node, with its explanation and its children's."""
        for node in self.nodes():
            if node.id == node_id:
                return node
        raise MethodologyNotFound(_("{id}@{version} has no node {node_id!r}").format(id=self.methodology.id, version=self.methodology.version, node_id=node_id))

    def nodes(self) -> Iterator[NodeResult]:
        """Every node result, parents first."""
        for field_result in self.fields:
            yield from field_result.walk()

    @property
    def fields(self) -> tuple[NodeResult, ...]:
        """The results of the top-level nodes (the fields), each with its subtree; their labels
        and reasons in the language of the moment (:func:`par_rules._i18n.use`)."""
        lang = language()
        fields = self._fields.get(lang)
        if fields is None:
            fields = self._fields[lang] = self._make_fields(lang)
        return fields

    @in_context
    def _make_fields(self, lang: str) -> tuple[NodeResult, ...]:
        plan = self.methodology.plan
        with use(lang):
            return tuple(self._node_result(position, lang) for position in plan.fields)

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

    def _node_result(self, position: int, lang: str) -> NodeResult:
        plan = self.methodology.plan
        node = plan.nodes[position]
        points = self._outcome.points[position]
        detail = self._outcome.details[position]
        children = tuple(self._node_result(child, lang) for child in plan.children[position])
        status = self._status[position]
        reach = points
        inputs: dict[str, Any]
        if status == "pending":
            why, inputs, capped, rescaled = self._pending_why(node, detail), {}, False, False
            points, reach = None, self._outcome.reach.points[position]  # type: ignore[union-attr]
        else:
            why, inputs, capped, rescaled = self._why(node, points, detail)
            if status == "partial":
                reach = self._outcome.reach.points[position]  # type: ignore[union-attr]
                why = _("{why}; so far, with {pending} pending: at most {reach}").format(why=why, pending=", ".join(self._pending_below(position)), reach=num(reach))  # type: ignore[arg-type]
        return NodeResult(
            id=node.id, label=label_in(node, lang) or node.id, max=node.max, points=points, source=node.source, why=why,
            rule=node.rule.kind if node.rule is not None else None, inputs=inputs, capped=capped,
            rescaled=rescaled, children=children, node=node, pending=status == "pending",
            partial=status == "partial", reach=reach,
        )

    def _pending_below(self, position: int) -> list[str]:
        plan = self.methodology.plan
        found: list[str] = []
        stack = list(reversed(plan.children[position]))
        while stack:
            child = stack.pop()
            if self._status[child] == "pending":
                found.append(plan.nodes[child].id)
            elif self._status[child] == "partial":
                stack.extend(reversed(plan.children[child]))
        return found

    @staticmethod
    def _pending_why(node: Node, detail: Any) -> str:
        if node.rule is None:
            return _("pending: nothing below is in yet")
        if detail[2] == "part":
            return _("pending: not among the parts scored")
        return _("pending: {indicator} not in yet").format(indicator=detail[1])

    def _why(self, node: Node, points: Decimal | None, detail: Any) -> tuple[str, dict[str, Any], bool, bool]:
        values = self._outcome.values
        indicators = self.methodology.indicators
        if isinstance(detail, tuple) and detail and detail[0] == MISSING_DETAIL:
            _unused, indicator, policy = detail
            text = {"zero": _("0 points"), "full": _("full points"), "not_applicable": _("not applicable")}[policy]
            return _("{indicator} missing → {text}").format(indicator=_indicator_name(indicators.get(indicator), indicator), text=text), {}, False, False
        rule = node.rule
        if rule is None:
            kind = detail[0]
            if kind == "none_applicable":
                return _("no criterion below applies"), {}, False, False
            if kind == "weighted_mean":
                return _("weighted mean of the children: {percent}% of {max}").format(percent=num(detail[1] * _HUNDRED), max=exact(node.max)), {}, False, False
            _unused, raw, rescaled, caps = detail
            text = _("sum of the children: {sum}").format(sum=num(raw))
            if rescaled:
                text = _("sum of the applicable children, rescaled from {caps} to {full} points: {sum}").format(
                    caps=exact(caps), full=exact(sum((c.max for c in node.children), _ZERO)), sum=num(raw)
                )
            capped = raw > node.max
            if capped:
                text += _(", capped at {points}").format(points=exact(node.max))
            return text, {}, capped, rescaled
        if points is None:  # a leaf with a rule has points unless its value is missing (said above)
            return "not applicable", {}, False, False
        inputs = {name: values[name] for name in rule.inputs}
        if rule.indicator is None:  # a formula over several indicators
            return rule.explain(node.max, points, detail, ""), inputs, rule.capped(node.max, points, detail), False
        indicator = indicators[rule.indicator]
        unit = indicator.unit_symbol
        text = rule.explain(node.max, points, detail, _value_text(inputs[rule.indicator], unit, {**indicator.levels, **indicator.options}), unit)
        return text, inputs, rule.capped(node.max, points, detail), False

    @in_context
    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """The result as JSON-ready data; numbers are exact decimal strings and ids stay ids, so
        scripts read the same data in every language. The nodes' ``label`` and ``why`` are in
        ``lang`` (default: ``PAR_RULES_LANG``, else Vietnamese)."""
        with use(lang):
            return self._data()

    def _data(self) -> dict[str, Any]:
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
            "index": None if self.index is None else fmt(self.index),
            "published_index": None if self.published_index is None else fmt(self.published_index),
            "band": self.band.id if self.band else None,
            "complete": self.complete,
            "reach": fmt(self.reach),
            "pending": list(self.pending),
            "by_source": {source: fmt(points) for source, points in sorted(self.by_source.items())},
            "fields": [field_result.to_dict() for field_result in self.fields],
        }

    @in_context
    def explain(self, depth: int | None = None, lang: str | None = None) -> str:
        """The breakdown as readable text: every node with its points, cap and reason, in
        ``lang`` (``"vi"`` or ``"en"``; default: ``PAR_RULES_LANG``, else Vietnamese), with
        numbers as that language writes them (``16,75``) and levels by their labels."""
        with use(lang):
            return self._explain(depth)

    def _explain(self, depth: int | None) -> str:
        methodology = self.methodology
        lang = language()
        who = " ".join(part for part in (self.record.unit, f"({self.record.name})" if self.record.name else None) if part)
        title = (methodology.title_en or methodology.title) if lang == "en" else methodology.title
        status = {"partial": _("partial"), "illustrative": _("illustrative")}.get(methodology.status, methodology.status)
        band = self.band
        band_text = ""
        if band is not None:
            band_label = label_in(band, lang)
            band_text = "   " + _("band {band}").format(band=band.id + (f" ({band_label})" if band_label else ""))
        lines = [
            f"{title} — {methodology.id}@{methodology.version}" + (f" [{status}]" if methodology.status != "official" else ""),
            f"{who or _('record')}" + (f", {self.record.period}" if self.record.period else ""),
            _("Total {total} / {scale}   index {index}%").format(total=exact(self.published_total), scale=exact(self.scale), index=exact(self.published_index)) + band_text
            if self.published_index is not None  # complete
            else _("Partial: {total} so far, at most {reach} / {scale}").format(
                total=exact(self.published_total), reach=number(format_short(self.reach, methodology.decimals)), scale=exact(self.scale)
            )
            + "   "
            + _("pending: {parts}   (no index, no band until every part is in)").format(parts=", ".join(self.pending)),
        ]
        if len(self.by_source) > 1:
            sources = {"appraisal": _("appraisal"), "survey": _("survey")}
            lines.append("  " + ", ".join(f"{sources.get(source, source)} {exact(publish(points, methodology.decimals))}" for source, points in sorted(self.by_source.items())))
        lines.append("")
        width = max((len(r.id) + 2 * (r.node.depth - 1) for r in self.nodes()), default=4)
        for result in self.nodes():
            if depth is not None and result.node.depth > depth:
                continue
            indent = "  " * (result.node.depth - 1)
            points = _("pending") if result.pending else _("n/a") if result.points is None else number(format_short(result.points, methodology.decimals))
            if result.partial:
                points = f"{points} (≤ {number(format_short(result.reach, methodology.decimals))})"  # type: ignore[arg-type]
            label = result.label if len(result.label) <= 60 else result.label[:57] + "..."
            lines.append(f"{indent}{result.id:<{width - len(indent)}}  {points:>8} / {exact(result.max):<6} {label}")
            if result.rule is not None or result.points is None or result.capped or result.rescaled or result.partial:
                lines.append(f"{'':<{width + 20}}↳ {result.why}")
        return "\n".join(lines)


def _indicator_name(indicator: Any, fallback: str) -> str:
    """An indicator as people read it: its label, with its id."""
    if indicator is None:
        return fallback
    label = label_in(indicator, language())
    return f"{label} ({indicator.id})" if label and label != indicator.id else indicator.id
