"""Self-assessment workbooks: a form a unit fills in (``par-rules form``), and reading it back.

A form is an ``.xlsx`` workbook with one sheet per unit. Each sheet shows the criteria tree in
Vietnamese, every node with its maximum and how it is scored in words, and has:

- the unit, its name, the assessment year and the group on top;
- one input cell per input indicator (column E), with Excel data validation: a drop-down for
  levels and yes/no, whole or decimal bounds for counts, percentages, numbers and points; a
  survey gets one row (and cell) per answer option;
- on every node row, the self-assessed points (column F, ``self_assessed``) and the evidence
  ("tài liệu kiểm chứng", column G, kept in the workbook only);
- the sheet protected, with only the input cells unlocked (no password: the office may edit).

A hidden sheet (:data:`MARKER_SHEET`, also named by the defined name :data:`MARKER_NAME`)
records the methodology id and version, the layout (which row holds which node, indicator or
answer option), the drop-down lists and a fingerprint of all of it. :func:`read_form` (called by
:func:`par_rules.files.read_records` for any workbook with that sheet) reads each unit sheet back
as one record, refusing with a :class:`~par_rules.RecordError` naming the sheet and cell a form
whose layout was edited, whose marker was changed, or that was written for another methodology
or version.

Numbers are never rounded on the way: a value goes in as a number cell only when Excel's double
holds it exactly (``Decimal(repr(float(x))) == x`` with at most 15 significant digits, which
every value Excel itself can hold satisfies), otherwise as text; read back, a number cell's
double is turned into the shortest decimal that gives it, which is the value written. So a form
written from records and read back scores exactly as the records did.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engine._arithmetic import format_decimal as fmt
from ..errors import ParRulesError, Problem, RecordError
from ..engine._model import Indicator, Methodology, Node
from ..engine._record import Catalogue, coerce_number
from ..engine._rules import interval_vi
from .._i18n import gettext as _
from .._lazy import name_home

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["MARKER_SHEET", "MARKER_NAME", "write_form", "form_workbook", "read_form", "is_form", "rule_in_vietnamese", "safe_text"]

MARKER_SHEET = "_par_rules_form"
MARKER_NAME = "PAR_RULES_FORM"
FORM_FORMAT = 1

# The columns of a unit sheet.
KEY_COLUMN, LABEL_COLUMN, MAX_COLUMN, HOW_COLUMN, VALUE_COLUMN, SELF_COLUMN, EVIDENCE_COLUMN = "ABCDEFG"
HEADERS = ("Mã", "Tiêu chí, tiêu chí thành phần, chỉ số", "Điểm tối đa", "Cách chấm điểm / giá trị hợp lệ", "Giá trị", "Điểm tự chấm", "Tài liệu kiểm chứng")
HEADER_ROW = 6
FIRST_ROW = HEADER_ROW + 1
# The cells on top: (label cell, label, input cell, record key).
TOP_CELLS = (
    ("A3", "Mã đơn vị:", "B3", "unit"),
    ("D3", "Tên đơn vị:", "E3", "name"),
    ("A4", "Kỳ đánh giá (năm):", "B4", "period"),
    ("D4", "Nhóm:", "E4", "group"),
)
_YES, _NO = "có", "không"
_MAX_EXACT_DIGITS = 15  # what an Excel number cell keeps
_EVIDENCE_LENGTH = 2000
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


# --------------------------------------------------------------------------- the layout


@dataclass(frozen=True)
class Line:
    """One row of the criteria table: a node, an indicator's value, or one survey answer."""

    kind: str  # "node", "value" or "option"
    key: str  # node id, indicator id, or "indicator.option"
    row: int


