"""Year on year: each unit's change in index, in each field (and every node), and in rank,
even when the two years were scored under different methodology versions.

Nodes of the two versions are matched through a mapping *current node id → previous node ids*:

- the ``mapping`` argument, when given; else
- the newer methodology's ``lineage`` (when it declares the older version as its source); else
- no mapping: nodes are matched by id, and the comparison's notes say so.

A node the mapping does not list continues the previous node with the same id, if there is one.
``[]`` (or ``None``) marks a node as new. A node mapped to several previous nodes (a merge) is
compared with their sum. A previous node continued by several current nodes side by side (a
split) cannot be compared part by part: those parts are marked not comparable, while a parent
that continues the whole node still is. Every
node that cannot be compared, and every previous node with no continuation, is listed in plain
words in :attr:`Comparison.notes`.

Indexes (%) are compared, as well as points: a field whose cap changed can gain points while its
component index falls, and the index is what the scale change does not distort.

Parts not in yet: a partial result has no index, so its index and total changes are ``None``; a
node is compared only where it is complete in both years (a pending or partial node is not
comparable, and says why), and the notes name the units with parts pending.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..engine._arithmetic import format_decimal as fmt, in_context
from ..errors import Problem, RecordError
from ..engine._lineage import node_mapping
from ..engine._model import Methodology, Node
from ._ranking import Ranking, rank
from ..engine._report import Result
from .._i18n import gettext as _, language, ngettext
from .._lazy import name_home

__all__ = ["compare", "Comparison", "UnitChange", "NodeChange", "rank_change_text"]

_HUNDRED = Decimal(100)

NodeMapping = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class NodeChange:
    """One node of the current version set against what it continues in the previous one."""

    id: str
    label: str
    previous_ids: tuple[str, ...]
    previous: Decimal | None  # points (None: not applicable, or nothing to compare with)
    current: Decimal | None
    previous_max: Decimal | None
    current_max: Decimal
    comparable: bool
    note: str | None = None  # why it cannot be compared, or what to keep in mind

    @property
    @in_context
    def change(self) -> Decimal | None:
        """Points gained (negative: lost); ``None`` when not comparable or not applicable."""
        if not self.comparable or self.previous is None or self.current is None:
            return None
        return self.current - self.previous

    @property
    @in_context
    def percent_change(self) -> Decimal | None:
        """Change of the component index (points / max, in percentage points)."""
        if self.change is None or not self.previous_max or not self.current_max:
            return None
        assert self.previous is not None and self.current is not None
        return self.current * _HUNDRED / self.current_max - self.previous * _HUNDRED / self.previous_max


@dataclass(frozen=True)
class UnitChange:
    """One unit present in both years."""

    unit: str
    name: str | None
    previous: Result
    current: Result
    previous_rank: int
    current_rank: int
    fields: tuple[NodeChange, ...]
    nodes: tuple[NodeChange, ...]

    @property
    @in_context
    def index_change(self) -> Decimal | None:
        """Change of the exact index, in percentage points (``None``: a year has parts pending)."""
        if self.current.index is None or self.previous.index is None:
            return None
        return self.current.index - self.previous.index

    @property
    @in_context
    def total_change(self) -> Decimal | None:
        """Change of the exact total, in points (compare indexes when the scales differ;
        ``None``: a year has parts pending, whose total is not known)."""
        if not (self.current.complete and self.previous.complete):
            return None
        return self.current.total - self.previous.total

    @property
    def pending(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The nodes not in yet: (previous year, this year)."""
        return self.previous.pending, self.current.pending

    @property
    def places_up(self) -> int:
        """Places gained in the ranking (negative: lost)."""
        return self.previous_rank - self.current_rank

    @property
    def rank_text(self) -> str:
        return rank_change_text(self.previous_rank, self.current_rank)

    def node(self, node_id: str) -> NodeChange:
        for change in self.nodes:
            if change.id == node_id:
                return change
        raise KeyError(_("no node {node_id!r} in {id}@{version}").format(node_id=node_id, id=self.current.methodology.id, version=self.current.methodology.version))


