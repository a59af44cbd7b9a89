"""The files people keep: records in, result tables out.

**Reading** (:func:`read_records`): CSV, JSON, JSON Lines, YAML and Excel ``.xlsx``, in the wide
layout (one row per unit, one column per indicator), chosen by the file's suffix. Column names:

- ``unit``, ``name``, ``group`` and ``period`` (or ``year``, ``năm``) say what the row is about;
- an indicator id (``online_rate``) holds its value; an empty cell is a missing value;
- ``<indicator>.<option>`` holds the count of one answer of a survey (``satisfaction.A``,
  ``satisfaction.B``...): the columns of one indicator are gathered into its answers;
- ``self.<node id>`` holds the unit's self-assessed points for a node (``self.2.1``), compared
  with the appraisal by :func:`par_rules.analysis.self_assessment`.

Text is read as UTF-8 (with or without the BOM Excel writes) and normalised to NFC, so Vietnamese
typed on any system matches ("Trực Ninh" composed or decomposed). A CSV may be separated by
commas, semicolons (what Excel writes where the comma is the decimal mark) or tabs. Numbers are
read by :func:`par_rules.record.coerce_number` when scored: "88,9" is 88.9, "93.96%" is 93.96,
and "1,234" is refused as ambiguous, with its row and column.

Rows are numbered as a person finds them: in CSV and Excel the header is row 1 and the first unit
row 2; in JSON Lines, the line; in a JSON or YAML list, the position (1, 2, ...). CSV, JSON Lines
and Excel are read row by row; JSON and YAML documents are read whole. Blank rows are skipped.

>>> fold_columns({"unit": "a", "year": "2025", "satisfaction.A": "12", "satisfaction.B": "",
...               "self.2.1": "6", "online_rate": "88,9", "digitised_rate": " "})
{'unit': 'a', 'period': '2025', 'satisfaction': {'A': '12'}, 'self_assessed': {'2.1': '6'}, 'online_rate': '88,9'}

**Writing** (:func:`write_table`): a :class:`Table` as CSV, JSON, Excel, Markdown or aligned text
for the terminal. :func:`results_table` makes the usual one: a row per unit, with its rank when
ranked, and a column per field.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Literal, Union

import yaml

from .arithmetic import EXACT, format_decimal, format_short, in_context
from .batch import Numbered
from .errors import Problem, RecordError
from .ranking import Ranking, unit_id
from .model import Methodology
from .report import Result

__all__ = [
    "READ_FORMATS",
    "WRITE_FORMATS",
    "read_records",
    "fold_columns",
    "Table",
    "results_table",
    "write_table",
    "render_table",
]

READ_FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".yaml": "yaml", ".yml": "yaml", ".xlsx": "xlsx"}
WRITE_FORMATS = ("text", "csv", "json", "xlsx", "md")
WriteFormat = Literal["text", "csv", "json", "xlsx", "md"]

_PERIOD_NAMES = frozenset({"period", "year", "năm"})
_SELF_PREFIX = "self"
_CHUNK = 1 << 16

Cell = Union[str, Decimal, int, None]


# --------------------------------------------------------------------------- reading


def read_records(path: str | os.PathLike[str], *, sheet: str | None = None) -> Iterator[Numbered]:
    """The records of a file as ``(row, record)`` pairs, ready for :func:`par_rules.score_many`;
    a row that cannot be read comes as ``(row, RecordError)`` so that it is still counted.

    A file that cannot be read at all (unknown suffix, not UTF-8, malformed JSON or YAML, no
    header) raises :class:`~par_rules.RecordError` naming the file and, when known, the line.
    ``sheet`` names the worksheet of an ``.xlsx`` file (default: the first).
    """
    path = Path(path)
    kind = READ_FORMATS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(READ_FORMATS))
        raise RecordError([Problem(f"cannot read records from a {path.suffix or 'suffix-less'} file (known: {known})", file=str(path))])
    if sheet is not None and kind != "xlsx":
        raise RecordError([Problem("a sheet can only be named for an .xlsx file", file=str(path))])
    if kind == "xlsx":
        return _read_xlsx(path, sheet)
    _check_utf8(path)
    if kind == "csv":
        return _read_csv(path)
    if kind == "jsonl":
        return _read_jsonl(path)
    return _read_document(path, kind)


def fold_columns(row: Mapping[str, Any]) -> dict[str, Any]:
    """A record from a wide row: names and text normalised, empty cells left out, ``year``
    read as ``period``, ``indicator.option`` columns gathered into survey answers and
    ``self.node`` columns into ``self_assessed``."""
    record: dict[str, Any] = {}
    for raw_key, raw_value in row.items():
        key = _text(str(raw_key))
        value = _text(raw_value) if isinstance(raw_value, str) else raw_value
        if value is None or value == "":
            continue
        key, option = _column_key(key)
        if option is not None:
            record.setdefault(key, {})[option] = value
        elif isinstance(value, Mapping):
            record[key] = {_text(str(k)): _text(v) if isinstance(v, str) else v for k, v in value.items()}
        else:
            record[key] = value
    return record


def _column_key(name: str) -> tuple[str, str | None]:
    """The record key a (normalised) column name gives, and the option or node it holds when it
    is gathered into a mapping: ``year`` → ``("period", None)``, ``satisfaction.A`` →
    ``("satisfaction", "A")``, ``self.2`` → ``("self_assessed", "2")``."""
    key = "period" if name.lower() in _PERIOD_NAMES else name
    prefix, dot, rest = key.partition(".")
    if dot and rest:
        return ("self_assessed" if prefix == _SELF_PREFIX else prefix), rest
    return key, None


def _text(value: str) -> str:
    text = value.strip()
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _check_utf8(path: Path) -> None:
    """Refuse a file that is not UTF-8 before anything is scored, with the line of the first
    bad byte (a CSV saved as "CSV" rather than "CSV UTF-8" by an older Excel, say)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                line += chunk[: error.start].count(b"\n")
                raise RecordError([Problem("the file is not UTF-8 text: save it as UTF-8 (in Excel: 'CSV UTF-8')", file=str(path), line=line)]) from None
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise RecordError([Problem("the file ends in the middle of a UTF-8 character", file=str(path), line=line)]) from None


