"""``kind: bands``: threshold bands on a number, with explicit inclusive or exclusive bounds.

>>> from decimal import Decimal as D
>>> from .._model import Interval
>>> from ..._i18n import use
>>> rule = BandsRule("plan_completion", (
...     Band(Interval(low=D(90), low_inclusive=False), D(2)),
...     Band(Interval(low=D(70), high=D(90), high_inclusive=True), D(1)),
...     Band(Interval(high=D(70)), D(0)),
... ))
>>> rule.apply(D(2), D(90))
(Decimal('1'), 1)
>>> with use("en"):
...     rule.explain(D(2), D(1), 1, "90%", "%")
'90% is from 70% to 90% → 1'
>>> with use("vi"):
...     rule.explain(D(2), D(1), 1, "90%", "%")
'90% nằm trong khoảng từ 70% đến 90% → 1'

The one kind whose generated code is not its formula pasted: ``apply`` (the definition) finds
the band whose interval holds the value, band by band; :meth:`BandsRule.write` writes the same
bands as a chain of comparisons, from the highest lower bound down, or, beyond
:data:`CHAINED_BANDS` bands, a bisection over the lower bounds (:class:`BandTable`). Measured (2026-12-01,
CPython 3.11, a shared 2-core EPYC; a three-band table): ``apply`` takes 2.4 to 3.3 µs a value,
the chain 0.6 to 0.8 µs even called as a function of its own (pasted inline, less); the
benchmark's methodology has 40 band leaves among 96, so scoring through ``apply`` would add some
80 µs to a record that costs about 150 µs. Both are written from the same ``bands``
and go back to ``apply`` for anything they do not place; ``tests/test_fast_paths.py`` and
``tests/test_rule_kinds.py`` hold them to ``apply`` at every bound and beside it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from .._arithmetic import format_short as fmt
from ..._i18n import gettext as _
from .._model import NUMERIC_TYPES, Indicator, Interval
from ._base import (
    INDICATOR_PROPERTY,
    Builder,
    Report,
    Slots,
    Writer,
    bounds_of,
    check_cap,
    check_indicator,
    interval_vi,
    points_text,
    points_vi,
    put,
    num,
)

__all__ = ["Band", "BandsRule", "BandTable", "CHAINED_BANDS"]


@dataclass(frozen=True)
class Band:
    """One band of a threshold rule: values in ``interval`` earn ``points``."""

    interval: Interval
    points: Decimal
    label: str | None = None


@dataclass(frozen=True)
class BandsRule:
    """Threshold bands on a value, with explicit inclusive or exclusive bounds."""

    indicator: str
    bands: tuple[Band, ...]
    kind: ClassVar[str] = "bands"
    accepts: ClassVar[frozenset[str]] = NUMERIC_TYPES
    schema: ClassVar[dict[str, Any]] = {
        "required": ["indicator", "bands"],
        "properties": {
            "indicator": INDICATOR_PROPERTY,
            "bands": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/band"}, "description": (
                "Các khoảng giá trị của chỉ số và số điểm của mỗi khoảng; phải phủ kín phạm vi, không chồng lấn. · "
                "The indicator's value bands and the points of each; they cover its range without overlap."
            )},
        },
    }
    example: ClassVar[dict[str, Any]] = {
        "indicator": {"type": "percent"},
        "rule": {"bands": [{"above": 90, "points": 2}, {"at_least": 70, "at_most": 90, "points": 1}, {"below": 70, "points": 0}]},
        "max": 2,
        "values": ["95", "90", "70", "69.99", 0, 100],
    }

    @property
    def inputs(self) -> tuple[str, ...]:
        return (self.indicator,)

    @classmethod
    def build(cls, raw: Mapping[str, Any], cap: Decimal, node_id: str, builder: Builder) -> BandsRule:
        bands = []
        for band in raw["bands"]:
            interval = builder.bounded(band, "a band")
            if interval is not None:
                bands.append(Band(interval, band["points"], band.get("label")))
        return cls(raw["indicator"], tuple(bands))

    def check(self, cap: Decimal, indicators: Mapping[str, Indicator], report: Report) -> None:
        indicator = check_indicator(self, self.accepts, indicators, report)
        if indicator is None:
            return
        _check_cover(self, indicator, report)
        for band in self.bands:
            if band.points > cap:  # described only then: describing writes numbers, which loads Babel (~30 ms)
                check_cap(band.points, f"band {band.interval.describe(indicator.unit_symbol)}", cap, indicator, report)

    def apply(self, cap: Decimal, value: Decimal) -> tuple[Decimal, int]:
        for position, band in enumerate(self.bands):
            if value in band.interval:
                return band.points, position
        raise ValueError(_("{fmt} falls in no band").format(fmt=fmt(value)))  # validation makes the bands cover the range

    def write(self, out: Writer, indent: int, slots: Slots) -> None:
        """The bands as a chain of tests, from the highest lower bound down: the first band whose
        lower bound admits the value is the only one that can hold it (the methodology check
        rejects empty and overlapping bands); its upper bound is then confirmed, unless it is where
        the band above starts (the value failed that band's test), and anything else goes to
        ``apply`` (same result, same error). A table longer than :data:`CHAINED_BANDS` is
        searched by bisection instead (:class:`BandTable`): a chain that long nests too deep for
        Python's compiler."""
        value, cap, points, detail = slots.inputs[self.indicator], slots.cap, slots.points, slots.detail
        if len(self.bands) > CHAINED_BANDS:
            out.add(indent, f"{points}, {detail} = {out.constant(BandTable(self), 'bands')}.points({cap}, {value})")
            return
        apply = out.constant(self.apply, "apply")
        table = sorted(enumerate(self.bands), key=lambda item: by_lower_bound(item[1].interval), reverse=True)
        keyword = "if"
        above: Interval | None = None
        for band_position, band in table:
            interval = band.interval
            touches = above is not None and interval.high is not None and interval.high == above.low and interval.high_inclusive != above.low_inclusive
            above = interval
            if interval.low is None:
                out.add(indent, "else:" if keyword == "elif" else "if True:")
            else:
                operator = ">=" if interval.low_inclusive else ">"
                out.add(indent, f"{keyword} {value} {operator} {out.constant(interval.low, 'c')}:")
            keyword = "elif"
            if interval.high is None or touches:
                out.add(indent + 1, f"{points} = {out.constant(band.points, 'c')}")
                out.add(indent + 1, f"{detail} = {band_position}")
            else:
                operator = "<=" if interval.high_inclusive else "<"
                out.add(indent + 1, f"if {value} {operator} {out.constant(interval.high, 'c')}:")
                out.add(indent + 2, f"{points} = {out.constant(band.points, 'c')}")
                out.add(indent + 2, f"{detail} = {band_position}")
                out.add(indent + 1, "else:")
                out.add(indent + 2, f"{points}, {detail} = {apply}({cap}, {value})")
            if interval.low is None:
                return
        out.add(indent, "else:")
        out.add(indent + 1, f"{points}, {detail} = {apply}({cap}, {value})")

    def explain(self, cap: Decimal, points: Decimal, detail: int, value: str, unit: str = "") -> str:
        return _("{value} is {interval} → {points}").format(value=value, interval=self.bands[detail].interval.describe(unit), points=num(points))

    def capped(self, cap: Decimal, points: Decimal, detail: Any) -> bool:
        return False

    def describe(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        unit = indicator.unit_symbol if indicator else ""
        return "; ".join(f"{band.interval.describe(unit)}: {points_text(band.points)}" for band in self.bands)

    def describe_vi(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        unit = indicator.unit_symbol if indicator else ""
        return "; ".join(f"{interval_vi(band.interval, unit)}: {points_vi(band.points)}" for band in self.bands)

    def dump(self) -> dict[str, Any]:
        bands = []
        for band in self.bands:
            data: dict[str, Any] = dict(bounds_of(band.interval))
            data["points"] = band.points
            put(data, "label", band.label)
            bands.append(data)
        return {"kind": self.kind, "indicator": self.indicator, "bands": bands}

    def thresholds(self) -> tuple[Decimal, ...]:
        return tuple(bound for band in self.bands for bound in (band.interval.low, band.interval.high) if bound is not None)

    def record_limit(self, cap: Decimal) -> Decimal | None:
        return None


#: The longest band table written as a chain of tests (longer ones are searched by bisection).
CHAINED_BANDS = 16
_BELOW_EVERYTHING = Decimal("-Infinity")


def by_lower_bound(interval: Interval) -> tuple[bool, Decimal, bool]:
    """Orders intervals by where they start: unbounded below first, then by lower bound, an
    inclusive bound before an exclusive one."""
    return (interval.low is not None, _BELOW_EVERYTHING if interval.low is None else interval.low, not interval.low_inclusive)


class BandTable:
    """A long band table, searched by bisection over its lower bounds: the value's band, if
    any, is the last band starting at or below it, or the one before (a band "above c" follows
    the band that ends "at c", or the band [c, c]); the methodology check rejects overlapping
    bands, so no other band can hold the value. Anything else goes to the rule's ``apply``."""

    def __init__(self, rule: BandsRule) -> None:
        order = sorted(range(len(rule.bands)), key=lambda position: by_lower_bound(rule.bands[position].interval))
        self.lows: list[Decimal] = [by_lower_bound(rule.bands[position].interval)[1] for position in order]
        self.bands = [(rule.bands[position].interval, rule.bands[position].points, position) for position in order]
        self.apply = rule.apply

    def points(self, cap: Decimal, value: Decimal) -> tuple[Decimal, int]:
        after = bisect_right(self.lows, value)
        for candidate in range(after - 1, max(after - 3, -1), -1):
            interval, points, position = self.bands[candidate]
            if value in interval:
                return points, position
        return self.apply(cap, value)  # in no band: the rule's own error


# --------------------------------------------------------------------------- the check

_NEG, _POS = Decimal("-Infinity"), Decimal("Infinity")
_Cut = tuple[Decimal, int]


def _cuts(interval: Interval) -> tuple[_Cut, _Cut]:
    """An interval as two cuts of the number line: (v, 0) just before v, (v, 1) just after it."""
    start = (_NEG, 0) if interval.low is None else (interval.low, 0 if interval.low_inclusive else 1)
    end = (_POS, 1) if interval.high is None else (interval.high, 1 if interval.high_inclusive else 0)
    return start, end


def _between(start: _Cut, end: _Cut, unit: str) -> str:
    low = None if start[0] == _NEG else start[0]
    high = None if end[0] == _POS else end[0]
    return Interval(low, start[1] == 0, high, end[1] == 1).describe(unit)


def _check_cover(rule: BandsRule, indicator: Indicator, report: Report) -> None:
    """Bands must cover the indicator's range from its low end up, without overlap or gap."""
    unit = indicator.unit_symbol

    def problem(message: str) -> None:
        report(message, indicator.id)

    bands = sorted((_cuts(band.interval) for band in rule.bands), key=lambda cuts: cuts[0])
    range_start, range_end = _cuts(indicator.range)
    cursor: _Cut | None = None
    for start, end in bands:
        if start >= end:
            problem(_("a band is empty: {start}").format(start=_between(start, end, unit)))
            continue
        if cursor is None:
            if start > range_start:
                problem(_("bands leave a gap: no band covers {range_start}").format(range_start=_between(range_start, start, unit)))
        elif start > cursor:
            problem(_("bands leave a gap: no band covers {cursor}").format(cursor=_between(cursor, start, unit)))
        elif start < cursor:
            problem(_("bands overlap: {start} is in two bands").format(start=_between(start, min(cursor, end), unit)))
        cursor = end if cursor is None else max(cursor, end)
    if cursor is not None and cursor < range_end:
        problem(_("bands leave a gap: no band covers {cursor}").format(cursor=_between(cursor, range_end, unit)))
