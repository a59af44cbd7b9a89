"""Results turned into tables: the results table (a row per unit, a column per field), streamed
as CSV in constant memory, and the table and notes of a comparison year on year.

These are units' work (a ranking's places, a comparison's changes), written out by the file
formats of :mod:`par_rules.formats`, which know nothing of many units.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import IO

from ..engine._arithmetic import format_decimal
from ..engine._model import Methodology
from ..engine._report import Result
from ..formats._files import Cell, Table, csv_cell
from ._compare import Comparison
from ._ranking import Ranking, unit_id
from .._i18n import gettext as _, number
from .._lazy import name_home

__all__ = [
    "results_table",
    "field_columns",
    "result_headers",
    "result_cells",
    "CsvTexts",
    "write_csv_rows",
    "stream_results_csv",
    "comparison_table",
    "comparison_notes",
    "band_lines",
]


def results_table(results: Iterable[Result] | Ranking) -> Table:
    """A row per unit: rank (when ranked), unit, name, group, period, total, index (published
    and exact), band, reach and pending, then the exact points of each field as a column
    ``points_<field id>``. A partial result (parts not in yet) has no index and no band, its
    total is the points so far, ``reach`` the most it can still reach and ``pending`` the nodes
    not in yet (a pending field's points are empty); a complete one reaches its total.

    >>> from par_rules import load, score
    >>> m = load("example/par-index/district")
    >>> r = score(m, {"unit": "a", "plan_issued": "on_time", "plan_completion": 95,
    ...     "reports_on_time": True, "inspected_share": 1, "dossiers_on_time": 10,
    ...     "dossiers_total": 10, "online_rate": 60, "violations": 0, "e_gov_points": 16,
    ...     "satisfaction": {"A": 1}})
    >>> table = results_table([r])
    >>> table.headers[:8], table.headers[-1]
    (('unit', 'name', 'group', 'period', 'total', 'index', 'band', 'exact_index'), 'points_6')
    >>> [format_decimal(cell) for cell in table.rows[0][4:6]], table.rows[0][-1]
    (['91.25', '91.25'], Decimal('33.25'))
    """
    pairs: list[tuple[int | None, int | None, Result]]
    if isinstance(results, Ranking):
        pairs = [(entry.rank, entry.group_rank, entry.result) for entry in results]
    else:
        pairs = [(None, None, result) for result in results]
    ranked = isinstance(results, Ranking)
    fields = field_columns(result.methodology for _unused, _unused, result in pairs)
    rows = tuple(
        ((place, group_place) if ranked else ()) + result_cells(result, fields, position)
        for position, (place, group_place, result) in enumerate(pairs, start=1)
    )
    return Table(result_headers(fields, ranked), rows, tuple(f"points_{field_id}: {label}" for field_id, label in fields.items()))


def field_columns(methodologies: Iterable[Methodology]) -> dict[str, str]:
    """The field columns of a results table: field id -> label with its maximum, in the order
    the fields first appear across the methodologies (versions may add or drop fields)."""
    fields: dict[str, str] = {}
    seen: set[int] = set()
    for methodology in methodologies:
        if id(methodology) in seen:
            continue
        seen.add(id(methodology))
        for field_node in methodology.criteria:
            fields.setdefault(field_node.id, _("{label} (max {max})").format(label=field_node.label, max=number(format_decimal(field_node.max))))
    return fields


def result_headers(fields: Mapping[str, str], ranked: bool = False) -> tuple[str, ...]:
    """The columns of a results table (see :func:`results_table`)."""
    headers = (("rank", "group_rank") if ranked else ()) + ("unit", "name", "group", "period", "total", "index", "band", "exact_index", "reach", "pending")
    return headers + tuple(f"points_{field_id}" for field_id in fields)


def result_cells(result: Result, fields: Mapping[str, str], position: int) -> tuple[Cell, ...]:
    """One unit's row of a results table, without the rank columns."""
    return _cells(result, _field_slots(result.methodology, fields), unit_id(result, position))


def _field_slots(methodology: Methodology, fields: Mapping[str, str]) -> tuple[str | None, ...]:
    """Each field column's node id, or None where this methodology has no such field."""
    own = {field_node.id for field_node in methodology.criteria}
    return tuple(field_id if field_id in own else None for field_id in fields)


def _cells(result: Result, slots: Sequence[str | None], unit: str) -> tuple[Cell, ...]:
    record = result.record
    band = result.band
    cells: tuple[Cell, ...] = (unit, record.name, record.group, record.period, result.published_total, result.published_index, band.id if band else None, result.index)
    cells += (result.reach, " ".join(result.pending) or None)
    points = result.points  # the stored points: no explanation is built for a table
    return cells + tuple(None if field_id is None else points(field_id) for field_id in slots)


class CsvTexts:
    """Each result as the texts of its row in a CSV results table whose columns are fixed up
    front by ``fields``. A unit with neither id nor name gets an empty first cell, which
    :func:`write_csv_rows` numbers."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields = fields
        # Worked out once per methodology, not per row; each entry keeps its methodology alive,
        # so no id is reused for another.
        self._slots: dict[int, tuple[Methodology, tuple[str | None, ...]]] = {}

    def __call__(self, result: Result) -> list[str]:
        methodology = result.methodology
        known = self._slots.get(id(methodology))
        if known is None:
            known = self._slots[id(methodology)] = (methodology, _field_slots(methodology, self.fields))
        record = result.record
        return [csv_cell(cell) for cell in _cells(result, known[1], record.unit or record.name or "")]


def write_csv_rows(rows: Iterable[list[str]], fields: Mapping[str, str], destination: IO[str]) -> None:
    """Write the header of a results table for ``fields``, then rows made by :class:`CsvTexts`,
    one at a time (constant memory, however many)."""
    writer = csv.writer(destination, lineterminator="\n")
    writer.writerow([csv_cell(name) for name in result_headers(fields)])

    def numbered(position: int, row: list[str]) -> list[str]:
        if not row[0]:
            row[0] = f"#{position}"  # as unit_id numbers a unit with neither id nor name
        return row

    writer.writerows(numbered(position, row) for position, row in enumerate(rows, start=1))


def stream_results_csv(results: Iterable[Result], fields: Mapping[str, str], destination: IO[str]) -> None:
    """Write a results table as CSV one row at a time, so that any number of records streams
    through in constant memory (the columns are fixed up front by ``fields``)."""
    write_csv_rows(map(CsvTexts(fields), results), fields, destination)


def comparison_table(comparison: Comparison) -> Table:
    """A row per unit compared: its previous and current rank, index and band, the changes, and
    the points gained in each field (``change_<field id>``; empty where not comparable)."""
    field_ids = [change.id for change in comparison.units[0].fields] if comparison.units else []
    headers: tuple[str, ...] = ("unit", "name", "previous_rank", "rank", "rank_change", "previous_index", "index", "index_change", "previous_band", "band")
    headers += tuple(f"change_{field_id}" for field_id in field_ids)
    rows: list[tuple[Cell, ...]] = []
    for change in comparison.units:
        rows.append(
            (change.unit, change.name, change.previous_rank, change.current_rank, change.rank_text,
             change.previous.published_index, change.current.published_index, change.index_change,
             change.previous.band.id if change.previous.band else None, change.current.band.id if change.current.band else None)
            + tuple(field.change for field in change.fields)
        )
    legend = (_("change_<field>: points gained in the field (empty: not comparable); index_change: exact, in percentage points"),)
    return Table(headers, tuple(rows), legend)


def comparison_notes(comparison: Comparison) -> list[str]:
    """What a reader of :func:`comparison_table` must know: the comparison's own notes, and the
    units found in one year only (not compared)."""
    notes = list(comparison.notes)
    if comparison.only_previous:
        notes.append(_("only in the previous year (not compared): {only_previous}").format(only_previous=", ".join(comparison.only_previous)))
    if comparison.only_current:
        notes.append(_("only in this year (no previous result): {only_current}").format(only_current=", ".join(comparison.only_current)))
    return notes


def band_lines(ranking: Ranking, shown: int = 12) -> list[str]:
    """A line per rating band, best first: how many units are in it and the first ``shown`` of
    them (``band A (3): a, b, c``)."""
    lines = []
    for band, units in ranking.bands().items():
        listed = ", ".join(units[:shown]) + (_(" and {count} more").format(count=len(units) - shown) if len(units) > shown else "")
        lines.append(_("band {band} ({count}): {units}").format(band=band or "-", count=len(units), units=listed))
    return lines


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