def _read_csv(path: Path) -> Iterator[Numbered]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
        delimiter = max(",;\t", key=first.count)
        handle.seek(0)
        if handle.read(1) != "\ufeff":
            handle.seek(0)
        yield from _text_rows(csv.reader(handle, delimiter=delimiter), path)


def _header(header: Sequence[Any] | None, path: Path) -> list[str]:
    """The column names of a header row, refused when missing or repeated."""
    if header is None or not any(_filled(cell) for cell in header):
        raise RecordError([Problem("no header row: the first row must name the columns (unit, name, period, indicators)", file=str(path), line=1)])
    names = [_text(str(cell)) if _filled(cell) else "" for cell in header]
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise RecordError([Problem(f"column {', '.join(repeated)} appears more than once in the header", file=str(path), line=1)])
    plain: dict[str, str] = {}  # record key -> the column that gives it
    gathered: dict[str, str] = {}  # record key -> a column gathered into it (indicator.option, self.node)
    problems = []
    for name in filter(None, names):
        key, option = _column_key(name)
        if option is not None:
            gathered.setdefault(key, name)
        elif key in plain:  # "year" and "period": which one is meant?
            problems.append(Problem(f"columns {plain[key]} and {name} both give the {key}: keep one", file=str(path), line=1))
        else:
            plain[key] = name
    for key in sorted(plain.keys() & gathered.keys()):
        problems.append(Problem(f"column {plain[key]} and column {gathered[key]} both give {key}: a survey's answers go in {key}.<option> columns only", file=str(path), line=1))
    if problems:
        raise RecordError(problems)
    return names


def _row_problems(cells: Sequence[Any], names: Sequence[str], row_number: int) -> list[Problem]:
    """Cells beyond the header, values under a column with no name, dates and times."""
    problems = []
    if len(cells) > len(names) and any(_filled(cell) for cell in cells[len(names):]):
        problems.append(Problem(f"{len(cells)} cells but {len(names)} columns in the header", row=row_number))
    for position, (name, cell) in enumerate(zip(names, cells), start=1):
        if not name and _filled(cell):
            problems.append(Problem(f"a value in column {position}, which has no name in the header", row=row_number))
        elif isinstance(cell, (datetime, date, time)):
            problems.append(Problem(f"a date or time ({cell}) where a number or text is expected", indicator=name, row=row_number))
    return problems


