"""Determinism: the caller's decimal context never changes a result.

Every public entry point, and every value a result computes later (node results, ``by_source``,
``lost``, the analyses' properties), computes in par_rules' own context. Each test runs the
public API under hostile contexts (3 digits, every trap set, rounding toward -∞, tiny exponent
limits, lower-case exponents) and requires the output of the default context, character for
character.
"""

from __future__ import annotations

import decimal
import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import par_rules
from par_rules import compare, gaps, rank, results_table, self_assessment, what_if, write_table
from par_rules.engine._arithmetic import format_decimal, format_short, publish

ALL_SIGNALS = [
    decimal.Clamped, decimal.DivisionByZero, decimal.Inexact, decimal.InvalidOperation, decimal.Overflow,
    decimal.Rounded, decimal.Subnormal, decimal.Underflow, decimal.FloatOperation,
]

#: The contexts a caller might have set, each hostile in its own way, and all of it at once.
HOSTILE = {
    "three digits": decimal.Context(prec=3),
    "every trap": decimal.Context(traps=ALL_SIGNALS),
    "toward -inf": decimal.Context(rounding=decimal.ROUND_FLOOR),
    "tiny exponents": decimal.Context(Emax=3, Emin=-3),
    "lower-case": decimal.Context(capitals=0),
    "all at once": decimal.Context(prec=3, rounding=decimal.ROUND_FLOOR, Emax=3, Emin=-3, capitals=0, traps=ALL_SIGNALS),
}

METHODOLOGY = par_rules.load("example/par-index/district", year=2024)
BASE = {
    "plan_issued": "late", "plan_completion": "92.125", "reports_on_time": True, "inspected_share": "0.3333",
    "dossiers_on_time": 938, "dossiers_total": 1003, "online_rate": "57.7", "digitised_rate": 41,
    "violations": 1, "initiatives": 1, "e_gov_points": "12.37",
    "satisfaction": {"A": 71, "B": 19, "C": 7, "D": 3},
}


@contextmanager
def caller_context(context: decimal.Context) -> Iterator[None]:
    with decimal.localcontext(context):
        yield


def _units(period: int, shift: int) -> list[dict[str, Any]]:
    return [
        {**BASE, "unit": f"u{n}", "group": "g" + str(n % 2), "period": period, "online_rate": str(40 + (n * 7 + shift) % 21),
         "e_gov_points": str(Decimal(n + shift) / 4), "self_assessed": {"5": "16,5", "1.1.1": 1}}
        for n in range(6)
    ]


def everything(read_later: list[par_rules.Result] | None = None) -> str:
    """Every public output for a few units, as text: the results (explanations, JSON, node
    results), the analyses, a ranking, a comparison and every table format."""
    before = [par_rules.score(METHODOLOGY, unit) for unit in _units(2023, 0)]
    after = read_later if read_later is not None else [par_rules.score(METHODOLOGY, unit) for unit in _units(2024, 3)]
    ranking = rank(after)
    out: list[Any] = []
    for result in after:
        out.append(result.explain())
        out.append(result.to_dict())
        out.append(repr(result))
        out.append({source: str(points) for source, points in result.by_source.items()})
        out.append([(node.id, str(node.lost), str(node.percent)) for node in result.nodes()])
        report = gaps(result, ranking, top=3)
        out.append([(node.id, str(node.lost)) for node in report.lost])
        out.append([(c.id, str(c.percent)) for c in report.components])
        out.append(repr(report.next_rank) + repr(report.next_band))
        claims = self_assessment(result)
        out.append([(d.id, str(d.difference)) for d in claims.differences] + [str(claims.claimed_total_change)])
    change = what_if(METHODOLOGY, _units(2024, 3)[0], {"online_rate": "59.9", "satisfaction.D": 0}, others=after[1:])
    out.append([str(change.points_change), str(change.index_change), change.rank_before, change.rank_after])
    out.append([(old.id, str(old.points), str(new.points)) for old, new in change.changed_nodes()])
    out.append([(e.unit, e.rank, e.group_rank, e.tied_with) for e in ranking] + list(ranking.notes))
    comparison = compare(before, after)
    for unit in comparison.units:
        out.append([str(unit.index_change), str(unit.total_change), unit.rank_text])
        out.append([(n.id, str(n.change), str(n.percent_change)) for n in unit.nodes])
    for table in (results_table(after), results_table(ranking)):
        out += [write_table(table, kind) for kind in ("text", "csv", "json", "md")]
    return json.dumps(out, ensure_ascii=False, indent=1)


