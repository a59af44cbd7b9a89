"""Expressions against an independent oracle, whatever their layout.

The oracle is simpleeval running the formula's text as the author wrote it, each number literal
read as the Decimal of its own text (:func:`~par_rules.engine._expressions.reference_evaluate`); par_rules
runs a rewritten tree (literals bound to names), compiled on its own and inlined into the plan's
generated code (:mod:`par_rules.codegen`). Formulas are generated, then laid out with line
breaks, tabs, comments, backslash continuations and non-ASCII text anywhere between their tokens.
"""

from __future__ import annotations

import decimal
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import par_rules
from par_rules.engine._arithmetic import MAX_MAGNITUDE
from par_rules.errors import RecordError
from par_rules.engine._expressions import (
    ExpressionError,
    compile_expression,
    reference_evaluate,
)
from par_rules.testing import load_text
from tests.methodology_text import methodology

NAMES = {"x": "number", "y": "number", "b": "boolean", "lv": "level"}
LEVELS = {"lv": frozenset({"chậm", "đúng_hạn"})}
CAP = Decimal(1000)

# ------------------------------------------------------------ formulas, as tokens


def _digits(low: int, high: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=low, max_size=high)


@st.composite
def _number_text(draw: st.DrawFn, nonzero: bool = False) -> str:
    """A plain decimal as an author writes it: 0, 12, 3.25, .5, 7., 0.125."""
    whole = draw(st.sampled_from(["0", "", "1", "2", "3", "5", "9"]) | st.builds(str, st.integers(1, 999)))
    point = draw(st.sampled_from(["", "."])) if whole else "."
    fraction = draw(_digits(1 if not whole else 0, 3)) if point else ""
    text = whole + point + fraction
    return "1" + text.lstrip("0") if nonzero and Decimal(text) == 0 else text


LITERAL = _number_text().map(lambda text: [text])
NUMBER_LEAF = st.one_of(LITERAL, LITERAL, st.sampled_from([["x"], ["y"]]))  # literals twice as often as names
BOOLEAN_LEAF = st.sampled_from([["b"], ["True"], ["False"], ["lv", "==", "'chậm'"], ["'đúng_hạn'", "!=", "lv"]])


def _numbers(children: st.SearchStrategy[list[str]], booleans: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    def call(name: str, *arguments: list[str]) -> list[str]:
        tokens = [name, "("]
        for argument in arguments:
            tokens += [*argument, ","]
        return tokens[:-1] + [")"]

    pair = st.tuples(children, children)
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*"]), children).map(lambda t: ["(", *t[0], t[1], *t[2], ")"]),
        st.tuples(children, _number_text(nonzero=True)).map(lambda t: ["(", *t[0], "/", t[1], ")"]),
        children.map(lambda c: ["(", "-", *c, ")"]),
        st.tuples(children, booleans, children).map(lambda t: ["(", *t[0], "if", *t[1], "else", *t[2], ")"]),
        st.tuples(st.sampled_from(["min", "max"]), pair).map(lambda t: call(t[0], *t[1])),
        st.tuples(st.sampled_from(["abs", "floor", "ceil"]), children).map(lambda t: call(t[0], t[1])),
        st.tuples(children, st.integers(0, 4)).map(lambda t: call("round", t[0], [str(t[1])])),
        st.tuples(st.sampled_from(["clamp", "ratio"]), children, children, children).map(lambda t: call(t[0], t[1], t[2], t[3])),
    )


def _booleans(numbers: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    comparison = st.tuples(numbers, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), numbers)
    return st.one_of(
        BOOLEAN_LEAF,
        comparison.map(lambda t: ["(", *t[0], t[1], *t[2], ")"]),
        st.tuples(BOOLEAN_LEAF, st.sampled_from(["and", "or"]), comparison).map(lambda t: ["(", *t[0], t[1], *t[2][0], t[2][1], *t[2][2], ")"]),
        BOOLEAN_LEAF.map(lambda c: ["(", "not", *c, ")"]),
    )


FORMULAS = st.recursive(NUMBER_LEAF, lambda children: _numbers(children, _booleans(children)), max_leaves=8)

# ------------------------------------------------------------ layouts

_PUNCTUATION = set("()+-*/,<>=!")
#: What may stand between two tokens inside brackets: the formula means the same whatever it is.
SEPARATORS = [" ", "\n", "\n    ", "\t", " \t ", "\r\n", "\n\n  ", "  # tỷ lệ 5 (chú thích)\n   ", " \\\n ", "\\\n", "\f ", "\n\f"]