@dataclass(frozen=True)
class Layout:
    """Where everything is on a unit sheet, and the drop-down lists (choice shown → value)."""

    methodology_id: str
    version: str
    lines: tuple[Line, ...]
    choices: Mapping[str, tuple[tuple[str, str], ...]]  # indicator id -> (shown, value) pairs

    @property
    def fingerprint(self) -> str:
        lines = [[line.kind, line.key, line.row] for line in self.lines]
        choices = sorted((key, list(map(list, pairs))) for key, pairs in self.choices.items())
        data = [FORM_FORMAT, self.methodology_id, self.version, lines, choices, HEADERS, TOP_CELLS]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def layout(methodology: Methodology) -> Layout:
    """The layout of a form for ``methodology``: the tree in order, each input indicator right
    after the first leaf that reads it (directly, or through a formula), the rest at the end."""
    inputs = [key for key, indicator in methodology.indicators.items() if not indicator.derived]
    placed: set[str] = set()
    lines: list[Line] = []
    row = FIRST_ROW

    def add(kind: str, key: str) -> None:
        nonlocal row
        lines.append(Line(kind, key, row))
        row += 1

    def place(indicator_id: str) -> None:
        indicator = methodology.indicators.get(indicator_id)
        if indicator is None or indicator_id in placed:
            return
        placed.add(indicator_id)
        if indicator.derived:
            for name in indicator.formula.names if indicator.formula else ():
                place(name)
            return
        if indicator.type == "answers":
            for option in indicator.options:
                add("option", f"{indicator_id}.{option}")
        else:
            add("value", indicator_id)

    for node in methodology.nodes():
        add("node", node.id)
        if node.rule is not None:
            for name in node.rule.inputs:
                place(name)
    for key in inputs:
        place(key)
    choices = {key: _choices(indicator) for key, indicator in methodology.indicators.items() if indicator.type in ("level", "boolean") and not indicator.derived}
    return Layout(methodology.id, methodology.version, tuple(lines), choices)


def _choices(indicator: Indicator) -> tuple[tuple[str, str], ...]:
    """What a drop-down shows and the value each choice stands for: a level's label when the
    labels tell the levels apart (else its id), có/không for yes/no."""
    if indicator.type == "boolean":
        return ((_YES, _YES), (_NO, _NO))
    labels = {level: (label or "").strip() for level, label in indicator.levels.items()}
    distinct = all(labels.values()) and len(set(labels.values())) == len(labels)
    if distinct and not any(label in labels and label != level for level, label in labels.items()):
        return tuple((label, level) for level, label in labels.items())
    return tuple((level, level) for level in indicator.levels)


# --------------------------------------------------------------------------- words


def rule_in_vietnamese(node: Node, indicators: Mapping[str, Indicator]) -> str:
    """How a node is scored, in Vietnamese words.

    >>> from par_rules import load
    >>> m = load("example/par-index/district", year=2024)
    >>> rule_in_vietnamese(m.node("1.1.2"), m.indicators)
    'trên 90%: 2 điểm; từ 70% đến 90%: 1 điểm; dưới 70%: 0 điểm'
    >>> rule_in_vietnamese(m.node("1"), m.indicators)
    'tổng điểm các tiêu chí thành phần'
    """
    rule = node.rule
    if rule is None:
        return "trung bình có trọng số của các tiêu chí thành phần" if node.aggregate == "weighted_mean" else "tổng điểm các tiêu chí thành phần"
    return rule.describe_vi(node.max, indicators.get(rule.indicator) if rule.indicator else None)


def _indicator_vi(indicator: Indicator, option: str | None = None) -> str:
    """What an input cell takes, in Vietnamese."""
    if option is not None:
        return f"số phiếu trả lời «{indicator.options.get(option) or option}» (số nguyên, từ 0)"
    kind = indicator.type
    if kind == "boolean":
        return "chọn: có / không"
    if kind == "level":
        return "chọn một mức: " + "; ".join(f"{label or level}" for level, label in indicator.levels.items())
    what = {"percent": "tỷ lệ %", "count": "số nguyên", "ratio": "tỷ số", "number": "số"}.get(kind, "số")
    unit = indicator.unit_symbol.strip() if kind != "percent" else ""
    bounds = interval_vi(indicator.range, "%" if kind == "percent" else "")
    return f"{what}{f' ({unit})' if unit else ''}, {bounds}"


# --------------------------------------------------------------------------- writing


def safe_text(cell: Any, text: str) -> None:
    """Put text in a cell as text, never as a formula, whatever it starts with (``=``, ``+``,
    ``-``, ``@``, tab, CR): the cell is typed as a string and marked with Excel's quote prefix,
    so editing it keeps it text. The text itself is kept as written."""
    cell.value = text
    cell.data_type = "s"
    if text.startswith(_FORMULA_STARTS):
        cell.quotePrefix = True


