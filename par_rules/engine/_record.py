"""Records: the indicator values of one unit for one period, checked against the catalogue.

A record is a mapping of indicator ids to values. Four keys are reserved for what the record is
about: ``unit`` (an id), ``name``, ``period`` (the assessment year) and ``group`` (e.g. the
province a district belongs to, for ranking within a group). A fifth, ``self_assessed``, carries
the unit's own points per node id, to set against the appraisal (:mod:`par_rules.analysis`).

>>> Record.from_mapping({"unit": "truc-ninh", "period": "2023", "online_rate": "88,9"})
Record(values={'online_rate': '88,9'}, unit='truc-ninh', name=None, period=2023, group=None)
>>> coerce_number("88,9"), coerce_number("93.96%")
(Decimal('88.9'), Decimal('93.96'))
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from ._arithmetic import MAX_DIGITS, MAX_MAGNITUDE, format_decimal, to_decimal
from ..errors import Problem, RecordError
from ._model import Indicator, Methodology
from .._i18n import gettext as _

__all__ = ["Record", "RESERVED_KEYS", "Catalogue", "prepare", "check_values", "coerce_number", "coerce_boolean"]

RESERVED_KEYS = frozenset({"unit", "name", "period", "group", "self_assessed"})

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "có", "co", "đạt", "x"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "không", "khong", "không đạt"})
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*%?\s*$")
_THOUSANDS = re.compile(r"^\s*[-+]?\d{1,3}(,\d{3})+\s*$")


@dataclass(frozen=True)
class Record:
    """One unit's indicator values for one period."""

    values: Mapping[str, Any] = field(default_factory=dict)
    unit: str | None = None
    name: str | None = None
    period: int | None = None
    group: str | None = None
    self_assessed: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | Record) -> Record:
        """Split a flat mapping into the reserved keys and the indicator values."""
        if mapping.__class__ is not dict:  # a dict is the usual record: no ABC check for it
            if isinstance(mapping, Record):
                return mapping
            if not isinstance(mapping, Mapping):
                raise RecordError([Problem(_("a record must be a mapping of indicator ids to values, not {type_name}").format(type_name=type(mapping).__name__))])
        values = dict(mapping)  # copied whole (a dict is copied at C speed), then the few reserved keys taken out
        for key in RESERVED_KEYS:
            values.pop(key, None)
        period = mapping.get("period")
        problems = []
        if period.__class__ is int and -_INT_BOUND < period < _INT_BOUND:
            pass  # what to_decimal and int() would give back
        elif period.__class__ is str and 0 < len(period) <= 6 and period.isascii() and period.isdigit():
            period = int(period)  # a year as a CSV cell gives it: to_decimal and int() would give the same
        elif period is not None and period != "":
            try:
                number = to_decimal(period)
                if number != number.to_integral_value():
                    raise ValueError
                period = int(number)
            except (ValueError, TypeError):
                # 1E+1000000, not Decimal('1E+1000000'); an int of 4,300+ digits cannot be printed
                shown = repr(period) if isinstance(period, str) else _("a number too large") if isinstance(period, int) and period.bit_length() > 64 else str(period)
                problems.append(Problem(_("period must be a year (a whole number such as 2024), not {shown}").format(shown=shown), indicator="period"))
                period = None
        else:
            period = None
        if problems:
            raise RecordError(problems)

        def text(key: str) -> str | None:
            value = mapping.get(key)
            return None if value is None or value == "" else str(value)

        claimed = mapping.get("self_assessed") or {}
        if not isinstance(claimed, Mapping):
            raise RecordError([Problem(_("self_assessed must be a mapping of node id to points"), indicator="self_assessed")])
        return cls(values, text("unit"), text("name"), period, text("group"), claimed)


