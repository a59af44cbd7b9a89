"""Surveys from questionnaires: a respondents file (one row per questionnaire, one column per
question) turned into the unit-level answer counts that ``survey`` rules take.

A methodology declares how in its ``survey`` section (see ``docs/format.md``)::

    survey:
      unit_column: unit              # the column naming the unit a questionnaire is about
      group_column: group            # the respondent's group, when groups are declared
      groups:
        citizens: {label: Người dân, weight: 60, provenance: illustrative}
        leaders: {label: Lãnh đạo xã, weight: 40, provenance: illustrative}
      questions:
        - {column: q1, indicator: satisfaction, answers: {"1": D, "2": C, "3": B, "4": A}}
        - {column: q2, indicator: leaders_rating, groups: [leaders]}

:func:`aggregate_survey` reads the file row by row (CSV, JSON Lines and ``.xlsx`` are streamed:
memory grows with the number of units, never with the number of questionnaires) and counts, per
unit and question, the answers of each option. A questionnaire that cannot be used — no unit, a
unit not in the list given, an unknown group, an answer that is not one of the question's codes,
a blank answer (unless ``blank: skip``), a question its group is not asked, nothing answered at
all — is reported with its row number and every problem in it, and left out; every other one is
counted.

**Weights.** Without weights, a unit's counts are the answers as given. With weights, each group
weighs its weight whatever its number of respondents: the count of option *o* is proportional to
``Σ_g weight_g × answers_g,o / respondents_g`` (the groups that answered the question at that
unit). Those proportions are written as the smallest whole numbers that keep them exactly, so
that the ``survey`` rule (``Σ count × option weight / Σ count``) gives the weighted mean of the
groups' means with no rounding; only their proportions mean anything. A unit whose exact counts
would need more than 15 digits is reported, not rounded.

>>> from par_rules import load
>>> sipas = load("vn/moha/sipas", version="2017")
>>> rows = [{"unit": "x", "tiep_can": "5", "thu_tuc": "4", "cong_chuc": "4", "ket_qua": "3", "gop_y": "5"},
...         {"unit": "x", "tiep_can": "2", "thu_tuc": "4", "cong_chuc": "9", "ket_qua": "3", "gop_y": "5"}]
>>> counts = aggregate_survey(sipas, rows, period=2019)
>>> counts.records[0]["access"]
{'very_satisfied': 1, 'satisfied': 0, 'neutral': 0, 'dissatisfied': 0, 'very_dissatisfied': 0}
>>> print(counts.problems[0])
1 problem in the record:
  row 2: indicator cong_chuc: answer '9' is not one of 5, 4, 3, 2, 1
"""


from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..engine._arithmetic import format_decimal
from ..engine._survey_section import SurveySection, survey_text
from ..errors import Problem, RecordError
from .._i18n import gettext as _
from .._lazy import name_home

if TYPE_CHECKING:
    from ..engine._model import Methodology
    from ..formats._files import Table

__all__ = ["SurveyCounts", "aggregate_survey", "counts_table"]

#: Exact counts must be written with at most this many digits (the bound records accept).
_MAX_COUNT = 10**15


@dataclass(frozen=True)
class SurveyCounts:
    """What :func:`aggregate_survey` found: one record per unit, the questionnaires refused."""

    methodology: Methodology
    records: tuple[dict[str, Any], ...]  # {"unit", "period"?, indicator: {option: count}}
    respondents: Mapping[str, Mapping[str | None, int]]  # unit -> group (None: no groups) -> questionnaires counted
    problems: tuple[RecordError, ...]  # one per questionnaire refused, with its row
    rows: int  # questionnaires read (blank rows are not questionnaires)
    notes: tuple[str, ...] = ()
    unit_problems: tuple[RecordError, ...] = ()  # answers of a unit that could not be written exactly

    @property
    def counted(self) -> int:
        return self.rows - len(self.problems)

    def summary(self) -> str:
        units = len(self.records)
        refused = [str(error.problems[0].row) for error in self.problems if error.problems and error.problems[0].row is not None]
        text = _("{counted} of {rows} questionnaire(s) counted for {units} unit(s)").format(counted=self.counted, rows=self.rows, units=units)
        if refused:
            shown = ", ".join(refused[:20]) + (f" and {len(refused) - 20} more" if len(refused) > 20 else "")
            text += _("; refused: row(s) {shown}").format(shown=shown)
        return text


