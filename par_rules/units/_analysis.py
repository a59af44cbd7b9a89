"""One unit under the lens: where it lost points, what a change would bring, and where its
self-assessment differs from the appraisal.

- :func:`gaps`: the nodes where the unit lost most points, its lowest component indices (field
  points / field max, in %), and how far it stands from the next rank and the next rating band;
- :func:`what_if`: the unit's points, index, band and rank if some indicators were different;
- :func:`self_assessment`: every node where the unit's own points differ from the appraised ones.

All figures are exact decimals; "points needed" are the least that would do. Every function and
property computes in :data:`~par_rules.arithmetic.CONTEXT`, whatever the caller's decimal context.

Parts not in yet: for a partial result, points lost count only where they are lost for good
(complete leaves), components only complete fields, the next rank is looked for among the units
with the same parts in (on the points so far), there is no next band (no index yet), and a
self-assessed node whose appraisal is not in yet is listed as pending, never as a difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..engine._api import score
from ..engine._arithmetic import format_decimal as fmt, in_context
from ..errors import MethodologyNotFound, Problem, RecordError
from ..engine._model import Methodology, RatingBand
from ._ranking import Ranked, Ranking, rank, unit_id
from ..engine._record import RESERVED_KEYS, Record, coerce_number
from ..engine._report import NodeResult, Result
from .._i18n import gettext as _
from .._lazy import name_home

__all__ = [
    "gaps",
    "Gaps",
    "Component",
    "RankGap",
    "BandGap",
    "what_if",
    "WhatIf",
    "self_assessment",
    "SelfAssessment",
    "Difference",
    "record_mapping",
]

_HUNDRED = Decimal(100)
_HALF = Decimal("0.5")


@dataclass(frozen=True)
class Component:
    """A field's component index: its points over its max, in %."""

    id: str
    label: str
    points: Decimal
    max: Decimal

    @property
    @in_context
    def percent(self) -> Decimal:
        return self.points * _HUNDRED / self.max


@dataclass(frozen=True)
class RankGap:
    """The unit placed just above: how many points (and index points) separate them.

    Equalling that unit's exact total shares its rank; any point more passes it."""

    unit: str
    rank: int
    points: Decimal
    index_points: Decimal | None  # None: ranked on points so far (parts pending), no index


@dataclass(frozen=True)
class BandGap:
    """The next rating band up and the least the unit needs to reach it."""

    band: RatingBand
    index_needed: Decimal  # the exact index from which the band is reached
    points_needed: Decimal
    strictly_more: bool  # True: the band starts *above* index_needed ("more than")


@dataclass(frozen=True)
class Gaps:
    """Where one unit lost points and what stands between it and the next rank and band."""

    result: Result
    lost: tuple[NodeResult, ...]  # leaves, most points lost first
    components: tuple[Component, ...]  # fields, lowest component index first
    next_rank: RankGap | None  # None: not ranked, or first
    next_band: BandGap | None  # None: no band above, or parts pending (no index yet)
    pending: tuple[str, ...] = ()  # the nodes not in yet (the result's)


@in_context
def gaps(result: Result, ranking: Ranking | None = None, *, top: int = 5) -> Gaps:
    """Gap analysis of one result: the ``top`` leaves where most points were lost, the field
    component indices from the lowest, and (given the ranking the unit is in) the distance to
    the unit placed just above.

    >>> from par_rules import load, score
    >>> m = load("example/par-index/district")
    >>> r = score(m, {"plan_issued": "late", "plan_completion": 95, "reports_on_time": True,
    ...     "inspected_share": 1, "dossiers_on_time": 10, "dossiers_total": 10, "online_rate": 60,
    ...     "digitised_rate": 40, "violations": 0, "e_gov_points": 16, "satisfaction": {"A": 1}})
    >>> report = gaps(r, top=2)
    >>> [(node.id, fmt(node.lost)) for node in report.lost]
    [('2.3', '3'), ('4.2', '2')]
    >>> [(c.id, fmt(c.percent)) for c in report.components[:2]]
    [('4', '80'), ('2', '85')]
    >>> fmt(r.published_index), report.next_band   # already in the top band
    ('93.75', None)
    """
    leaves = [node for node in result.nodes() if node.rule is not None and node.applicable and not node.pending and node.lost > 0]
    leaves.sort(key=lambda node: -node.lost)  # stable: ties keep the order of the methodology
    components = [Component(field.id, field.label, field.points, field.max) for field in result.fields if field.points is not None and field.complete and field.max > 0]
    components.sort(key=lambda component: component.percent)
    return Gaps(result, tuple(leaves[:top]), tuple(components), _rank_gap(result, ranking), _band_gap(result), result.pending)


