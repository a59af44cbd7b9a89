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
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from ..engine._arithmetic import format_decimal as fmt, in_context
from ..errors import Problem, RecordError
from ..engine._model import RatingBand
from ..engine._report import Result
from .._lazy import name_home

__all__ = ["rank", "Ranking", "Ranked", "TiePolicy", "unit_id"]

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
    sharing: tuple[str, ...]  # every unit with exactly this index, this one included

    @property
    def tied_with(self) -> tuple[str, ...]:
        """The other units with exactly the same index."""
        return tuple(unit for unit in self.sharing if unit != self.unit)

    @property
    def index(self) -> Decimal:
        return self.result.index

    @property
    def published_index(self) -> Decimal:
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

    def __iter__(self) -> Iterator[Ranked]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def entry(self, unit: str) -> Ranked:
        """The place of one unit; :class:`KeyError` if it is not ranked."""
        for entry in self.entries:
            if entry.unit == unit:
                return entry
        raise KeyError(f"unit {unit!r} is not in the ranking")

    def bands(self) -> dict[str | None, tuple[str, ...]]:
        """Units by rating band (``None``: below every band), best band first."""
        grouped: dict[str | None, list[str]] = {}
        for entry in self.entries:
            grouped.setdefault(entry.band.id if entry.band else None, []).append(entry.unit)
        return {band: tuple(units) for band, units in grouped.items()}

    def groups(self) -> dict[str | None, tuple[Ranked, ...]]:
        """Entries by group, each best first."""
        grouped: dict[str | None, list[Ranked]] = {}
        for entry in self.entries:
            grouped.setdefault(entry.group, []).append(entry)
        return {group: tuple(entries) for group, entries in grouped.items()}


@in_context
def rank(results: Iterable[Result | RecordError], *, ties: TiePolicy = "competition") -> Ranking:
    """Rank results by exact index, best first (units that tie keep their input order).

    ``results`` may hold :class:`~par_rules.RecordError` s too, as :func:`par_rules.score_many`
    yields them: those records are not ranked; they are kept in ``Ranking.refused`` and named in
    its notes. A unit with neither id nor name is ``#n``, the n-th result (refused ones not counted).

    All results must come from one methodology version (indexes of different versions are not
    measured alike), and each unit may appear once; otherwise :class:`~par_rules.RecordError`.
    """
    if ties not in ("competition", "dense"):
        raise ValueError(f"unknown tie policy {ties!r}: use 'competition' or 'dense'")
    scored: list[Result] = []
    refused: list[RecordError] = []
    for item in results:
        if isinstance(item, Result):
            scored.append(item)
        elif isinstance(item, RecordError):
            refused.append(item)
        else:
            raise TypeError(f"rank takes results (and the RecordErrors of refused records), not {type(item).__name__}")
    listed = [(unit_id(result, position), result) for position, result in enumerate(scored, start=1)]
    _check_comparable(listed)
    ordered = sorted(listed, key=lambda pair: pair[1].index, reverse=True)  # stable: ties keep their order
    overall = _places([result.index for _, result in ordered], ties)
    group_places: dict[int, int] = {}
    members_of: dict[str, list[int]] = {}
    for position, (_, result) in enumerate(ordered):
        if result.record.group is not None:
            members_of.setdefault(result.record.group, []).append(position)
    for members in members_of.values():
        for position, place in zip(members, _places([ordered[p][1].index for p in members], ties)):
            group_places[position] = place
    lists: dict[Decimal, list[str]] = {}
    for unit, result in ordered:
        lists.setdefault(result.index, []).append(unit)
    sharing = {index: tuple(units) for index, units in lists.items()}  # one tuple per index, shared
    entries = tuple(
        Ranked(
            unit=unit,
            result=result,
            rank=overall[position],
            group_rank=group_places.get(position),
            sharing=sharing[result.index],
        )
        for position, (unit, result) in enumerate(ordered)
    )
    notes = tuple(_rounding_notes(entries)) + tuple(map(_refusal_note, refused))
    return Ranking(entries, ties, notes, tuple(refused))


def _places(indexes: list[Decimal], ties: TiePolicy) -> list[int]:
    """Ranks for indexes sorted best first; equal indexes share a rank."""
    places: list[int] = []
    for position, index in enumerate(indexes):
        if position and index == indexes[position - 1]:
            places.append(places[-1])
        elif ties == "dense":
            places.append(places[-1] + 1 if places else 1)
        else:
            places.append(position + 1)
    return places


def _check_comparable(listed: list[tuple[str, Result]]) -> None:
    problems = []
    versions = sorted({f"{result.methodology.id}@{result.methodology.version}" for _, result in listed})
    if len(versions) > 1:
        problems.append(Problem(f"results come from different methodologies ({', '.join(versions)}): rank each separately or compare them with par_rules.compare"))
    seen: set[str] = set()
    for unit, _ in listed:
        if unit in seen:
            problems.append(Problem(f"unit {unit} appears more than once: a unit can hold only one place"))
        seen.add(unit)
    if problems:
        raise RecordError(problems)


def _refusal_note(error: RecordError) -> str:
    rows = sorted({problem.row for problem in error.problems if problem.row is not None})
    where = f"row {', '.join(map(str, rows))}" if rows else "a record"
    problems = "; ".join(str(replace(problem, row=None)) for problem in error.problems)
    return f"{where} is not ranked: its record was refused ({problems})"


def _rounding_notes(entries: tuple[Ranked, ...]) -> Iterator[str]:
    """Say where units look tied once rounded but are ranked apart on their exact indexes."""
    for before, after in itertools.pairwise(entries):
        if before.published_index == after.published_index and before.index != after.index:
            yield (
                f"{before.unit} (rank {before.rank}) and {after.unit} (rank {after.rank}) both publish "
                f"{fmt(before.published_index)}%, but their exact indexes differ "
                f"({fmt(before.index)} > {fmt(after.index)}): ranked on the exact values"
            )


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