def _cell(value: Any) -> str | None:
    """A cell as text ('' and None: blank); a whole number read from a spreadsheet as its digits."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, Decimal, float)):
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if number.is_finite() and number == number.to_integral_value():
            return str(int(number))
        return format_decimal(number)
    if isinstance(value, str):
        text = survey_text(value)
        return text or None
    return str(value)


def _header_of(path: Path, sheet: str | None) -> list[str] | None:
    """The column names of a CSV or .xlsx file's first row (None for other files, or when the
    file cannot be read: reading it for its rows then reports why)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            import csv

            with path.open(encoding="utf-8-sig", newline="") as handle:
                first = handle.readline()
            return [survey_text(name) for name in next(csv.reader([first], delimiter=max(",;\t", key=first.count)), [])]
        if suffix == ".xlsx":
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True, data_only=True)
            try:
                worksheet = book[sheet] if sheet is not None else book.worksheets[0]
                row = next(worksheet.iter_rows(max_row=1, values_only=True), ())
            finally:
                book.close()
            return [survey_text(str(cell)) for cell in row if cell is not None]
    except (OSError, UnicodeDecodeError, KeyError, IndexError, ValueError):
        return None
    except Exception:  # noqa: BLE001 - a damaged workbook raises whatever its zip and XML layers raise; reading its rows reports it
        return None
    return None


def _check_columns(section: SurveySection, path: Path, sheet: str | None) -> list[str]:
    """Refuse a file none of whose columns are the survey's questions (the wrong methodology or
    version, say) or without its unit column; the notes name the question columns it lacks."""
    header = _header_of(path, sheet)
    if header is None:
        return []
    present = set(header) | {name.lower() for name in header}
    missing = [question.column for question in section.questions if question.column not in present]
    problems = []
    if section.unit_column not in present:
        problems.append(Problem(_("no {unit_column} column: it names the unit each questionnaire is about").format(unit_column=section.unit_column), file=str(path), line=1))
    if section.group_column is not None and section.group_column not in present:
        problems.append(Problem(_("no {group_column} column: it names each respondent's group").format(group_column=section.group_column), file=str(path), line=1))
    if len(missing) == len(section.questions):
        expected = ", ".join(question.column for question in section.questions)
        message = _("none of the question columns ({expected}) is in the file: is it the methodology (or version) its questionnaires were made for?").format(expected=expected)
        problems.append(Problem(message, file=str(path), line=1))
    if problems:
        raise RecordError(problems)
    return [_("column {column} is not in the file: no questionnaire answers it").format(column=column) for column in missing]


def _rows(respondents: str | os.PathLike[str] | Iterable[Any], sheet: str | None) -> Iterator[tuple[int, object]]:
    if isinstance(respondents, (str, os.PathLike)):
        from ..formats._files import read_records  # here: only reading a file needs it

        yield from read_records(Path(respondents), sheet=sheet)
        return
    for position, item in enumerate(respondents, start=1):
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], int):
            yield item
        else:
            yield position, item


