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
and "1,234" is refused as ambiguous, with its row and column. A YAML value is its text, as a CSV
cell is (YAML 1.1 would read ``075`` as 61 and ``1:30`` as 90), so a value means the same in every
format: decimal notation only (see :func:`par_rules.arithmetic.to_decimal`).

Each file is opened once, and only a regular file (a pipe or a device is refused, as is a path
that cannot be opened). A value, a cell or a line that cannot be read is its row's error, and the
other rows are read; a key given twice in a JSON or YAML record is refused, naming it.

Rows are numbered as a person finds them: in CSV and Excel the header is row 1 and the first unit
row 2; in JSON Lines, the line; in a JSON or YAML list, the position (1, 2, ...). CSV, JSON Lines
and Excel are read row by row; JSON and YAML documents are read whole. Blank rows are skipped.

>>> fold_columns({"unit": "a", "year": "2025", "satisfaction.A": "12", "satisfaction.B": "",
...               "self.2.1": "6", "online_rate": "88,9", "digitised_rate": " "})
{'unit': 'a', 'period': '2025', 'satisfaction': {'A': '12'}, 'self_assessed': {'2.1': '6'}, 'online_rate': '88,9'}

**Writing** (:func:`write_table`): a :class:`Table` as CSV, JSON, Excel, Markdown or aligned text
for the terminal. :func:`results_table` makes the usual one: a row per unit, with its rank when
ranked, and a column per field. Texts from the input (unit names, say) are written so that no
program that opens the output runs them: a CSV text cell that a spreadsheet would take for a
formula (``=``, ``+``, ``-``, ``@``, tab, carriage return first) gets a leading ``'``, as OWASP
advises; Excel cells are typed as text; Markdown escapes its markup and HTML; the terminal text
shows control characters as escapes (:func:`terminal_text`). Numbers are never touched. A file is
written whole or not at all (:func:`replace_atomically`).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import io
import json
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal

import yaml

from ..engine._arithmetic import EXACT, format_decimal, format_short, in_context
from ..errors import Problem, RecordError
from ..engine._model import Methodology
from ..engine._record import Record
from .._i18n import gettext as _, number
from .._lazy import name_home

__all__ = [
    "READ_FORMATS",
    "WRITE_FORMATS",
    "read_records",
    "count_rows",
    "read_csv_rows",
    "Numbered",
    "fold_columns",
    "Table",
    "write_table",
    "render_table",
    "replace_atomically",
    "terminal_text",
    "spreadsheet_text",
    "csv_cell",
    "json_text",
    "csv_text",
]

READ_FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".yaml": "yaml", ".yml": "yaml", ".xlsx": "xlsx"}
WRITE_FORMATS = ("text", "csv", "json", "xlsx", "md")
WriteFormat = Literal["text", "csv", "json", "xlsx", "md"]

_PERIOD_NAMES = frozenset({"period", "year", "năm"})
_SELF_PREFIX = "self"
_CHUNK = 1 << 16

Cell = str | Decimal | int | None

#: A record with its row number in the file it came from, or the error that kept it from being
#: read (a malformed line): what :func:`read_records` yields.
Numbered = tuple[int, Mapping[str, Any] | Record | RecordError]


# --------------------------------------------------------------------------- reading


def read_records(path: str | os.PathLike[str], *, sheet: str | None = None, methodology: Methodology | str | None = None, ignore_columns: Iterable[str] = ()) -> Iterator[Numbered]:
    """The records of a file as ``(row, record)`` pairs, ready for :func:`par_rules.score_many`;
    a row that cannot be read comes as ``(row, RecordError)`` so that it is still counted.

    A file that cannot be read at all (unknown suffix, missing, not a regular file, not UTF-8,
    malformed JSON or YAML, no header, a damaged workbook) raises :class:`~par_rules.RecordError`
    naming the file and, when known, the line. The file is opened once.
    ``sheet`` names the worksheet of an ``.xlsx`` file (default: the first).
    A self-assessment form (:mod:`par_rules.formats`, ``write_form``) is recognised and read a
    unit per sheet; ``methodology``, the one its records will be scored under, lets the form
    refuse to be read for another one. ``ignore_columns`` names columns that are not indicators
    (``rank``, ``total``, ``ghi chú`` in a table pasted from elsewhere): they are left out of
    every record.
    """
    ignored = frozenset(_text(str(name)) for name in ignore_columns)
    if ignored:
        return _without_columns(read_records(path, sheet=sheet, methodology=methodology), ignored)
    path = Path(path)
    kind = READ_FORMATS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(READ_FORMATS))
        raise RecordError([Problem(_("cannot read records from a {suffix} file (known: {known})").format(suffix=path.suffix or 'suffix-less', known=known), file=str(path))])
    if sheet is not None and kind != "xlsx":
        raise RecordError([Problem(_("a sheet can only be named for an .xlsx file"), file=str(path))])
    _check_regular(path)
    if kind == "xlsx":
        return _read_xlsx(path, sheet, methodology)
    if kind in ("json", "yaml"):
        return _read_document(path, kind)
    rows = _read_csv(path) if kind == "csv" else _read_jsonl(path)
    next(rows)  # the file opened and checked now (it is UTF-8), before any row is asked for
    return rows