def coerce_number(value: Any) -> Decimal:
    """A number from an int, float, Decimal or text ("88.9", "88,9", "93.96%").

    A comma is read as the decimal mark when it is the only separator ("88,9"); "1,234" is
    ambiguous (a thousands separator?) and refused.
    """
    if isinstance(value, str):
        text = value.strip()
        if _THOUSANDS.match(text):
            raise ValueError(_("{value!r} is ambiguous: write 1234 (no separator) or 1.234 (decimal point)").format(value=value))
        if _DECIMAL_COMMA.match(text):
            text = text.replace(",", ".")
        if text.endswith("%"):
            text = text[:-1].rstrip()
        return to_decimal(text)
    return to_decimal(value)


def coerce_boolean(value: Any) -> bool:
    """A yes/no value from a bool, 0/1, or a word (true/false, yes/no, có/không)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, Decimal)) and not (isinstance(value, Decimal) and value.is_snan()) and value in (0, 1):  # sNaN == 0 raises
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise ValueError(_("{value!r} is not a yes/no value (use true/false, yes/no, có/không, 1/0)").format(value=value))


#: A text this short has fewer digits than :data:`MAX_DIGITS`, so only to_decimal's other
#: checks (finite, magnitude) can fail on it.
_SHORT_TEXT = 25
_INT_BOUND = int(MAX_MAGNITUDE)
_MAX_ADJUSTED = MAX_MAGNITUDE.adjusted()


def _read_number(value: Any) -> Decimal:
    """:func:`coerce_number`, with a fast path for common values (short plain numbers as text,
    small ints) that gives the same number; anything else, and every error, goes through it."""
    kind = value.__class__
    if kind is str and len(value) <= _SHORT_TEXT and "_" not in value:
        try:  # Decimal refuses what coerce_number would rewrite ("88,9", "93%"), and reads "1_000", which it refuses
            number = Decimal(value)
        except ArithmeticError:
            return coerce_number(value)
        if number.is_finite() and (-MAX_DIGITS <= number.adjusted() < _MAX_ADJUSTED or not number):
            return number  # |x| < 10^15 is adjusted() < 15: integer comparisons, not Decimal ones
    elif kind is int and -_INT_BOUND < value < _INT_BOUND:
        return Decimal(value)
    return coerce_number(value)


def _number_reader(indicator: Indicator) -> Callable[[Any], Decimal]:
    """Check and coerce one value of a numeric indicator (type, whole number, range)."""
    interval = indicator.range
    low, high = interval.low, interval.high
    low_open, high_open = not interval.low_inclusive, not interval.high_inclusive
    closed = low is not None and high is not None and not low_open and not high_open  # [low, high]: one chained test
    whole = indicator.type == "count"

    def read(value: Any) -> Decimal:
        kind = value.__class__
        if kind is bool:
            raise ValueError(_("{value!r} is a yes/no value, a number is needed").format(value=value))
        if kind is int and -_INT_BOUND < value < _INT_BOUND:  # the commonest case inline: one call less
            number = Decimal(value)
        else:
            number = _read_number(value)
        if whole and kind is not int and number != number.to_integral_value():
            raise ValueError(_("{number} is not a whole number (a count is needed)").format(number=format_decimal(number)))
        if (
            not low <= number <= high  # type: ignore[operator]
            if closed
            else (low is not None and (number < low or (low_open and number == low))) or (high is not None and (number > high or (high_open and number == high)))
        ):
            raise ValueError(_("{number} is outside the allowed range {symbols}").format(number=format_decimal(number), symbols=interval.symbols()))
        return number

    return read


def _boolean_reader(indicator: Indicator) -> Callable[[Any], bool]:
    def read(value: Any) -> bool:
        if value is True or value is False:
            return value
        return coerce_boolean(value)

    return read


def _level_reader(indicator: Indicator) -> Callable[[Any], str]:
    levels = indicator.levels
    named = ", ".join(levels)

    def read(value: Any) -> str:
        if isinstance(value, str):
            level = value.strip()
            if level and level in levels:  # a blank value is missing, never a level
                return level
        raise ValueError(_("{value!r} is not a level of this indicator (levels: {named})").format(value=value, named=named))

    return read


def _answers_reader(indicator: Indicator) -> Callable[[Any], Mapping[str, Decimal] | None]:
    options = indicator.options

    def read(value: Any) -> Mapping[str, Decimal] | None:
        """The answer counts, or ``None`` when there are no answers at all (then: missing)."""
        if value.__class__ is not dict and not isinstance(value, Mapping):
            raise ValueError(_("survey answers must be a mapping of answer option to number of answers"))
        counts = {}
        for option, count in value.items():
            if option not in options:
                raise ValueError(_("{option!r} is not an answer option (options: {options})").format(option=option, options=', '.join(options)))
            if count.__class__ is int and 0 <= count < _INT_BOUND:  # the commonest case inline
                number = Decimal(count)
            else:
                number = _read_number(count)
                if number < 0:
                    raise ValueError(_("answer {option}: a number of answers cannot be negative").format(option=option))
            counts[str(option)] = number
        return MappingProxyType(counts) if sum(counts.values()) else None

    return read


_READERS = {"boolean": _boolean_reader, "level": _level_reader, "answers": _answers_reader}


class Catalogue:
    """What checking a record needs, worked out once per methodology: a reader per input
    indicator, chosen by its type, and the indicators a record must give.

    >>> from par_rules import load
    >>> catalogue = Catalogue(load("example/par-index/district").indicators)
    >>> catalogue.readers["plan_completion"]("92,5"), catalogue.readers["reports_on_time"]("có")
    (Decimal('92.5'), True)
    """

    __slots__ = ("indicators", "readers", "required")

    def __init__(self, indicators: Mapping[str, Indicator], optional: frozenset[str] = frozenset()) -> None:
        self.indicators = indicators
        self.readers: dict[str, Callable[[Any], Any] | None] = {
            key: None if indicator.derived else _READERS.get(indicator.type, _number_reader)(indicator) for key, indicator in indicators.items()
        }
        self.required = tuple(key for key, indicator in indicators.items() if not indicator.derived and indicator.missing == "error" and key not in optional)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def prepare(methodology: Methodology, record: Record, row: int | None = None) -> dict[str, Any]:
    """Check a record against the catalogue: the values to score, or one RecordError listing
    every unknown indicator, wrong type, value out of range and missing value.

    (Scoring reads the usual record with the plan's generated code, which gives the same values,
    and comes here for anything unusual.)"""
    plan = methodology.plan
    return check_values(plan.catalogue if plan is not None else Catalogue(methodology.indicators), record.values, row)


def check_values(catalogue: Catalogue, raw: Mapping[str, Any], row: int | None = None) -> dict[str, Any]:
    """:func:`prepare` given the catalogue and the values: each value through its indicator's reader."""
    readers = catalogue.readers
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key, value in raw.items():
        read = readers.get(key)
        if read is None:
            if key not in readers:
                close = difflib.get_close_matches(str(key), list(readers), n=1)
                hint = _(" (did you mean '{close}'?)").format(close=close[0]) if close else ""
                problems.append(Problem(_("unknown indicator{hint}").format(hint=hint), indicator=str(key), row=row))
            elif not _missing(value):
                problems.append(Problem(_("is computed by the methodology's formula: leave it out of the record"), indicator=key, row=row))
            continue
        if value is None:
            continue
        try:
            coerced = read(value)
        except (ValueError, TypeError) as error:
            if not _missing(value):  # every reader refuses a blank text, which is a missing value
                problems.append(Problem(str(error), indicator=key, row=row))
            continue
        if coerced is not None:  # None: survey answers with no answer at all, treated as missing
            values[key] = coerced
    for key in catalogue.required:
        if key not in values and not any(p.indicator == key for p in problems):
            problems.append(Problem(_("missing value ({label})").format(label=catalogue.indicators[key].label), indicator=key, row=row))
    if problems:
        raise RecordError(problems)
    return values
