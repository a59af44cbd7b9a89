"""Ranking units by index: exact values, a declared tie policy, rating bands, ranks in groups.

Ranks are decided on the exact index, never the published (rounded) one. Two units whose exact
indexes are equal share a rank; two units that only look equal once rounded get different ranks,
and the ranking says so in its ``notes``.

Tie policies: ``competition`` (1, 2, 2, 4: the next unit is placed after everyone above it, as
league tables and the national PAR INDEX report do) and ``dense`` (1, 2, 2, 3).

>>> from par_rules import load, score
>>> m = load("example/par-index/district")
>>> base = {"plan_issued": "on_time", "plan_completion": 95, "reports_on_time": True,
...         "inspected_share": 1, "dossiers_on_time": 10, "dossiers_total": 10, "online_rate": 60,
...         "violations": 0, "satisfaction": {"A": 1}}
>>> results = [score(m, {**base, "unit": unit, "e_gov_points": points})
...            for unit, points in [("a", 10), ("b", 12), ("c", 10), ("d", 9)]]
>>> [(entry.unit, entry.rank) for entry in rank(results)]
[('b', 1), ('a', 2), ('c', 2), ('d', 4)]
>>> [(entry.unit, entry.rank) for entry in rank(results, ties="dense")]
[('b', 1), ('a', 2), ('c', 2), ('d', 3)]

What :func:`par_rules.score_many` yields can be ranked as it is: the records it refused are not
ranked, and the ranking keeps them (``refused``) and says so in its notes, so that a published
ranking never leaves a unit out unnoticed. As everywhere in a batch, every bad row is reported
and every good one still placed.

>>> from par_rules import score_many
>>> mixed = rank(score_many(m, [{**base, "unit": "a", "e_gov_points": 10}, {**base, "unit": "b", "e_gov_points": 9, "online_rate": "lots"}]))
>>> [entry.unit for entry in mixed], [str(problem) for error in mixed.refused for problem in error.problems]
(['a'], ["row 2: indicator online_rate: not a number: 'lots'"])
>>> print(mixed.notes[-1])
row 2 is not ranked: its record was refused (indicator online_rate: not a number: 'lots')

Parts not in yet: a partial result (a self-assessment before the survey) has no index. It is
ranked only against the units with the same parts in, on its points so far: each set of pending
parts is a cohort with ranks of its own (``Ranked.cohort``), and the notes say so. ``on=NODE``
ranks every unit on the exact points of one node instead, which must be complete (in, and
applicable) for every unit.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Literal

from ..engine._arithmetic import format_decimal as fmt, in_context, publish
from ..errors import MethodologyNotFound, Problem, RecordError
from ..engine._model import RatingBand
from ..engine._report import Result
from .._i18n import gettext as _
from .._lazy import name_home

__all__ = ["rank", "Ranking", "Ranked", "TiePolicy", "unit_id", "places"]

TiePolicy = Literal["competition", "dense"]


def unit_id(result: Result, position: int) -> str:
    """The unit a result is about: its ``unit``, else its ``name``, else ``#position``."""
    return result.record.unit or result.record.name or f"#{position}"


@dataclass(frozen=True)
class Ranked:
    """One unit's place: overall, within its group, and its rating band."""

    unit: str
    result: Result
    rank: int
    group_rank: int | None  # None: the record names no group
    sharing: tuple[str, ...]  # every unit with exactly this value, this one included
    value: Decimal | None = None  # what the unit was ranked on (None: its index)
    published_value: Decimal | None = None
    cohort: tuple[str, ...] = ()  # the nodes pending for every unit ranked alongside ((): complete)

    @property
    def tied_with(self) -> tuple[str, ...]:
        """The other units with exactly the same index."""
        return tuple(unit for unit in self.sharing if unit != self.unit)

    @property
    def index(self) -> Decimal | None:
        """The exact index (``None``: a partial result, ranked on its points so far)."""
        return self.result.index

    @property
    def published_index(self) -> Decimal | None:
        return self.result.published_index

    @property
    def band(self) -> RatingBand | None:
        return self.result.band

    @property
    def group(self) -> str | None:
        return self.result.record.group


