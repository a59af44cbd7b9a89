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


# --------------------------------------------------------------------------- tables
#
# Two more baselines, for scoring a whole table at once (par_rules.score_table), both given the
# table as par_rules gets it: a pandas DataFrame of the CSV file's texts.
#
# - int64_scores: an exact fixed-point scorer written by hand for this one methodology with
#   numpy int64 arrays: points in units of 10^-12, comparisons with band thresholds made exactly
#   by cross-multiplying (a derived rate done/all × 100 against a threshold t is done × 100 ≥ t ×
#   all), each division rounded down once. Its published index is exact unless a row's index lies
#   within about 10^-10 of a rounding tie (none of the benchmark's rows does: checked before
#   timing, as for the other baselines).
# - float_scores: the pandas script an analyst would write, in float64.
#
# Both return (published index × 100 as int64, band code: 0 A, 1 B, 2 C, 3 none) per row.

_S = 10**12  # the fixed point of int64_scores: 10^-12 points


def _fixed(value: Decimal) -> int:
    scaled = value * _S
    assert scaled == scaled.to_integral_value(), value
    return int(scaled)


def _percent_int(frame: Any, name: str) -> tuple[Any, Any]:
    """A column of percents written with two decimals ("87.35"), as int64 hundredths."""
    import numpy as np

    texts = frame[name]
    present = (texts != "").to_numpy()
    digits = texts.where(present, "0").str.replace(".", "", regex=False)
    return digits.astype(np.int64).to_numpy(), present


def _count_int(frame: Any, name: str) -> tuple[Any, Any]:
    import numpy as np

    texts = frame[name]
    present = (texts != "").to_numpy()
    return texts.where(present, "0").astype(np.int64).to_numpy(), present


