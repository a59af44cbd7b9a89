"""The plan's generated code gives exactly what the general code gives.

The plan reads plain numbers straight into ``Decimal`` (:func:`~par_rules.engine._record._read_number`,
and the function the plan is compiled to), and looks band tables up from the highest lower
bound down (:mod:`par_rules.codegen`); these properties hold them to
:func:`~par_rules.engine._record.coerce_number`, :func:`~par_rules.engine._record.check_values` and
:meth:`BandsRule.apply`, values and errors.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import par_rules
from par_rules.engine._arithmetic import format_short
from par_rules.engine._codegen import compile_plan
from par_rules.errors import RecordError
from par_rules.engine._record import _read_number, check_values, coerce_number
from tests.methodology_text import methodology

if TYPE_CHECKING:
    from par_rules.engine._codegen import Scorer

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


def _outcome(function: Any, *args: Any) -> tuple[str, str]:
    try:
        return "value", repr(function(*args))
    except Exception as error:  # noqa: BLE001 - the error itself is compared
        return type(error).__name__, str(error)


_BOUNDARIES = (
    "1e15", "9.99e14", "1000000000000000", "999999999999999", "-1e15", "1e-40", "1e-41", "0E+30", "0E-50",
    "nan", "-inf", "1,234", "88,9", "93.5 %", "1_000", " ", 10**15, -(10**15) + 1, True,
)


@given(_ANY_VALUE)
def test_reading_a_number_matches_coerce_number(value: Any) -> None:
    assert _outcome(_read_number, value) == _outcome(coerce_number, value)


def test_reading_a_number_matches_coerce_number_at_the_boundaries() -> None:
    for value in _BOUNDARIES:
        assert _outcome(_read_number, value) == _outcome(coerce_number, value), value


# One indicator of every type (optional ones too), a derived one, and a leaf for each.
_CATALOGUE = methodology(
    """
    share: {label: Share, type: percent}
    part: {label: Part, type: ratio, missing: zero}
    done: {label: Done, type: count}
    staff: {label: Staff, type: count, missing: not_applicable}
    score: {label: Score, type: number, range: [-5, 5], missing: full}
    open: {label: Open, type: number, range: [0, null], missing: zero}
    issued: {label: Issued, type: boolean, missing: zero}
    plan: {label: Plan, type: level, levels: {on_time: On time, late: Late}}
    survey: {label: Survey, type: answers, options: {A: Good, B: Bad}, missing: zero}
    rate: {label: Rate, type: percent, formula: "done / staff * 100 if staff > 0 else 100", missing: zero}
    later: {label: Later, type: number, range: [0, 2], missing: pending}
    """,
    """
    - id: "1"
      label: Field
      max: 8
      cap_note: the leaves add up to more than the field, on purpose
      children:
        - {id: "1.1", label: Share, max: 1, rule: {kind: proportional, indicator: share}}
        - {id: "1.2", label: Part, max: 1, rule: {kind: proportional, indicator: part}}
        - {id: "1.3", label: Done, max: 1, rule: {kind: bonus, indicator: done, per_occurrence: 0.5}}
        - {id: "1.4", label: Rate, max: 1, rule: {kind: proportional, indicator: rate}}
        - {id: "1.5", label: Score, max: 5, rule: {kind: direct, indicator: score}}
        - {id: "1.6", label: Open, max: 1, rule: {kind: deduction, indicator: open, per_occurrence: 0.25}}
        - {id: "1.7", label: Issued, max: 1, rule: {kind: boolean, indicator: issued}}
        - {id: "1.8", label: Plan, max: 1, rule: {kind: levels, indicator: plan, points: {on_time: 1, late: 0.5}}}
        - {id: "1.9", label: Survey, max: 1, rule: {kind: survey, indicator: survey, weights: {A: 100, B: 0}}}
    - {id: "2", label: Later, max: 2, rule: {kind: direct, indicator: later}}
    """,
)


@pytest.fixture(scope="module")
def catalogue_methodology(tmp_path_factory: pytest.TempPathFactory) -> par_rules.Methodology:
    path = Path(tmp_path_factory.mktemp("catalogue")) / "1.yaml"
    path.write_text(_CATALOGUE, encoding="utf-8")
    return par_rules.load(path)


_PLAIN = st.one_of(st.integers(-10, 200), st.decimals(-10, 200, places=2).map(str))
_RECORD_VALUE = st.one_of(
    _PLAIN,
    _ANY_VALUE,
    st.sampled_from(["", "on_time", " late", "có", "yes", "TRUE", "False", " no", "Không", "KHÔNG ĐẠT", "tRUE"]),
    st.dictionaries(st.sampled_from(["A", "B", "C"]), _PLAIN, max_size=3),
)
_KEYS = ("share", "part", "done", "staff", "score", "open", "issued", "plan", "survey", "rate", "shar", "later")


def _scored(scorer: Scorer, values: Any) -> Any:
    """What the plan's function gives for ``values``: ``None`` (unusual), an error, or the outcome."""
    try:
        outcome = scorer(values, None)
        reach = scorer(values, None, True)  # type: ignore[call-arg]  # pending leaves at their caps
    except RecordError as error:
        return "RecordError", str(error)
    if outcome is None:
        return None
    assert reach is not None
    return (outcome.values, outcome.points, outcome.details, outcome.total, outcome.pending, reach.points, reach.total)


