"""Property: for arbitrary valid records of the shipped example, every node lies in [0, cap]."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, strategies as st

import par_rules
from par_rules.engine._model import Indicator

EXAMPLE = par_rules.load("example/par-index/district", year=2024)


def value_of(indicator: Indicator) -> st.SearchStrategy:
    if indicator.type == "level":
        return st.sampled_from(sorted(indicator.levels))
    if indicator.type == "boolean":
        return st.booleans()
    if indicator.type == "answers":
        return st.dictionaries(st.sampled_from(sorted(indicator.options)), st.integers(0, 500), min_size=1).filter(lambda d: sum(d.values()) > 0)
    low = indicator.range.low if indicator.range.low is not None else Decimal(-1000)
    high = indicator.range.high if indicator.range.high is not None else Decimal(1000)
    if indicator.type == "count":
        return st.integers(int(low), int(high))
    return st.decimals(low, high, places=3, allow_nan=False, allow_infinity=False)


def records() -> st.SearchStrategy:
    fields = {}
    for key, indicator in EXAMPLE.indicators.items():
        if indicator.derived:
            continue
        strategy = value_of(indicator)
        fields[key] = strategy if indicator.missing == "error" else st.one_of(st.none(), strategy)
    return st.fixed_dictionaries(fields).map(lambda r: {k: v for k, v in r.items() if v is not None})


@given(records())
def test_every_node_lies_within_its_cap(record):
    if record["dossiers_on_time"] > record["dossiers_total"]:
        record["dossiers_on_time"] = record["dossiers_total"]
    if record["e_gov_points"] < 0 or record["e_gov_points"] > Decimal("16.75"):
        record["e_gov_points"] = abs(record["e_gov_points"]) % Decimal("16.75")
    result = par_rules.score(EXAMPLE, record)
    for node in result.nodes():
        if node.points is not None:
            assert 0 <= node.points <= node.max, (node.id, node.points)
    assert 0 <= result.total <= result.scale
    assert 0 <= result.index <= 100