def count_rows(path: str | os.PathLike[str], *, sheet: str | None = None) -> int | None:
    """How many records :func:`read_records` will read from ``path``, counted cheaply (a
    progress bar's total), or None when that is not known without reading the records: a JSON
    or YAML document, a self-assessment form, a file that cannot be read (:func:`read_records`
    says why). It checks nothing: a row that will be refused counts as a row.

    CSV and JSON Lines are counted in one pass of :mod:`csv` or of their lines, with no value
    converted and no record built (blank rows are not counted, as they are not read); an
    ``.xlsx`` sheet by the size it declares. Only a regular file is counted: a pipe is never
    read twice.
    """
    path = Path(path)
    kind = READ_FORMATS.get(path.suffix.lower())
    try:
        if not path.is_file():
            return None
        if kind == "csv":
            with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
                first = handle.readline()
                handle.seek(0)
                rows = csv.reader(handle, delimiter=max(",;\t", key=first.count))
                return max(0, sum(1 for row in rows if any(cell.strip() for cell in row)) - 1)
        if kind == "jsonl":
            with path.open("rb") as binary:
                return sum(1 for line in binary if line.strip())
        if kind == "xlsx":
            return _count_xlsx(path, sheet)
    except (OSError, csv.Error):
        return None
    return None


def _count_xlsx(path: Path, sheet: str | None) -> int | None:
    import openpyxl

    from ._forms import is_form

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - a damaged workbook: read_records says how
        return None
    try:
        if is_form(workbook.sheetnames) or (sheet is not None and sheet not in workbook.sheetnames):
            return None
        rows = workbook[sheet or workbook.sheetnames[0]].max_row
        return None if rows is None else max(0, rows - 1)
    finally:
        workbook.close()


def _without_columns(rows: Iterator[Numbered], ignored: frozenset[str]) -> Iterator[Numbered]:
    """The records with the ignored columns taken out (``x.y``: option y of x; ``year``: the period)."""
    keys = [_column_key(name) for name in ignored]
    for row, record in rows:
        if isinstance(record, dict):
            for key, option in keys:
                if option is None:
                    record.pop(key, None)
                elif isinstance(record.get(key), dict):
                    record[key].pop(option, None)
                    if not record[key]:
                        del record[key]
        yield row, record


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


def _check_regular(path: Path) -> None:
    """Refuse what is not a regular file before opening it: a folder, a named pipe or a device
    (opening a pipe waits for a writer; its text could not be checked and then read), a missing
    file, a symbolic link that loops."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise RecordError([Problem(_("cannot read the file: {strerror}").format(strerror=error.strerror or error), file=str(path))]) from None
    if not stat.S_ISREG(mode):
        raise RecordError([Problem(_("not a regular file (a folder, a pipe or a device): records are read from a file"), file=str(path))])


def _open(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as error:
        raise RecordError([Problem(_("cannot read the file: {strerror}").format(strerror=error.strerror or error), file=str(path))]) from None


def _check_utf8(handle: BinaryIO, path: Path) -> None:
    """Refuse a file that is not UTF-8 before anything is scored, with the line of the first
    bad byte (a CSV saved as "CSV" rather than "CSV UTF-8" by an older Excel, say); the handle
    is left at the start of the file, which is opened once."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    while chunk := handle.read(_CHUNK):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            line += chunk[: error.start].count(b"\n")
            raise RecordError([Problem(_("the file is not UTF-8 text: save it as UTF-8 (in Excel: 'CSV UTF-8')"), file=str(path), line=line)]) from None
        line += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise RecordError([Problem(_("the file ends in the middle of a UTF-8 character"), file=str(path), line=line)]) from None
    handle.seek(0)