EXPECTED = everything()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_public_api_gives_the_same_output_whatever_the_callers_context(name: str) -> None:
    with caller_context(HOSTILE[name]):
        output = everything()
        again = par_rules.load("example/par-index/district", year=2024)
    assert output == EXPECTED
    assert again is METHODOLOGY or again == METHODOLOGY


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_values_computed_later_ignore_the_context_they_are_read_in(name: str) -> None:
    """Results scored in the default context; their lazy parts read in a hostile one."""
    scored = [par_rules.score(METHODOLOGY, unit) for unit in _units(2024, 3)]
    with caller_context(HOSTILE[name]):
        output = everything(read_later=scored)
    assert output == EXPECTED


@given(st.sampled_from(sorted(HOSTILE)), st.integers(0, 100), st.integers(0, 100), st.integers(1, 1000), st.integers(0, 67))
def test_a_score_is_the_same_in_any_context(name: str, online: int, digitised: int, total: int, points: int) -> None:
    record = {**BASE, "online_rate": online, "digitised_rate": digitised, "dossiers_total": total,
              "dossiers_on_time": total // 2, "e_gov_points": Decimal(points) / 4}
    expected = par_rules.score(METHODOLOGY, record)
    with caller_context(HOSTILE[name]):
        result = par_rules.score(METHODOLOGY, record)
        text = result.explain(), json.dumps(result.to_dict())
    assert text == (expected.explain(), json.dumps(expected.to_dict()))


def test_the_methodology_check_ignores_the_callers_context(tmp_path: Any) -> None:
    """Caps that add up, checked in 3 digits, would not (1.001 + 1.001 = 2.00 there)."""
    from .methodology_text import methodology, write

    text = methodology("x: {label: X, type: boolean}", """
- id: "1"
  label: A
  max: 2.002
  children:
    - {id: "1.1", label: B, max: 1.001, rule: {kind: boolean, indicator: x}}
    - {id: "1.2", label: C, max: 1.001, rule: {kind: boolean, indicator: x}}
""", scale="2.002")
    path = write(tmp_path, text)
    with caller_context(HOSTILE["three digits"]):
        assert par_rules.load(path).node("1").max == Decimal("2.002")


# ------------------------------------------------------------ zero prints as 0


@pytest.mark.parametrize("zero", [Decimal("-0"), Decimal("-0.00"), Decimal("-0E+3"), Decimal("-0.0000001")])
def test_zero_prints_as_0(zero: Decimal) -> None:
    """A zero, or a small negative value that rounds to zero, never prints as -0."""
    if zero.is_zero():
        assert format_decimal(zero) == "0"
    assert format_short(zero).lstrip("≈") == "0"
    published = publish(zero, 2)
    assert published.is_zero() and not published.is_signed() and str(published) == "0.00"


def test_a_zero_cell_is_written_without_a_sign() -> None:
    result = par_rules.score(METHODOLOGY, {**BASE, "e_gov_points": "-0.000"})  # given as -0: still no sign
    assert result.points("5").is_zero()
    table = results_table([result])
    for kind in ("csv", "json", "text", "md"):
        assert "-0" not in write_table(table, kind), kind
    with caller_context(HOSTILE["toward -inf"]):  # x - x is -0 when rounding toward -∞
        assert all(not unit.total_change.is_signed() for unit in compare([result], [result]).units)