def exact_number_cell(value: Decimal) -> int | float | str:
    """What to put in a cell for an exact number: an int or float when Excel's double holds it
    exactly, else its exact text.

    >>> exact_number_cell(Decimal("88.9")), exact_number_cell(Decimal("3343")), exact_number_cell(Decimal("0.1234567890123456"))
    (88.9, 3343, '0.1234567890123456')
    """
    if not value.is_finite():
        return str(value)
    digits = value.normalize().as_tuple().digits
    if len(digits) <= _MAX_EXACT_DIGITS:
        if value == value.to_integral_value():
            return int(value)
        number = float(value)
        if Decimal(repr(number)) == value:
            return number
    return format(value, "f")


def _cell_number(value: Any) -> Any:
    """A number cell's value back as an exact Decimal (floats through their shortest repr)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return value  # an int is exact as it is


def _sheet_title(text: str, used: set[str]) -> str:
    """A worksheet name from a unit's id or name: no ``[]:*?/\\``, at most 31 characters, not
    starting or ending with an apostrophe, unique (case-insensitively, as Excel compares)."""
    base = "".join(ch for ch in text.translate(_SHEET_FORBIDDEN) if ch.isprintable()).strip().strip("'").strip() or "Đơn vị"
    if base.lower() in ("history", MARKER_SHEET.lower(), "_lists"):
        base = f"{base} (1)"
    title = base[:31]
    number = 2
    while title.lower() in used:
        suffix = f" ({number})"
        title = base[: 31 - len(suffix)] + suffix
        number += 1
    used.add(title.lower())
    return title


def form_workbook(methodology: Methodology, records: Iterable[Mapping[str, Any]] = ()) -> tuple[Workbook, list[Problem]]:
    """The form workbook: one sheet per record, pre-filled with its values (one blank sheet
    when there are none), and the problems met (values the form cannot hold: an unknown column,
    a value that is not of its indicator's kind), each naming the record's position."""
    import openpyxl  # imported here: slow to import, and only forms need it

    shape = layout(methodology)
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    problems: list[Problem] = []
    used: set[str] = set()
    records = list(records)
    styles = _Styles()
    for position, record in enumerate(records or [{}], start=1):
        title = _sheet_title(str(record.get("unit") or record.get("name") or ("Phiếu" if not records else f"Đơn vị {position}")), used)
        sheet = workbook.create_sheet(title)
        _write_sheet(sheet, methodology, shape, record, problems, position if records else None, styles)
    _write_marker(workbook, shape)
    return workbook, problems


def write_form(methodology: Methodology, path: str | os.PathLike[str], records: Iterable[Mapping[str, Any]] = ()) -> list[Problem]:
    """Write a form to ``path`` (see :func:`form_workbook`); the problems met are returned."""
    workbook, problems = form_workbook(methodology, records)
    workbook.save(path)
    return problems


def _write_marker(workbook: Workbook, shape: Layout) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    marker = workbook.create_sheet(MARKER_SHEET)
    marker.sheet_state = "veryHidden"
    for row in ((_("par_rules form"), FORM_FORMAT), ("methodology", shape.methodology_id), ("version", shape.version), ("fingerprint", shape.fingerprint), ("rows", len(shape.lines))):
        marker.append(row)
    for line in shape.lines:
        marker.append([line.kind, line.key, line.row])
    # The drop-down lists, one pair of columns each (shown, value), to the right of the layout.
    for position, (indicator_id, pairs) in enumerate(sorted(shape.choices.items())):
        column = 5 + 2 * position
        safe_text(marker.cell(row=1, column=column), indicator_id)
        for offset, (shown, value) in enumerate(pairs, start=2):
            safe_text(marker.cell(row=offset, column=column), shown)
            safe_text(marker.cell(row=offset, column=column + 1), value)
    workbook.defined_names[MARKER_NAME] = DefinedName(MARKER_NAME, attr_text=f"'{MARKER_SHEET}'!$A$1")


def _list_range(shape: Layout, indicator_id: str) -> str:
    from openpyxl.utils import get_column_letter

    position = sorted(shape.choices).index(indicator_id)
    column = get_column_letter(5 + 2 * position)
    return f"'{MARKER_SHEET}'!${column}$2:${column}${1 + len(shape.choices[indicator_id])}"


class _Styles:
    """Cell styles of one workbook, each built once: openpyxl looks a style up in the
    workbook's tables at every assignment, which costs more than the rest of the form; a built
    style is copied as its index array instead."""

    def __init__(self) -> None:
        self.built: dict[Any, Any] = {}

    def apply(self, cell: Any, key: Any, **attributes: Any) -> None:
        from copy import copy

        known = self.built.get(key)
        if known is not None:
            cell._style = copy(known)
            return
        for name, value in attributes.items():
            setattr(cell, name, value)
        self.built[key] = copy(cell._style)


def _write_sheet(sheet: Worksheet, methodology: Methodology, shape: Layout, record: Mapping[str, Any], problems: list[Problem], position: int | None, styles: _Styles) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.cell_range import MultiCellRange
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True)
    input_fill = PatternFill("solid", fgColor="FFF2CC")
    unlocked = Protection(locked=False)
    wrap = Alignment(wrap_text=True, vertical="top")
    safe_text(sheet["A1"], f"PHIẾU TỰ ĐÁNH GIÁ, CHẤM ĐIỂM — {methodology.title}")
    styles.apply(sheet["A1"], "title", font=Font(bold=True, size=13))
    safe_text(sheet["A2"], "Bộ chỉ số:")
    safe_text(sheet["B2"], f"{methodology.id} phiên bản {methodology.version}")
    validations: dict[str, DataValidation] = {}
    covered: dict[str, list[str]] = {}  # validation -> its cells, added at once (openpyxl's add is quadratic)

    def validation(name: str, **options: Any) -> str:
        if name not in validations:
            validations[name] = DataValidation(allow_blank=True, showErrorMessage=True, errorTitle="Giá trị không hợp lệ", **options)
            covered[name] = []
        return name

    def as_input(ref: str, rule: str) -> None:
        styles.apply(sheet[ref], "input", protection=unlocked, fill=input_fill)
        covered[rule].append(ref)

    catalogue = Catalogue(methodology.indicators)
    values = dict(record)
    for label_ref, label, input_ref, key in TOP_CELLS:
        safe_text(sheet[label_ref], label)
        styles.apply(sheet[label_ref], "bold", font=bold)
        value = values.pop(key, None)
        if key == "period":
            as_input(input_ref, validation("period", type="whole", operator="between", formula1="1900", formula2="2200", error="Năm đánh giá: một số nguyên, ví dụ 2024"))
            if value not in (None, ""):
                sheet[input_ref].value = int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else None
                if sheet[input_ref].value is None:
                    safe_text(sheet[input_ref], str(value))
        else:
            as_input(input_ref, validation("text", type="textLength", operator="lessThanOrEqual", formula1="200", error="Tối đa 200 ký tự"))
            if value not in (None, ""):
                safe_text(sheet[input_ref], str(value))
    for column, header in zip("ABCDEFG", HEADERS):
        safe_text(sheet[f"{column}{HEADER_ROW}"], header)
        styles.apply(sheet[f"{column}{HEADER_ROW}"], "header", font=bold, alignment=wrap)
    claimed = values.pop("self_assessed", None) or {}
    nodes = {node.id: node for node in methodology.nodes()}
    evidence_rule = validation("evidence", type="textLength", operator="lessThanOrEqual", formula1=str(_EVIDENCE_LENGTH), error=f"Tối đa {_EVIDENCE_LENGTH} ký tự")
    for line in shape.lines:
        row = line.row
        key_cell = sheet[f"{KEY_COLUMN}{row}"]
        safe_text(key_cell, line.key)
        if line.kind == "node":
            node = nodes[line.key]
            safe_text(sheet[f"{LABEL_COLUMN}{row}"], node.label)
            field = node.depth == 1
            styles.apply(sheet[f"{LABEL_COLUMN}{row}"], ("label", node.depth), alignment=Alignment(wrap_text=True, vertical="top", indent=2 * (node.depth - 1)), font=Font(bold=field))
            sheet[f"{MAX_COLUMN}{row}"].value = exact_number_cell(node.max)
            safe_text(sheet[f"{HOW_COLUMN}{row}"], rule_in_vietnamese(node, methodology.indicators))
            styles.apply(sheet[f"{HOW_COLUMN}{row}"], "wrap", alignment=wrap)
            if field:
                for column in "AC":
                    styles.apply(sheet[f"{column}{row}"], "bold", font=bold)
            points_rule = validation(f"self:{fmt(node.max)}", type="decimal", operator="between", formula1="0", formula2=_formula_number(node.max), error=f"Điểm tự chấm: từ 0 đến {fmt(node.max)}")
            as_input(f"{SELF_COLUMN}{row}", points_rule)
            as_input(f"{EVIDENCE_COLUMN}{row}", evidence_rule)
            if line.key in claimed and claimed[line.key] not in (None, ""):
                _put_number(sheet[f"{SELF_COLUMN}{row}"], claimed[line.key])
            continue
        indicator_id, _unused, option = line.key.partition(".") if line.kind == "option" else (line.key, "", "")
        indicator = methodology.indicators[indicator_id]
        safe_text(sheet[f"{LABEL_COLUMN}{row}"], indicator.label + (f" — {indicator.options.get(option) or option}" if option else ""))
        styles.apply(sheet[f"{LABEL_COLUMN}{row}"], "input label", alignment=wrap, font=Font(italic=True))
        safe_text(sheet[f"{HOW_COLUMN}{row}"], _indicator_vi(indicator, option or None))
        styles.apply(sheet[f"{HOW_COLUMN}{row}"], "wrap", alignment=wrap)
        ref = f"{VALUE_COLUMN}{row}"
        as_input(ref, _value_validation(validation, shape, indicator, indicator_id, bool(option)))
        raw = values.get(indicator_id)
        if option:
            raw = raw.get(option) if isinstance(raw, Mapping) else None
        if raw is not None and raw != "":
            _put_value(sheet[ref], indicator, raw, catalogue, option, problems, position)
    for key in values:
        if key not in methodology.indicators:
            message = _("column {key!r} is not an input of {id}@{version}: left out of the form").format(key=key, id=methodology.id, version=methodology.version)
            problems.append(Problem(message, indicator=str(key), row=position))
        elif methodology.indicators[key].derived and values[key] not in (None, ""):
            problems.append(Problem(_("is computed by the methodology's formula: left out of the form"), indicator=str(key), row=position))
    for name, rule in validations.items():
        rule.sqref = MultiCellRange(" ".join(covered[name]))
        sheet.add_data_validation(rule)
    for column, width in zip("ABCDEFG", (10, 60, 10, 50, 14, 14, 40)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = f"A{FIRST_ROW}"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # the unit may widen columns and rows
    sheet.protection.formatRows = False


def _formula_number(value: Decimal) -> str:
    return format(value, "f")


def _value_validation(validation: Any, shape: Layout, indicator: Indicator, indicator_id: str, option: bool) -> Any:
    if option:
        return validation("answers", type="whole", operator="greaterThanOrEqual", formula1="0", error="Số phiếu: số nguyên, từ 0")
    if indicator.type in ("level", "boolean"):
        return validation(f"list:{indicator_id}", type="list", formula1=_list_range(shape, indicator_id), error="Chọn một giá trị trong danh sách")
    kind = "whole" if indicator.type == "count" else "decimal"
    low, high = indicator.range.low, indicator.range.high
    message = f"{_indicator_vi(indicator)}"
    if low is not None and high is not None:
        return validation(f"{kind}:{low}:{high}", type=kind, operator="between", formula1=_formula_number(low), formula2=_formula_number(high), error=message)
    if low is not None:
        return validation(f"{kind}:{low}:", type=kind, operator="greaterThanOrEqual", formula1=_formula_number(low), error=message)
    if high is not None:
        return validation(f"{kind}::{high}", type=kind, operator="lessThanOrEqual", formula1=_formula_number(high), error=message)
    return validation(f"{kind}::", type=kind, operator="between", formula1="-1000000000000000", formula2="1000000000000000", error=message)


def _put_number(cell: Any, raw: Any) -> None:
    try:
        number = coerce_number(raw) if not isinstance(raw, bool) else None
    except (ValueError, TypeError):
        number = None
    if number is None:
        safe_text(cell, str(raw))
    else:
        value = exact_number_cell(number)
        if isinstance(value, str):
            safe_text(cell, value)
        else:
            cell.value = value


def _put_value(cell: Any, indicator: Indicator, raw: Any, catalogue: Catalogue, option: str, problems: list[Problem], position: int | None) -> None:
    """A record's value in its input cell, in the form's own spelling (the drop-down's choice, an
    exact number); a value its indicator refuses is written as it is, and reported."""
    if option:
        _put_number(cell, raw)
        return
    reader = catalogue.readers[indicator.id]
    try:
        value = reader(raw) if reader is not None else raw
    except (ValueError, TypeError) as error:
        problems.append(Problem(str(error), indicator=indicator.id, row=position))
        safe_text(cell, str(raw))
        return
    if indicator.type == "boolean":
        safe_text(cell, _YES if value else _NO)
    elif indicator.type == "level":
        shown = {level: text for text, level in _choices(indicator)}
        safe_text(cell, shown[value])
    else:
        number = exact_number_cell(value)
        if isinstance(number, str):
            safe_text(cell, number)
        else:
            cell.value = number


# --------------------------------------------------------------------------- reading


def is_form(sheetnames: Sequence[str]) -> bool:
    """Whether a workbook with these sheets is a par_rules form."""
    return MARKER_SHEET in sheetnames


def read_form(path: str | os.PathLike[str], *, sheet: str | None = None, methodology: Methodology | str | None = None) -> Iterator[tuple[int, Any]]:
    """The records of a filled form, one per unit sheet, as ``(position, record)`` pairs (a
    sheet that cannot be read comes as ``(position, RecordError)``, each problem naming the sheet
    and cell). ``methodology``, when given, is the one the records will be scored under: a form
    written for another methodology or version is refused."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as error:
        raise RecordError([Problem(_("not a readable .xlsx workbook: {error}").format(error=error), file=str(path))]) from None
    return read_form_workbook(workbook, path, sheet, methodology)


def read_form_workbook(workbook: Any, path: Path, sheet: str | None, methodology: Methodology | str | None) -> Iterator[tuple[int, Any]]:
    """:func:`read_form` on an open workbook (closed when done); called by
    :func:`par_rules.files.read_records` for a workbook that :func:`is_form`."""
    try:
        grids = {name: _grid(workbook[name]) for name in workbook.sheetnames}
    finally:
        workbook.close()
    shape = _marker_layout(grids[MARKER_SHEET], path)
    titles = [name for name in grids if name != MARKER_SHEET]
    if sheet is not None:
        if sheet not in titles:
            raise RecordError([Problem(_("no unit sheet {sheet!r} in this form (sheets: {titles})").format(sheet=sheet, titles=', '.join(titles)), file=str(path))])
        titles = [sheet]
    known = _methodology_for(shape, methodology, path, titles[0] if titles else MARKER_SHEET)
    return _records(grids, titles, shape, known, methodology, path)


def _grid(worksheet: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in worksheet.iter_rows(values_only=True)]


def _at(grid: Sequence[Sequence[Any]], ref: str) -> Any:
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

    column, row = coordinate_from_string(ref)
    index = column_index_from_string(column) - 1
    if row - 1 < len(grid) and index < len(grid[row - 1]):
        return grid[row - 1][index]
    return None


def _marker_layout(grid: list[tuple[Any, ...]], path: Path) -> Layout:
    def broken(cell: str, what: str) -> RecordError:
        message = _("sheet '{MARKER_SHEET}' cell {cell}: {what}: the form's hidden marker was changed; write a new form with par-rules form").format(MARKER_SHEET=MARKER_SHEET, cell=cell, what=what)
        return RecordError([Problem(message, file=str(path))])

    if _at(grid, "A1") != "par_rules form":
        raise broken("A1", _("not a par_rules form marker"))
    if _at(grid, "B1") != FORM_FORMAT:
        raise broken("B1", _("form format {grid!r}, this par_rules reads format {FORM_FORMAT}").format(grid=_at(grid, 'B1'), FORM_FORMAT=FORM_FORMAT))
    methodology_id, version, fingerprint, count = (_at(grid, f"B{row}") for row in (2, 3, 4, 5))
    if not isinstance(methodology_id, str) or not isinstance(version, (str, int)) or not isinstance(count, int):
        raise broken("B2", _("the methodology, version or row count is missing"))
    lines = []
    for row in range(6, 6 + count):
        kind, key, at = (_at(grid, f"{column}{row}") for column in "ABC")
        if kind not in ("node", "value", "option") or not isinstance(key, str) or not isinstance(at, int):
            raise broken(f"A{row}", _("a layout row is damaged"))
        lines.append(Line(kind, key, at))
    choices: dict[str, tuple[tuple[str, str], ...]] = {}
    column = 5
    while isinstance(_at(grid, _ref(column, 1)), str):
        pairs = []
        row = 2
        while _at(grid, _ref(column, row)) is not None:
            pairs.append((str(_at(grid, _ref(column, row))), str(_at(grid, _ref(column + 1, row)))))
            row += 1
        choices[_at(grid, _ref(column, 1))] = tuple(pairs)
        column += 2
    shape = Layout(methodology_id, str(version), tuple(lines), choices)
    if shape.fingerprint != fingerprint:
        raise broken("B4", _("the layout does not match its fingerprint"))
    return shape


def _ref(column: int, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column)}{row}"


