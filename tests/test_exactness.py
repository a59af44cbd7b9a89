"""Exactness as documented: every value the formulas of docs/format.md give exactly is given
exactly, and every other value is within one unit in the last place (of 34 digits).

The oracle is written from the docs' formulas in exact :class:`fractions.Fraction` arithmetic,
one node at a time: a leaf from its indicator values, a parent from its children's points (as
par_rules gives them: a parent is a formula over its children's values), the total from the
fields and the index from the total. Expressions are the formula language's own business (they
run step by step in 34 digits, as documented) and are checked by test_properties.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import par_rules
from par_rules.engine._arithmetic import CONTEXT
from par_rules.engine._arithmetic import format_decimal as fmt
from par_rules.engine._model import Interval, Methodology, Node
from par_rules.engine._record import Record, prepare
from par_rules.engine._rules import ExpressionRule, SurveyRule
from par_rules.testing import load_text, methodologies, records

from .methodology_text import methodology, write

DIGITS = CONTEXT.prec


def exact_leaf(node: Node, value: Any) -> Fraction:
    """A leaf's points from its (present) indicator value, by the formula of docs/format.md."""
    rule, cap = node.rule, Fraction(node.max)
    kind = rule.kind

    def clamp(raw: Fraction, high: Fraction) -> Fraction:
        return max(Fraction(0), min(raw, high))

    if kind == "bands":
        return Fraction(next(band.points for band in rule.bands if _inside(value, band.interval)))
    if kind == "levels":
        return Fraction(rule.points[value])
    if kind == "boolean":
        return Fraction(node.max if rule.when_true is None else rule.when_true) if value else Fraction(rule.when_false)
    if kind == "proportional":
        return clamp(cap * Fraction(value) / Fraction(rule.full_at), cap)
    if kind == "direct":
        return Fraction(value)
    if kind == "deduction":
        limit = cap if rule.limit is None else min(Fraction(rule.limit), cap)
        return cap - clamp(Fraction(value) * Fraction(rule.per_occurrence), limit)
    if kind == "bonus":
        return clamp(Fraction(value) * Fraction(rule.per_occurrence), cap)
    assert kind == "survey", kind
    answers = sum((Fraction(count) for count in value.values()), Fraction(0))
    weighted = sum((Fraction(count) * Fraction(rule.weights[option]) for option, count in value.items()), Fraction(0))
    return cap * weighted / answers / 100


def _inside(value: Decimal, interval: Interval) -> bool:
    above_low = interval.low is None or value > interval.low or (value == interval.low and interval.low_inclusive)
    below_high = interval.high is None or value < interval.high or (value == interval.high and interval.high_inclusive)
    return above_low and below_high


def exact_parent(node: Node, children: list[Decimal | None]) -> Fraction | None:
    """A parent's points from its children's (``None``: not applicable), by docs/format.md:
    the weighted mean ``max × Σ(weight × points / child max) / Σ weight``, or the sum rescaled
    over the applicable caps, ``min(max, Σ points × Σ all caps / Σ applicable caps)``."""
    applicable = [(Fraction(points), child) for points, child in zip(children, node.children) if points is not None]
    if not applicable:
        return None
    if node.aggregate == "weighted_mean":
        weights = sum((Fraction(child.weight) for _, child in applicable), Fraction(0))
        shares = sum((Fraction(child.weight) * points / Fraction(child.max) for points, child in applicable), Fraction(0))
        return Fraction(node.max) * shares / weights
    return _rescaled_sum([(points, Fraction(child.max)) for points, child in applicable], sum((Fraction(c.max) for c in node.children), Fraction(0)), Fraction(node.max))


def _rescaled_sum(applicable: list[tuple[Fraction, Fraction]], all_caps: Fraction, cap: Fraction) -> Fraction:
    total = sum((points for points, _ in applicable), Fraction(0))
    return min(cap, total * all_caps / sum((c for _, c in applicable), Fraction(0)))