_PARTS = st.sampled_from([None, ("1",), ("2",), ("1.3", "1.4"), ("1.5", "2")])


@given(st.data())
def test_the_generated_reader_gives_what_the_readers_give(catalogue_methodology: par_rules.Methodology, data: st.DataObject) -> None:
    """With parts named too: the plan that scores only them reads what the readers read, and
    scores the same with the pending leaves at 0 and at their caps."""
    raw = data.draw(st.dictionaries(st.sampled_from(_KEYS), _RECORD_VALUE, max_size=len(_KEYS)))
    plan = catalogue_methodology.plan.for_parts(data.draw(_PARTS))
    scorer = compile_plan(plan)
    fast = _scored(scorer, raw)
    try:
        checked = check_values(plan.catalogue, raw)
    except RecordError:
        assert fast is None  # the general code reports what is wrong
        return
    general = _scored(scorer, checked)
    assert general is not None  # checked values are read as they are
    assert fast is None or fast == general


def test_the_generated_reader_reads_the_usual_record(catalogue_methodology: par_rules.Methodology) -> None:
    plan = catalogue_methodology.plan
    scorer = compile_plan(plan)
    raw = {"share": "88.5", "part": "0.25", "done": 3, "staff": "4", "score": "1.5", "open": 0, "issued": True, "plan": "late", "survey": {"A": 3, "B": 1}}
    read = _scored(scorer, raw)
    assert read is not None and read == _scored(scorer, check_values(plan.catalogue, raw))
    assert _scored(scorer, {**raw, "part": ""})[0] == {key: value for key, value in read[0].items() if key != "part"}  # blank: missing
    usual = par_rules.score(catalogue_methodology, raw).to_dict()
    for unusual in ({"plan": "late "}, {"share": "88,5"}, {"part": 0.25}, {"issued": "có"}):
        assert _scored(scorer, {**raw, **unusual}) == read  # through the indicator's own reader
        assert par_rules.score(catalogue_methodology, {**raw, **unusual}).to_dict() == usual
    for wrong in ({"rate": "50"}, {"shar": 1}, {"done": "2.5"}, {"share": "101"}, {"share": ""}, {"plan": "soon"}):
        assert _scored(scorer, {**raw, **wrong}) is None
        with pytest.raises(RecordError):
            par_rules.score(catalogue_methodology, {**raw, **wrong})


def test_a_pending_leaf_scores_zero_so_far_and_its_cap_at_most(catalogue_methodology: par_rules.Methodology) -> None:
    raw = {"share": "88.5", "part": "0.25", "done": 3, "staff": "4", "score": "1.5", "open": 0, "issued": True, "plan": "late", "survey": {"A": 3, "B": 1}}
    plan = catalogue_methodology.plan
    scorer = compile_plan(plan)
    so_far, at_most = scorer(raw, None), scorer(raw, None, True)  # type: ignore[call-arg]
    assert so_far is not None and at_most is not None and so_far.pending
    two = plan.position["2"]
    assert (so_far.points[two], at_most.points[two]) == (0, 2) and at_most.total - so_far.total == 2
    given = scorer({**raw, "later": "1.5"}, None)
    assert given is not None and not given.pending and given.points[two] == Decimal("1.5")
    only_two = scorer_of(plan.for_parts(["2"]))  # every leaf of field 1 pending, its values still read
    outcome = only_two({**raw, "later": "1.5"}, None)
    assert outcome is not None and outcome.pending and outcome.points[two] == Decimal("1.5") and outcome.points[plan.position["1"]] == 0
    assert only_two({"later": 1}, None) is not None  # field 1's required values need not be given
    assert only_two({"later": 1, "share": "lots"}, None) is None  # but a value given is still checked


