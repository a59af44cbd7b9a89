"""Rank robustness (sensitivity analysis): how far each unit's rank and band move when the
methodology's weights or band thresholds move a little.

Methodology authors change the caps of fields every year; an office wants to know which ranks
are solid. :func:`sensitivity` perturbs the methodology over many seeded samples and reports, for
each unit, its rank interval (median, 5th and 95th percentile), how often its rating band
changes, the rank it takes with each field left out, and which field's weight moves its rank most.
It follows COINr's uncertainty and sensitivity analysis of composite indicators (weights
perturbed, components excluded one at a time), on the methodology's own arithmetic.

The exact model (docs/batch.md says it for readers):

- Each record is scored once, by the engine. A sample then re-adds the points of the perturbed
  nodes; nothing is scored again.
- Perturbing a node's cap by a factor ``w`` scales the node's whole subtree: its cap, every cap
  and every point value below it (so its points become ``w`` × its points, and its share of its
  cap, points / cap, stays what the engine gave). This is what an author does who gives a field
  more weight and spreads it over the field's criteria in proportion.
- ``level="fields"``: each field ``i`` gets ``w_i = 1 + u_i``, ``u_i`` drawn uniformly from
  −``percent`` % to +``percent`` % in steps of 0.01 %. Renormalised to the scale (the caps
  multiplied by one common factor so that they add up to the scale again), the index is
  ``100 × Σ w_i p_i / Σ w_i m_i`` over the fields that apply to the unit (``p``: points,
  ``m``: cap), exactly the engine's total, which rescales over the fields that apply.
- ``level="criteria"``: each criterion (a node of depth 2) ``c`` gets ``w_c``; its field's cap
  moves with its criteria (``m_F × Σ w_c m_c / Σ m_c``) and the field re-adds its criteria as
  the engine does: a sum over the criteria that apply, rescaled to the field's cap when some do
  not apply, kept within the field's cap; a weighted-mean field keeps its criteria's shares
  (their caps carry no weight there, their ``weight`` does), so its points move with its cap.
  Then the fields add up, renormalised to the scale, as above.
- Leaving a field out sets its ``w`` to 0 (the index is then over the other fields). A unit to
  which no other field applies cannot be ranked without that field: that scenario is skipped
  and a note says so.
- Band thresholds: each distinct threshold of the rating bands moves by ``s`` drawn uniformly
  from −``band_shift`` to +``band_shift`` index points in steps of 0.01 (adjacent bands share a
  moved threshold, so they never overlap); the band is decided as the methodology says, on the
  published (half-up rounded) index or on the exact one.
- Every figure is exact: points are turned into integers (×10^k), weights are integers in
  hundredths of a percent, and ranks compare the exact fractions ``Σ w p / Σ w m`` (floats only
  sort; two units whose floats are equal are ordered by their exact fractions). Ties share a
  rank, by the ranking's own rule (:func:`par_rules.rank`: ``competition`` or ``dense``), and
  units that tie keep their input order.
- Samples come from ``random.Random(seed)`` (no global state): per sample, one draw per
  perturbed node in the methodology's order, then one per threshold from the lowest. The same
  records, methodology, options and seed give the same report on any machine.
- Percentiles are nearest-rank: the p-th percentile of a unit's ranks is the smallest rank that
  at least p % of the samples reach (the median is the 50th). "Band changes" counts the samples
  where the unit's band differs from its published band.
- "Moved most by": the field whose cap alone, moved by +``percent`` % and by −``percent`` %
  (renormalised), moves the unit's rank furthest from its published rank (first in the file's
  order on a tie; none when no field moves it).

How the scoring compares with the engine's: with a perturbed methodology built for real (the
caps, point values and records scaled, tests/test_sensitivity.py), the engine gives the same
ranks and bands; the engine rounds each node's result to 34 significant digits, this model does
not round at all.
"""

from __future__ import annotations

import itertools
import math
import os
import random
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from operator import truediv
from typing import Any, Literal

from ..engine._api import load
from ..engine._arithmetic import format_decimal as fmt, in_context
from ..engine._model import Methodology, Node, RatingBand
from ..engine._report import Result
from ..errors import ParRulesError, Problem, RecordError
from ..formats._files import Table
from ._batch import score_many
from ._ranking import TiePolicy, places, rank, unit_id
from .._i18n import gettext as _
from .._lazy import name_home