def exact_total(methodology: Methodology, fields: list[Decimal | None]) -> Fraction:
    """The total from the fields' points, rescaled over the fields that apply, within the scale."""
    applicable = [(Fraction(points), Fraction(field.max)) for points, field in zip(fields, methodology.criteria) if points is not None]
    return _rescaled_sum(applicable, sum((Fraction(f.max) for f in methodology.criteria), Fraction(0)), Fraction(methodology.scale))


def representable(value: Fraction) -> bool:
    """Whether ``value`` is a decimal of at most :data:`DIGITS` significant digits."""
    numerator, denominator = value.numerator, value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return False
    digits = abs(numerator) * 2 ** (max(twos, fives) - twos) * 5 ** (max(twos, fives) - fives)  # value × 10^k, k decimals
    while digits and digits % 10 == 0:
        digits //= 10
    return len(str(digits)) <= DIGITS


def ulp(value: Fraction) -> Fraction:
    """One unit in the last of :data:`DIGITS` significant digits of ``value`` (a positive one)."""
    magnitude = abs(value)
    if magnitude == 0:
        return Fraction(1, 10**999)
    exponent = len(str(magnitude.numerator)) - len(str(magnitude.denominator))  # within one of log10
    while Fraction(10) ** exponent > magnitude:
        exponent -= 1
    while Fraction(10) ** (exponent + 1) <= magnitude:
        exponent += 1
    return Fraction(10) ** (exponent - DIGITS + 1)


def assert_exact(given: Decimal, expected: Fraction, where: str) -> None:
    """``given`` is ``expected`` when that is representable, else within one ulp of it."""
    if representable(expected):
        assert Fraction(given) == expected, f"{where}: {given} where the formula gives exactly {_text(expected)}"
    else:
        assert abs(Fraction(given) - expected) <= ulp(expected), f"{where}: {given} is more than 1 ulp from {float(expected)!r}"


def _text(value: Fraction) -> str:
    return str(CONTEXT.divide(Decimal(value.numerator), Decimal(value.denominator)))


def check_result(methodology: Methodology, record: Mapping[str, Any], result: par_rules.Result) -> None:
    """Every leaf (but expressions), parent, the total and the index against the exact formulas."""
    values = dict(prepare(methodology, Record.from_mapping(record)))
    so_far = {node.id: Decimal(0) if node.pending else node.points for node in result.nodes()}  # a pending node: 0 so far
    for node in methodology.nodes():
        points = so_far[node.id]
        if node.rule is not None:
            if isinstance(node.rule, ExpressionRule) or node.rule.indicator not in values or node.rule.indicator not in record:
                continue  # expressions, derived and missing values: test_properties
            assert_exact(points, exact_leaf(node, values[node.rule.indicator]), node.id)
        else:
            expected = exact_parent(node, [so_far[child.id] for child in node.children])
            assert (points is None) == (expected is None), node.id
            if expected is not None:
                assert_exact(points, expected, node.id)
    assert_exact(result.total, exact_total(methodology, [so_far[field.id] for field in methodology.criteria]), "total")
    if result.complete:
        assert_exact(result.index, Fraction(result.total) / Fraction(methodology.scale) * 100, "index")
    else:  # parts not in yet: no index
        assert result.index is None and result.band is None


# ------------------------------------------------------------ the oracle's own checks


def test_the_oracle_knows_what_is_representable_and_its_ulps() -> None:
    assert representable(Fraction(28, 10)) and representable(Fraction(1, 3 * 10**0) * 3)
    assert not representable(Fraction(1, 3))
    assert representable(Fraction(10**33 + 1)) and not representable(Fraction(10**34 + 1))
    assert representable(Fraction(10**40)) and representable(Fraction(1, 2**40))
    assert ulp(Fraction(768, 100)) == Fraction(1, 10**33) and ulp(Fraction(1, 3)) == Fraction(1, 10**34)


# ------------------------------------------------------------ the cases that were wrong


SURVEY = ("""
answers: {label: Trả lời, type: answers, options: {A: A, B: B, C: C}}
""", """
- id: "1"
  label: Khảo sát
  max: 21
  rule: {kind: survey, indicator: answers, weights: {A: 0, B: 60, C: 0}}
""")

