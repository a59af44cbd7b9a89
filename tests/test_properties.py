"""Properties every methodology and every record must keep, over arbitrary generated ones
(:mod:`par_rules.testing`): bounds, exact aggregation, monotonicity, determinism, thread safety,
key-order independence, the YAML round trip, ``extends`` chains, and not-applicable rescaling
against the hand formula.

CI runs the derandomized ``ci`` profile; ``HYPOTHESIS_PROFILE=deep`` runs thousands of examples.
"""

from __future__ import annotations

import itertools
import dataclasses
import decimal
import random
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import par_rules
from par_rules.engine._arithmetic import CONTEXT
from par_rules.dump import dump, to_yaml
from par_rules.errors import RecordError
from par_rules.engine._expressions import reference_evaluate
from par_rules.engine._model import Methodology, Node
from par_rules.engine._record import Catalogue, Record, check_values, prepare
from par_rules.engine._rules import BandsRule, DeductionRule, ExpressionRule
from par_rules.testing import extends_chains, load_text, methodologies, records

from .test_exactness import exact_leaf, exact_parent, exact_total

ZERO = Decimal(0)
HUNDRED = Decimal(100)
_PRECEDENCE = {"not_applicable": 0, "zero": 1, "full": 2, "pending": 3}


# ------------------------------------------------------------ the hand formulas


def _clamp(value: Decimal, cap: Decimal) -> Decimal:
    return max(ZERO, min(value, cap))


def _leaf_by_hand(node: Node, values: Mapping[str, Any], methodology: Methodology, reach: bool = False) -> tuple[Decimal | None, bool]:
    """A leaf's points from the rule's written definition (expressions through simpleeval, the
    other rules by the exact formulas of test_exactness, rounded once), and whether it is
    pending (then 0, or its cap when ``reach``)."""
    rule, cap = node.rule, node.max
    when_missing = {"zero": ZERO, "full": cap, "not_applicable": None, "pending": cap if reach else ZERO}
    if isinstance(rule, ExpressionRule):
        absent = [name for name in rule.expression.names if name not in values]
        if absent:
            policy = min((methodology.indicators[name].missing for name in absent), key=_PRECEDENCE.__getitem__)
            return when_missing[policy], policy == "pending"
        return _clamp(reference_evaluate(rule.expression, {**values, "MAX": cap}), cap), False
    if rule.indicator not in values:
        policy = methodology.indicators[rule.indicator].missing
        return when_missing[policy], policy == "pending"
    return _rounded(exact_leaf(node, values[rule.indicator])), False


def _rounded(value: Fraction | None) -> Decimal | None:
    """The exact value of a formula rounded once to the context, as par_rules rounds each node."""
    return None if value is None else CONTEXT.divide(Decimal(value.numerator), Decimal(value.denominator))


def _aggregate(node: Node, children: list[tuple[Decimal | None, Node]]) -> Decimal | None:
    """A parent's points from its children's: the sum rescaled over the applicable caps (capped),
    or the weighted mean of the shares, rounded once; ``None`` when no child applies."""
    return _rounded(exact_parent(node, [points for points, _ in children]))


def score_by_hand(
    methodology: Methodology, record: Mapping[str, Any], *, reach: bool = False, parts: frozenset[str] | None = None, pending: set[str] | None = None,
) -> tuple[dict[str, Decimal | None], Decimal | None]:
    """Every node's points and the total (``None``: no field applies), by the hand formulas.
    Pending leaves (a missing value under ``pending``; outside ``parts``) score 0, or their cap
    when ``reach``; their ids are added to ``pending``."""
    inside: set[str] = set()
    for part in parts or ():
        inside.update(node.id for node in methodology.node(part).walk())
    used = _used_by(methodology, [node for node in methodology.leaves() if node.id in inside]) if parts is not None else set(methodology.indicators)
    values = dict(prepare(methodology, Record.from_mapping(record))) if parts is None else _prepare_parts(methodology, record, used)
    points: dict[str, Decimal | None] = {}
    with decimal.localcontext(CONTEXT):
        for key, indicator in _derived_in_order(methodology):
            if all(name in values for name in indicator.formula.names):
                values[key] = reference_evaluate(indicator.formula, values)

        def visit(node: Node) -> Decimal | None:
            if node.rule is not None:
                if parts is not None and node.id not in inside:
                    points[node.id], waiting = (node.max if reach else ZERO), True
                else:
                    points[node.id], waiting = _leaf_by_hand(node, values, methodology, reach)
                if waiting and pending is not None:
                    pending.add(node.id)
            else:
                points[node.id] = _aggregate(node, [(visit(child), child) for child in node.children])
            return points[node.id]

        fields = [visit(field) for field in methodology.criteria]
        if all(p is None for p in fields):
            return points, None
        return points, _rounded(exact_total(methodology, fields))