def _csv_reader(raw: BinaryIO) -> Iterator[list[str]]:
    """The rows of an open CSV file: UTF-8 with or without a BOM, its delimiter (comma,
    semicolon or tab) the one its first line uses most."""
    handle = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    first = handle.readline()
    delimiter = max(",;\t", key=first.count)
    handle.seek(0)
    if handle.read(1) != "\ufeff":
        handle.seek(0)
    return csv.reader(handle, delimiter=delimiter)


def _read_csv(path: Path) -> Iterator[Any]:
    """The rows of a CSV file, after one ``None`` once the file is open and checked."""
    with _open(path) as raw:
        _check_utf8(raw, path)
        yield None
        yield from _text_rows(_csv_reader(raw), path)


def _header(header: Sequence[Any] | None, path: Path) -> list[str]:
    """The column names of a header row, refused when missing or repeated."""
    if header is None or not any(_filled(cell) for cell in header):
        raise RecordError([Problem(_("no header row: the first row must name the columns (unit, name, period, indicators)"), file=str(path), line=1)])
    names = [_text(str(cell)) if _filled(cell) else "" for cell in header]
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise RecordError([Problem(_("column {repeated} appears more than once in the header").format(repeated=', '.join(repeated)), file=str(path), line=1)])
    plain: dict[str, str] = {}  # record key -> the column that gives it
    gathered: dict[str, str] = {}  # record key -> a column gathered into it (indicator.option, self.node)
    problems = []
    for name in filter(None, names):
        key, option = _column_key(name)
        if option is not None:
            gathered.setdefault(key, name)
        elif key in plain:  # "year" and "period": which one is meant?
            problems.append(Problem(_("columns {plain} and {name} both give the {key}: keep one").format(plain=plain[key], name=name, key=key), file=str(path), line=1))
        else:
            plain[key] = name
    for key in sorted(plain.keys() & gathered.keys()):
        message = _("column {plain} and column {gathered} both give {key}: a survey's answers go in {key}.<option> columns only").format(plain=plain[key], gathered=gathered[key], key=key)
        problems.append(Problem(message, file=str(path), line=1))
    if problems:
        raise RecordError(problems)
    return names


