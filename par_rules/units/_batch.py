"""Scoring many records: one output per input, a bad record never stops the others.

:func:`score_many` streams: it takes any iterable (a list, a generator, the rows of a file as
:func:`par_rules.files.read_records` yields them) and scores each record when it is reached, so a
file of any length is never held in memory.

>>> from par_rules import load
>>> m = load("example/par-index/district")
>>> good = {"unit": "a", "plan_issued": "on_time", "plan_completion": 95, "reports_on_time": True,
...         "inspected_share": 1, "dossiers_on_time": 10, "dossiers_total": 10, "online_rate": 60,
...         "violations": 0, "e_gov_points": 16, "satisfaction": {"A": 1}}
>>> outputs = list(score_many(m, [good, {**good, "unit": "b", "online_rate": "lots"}, good]))
>>> [type(output).__name__ for output in outputs]
['Result', 'RecordError', 'Result']
>>> print(outputs[1])
1 problem in the record:
  row 2: indicator online_rate: not a number: 'lots'
"""

from __future__ import annotations

import os
from dataclasses import replace
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ..engine._api import is_path, load, score
from ..errors import MethodologyNotFound, Problem, RecordError
from ..engine._model import Methodology
from ..engine._record import Record
from ..engine._report import Result
from .._i18n import gettext as _
from .._lazy import name_home

if TYPE_CHECKING:
    from ..formats._files import Numbered

__all__ = ["score_many", "BatchTally"]

_Output = TypeVar("_Output")


def score_many(
    methodology: Methodology | str | os.PathLike[str],
    records: Iterable[Mapping[str, Any] | Record | Numbered],
    *,
    parts: Iterable[str] | None = None,
) -> Iterator[Result | RecordError]:
    """Score each record in turn; yield its :class:`~par_rules.Result` or its
    :class:`~par_rules.RecordError` (whose problems name the row). Exactly one output per input,
    in the input's order.

    Records are numbered 1, 2, 3... unless they come as ``(row, record)`` pairs, whose row
    numbers (the line or row in a file) are used instead. ``methodology`` is as for
    :func:`par_rules.score`; given an id, each record is scored under the version in force for
    its ``period``, and a record whose period no version covers gets that as its error.

    ``parts``: score only these nodes (see :func:`par_rules.score`); a part that is no node
    raises :class:`~par_rules.MethodologyNotFound` (given an id: a row of a version without it
    gets that as its error).
    """
    chosen_parts = None if parts is None else tuple(parts)
    if not isinstance(methodology, Methodology) and is_path(methodology):
        methodology = load(methodology)
    if chosen_parts is not None and isinstance(methodology, Methodology):
        methodology.plan.for_parts(chosen_parts)  # a part that is no node: raised before any row
    by_period: dict[int | None, Methodology | MethodologyNotFound] = {}  # an id: one lookup a year
    for position, item in enumerate(records, start=1):
        row, record = item if isinstance(item, tuple) else (position, item)
        if isinstance(record, RecordError):
            yield record
            continue
        try:
            record = Record.from_mapping(record)
            if isinstance(methodology, Methodology):
                chosen = methodology
            else:
                if record.period not in by_period:
                    try:
                        by_period[record.period] = load(os.fspath(methodology), year=record.period)
                    except MethodologyNotFound as error:
                        by_period[record.period] = error
                found = by_period[record.period]
                if isinstance(found, MethodologyNotFound):
                    raise found
                chosen = found
                if chosen_parts is not None:
                    try:
                        chosen.plan.for_parts(chosen_parts)
                    except MethodologyNotFound as error:  # the version of this period has no such node
                        yield RecordError([Problem(_("{error}, the version in force for {period}").format(error=error, period=record.period), row=row)])
                        continue
            yield score(chosen, record, row=row, parts=chosen_parts)
        except RecordError as error:
            yield _with_row(error, row)
        except MethodologyNotFound as error:
            yield RecordError([Problem(str(error), indicator="period", row=row)])