@dataclass(frozen=True)
class Comparison:
    """Units in both years, units in one year only, and notes on what could not be compared."""

    units: tuple[UnitChange, ...]
    previous_ranking: Ranking
    current_ranking: Ranking
    only_previous: tuple[str, ...]
    only_current: tuple[str, ...]
    mapping: Mapping[str, tuple[str, ...]]
    notes: tuple[str, ...]

    def unit(self, unit: str) -> UnitChange:
        for change in self.units:
            if change.unit == unit:
                return change
        raise KeyError(_("unit {unit!r} is not in both years").format(unit=unit))


def rank_change_text(previous_rank: int, current_rank: int) -> str:
    """A rank change as the press says it, in the language of the moment.

    >>> from par_rules._i18n import use
    >>> with use("en"):
    ...     rank_change_text(4, 1), rank_change_text(2, 3), rank_change_text(5, 5)
    ('up 3 places (4th → 1st)', 'down 1 place (2nd → 3rd)', 'same rank (5th)')
    >>> with use("vi"):
    ...     rank_change_text(4, 1), rank_change_text(5, 5)
    ('tăng 3 bậc (thứ 4 → thứ 1)', 'giữ hạng (thứ 5)')
    """
    places = previous_rank - current_rank
    if places == 0:
        return _("same rank ({current_rank})").format(current_rank=_ordinal(current_rank))
    if places > 0:
        text = ngettext("up {count} place ({previous} → {current})", "up {count} places ({previous} → {current})", places)
    else:
        text = ngettext("down {count} place ({previous} → {current})", "down {count} places ({previous} → {current})", -places)
    return text.format(count=abs(places), previous=_ordinal(previous_rank), current=_ordinal(current_rank))


def _ordinal(number: int) -> str:
    if language() != "en":
        return _("no. {number}").format(number=number)
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


@in_context
def compare(
    previous: Iterable[Result],
    current: Iterable[Result],
    *,
    mapping: Mapping[str, str | Sequence[str] | None] | None = None,
) -> Comparison:
    """Compare two years of results unit by unit (matched on ``unit``); ranks are computed in
    each year among that year's units (competition ties).

    Each year's results must come from one methodology version (see :func:`par_rules.rank`).

    >>> from par_rules import load, score
    >>> m = load("example/par-index/district")
    >>> base = {"plan_issued": "on_time", "plan_completion": 95, "reports_on_time": True,
    ...         "inspected_share": 1, "dossiers_on_time": 10, "dossiers_total": 10,
    ...         "online_rate": 60, "violations": 0, "satisfaction": {"A": 1}}
    >>> def year(period, points):
    ...     return [score(m, {**base, "unit": u, "period": period, "e_gov_points": p}) for u, p in points]
    >>> comparison = compare(year(2023, [("a", 15), ("b", 12)]), year(2024, [("a", 11), ("b", 12)]))
    >>> change = comparison.unit("b")
    >>> from par_rules._i18n import use
    >>> with use("en"):
    ...     change.rank_text, fmt(change.total_change), fmt(change.node("5").change)
    ('up 1 place (2nd → 1st)', '0', '0')
    >>> fmt(comparison.unit("a").node("5").change)
    '-4'
    """
    previous_ranking = rank(previous)
    current_ranking = rank(current)
    if not previous_ranking.entries or not current_ranking.entries:
        raise RecordError([Problem(_("nothing to compare: one of the two years has no results"))])
    old_methodology = previous_ranking.entries[0].result.methodology
    new_methodology = current_ranking.entries[0].result.methodology
    resolved, notes = node_mapping(old_methodology, new_methodology, mapping)
    shared = _splits(new_methodology, resolved)
    old_nodes = {node.id: node for node in old_methodology.nodes()}
    notes += _node_notes(new_methodology, resolved, shared, old_nodes)
    before = {entry.unit: entry for entry in previous_ranking}
    units = []
    for entry in current_ranking:
        old_entry = before.get(entry.unit)
        if old_entry is None:
            continue
        for year, result in ((_("the previous year"), old_entry.result), (_("this year"), entry.result)):
            if not result.complete:
                notes.append(
                    _("{unit}: {pending} not in yet in {year}: no index change; ranked only against units with the same parts in").format(unit=entry.unit, pending=", ".join(result.pending), year=year)
                )
        nodes = tuple(_node_change(node, entry.result, old_entry.result, resolved[node.id], shared, old_nodes) for node in new_methodology.nodes())
        field_ids = {node.id for node in new_methodology.criteria}
        units.append(
            UnitChange(
                unit=entry.unit, name=entry.result.record.name or old_entry.result.record.name,
                previous=old_entry.result, current=entry.result,
                previous_rank=old_entry.rank, current_rank=entry.rank,
                fields=tuple(change for change in nodes if change.id in field_ids), nodes=nodes,
            )
        )
    now = {entry.unit for entry in current_ranking}
    return Comparison(
        units=tuple(units),
        previous_ranking=previous_ranking,
        current_ranking=current_ranking,
        only_previous=tuple(unit for unit in before if unit not in now),
        only_current=tuple(entry.unit for entry in current_ranking if entry.unit not in before),
        mapping=resolved,
        notes=tuple(notes),
    )