def _wide_rows(rows: Iterable[Sequence[Any]], path: Path) -> Iterator[Numbered]:
    """Records from rows whose first row is the header; numbered as a spreadsheet shows them.
    Cells may be of any type (a worksheet's numbers and dates); CSV goes through :func:`_text_rows`."""
    iterator = iter(rows)
    names = _header(next(iterator, None), path)
    for row_number, cells in enumerate(iterator, start=2):
        if not any(_filled(cell) for cell in cells):
            continue
        problems = _row_problems(cells, names, row_number)
        if problems:
            yield row_number, RecordError(problems)
            continue
        yield row_number, fold_columns({name: cell for name, cell in zip(names, cells) if name})


def _text_rows(rows: Iterable[Sequence[str]], path: Path) -> Iterator[Numbered]:
    """:func:`_wide_rows` for rows of text only (CSV), with the same records and errors: what
    :func:`fold_columns` does to a column name (period, ``indicator.option``, ``self.node``) is
    worked out once for the header rather than for every cell of every row."""
    iterator = iter(rows)
    names = _header(next(iterator, None), path)
    folded = [_column_key(name) for name in names]  # names are normalised already (_header)
    keys = [key for key, _ in folded]
    options = [option for _, option in folded]  # None: a plain column; else the answer (or node) it holds
    width = len(names)
    grouped = any(option is not None for option in options)
    unnamed = [position for position, name in enumerate(names) if not name]
    for row_number, cells in enumerate(iterator, start=2):
        joined = "".join(cells)
        if not joined.strip():  # every cell blank (str.strip: the same blanks as _filled)
            continue
        if len(cells) > width or any(position < len(cells) and cells[position].strip() for position in unnamed):
            problems = _row_problems(cells, names, row_number)
            if problems:
                yield row_number, RecordError(problems)
                continue
        if joined.isascii():
            values = [cell.strip() for cell in cells]
        else:  # a Vietnamese name, say: only the cells that are not ASCII need normalising
            values = [cell.strip() if cell.isascii() else _text(cell) for cell in cells]
        # An unnamed column's cell is blank here (else it was refused above), so it is skipped
        # like every blank cell; zip stops at the shorter of header and row, as fold_columns sees it.
        if not grouped:
            yield row_number, {key: value for key, value in zip(keys, values) if value}
            continue
        record: dict[str, Any] = {}
        for key, option, value in zip(keys, options, values):
            if value:
                if option is None:
                    record[key] = value
                else:
                    record.setdefault(key, {})[option] = value
        yield row_number, record


def _filled(cell: Any) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _read_jsonl(path: Path) -> Iterator[Numbered]:
    with path.open(encoding="utf-8-sig") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line, parse_float=Decimal)
            except json.JSONDecodeError as error:
                yield line_number, RecordError([Problem(f"not valid JSON: {error.msg} (column {error.colno})", row=line_number)])
                continue
            except RecursionError:  # the json parser recurses: a line of 10,000 '[' must not crash the batch
                yield line_number, RecordError([Problem("not a record: nested too deeply", row=line_number)])
                continue
            yield line_number, _mapping_or_error(data, line_number)


def _read_document(path: Path, kind: str) -> Iterator[Numbered]:
    if kind == "json":
        try:
            with path.open(encoding="utf-8-sig") as handle:
                data = json.load(handle, parse_float=Decimal)
        except json.JSONDecodeError as error:
            raise RecordError([Problem(f"not valid JSON: {error.msg}", file=str(path), line=error.lineno, column=error.colno)]) from None
        except RecursionError:
            raise RecordError([Problem("not a records file: nested too deeply", file=str(path))]) from None
    else:
        with path.open(encoding="utf-8-sig") as handle:
            try:
                data = yaml.load(handle, Loader=_RecordLoader)  # noqa: S506 (a safe loader, see below)
            except yaml.MarkedYAMLError as error:
                mark = error.problem_mark or error.context_mark
                line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
                raise RecordError([Problem(f"not valid YAML: {error.problem or error.context}", file=str(path), line=line, column=column)]) from None
            except yaml.YAMLError as error:
                raise RecordError([Problem(f"not valid YAML: {error}", file=str(path))]) from None
            except RecursionError:  # PyYAML's composer recurses
                raise RecordError([Problem("not a records file: nested too deeply", file=str(path))]) from None
    items = data if isinstance(data, list) else [data]
    return ((position, _mapping_or_error(item, position)) for position, item in enumerate(items, start=1))


