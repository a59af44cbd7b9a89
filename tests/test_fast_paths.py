"""The evaluation plan's fast paths give exactly what the general code gives.

The plan reads plain numbers straight into ``Decimal`` and looks band tables up from the highest
lower bound down (:mod:`par_rules.record`, :mod:`par_rules.evaluate`); these properties hold
them to :func:`~par_rules.record.coerce_number` and :meth:`BandsRule.apply`, values and errors.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from par_rules.evaluate import _bands_step
from par_rules.model import Interval
from par_rules.record import _read_number, coerce_number
from par_rules.rules import Band, BandsRule

_NUMBER_TEXT = st.from_regex(r"\A\s?[-+]?\d{0,17}([.,]\d{0,8})?([eE][-+]?\d{1,3})?%?\s?\Z", fullmatch=True)
_ANY_VALUE = st.one_of(
    _NUMBER_TEXT,
    st.text(max_size=30),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.decimals(allow_nan=True, allow_infinity=True, places=None),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)


def _outcome(function: Any, value: Any) -> tuple[str, str]:
    try:
        return "value", repr(function(value))
    except Exception as error:  # noqa: BLE001 - the error itself is compared
        return type(error).__name__, str(error)


_BOUNDARIES = ("1e15", "9.99e14", "1000000000000000", "999999999999999", "-1e15", "1e-40", "1e-41", "0E+30", "0E-50", "nan", "-inf", "1,234", "88,9", "93.5 %", "1_000", " ", 10**15, -(10**15) + 1, True)


@given(_ANY_VALUE)
def test_reading_a_number_matches_coerce_number(value: Any) -> None:
    assert _outcome(_read_number, value) == _outcome(coerce_number, value)


def test_reading_a_number_matches_coerce_number_at_the_boundaries() -> None:
    for value in _BOUNDARIES:
        assert _outcome(_read_number, value) == _outcome(coerce_number, value), value


_CUTS = st.lists(st.decimals(min_value=-50, max_value=150, places=1), min_size=1, max_size=5, unique=True).map(sorted)


@given(_CUTS, st.lists(st.booleans(), min_size=5, max_size=5), st.decimals(min_value=-60, max_value=160, places=2))
def test_band_lookup_matches_the_rule(cuts: list[Decimal], closed_low: list[bool], value: Decimal) -> None:
    # Bands that tile the number line: (-inf, c0), [c0, c1), ... with each cut's side drawn.
    bands = []
    low: Decimal | None = None
    low_inclusive = True
    for number, (cut, inclusive) in enumerate(zip(cuts, closed_low)):
        bands.append(Band(Interval(low, low_inclusive, cut, not inclusive), Decimal(number)))
        low, low_inclusive = cut, inclusive
    bands.append(Band(Interval(low, low_inclusive, None, False), Decimal(len(cuts))))
    rule = BandsRule("x", tuple(reversed(bands)))
    step = _bands_step(rule, Decimal(10), "x", None)
    assert step({"x": value}) == rule.apply(Decimal(10), value)