def aggregate_survey(
    methodology: Methodology,
    respondents: str | os.PathLike[str] | Iterable[Any],
    *,
    units: Iterable[str] | None = None,
    period: int | None = None,
    sheet: str | None = None,
) -> SurveyCounts:
    """Count the answers of a respondents file per unit, as the methodology's ``survey`` section
    says; see the module's documentation.

    ``respondents`` is a file (CSV, JSON Lines, JSON, YAML or ``.xlsx``; ``sheet`` names the
    worksheet) or an iterable of rows (mappings, or ``(row number, mapping)`` pairs). ``units``,
    when given, lists the units a questionnaire may name; ``period`` is written into each record
    (a row's own ``period``/``year`` column, when it has one, must agree with it).

    A file that cannot be read at all raises :class:`~par_rules.RecordError`; a methodology with
    no ``survey`` section raises :class:`~par_rules.MethodologyNotFound`.
    """
    from ..errors import MethodologyNotFound

    section: SurveySection | None = getattr(methodology, "survey", None)
    if section is None:
        raise MethodologyNotFound(_("{id}@{version} has no survey section: it does not say how questionnaires are counted").format(id=methodology.id, version=methodology.version))
    known = None if units is None else frozenset(units)
    header_notes = _check_columns(section, Path(respondents), sheet) if isinstance(respondents, (str, os.PathLike)) else []
    # unit -> question column -> group -> option -> answers
    tallies: dict[str, dict[str, dict[str | None, dict[str, int]]]] = {}
    respondents_of: dict[str, dict[str | None, int]] = {}
    answered: set[str] = set()
    problems: list[RecordError] = []
    rows = 0
    for row, item in _rows(respondents, sheet):
        rows += 1
        if isinstance(item, RecordError):
            problems.append(item)
            continue
        if not isinstance(item, Mapping):
            problems.append(RecordError([Problem(_("a questionnaire must be a mapping of column to answer"), row=row)]))
            continue
        found, unit, group, answers = _read_questionnaire(section, item, row, known, period)
        if found:
            problems.append(RecordError(found))
            continue
        unit_tally = tallies.setdefault(unit, {})
        for column, option in answers.items():
            counts = unit_tally.setdefault(column, {}).setdefault(group, {})
            counts[option] = counts.get(option, 0) + 1
            answered.add(column)
        group_counts = respondents_of.setdefault(unit, {})
        group_counts[group] = group_counts.get(group, 0) + 1
    records = []
    unit_problems: list[RecordError] = []
    unanswered = [question.column for question in section.questions if question.column not in answered and rows]
    notes = header_notes or [_("question {column} was not answered in any questionnaire counted: is the column in the file?").format(column=column) for column in unanswered]
    indicators = methodology.indicators
    for unit in sorted(tallies):
        record: dict[str, Any] = {"unit": unit}
        if period is not None:
            record["period"] = period
        for question in section.questions:
            options = indicators[question.indicator].options
            by_group = tallies[unit].get(question.column)
            if not by_group:
                continue  # no answers: the indicator is missing for this unit (its policy applies)
            written: dict[str, int] | None = _weighted(section, by_group, options) if section.weighted else {option: sum(g.get(option, 0) for g in by_group.values()) for option in options}
            if written is None:
                message = _("unit {unit}: the weighted answers of question {column} cannot be written exactly within 15 digits: left out (the indicator is missing for this unit)").format(
                    unit=unit, column=question.column
                )
                unit_problems.append(RecordError([Problem(message, indicator=question.indicator)]))
                continue
            record[question.indicator] = written
        records.append(record)
    return SurveyCounts(
        methodology=methodology, records=tuple(records),
        respondents=MappingProxyType({unit: MappingProxyType(groups) for unit, groups in sorted(respondents_of.items())}),
        problems=tuple(problems), rows=rows, notes=tuple(notes), unit_problems=tuple(unit_problems),
    )


