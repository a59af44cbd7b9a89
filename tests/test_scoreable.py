"""Every methodology that passes the check scores a record.

The plan is compiled to Python (:mod:`par_rules.codegen`); nothing the loader and the check
accept may break that code or Python's compiler: a parent of thousands of children, a band
table of thousands of bands, a tree as deep as the file may nest, a chain of thousands of
derived indicators, thousands of levels or survey options, totals near the largest number a
methodology may hold. The extreme shapes, near the loader's limit of
:data:`~par_rules.load.LIMITS` nodes, are explicit cases, each held to the hand formulas of
:mod:`tests.test_properties`; a property draws moderate shapes of every kind.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import par_rules
from par_rules.engine._arithmetic import format_short
from par_rules.errors import MethodologyError, RecordError
from par_rules.engine._load import LIMITS
from par_rules.engine._rules.bands import BandTable
from par_rules.testing import load_text, methodology_texts, records
from tests.methodology_text import methodology
from tests.test_fast_paths import _CUTS, _tiled_bands
from tests.test_properties import _score, score_by_hand

D = Decimal


def _flow(value: Any) -> str:
    """``value`` in YAML's flow style (PyYAML's own writer takes seconds over files this large)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(key)}: {_flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    return format(value, "f") if isinstance(value, (Decimal, int)) else json.dumps(value)


def _text(data: dict[str, Any]) -> str:
    return "".join(f"{key}: {_flow(value)}\n" for key, value in data.items())


def _file(indicators: dict[str, Any], criteria: list[dict[str, Any]], scale: Decimal) -> dict[str, Any]:
    return {"format": 1, "id": "extreme/index", "version": "1", "years": [2024], "title": "Extreme", "issuer": "tests",
            "level": "district", "scale": scale, "status": "illustrative", "indicators": indicators, "criteria": criteria}


def _leaf(node_id: str, cap: Decimal, indicator: str) -> dict[str, Any]:
    return {"id": node_id, "label": "L", "max": cap, "rule": {"kind": "boolean", "indicator": indicator}}


def _wide_parent(aggregate: str, missing: str, count: int = 3500) -> tuple[dict[str, Any], dict[str, Any]]:
    """One parent of ``count`` leaves on one indicator (sum: one plain sum; weighted mean; or
    every child may not apply)."""
    children = [_leaf(f"1.{number}", D(1), "done") for number in range(count)]
    if aggregate == "weighted_mean":
        for number, child in enumerate(children):
            child["weight"] = D(number % 3 + 1)
    parent = {"id": "1", "label": "P", "max": D(count), "aggregate": aggregate, "children": children}
    return _file({"done": {"label": "D", "type": "boolean", "missing": missing}}, [parent], D(count)), {"done": True}


def _wide_fields() -> tuple[dict[str, Any], dict[str, Any]]:
    """3,500 fields, half of which may not apply."""
    indicators = {"a": {"label": "A", "type": "boolean"}, "b": {"label": "B", "type": "boolean", "missing": "not_applicable"}}
    return _file(indicators, [_leaf(str(number), D(1), "ab"[number % 2]) for number in range(3500)], D(3500)), {"a": True}


def _long_bands(count: int = 6000) -> tuple[dict[str, Any], dict[str, Any]]:
    """A table of ``count`` + 1 bands, every other one closed below."""
    bands = []
    for number in range(count):
        band: dict[str, Any] = {"at_least" if number % 2 else "above": D(number)} if number else {}
        bands.append({**band, "below" if (number + 1) % 2 else "at_most": D(number + 1), "points": D(number % 7)})
    bands.append({"at_least" if count % 2 else "above": D(count), "points": D(7)})
    criteria = [{"id": "1", "label": "B", "max": D(7), "rule": {"kind": "bands", "indicator": "x", "bands": bands[::-1]}}]
    return _file({"x": {"label": "X", "type": "number"}}, criteria, D(7)), {"x": "2999"}


def _deep_tree() -> tuple[dict[str, Any], dict[str, Any]]:
    """A chain of parents as deep as the file may nest (each level of the tree is two of YAML)."""
    node = _leaf("leaf", D(2), "done")
    for depth in range(LIMITS.depth // 2 - 3):
        node = {"id": f"n{depth}", "label": "P", "max": D(2), "children": [node, _leaf(f"m{depth}", D(1), "maybe")]}
        node["max"] = D(2) + D(depth + 1)
    indicators = {"done": {"label": "D", "type": "boolean"}, "maybe": {"label": "M", "type": "boolean", "missing": "not_applicable"}}
    return _file(indicators, [node], node["max"]), {"done": True}


def _derived_chain(count: int = 2500) -> tuple[dict[str, Any], dict[str, Any]]:
    """``count`` derived indicators, each computed from the one before."""
    indicators: dict[str, Any] = {"x0": {"label": "X", "type": "percent"}}
    for number in range(1, count):
        indicators[f"x{number}"] = {"label": "X", "type": "percent", "formula": f"clamp(x{number - 1} + 0.01, 0, 100)"}
    criteria = [{"id": "1", "label": "C", "max": D(10), "rule": {"kind": "proportional", "indicator": f"x{count - 1}"}}]
    return _file(indicators, criteria, D(10)), {"x0": "50"}


def _many_options() -> tuple[dict[str, Any], dict[str, Any]]:
    """5,000 levels and 5,000 survey options."""
    levels = {f"l{number}": "L" for number in range(5000)}
    options = {f"o{number}": "O" for number in range(5000)}
    indicators = {"level": {"label": "L", "type": "level", "levels": levels}, "answers": {"label": "A", "type": "answers", "options": options}}
    criteria = [
        {"id": "1", "label": "L", "max": D(5), "rule": {"kind": "levels", "indicator": "level", "points": {level: D(number % 6) for number, level in enumerate(levels)}}},
        {"id": "2", "label": "S", "max": D(5), "rule": {"kind": "survey", "indicator": "answers", "weights": {option: D(number % 101) for number, option in enumerate(options)}}},
    ]
    return _file(indicators, criteria, D(10)), {"level": "l4999", "answers": {option: number % 5 for number, option in enumerate(options)}}


def _large_totals() -> tuple[dict[str, Any], dict[str, Any]]:
    """Caps near the largest number a methodology may hold, rescaled over fields that apply."""
    big = D("99999999999999.5")
    indicators = {"share": {"label": "S", "type": "percent"}, "n": {"label": "N", "type": "count", "missing": "not_applicable"}}
    criteria = [
        {"id": "1", "label": "P", "max": big, "rule": {"kind": "proportional", "indicator": "share"}},
        {"id": "2", "label": "B", "max": big, "rule": {"kind": "bonus", "indicator": "n", "per_occurrence": D("0.0000000001")}},
    ]
    return _file(indicators, criteria, big * 2), {"share": "33.3333333333"}


EXTREMES: dict[str, Callable[[], tuple[dict[str, Any], dict[str, Any]]]] = {
    "a parent of 3,500 children": lambda: _wide_parent("sum", "error"),
    "a weighted mean of 3,000 children": lambda: _wide_parent("weighted_mean", "error", 3000),
    "3,500 children that may not apply": lambda: _wide_parent("sum", "not_applicable"),
    "3,500 fields": _wide_fields,
    "6,000 bands": _long_bands,
    "a tree as deep as the file may nest": _deep_tree,
    "a chain of 2,500 derived indicators": _derived_chain,
    "5,000 levels and survey options": _many_options,
    "large totals": _large_totals,
}


@pytest.mark.parametrize("shape", EXTREMES)
def test_an_extreme_methodology_that_passes_the_check_scores_exactly(shape: str) -> None:
    data, record = EXTREMES[shape]()
    loaded = load_text(_text(data))
    result = par_rules.score(loaded, record)
    by_hand, total = score_by_hand(loaded, record)
    assert {node.id: result.points(node.id) for node in loaded.nodes()} == by_hand
    assert result.total == total


@pytest.mark.parametrize("build", [
    pytest.param(lambda: _wide_parent("sum", "error", 7000), id="7,000 children"),
    pytest.param(lambda: _long_bands(12000), id="12,000 bands"),
    pytest.param(lambda: _derived_chain(8000), id="8,000 derived indicators"),
])
def test_twice_as_large_the_loader_refuses_them(build: Callable[[], tuple[dict[str, Any], dict[str, Any]]]) -> None:
    # The cases above are near the largest of their kind the loader accepts.
    with pytest.raises(MethodologyError, match=f"more than {LIMITS.nodes} nodes"):
        load_text(_text(build()[0]))


@given(_CUTS.flatmap(lambda cuts: st.tuples(st.just(cuts), st.lists(st.booleans(), min_size=len(cuts), max_size=len(cuts)))), st.data())
def test_bisection_finds_the_band_the_rule_finds(table_cuts: tuple[list[Decimal], list[bool]], data: st.DataObject) -> None:
    # Every table searched by bisection, held to BandsRule.apply at every cut and beside it.
    cuts, closed_low = table_cuts
    loaded = load_text(methodology("x: {label: X, type: number}", f'- {{id: "1", label: X, max: 10, rule: {{kind: bands, indicator: x, bands: {_tiled_bands(cuts, closed_low)}}}}}'))
    node = loaded.node("1")
    rule = node.rule
    table = BandTable(rule)  # type: ignore[arg-type]
    values = [cut + offset for cut in cuts for offset in (D("-0.01"), D(0), D("0.01"))]
    values += data.draw(st.lists(st.decimals(min_value=-60, max_value=160, places=2), max_size=5))
    for value in values:
        assert table.points(node.max, value) == rule.apply(node.max, value)  # type: ignore[union-attr]


def test_a_long_band_table_scores_as_the_rule_does() -> None:
    data, _ = _long_bands()
    loaded = load_text(_text(data))
    node = loaded.node("1")
    for value in (D(0), D("0.5"), D(1), D(2), D("2999"), D("2999.5"), D(3000), D(5999), D(6000), D("6000.01"), D(-5)):
        points, band = node.rule.apply(node.max, value)  # type: ignore[union-attr]
        result = par_rules.score(loaded, {"x": str(value)})
        assert result.points("1") == points
        assert result.fields[0].why == node.rule.explain(node.max, points, band, format_short(value))  # type: ignore[union-attr]


@given(
    st.one_of(
        methodology_texts(max_depth=2, max_width=10),
        methodology_texts(max_depth=5, max_width=2),
        methodology_texts(max_depth=1, max_width=3, max_bands=24, max_chain=8),
    ),
    st.data(),
)
def test_every_methodology_that_passes_the_check_scores_a_record(text: str, data: st.DataObject) -> None:
    loaded = load_text(text)
    record = data.draw(records(loaded))
    try:
        result = _score(loaded, record)  # None: no field applies, as the hand formula says too
    except RecordError as error:  # pragma: no cover - a drawn record fits its methodology
        raise AssertionError(f"a record that fits was refused: {error}") from None
    if result is not None:
        assert result.total == score_by_hand(loaded, record)[1]


def _order_in_rounds(derived: dict[str, Any]) -> list[str]:
    """The order by its definition: round after round, the indicators whose derived inputs are
    all placed, in the order of the file."""
    ordered: list[str] = []
    while len(ordered) < len(derived):
        ordered += [key for key, names in derived.items() if key not in ordered and all(name in ordered or name not in derived for name in names)]
    return ordered


@given(st.integers(1, 30).flatmap(lambda count: st.lists(st.lists(st.integers(0, count - 1), max_size=4), min_size=count, max_size=count)))
def test_derived_indicators_are_ordered_in_rounds(inputs: list[list[int]]) -> None:
    # Indicator i may use indicators declared before it (so no cycle), listed in a shuffled file order.
    from types import SimpleNamespace

    from par_rules.engine._evaluate import _dependency_order

    names = {number: f"d{(number * 7919) % len(inputs)}-{number}" for number in range(len(inputs))}
    derived = {names[number]: tuple(names[used] for used in uses if used < number) + ("input",) for number, uses in enumerate(inputs)}
    derived = dict(sorted(derived.items()))
    indicators = {key: SimpleNamespace(formula=SimpleNamespace(names=uses)) for key, uses in derived.items()}
    assert [key for key, _ in _dependency_order(indicators)] == _order_in_rounds(derived)


@pytest.mark.parametrize("source", ["min(rate, 10) + 2.50 * MAX", "rate if chỉ_số > 0 else round(rate / 3, 2)", "(rate\n + 1)", "max(tỷ_lệ, 1.5) - ａ"])
def test_the_checker_reads_each_part_as_written(source: str) -> None:
    # Its quick reading of a one-line expression gives what ast.get_source_segment gives.
    import ast

    from par_rules.engine._expressions import _Checker

    checker = _Checker(source, source, 0, {}, {}, {})
    for node in ast.walk(ast.parse(source, mode="eval")):
        if hasattr(node, "col_offset"):
            assert checker.segment(node) == ast.get_source_segment(source, node)


def _zero_cap(lapses: str, at_the_top: bool) -> str:
    leaves = [{"id": "a", "label": "A", "max": D(0), "rule": {"kind": "boolean", "indicator": "a"}},
              {"id": "b", "label": "B", "max": D(5), "rule": {"kind": "boolean", "indicator": "b"}}]
    indicators = {"a": {"label": "A", "type": "boolean"}, "b": {"label": "B", "type": "boolean", "missing": lapses}}
    criteria = leaves if at_the_top else [{"id": "1", "label": "P", "max": D(5), "children": leaves}]
    return _text(_file(indicators, criteria, D(5)))


@pytest.mark.parametrize("at_the_top", [False, True])
def test_a_zero_cap_that_may_apply_alone_is_refused_by_the_check(at_the_top: bool) -> None:
    # Scored with only "a", its parent (or the total) was rescaled over a cap of 0: a raw
    # decimal.InvalidOperation for every such record.
    text = _zero_cap("not_applicable", at_the_top)
    with pytest.raises(MethodologyError) as raised:
        load_text(text)
    [problem] = raised.value.problems
    assert (problem.node, problem.line) == ("a", next(number for number, line in enumerate(text.splitlines(), 1) if line.startswith("criteria")))
    assert "cannot be rescaled" in problem.message
    loaded = load_text(_zero_cap("zero", at_the_top))  # "b" always applies: nothing to rescale
    assert par_rules.score(loaded, {"a": True}).total == 0
