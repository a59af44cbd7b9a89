"""The two baselines par_rules is measured against, for the generated methodology (:mod:`methodology`).

- :func:`handwritten_score`: what a programmer would write by hand for this one methodology —
  plain Python over the leaf table, the same ``Decimal`` semantics as par_rules (each node's
  value worked out to 100 digits and rounded once to 34, formulas step by step in 34 digits,
  rescaling of non-applicable children, caps, half-up publication), no checks of the input.
- :func:`naive_score`: a naive engine that keeps each leaf's rule as a formula and calls
  ``simpleeval.simple_eval`` for every formula of every record (parsed again each time).

Both return ``(total, published index, rating band)`` so the benchmark can check that they
agree exactly with par_rules before timing anything.

>>> from methodology import records
>>> record = records(1)[0]
>>> handwritten_score(record) == naive_score(record)
True
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from methodology import DERIVED, INDICATORS, SPEC, Leaf
from simpleeval import simple_eval

__all__ = ["handwritten_score", "naive_score"]

D = Decimal
ZERO, HUNDRED, SCALE = D(0), D(100), D(100)
CONTEXT = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN, Emax=999, Emin=-999, traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])
#: Products, sums and quotients of a node are worked out here and the node rounded once to CONTEXT:
#: the correctly rounded value of its formula (par_rules multiplies exactly, divides once).
WIDE = decimal.Context(prec=100, rounding=decimal.ROUND_HALF_EVEN, Emax=999, Emin=-999, traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])
QUANTUM = D("0.01")
RATINGS = ((D(90), "A"), (D(80), "B"), (D(70), "C"))
POLICY = {name: missing for name, (_, missing) in INDICATORS.items()}


# What the hand-written scorer needs, read off the methodology once, as a programmer would
# write it down: the numeric inputs, and per criterion its leaves as plain tuples.
_NUMERIC = tuple(name for name, (kind, _) in INDICATORS.items() if kind in ("percent", "count", "number") and all(d.id != name for d in DERIVED))
_ANSWERS = tuple(name for name, (kind, _) in INDICATORS.items() if kind == "answers")
_PASS_THROUGH = tuple(name for name, (kind, _) in INDICATORS.items() if kind in ("boolean", "level"))


def _leaf_row(leaf: Leaf, number: int) -> tuple[Any, ...]:
    params = dict(leaf.params) if leaf.kind == "levels" else leaf.params
    return (leaf.indicator, POLICY[leaf.indicator], leaf.kind, leaf.cap, params, D(1 + number % 2), leaf)


_TABLE = tuple(
    (field.cap, tuple((criterion.cap, criterion.weighted, tuple(_leaf_row(leaf, n) for n, leaf in enumerate(criterion.leaves))) for criterion in field.criteria))
    for field in SPEC
)
_EIGHT_TENTHS = D("0.8")


def _leaf_points(kind: str, cap: Decimal, params: Any, value: Any) -> Decimal:
    """The points of one leaf other than a band table, from its (present) value."""
    if kind == "levels":
        return params[value]
    if kind == "boolean":
        return cap if value else ZERO
    if kind == "proportional":
        raw = cap * value / params[0]
    elif kind == "expression":  # a formula: computed step by step in 34 digits
        threshold = params[0]
        with decimal.localcontext(CONTEXT):
            raw = cap if value >= threshold else cap * value / threshold * _EIGHT_TENTHS
    elif kind == "deduction":
        return cap - min(value * params[0], cap)
    elif kind == "bonus":
        return min(value * params[0], cap)
    elif kind == "direct":
        return value
    else:  # survey
        answers = sum(value.values(), ZERO)
        percent = sum((count * weight for count, weight in zip(value.values(), params)), ZERO) / answers
        return cap * percent / 100
    return ZERO if raw < 0 else cap if raw > cap else raw


def _rate(numerator: Decimal, denominator: Decimal) -> Decimal:
    with decimal.localcontext(CONTEXT):  # a derived indicator's formula: step by step in 34 digits
        return numerator / denominator * 100 if denominator > 0 else HUNDRED


def _values(record: Mapping[str, Any], rate: Callable[[Decimal, Decimal], Decimal]) -> dict[str, Any]:
    values: dict[str, Any] = {name: D(record[name]) for name in _NUMERIC if name in record}
    for name in _PASS_THROUGH:
        if name in record:
            values[name] = record[name]
    for name in _ANSWERS:
        counts = {option: D(count) for option, count in record[name].items()}
        if sum(counts.values()):
            values[name] = counts
    for derived in DERIVED:
        values[derived.id] = rate(values[derived.numerator], values[derived.denominator])
    return values


def _score(record: Mapping[str, Any], formula: Callable[[Leaf, Any], Decimal] | None, rate: Callable[[Decimal, Decimal], Decimal]) -> tuple[Decimal, Decimal, str | None]:
    """The score; leaves are worked out by ``formula`` if given (the naive engine), else by hand."""
    with decimal.localcontext(WIDE):
        values = _values(record, rate)
        total = ZERO
        applicable_caps = ZERO
        for field_cap, criteria in _TABLE:
            field_points = ZERO
            field_caps = ZERO
            for criterion_cap, weighted, leaves in criteria:
                points = ZERO
                caps = ZERO
                weights = ZERO
                for indicator, policy, kind, cap, params, weight, leaf in leaves:
                    value = values.get(indicator)
                    if value is None:
                        if policy == "not_applicable":
                            continue
                        got = ZERO if policy == "zero" else cap
                    elif formula is not None:
                        got = formula(leaf, value)
                    elif kind == "bands":
                        got = params[1] if value >= params[0] else params[3] if value >= params[2] else ZERO
                    else:
                        got = _leaf_points(kind, cap, params, value)
                    got = CONTEXT.plus(got)
                    if weighted:
                        points += weight * got / cap
                        weights += weight
                    else:
                        points += got
                    caps += cap
                if not caps:
                    continue
                if weighted:
                    points = criterion_cap * (points / weights)
                elif caps != criterion_cap:
                    points = points * criterion_cap / caps
                points = CONTEXT.plus(points)
                field_points += min(points, criterion_cap)
                field_caps += criterion_cap
            if not field_caps:
                continue
            if field_caps != field_cap:
                field_points = field_points * field_cap / field_caps
            field_points = CONTEXT.plus(field_points)
            total += min(field_points, field_cap)
            applicable_caps += field_cap
        if applicable_caps != SCALE:
            total = total * SCALE / applicable_caps
        total = min(CONTEXT.plus(total), SCALE)
        index = (total / SCALE * HUNDRED).quantize(QUANTUM, rounding=decimal.ROUND_HALF_UP)
    band = next((rating for low, rating in RATINGS if index >= low), None)
    return total, index, band


def handwritten_score(record: Mapping[str, Any]) -> tuple[Decimal, Decimal, str | None]:
    """Score one record of the generated methodology, by hand."""
    return _score(record, None, _rate)


# Each leaf's rule as a formula; numbers are passed as names, so that simpleeval computes in
# Decimal (its own literals would be floats).
_FORMULAS = {
    "bands": "top if v >= high else (middle if v >= low else zero)",
    "levels": "good if v == 'good' else (fair if v == 'fair' else poor)",
    "boolean": "cap if v else zero",
    "proportional": "max(zero, min(cap, cap * v / full_at))",
    "expression": "max(zero, min(cap, cap if v >= threshold else cap * v / threshold * factor))",
    "deduction": "cap - min(v * per, cap)",
    "bonus": "min(v * per, cap)",
    "direct": "v",
    "survey": "cap * ((A * wa + B * wb + C * wc + D * wd) / (A + B + C + D)) / hundred",
}
_FUNCTIONS = {"min": min, "max": max}


def _names(leaf: Leaf, value: Any) -> dict[str, Any]:
    names: dict[str, Any] = {"v": value, "cap": leaf.cap, "zero": ZERO, "hundred": HUNDRED, "factor": D("0.8")}
    if leaf.kind == "bands":
        names.update(zip(("high", "top", "low", "middle"), leaf.params))
    elif leaf.kind == "levels":
        names.update(dict(leaf.params))
    elif leaf.kind == "proportional":
        names["full_at"] = leaf.params[0]
    elif leaf.kind == "expression":
        names["threshold"] = leaf.params[0]
    elif leaf.kind in ("deduction", "bonus"):
        names["per"] = leaf.params[0]
    elif leaf.kind == "survey":
        names.update(value)
        names.update(zip(("wa", "wb", "wc", "wd"), leaf.params))
    return names


def naive_score(record: Mapping[str, Any]) -> tuple[Decimal, Decimal, str | None]:
    """Score one record with simpleeval parsing every leaf's formula again."""
    return _score(record, _naive_leaf, _naive_rate)


def _naive_leaf(leaf: Leaf, value: Any) -> Decimal:
    if leaf.kind == "expression":  # a formula: step by step in 34 digits
        with decimal.localcontext(CONTEXT):
            return simple_eval(_FORMULAS[leaf.kind], names=_names(leaf, value), functions=_FUNCTIONS)
    return simple_eval(_FORMULAS[leaf.kind], names=_names(leaf, value), functions=_FUNCTIONS)


def _naive_rate(numerator: Decimal, denominator: Decimal) -> Decimal:
    names = {"done": numerator, "total": denominator, "zero": ZERO, "hundred": HUNDRED}
    with decimal.localcontext(CONTEXT):
        return simple_eval("done / total * hundred if total > zero else hundred", names=names)