def _methodology_for(shape: Layout, methodology: Methodology | str | None, path: Path, first_sheet: str) -> Methodology | None:
    """The methodology to check the cells against: the one given, which must be the form's, or
    the form's own when it can be found (shipped, by id and version)."""
    where = f"sheet '{first_sheet}' cell B2"
    written_for = f"{shape.methodology_id}@{shape.version}"
    chosen: Methodology
    if isinstance(methodology, Methodology):
        if (methodology.id, methodology.version) != (shape.methodology_id, shape.version):
            message = _("{where}: this form was written for {written_for}, not {id}@{version}: write a form for the methodology you score with (par-rules form)").format(
                where=where, written_for=written_for, id=methodology.id, version=methodology.version
            )
            raise RecordError([Problem(message, file=str(path))])
        chosen = methodology
    else:
        if isinstance(methodology, str) and methodology != shape.methodology_id:
            message = _("{where}: this form was written for {written_for}, not for {methodology}").format(where=where, written_for=written_for, methodology=methodology)
            raise RecordError([Problem(message, file=str(path))])
        from ..engine._api import load

        try:
            chosen = load(shape.methodology_id, version=shape.version)
        except (ParRulesError, OSError, TypeError, ValueError):
            return None  # a methodology of the user's own: the cells are checked when scored
    if layout(chosen).fingerprint != shape.fingerprint:
        message = _("{where}: this form was written for a {written_for} whose criteria or indicators differ from the file now loaded: write a new form").format(where=where, written_for=written_for)
        raise RecordError([Problem(message, file=str(path))])
    return chosen