__all__ = ["sensitivity", "Sensitivity", "UnitSensitivity", "Sample", "Level"]

Level = Literal["fields", "criteria"]

_BASE = 10000  # a weight of 1, in hundredths of a percent
_SHIFT_STEP = 100  # band shifts are drawn in hundredths of an index point


@dataclass(frozen=True)
class UnitSensitivity:
    """How one unit's rank and band move under the perturbations."""

    unit: str
    result: Result
    rank: int  # as published (par_rules.rank)
    median: int
    low: int  # the 5th percentile of the ranks: the best of the interval
    high: int  # the 95th percentile: the worst of the interval
    band_changes: int  # samples whose band differs from the published band
    samples: int
    moved_by: str | None  # the field whose cap moves the rank most (None: none moves it)
    moved: int  # the rank change it causes (+: a worse rank)
    left_out: Mapping[str, int]  # field id -> the rank with that field left out

    @property
    def band(self) -> RatingBand | None:
        return self.result.band

    @property
    @in_context
    def band_change_share(self) -> Decimal:
        """The share of the samples whose band differs from the published one, in % (exact
        to 4 decimals, half-up)."""
        return _percent(self.band_changes, self.samples)

    @property
    def interval(self) -> tuple[int, int]:
        return self.low, self.high

    @property
    def worst_without(self) -> tuple[str, int] | None:
        """The field whose leaving out gives the worst rank, and that rank, when it is worse
        than the published rank (None: leaving out any one field keeps or betters the rank)."""
        if not self.left_out:
            return None
        field_id, worst = max(self.left_out.items(), key=lambda item: item[1])  # first in the file's order on a tie
        return (field_id, worst) if worst > self.rank else None


@dataclass(frozen=True)
class Sample:
    """One sample as drawn (kept with ``keep_samples=True``): the weight of each perturbed
    node (1 = as published), each threshold's shift in index points, and every unit's rank
    and band id in the order of :attr:`Sensitivity.units`."""

    weights: Mapping[str, Decimal]
    shifts: Mapping[Decimal, Decimal]
    ranks: tuple[int, ...]
    bands: tuple[str | None, ...]


@dataclass(frozen=True)
class Sensitivity:
    """The rank robustness of the units of one methodology (see :func:`sensitivity`)."""

    methodology: Methodology
    units: tuple[UnitSensitivity, ...]  # by published rank
    samples: int
    seed: int
    percent: Decimal
    level: Level
    nodes: tuple[str, ...]  # the nodes whose caps were perturbed
    band_shift: Decimal
    ties: TiePolicy
    notes: tuple[str, ...] = ()
    refused: tuple[RecordError, ...] = ()
    drawn: tuple[Sample, ...] = field(default=(), repr=False)

    def __iter__(self) -> Iterator[UnitSensitivity]:
        return iter(self.units)

    def __len__(self) -> int:
        return len(self.units)

    def unit(self, unit: str) -> UnitSensitivity:
        """One unit's figures; :class:`KeyError` if it was not ranked."""
        for entry in self.units:
            if entry.unit == unit:
                return entry
        raise KeyError(_("unit {unit!r} is not in the analysis").format(unit=unit))

    @in_context
    def table(self) -> Table:
        """A row per unit, by published rank: the rank interval, band changes, the field that
        moves the rank most, and the worst rank with one field left out."""
        headers = ("rank", "unit", "name", "band", "rank_median", "rank_p5", "rank_p95", "band_changes_percent", "moved_most_by", "rank_change", "worst_without", "rank_without")
        rows = []
        for entry in self.units:
            worst = entry.worst_without
            rows.append((
                entry.rank, entry.unit, entry.result.record.name, entry.band.id if entry.band else None,
                entry.median, entry.low, entry.high, entry.band_change_share, entry.moved_by, entry.moved,
                worst[0] if worst else None, max(entry.left_out.values()) if entry.left_out else None,
            ))
        legend = (
            _("{samples} samples, seed {seed}: caps of the {level} moved by up to ±{percent}% (renormalised to the scale)").format(
                samples=self.samples, seed=self.seed, level=self.level, percent=fmt(self.percent)
            )
            + (_(", band thresholds by up to ±{band_shift} index points").format(band_shift=fmt(self.band_shift)) if self.band_shift else ""),
            _("rank: as published; rank_median, rank_p5, rank_p95: over the samples (nearest-rank percentiles; p5 the best, p95 the worst)"),
            _("band_changes_percent: the share of samples whose band differs from the published band"),
            _("moved_most_by, rank_change: the field whose cap alone moved by ±{percent}% moves the rank furthest (+: worse)").format(percent=fmt(self.percent)),
            _("worst_without: the field whose leaving out gives the worst rank, when worse than the published one; rank_without: the worst rank with one field left out"),
        )
        return Table(headers, tuple(rows), legend)


