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
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from .arithmetic import NumberTooLarge, format_decimal, to_decimal
from .errors import Problem, RecordError
from .model import NUMERIC_TYPES, Indicator, Methodology

__all__ = ["Record", "RESERVED_KEYS", "prepare", "coerce_number", "coerce_boolean"]

RESERVED_KEYS = frozenset({"unit", "name", "period", "group", "self_assessed"})

_TRUE = frozenset({"true", "yes", "y", "1", "có", "co", "đạt", "x"})
_FALSE = frozenset({"false", "no", "n", "0", "không", "khong", "không đạt"})
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
    def from_mapping(cls, mapping: Mapping[str, Any]) -> Record:
        """Split a flat mapping into the reserved keys and the indicator values."""
        if isinstance(mapping, Record):
            return mapping
        if not isinstance(mapping, Mapping):
            raise RecordError([Problem(f"a record must be a mapping of indicator ids to values, not {type(mapping).__name__}")])
        values = {key: value for key, value in mapping.items() if key not in RESERVED_KEYS}
        period = mapping.get("period")
        problems = []
        if period is not None and period != "":
            try:
                number = to_decimal(period)
                if number != number.to_integral_value():
                    raise ValueError
                period = int(number)
            except (ValueError, TypeError):
                problems.append(Problem(f"period must be a year, not {period!r}", indicator="period"))
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
            raise RecordError([Problem("self_assessed must be a mapping of node id to points", indicator="self_assessed")])
        return cls(values, text("unit"), text("name"), period, text("group"), claimed)


def coerce_number(value: Any) -> Decimal:
    """A number from an int, float, Decimal or text ("88.9", "88,9", "93.96%").

    A comma is read as the decimal mark when it is the only separator ("88,9"); "1,234" is
    ambiguous (a thousands separator?) and refused.
    """
    if isinstance(value, str):
        text = value.strip()
        if _THOUSANDS.match(text):
            raise ValueError(f"{value!r} is ambiguous: write 1234 (no separator) or 1.234 (decimal point)")
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
    if isinstance(value, (int, Decimal)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise ValueError(f"{value!r} is not a yes/no value (use true/false, yes/no, có/không, 1/0)")


def _coerce(indicator: Indicator, value: Any) -> Any:
    kind = indicator.type
    if kind in NUMERIC_TYPES:
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is a yes/no value, a number is needed")
        number = coerce_number(value)
        if kind == "count" and number != number.to_integral_value():
            raise ValueError(f"{format_decimal(number)} is not a whole number (a count is needed)")
        if number not in indicator.range:
            raise ValueError(f"{format_decimal(number)} is outside the allowed range {indicator.range.symbols()}")
        return number
    if kind == "boolean":
        return coerce_boolean(value)
    if kind == "level":
        if isinstance(value, str) and value.strip() in indicator.levels:
            return value.strip()
        raise ValueError(f"{value!r} is not a level of this indicator (levels: {', '.join(indicator.levels)})")
    # answers: a mapping option -> number of respondents
    if not isinstance(value, Mapping):
        raise ValueError("survey answers must be a mapping of answer option to number of answers")
    counts = {}
    for option, count in value.items():
        if option not in indicator.options:
            raise ValueError(f"{option!r} is not an answer option (options: {', '.join(indicator.options)})")
        number = coerce_number(count)
        if number < 0:
            raise ValueError(f"answer {option}: a number of answers cannot be negative")
        counts[str(option)] = number
    return MappingProxyType(counts)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def prepare(methodology: Methodology, record: Record, row: int | None = None) -> dict[str, Any]:
    """Check a record against the catalogue: the values to score, or one RecordError listing
    every unknown indicator, wrong type, value out of range and missing value."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    indicators = methodology.indicators
    for key, value in record.values.items():
        indicator = indicators.get(key)
        if indicator is None:
            close = difflib.get_close_matches(str(key), list(indicators), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(Problem(f"unknown indicator{hint}", indicator=str(key), row=row))
            continue
        if indicator.derived:
            if not _missing(value):
                problems.append(Problem("is computed by the methodology's formula: leave it out of the record", indicator=key, row=row))
            continue
        if _missing(value):
            continue
        try:
            coerced = _coerce(indicator, value)
        except NumberTooLarge as error:
            problems.append(Problem(str(error), indicator=key, row=row))
            continue
        except (ValueError, TypeError) as error:
            problems.append(Problem(str(error), indicator=key, row=row))
            continue
        if indicator.type == "answers" and not sum(coerced.values()):
            continue  # no answers at all: treated as missing
        values[key] = coerced
    for key, indicator in indicators.items():
        if key not in values and not indicator.derived and indicator.missing == "error" and not any(p.indicator == key for p in problems):
            problems.append(Problem(f"missing value ({indicator.label})", indicator=key, row=row))
    if problems:
        raise RecordError(problems)
    return values
