"""The figures the press and the offices quote: means, medians, counts per band, units above the
average, the largest rises and falls, overall and per field (:func:`describe`).

Every figure is exact (Decimal arithmetic, no float), and also given rounded as the methodology
publishes (its ``decimals``, half-up): ``Measure.published``.

>>> from par_rules import load, score
>>> m = load("example/par-index/district")
>>> base = {"plan_issued": "on_time", "plan_completion": 95, "reports_on_time": True,
...         "inspected_share": 1, "dossiers_on_time": 10, "dossiers_total": 10, "online_rate": 60,
...         "violations": 0, "satisfaction": {"A": 1}}
>>> results = [score(m, {**base, "unit": u, "e_gov_points": p}) for u, p in [("a", 10), ("b", 12), ("c", 13)]]
>>> summary = describe(results)
>>> str(summary.index.mean.exact), str(summary.index.median.published), summary.above_average
('86.91666666666666666666666666666667', '87.25', ('c', 'b'))
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..engine._arithmetic import CONTEXT, publish
from ._compare import Comparison
from ..errors import Problem, RecordError
from ._ranking import Ranking, rank
from ..engine._report import Result
from .._i18n import gettext as _, ngettext, number
from .._lazy import name_home

__all__ = ["describe", "Description", "Measure", "Spread", "Move"]

_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Measure:
    """One figure, exact and as published (rounded to the methodology's decimals, half-up)."""

    exact: Decimal
    published: Decimal

    def __str__(self) -> str:
        return format(self.published, "f")  # as many decimals as published, every figure alike


@dataclass(frozen=True)
class Spread:
    """How a quantity is spread over the units: count, mean, median, lowest, highest."""

    count: int
    mean: Measure
    median: Measure
    lowest: Measure
    highest: Measure


@dataclass(frozen=True)
class Move:
    """One unit's change from the previous assessment."""

    unit: str
    change: Measure  # index points
    previous_rank: int
    rank: int


@dataclass(frozen=True)
class Description:
    """The summary of one ranking (and, given a comparison, of the moves)."""

    units: int
    index: Spread  # of the exact index, in %
    fields: dict[str, Spread]  # field id -> spread of the field's share of its maximum, in %
    field_points: dict[str, Spread]  # field id -> spread of the field's points
    bands: dict[str | None, int]  # band id (None: below every band) -> units, best band first
    above_average: tuple[str, ...]  # units whose exact index is above the mean, best first
    rises: tuple[Move, ...]  # the largest rises in index, largest first (given a comparison)
    falls: tuple[Move, ...]  # the largest falls, largest first

    def lines(self, labels: dict[str, str] | None = None) -> list[str]:
        """The summary as lines of text (what ``par-rules rank --summary`` prints)."""
        labels = labels or {}
        index = self.index

        def n(value: object) -> str:
            return number(str(value))

        out = [
            _("units: {count}").format(count=self.units),
            _("index: mean {mean}%, median {median}%, lowest {lowest}%, highest {highest}%").format(mean=n(index.mean), median=n(index.median), lowest=n(index.lowest), highest=n(index.highest)),
            _("bands: {bands}").format(bands=", ".join(f"{band or '-'} {count}" for band, count in self.bands.items())),
            _("above the mean ({above_average}): {above_average2}").format(above_average=len(self.above_average), above_average2=', '.join(self.above_average) or '-'),
            _("fields (share of the field's maximum, %):"),
        ]
        for field_id, spread in self.fields.items():
            label = f" {labels[field_id]}" if field_id in labels else ""
            points = self.field_points[field_id]
            out.append(
                _("  {field}: mean {mean}% (points {points}), median {median}%, lowest {lowest}%, highest {highest}%").format(
                    field=f"{field_id}{label}", mean=n(spread.mean), points=n(points.mean), median=n(spread.median), lowest=n(spread.lowest), highest=n(spread.highest)
                )
            )
        if self.rises or self.falls:
            rises = ", ".join(_("{unit} {change} (rank {previous} → {rank})").format(unit=move.unit, change="+" + n(move.change), previous=move.previous_rank, rank=move.rank) for move in self.rises)
            falls = ", ".join(_("{unit} {change} (rank {previous} → {rank})").format(unit=move.unit, change=n(move.change), previous=move.previous_rank, rank=move.rank) for move in self.falls)
            out.append(_("largest rises: ") + (rises or "-"))
            out.append(_("largest falls: ") + (falls or "-"))
        return out


def describe(results: Iterable[Result] | Ranking, comparison: Comparison | None = None, *, top: int = 3) -> Description:
    """The summary statistics of the results of one methodology version (a
    :class:`~par_rules.RecordError` if they mix versions or are empty; partial results, which
    have no index, are left out), and, given a
    :class:`~par_rules.Comparison` with the previous year, the ``top`` largest rises and falls."""
    ranking = results if isinstance(results, Ranking) else rank(results)
    entries = tuple(entry for entry in ranking.entries if entry.result.complete)  # a partial result has no index to count
    if not entries:
        pending = sorted({node for entry in ranking.entries for node in entry.result.pending})
        if not ranking.entries:
            raise RecordError([Problem(_("no results to describe"))])
        raise RecordError([Problem(_("no complete result to describe: every unit has parts not in yet ({pending}), so no index").format(pending=", ".join(pending)))])
    decimals = entries[0].result.methodology.decimals
    indexes = [entry.index for entry in entries if entry.index is not None]  # every one: complete
    index = _spread(indexes, decimals)
    fields: dict[str, Spread] = {}
    points: dict[str, Spread] = {}
    for position, field_node in enumerate(entries[0].result.methodology.criteria):
        values = [entry.result.fields[position].points for entry in entries]
        present = [value for value in values if value is not None]
        if not present or field_node.max <= 0:
            continue
        points[field_node.id] = _spread(present, decimals)
        with decimal.localcontext(CONTEXT):
            fields[field_node.id] = _spread([value / field_node.max * _HUNDRED for value in present], decimals)
    bands: dict[str | None, int] = {band: len(units) for band, units in ranking.bands().items()}
    mean = index.mean.exact
    above = tuple(entry.unit for entry in entries if entry.index is not None and entry.index > mean)
    rises: tuple[Move, ...] = ()
    falls: tuple[Move, ...] = ()
    if comparison is not None:
        moves = [
            Move(change.unit, Measure(change.index_change, publish(change.index_change, decimals)), change.previous_rank, change.current_rank)
            for change in comparison.units
            if change.index_change is not None
        ]
        rises = tuple(sorted((move for move in moves if move.change.exact > 0), key=lambda move: -move.change.exact)[:top])
        falls = tuple(sorted((move for move in moves if move.change.exact < 0), key=lambda move: move.change.exact)[:top])
    return Description(len(entries), index, fields, points, bands, above, rises, falls)


def _spread(values: Sequence[Decimal], decimals: int) -> Spread:
    ordered = sorted(values)
    count = len(ordered)
    with decimal.localcontext(CONTEXT):
        mean = sum(ordered, Decimal(0)) / count
        middle = count // 2
        median = ordered[middle] if count % 2 else (ordered[middle - 1] + ordered[middle]) / 2

    def measure(value: Decimal) -> Measure:
        return Measure(value, publish(value, decimals))

    return Spread(count, measure(mean), measure(median), measure(ordered[0]), measure(ordered[-1]))



def summarised_notes(notes: Sequence[str], shown: int = 10) -> list[str]:
    """Notes as printed: all of them when few, else the first ``shown`` and a count of the rest
    (50,000 units can give thousands of near-tie notes; ``Ranking.notes`` keeps every one).

    >>> summarised_notes([f"note {n}" for n in range(3)], shown=2)
    ['note 0', 'note 1', '... and 1 more note of the same kind (all of them: par_rules.rank(...).notes)']
    """
    if len(notes) <= shown:
        return list(notes)
    rest = len(notes) - shown
    more = ngettext(
        "... and {rest} more note of the same kind (all of them: par_rules.rank(...).notes)",
        "... and {rest} more notes of the same kind (all of them: par_rules.rank(...).notes)",
        rest,
    ).format(rest=rest)
    return [*notes[:shown], more]


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