def _used_by(methodology: Methodology, leaves: list[Node]) -> set[str]:
    """The indicators the leaves read, and those they derive from."""
    waiting = [name for leaf in leaves for name in (leaf.rule.expression.names if isinstance(leaf.rule, ExpressionRule) else (leaf.rule.indicator,))]
    used: set[str] = set()
    while waiting:
        name = waiting.pop()
        if name not in used:
            used.add(name)
            formula = methodology.indicators[name].formula
            waiting.extend(formula.names if formula is not None else ())
    return used


def _prepare_parts(methodology: Methodology, record: Mapping[str, Any], used: set[str]) -> dict[str, Any]:
    """The values the parts' leaves read: each checked as a record's, those only other leaves
    read left out (they need not be given)."""
    optional = frozenset(key for key in methodology.indicators if key not in used)
    return check_values(Catalogue(methodology.indicators, optional), {key: value for key, value in Record.from_mapping(record).values.items() if key in used})


def _states(methodology: Methodology, pending_leaves: set[str], points: Mapping[str, Decimal | None]) -> dict[str, str]:
    """Each node's state by hand: a leaf is pending or complete; a parent is pending when every
    child that applies or is pending is pending, partial when some is not complete."""
    states: dict[str, str] = {}

    def visit(node: Node) -> str:
        if node.rule is not None:
            states[node.id] = "pending" if node.id in pending_leaves else "complete"
            return states[node.id]
        below = [(visit(child), child) for child in node.children]
        counted = [state for state, child in below if state == "pending" or points[child.id] is not None]
        states[node.id] = "pending" if counted and all(s == "pending" for s in counted) else "partial" if any(s != "complete" for s in counted) else "complete"
        return states[node.id]

    for field in methodology.criteria:
        visit(field)
    return states


def check_against_the_hand(methodology: Methodology, record: Mapping[str, Any], result: par_rules.Result, parts: frozenset[str] | None = None) -> None:
    """Every node's points so far and reach, the total, the reach and the pending nodes, against
    the hand formulas run with pending leaves at 0 and at their caps."""
    waiting: set[str] = set()
    low, total = score_by_hand(methodology, record, parts=parts, pending=waiting)
    high, reach = score_by_hand(methodology, record, parts=parts, reach=True)
    states = _states(methodology, waiting, low)
    for node in methodology.nodes():
        state = states[node.id]
        got = result.node(node.id)
        assert (got.pending, got.partial) == (state == "pending", state == "partial"), node.id
        assert result.points(node.id) == (None if state == "pending" else low[node.id]), node.id
        assert got.reach == (high[node.id] if state != "complete" else low[node.id]), node.id
        assert got.points is None or ZERO <= got.points <= (got.reach if got.reach is not None else node.max) <= node.max, node.id
    assert result.total == total and result.reach == reach
    assert result.complete == (not waiting) and (result.index is None) == bool(waiting) == bool(result.pending)
    assert set(result.pending) == {node.id for node in methodology.nodes() if states[node.id] == "pending" and all(states[a.id] != "pending" for a in _ancestors(methodology, node.id))}


def _ancestors(methodology: Methodology, node_id: str) -> list[Node]:
    path: list[Node] = []

    def find(nodes: tuple[Node, ...], trail: list[Node]) -> bool:
        for node in nodes:
            if node.id == node_id:
                path.extend(trail)
                return True
            if find(node.children, [*trail, node]):
                return True
        return False

    find(methodology.criteria, [])
    return path


def _derived_in_order(methodology: Methodology) -> list[tuple[str, Any]]:
    derived = {key: ind for key, ind in methodology.indicators.items() if ind.derived}
    ordered: list[tuple[str, Any]] = []
    while derived:
        for key, ind in list(derived.items()):
            if not any(name in derived for name in ind.formula.names):
                ordered.append((key, derived.pop(key)))
    return ordered


def _score(methodology: Methodology, record: Mapping[str, Any]) -> par_rules.Result | None:
    """The result, or ``None`` when no field applies (checked against the hand formula)."""
    try:
        return par_rules.score(methodology, record)
    except RecordError as error:
        assert [p.message for p in error.problems] == ["no criterion applies to this record: every field is not applicable"], error
        assert score_by_hand(methodology, record)[1] is None
        return None


# ------------------------------------------------------------ the properties