@dataclass(frozen=True)
class Ranking:
    """Units best first, with the tie policy used and notes on near ties."""

    entries: tuple[Ranked, ...]
    ties: TiePolicy
    notes: tuple[str, ...]
    refused: tuple[RecordError, ...] = ()  # the records that came as errors: reported, not ranked
    on: str | None = None  # the node ranked on (None: the index, or the points so far)

    def __iter__(self) -> Iterator[Ranked]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def entry(self, unit: str) -> Ranked:
        """The place of one unit; :class:`KeyError` if it is not ranked."""
        for entry in self.entries:
            if entry.unit == unit:
                return entry
        raise KeyError(_("unit {unit!r} is not in the ranking").format(unit=unit))

    def bands(self) -> dict[str | None, tuple[str, ...]]:
        """Units by rating band (``None``: below every band), best band first; a partial result
        has no band and is not listed."""
        grouped: dict[str | None, list[str]] = {}
        for entry in self.entries:
            if not entry.result.complete:
                continue
            grouped.setdefault(entry.band.id if entry.band else None, []).append(entry.unit)
        return {band: tuple(units) for band, units in grouped.items()}

    def groups(self) -> dict[str | None, tuple[Ranked, ...]]:
        """Entries by group, each best first."""
        grouped: dict[str | None, list[Ranked]] = {}
        for entry in self.entries:
            grouped.setdefault(entry.group, []).append(entry)
        return {group: tuple(entries) for group, entries in grouped.items()}


@in_context
def rank(results: Iterable[Result | RecordError], *, ties: TiePolicy = "competition", on: str | None = None) -> Ranking:
    """Rank results by exact index, best first (units that tie keep their input order).

    Partial results (parts not in yet) are ranked only against units with the same parts in,
    on their points so far: each set of pending nodes is a cohort ranked on its own, complete
    results first. ``on``: rank on the exact points of this node instead; it must be complete
    and applicable for every unit (else :class:`~par_rules.RecordError`).

    ``results`` may hold :class:`~par_rules.RecordError` s too, as :func:`par_rules.score_many`
    yields them: those records are not ranked; they are kept in ``Ranking.refused`` and named in
    its notes. A unit with neither id nor name is ``#n``, the n-th result (refused ones not counted).

    All results must come from one methodology version (indexes of different versions are not
    measured alike), and each unit may appear once; otherwise :class:`~par_rules.RecordError`.
    """
    if ties not in ("competition", "dense"):
        raise ValueError(_("unknown tie policy {ties!r}: use 'competition' or 'dense'").format(ties=ties))
    scored: list[Result] = []
    refused: list[RecordError] = []
    for item in results:
        if isinstance(item, Result):
            scored.append(item)
        elif isinstance(item, RecordError):
            refused.append(item)
        else:
            raise TypeError(_("rank takes results (and the RecordErrors of refused records), not {type_name}").format(type_name=type(item).__name__))
    listed = [(unit_id(result, position), result) for position, result in enumerate(scored, start=1)]
    _check_comparable(listed, on)
    cohorts: dict[tuple[str, ...], list[tuple[str, Result, Decimal, Decimal]]] = {}
    for unit, result in listed:
        if on is not None:
            value: Decimal = result.points(on)  # type: ignore[assignment]  # checked: complete, applicable
            cohorts.setdefault((), []).append((unit, result, value, publish(value, result.methodology.decimals)))
        elif result.complete:
            cohorts.setdefault((), []).append((unit, result, result.index, result.published_index))  # type: ignore[arg-type]
        else:
            cohorts.setdefault(tuple(sorted(result.pending)), []).append((unit, result, result.total, result.published_total))
    entries: list[Ranked] = []
    notes: list[str] = []
    for cohort in sorted(cohorts, key=lambda key: (len(key), key)):  # complete first, then fewer parts pending
        entries += _ranked(cohorts[cohort], ties, cohort, on is None)
        if cohort:
            units = [unit for unit, *_unused in cohorts[cohort]]
            notes.append(
                _("{units}{value}: {cohort} not in yet, so no index; ranked only against units with the same parts in ({units2}), on the points so far").format(
                    units=", ".join(units[:12]), value=_(" and {count} more").format(count=len(units) - 12) if len(units) > 12 else "", cohort=", ".join(cohort), units2=len(units)
                )
            )
    ranked = tuple(entries)
    notes = [*_rounding_notes(ranked), *notes, *map(_refusal_note, refused)]
    return Ranking(ranked, ties, tuple(notes), tuple(refused), on)


