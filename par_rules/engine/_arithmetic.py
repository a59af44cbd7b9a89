"""Exact arithmetic: the decimal context every score is computed in, parsing and printing.

Points are :class:`decimal.Decimal`, never floats. Values are kept exact while scoring and
rounded once, for publication, as the methodology declares.

>>> to_decimal("16.63") / to_decimal("16.75") * 100 > 99
True
>>> format_decimal(Decimal("16.630"))
'16.63'
>>> format_decimal(Decimal("100"))
'100'
>>> publish(Decimal("56.2967"), 2)
Decimal('56.30')
>>> publish(Decimal("0.125"), 2)   # half-up, not banker's rounding
Decimal('0.13')
"""

from __future__ import annotations

import decimal
import functools
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar
from .._i18n import gettext as _

__all__ = ["CONTEXT", "EXACT", "Decimal", "in_context", "to_decimal", "format_decimal", "format_short", "publish", "NumberTooLarge"]

#: The context of every computation: 34 significant digits (IEEE decimal128), exponents
#: bounded so that no input can make a computation slow, errors trapped rather than hidden.
CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=999,
    Emin=-999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

#: Where sums and products are computed before the one division or rounding of a formula:
#: precision enough for any product or sum of finite decimals, so nothing here ever rounds (and
#: if something did, Inexact would say so rather than give a wrong score). Never divide in it.
EXACT = decimal.Context(
    prec=decimal.MAX_PREC,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.Inexact],
)

_Function = TypeVar("_Function", bound=Callable)  # type: ignore[type-arg]


def in_context(function: _Function) -> _Function:
    """Run ``function`` in :data:`CONTEXT`, whatever decimal context the caller has set
    (precision, rounding, traps, exponent limits): every public entry point that computes, and
    every lazily computed value, is wrapped, so the same input always gives the same output.
    Not for generators (a suspended generator would leave its context in the caller's code)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        with decimal.localcontext(CONTEXT):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


#: The largest magnitude an input number may have, and the most digits it may be written with.
MAX_MAGNITUDE = Decimal(10) ** 15
MAX_DIGITS = 40

#: A number as text: decimal notation only (sign, digits, a point, an exponent). What ``Decimal``
#: also reads (``1_000``, ``inf``, ``nan``) and YAML 1.1 reads (``0x1F``, ``0o17``, ``1:30``) is
#: refused, so that a value means the same in every records format.
_DECIMAL_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


class NumberTooLarge(ValueError):
    """A number has more digits, or a larger magnitude, than any index needs."""


def to_decimal(value: object) -> Decimal:
    """Turn an int, a float, a Decimal or a numeric string into a finite Decimal.

    Floats go through their shortest ``repr`` (so ``0.1`` becomes ``Decimal('0.1')``);
    ``bool`` is refused, as are NaN, infinities and numbers beyond :data:`MAX_MAGNITUDE`. Text is
    decimal notation only: ``"075"`` is 75; ``"1_000"``, ``"0x1F"``, ``"1:30"`` and ``"inf"``
    are not numbers.

    >>> to_decimal(0.1)
    Decimal('0.1')
    >>> to_decimal(" 88.9 ")
    Decimal('88.9')
    >>> to_decimal(float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: not a finite number: nan
    """
    if isinstance(value, bool):
        raise TypeError(_("a boolean is not a number"))
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        if value.bit_length() > 64:  # (no str(value): Python refuses to print an int of 4,300+ digits)
            raise NumberTooLarge(f"number too large: it has about {int(value.bit_length() * math.log10(2)) + 1} digits")
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(_("not a finite number: {value}").format(value=value))
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_DIGITS + 10:
            raise NumberTooLarge(f"number too long: {len(text)} characters")
        if not _DECIMAL_TEXT.fullmatch(text):
            raise ValueError(_("not a number: {value!r}").format(value=value))
        number = Decimal(text)
    else:
        raise TypeError(_("not a number: {value!r} ({type_name})").format(value=value, type_name=type(value).__name__))
    if not number.is_finite():
        raise ValueError(_("not a finite number: {value}").format(value=value))
    # copy_abs, not abs(): abs() rounds in the current context, which 1e1000000 overflows
    if number != 0 and (number.copy_abs() >= MAX_MAGNITUDE or number.adjusted() < -MAX_DIGITS):
        raise NumberTooLarge(f"number out of the supported range (a value must be below 10^15 in size and, unless 0, at least 10^-{MAX_DIGITS}): {value}")
    if len(number.as_tuple().digits) > MAX_DIGITS:
        raise NumberTooLarge(f"number has more than {MAX_DIGITS} digits (the most a value may have): {value}")
    return number


def format_decimal(value: Decimal) -> str:
    """Print a Decimal as written: no exponent, no trailing zeros after the point.

    >>> format_decimal(Decimal("1E+2")), format_decimal(Decimal("0.50")), format_decimal(Decimal("-0"))
    ('100', '0.5', '0')
    """
    if value == 0:
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def publish(value: Decimal, decimals: int) -> Decimal:
    """Round a value for publication: ``decimals`` places, half away from zero (half-up); a
    value that rounds to zero is zero, never ``-0``.

    >>> publish(Decimal("-0.001"), 2)
    Decimal('0.00')
    """
    rounded = value.quantize(Decimal(1).scaleb(-decimals, context=CONTEXT), rounding=decimal.ROUND_HALF_UP, context=CONTEXT)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def format_short(value: Decimal, decimals: int = 4) -> str:
    """Print a Decimal for people: as written when short, else rounded with a "≈" in front.

    >>> format_short(Decimal("16.63")), format_short(Decimal("25.578811369509043927"))
    ('16.63', '≈25.5788')
    """
    if value.as_tuple().exponent >= -decimals:  # type: ignore[operator]
        return format_decimal(value)
    rounded = publish(value, decimals)
    return ("≈" if rounded != value else "") + format_decimal(rounded)