@given(methodologies(), st.data())
def test_points_within_bounds_and_equal_to_the_hand_formula(methodology: Methodology, data: st.DataObject) -> None:
    record = data.draw(records(methodology))
    result = _score(methodology, record)
    if result is None:
        return
    check_against_the_hand(methodology, record, result)
    assert ZERO <= result.total <= result.reach <= methodology.scale
    if result.complete:
        assert ZERO <= result.index <= HUNDRED
        assert ZERO <= result.published_index <= HUNDRED
    else:  # parts not in yet: no index, no band
        assert result.index is None and result.published_index is None and result.band is None
    assert all(isinstance(r.points, (Decimal, type(None))) for r in result.nodes())


@given(methodologies(), st.data())
def test_scoring_named_parts_equals_the_hand_formula_with_the_rest_pending(methodology: Methodology, data: st.DataObject) -> None:
    """The generated scorer with parts named (the leaves outside them pending whatever the record
    gives) against the hand formulas, node by node."""
    record = data.draw(records(methodology))
    ids = [node.id for node in methodology.nodes()]
    parts = frozenset(data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3)))
    try:
        result = par_rules.score(methodology, record, parts=parts)
    except RecordError as error:
        assert [p.message for p in error.problems] == ["no criterion applies to this record: every field is not applicable"], error
        assert score_by_hand(methodology, record, parts=parts)[1] is None
        return
    check_against_the_hand(methodology, record, result, parts)


@given(methodologies(), st.data())
def test_parents_are_exactly_the_aggregation_of_their_children(methodology: Methodology, data: st.DataObject) -> None:
    result = _score(methodology, data.draw(records(methodology)))
    if result is None:
        return
    so_far = {node.id: ZERO if node.pending else node.points for node in result.nodes()}  # a pending node: 0 so far
    with decimal.localcontext(CONTEXT):
        for node in methodology.nodes():
            if node.children:
                children = [(so_far[child.id], child) for child in node.children]
                assert so_far[node.id] == _aggregate(node, children), node.id


def _monotone_indicators(node: Node) -> tuple[str, ...]:
    """The indicators a leaf's rule declares its points never decrease in."""
    rule = node.rule
    if isinstance(rule, ExpressionRule):
        return rule.monotone_in
    if isinstance(rule, BandsRule):
        ordered = sorted(rule.bands, key=lambda band: (band.interval.low is not None, band.interval.low or ZERO, not band.interval.low_inclusive))
        return (rule.indicator,) if all(a.points <= b.points for a, b in itertools.pairwise(ordered)) else ()
    if rule.kind in ("proportional", "bonus"):
        return (rule.indicator,)
    return ()


@given(methodologies(), st.data())
def test_raising_a_monotone_indicator_never_lowers_the_points(methodology: Methodology, data: st.DataObject) -> None:
    record = data.draw(records(methodology, allow_missing=False))
    before = _score(methodology, record)
    if before is None:
        return
    values = prepare(methodology, Record.from_mapping(record))
    for node in methodology.leaves():
        decreasing = isinstance(node.rule, DeductionRule)
        names = (node.rule.indicator,) if decreasing else _monotone_indicators(node)
        for name in names:
            indicator = methodology.indicators[name]
            if indicator.derived or name not in values:
                continue
            high = indicator.range.high if indicator.range.high is not None else values[name] + 1000
            start, step = values[name], Decimal(1 if indicator.type == "count" else 4)
            raised = data.draw(st.integers(1, 1000).map(lambda n, start=start, step=step, high=high: min(start + Decimal(n) / step, high)))
            after = _score(methodology, {**record, name: raised})
            if after is None:
                continue
            old, new = before.points(node.id), after.points(node.id)
            assert (new <= old) if decreasing else (new >= old), (node.id, name, values[name], raised, old, new)


@given(methodologies(), st.data())
def test_scoring_is_deterministic_thread_safe_and_independent_of_key_order(methodology: Methodology, data: st.DataObject) -> None:
    batch = data.draw(st.lists(records(methodology), min_size=1, max_size=4))
    expected = [_to_dict(methodology, record) for record in batch]
    assert [_to_dict(methodology, record) for record in batch] == expected
    shuffled = []
    for record in batch:
        keys = list(record)
        random.Random(data.draw(st.integers(0, 2**32))).shuffle(keys)
        shuffled.append({key: record[key] for key in keys})
    assert [_to_dict(methodology, record) for record in shuffled] == expected
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = list(pool.map(lambda _: [_to_dict(methodology, record) for record in batch], range(8)))
    assert all(run == expected for run in runs)