@in_context
def sensitivity(
    methodology: Methodology | str | os.PathLike[str],
    records: Iterable[Any],
    *,
    samples: int = 1000,
    percent: Decimal | int | float | str = 20,
    level: Level = "fields",
    nodes: Iterable[str] | None = None,
    band_shift: Decimal | int | float | str = 0,
    seed: int = 0,
    ties: TiePolicy = "competition",
    keep_samples: bool = False,
) -> Sensitivity:
    """Perturb ``methodology`` over ``samples`` seeded samples and report each unit's rank
    interval, band changes, leave-one-out ranks and the field that moves its rank most.

    ``records`` are as for :func:`par_rules.score_many` (mappings, records, ``(row, record)``
    pairs), or results already scored under ``methodology``; refused records are kept in
    ``refused`` and named in the notes, every other unit is analysed. Results with parts not in
    yet have no index to rank: they are refused (:class:`~par_rules.ParRulesError` naming the
    units and parts). ``percent``: how far each
    cap may move (0 to under 100, at most two decimals); ``level``: ``"fields"`` or
    ``"criteria"`` (the nodes of depth 2); ``nodes``: only these nodes of that level (default:
    all); ``band_shift``: how far each band threshold may move, in index points (at most two
    decimals, less than half the narrowest band). The exact model is in this module's docstring
    and docs/batch.md.

    >>> from par_rules import load
    >>> m = load("example/par-index/district")
    >>> base = {"plan_issued": "on_time", "plan_completion": 95, "reports_on_time": True,
    ...         "inspected_share": 1, "dossiers_on_time": 10, "dossiers_total": 10,
    ...         "online_rate": 60, "violations": 0, "satisfaction": {"A": 1}}
    >>> units = [{**base, "unit": "a", "e_gov_points": 14, "online_rate": 30},
    ...          {**base, "unit": "b", "e_gov_points": 10}, {**base, "unit": "c", "e_gov_points": 12, "violations": 1}]
    >>> report = sensitivity(m, units, samples=200, percent=30, seed=1)
    >>> [(u.unit, u.rank, u.median, u.interval) for u in report]
    [('a', 1, 1, (1, 3)), ('b', 2, 2, (1, 3)), ('c', 3, 3, (2, 3))]
    >>> a = report.unit("a")
    >>> a.moved_by, a.moved, a.worst_without   # field 2's cap alone, ±30 %: two places down; without field 5: 3rd
    ('2', 2, ('5', 3))
    """
    if not isinstance(methodology, Methodology):
        methodology = load(methodology)  # a file, or an id: its latest version
    if ties not in ("competition", "dense"):
        raise ValueError(_("unknown tie policy {ties!r}: use 'competition' or 'dense'").format(ties=ties))
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise ValueError(_("samples must be a whole number of at least 1, not {samples!r}").format(samples=samples))
    steps = _steps(percent, "percent", _BASE // 100)
    if steps >= _BASE:
        raise ValueError(_("percent must be under 100 (a cap cannot fall to 0 or below), not {percent}").format(percent=percent))
    shift_steps = _steps(band_shift, "band_shift", _SHIFT_STEP)
    if level not in ("fields", "criteria"):
        raise ValueError(_("unknown level {level!r}: use 'fields' or 'criteria'").format(level=level))
    perturbed = _perturbed_nodes(methodology, level, nodes)
    boundaries = _boundaries(methodology, shift_steps)

    results, refused = _scored(methodology, records)
    ranking = rank([*results, *refused], ties=ties)  # the refused are named in its notes
    ordered = [entry.result for entry in ranking.entries]
    units = [entry.unit for entry in ranking.entries]
    model = _Model(methodology, ordered, level, perturbed, ties)
    notes = list(ranking.notes)
    count = len(ordered)

    rng = random.Random(seed)
    all_ranks = [array("l") for _unused in range(count)]  # machine integers: 1,000 samples × 10,000 units in 80 MB
    band_changes = [0] * count
    published_bands = [result.band.id if result.band else None for result in ordered]
    drawn: list[Sample] = []
    for _unused in range(samples):
        weights = [_BASE + rng.randint(-steps, steps) for _unused in perturbed]
        shifts = [rng.randint(-shift_steps, shift_steps) for _unused in boundaries]
        numerators, denominators = model.shares(weights)
        ranks = model.ranks(numerators, denominators)
        bands = model.bands(numerators, denominators, dict(zip(boundaries, shifts)))
        for position in range(count):
            all_ranks[position].append(ranks[position])
            if bands[position] != published_bands[position]:
                band_changes[position] += 1
        if keep_samples:
            drawn.append(Sample(
                {node.id: Decimal(weight) / _BASE for node, weight in zip(perturbed, weights)},
                {boundary: Decimal(shift) / _SHIFT_STEP for boundary, shift in zip(boundaries, shifts)},
                tuple(ranks), tuple(bands),
            ))

    left_out, skipped = model.left_out()
    notes += skipped
    moved = model.moved(steps, [entry.rank for entry in ranking.entries])
    analysed = []
    for position, result in enumerate(ordered):
        ranks_of = sorted(all_ranks[position])
        analysed.append(UnitSensitivity(
            unit=units[position], result=result, rank=ranking.entries[position].rank,
            median=_percentile(ranks_of, 50), low=_percentile(ranks_of, 5), high=_percentile(ranks_of, 95),
            band_changes=band_changes[position], samples=samples,
            moved_by=moved[position][0], moved=moved[position][1],
            left_out={field_id: ranks[position] for field_id, ranks in left_out.items()},
        ))
    if shift_steps and not methodology.bands:
        notes.append(_("the methodology has no rating bands: band_shift moves nothing"))
    return Sensitivity(
        methodology, tuple(analysed), samples, seed, Decimal(steps) / (_BASE // 100), level,
        tuple(node.id for node in perturbed), Decimal(shift_steps) / _SHIFT_STEP, ties, tuple(notes),
        tuple(refused), tuple(drawn),
    )


# --------------------------------------------------------------------------- checking the options


def _steps(value: Any, name: str, per_unit: int) -> int:
    """A non-negative amount with at most two decimals, in hundredths (exact, whatever the
    decimal context)."""
    amount: Decimal | None = None
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            amount = Decimal(str(value).strip())  # a float as its shortest repr: 12.5 is 12.5
        except InvalidOperation:
            amount = None
    if amount is None or not amount.is_finite():
        raise ValueError(_("{name} must be a number, not {value!r}").format(name=name, value=value))
    if amount < 0:
        raise ValueError(_("{name} must be 0 or more, not {amount}").format(name=name, amount=fmt(amount)))
    if amount >= 10**6:
        raise ValueError(_("{name} {amount} is far too large").format(name=name, amount=fmt(amount)))
    steps = Fraction(amount) * per_unit
    if steps.denominator != 1:
        raise ValueError(_("{name} takes at most two decimals, not {amount}").format(name=name, amount=fmt(amount)))
    return int(steps)


def _perturbed_nodes(methodology: Methodology, level: Level, chosen: Iterable[str] | None) -> list[Node]:
    depth = 1 if level == "fields" else 2
    at_level = [node for node in methodology.nodes() if node.depth == depth]
    if chosen is None:
        if not at_level:
            raise ValueError(_("{id}@{version} has no {level} to perturb").format(id=methodology.id, version=methodology.version, level=level))
        return at_level
    if isinstance(chosen, str):
        chosen = [chosen]
    wanted = []
    for node_id in chosen:
        node = methodology.node(str(node_id))  # MethodologyNotFound names an unknown node
        if node.depth != depth:
            other = "criteria" if node.depth == 2 else "fields" if node.depth == 1 else None
            hint = _(": perturb it with level={other!r}").format(other=other) if other else _(" (only fields and criteria are perturbed)")
            raise ValueError(_("node {id} is not one of the {level}{hint}").format(id=node.id, level=level, hint=hint))
        if node not in wanted:
            wanted.append(node)
    if not wanted:
        raise ValueError(_("nodes names no node: leave it out to perturb every node of the level"))
    return [node for node in at_level if node in wanted]  # the methodology's order: the draws follow it


def _boundaries(methodology: Methodology, shift_steps: int) -> list[Decimal]:
    """The distinct finite thresholds of the rating bands, lowest first; moved by at most
    ``shift_steps`` hundredths each, they must stay in order."""
    values = sorted({bound for band in methodology.bands for bound in (band.interval.low, band.interval.high) if bound is not None})
    if shift_steps and len(values) > 1:
        gap = min(high - low for low, high in itertools.pairwise(values))
        if Decimal(2 * shift_steps) / _SHIFT_STEP >= gap:
            raise ValueError(
                _("band_shift {fmt} is too large: thresholds {gap} apart could cross (use less than {fmt2})").format(fmt=fmt(Decimal(shift_steps) / _SHIFT_STEP), gap=fmt(gap), fmt2=fmt(gap / 2))
            )
    return values


def _scored(methodology: Methodology, records: Iterable[Any]) -> tuple[list[Result], list[RecordError]]:
    """Results and refusals: records are scored once, results are taken as they are."""
    items = list(records)
    results: list[Result] = []
    refused: list[RecordError] = []
    to_score = [item for item in items if not isinstance(item, (Result, RecordError))]
    scored = iter(score_many(methodology, to_score)) if to_score else iter(())
    for item in items:
        output = item if isinstance(item, (Result, RecordError)) else next(scored)
        if isinstance(output, RecordError):
            refused.append(output)
        elif output.methodology is not methodology and (output.methodology.id, output.methodology.version) != (methodology.id, methodology.version):
            message = _("a result of {id}@{version} given to analyse {id2}@{version2}: score the records under one methodology").format(
                id=output.methodology.id, version=output.methodology.version, id2=methodology.id, version2=methodology.version
            )
            raise RecordError([Problem(message)])
        else:
            results.append(output)
    partial = [(unit_id(result, position), result) for position, result in enumerate(results, start=1) if not result.complete]
    if partial:  # no index yet: a rank among indexes, or a band, would be made up
        waiting = sorted({node for _unused, result in partial for node in result.pending})
        units = ", ".join(unit for unit, _unused in partial[:12]) + (f" and {len(partial) - 12} more" if len(partial) > 12 else "")
        raise ParRulesError(_("the sensitivity analysis ranks indexes, and {units} have parts not in yet ({waiting}): analyse when every part is in").format(units=units, waiting=', '.join(waiting)))
    return results, refused


def _percentile(ordered: Sequence[int], percent: int) -> int:
    """Nearest rank: the smallest value that at least ``percent`` % of the values reach."""
    return ordered[max(0, math.ceil(len(ordered) * percent / 100) - 1)]


def _percent(count: int, total: int) -> Decimal:
    share = Fraction(count * 100, total)
    return Decimal(math.floor(share * 10000 + Fraction(1, 2))) / 10000


# --------------------------------------------------------------------------- the model


class _Model:
    """The units' points as integers, and the exact re-aggregation of a sample."""

    def __init__(self, methodology: Methodology, results: list[Result], level: Level, perturbed: list[Node], ties: TiePolicy) -> None:
        self.methodology = methodology
        self.ties = ties
        self.level = level
        self.count = len(results)
        self.fields = list(methodology.criteria)
        decimals = [node.max for node in methodology.nodes() if node.depth <= 2]
        points_of: dict[str, list[Decimal | None]] = {}
        for node in methodology.nodes():
            if node.depth <= 2:
                points_of[node.id] = [result.points(node.id) for result in results]
                decimals += [value for value in points_of[node.id] if value is not None]
        exponent = max((-value.as_tuple().exponent for value in decimals if value.is_finite()), default=0)  # type: ignore[operator]
        self.unit = 10 ** max(0, exponent)

        def integer(value: Decimal) -> int:
            scaled = Fraction(value) * self.unit
            assert scaled.denominator == 1, "every value has at most `exponent` decimals"
            return int(scaled)

        self.caps = {node.id: integer(node.max) for node in methodology.nodes() if node.depth <= 2}
        self.points = {node_id: [0 if value is None else integer(value) for value in values] for node_id, values in points_of.items()}
        self.lapsed = {node_id: [position for position, value in enumerate(values) if value is None] for node_id, values in points_of.items()}
        self.slot = {node.id: position for position, node in enumerate(perturbed)}
        self.field_slot = {node.id: position for position, node in enumerate(self.fields)}
        # criteria: a field's cap moves with its criteria, m_F × Σ w_c m_c / Σ m_c; every field is
        # counted in one unit, × common, the least multiple of the denominators this needs (1
        # when each field's cap is the sum of its criteria's, as in most methodologies)
        self.children_caps = {node.id: sum(self.caps[child.id] for child in node.children) for node in self.fields}
        self.common = 1
        for node in self.fields:
            sum_caps = self.children_caps[node.id]
            if node.children and sum_caps > 0:
                needed = sum_caps if node.aggregate == "weighted_mean" else Fraction(self.caps[node.id], sum_caps).denominator
                self.common = math.lcm(self.common, needed)
        # bands: every threshold, shifted, as an integer in 1/grid of an index point
        bound_decimals = [bound for band in methodology.bands for bound in (band.interval.low, band.interval.high) if bound is not None]
        places_ = max([methodology.decimals, 2] + [-bound.as_tuple().exponent for bound in bound_decimals])  # type: ignore[operator]
        self.grid = 10 ** places_

    # ---- shares

    def shares(self, weights: Sequence[int], left_out: str | None = None, fields_only: bool = False) -> tuple[list[Any], list[Any]]:
        """Per unit, the exact fraction N / D of the caps it earns (its index is 100 N / D);
        D is 0 for a unit to which no field applies. ``weights``: one per perturbed node, or
        with ``fields_only`` one per field."""
        level, slot = ("fields", self.field_slot) if fields_only else (self.level, self.slot)
        count = self.count
        numerators: list[Any] = [0] * count
        denominators: list[Any] = [0] * count
        full = 0
        for node in self.fields:
            if node.id == left_out:
                continue
            if level == "fields":  # the common case, in one pass: N += w × p
                weight = weights[slot[node.id]] if node.id in slot else _BASE
                numerators = [a + weight * value for a, value in zip(numerators, self.points[node.id])]
                cap = weight * self.caps[node.id]
            else:
                column, cap = self._field_column(node, weights, slot)
                numerators = [a + b for a, b in zip(numerators, column)]
            full += cap
            for position in self.lapsed[node.id]:
                denominators[position] -= cap
        return numerators, [full + adjustment for adjustment in denominators]

    def _field_column(self, node: Node, weights: Sequence[int], slots: Mapping[str, int]) -> tuple[list[Any], Any]:
        """At the criteria level, a field's points per unit and its cap, in one common unit:
        ×``_BASE`` (weights) and ×``common`` (so a field whose cap moves with its criteria stays
        whole)."""
        common = self.common
        children = node.children
        sum_caps = self.children_caps[node.id]
        if not sum_caps or not any(child.id in slots for child in children):
            factor = _BASE * common
            return [factor * value for value in self.points[node.id]], factor * self.caps[node.id]
        child_weight = {child.id: weights[slots[child.id]] if child.id in slots else _BASE for child in children}
        moved_caps = sum(child_weight[child.id] * self.caps[child.id] for child in children)  # Σ w_c m_c
        if node.aggregate == "weighted_mean":  # the criteria's shares stay: the field moves with its cap
            factor = moved_caps * common // sum_caps  # exact: sum_caps divides common
            return [factor * value for value in self.points[node.id]], factor * self.caps[node.id]
        ratio = Fraction(self.caps[node.id], sum_caps)
        cap = moved_caps * (common // ratio.denominator) * ratio.numerator  # m_F × Σ w_c m_c / Σ m_c, × common
        column: list[Any] = [0] * self.count
        for child in children:
            weight = child_weight[child.id] * common
            column = [a + weight * value for a, value in zip(column, self.points[child.id])]
        lapsing = sorted({position for child in children for position in self.lapsed[child.id]})
        for position in lapsing:  # some criteria do not apply: rescale over those that do
            applicable = moved_caps - sum(child_weight[child.id] * self.caps[child.id] for child in children if position in self.lapsed[child.id])
            if applicable and applicable != moved_caps:
                column[position] = Fraction(column[position] * moved_caps, applicable)
        if ratio >= 1:  # Σ w_c p_c ≤ Σ w_c m_c ≤ the cap (rescaled too): the cap never binds
            return column, cap
        return [cap if cap < value else value for value in column], cap  # faster than min() per value

    # ---- ranks and bands

    def ranks(self, numerators: Sequence[Any], denominators: Sequence[Any]) -> list[int]:
        """Each unit's rank on the exact fractions (ties share a rank; order kept on a tie)."""
        keys = list(map(truediv, numerators, denominators))  # correctly rounded: equal fractions, equal floats
        keys = [float(key) for key in keys] if any(isinstance(key, Fraction) for key in keys) else keys
        order = sorted(range(self.count), key=keys.__getitem__, reverse=True)
        values: list[Any] = [keys[position] for position in order]
        start = 0
        while start < len(order):  # runs of equal floats: order them, and tie them, exactly
            end = start + 1
            while end < len(order) and values[end] == values[start]:
                end += 1
            if end - start > 1:
                run = sorted(order[start:end], key=lambda p: Fraction(numerators[p]) / denominators[p], reverse=True)
                order[start:end] = run
                values[start:end] = [Fraction(numerators[p]) / denominators[p] for p in run]
            start = end
        ranks = [0] * self.count
        for position, place in zip(order, places(values, self.ties)):
            ranks[position] = place
        return ranks

    def bands(self, numerators: Sequence[Any], denominators: Sequence[Any], shifts: Mapping[Decimal, int]) -> list[str | None]:
        """Each unit's band id (None: below every band) with the thresholds shifted."""
        methodology = self.methodology
        if not methodology.bands:
            return [None] * self.count
        grid = self.grid
        step = grid // _SHIFT_STEP

        def bound(value: Decimal | None) -> int | None:
            return None if value is None else int(Fraction(value) * grid) + shifts.get(value, 0) * step

        limits = [(band.id, bound(band.interval.low), band.interval.low_inclusive, bound(band.interval.high), band.interval.high_inclusive) for band in methodology.bands]
        published = methodology.bands_on == "published"
        per_published = grid // 10 ** methodology.decimals
        twice = 200 * 10 ** methodology.decimals
        out: list[str | None] = []
        for numerator, denominator in zip(numerators, denominators):
            if published:  # half-up to the published decimals (the index is never negative)
                value, over = (twice * numerator + denominator) // (2 * denominator) * per_published, 1
            else:
                value, over = 100 * grid * numerator, denominator
            out.append(_band(limits, value, over))
        return out

    # ---- fixed scenarios

    def left_out(self) -> tuple[dict[str, list[int]], list[str]]:
        """Each field left out in turn: the ranks, and a note for each field that could not be
        left out."""
        ranks: dict[str, list[int]] = {}
        notes: list[str] = []
        unmoved = [_BASE] * len(self.slot)
        for node in self.fields:
            numerators, denominators = self.shares(unmoved, left_out=node.id)
            if 0 in denominators:
                notes.append(_("field {id} cannot be left out: some unit has no other field that applies").format(id=node.id))
                continue
            ranks[node.id] = self.ranks(numerators, denominators)
        return ranks, notes

    def moved(self, steps: int, published: Sequence[int]) -> list[tuple[str | None, int]]:
        """For each unit, the field whose cap alone (±percent) moves its rank most."""
        best: list[tuple[str | None, int]] = [(None, 0)] * self.count
        if not steps or len(self.fields) < 2:
            return best
        for position, node in enumerate(self.fields):
            for sign in (1, -1):
                weights = [_BASE] * len(self.fields)
                weights[position] = _BASE + sign * steps
                ranks = self.ranks(*self.shares(weights, fields_only=True))
                for unit in range(self.count):
                    change = ranks[unit] - published[unit]
                    if abs(change) > abs(best[unit][1]):
                        best[unit] = (node.id, change)
        return best


def _band(limits: Sequence[tuple[str, int | None, bool, int | None, bool]], value: Any, over: Any) -> str | None:
    """The first band whose interval holds value / over (over > 0)."""
    for band_id, low, low_inclusive, high, high_inclusive in limits:
        if low is not None:
            scaled = low * over
            if value < scaled or (value == scaled and not low_inclusive):
                continue
        if high is not None:
            scaled = high * over
            if value > scaled or (value == scaled and not high_inclusive):
                continue
        return band_id
    return None


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