def _records(grids: Mapping[str, list[tuple[Any, ...]]], titles: Sequence[str], shape: Layout, known: Methodology | None, given: Methodology | str | None, path: Path) -> Iterator[tuple[int, Any]]:
    readers = Catalogue(known.indicators).readers if known is not None else {}
    lookups = {key: dict(pairs) for key, pairs in shape.choices.items()}
    for position, title in enumerate(titles, start=1):
        grid = grids[title]
        problems: list[Problem] = []

        def problem(ref: str, message: str, indicator: str | None = None) -> None:
            problems.append(Problem(_("sheet '{title}' cell {ref}: {message}").format(title=title, ref=ref, message=message), file=str(path), indicator=indicator, row=position))  # noqa: B023 - called in this iteration only

        _check_sheet_layout(grid, shape, problem)
        if problems:
            yield position, RecordError(problems)
            continue
        record: dict[str, Any] = {}
        for _unused, _unused, ref, key in TOP_CELLS:
            value = _at(grid, ref)
            if isinstance(value, (datetime, date, time)):
                problem(ref, (_("a date or time ({value}) where a year is expected") if key == "period" else _("a date or time ({value}) where a text is expected")).format(value=value), key)
            elif value is not None and not (isinstance(value, str) and not value.strip()):
                record[key] = _text(value) if isinstance(value, str) else _cell_number(value)
        claimed: dict[str, Any] = {}
        for line in shape.lines:
            ref = f"{SELF_COLUMN if line.kind == 'node' else VALUE_COLUMN}{line.row}"
            value = _at(grid, ref)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if isinstance(value, (datetime, date, time)):
                problem(ref, _("a date or time ({value}) where a number or text is expected").format(value=value), None if line.kind == "node" else line.key)
                continue
            value = _text(value) if isinstance(value, str) else _cell_number(value)
            if line.kind == "node":
                try:
                    coerce_number(value)
                except (ValueError, TypeError) as error:
                    problem(ref, _("self-assessed points of node {key}: {error}").format(key=line.key, error=error))
                    continue
                claimed[line.key] = value
            elif line.kind == "option":
                indicator_id, _unused, option = line.key.partition(".")
                record.setdefault(indicator_id, {})[option] = value
            else:
                if isinstance(value, str) and line.key in lookups:
                    value = lookups[line.key].get(value, value)
                record[line.key] = value
        for key, read in readers.items():
            if read is None or key not in record:
                continue
            try:
                read(record[key])
            except (ValueError, TypeError) as error:
                rows = [line for line in shape.lines if line.key == key or line.key.startswith(f"{key}.")]
                problem(f"{VALUE_COLUMN}{rows[0].row}" if rows else "?", str(error), key)
        if known is not None:
            for key in Catalogue(known.indicators).required:
                if key not in record:
                    rows = [line for line in shape.lines if line.key == key or line.key.startswith(f"{key}.")]
                    problem(f"{VALUE_COLUMN}{rows[0].row}" if rows else "?", _("missing value ({label})").format(label=known.indicators[key].label), key)
        if isinstance(given, str) and not problems:
            problems += _period_problems(record, shape, given, title, path, position)
        if claimed:
            record["self_assessed"] = claimed
        yield position, (RecordError(problems) if problems else record)