def _to_dict(methodology: Methodology, record: Mapping[str, Any]) -> dict[str, Any] | None:
    result = _score(methodology, record)
    return None if result is None else result.to_dict() | {"explain": result.explain()}


@given(methodologies(), st.data())
def test_a_dumped_methodology_loads_equal_and_scores_identically(methodology: Methodology, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{methodology.version}.yaml"
        path.write_text(dump(methodology), encoding="utf-8")
        again = par_rules.load(path)
    assert dataclasses.replace(again, file=None) == dataclasses.replace(methodology, file=None)
    for record in data.draw(st.lists(records(methodology), min_size=1, max_size=3)):
        assert _to_dict(again, record) == _to_dict(methodology, record)


@given(extends_chains(), st.data())
def test_an_extends_chain_loads_equal_to_the_flat_file(chain: tuple[dict, dict, dict], data: st.DataObject) -> None:
    flat_data, parent, child = chain
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "chain").mkdir()
        (root / "flat").mkdir()
        (root / "chain" / "1.yaml").write_text(to_yaml(parent), encoding="utf-8")
        (root / "chain" / "2.yaml").write_text(to_yaml(child), encoding="utf-8")
        (root / "flat" / "2.yaml").write_text(to_yaml(flat_data), encoding="utf-8")
        extended = par_rules.load(root / "chain" / "2.yaml")
        flat = par_rules.load(root / "flat" / "2.yaml")
    assert extended.extends == (flat.id, "1")
    assert dataclasses.replace(extended, file=None, extends=None) == dataclasses.replace(flat, file=None)
    record = data.draw(records(flat))
    assert _to_dict(extended, record) == _to_dict(flat, record)


def test_the_hand_formula_rescales_not_applicable_criteria() -> None:
    """A fixed case of the rescaling formula, worked by hand: 1.2.2 does not apply, so 1.2
    is 1.2.1's points × 5 / 3, and the index stays within bounds."""
    methodology = par_rules.load("example/par-index/district", year=2024)
    record = {
        "plan_issued": "on_time", "plan_completion": 92, "reports_on_time": True, "inspected_share": "0.5",
        "dossiers_on_time": 940, "dossiers_total": 1000, "online_rate": 60, "e_gov_points": "16.63",
        "violations": 1, "satisfaction": {"A": 70, "B": 20, "C": 8, "D": 2},
    }
    result = par_rules.score(methodology, record)
    assert result.points("1.2.2") is None
    assert result.points("1.2") == Decimal("1.5") * 5 / 3 == score_by_hand(methodology, record)[0]["1.2"]
    assert ZERO <= result.index <= HUNDRED


def test_the_generated_methodologies_load_from_their_own_text() -> None:
    text = to_yaml({"format": 1, "id": "a/b", "version": "1", "years": [2024], "title": "T", "issuer": "I", "level": "other",
                    "scale": Decimal(1), "status": "illustrative", "indicators": {"x": {"label": "X", "type": "boolean"}},
                    "criteria": [{"id": "1", "label": "L", "max": Decimal(1), "rule": {"kind": "boolean", "indicator": "x"}}]})
    assert load_text(text).node("1").max == 1


def test_import_par_rules_does_not_import_hypothesis() -> None:
    import subprocess
    import sys

    code = "import sys, par_rules; assert 'hypothesis' not in sys.modules; par_rules.testing.records; assert 'hypothesis' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("info", par_rules.all_versions(), ids=lambda info: f"{info.id}@{info.version}")
def test_every_shipped_methodology_keeps_its_bounds(info: Any) -> None:
    """What an author writes for their own file (see par_rules.testing), run on every shipped one.
    A record may still be refused when a derived indicator's formula leaves its range (more
    dossiers on time than dossiers): that is the record's fault, and said so."""
    methodology = par_rules.load(info.path)

    @given(records(methodology))
    def keeps_its_bounds(record: dict[str, Any]) -> None:
        try:
            result = par_rules.score(methodology, record)
        except RecordError as error:
            derived = {key for key, indicator in methodology.indicators.items() if indicator.derived}
            assert all(problem.indicator in derived or "no criterion applies" in problem.message for problem in error.problems), error
            return
        assert ZERO <= result.total <= result.reach <= methodology.scale
        assert (result.index is None) == (not result.complete) == bool(result.pending)  # survey parts are `missing: pending`
        assert result.index is None or ZERO <= result.index <= HUNDRED
        for node in result.nodes():
            assert node.points is None or ZERO <= node.points <= node.max, node.id
            assert node.reach is None or (node.points or ZERO) <= node.reach <= node.max, node.id

    keeps_its_bounds()