WEIGHTED = ("""
given: {label: Điểm thẩm định, type: number}
share: {label: Tỷ lệ, type: ratio}
""", """
  - id: "1"
    label: Bình quân
    max: 18.24
    aggregate: weighted_mean
    children:
      - {id: "1.1", label: Thẩm định, max: 6, weight: 2.75, rule: {kind: direct, indicator: given}}
      - {id: "1.2", label: Tỷ lệ, max: 12.24, weight: 2, rule: {kind: proportional, indicator: share}}
""")


def test_a_survey_leaf_multiplies_before_it_divides(tmp_path: Any) -> None:
    """21 × (16 × 60) / (72 × 100) is 2.8; dividing first gave 2.799…9."""
    loaded = par_rules.load(write(tmp_path, methodology(*SURVEY, scale="21")))
    result = par_rules.score(loaded, {"answers": {"A": 46, "B": 16, "C": 10}})
    assert result.points("1") == Decimal("2.8")
    assert result.to_dict()["total"] == "2.8"
    rule = loaded.node("1").rule
    assert isinstance(rule, SurveyRule)
    assert rule.apply(Decimal(21), {"A": Decimal(46), "B": Decimal(16), "C": Decimal(10)})[0] == Decimal("2.8")


def test_a_weighted_mean_divides_once(tmp_path: Any) -> None:
    """18.24 × (2.75 × 0 / 6 + 2 × 12.24 / 12.24) / 4.75 is 7.68; two divisions gave 7.68…01."""
    loaded = par_rules.load(write(tmp_path, methodology(*WEIGHTED, scale="18.24")))
    result = par_rules.score(loaded, {"given": 0, "share": 1})
    assert result.points("1") == Decimal("7.68")
    assert result.total == Decimal("7.68") and result.node("1").to_dict()["points"] == "7.68"


# ------------------------------------------------------------ the property


@given(methodologies(), st.data())
def test_every_node_total_and_index_is_the_exact_formula(generated: Methodology, data: st.DataObject) -> None:
    record = data.draw(records(generated))
    try:
        result = par_rules.score(generated, record)
    except par_rules.RecordError:
        return  # no field applies: test_properties holds that case
    check_result(generated, record, result)


#: One leaf of each kind whose arithmetic can round, with its cap and parameters drawn below.
_KINDS = {
    "proportional": ("number", "{kind: proportional, indicator: x, full_at: %(p)s}"),
    "deduction": ("number", "{kind: deduction, indicator: x, per_occurrence: %(p)s}"),
    "bonus": ("number", "{kind: bonus, indicator: x, per_occurrence: %(p)s}"),
    "survey": ("answers", "{kind: survey, indicator: x, weights: {A: %(a)s, B: %(b)s, C: %(c)s}}"),
}

_decimals = st.builds(lambda digits, places: Decimal(digits).scaleb(-places), st.integers(1, 10**12), st.integers(0, 10))
_values = st.builds(lambda digits, places: Decimal(digits).scaleb(-places), st.integers(0, 10**30), st.integers(16, 40))  # below 10^15
_percent = st.builds(lambda digits, places: Decimal(digits).scaleb(-places), st.integers(0, 100 * 10**6), st.just(6))