class _RecordLoader(yaml.SafeLoader):
    """YAML's safe loader, with exact numbers and no aliases (records have no use for them, and
    refusing them rules out documents that expand without end)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in records", event.start_mark)
        return super().compose_node(parent, index)


def _exact_number(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | str:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        return Decimal(text)
    except ArithmeticError:
        return text  # .inf, .nan: refused with the indicator's name when scored


_RecordLoader.add_constructor("tag:yaml.org,2002:float", _exact_number)


def _mapping_or_error(data: Any, row: int) -> Mapping[str, Any] | RecordError:
    if isinstance(data, Mapping):
        return fold_columns(data)
    return RecordError([Problem(f"a record must be a mapping of column to value, not {type(data).__name__}", row=row)])


def _read_xlsx(path: Path, sheet: str | None) -> Iterator[Numbered]:
    import openpyxl  # imported here: it is slow to import and only .xlsx needs it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as error:
        raise RecordError([Problem(f"not a readable .xlsx workbook: {error}", file=str(path))]) from None
    if sheet is not None and sheet not in workbook.sheetnames:
        workbook.close()
        raise RecordError([Problem(f"no sheet {sheet!r} (sheets: {', '.join(workbook.sheetnames)})", file=str(path))])
    worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]

    def rows() -> Iterator[Numbered]:
        try:
            yield from _wide_rows(worksheet.iter_rows(values_only=True), path)
        finally:
            workbook.close()

    return rows()


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class Table:
    """Rows of cells under named columns, and a legend (what the column names stand for)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    legend: tuple[str, ...] = ()

    def records(self) -> list[dict[str, Cell]]:
        """The rows as mappings of column name to cell."""
        return [dict(zip(self.headers, row)) for row in self.rows]