def _ranked_value(entry: Ranked) -> Decimal:
    return entry.index if entry.value is None else entry.value  # type: ignore[return-value]


def _rank_gap(result: Result, ranking: Ranking | None) -> RankGap | None:
    if ranking is None:
        return None
    own = next((entry for entry in ranking if entry.result is result), None)
    if own is None:
        raise KeyError(_("unit {result!r} is not in the ranking given").format(result=unit_id(result, 0)))
    ahead: Ranked | None = None
    for entry in ranking:
        if entry.result is result:
            break
        if entry.cohort == own.cohort and _ranked_value(entry) > _ranked_value(own):  # only units with the same parts in
            ahead = entry
    if ahead is None:
        return None
    if ranking.on is not None:  # ranked on one node: the points of that node
        return RankGap(ahead.unit, ahead.rank, _ranked_value(ahead) - _ranked_value(own), None)
    index_points = None if ahead.index is None or result.index is None else ahead.index - result.index
    return RankGap(ahead.unit, ahead.rank, ahead.result.total - result.total, index_points)


def _band_gap(result: Result) -> BandGap | None:
    methodology = result.methodology
    if not result.complete:  # no index until every part is in
        return None
    rated = result.published_index if methodology.bands_on == "published" else result.index
    if rated is None:
        return None
    above = [band for band in methodology.bands if band.interval.low is not None and rated not in band.interval and band.interval.low >= rated]
    if not above:
        return None
    band = min(above, key=lambda candidate: candidate.interval.low)  # type: ignore[arg-type,return-value]
    low = band.interval.low
    assert low is not None
    strictly_more = not band.interval.low_inclusive
    if methodology.bands_on == "published":
        # The published index is rounded half-up: from (low - half a unit) it shows as low.
        step = Decimal(1).scaleb(-methodology.decimals)  # in CONTEXT, as everything here
        index_needed = low + step * _HALF if strictly_more else low - step * _HALF
        strictly_more = False
    else:
        index_needed = low
    points_needed = index_needed * result.scale / _HUNDRED - result.total
    return BandGap(band, index_needed, points_needed, strictly_more)


@dataclass(frozen=True)
class WhatIf:
    """A unit as it is and as it would be with some indicators changed."""

    before: Result
    after: Result
    changes: Mapping[str, Any]
    rank_before: int | None  # None: no other units given
    rank_after: int | None
    units_ranked: int

    @property
    @in_context
    def points_change(self) -> Decimal:
        """Change of the total (of the points so far, when parts are pending)."""
        return self.after.total - self.before.total

    @property
    @in_context
    def index_change(self) -> Decimal | None:
        """``None``: before or after has parts pending (no index)."""
        if self.before.index is None or self.after.index is None:
            return None
        return self.after.index - self.before.index

    @property
    def pending(self) -> tuple[str, ...]:
        """The nodes still not in after the changes."""
        return self.after.pending

    def changed_nodes(self) -> list[tuple[NodeResult, NodeResult]]:
        """(before, after) for every node whose points change."""
        after = {node.id: node for node in self.after.nodes()}
        return [(node, after[node.id]) for node in self.before.nodes() if after[node.id].points != node.points]


@in_context
def what_if(methodology: Methodology, record: Mapping[str, Any] | Record, changes: Mapping[str, Any], others: Iterable[Result] = (), *, parts: Iterable[str] | None = None) -> WhatIf:
    """Score a record as it is and with ``changes`` (indicator → new value; ``indicator.option``
    sets one answer count of a survey), and rank both among ``others`` (the other units; a result
    for the same unit among them is left out). ``parts``: score only these nodes (see
    :func:`par_rules.score`); a value given for a pending indicator brings its part in.

    >>> from par_rules import load
    >>> m = load("example/par-index/district")
    >>> unit = {"unit": "a", "plan_issued": "on_time", "plan_completion": 95, "reports_on_time": True,
    ...     "inspected_share": 1, "dossiers_on_time": 10, "dossiers_total": 10, "online_rate": 30,
    ...     "digitised_rate": 80, "violations": 0, "e_gov_points": 16, "satisfaction": {"A": 1}}
    >>> change = what_if(m, unit, {"online_rate": 60})
    >>> fmt(change.before.points("2.2")), fmt(change.after.points("2.2")), fmt(change.points_change)
    ('2.4', '6', '3.6')
    """
    mapping = record_mapping(record)
    changed = dict(mapping)
    for key, value in changes.items():
        indicator, dot, option = key.partition(".")
        if dot and indicator not in RESERVED_KEYS:
            answers = changed.get(indicator)
            changed[indicator] = {**(answers if isinstance(answers, Mapping) else {}), option: value}
        else:
            changed[key] = value
    chosen = None if parts is None else tuple(parts)
    before = score(methodology, mapping, parts=chosen)
    after = score(methodology, changed, parts=chosen)
    peers = [other for other in others if not (before.unit is not None and other.unit == before.unit)]
    if not peers:
        return WhatIf(before, after, dict(changes), None, None, 1)
    rank_before = rank([*peers, before]).entries
    rank_after = rank([*peers, after]).entries
    place_before = next(entry.rank for entry in rank_before if entry.result is before)
    place_after = next(entry.rank for entry in rank_after if entry.result is after)
    return WhatIf(before, after, dict(changes), place_before, place_after, len(peers) + 1)