def _read_questionnaire(section: SurveySection, item: Mapping[str, Any], row: int, known: frozenset[str] | None, period: int | None) -> tuple[list[Problem], str, str | None, dict[str, str]]:
    """The problems of one questionnaire, or its unit, group and answers (column -> option)."""
    found: list[Problem] = []
    unit = _cell(item.get(section.unit_column))
    if unit is None:
        found.append(Problem(_("no unit: the {unit_column} column is blank").format(unit_column=section.unit_column), row=row, indicator=section.unit_column))
    elif known is not None and unit not in known:
        found.append(Problem(_("unknown unit {unit!r}: not one of the units given").format(unit=unit), row=row, indicator=section.unit_column))
    group = None
    if section.group_column is not None:
        group = _cell(item.get(section.group_column))
        if group is None:
            found.append(Problem(_("no respondent group: the {group_column} column is blank").format(group_column=section.group_column), row=row, indicator=section.group_column))
        elif group not in section.groups:
            found.append(Problem(_("unknown respondent group {group!r} (groups: {groups})").format(group=group, groups=', '.join(section.groups)), row=row, indicator=section.group_column))
            return found, unit or "", None, {}  # which questions it was asked is unknown: nothing more to say
    own_period = next((_cell(item[name]) for name in ("period", "year", "năm") if _cell(item.get(name)) is not None), None)
    if period is not None and own_period is not None and own_period != str(period):
        found.append(Problem(_("the questionnaire is of {own_period}, not {period}").format(own_period=own_period, period=period), row=row, indicator="period"))
    answers: dict[str, str] = {}
    blank = []
    for question in section.questions:
        code = _cell(item.get(question.column))
        if section.group_column is not None and not question.asked_of(group):
            if code is not None:
                message = _("answered, but question {column} is not asked of group {group} (only {groups})").format(column=question.column, group=group, groups=", ".join(question.groups or ()))
                found.append(Problem(message, row=row, indicator=question.column))
            continue
        if code is None:
            blank.append(question.column)
            continue
        option = question.answers.get(code)
        if option is None:
            found.append(Problem(_("answer {code!r} is not one of {answers}").format(code=code, answers=', '.join(question.answers)), row=row, indicator=question.column))
            continue
        answers[question.column] = option
    if not answers and not found:
        found.append(Problem(_("a blank questionnaire: no question is answered"), row=row))
    elif blank and section.blank == "reject":
        found.append(Problem(_("question(s) {blank} not answered (this methodology counts only complete questionnaires: blank: reject)").format(blank=', '.join(blank)), row=row))
    return found, unit or "", group, answers


def _weighted(section: SurveySection, by_group: Mapping[str | None, Mapping[str, int]], options: Iterable[str]) -> dict[str, int] | None:
    """Counts proportional to Σ weight × answers / respondents over the groups, as the smallest
    whole numbers that keep the proportions exactly; None if they need more than 15 digits."""
    shares = dict.fromkeys(options, Fraction(0))
    for group, counts in by_group.items():
        total = sum(counts.values())
        if not total:
            continue
        weight = Fraction(section.groups[group].weight) if group is not None else Fraction(1)  # type: ignore[arg-type]
        for option, count in counts.items():
            shares[option] += weight * count / total
    scale = math.lcm(*(share.denominator for share in shares.values()))
    whole = {option: int(share * scale) for option, share in shares.items()}
    divisor = math.gcd(*whole.values()) or 1
    whole = {option: value // divisor for option, value in whole.items()}
    if any(value >= _MAX_COUNT for value in whole.values()):
        return None
    return whole


def counts_table(counts: SurveyCounts) -> Table:
    """The counts in the wide layout that records files use: ``unit``, ``period``, one
    ``<indicator>.<option>`` column per answer option (what ``par-rules score`` reads)."""
    from ..formats._files import Table

    section = counts.methodology.survey
    if section is None:  # counts are made under a survey section (aggregate_survey checks it)
        raise ValueError(_("{id}@{version} has no survey section: it does not say how questionnaires are counted").format(id=counts.methodology.id, version=counts.methodology.version))
    indicators = counts.methodology.indicators
    columns = [(question.indicator, option) for question in section.questions for option in indicators[question.indicator].options]
    has_period = any("period" in record for record in counts.records)
    headers = ("unit",) + (("period",) if has_period else ()) + tuple(f"{indicator}.{option}" for indicator, option in columns)
    rows = []
    for record in counts.records:
        cells: tuple[Any, ...] = (record["unit"],) + ((record.get("period"),) if has_period else ())
        cells += tuple(record[indicator][option] if indicator in record else None for indicator, option in columns)
        rows.append(cells)
    legend = [_("<indicator>.<option>: answers of that option at the unit") + (_("; weighted by respondent group: only the proportions mean anything") if section.weighted else "")]
    return Table(headers, tuple(rows), tuple(legend))


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