def _check_sheet_layout(grid: Sequence[Sequence[Any]], shape: Layout, problem: Any) -> None:
    """Every label and key where the form put it: the first cell that differs is named."""
    expected = [(label_ref, label) for label_ref, label, _unused, _unused in TOP_CELLS]
    expected += [(f"{column}{HEADER_ROW}", header) for column, header in zip("ABCDEFG", HEADERS)]
    expected += [(f"{KEY_COLUMN}{line.row}", line.key) for line in shape.lines]
    last = shape.lines[-1].row if shape.lines else HEADER_ROW
    for ref, text in expected:
        found = _at(grid, ref)
        if (found if not isinstance(found, str) else _text(found)) != text:
            changed = _("expected {text!r}, found {found!r}: the form's layout was changed (rows or columns inserted, moved or deleted); fill in a form written by par-rules form without changing its layout")  # noqa: E501 - one msgid, kept whole for the catalogues
            problem(ref, changed.format(text=text, found=found))
            return
    for row in range(last + 1, len(grid) + 1):
        if any(cell is not None and not (isinstance(cell, str) and not cell.strip()) for cell in grid[row - 1][:7]):
            problem(f"A{row}", _("a row below the form's last row is filled in: the form's layout was changed"))
            return


def _period_problems(record: Mapping[str, Any], shape: Layout, methodology_id: str, title: str, path: Path, position: int) -> list[Problem]:
    """Scored by id, a record is scored under the version in force for its period: that must be
    the version the form was written for."""
    from ..engine._api import load

    period = record.get("period")
    try:
        year = int(period) if period is not None else None
        chosen = load(methodology_id, year=year)
    except (ParRulesError, OSError, ValueError, TypeError):
        return []  # the period's own problem is reported when the record is scored
    if chosen.version != shape.version:
        message = _("sheet '{title}' cell {TOP_CELLS}: the period {period} is scored under {methodology_id}@{version}, but this form was written for version {version2}").format(
            title=title, TOP_CELLS=TOP_CELLS[2][2], period=period, methodology_id=methodology_id, version=chosen.version, version2=shape.version
        )
        return [Problem(message, file=str(path), indicator="period", row=position)]
    return []


def _text(value: str) -> str:
    import unicodedata

    text = value.strip()
    return text if text.isascii() else unicodedata.normalize("NFC", text)


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