def int64_scores(frame: Any) -> tuple[Any, Any]:
    """The generated methodology scored with numpy int64 arrays (see above)."""
    import numpy as np

    rows = len(frame)
    total = np.zeros(rows, dtype=np.int64)
    for field in SPEC:
        field_points = np.zeros(rows, dtype=np.int64)
        for criterion in field.criteria:
            points = np.zeros(rows, dtype=np.int64)  # weighted: Σ weight × points / cap, in 10^-12
            caps = np.zeros(rows, dtype=np.int64)
            weights = 0
            for number, leaf in enumerate(criterion.leaves):
                cap = _fixed(leaf.cap)
                name = leaf.indicator
                applies = np.ones(rows, dtype=bool)
                if leaf.kind == "bands":
                    high, top, low, middle = leaf.params
                    derived = next((d for d in DERIVED if d.id == name), None)
                    if derived is not None:
                        done, _ = _count_int(frame, derived.numerator)
                        every, _ = _count_int(frame, derived.denominator)
                        hundred_done = done * 100
                        at_high = (every == 0) | (hundred_done >= int(high) * every)
                        at_low = (every == 0) | (hundred_done >= int(low) * every)
                    else:
                        value, present = _percent_int(frame, name)
                        at_high, at_low = value >= int(high * 100), value >= int(low * 100)
                        if POLICY[name] == "not_applicable":
                            applies = present
                    got = np.where(at_high, _fixed(top), np.where(at_low, _fixed(middle), 0))
                elif leaf.kind == "levels":
                    texts = frame[name].to_numpy()
                    levels = dict(leaf.params)
                    got = np.where(texts == "good", _fixed(levels["good"]), np.where(texts == "fair", _fixed(levels["fair"]), 0))
                elif leaf.kind == "boolean":
                    got = np.where(frame[name].to_numpy() == "True", cap, 0)
                elif leaf.kind == "proportional":
                    value, present = _percent_int(frame, name)
                    got = np.where(present, np.minimum(cap * value // (100 * int(leaf.params[0])), cap), 0)  # missing: zero
                elif leaf.kind == "expression":
                    value, _ = _percent_int(frame, name)
                    threshold = int(leaf.params[0])
                    got = np.where(value >= threshold * 100, cap, cap * value * 8 // (threshold * 1000))
                elif leaf.kind == "deduction":
                    count, present = _count_int(frame, name)
                    got = np.where(present, cap - np.minimum(count * _fixed(leaf.params[0]), cap), cap)  # missing: full
                elif leaf.kind == "bonus":
                    count, present = _count_int(frame, name)
                    got = np.where(present, np.minimum(count * _fixed(leaf.params[0]), cap), 0)
                elif leaf.kind == "direct":
                    value, _ = _percent_int(frame, name)
                    got = value * (_S // 100)
                else:  # survey: cap × Σ(count × weight) / (Σ count × 100)
                    counts = [_count_int(frame, f"{name}.{option}")[0] for option in "ABCD"]
                    answers = sum(counts)
                    weighted = sum(count * int(weight) for count, weight in zip(counts, leaf.params))
                    got = cap // 100 * weighted // np.maximum(answers, 1)
                if criterion.weighted:
                    weight = 1 + number % 2
                    points += weight * got * 2 // int(leaf.cap * 2)  # weight × points / cap (caps 1 or 1.5)
                    weights += weight
                else:
                    points += np.where(applies, got, 0)
                caps += np.where(applies, cap, 0)
            criterion_cap = _fixed(criterion.cap)
            if criterion.weighted:
                value = criterion_cap // 10**6 * (points // weights) // 10**6
            else:
                rescaled = points // 10**3 * (criterion_cap // 10**6) // np.maximum(caps // 10**6, 1) * 10**3  # within int64
                value = np.where(caps == criterion_cap, points, rescaled)
            field_points += np.minimum(value, criterion_cap)
        total += np.minimum(field_points, _fixed(field.cap))
    total = np.minimum(total, 100 * _S)  # the scale is 100: the index is the total
    published = (total + _S // 200) // (_S // 100)  # half-up to two decimals, in hundredths
    band = np.where(published >= 9000, 0, np.where(published >= 8000, 1, np.where(published >= 7000, 2, 3)))
    return published, band


def float_scores(frame: Any) -> tuple[Any, Any]:
    """The generated methodology scored as an analyst would with pandas, in float64."""
    import numpy as np

    def number(name: str) -> Any:
        return frame[name].replace("", np.nan).astype(float)

    total = 0.0
    for field in SPEC:
        field_points = 0.0
        for criterion in field.criteria:
            points, caps, weights = 0.0, 0.0, 0.0
            for n, leaf in enumerate(criterion.leaves):
                cap = float(leaf.cap)
                name = leaf.indicator
                applies = 1.0
                if leaf.kind == "bands":
                    high, top, low, middle = (float(p) for p in leaf.params)
                    derived = next((d for d in DERIVED if d.id == name), None)
                    if derived is not None:
                        every = number(derived.denominator)
                        value = np.where(every > 0, number(derived.numerator) / every.where(every > 0, 1) * 100, 100.0)
                    else:
                        value = number(name)
                        if POLICY[name] == "not_applicable":
                            applies = value.notna().astype(float)
                    got = np.where(value >= high, top, np.where(value >= low, middle, 0.0))
                elif leaf.kind == "levels":
                    got = frame[name].map({"good": cap, "fair": cap / 2, "poor": 0.0})
                elif leaf.kind == "boolean":
                    got = (frame[name] == "True") * cap
                elif leaf.kind == "proportional":
                    got = (cap * number(name) / float(leaf.params[0])).clip(0, cap).fillna(0.0)
                elif leaf.kind == "expression":
                    value, threshold = number(name), float(leaf.params[0])
                    got = np.where(value >= threshold, cap, cap * value / threshold * 0.8)
                elif leaf.kind == "deduction":
                    got = (cap - (number(name) * 0.25).clip(upper=cap)).fillna(cap)
                elif leaf.kind == "bonus":
                    got = (number(name) * 0.5).clip(upper=cap).fillna(0.0)
                elif leaf.kind == "direct":
                    got = number(name)
                else:
                    counts = [number(f"{name}.{option}") for option in "ABCD"]
                    got = cap * sum(c * float(w) for c, w in zip(counts, leaf.params)) / sum(counts) / 100
                if criterion.weighted:
                    weight = 1 + n % 2
                    points = points + weight * got / cap
                    weights += weight
                else:
                    points = points + got * applies
                caps = caps + cap * applies
            value = float(criterion.cap) * points / weights if criterion.weighted else points * float(criterion.cap) / caps
            field_points = field_points + np.minimum(value, float(criterion.cap))
        total = total + np.minimum(field_points, float(field.cap))
    index = np.round(np.minimum(total, 100.0), 2)
    published = np.rint(np.asarray(index) * 100).astype(np.int64)
    band = np.where(index >= 90, 0, np.where(index >= 80, 1, np.where(index >= 70, 2, 3)))
    return published, band
