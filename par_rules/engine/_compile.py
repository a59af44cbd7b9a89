"""Stage 3, compile: turn checked raw data into a frozen :class:`~par_rules.model.Methodology`
and its evaluation plan.

Everything that can be decided once is decided here: numbers become Decimals, band tables
become intervals, expressions are parsed, checked and compiled, derived indicators are put in
dependency order, and the tree becomes a flat evaluation plan (:mod:`par_rules.evaluate`).
Problems found on the way, and those of :func:`par_rules.validate.check_model`, are raised
together as one :class:`~par_rules.errors.MethodologyError`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..errors import MethodologyError, Problem
from ._expressions import ExpressionError, Kind, compile_expression
from .._places import SourceMap
from ._model import Indicator, Interval, LegalDocument, Lineage, Methodology, Node, RatingBand
from ._rules import Rule
from ._validate import check_model
from .._i18n import gettext as _

if TYPE_CHECKING:
    from ._evaluate import Plan

__all__ = ["compile_methodology"]

_DEFAULT_RANGES = {
    "percent": Interval(Decimal(0), True, Decimal(100), True),
    "ratio": Interval(Decimal(0), True, Decimal(1), True),
    "count": Interval(Decimal(0), True, None, False),
}
def compile_methodology(data: dict[str, Any], where: SourceMap, file: str | None) -> Methodology:
    """Build the methodology from schema-valid, ``extends``-resolved data, or raise every problem."""
    compiler = _Compiler(where, file)
    methodology = compiler.methodology(data)
    problems = compiler.problems + check_model(methodology)
    if problems:
        problems.sort(key=lambda p: (p.file or "", p.line or 0, p.column or 0))
        raise MethodologyError(problems)
    from ._evaluate import Plan  # the plan is the evaluate stage's; built once, here

    plan = Plan(methodology)
    problems = _rescale_problems(plan)
    if problems:
        raise MethodologyError(problems)
    return dataclasses.replace(methodology, plan=plan)


def _rescale_problems(plan: Plan) -> list[Problem]:
    """A node whose cap is 0 among siblings that all may be not applicable: when it is the only
    one that applies, its parent (or the total) would be rescaled over a cap of 0, a division
    by zero for every such record."""
    problems = []
    for children, parent in [*zip(plan.children, plan.nodes), (plan.fields, None)]:
        if parent is not None and parent.aggregate == "weighted_mean":  # no rescale; its children's caps are positive
            continue
        earning = [child for child in children if plan.nodes[child].max > 0]
        if earning and len(earning) < len(children) and all(plan.may_lapse[child] for child in earning):
            for child in children:
                node = plan.nodes[child]
                if node.max == 0:
                    within = _("the total") if parent is None else f"node {parent.id}"
                    message = _("max 0, and every other part of {within} may be not applicable: when only this part applies, {within} cannot be rescaled (give it points, or drop it)").format(
                        within=within
                    )
                    problems.append(node.locations.get("max", node.location).problem(message, node=node.id))
    return problems


def _text(value: Any) -> str:
    return str(value)


def _interval(spec: Mapping[str, Any]) -> Interval:
    low = spec.get("at_least", spec.get("above"))
    high = spec.get("at_most", spec.get("below"))
    return Interval(low, "above" not in spec, high, "below" not in spec and high is not None)


class _Compiler:
    def __init__(self, where: SourceMap, file: str | None) -> None:
        self.where = where
        self.file = file
        self.problems: list[Problem] = []
        self.indicators: dict[str, Indicator] = {}

    def problem(self, container: Any, key: Any, message: str, **places: str | None) -> None:
        self.problems.append(self.where.locate(container, key).problem(message, **places))

    def methodology(self, data: dict[str, Any]) -> Methodology:
        self.indicators = self._indicators(data.get("indicators", {}))
        criteria = tuple(
            self._node(raw, parent_source="appraisal", parent_provenance="illustrative" if data["status"] == "illustrative" else "sourced", depth=1)
            for raw in data.get("criteria", [])
        )
        rounding = data.get("rounding", {})
        extends = data.get("extends")
        lineage = data.get("lineage")
        return Methodology(
            id=data["id"],
            version=_text(data["version"]),
            years=tuple(int(year) for year in data["years"]),
            title=data["title"],
            title_en=data.get("title_en"),
            issuer=data["issuer"],
            issuer_en=data.get("issuer_en"),
            level=data["level"],
            scale=data["scale"],
            status=data["status"],
            status_note=data.get("status_note"),
            legal_basis=tuple(LegalDocument(**{key: _text(value) for key, value in doc.items()}) for doc in data.get("legal_basis", [])),
            changelog=data.get("changelog"),
            extends=(extends.get("id", data["id"]), _text(extends["version"])) if extends else None,
            decimals=int(rounding.get("decimals", 2)),
            bands_on=rounding.get("bands_on", "published"),
            bands=tuple(self._rating_band(band) for band in data.get("bands", [])),
            indicators=MappingProxyType(self.indicators),
            criteria=criteria,
            lineage=self._lineage(lineage, data["id"]) if lineage else None,
            file=self.file,
            survey=self._survey(data.get("survey")),
        )

    def _survey(self, raw: Mapping[str, Any] | None) -> Any:
        if raw is None:
            return None
        from ._survey_section import compile_survey  # here: only a methodology with a survey section needs it

        return compile_survey(raw, self.where, self.indicators, self.problems)

    def _lineage(self, raw: Mapping[str, Any], own_id: str) -> Lineage:
        nodes: dict[str, tuple[str, ...]] = {}
        for node_id, previous in raw.get("nodes", {}).items():
            if previous is None:
                nodes[node_id] = ()
            elif isinstance(previous, list):
                nodes[node_id] = tuple(_text(item) for item in previous)
            else:
                nodes[node_id] = (_text(previous),)
        source = raw["from"]
        return Lineage(source.get("id", own_id), _text(source["version"]), MappingProxyType(nodes))

    def bounded(self, spec: Mapping[str, Any], what: str | Callable[[], str]) -> Interval | None:
        """``spec``'s interval; ``what`` names it in a problem (a function: the name is written,
        and the catalogue read, only when there is one)."""
        for pair in (("at_least", "above"), ("at_most", "below")):
            if all(key in spec for key in pair):
                name = what() if callable(what) else what
                self.problem(spec, pair[1], _("{what} has both '{pair}' and '{pair2}': keep one").format(what=name, pair=pair[0], pair2=pair[1]))
                return None
        return _interval(spec)

    def _rating_band(self, raw: Mapping[str, Any]) -> RatingBand:
        interval = self.bounded(raw, lambda: _("rating band {raw}").format(raw=raw["id"])) or Interval()
        return RatingBand(raw["id"], interval, raw.get("label"), raw.get("label_en"))

    def _indicators(self, raw: Mapping[str, Any]) -> dict[str, Indicator]:
        indicators: dict[str, Indicator] = {}
        from ._record import RESERVED_KEYS

        for key, spec in raw.items():
            if key in RESERVED_KEYS:
                self.problem(raw, key, _("'{key}' is reserved for the record's {key}: choose another indicator id").format(key=key), indicator=key)
            kind = spec["type"]
            if "range" in spec:
                low, high = spec["range"]
                value_range = Interval(low, True, high, high is not None)
                if low is not None and high is not None and low > high:
                    self.problem(spec, "range", _("range [{low}, {high}] is empty").format(low=low, high=high), indicator=key)
            else:
                value_range = _DEFAULT_RANGES.get(kind, Interval())
            indicators[key] = Indicator(
                id=key,
                label=spec["label"],
                label_en=spec.get("label_en"),
                description=spec.get("description"),
                type=kind,
                unit=spec.get("unit", "%" if kind == "percent" else None),
                range=value_range,
                missing=spec.get("missing", "error"),
                levels=MappingProxyType({_text(k): v for k, v in spec.get("levels", {}).items()}),
                options=MappingProxyType({_text(k): v for k, v in spec.get("options", {}).items()}),
                location=self.where.locate(raw, key),
            )
        from ._rules import expression_kinds  # the kinds' modules load with the first methodology

        kinds = expression_kinds(indicators)
        levels = {key: frozenset(ind.levels) for key, ind in indicators.items() if ind.type == "level"}
        for key, spec in raw.items():
            if "formula" not in spec:
                continue
            if indicators[key].type in ("level", "answers"):
                self.problem(spec, "formula", _("a derived indicator must be a number or a boolean, not a {type}").format(type=indicators[key].type), indicator=key)
                continue
            result: Kind = "boolean" if indicators[key].type == "boolean" else "number"
            own_kind = kinds.pop(key)  # a formula cannot use its own indicator (not copied: thousands of them)
            try:
                formula = compile_expression(spec["formula"], kinds, levels=levels, result=result)
            except ExpressionError as error:
                self.problem(spec, "formula", _("formula: {error}").format(error=error), indicator=key)
                continue
            finally:
                kinds[key] = own_kind
            indicators[key] = dataclasses.replace(indicators[key], formula=formula)
        self._check_cycles(indicators, raw)
        return indicators

    def _check_cycles(self, indicators: dict[str, Indicator], raw: Mapping[str, Any]) -> None:
        """Report a cycle among derived indicators (an iterative depth-first search)."""
        done: set[str] = set()
        for root in indicators:
            if root in done:
                continue
            path = [root]
            on_path = {root}  # the path as a set: a chain of thousands is searched in linear time
            stack = [iter(_inputs(indicators[root]))]
            while stack:
                child = next(stack[-1], None)
                if child is None:
                    stack.pop()
                    on_path.discard(path[-1])
                    done.add(path.pop())
                elif child in on_path:
                    cycle = " → ".join(path[path.index(child):] + [child])
                    self.problem(raw[child], "formula", _("derived indicators form a cycle: {cycle}").format(cycle=cycle), indicator=child)
                    return
                elif child not in done and child in indicators:
                    path.append(child)
                    on_path.add(child)
                    stack.append(iter(_inputs(indicators[child])))

    def _node(self, raw: Mapping[str, Any], parent_source: str, parent_provenance: str, depth: int) -> Node:
        node_id = _text(raw["id"])
        source = raw.get("source", parent_source)
        provenance = raw.get("provenance", parent_provenance)
        children = tuple(self._node(child, source, provenance, depth + 1) for child in raw.get("children", []))
        rule = self._rule(raw["rule"], raw["max"], node_id) if "rule" in raw else None
        locations = {key: self.where.locate(raw, key) for key in raw}
        return Node(
            id=node_id,
            label=raw["label"],
            label_en=raw.get("label_en"),
            description=raw.get("description"),
            wording=raw.get("wording"),
            max=raw["max"],
            source=source,
            legal_ref=raw.get("legal_ref"),
            provenance=provenance,
            provenance_note=raw.get("provenance_note"),
            aggregate=raw.get("aggregate", "sum"),
            weight=raw.get("weight", Decimal(1)),
            cap_note=raw.get("cap_note"),
            children=children,
            rule=rule,
            depth=depth,
            location=self.where.locate(raw),
            locations=MappingProxyType(locations),
        )

    def _rule(self, raw: Mapping[str, Any], cap: Decimal, node_id: str) -> Rule | None:
        from ._rules import KINDS

        return KINDS[raw["kind"]].build(raw, cap, node_id, self)  # the schema allows only the kinds of KINDS


def _inputs(indicator: Indicator) -> tuple[str, ...]:
    return indicator.formula.names if indicator.formula is not None else ()