def _with_row(error: RecordError, row: int) -> RecordError:
    """The error with every problem placed at ``row`` (a record that is not even a mapping, or
    a bad ``period``, is refused before the row is known)."""
    if all(problem.row == row for problem in error.problems):
        return error
    return RecordError([replace(problem, row=row) if problem.row is None else problem for problem in error.problems])


class BatchTally:
    """The count of a batch's rows as they pass: how many were read, which were refused, and the
    columns that are no indicator of the methodology (in every row of a file: worth saying once).

    :meth:`results` passes the results of :func:`score_many` on and holds back each
    :class:`~par_rules.RecordError`, handing it to ``report`` without the unknown columns
    already reported for an earlier row; :meth:`summary` says what it came to.

    >>> from par_rules import load
    >>> m = load("example/par-index/district")
    >>> good = {"unit": "a", "plan_issued": "on_time", "plan_completion": 95, "reports_on_time": True,
    ...         "inspected_share": 1, "dossiers_on_time": 10, "dossiers_total": 10, "online_rate": 60,
    ...         "violations": 0, "e_gov_points": 16, "satisfaction": {"A": 1}}
    >>> tally, said = BatchTally(), []
    >>> records = [good, {**good, "online_rate": "lots"}, {**good, "notes": "x"}, {**good, "notes": "y"}]
    >>> [result.record.unit for result in tally.results(score_many(m, records), said.append)]
    ['a']
    >>> tally.rows, tally.failed, tally.repeated_columns(), len(said)
    (4, [2, 3, 4], {'notes': 2}, 2)
    >>> tally.summary()
    '1 of 4 rows scored; problems in row(s) 2, 3, 4'
    """

    def __init__(self) -> None:
        self.rows = 0
        self.failed: list[int] = []  # the rows refused, in the order met
        self.unknown: dict[str, int] = {}  # column that is no indicator -> rows it was in
        # a version scored for a period it does not cover (an id picks by period; a file may not):
        # (id, version, its years) -> "unit (period)" of each such record
        self.out_of_years: dict[tuple[str, str, tuple[int, ...]], list[str]] = {}

    def results(self, outputs: Iterable[_Output | RecordError], report: Callable[[RecordError], object]) -> Iterator[_Output]:
        """The results among ``outputs`` (of :func:`score_many`, or rows of CSV texts from
        :func:`~par_rules.units.score_rows`); each error is counted and, if it says anything new,
        given to ``report``."""
        for output in outputs:
            self.rows += 1
            if isinstance(output, RecordError):
                rows = sorted({problem.row for problem in output.problems if problem.row is not None})
                self.failed += rows or [self.rows]
                fresh = self.first_reports(output)
                if fresh is not None:
                    report(fresh)
            else:
                if isinstance(output, Result) and output.period is not None and output.period not in output.methodology.years:
                    methodology = output.methodology
                    self.out_of_years.setdefault((methodology.id, methodology.version, methodology.years), []).append(f"{output.unit or self.rows} ({output.period})")
                yield output

    def first_reports(self, error: RecordError) -> RecordError | None:
        """The error without the unknown columns already reported for an earlier row (a column
        that is no indicator is in every row: once per file is enough); None if nothing is new."""
        kept = []
        for problem in error.problems:
            column = problem.indicator
            if column is not None and problem.message.startswith(_("unknown indicator{hint}").partition("{")[0]):
                self.unknown[column] = self.unknown.get(column, 0) + 1
                if self.unknown[column] > 1:
                    continue
            kept.append(problem)
        return RecordError(kept) if kept else None

    def repeated_columns(self) -> dict[str, int]:
        """The unknown columns met in more than one row (reported for the first only) -> the
        rows refused for them."""
        return {column: count for column, count in self.unknown.items() if count > 1}

    @property
    def scored(self) -> int:
        return self.rows - len(self.failed)

    def summary(self) -> str | None:
        """``"5 of 7 rows scored; problems in row(s) 3, 6"``, or None when every row was scored."""
        if not self.failed:
            return None
        return _("{scored} of {rows} rows scored; problems in row(s) {failed}").format(scored=self.scored, rows=self.rows, failed=", ".join(map(str, self.failed)))


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