def scorer_of(plan: Any) -> Scorer:
    return compile_plan(plan)


def _tiled_bands(cuts: list[Decimal], closed_low: list[bool]) -> str:
    """Bands that tile the number line: (-inf, c0), [c0, c1), ... with each cut's side drawn,
    listed from the top band down."""
    bands = []
    low: Decimal | None = None
    low_inclusive = True
    for number, (cut, inclusive) in enumerate(zip(cuts, closed_low)):
        lower = {} if low is None else {"at_least" if low_inclusive else "above": str(low)}
        bands.append({**lower, "below" if inclusive else "at_most": str(cut), "points": number})
        low, low_inclusive = cut, inclusive
    bands.append({"at_least" if low_inclusive else "above": str(low), "points": len(cuts)})
    return "[" + ", ".join("{" + ", ".join(f"{key}: {value}" for key, value in band.items()) + "}" for band in reversed(bands)) + "]"


_CUTS = st.lists(st.decimals(min_value=-50, max_value=150, places=1), min_size=1, max_size=5, unique=True).map(sorted)


@given(_CUTS, st.lists(st.booleans(), min_size=5, max_size=5), st.lists(st.decimals(min_value=-60, max_value=160, places=2), min_size=1, max_size=8))
def test_band_lookup_matches_the_rule(tmp_path_factory: pytest.TempPathFactory, cuts: list[Decimal], closed_low: list[bool], values: list[Decimal]) -> None:
    text = methodology(
        "x: {label: X, type: number}",
        f'- {{id: "1", label: X, max: 10, rule: {{kind: bands, indicator: x, bands: {_tiled_bands(cuts, closed_low)}}}}}',
        scale="10",
    )
    path = Path(tmp_path_factory.mktemp("bands")) / "1.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = par_rules.load(path)
    node = loaded.node("1")
    for value in values:
        points, band = node.rule.apply(node.max, value)  # type: ignore[union-attr]
        result = par_rules.score(loaded, {"x": str(value)})
        assert result.points("1") == points
        assert result.fields[0].why == node.rule.explain(node.max, points, band, format_short(value))  # type: ignore[union-attr]


def test_number_texts_kept_once_read_are_still_checked_for_each_indicator(catalogue_methodology: par_rules.Methodology, monkeypatch: pytest.MonkeyPatch) -> None:
    from par_rules.engine import _codegen as codegen

    plan = catalogue_methodology.plan
    scorer = compile_plan(plan)
    codegen._TEXT_NUMBERS.clear()  # texts other tests left behind would count against the limit below
    raw = {"share": "2.5", "part": "0.25", "done": 3, "staff": "4", "score": "1.5", "plan": "late"}
    assert _scored(scorer, raw) is not None and codegen._TEXT_NUMBERS["2.5"] == Decimal("2.5")
    assert _scored(scorer, {**raw, "done": "2.5"}) is None  # kept as a number, still not a count
    assert _scored(scorer, {**raw, "part": "2.5"}) is None  # nor a ratio
    assert _scored(scorer, {**raw, "share": "1e-41"}) is None and "1e-41" not in codegen._TEXT_NUMBERS
    monkeypatch.setattr(codegen, "_TEXT_NUMBERS_LIMIT", 3)
    codegen._TEXT_NUMBERS.clear()  # texts earlier tests read would be found, never added: no clearing to see
    for number in range(10):
        assert _scored(scorer, {**raw, "share": f"{number}.5"})[0]["share"] == Decimal(f"{number}.5")
        assert len(codegen._TEXT_NUMBERS) <= 3


def test_a_methodology_with_no_input_compiles_and_scores(tmp_path: Path) -> None:
    # No input at all: the leaves are a constant formula and a derived constant.
    text = methodology(
        'hundred: {label: H, type: percent, formula: "100"}',
        """
        - {id: "1", label: A, max: 5, rule: {kind: expression, formula: "MAX / 2"}}
        - {id: "2", label: B, max: 5, rule: {kind: proportional, indicator: hundred}}
        """,
    )
    path = tmp_path / "1.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = par_rules.load(path)
    assert par_rules.score(loaded, {}).total == Decimal("7.5")
    with pytest.raises(RecordError, match="computed by the methodology's formula"):
        par_rules.score(loaded, {"hundred": 5})