def _row_problems(cells: Sequence[Any], names: Sequence[str], row_number: int) -> list[Problem]:
    """Cells beyond the header, values under a column with no name, dates and times."""
    problems = []
    if len(cells) > len(names) and any(_filled(cell) for cell in cells[len(names):]):
        problems.append(Problem(_("{cells} cells but {names} columns in the header").format(cells=len(cells), names=len(names)), row=row_number))
    for position, (name, cell) in enumerate(zip(names, cells), start=1):
        if not name and _filled(cell):
            problems.append(Problem(_("a value in column {position}, which has no name in the header").format(position=position), row=row_number))
        elif isinstance(cell, (datetime, date, time)):
            problems.append(Problem(_("a date or time ({cell}) where a number or text is expected").format(cell=cell), indicator=name, row=row_number))
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
    worked out once for the header rather than for every cell of every row.

    A second reader, kept for speed. Measured (2026-12-01, CPU time, 6,000 rows of the
    benchmark's 126 columns): 29 µs a row here, 57-61 µs through :func:`_wide_rows` and
    :func:`fold_columns`. ``tests/test_files.py`` holds the two to the same records and errors
    on drawn headers and rows, and on awkward ones."""
    iterator = iter(rows)
    names = _csv_header(iterator, path)
    folded = [_column_key(name) for name in names]  # names are normalised already (_header)
    keys = [key for key, _unused in folded]
    options = [option for _unused, option in folded]  # None: a plain column; else the answer (or node) it holds
    width = len(names)
    grouped = any(option is not None for option in options)
    unnamed = [position for position, name in enumerate(names) if not name]
    row_number = 1
    while True:
        start = row_number + 1
        try:
            for row_number, cells in enumerate(iterator, start=start):
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
            return
        except csv.Error as error:  # from the csv reader, for the row it was reading (a field over its size limit); it goes on at the next
            row_number += 1
            yield row_number, RecordError([Problem(_("the row cannot be read: {error}").format(error=error), row=row_number)])


def read_csv_rows(path: str | os.PathLike[str]) -> tuple[list[str], Iterator[tuple[int, list[str] | RecordError]]]:
    """The header of a CSV records file (its column names, normalised; ``""`` for a column
    with no name) and its rows as ``(row, cells)``: the cells as written, not yet folded into
    records, for the scorers that read a file column by column (:mod:`par_rules.units`). The
    same file is read as :func:`read_records` reads it: the same checks, the same rows skipped,
    the same numbers, the same errors (a row that cannot be read comes as its RecordError); the
    record of a row is what :func:`fold_columns` makes of its named cells."""
    path = Path(path)
    _check_regular(path)
    opened = _read_csv_cells(path)
    names = next(opened)
    return names, opened


def _csv_header(rows: Iterator[Sequence[str]], path: Path) -> list[str]:
    """The names of a CSV file's header row (its first row), checked by :func:`_header`."""
    try:
        first = next(rows, None)
    except csv.Error as error:
        raise RecordError([Problem(_("cannot read the header row: {error}").format(error=error), file=str(path), line=1)]) from None
    return _header(first, path)


def _read_csv_cells(path: Path) -> Iterator[Any]:
    """The header's names, then the rows of :func:`read_csv_rows`."""
    with _open(path) as raw:
        _check_utf8(raw, path)
        iterator = _csv_reader(raw)
        names = _csv_header(iterator, path)
        yield names
        width = len(names)
        unnamed = [position for position, name in enumerate(names) if not name]
        row_number = 1
        while True:
            start = row_number + 1
            try:
                for row_number, cells in enumerate(iterator, start=start):
                    if not "".join(cells).strip():
                        continue
                    if len(cells) > width or any(position < len(cells) and cells[position].strip() for position in unnamed):
                        problems = _row_problems(cells, names, row_number)
                        if problems:
                            yield row_number, RecordError(problems)
                            continue
                    yield row_number, cells
                return
            except csv.Error as error:
                row_number += 1
                yield row_number, RecordError([Problem(_("the row cannot be read: {error}").format(error=error), row=row_number)])


def _filled(cell: Any) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _read_jsonl(path: Path) -> Iterator[Any]:
    """The rows of a JSON Lines file, after one ``None`` once the file is open and checked."""
    with _open(path) as raw:
        _check_utf8(raw, path)
        yield None
        for line_number, line in enumerate(io.TextIOWrapper(raw, encoding="utf-8-sig"), start=1):
            if not line.strip():
                continue
            try:
                data = _json_loads(line)
            except json.JSONDecodeError as error:
                yield line_number, RecordError([Problem(_("not valid JSON: {msg} (column {colno})").format(msg=error.msg, colno=error.colno), row=line_number)])
                continue
            except RecursionError:  # the json parser recurses: a line of 10,000 '[' must not crash the batch
                yield line_number, RecordError([Problem(_("not a record: nested too deeply"), row=line_number)])
                continue
            yield line_number, _mapping_or_error(data, line_number)


class _Repeated:
    """A JSON object in which a key appears more than once (``json`` would keep the last value
    silently): the row it is in is refused, naming the key."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys

    def __repr__(self) -> str:
        return f"<an object with {', '.join(self.keys)} more than once>"


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any] | _Repeated:
    mapping = dict(pairs)
    if len(mapping) == len(pairs):
        return mapping
    seen: set[str] = set()
    return _Repeated(sorted({key for key, _unused in pairs if key in seen or seen.add(key)}))  # type: ignore[func-returns-value]


def _json_int(text: str) -> int | str:
    """A JSON integer; a long one is kept as its text (Python will not make an int of more than
    4,300 digits), which the indicator's reader refuses as too long, as it does in a CSV cell."""
    return int(text) if len(text) <= _LONG_INT else text


_LONG_INT = 100

# Exact numbers; NaN and Infinity (not JSON, but Python's parser reads them) kept as their text,
# which no reader takes for a number; objects checked for keys given twice. Made once: json.loads
# with options makes a decoder per call.
_JSON = json.JSONDecoder(parse_float=Decimal, parse_constant=str, object_pairs_hook=_json_object)
_JSON_LONG_INTS = json.JSONDecoder(parse_float=Decimal, parse_int=_json_int, parse_constant=str, object_pairs_hook=_json_object)


def _json_loads(text: str) -> Any:
    try:
        return _JSON.decode(text)
    except json.JSONDecodeError:
        raise
    except ValueError:  # an integer too long for int(): read again, long integers kept as text
        return _JSON_LONG_INTS.decode(text)


def _read_document(path: Path, kind: str) -> Iterator[Numbered]:
    with _open(path) as raw:
        _check_utf8(raw, path)
        text = raw.read().decode("utf-8-sig")
    if kind == "json":
        try:
            data = _json_loads(text)
        except json.JSONDecodeError as error:
            raise RecordError([Problem(_("not valid JSON: {msg}").format(msg=error.msg), file=str(path), line=error.lineno, column=error.colno)]) from None
        except RecursionError:
            raise RecordError([Problem(_("not a records file: nested too deeply"), file=str(path))]) from None
        items = data if isinstance(data, list) else [data]
        return ((position, _mapping_or_error(item, position)) for position, item in enumerate(items, start=1))
    try:
        root = yaml.compose(text, Loader=_RecordLoader)  # nodes only: nothing is constructed
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise RecordError([Problem(_("not valid YAML: {problem}").format(problem=error.problem or error.context), file=str(path), line=line, column=column)]) from None
    except yaml.YAMLError as error:
        raise RecordError([Problem(_("not valid YAML: {error}").format(error=error), file=str(path))]) from None
    except RecursionError:  # PyYAML's composer recurses
        raise RecordError([Problem(_("not a records file: nested too deeply"), file=str(path))]) from None
    nodes = root.value if isinstance(root, yaml.SequenceNode) else [root]
    return ((position, _yaml_record(node, position, path)) for position, node in enumerate(nodes, start=1))


class _RecordLoader(yaml.SafeLoader):
    """YAML's safe composer with no aliases (records have no use for them, and refusing them
    rules out documents that expand without end); the nodes are read by :func:`_yaml_value`."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]  # PyYAML's stubs leave it untyped
            mark = event.start_mark if isinstance(event.start_mark, yaml.error.Mark) else None  # the pure-Python loader's marks
            raise yaml.composer.ComposerError(None, None, _("aliases (*name) are not allowed in records"), mark)
        return super().compose_node(parent, index)


_YAML_NULL = "tag:yaml.org,2002:null"


class _Refused(Exception):
    def __init__(self, message: str, mark: Any, key: str | None = None) -> None:
        self.problem = Problem(message, line=mark.line + 1, column=mark.column + 1, indicator=key)


def _yaml_value(node: yaml.Node) -> Any:
    """A YAML node as plain data. Every scalar is its text, as a CSV cell would give it (YAML
    1.1 would read ``075`` as 61, ``1:30`` as 90, ``0x1F`` as 31, ``2024-01-05`` as a date):
    the indicator's reader then reads it as it reads text in any format. A null (``~``,
    ``null``, nothing) is a missing value; tags are not followed."""
    if isinstance(node, yaml.ScalarNode):
        return None if node.tag == _YAML_NULL else node.value
    if isinstance(node, yaml.SequenceNode):
        return [_yaml_value(item) for item in node.value]
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise _Refused(_("a key must be a text, not a list or a mapping"), key_node.start_mark)
        key = key_node.value
        if key in mapping:
            raise _Refused(_("appears more than once in the record (which value is meant?)"), key_node.start_mark, key)
        mapping[key] = _yaml_value(value_node)
    return mapping


def _yaml_record(node: yaml.Node | None, row: int, path: Path) -> Mapping[str, Any] | RecordError:
    if node is None:  # an empty document
        return _mapping_or_error(None, row)
    try:
        return _mapping_or_error(_yaml_value(node), row)
    except _Refused as refused:
        return RecordError([replace(refused.problem, file=str(path), row=row)])
    except RecursionError:
        return RecordError([Problem(_("not a record: nested too deeply"), row=row)])


def _mapping_or_error(data: Any, row: int) -> Mapping[str, Any] | RecordError:
    if isinstance(data, _Repeated):
        return RecordError([Problem(_("appears more than once in the record (which value is meant?)"), indicator=key, row=row) for key in data.keys])
    if isinstance(data, Mapping):
        repeated = [f"{key}.{inner}" for key, value in data.items() if isinstance(value, _Repeated) for inner in value.keys]
        if repeated:
            return RecordError([Problem(_("appears more than once in the record (which value is meant?)"), indicator=key, row=row) for key in repeated])
        return fold_columns(data)
    return RecordError([Problem(_("a record must be a mapping of column to value, not {type_name}").format(type_name=type(data).__name__), row=row)])


def _read_xlsx(path: Path, sheet: str | None, methodology: Methodology | str | None = None) -> Iterator[Numbered]:
    import openpyxl  # imported here: it is slow to import and only .xlsx needs it

    # A damaged workbook makes openpyxl raise whatever its zip and XML layers raise (BadZipFile,
    # zlib.error, a ParseError, KeyError, EOFError...): any error of its own is the file's.
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - see above
        raise RecordError([Problem(_("not a readable .xlsx workbook: {error}").format(error=error), file=str(path))]) from None
    from ._forms import is_form, read_form_workbook  # here: only a workbook can be a form

    if is_form(workbook.sheetnames):
        return read_form_workbook(workbook, path, sheet, methodology)
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise RecordError([Problem(_("no sheet {sheet!r} (sheets: {sheetnames})").format(sheet=sheet, sheetnames=', '.join(workbook.sheetnames)), file=str(path))])
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        cells = worksheet.iter_rows(values_only=True)
    except RecordError:
        workbook.close()
        raise
    except Exception as error:  # noqa: BLE001 - a damaged workbook, as above
        workbook.close()
        raise RecordError([Problem(_("not a readable .xlsx workbook: {error}").format(error=error), file=str(path))]) from None

    def guarded() -> Iterator[Sequence[Any]]:
        while True:
            try:
                row = next(cells)
            except StopIteration:
                return
            except Exception as error:  # noqa: BLE001 - a damaged workbook, as above
                raise _Damaged(error) from None
            yield row

    def rows() -> Iterator[Numbered]:
        last = 0
        try:
            for last, record in _wide_rows(guarded(), path):
                yield last, record
        except _Damaged as damage:
            if not last:  # not one row could be read
                raise RecordError([Problem(_("not a readable .xlsx workbook: {error}").format(error=damage.error), file=str(path))]) from None
            # the rows read are scored; what follows cannot be told apart: said once, as the next row
            yield last + 1, RecordError([Problem(_("the workbook is damaged from here on: {error}").format(error=damage.error), file=str(path), row=last + 1)])
        finally:
            workbook.close()

    return rows()


class _Damaged(Exception):
    def __init__(self, error: Exception) -> None:
        self.error = error



# --------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class Table:
    """Rows of cells under named columns, and a legend (what the column names stand for)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    legend: tuple[str, ...] = ()
    #: What the aligned text and Markdown show above a column instead of its name (labels, in
    #: the reader's language); CSV, JSON and Excel always keep the stable names.
    titles: Mapping[str, str] = field(default_factory=dict)

    def records(self) -> list[dict[str, Cell]]:
        """The rows as mappings of column name to cell."""
        return [dict(zip(self.headers, row)) for row in self.rows]