def _ranked(members: list[tuple[str, Result, Decimal, Decimal]], ties: TiePolicy, cohort: tuple[str, ...], on_index: bool) -> list[Ranked]:
    """One cohort ranked on its values, best first, with ranks in groups."""
    ordered = sorted(members, key=lambda member: member[2], reverse=True)  # stable: ties keep their order
    overall = places([member[2] for member in ordered], ties)
    group_places: dict[int, int] = {}
    members_of: dict[str, list[int]] = {}
    for position, (_unit, result, _value, _other) in enumerate(ordered):
        if result.record.group is not None:
            members_of.setdefault(result.record.group, []).append(position)
    for positions in members_of.values():
        for position, place in zip(positions, places([ordered[p][2] for p in positions], ties)):
            group_places[position] = place
    lists: dict[Decimal, list[str]] = {}
    for unit, _result, value, _other in ordered:
        lists.setdefault(value, []).append(unit)
    sharing = {value: tuple(units) for value, units in lists.items()}  # one tuple per value, shared
    return [
        Ranked(
            unit=unit,
            result=result,
            rank=overall[position],
            group_rank=group_places.get(position),
            sharing=sharing[value],
            value=None if on_index and not cohort else value,
            published_value=None if on_index and not cohort else published,
            cohort=cohort,
        )
        for position, (unit, result, value, published) in enumerate(ordered)
    ]


def places(indexes: Sequence[Any], ties: TiePolicy) -> list[int]:
    """Ranks for indexes sorted best first; equal indexes share a rank (the one rule of ties,
    which :func:`par_rules.sensitivity` follows too, on its own exact values)."""
    places: list[int] = []
    for position, index in enumerate(indexes):
        if position and index == indexes[position - 1]:
            places.append(places[-1])
        elif ties == "dense":
            places.append(places[-1] + 1 if places else 1)
        else:
            places.append(position + 1)
    return places


def _check_comparable(listed: list[tuple[str, Result]], on: str | None = None) -> None:
    problems = []
    if on is not None:
        for unit, result in listed:
            try:
                complete = result.is_complete(on)
            except MethodologyNotFound as error:
                raise RecordError([Problem(_("cannot rank on {on}: {error}").format(on=on, error=error))]) from None
            if not complete:
                state = "pending" if result.points(on) is None else "partial"
                problems.append(Problem(_("cannot rank on node {on}: it is {state} for unit {unit} (rank on a part that is in for every unit)").format(on=on, state=state, unit=unit), node=on))
            elif result.points(on) is None:
                problems.append(Problem(_("cannot rank on node {on}: it does not apply to unit {unit}").format(on=on, unit=unit), node=on))
    versions = sorted({f"{result.methodology.id}@{result.methodology.version}" for _unused, result in listed})
    if len(versions) > 1:
        problems.append(Problem(_("results come from different methodologies ({versions}): rank each separately or compare them with par_rules.compare").format(versions=', '.join(versions))))
    seen: set[str] = set()
    for unit, _unused in listed:
        if unit in seen:
            problems.append(Problem(_("unit {unit} appears more than once: a unit can hold only one place").format(unit=unit)))
        seen.add(unit)
    if problems:
        raise RecordError(problems)


def _refusal_note(error: RecordError) -> str:
    rows = sorted({problem.row for problem in error.problems if problem.row is not None})
    where = f"row {', '.join(map(str, rows))}" if rows else "a record"
    problems = "; ".join(str(replace(problem, row=None)) for problem in error.problems)
    return _("{where} is not ranked: its record was refused ({problems})").format(where=where, problems=problems)


def _rounding_notes(entries: tuple[Ranked, ...]) -> Iterator[str]:
    """Say where units look tied once rounded but are ranked apart on their exact values."""
    for before, after in itertools.pairwise(entries):
        if before.cohort != after.cohort:
            continue
        on_index = before.value is None
        published, exact, next_exact = (before.published_index, before.index, after.index) if on_index else (before.published_value, before.value, after.value)
        next_published = after.published_index if on_index else after.published_value
        if published is None or exact is None or next_exact is None or published != next_published or exact == next_exact:
            continue  # (a partial result has no index: ranked on its value, never None here)
        if on_index:
            yield _("{unit} (rank {rank}) and {unit2} (rank {rank2}) both publish {published_index}%, but their exact indexes differ ({index} > {index2}): ranked on the exact values").format(
                unit=before.unit, rank=before.rank, unit2=after.unit, rank2=after.rank, published_index=fmt(published), index=fmt(exact), index2=fmt(next_exact)
            )
        else:
            yield _("{unit} (rank {rank}) and {unit2} (rank {rank2}) both publish {published_value} points, but their exact points differ ({fmt} > {fmt2}): ranked on the exact values").format(
                unit=before.unit, rank=before.rank, unit2=after.unit, rank2=after.rank, published_value=fmt(published), fmt=fmt(exact), fmt2=fmt(next_exact)
            )


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
