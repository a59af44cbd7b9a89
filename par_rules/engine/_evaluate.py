"""Stage 4, evaluate: run a methodology's plan on a checked record.

The :class:`Plan` is built once per methodology (by :mod:`par_rules.compile`): derived
indicators in dependency order, then every node in one flat list, parents before their children.
Scoring a record runs the plan written as one Python function (:mod:`par_rules.codegen`); what
each step decided (which band, which level, a cap, a rescale) is kept, so the explanation is
read from it, never computed a second time.

Rules at parents: a parent sums its children (or takes their weighted mean) and never exceeds
its cap. Children that do not apply (``not_applicable``) are left out and the parent is rescaled
over the caps that do apply; a parent with no applicable child does not apply either.

Parts not in yet: a leaf whose indicator is missing under the policy ``pending``, or that lies
outside the parts named to score (:meth:`Plan.for_parts`), is pending. The plan is then run
twice: once with every pending leaf at 0 (the points so far), once with every pending leaf at
its cap (the most they can still reach). Every rule at a parent is monotone in each child and a
child's points lie within [0, cap], so whatever the pending leaves turn out to be (not
applicable included), each node ends between the two.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ._codegen import MISSING_DETAIL, PENDING_DETAIL, Outcome, compile_plan
from ..errors import MethodologyNotFound
from ._model import Indicator, Methodology, Node
from ._record import Catalogue, check_values
from .._i18n import gettext as _

if TYPE_CHECKING:
    from ._codegen import Scorer

__all__ = ["Plan", "Outcome", "MISSING_DETAIL", "PENDING_DETAIL"]

_ZERO = Decimal(0)


class Plan:
    """A methodology flattened for evaluation.

    Built once: a reader per input indicator (:class:`~par_rules.record.Catalogue`), the
    derived indicators in dependency order, the nodes in one flat list (parents before their
    children) with each parent's children's positions, and which nodes may not apply to some
    record. :meth:`score` runs this plan written as one Python function (:mod:`par_rules.codegen`),
    compiled when the first record is scored, so that loading a methodology to check or
    document it never pays for it.
    """

    def __init__(self, methodology: Methodology, parts: frozenset[str] | None = None, base: Plan | None = None) -> None:
        self.name = f"{methodology.id}@{methodology.version}"
        self.methodology = methodology
        self.parts = parts
        self._base = self if base is None else base
        self.nodes: tuple[Node, ...] = tuple(methodology.nodes())
        index = {id(node): position for position, node in enumerate(self.nodes)}
        self.children: tuple[tuple[int, ...], ...] = tuple(tuple(index[id(child)] for child in node.children) for node in self.nodes)
        self.fields: tuple[int, ...] = tuple(index[id(node)] for node in methodology.criteria)
        self.position = {node.id: position for position, node in enumerate(self.nodes)}
        self.scale = methodology.scale
        indicators = methodology.indicators
        self.derived: tuple[tuple[str, Indicator], ...] = tuple(_dependency_order({key: ind for key, ind in indicators.items() if ind.derived}))
        self.policies: dict[str, str] = {key: ind.missing for key, ind in indicators.items()}
        #: Leaves outside the parts named to score: pending whatever the record gives.
        self.forced_pending: frozenset[int] = frozenset()
        optional: frozenset[str] = frozenset()
        if parts is not None:
            unknown = sorted(part for part in parts if part not in self.position)
            if unknown:
                raise MethodologyNotFound(_("{name} has no node {repr} (parts to score name nodes of the criteria tree)").format(name=self.name, repr=', '.join(map(repr, unknown))))
            inside: set[int] = set()
            for part in parts:
                stack = [self.position[part]]
                while stack:
                    position = stack.pop()
                    inside.add(position)
                    stack.extend(self.children[position])
            self.forced_pending = frozenset(p for p, node in enumerate(self.nodes) if node.rule is not None and p not in inside)
            used = _indicators_used(indicators, (self.nodes[p] for p in inside))
            optional = frozenset(key for key in indicators if key not in used)
            for key in optional:  # only the leaves not scored use them: not in yet
                self.policies[key] = "pending"
        self.catalogue = Catalogue(indicators, optional)
        self._variants: dict[frozenset[str], Plan] = {}
        self.may_lapse = self._may_lapse()
        self.field_caps = sum((self.nodes[f].max for f in self.fields), _ZERO)
        self._scorer: Scorer | None = None

    def _may_lapse(self) -> tuple[bool, ...]:
        """Whether each node may be "not applicable" for some record (a parent none of whose
        children can lapse is a plain sum, with no rescale bookkeeping)."""
        lapses = [False] * len(self.nodes)
        for position in range(len(self.nodes) - 1, -1, -1):  # children always come after their parent
            node = self.nodes[position]
            if node.rule is not None:
                lapses[position] = any(self.policies[name] == "not_applicable" for name in node.rule.inputs)
            else:
                lapses[position] = all(lapses[child] for child in self.children[position])
        return tuple(lapses)

    def for_parts(self, parts: Iterable[str] | None) -> Plan:
        """The plan that scores only ``parts`` (node ids, with everything below them): every
        other leaf is pending, and an indicator only they use need not be given. ``None``: this
        plan. Built once per set of parts."""
        if parts is None:
            return self
        key = frozenset(str(part) for part in parts)
        if self._base is not self:
            return self if key == self.parts else self._base.for_parts(key)
        variant = self._variants.get(key)
        if variant is None:
            variant = self._variants[key] = Plan(self.methodology, key, self)  # two threads may both build it: equal plans
        return variant

    def score(self, values: Mapping[str, Any], row: int | None = None, parts: Iterable[str] | None = None) -> Outcome:
        """Score a record's values (as given: texts, ints, answer mappings...); a RecordError
        lists every problem in them, or met while scoring them. ``parts``: score only these
        nodes (:meth:`for_parts`). An outcome with pending leaves carries, as ``reach``, the
        outcome with each pending leaf at its cap."""
        if parts is not None:
            return self.for_parts(parts).score(values, row)
        scorer = self._scorer
        if scorer is None:
            scorer = self._scorer = compile_plan(self)  # two threads may both compile: the same function
        outcome = scorer(values, row)
        if outcome is None:  # something unusual: read the general way, which says what is wrong
            values = check_values(self.catalogue, values, row)
            outcome = scorer(values, row)
            assert outcome is not None, "checked values read as they are"
        if outcome.pending:
            outcome.reach = scorer(values, row, True)
        return outcome


def _indicators_used(indicators: Mapping[str, Indicator], nodes: Iterable[Node]) -> set[str]:
    """The indicators the rules of ``nodes`` read, and every indicator those derive from."""
    waiting: list[str] = []
    for node in nodes:
        if node.rule is not None:
            waiting.extend(node.rule.inputs)
    used: set[str] = set()
    while waiting:
        key = waiting.pop()
        if key in used or key not in indicators:
            continue
        used.add(key)
        formula = indicators[key].formula
        if formula is not None:
            waiting.extend(formula.names)
    return used


def _dependency_order(derived: dict[str, Any]) -> list[tuple[str, Any]]:
    """Derived indicators, each after the derived indicators it uses (no cycles: validated),
    in rounds: first those that use no derived indicator, then those that use only these..., each
    round in the order of the file (each indicator is visited once per input, so a long chain of
    them costs no more than its length)."""
    rank = {key: number for number, key in enumerate(derived)}
    waiting = {key: {name for name in indicator.formula.names if name in derived} for key, indicator in derived.items()}
    users: dict[str, list[str]] = {}
    for key, inputs in waiting.items():
        for name in inputs:
            users.setdefault(name, []).append(key)
    ready = [key for key, inputs in waiting.items() if not inputs]
    ordered: list[tuple[str, Any]] = []
    while ready:
        ordered.extend((key, derived[key]) for key in ready)
        unblocked = []
        for key in ready:
            for user in users.get(key, ()):
                waiting[user].discard(key)
                if not waiting[user]:
                    unblocked.append(user)
        ready = sorted(unblocked, key=rank.__getitem__)
    if len(ordered) != len(derived):  # pragma: no cover - cycles are rejected when the methodology is compiled
        raise RuntimeError(_("cycle among derived indicators"))
    return ordered