@in_context
def write_table(table: Table, format: WriteFormat, destination: str | os.PathLike[str] | IO[str] | None = None) -> str | None:
    """Write a table as ``text`` (aligned, for a terminal), ``csv``, ``json``, ``md`` or
    ``xlsx``. With no destination the text is returned (``xlsx`` needs a file path); exact
    values are written in full (JSON: as strings, so no digit is lost).
    """
    if format == "xlsx":
        if destination is None or not isinstance(destination, (str, os.PathLike)):
            raise ValueError(_("an .xlsx table must be written to a file: give a path"))
        with replace_atomically(destination, binary=True) as handle:
            _write_xlsx(table, handle)
        return None
    text = render_table(table, format)
    if destination is None:
        return text
    if isinstance(destination, (str, os.PathLike)):
        with replace_atomically(destination, encoding="utf-8-sig" if format == "csv" else "utf-8") as handle:
            handle.write(text)
    else:
        destination.write(text)
    return None


@contextlib.contextmanager
def replace_atomically(path: str | os.PathLike[str], *, binary: bool = False, encoding: str = "utf-8") -> Iterator[IO[Any]]:
    """A file to write the new content of ``path`` into: a temporary file beside it, flushed to
    disk and renamed over ``path`` only when the block ends without an error. ``path`` holds its
    previous content or the whole new one, never a part: an error or an interruption (Ctrl-C, a
    worker that dies) removes the temporary file and leaves ``path`` as it was.

    A symbolic link is written through (the file it points to is replaced). The new file keeps the
    permission bits of the one it replaces, or gets a new file's usual ones (0o666 less the umask);
    a file that may not be written is refused (:class:`PermissionError`), as ``open`` would.
    Text is written with no newline translation, as the CSV writer expects.
    """
    target = Path(os.path.realpath(path))
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    if mode is not None and not os.access(target, os.W_OK):  # renaming over it would bypass that
        raise PermissionError(errno.EACCES, "Permission denied", str(path))
    temporary, descriptor = _create_beside(target)
    try:
        with os.fdopen(descriptor, "wb") if binary else os.fdopen(descriptor, "w", encoding=encoding, newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(target.parent)


def _create_beside(target: Path) -> tuple[Path, int]:
    """A new, empty, hidden file in the folder of ``target`` (the same file system, so that
    os.replace is a rename) and its descriptor; created by this call alone (O_EXCL), with the
    mode a new file gets (0o666 less the umask)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _unused in range(100):
        temporary = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp")
        try:
            return temporary, os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(_("cannot create a temporary file beside {target}").format(target=target))


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a system that cannot open a folder skips it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


@in_context
def render_table(table: Table, format: Literal["text", "csv", "json", "md"]) -> str:
    """The table as text in one of the text formats. CSV and JSON carry exact values; the
    aligned text and Markdown, meant to be read, show long decimals rounded to 4 places with "≈",
    numbers as the reader's language writes them (``93,50`` in Vietnamese:
    :func:`par_rules._i18n.number`) and the table's ``titles`` over the columns that have one.

    >>> from par_rules._i18n import use
    >>> table = Table(("unit", "index"), (("a", Decimal("93.50")), ("bb", None)), titles={"unit": "đơn vị"})
    >>> with use("en"):
    ...     print(render_table(table, "md"))
    | đơn vị | index |
    |---|---:|
    | a | 93.50 |
    | bb |  |
    >>> with use("vi"):
    ...     print(render_table(table, "text"))
    ...     print(render_table(table, "csv"), end="")
    đơn vị  index
    ------  -----
    a       93,50
    bb
    unit,index
    a,93.50
    bb,
    """
    if format == "json":
        rows = [{name: _json_cell(cell) for name, cell in zip(table.headers, row)} for row in table.rows]
        return json_text(rows) + "\n"
    if format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([csv_cell(name) for name in table.headers])
        writer.writerows([[csv_cell(cell) for cell in row] for row in table.rows])
        return buffer.getvalue()
    cells = [[_cell_text(cell, short=True) for cell in row] for row in table.rows]
    numeric = [all(isinstance(row[column], (Decimal, int)) or row[column] is None for row in table.rows) and any(row[column] is not None for row in table.rows) for column in range(len(table.headers))]
    _equal_decimals(cells, table.rows, numeric)
    cells = [[number(text) if isinstance(cell, Decimal) else text for text, cell in zip(texts, row)] for texts, row in zip(cells, table.rows)]
    names = [table.titles.get(name, name) for name in table.headers]
    if format == "md":
        lines = ["| " + " | ".join(_md(name) for name in names) + " |", "|" + "|".join("---:" if right else "---" for right in numeric) + "|"]
        lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in cells]
        if table.legend:
            lines += [""] + [f"- {_md(line)}" for line in table.legend]
        return "\n".join(lines)
    # A cell is one line, and shows its control characters as escapes (see terminal_text).
    headers = [terminal_text(name, one_line=True) for name in names]
    cells = [[terminal_text(cell, one_line=True) for cell in row] for row in cells]
    widths = [max([len(name)] + [len(row[column]) for row in cells]) for column, name in enumerate(headers)]
    lines = ["  ".join(name.rjust(width) if right else name.ljust(width) for name, width, right in zip(headers, widths, numeric)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(cell.rjust(width) if right else cell.ljust(width) for cell, width, right in zip(row, widths, numeric)).rstrip() for row in cells]
    if table.legend:
        lines += [""] + [terminal_text(line, one_line=True) for line in table.legend]
    return "\n".join(lines)


def _equal_decimals(cells: list[list[str]], rows: Sequence[Sequence[Cell]], numeric: Sequence[bool]) -> None:
    """Give every number of a numeric column as many decimals as the longest (zeros added, so no
    value changes): ``89.96``, ``87.00``, ``85.80``, ``90.00``, not ``89.96``, ``87``, ``85.8``, ``90.0``.

    >>> cells = [["89.9600"], ["87"], ["≈85.8123"]]
    >>> _equal_decimals(cells, [[Decimal("89.9600")], [Decimal(87)], [Decimal("85.81234")]], [True])
    >>> cells
    [['89.9600'], ['87.0000'], ['≈85.8123']]
    """
    for column, is_numeric in enumerate(numeric):
        if not is_numeric:
            continue
        places = [len(row[column].partition(".")[2]) for row in cells]
        widest = max(places, default=0)
        if not widest:
            continue
        for row, cell, have in zip(cells, rows, places):
            if isinstance(cell[column], Decimal) and have < widest:
                row[column] += ("" if have else ".") + "0" * (widest - have)


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


# A spreadsheet takes a cell that starts with one of these for a formula (OWASP, "CSV Injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    r"""A text cell as a spreadsheet must get it: one that it would take for a formula gets a
    leading single quote, which Excel and LibreOffice show as text (OWASP's advice).

    >>> spreadsheet_text("=HYPERLINK(\"http://x\")"), spreadsheet_text("-5"), spreadsheet_text("Ý Yên")
    ('\'=HYPERLINK("http://x")', "'-5", 'Ý Yên')
    """
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_cell(cell: Cell) -> str:
    """A CSV cell: text from the input neutralised (:func:`spreadsheet_text`), numbers exact and
    untouched (a negative number stays a number)."""
    return spreadsheet_text(cell) if isinstance(cell, str) else _cell_text(cell)


#: A cell as a CSV results table writes it (for the scorers that make rows of cells themselves).
csv_text = csv_cell


def _terminal_escape(character: str) -> str:
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(character) or (f"\\x{ord(character):02x}" if ord(character) < 0x100 else f"\\u{ord(character):04x}")


# What a terminal obeys rather than shows: C0 controls (ESC starts its escape sequences), DEL,
# C1 controls (0x9b is a one-character CSI), and the bidirectional controls that reorder what is
# shown (U+202A-202E, U+2066-2069; the marks U+061C, U+200E, U+200F), plus the line separators.
_CONTROLS = "".join(map(chr, [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
_CONTROL_IN_LINE = re.compile(f"[{re.escape(_CONTROLS)}]")
_CONTROL_IN_TEXT = re.compile(f"[{re.escape(_CONTROLS.replace(chr(10), '').replace(chr(9), ''))}]")
_TERMINAL_ESCAPES = {ord(character): _terminal_escape(character) for character in _CONTROLS}


def terminal_text(text: str, *, one_line: bool = False) -> str:
    r"""Text made safe to print: every control character a terminal would obey (an ANSI escape
    sequence, a bidi override) shown as a visible escape instead. Newlines and tabs are kept
    unless ``one_line`` (a table cell).

    >>> print(terminal_text("a\x1b[2Jb\u202ec\nd"), terminal_text("x\ny", one_line=True))
    a\x1b[2Jb\u202ec
    d x\ny
    """
    pattern = _CONTROL_IN_LINE if one_line else _CONTROL_IN_TEXT
    if pattern.search(text) is None:  # the usual case: nothing to escape, no copy
        return text
    return pattern.sub(lambda match: _TERMINAL_ESCAPES[ord(match.group())], text)


# The characters JSON leaves as they are that a terminal would obey (json.dumps escapes C0).
_JSON_CONTROLS = re.compile(f"[{re.escape(''.join(c for c in _CONTROLS if ord(c) >= 0x20))}]")


def json_text(data: Any) -> str:
    """JSON, indented, UTF-8 text kept as it is, except the characters a terminal would obey,
    written as ``\\uXXXX`` (the same JSON: a program reads the same strings back)."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return _JSON_CONTROLS.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


# Markdown's markup and HTML: escaped with a backslash, so that a name cannot open a link, an
# image, raw HTML, code or a new cell.
_MARKDOWN = re.compile(r"[\\`*\[\]<>&|]")


def _md(text: str) -> str:
    return terminal_text(_MARKDOWN.sub(lambda match: "\\" + match.group(), text), one_line=True)


def _write_xlsx(table: Table, destination: IO[bytes]) -> None:
    import openpyxl  # imported here: it is slow to import and only .xlsx needs it

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("results")
    sheet.append([_xlsx_cell(sheet, name) for name in table.headers])
    for row in table.rows:
        sheet.append([_xlsx_cell(sheet, cell) for cell in row])
    if table.legend:
        legend = workbook.create_sheet("legend")
        for line in table.legend:
            legend.append([_xlsx_cell(legend, line)])
    workbook.save(destination)


def _xlsx_cell(sheet: Any, cell: Cell) -> Any:
    """A number as a number; text as a text cell (never a formula, whatever it starts with)."""
    if isinstance(cell, Decimal):
        if len(cell.normalize(EXACT).as_tuple().digits) <= 15:
            return cell
        cell = format_decimal(cell)  # Excel keeps 15 significant digits: longer goes in as text
    if not isinstance(cell, str):
        return cell
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # XML cannot hold most C0 controls (openpyxl refuses them): they are written as escapes.
    written = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub(lambda match: _TERMINAL_ESCAPES[ord(match.group())], cell))
    written.data_type = "s"  # openpyxl makes a formula of any text that starts with "="
    written.quotePrefix = cell.startswith(_FORMULA_STARTS)  # Excel keeps it text when edited too
    return written


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