def results_table(results: Iterable[Result] | Ranking) -> Table:
    """A row per unit: rank (when ranked), unit, name, group, period, total, index (published
    and exact), band, then the exact points of each field as a column ``points_<field id>``.

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
    if isinstance(results, Ranking):
        pairs = [(entry.rank, entry.group_rank, entry.result) for entry in results]
    else:
        pairs = [(None, None, result) for result in results]
    ranked = isinstance(results, Ranking)
    fields = field_columns(result.methodology for _, _, result in pairs)
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
            fields.setdefault(field_node.id, f"{field_node.label} (max {format_decimal(field_node.max)})")
    return fields


def result_headers(fields: Mapping[str, str], ranked: bool = False) -> tuple[str, ...]:
    """The columns of a results table (see :func:`results_table`)."""
    headers = (("rank", "group_rank") if ranked else ()) + ("unit", "name", "group", "period", "total", "index", "band", "exact_index")
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
        return [_cell_text(cell) for cell in _cells(result, known[1], record.unit or record.name or "")]


def write_csv_rows(rows: Iterable[list[str]], fields: Mapping[str, str], destination: IO[str]) -> None:
    """Write the header of a results table for ``fields``, then rows made by :class:`CsvTexts`,
    one at a time (constant memory, however many)."""
    writer = csv.writer(destination, lineterminator="\n")
    writer.writerow(result_headers(fields))

    def numbered(position: int, row: list[str]) -> list[str]:
        if not row[0]:
            row[0] = f"#{position}"  # as unit_id numbers a unit with neither id nor name
        return row

    writer.writerows(numbered(position, row) for position, row in enumerate(rows, start=1))


def stream_results_csv(results: Iterable[Result], fields: Mapping[str, str], destination: IO[str]) -> None:
    """Write a results table as CSV one row at a time, so that any number of records streams
    through in constant memory (the columns are fixed up front by ``fields``)."""
    write_csv_rows(map(CsvTexts(fields), results), fields, destination)


@in_context
def write_table(table: Table, format: WriteFormat, destination: str | os.PathLike[str] | IO[str] | None = None) -> str | None:
    """Write a table as ``text`` (aligned, for a terminal), ``csv``, ``json``, ``md`` or
    ``xlsx``. With no destination the text is returned (``xlsx`` needs a file path); exact
    values are written in full (JSON: as strings, so no digit is lost).
    """
    if format == "xlsx":
        if destination is None or not isinstance(destination, (str, os.PathLike)):
            raise ValueError("an .xlsx table must be written to a file: give a path")
        _write_xlsx(table, Path(destination))
        return None
    text = render_table(table, format)
    if destination is None:
        return text
    if isinstance(destination, (str, os.PathLike)):
        Path(destination).write_text(text, encoding="utf-8-sig" if format == "csv" else "utf-8")
    else:
        destination.write(text)
    return None


@in_context
def render_table(table: Table, format: Literal["text", "csv", "json", "md"]) -> str:
    """The table as text in one of the text formats. CSV and JSON carry exact values; the
    aligned text and Markdown, meant to be read, show long decimals rounded to 4 places with "≈".

    >>> print(render_table(Table(("unit", "index"), (("a", Decimal("93.50")), ("bb", None))), "md"))
    | unit | index |
    |---|---:|
    | a | 93.50 |
    | bb |  |
    """
    if format == "json":
        rows = [{name: _json_cell(cell) for name, cell in zip(table.headers, row)} for row in table.rows]
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(table.headers)
        writer.writerows([[_cell_text(cell) for cell in row] for row in table.rows])
        return buffer.getvalue()
    cells = [[_cell_text(cell, short=True) for cell in row] for row in table.rows]
    numeric = [all(isinstance(row[column], (Decimal, int)) or row[column] is None for row in table.rows) and any(row[column] is not None for row in table.rows) for column in range(len(table.headers))]
    if format == "md":
        lines = ["| " + " | ".join(_md(name) for name in table.headers) + " |", "|" + "|".join("---:" if right else "---" for right in numeric) + "|"]
        lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in cells]
        if table.legend:
            lines += [""] + [f"- {_md(line)}" for line in table.legend]
        return "\n".join(lines)
    widths = [max([len(name)] + [len(row[column]) for row in cells]) for column, name in enumerate(table.headers)]
    lines = ["  ".join(name.rjust(width) if right else name.ljust(width) for name, width, right in zip(table.headers, widths, numeric)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(cell.rjust(width) if right else cell.ljust(width) for cell, width, right in zip(row, widths, numeric)).rstrip() for row in cells]
    if table.legend:
        lines += [""] + list(table.legend)
    return "\n".join(lines)


def _cell_text(cell: Cell, short: bool = False) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        text = str(cell)  # the cheapest way to the digits: plain notation unless it has an exponent
        if "E" in text or "e" in text:  # "e": a context with capitals=0
            text = format(cell, "f")
        if text[0] == "-" and cell.is_zero():
            text = text[1:]  # zero is 0, never -0
        point = text.find(".")
        if point < 0 or len(text) - point <= 7:
            return text  # as written, up to 6 decimals: a published 76.00 keeps its decimals
        if short:
            return format_short(cell)
        return "0" if cell == 0 else text.rstrip("0").rstrip(".")  # format_decimal, on the text made above
    return str(cell)


def _json_cell(cell: Cell) -> Any:
    return _cell_text(cell) if isinstance(cell, Decimal) else cell


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _write_xlsx(table: Table, path: Path) -> None:
    import openpyxl  # imported here: it is slow to import and only .xlsx needs it

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("results")
    sheet.append(list(table.headers))
    for row in table.rows:
        # Excel keeps 15 significant digits: exact values longer than that go in as text.
        sheet.append([_xlsx_cell(cell) for cell in row])
    if table.legend:
        legend = workbook.create_sheet("legend")
        for line in table.legend:
            legend.append([line])
    workbook.save(path)


def _xlsx_cell(cell: Cell) -> Any:
    if isinstance(cell, Decimal):
        return cell if len(cell.normalize(EXACT).as_tuple().digits) <= 15 else format_decimal(cell)
    return cell