@st.composite
def layouts(draw: st.DrawFn, tokens: list[str]) -> str:
    """The tokens in brackets, laid out with a few separators (or none beside punctuation)
    between them; or a token a line at one indent, where literals of one length share columns."""
    some = st.lists(st.sampled_from(SEPARATORS), min_size=1, max_size=2, unique=True).map(lambda chosen: ["", *chosen])
    separators = draw(some | st.integers(0, 4).map(lambda indent: ["\n" + " " * indent]))
    text = "(" + draw(st.sampled_from(separators))
    for before, token in zip(["("] + tokens, tokens):
        glued = before[-1] in _PUNCTUATION or token[0] in _PUNCTUATION
        text += draw(st.sampled_from([s for s in separators if s or glued])) + token
    return text + draw(st.sampled_from(separators)) + ")"


def flat(tokens: list[str]) -> str:
    return " ".join(tokens)


VALUES = st.fixed_dictionaries({
    "x": st.decimals(-100, 100, places=2),
    "y": st.decimals(-100, 100, places=3) | st.sampled_from([Decimal(0), Decimal(90), Decimal(85)]),
    "b": st.booleans(),
    "lv": st.sampled_from(sorted(LEVELS["lv"])),
})

# ------------------------------------------------------------ the comparison


def outcome(function: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "value", function(*args)
    except decimal.DecimalException as error:
        return "error", type(error).__name__


def scored(formula: str, values: dict[str, Any]) -> tuple[tuple[str, Any], Decimal | None]:
    """Score, through :func:`par_rules.score` (the plan's generated code), a methodology with a
    derived indicator ``d`` and a leaf "1" both given by ``formula``: the outcome of ``d`` (its
    value, or the reasons the record is refused) and the leaf's points."""
    text = methodology(
        f"""
        x: {{label: X, type: number}}
        y: {{label: Y, type: number}}
        b: {{label: B, type: boolean}}
        lv: {{label: Mức, type: level, levels: {{chậm: Chậm, đúng_hạn: Đúng hạn}}}}
        d: {{label: D, type: number, formula: {json.dumps(formula, ensure_ascii=False)}}}
        """,
        f"""
        - {{id: "1", label: Formula, max: {CAP}, rule: {{kind: expression, formula: {json.dumps(formula, ensure_ascii=False)}}}}}
        - {{id: "2", label: Derived, max: 0, rule: {{kind: expression, formula: "0 * d"}}}}
        """,
        scale=str(CAP),
    )
    try:
        result = par_rules.score(load_text(text), values)
    except RecordError as error:  # the message quotes the formula: keep the reason after it
        return ("error", sorted(problem.message.rsplit(": ", 1)[-1] for problem in error.problems)), None
    return ("value", result.node("2").inputs["d"]), result.points("1")


def _clamp(value: Decimal) -> Decimal:
    return min(max(value, Decimal(0)), CAP)


# ------------------------------------------------------------ regressions (issue #18)


@pytest.mark.parametrize(
    ("formula", "values", "expected"),
    [
        # regression: literals were keyed by their column alone, so a literal on line 2 or 3 took
        # the value of another at the same column (3 for every x; 3 for the 2 of "2 * x")
        ("(5 if x > 90 else\n 4 if x > 80 else\n 3)", [95, 85, 10], [5, 4, 3]),
        ("(2 * x +\n 3)", [2], [7]),
        ("(2 * x +\n\t3)", [2], [7]),
        ("(x +  # 7 is not a literal\n 7)", [1], [8]),
        ("(x *\\\n 2 + 1)", [4], [9]),
    ],
)
def test_literals_on_other_lines_keep_their_values(formula: str, values: list[int], expected: list[int]) -> None:
    expression = compile_expression(formula, {"x": "number"})
    text = methodology("x: {label: X, type: number}", f'- {{id: "1", label: A, max: 100, rule: {{kind: expression, formula: {json.dumps(formula)}}}}}', scale="100")
    loaded = load_text(text)
    for value, points in zip(values, expected, strict=True):
        assert expression.evaluate({"x": Decimal(value)}) == points
        assert reference_evaluate(expression, {"x": Decimal(value)}) == points
        assert par_rules.score(loaded, {"x": value}).points("1") == points


def test_a_literal_after_non_ascii_text_keeps_its_value() -> None:
    # a column is counted in UTF-8 bytes: 'chậm' is 6 bytes and 4 characters
    expression = compile_expression("(3 if lv == 'chậm' else 2) + 1", {"lv": "level"}, levels=LEVELS)
    assert [expression.evaluate({"lv": level}) for level in ("chậm", "đúng_hạn")] == [4, 3]


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        # regression: the place of a problem was its column alone (and in bytes, not characters)
        ("(x +\n 0o17)", "the number 0o17 is octal; numbers are written in plain decimals: write 15, at line 2, character 2"),
        ("(x if lv == 'chậm' else 0b11)", "the number 0b11 is binary; numbers are written in plain decimals: write 3, at character 25"),
        ("  x + 1_0", "the number 1_0 has '_' in it; numbers are written in plain decimals: write 10, at character 7"),
        ("(x +\r\n  y.real)", "attribute access (.real) is not allowed, at line 2, character 3"),
        ("(x\n + 'ệ' + 1)", "'+' needs numbers on both sides, at line 2, character 4"),
        ("(x  # a comment may hold U+2028\u2028, which ends no line\n + y.real)", "attribute access (.real) is not allowed, at line 2, character 4"),
        # regression: any syntax error in a formula over several lines was called a statement
        ("(x +\n )", "syntax error: invalid syntax, at line 2, character 2"),
        ("x\ny", "an expression must be a single expression (no statements), at line 2, character 1"),
        ("(x +\n 007)", "the number 007 has leading zeros; numbers are written in plain decimals: write 7, at line 2, character 2"),
    ],
)
def test_problems_are_placed_by_line_and_character(formula: str, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(formula, {"x": "number", "y": "number", "lv": "level"}, levels=LEVELS)
    assert str(caught.value).endswith(message), caught.value


# ------------------------------------------------------------ properties


@given(FORMULAS.flatmap(lambda tokens: st.tuples(st.just(tokens), layouts(tokens))), VALUES)
def test_compiled_expressions_agree_with_the_oracle(drawn: tuple[list[str], str], values: dict[str, Any]) -> None:
    _, flowed = drawn
    expression = compile_expression(flowed, NAMES, levels=LEVELS)
    expected = outcome(reference_evaluate, expression, values)
    assert outcome(expression.evaluate, values) == expected, flowed
    derived, points = scored(flowed, values)
    if expected[0] == "error" or abs(expected[1]) >= MAX_MAGNITUDE:
        assert derived[0] == "error", flowed  # the record is refused, with the node and the reason
    else:
        assert derived == expected, flowed
        assert points == _clamp(expected[1]), flowed


@given(FORMULAS.flatmap(lambda tokens: st.tuples(st.just(tokens), layouts(tokens))), VALUES)
def test_layout_never_changes_a_score(drawn: tuple[list[str], str], values: dict[str, Any]) -> None:
    tokens, flowed = drawn
    assert scored(flowed, values) == scored(flat(tokens), values), flowed
    both = [compile_expression(text, NAMES, levels=LEVELS) for text in (flowed, flat(tokens))]
    assert outcome(both[0].evaluate, values) == outcome(both[1].evaluate, values), flowed


#: Everything Python's tokenizer reads as a number (and near misses): prefixed, '_', exponents, 'j'.
NUMBER_LIKE = st.one_of(
    st.from_regex(r"\A0[xX][0-9a-fA-F_]{1,5}\Z|\A0[oO][0-7_]{1,5}\Z|\A0[bB][01_]{1,5}\Z", fullmatch=True),
    st.from_regex(r"\A[0-9_]{0,5}(\.[0-9_]{0,3})?([eE][-+]?[0-9_]{1,3})?[jJ]?\Z", fullmatch=True),
)
FORMULA_CHARACTERS = st.text(st.sampled_from("0123456789._xXoObBeEjJ +-*/()<>=!,#\n\t\\'\"xyb lvmin"), max_size=40)


@given(st.one_of(NUMBER_LIKE.map(lambda number: f"x + {number}"), FORMULA_CHARACTERS))
def test_any_text_is_a_formula_or_an_expression_error(formula: str) -> None:
    try:
        expression = compile_expression(formula, NAMES, levels=LEVELS, result=None)
    except ExpressionError:
        return
    values = {"x": Decimal("1.5"), "y": Decimal(-2), "b": True, "lv": "chậm"}
    assert outcome(expression.evaluate, values) == outcome(reference_evaluate, expression, values), formula