def record_mapping(record: Mapping[str, Any] | Record) -> dict[str, Any]:
    """A record as one flat mapping (the reserved keys and the indicator values)."""
    if not isinstance(record, Record):
        return dict(record)
    mapping: dict[str, Any] = dict(record.values)
    for key in ("unit", "name", "period", "group"):
        if getattr(record, key) is not None:
            mapping[key] = getattr(record, key)
    if record.self_assessed:
        mapping["self_assessed"] = dict(record.self_assessed)
    return mapping


@dataclass(frozen=True)
class Difference:
    """A node where the self-assessed points differ from the appraised ones."""

    id: str
    label: str
    max: Decimal
    claimed: Decimal
    appraised: Decimal | None  # None: the node does not apply

    @property
    @in_context
    def difference(self) -> Decimal:
        """Claimed minus appraised (positive: the unit gave itself more)."""
        return self.claimed - (self.appraised or Decimal(0))

    @property
    def above_max(self) -> bool:
        return self.claimed > self.max


@dataclass(frozen=True)
class SelfAssessment:
    """The self-assessed nodes of one unit: where they differ, and where they agree."""

    differences: tuple[Difference, ...]
    agreed: tuple[str, ...]
    pending: tuple[str, ...] = ()  # self-assessed nodes whose appraisal is not (wholly) in yet

    @property
    @in_context
    def claimed_total_change(self) -> Decimal:
        """Sum of the differences (only meaningful over nodes that do not contain each other)."""
        return sum((difference.difference for difference in self.differences), Decimal(0))


@in_context
def self_assessment(result: Result, claimed: Mapping[str, Any] | None = None) -> SelfAssessment:
    """Set the unit's self-assessed points per node (``claimed``, by default the record's
    ``self_assessed``) against the appraised ones and report every node where they differ.

    >>> from par_rules import load, score
    >>> m = load("example/par-index/district")
    >>> r = score(m, {"plan_issued": "late", "plan_completion": 95, "reports_on_time": True,
    ...     "inspected_share": 1, "dossiers_on_time": 10, "dossiers_total": 10, "online_rate": 60,
    ...     "violations": 0, "e_gov_points": 16, "satisfaction": {"A": 1},
    ...     "self_assessed": {"1.1.1": 1, "3": "10", "5": "16,5"}})
    >>> report = self_assessment(r)
    >>> [(d.id, fmt(d.claimed), fmt(d.appraised), fmt(d.difference)) for d in report.differences]
    [('1.1.1', '1', '0.5', '0.5'), ('5', '16.5', '16', '0.5')]
    >>> report.agreed
    ('3',)
    """
    claims = result.record.self_assessed if claimed is None else claimed
    problems: list[Problem] = []
    differences: list[Difference] = []
    agreed: list[str] = []
    waiting: list[str] = []
    for raw_id, raw_value in claims.items():
        node_id = fmt(raw_id) if isinstance(raw_id, Decimal) else str(raw_id)
        try:
            appraised = result.points(node_id)
            node = result.methodology.node(node_id)
        except MethodologyNotFound:
            problems.append(Problem(_("self-assessed points for a node the methodology does not have"), node=node_id))
            continue
        try:
            value = coerce_number(raw_value)
        except (ValueError, TypeError) as error:
            problems.append(Problem(_("self-assessed points: {error}").format(error=error), node=node_id))
            continue
        if not result.is_complete(node_id):
            waiting.append(node_id)  # nothing appraised to set the claim against yet
        elif appraised is not None and value == appraised:
            agreed.append(node_id)
        else:
            differences.append(Difference(node_id, node.label, node.max, value, appraised))
    if problems:
        raise RecordError(problems)
    return SelfAssessment(tuple(differences), tuple(agreed), tuple(waiting))


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