def _splits(current: Methodology, resolved: Mapping[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """Previous nodes continued by several current nodes side by side (not one inside the
    other: a field that continues a whole field while its new children share it is no split)."""
    ancestors: dict[str, set[str]] = {}
    stack = [(node, frozenset[str]()) for node in current.criteria]
    while stack:
        node, above = stack.pop()
        ancestors[node.id] = set(above)
        stack.extend((child, above | {node.id}) for child in node.children)
    users: dict[str, list[str]] = {}
    for node_id, earlier in resolved.items():
        for old in earlier:
            users.setdefault(old, []).append(node_id)
    splits: dict[str, list[str]] = {}
    for old, continuing in users.items():
        parts = [
            node_id for node_id in continuing
            if any(other != node_id and other not in ancestors[node_id] and node_id not in ancestors[other] for other in continuing)
        ]
        if parts:
            splits[old] = parts
    return splits


def _node_change(node: Node, current: Result, previous: Result, earlier: tuple[str, ...], shared: Mapping[str, list[str]], old_nodes: Mapping[str, Node]) -> NodeChange:
    points = current.points(node.id)
    split = [old for old in earlier if node.id in shared.get(old, ())]
    if not earlier or split:
        return NodeChange(node.id, node.label, earlier, None, points, None, node.max, False, _why_not(node.id, earlier, split, shared))
    waiting = [_("this year")] if not current.is_complete(node.id) else []
    waiting += [_("the previous year")] if not all(previous.is_complete(old) for old in earlier) else []
    if waiting:
        why = _("not in yet in {waiting}: nothing to compare").format(waiting=" and ".join(waiting))
        return NodeChange(node.id, node.label, earlier, None, points, None, node.max, False, why)
    old_points = [previous.points(old) for old in earlier]
    applicable = [p for p in old_points if p is not None]
    before = sum(applicable, Decimal(0)) if applicable else None
    old_max = sum((old_nodes[old].max for old in earlier), Decimal(0))
    note = None
    if old_max != node.max:
        note = _("max {old_max} → {max}: compare the component index").format(old_max=fmt(old_max), max=fmt(node.max))
    if len(earlier) > 1:
        note = f"continues {' + '.join(earlier)}" + (f"; {note}" if note else "")
    return NodeChange(node.id, node.label, earlier, before, points, old_max, node.max, True, note)


def _why_not(node_id: str, earlier: tuple[str, ...], split: list[str], shared: Mapping[str, list[str]]) -> str:
    if not earlier:
        return _("new node: nothing to compare with")
    parts = [_("{old} was split into {shared}").format(old=old, shared=', '.join(shared[old])) for old in split]
    return "; ".join(parts) + _(": not comparable part by part")


def _node_notes(current: Methodology, resolved: Mapping[str, tuple[str, ...]], shared: Mapping[str, list[str]], old_nodes: Mapping[str, Node]) -> list[str]:
    notes = []
    version = f"{current.id}@{current.version}"
    for node_id, earlier in resolved.items():
        if not earlier:
            notes.append(_("node {node_id} is new in {version}: it cannot be compared").format(node_id=node_id, version=version))
    for old, users in shared.items():
        notes.append(_("previous node {old} was split into {users}: those cannot be compared one by one (their parent can, if it continues a whole node)").format(old=old, users=', '.join(users)))
    continued = {old for earlier in resolved.values() for old in earlier}
    for old in old_nodes:
        if old not in continued:
            notes.append(_("previous node {old} has no continuation in {version}: its points are not compared").format(old=old, version=version))
    return notes


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