@given(st.sampled_from(sorted(_KINDS)), _decimals, _decimals, _decimals, st.lists(_percent, min_size=3, max_size=3), st.data())
def test_wide_numbers_in_every_rounding_rule_kind(kind: str, cap: Decimal, sibling: Decimal, parameter: Decimal, weights: list[Decimal], data: st.DataObject) -> None:
    """Caps, parameters and values with many digits, beside a sibling under a weighted mean and
    a rescaled sum: the generated code and the rule's own ``apply`` both give the exact formula."""
    indicator_type, rule = _KINDS[kind]
    rule_text = rule % {"p": fmt(parameter), "a": fmt(weights[0]), "b": fmt(weights[1]), "c": fmt(weights[2])}
    options = ", options: {A: A, B: B, C: C}" if indicator_type == "answers" else ""
    aggregate = data.draw(st.sampled_from(["sum", "weighted_mean"]))
    indicators = f"""
x: {{label: X, type: {indicator_type}{options}}}
y: {{label: Y, type: number, missing: not_applicable}}
"""
    criteria = f"""
- id: "1"
  label: Field
  max: {fmt(cap + sibling)}
  aggregate: {aggregate}
  children:
    - {{id: "1.1", label: A, max: {fmt(cap)}, weight: {fmt(parameter)}, rule: {rule_text}}}
    - {{id: "1.2", label: B, max: {fmt(sibling)}, weight: 3, rule: {{kind: direct, indicator: y}}}}
"""
    text = methodology(indicators, criteria, scale=fmt(cap + sibling))
    loaded = load_text(text)
    if indicator_type == "answers":
        value: Any = {option: data.draw(_values) for option in "ABC"}
        if not any(value.values()):
            value["A"] = Decimal(1)
    else:
        value = data.draw(_values)
    record = {"x": value}
    if data.draw(st.booleans()):
        record["y"] = sibling * data.draw(st.integers(0, 100)) / 100
    result = par_rules.score(loaded, record)
    check_result(loaded, record, result)
    node = loaded.node("1.1")
    read = prepare(loaded, Record.from_mapping(record))["x"]
    assert node.rule.apply(node.max, read)[0] == result.points("1.1")


# ------------------------------------------------------------ caps and number limits, as documented


WEIGHTED_CAPS = """
- id: "1"
  label: A
  max: 10
  aggregate: {aggregate}
  children:
    - {{id: "1.1", label: B, max: 3, weight: 2, rule: {{kind: boolean, indicator: x}}}}
    - {{id: "1.2", label: C, max: 5, rule: {{kind: boolean, indicator: y}}}}
"""


def test_only_a_sum_parent_needs_its_childrens_caps_to_add_up(tmp_path: Any) -> None:
    """A weighted mean counts each child as a share of its own cap: 3 + 5 under 10 is fine
    there (docs/format.md), and an error in a sum."""
    indicators = "x: {label: X, type: boolean}\ny: {label: Y, type: boolean}"
    (tmp_path / "sum").mkdir()
    weighted = par_rules.load(write(tmp_path, methodology(indicators, WEIGHTED_CAPS.format(aggregate="weighted_mean"))))
    result = par_rules.score(weighted, {"x": True, "y": False})
    assert result.points("1") == CONTEXT.divide(Decimal(20), Decimal(3))  # 10 × (2 × 3 / 3 + 1 × 0 / 5) / 3
    with pytest.raises(par_rules.MethodologyError, match="add up to 8, not to this node's cap 10"):
        par_rules.load(write(tmp_path / "sum", methodology(indicators, WEIGHTED_CAPS.format(aggregate="sum"))))


@pytest.mark.parametrize("number", ["0.12345678901", "1000000000000000"])
def test_a_number_beyond_the_limits_of_a_methodology_says_the_limits(tmp_path: Any, number: str) -> None:
    text = methodology("x: {label: X, type: boolean}", f'- {{id: "1", label: A, max: 10, rule: {{kind: boolean, indicator: x, when_false: {number}}}}}')
    with pytest.raises(par_rules.MethodologyError, match=r"below 10\^15 in size, with at most 10 decimals"):
        par_rules.load(write(tmp_path, text))


@pytest.mark.parametrize(("value", "limit"), [("1000000000000000", r"below 10\^15"), ("1E-41", r"at least 10\^-40"), ("1." + "1" * 40, "more than 40 digits")])
def test_a_record_value_beyond_the_limits_says_the_limit(tmp_path: Any, value: str, limit: str) -> None:
    loaded = par_rules.load(write(tmp_path, methodology("x: {label: X, type: number}", '- {id: "1", label: A, max: 10, rule: {kind: direct, indicator: x}}')))
    with pytest.raises(par_rules.RecordError, match=limit):
        par_rules.score(loaded, {"x": value})
