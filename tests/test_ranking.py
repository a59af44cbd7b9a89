"""rank: exact values, declared tie policies, rank in group, bands, and notes on ties after rounding."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, strategies as st

import par_rules
from par_rules import RecordError, rank

METHODOLOGY = par_rules.load("example/par-index/district", year=2024)

# Every field full except 2.3 (digitisation missing: 0 of 6) and 5 (e_gov_points): total 94 - 16.75 + e_gov.
BASE: dict[str, Any] = {
    "plan_issued": "on_time", "plan_completion": 95, "reports_on_time": True, "inspected_share": 1,
    "dossiers_on_time": 10, "dossiers_total": 10, "online_rate": 60, "violations": 0, "initiatives": 4,
    "satisfaction": {"A": 1},
}


def scored(unit: str, e_gov: str, group: str | None = None) -> par_rules.Result:
    record = {**BASE, "unit": unit, "e_gov_points": e_gov}
    if group:
        record["group"] = group
    return par_rules.score(METHODOLOGY, record)


def test_equal_exact_scores_share_a_rank_competition_and_dense() -> None:
    results = [scored("a", "10"), scored("b", "12"), scored("c", "10"), scored("d", "9"), scored("e", "12")]
    assert [str(r.published_index) for r in results[:2]] == ["87.25", "89.25"]  # 94 - 16.75 + 10, + 12
    competition = rank(results)
    assert [(e.unit, e.rank) for e in competition] == [("b", 1), ("e", 1), ("a", 3), ("c", 3), ("d", 5)]
    assert competition.entry("a").tied_with == ("c",)
    assert competition.entry("d").tied_with == ()
    dense = rank(results, ties="dense")
    assert [(e.unit, e.rank) for e in dense] == [("b", 1), ("e", 1), ("a", 2), ("c", 2), ("d", 3)]
    assert competition.notes == ()


def test_a_tie_only_after_rounding_is_ranked_apart_and_noted() -> None:
    # 87.25 and 87.254 both publish as 87.25
    results = [scored("a", "10"), scored("b", "10.004")]
    ranking = rank(results)
    assert [(e.unit, e.rank, str(e.published_index)) for e in ranking] == [("b", 1, "87.25"), ("a", 2, "87.25")]
    assert ranking.entry("b").tied_with == ()
    (note,) = ranking.notes
    assert "b (rank 1) and a (rank 2) both publish 87.25%" in note
    assert "87.254 > 87.25" in note


def test_rank_within_groups_and_bands() -> None:
    results = [
        scored("a", "16", "nam-dinh"),   # 93.25: A
        scored("b", "12", "ninh-binh"),  # 89.25: B
        scored("c", "13", "nam-dinh"),   # 90.25: A
        scored("d", "1", "nam-dinh"),    # 78.25: C
        scored("e", "2"),                # 79.25: C, no group
    ]
    ranking = rank(results)
    assert [(e.unit, e.rank, e.group_rank) for e in ranking] == [("a", 1, 1), ("c", 2, 2), ("b", 3, 1), ("e", 4, None), ("d", 5, 3)]
    assert ranking.bands() == {"A": ("a", "c"), "B": ("b",), "C": ("e", "d")}
    assert [e.unit for e in ranking.groups()["nam-dinh"]] == ["a", "c", "d"]


def test_ties_within_a_group_share_the_group_rank() -> None:
    ranking = rank([scored("a", "10", "g"), scored("b", "11", "h"), scored("c", "10", "g")])
    assert [(e.unit, e.rank, e.group_rank) for e in ranking] == [("b", 1, 1), ("a", 2, 1), ("c", 2, 1)]


def test_refuses_what_cannot_be_ranked_together() -> None:
    with pytest.raises(RecordError, match="appears more than once"):
        rank([scored("a", "10"), scored("a", "11")])
    other = par_rules.load("examples/methodologies/example/par-index/district/2025.yaml")
    record = {**BASE, "unit": "z", "online_payment_rate": 60, "officials_assessed_rate": 100, "e_gov_infra_points": 8, "e_gov_service_points": 8}
    record.pop("initiatives")
    with pytest.raises(RecordError, match="different methodologies"):
        rank([scored("a", "10"), par_rules.score(other, record)])
    with pytest.raises(ValueError, match="tie policy"):
        rank([scored("a", "10")], ties="olympic")  # type: ignore[arg-type]


def test_units_without_an_id_are_named_by_name_or_position() -> None:
    named = par_rules.score(METHODOLOGY, {**BASE, "name": "Huyện Trực Ninh", "e_gov_points": 1})
    anonymous = par_rules.score(METHODOLOGY, {**BASE, "e_gov_points": 2})
    assert [e.unit for e in rank([named, anonymous])] == ["#2", "Huyện Trực Ninh"]


@given(st.lists(st.decimals(min_value=0, max_value="16.75", places=3), min_size=1, max_size=8), st.sampled_from(["competition", "dense"]))
def test_ranks_follow_the_exact_index(points: list[Decimal], ties: str) -> None:
    results = [scored(f"u{n}", str(value)) for n, value in enumerate(points)]
    ranking = rank(results, ties=ties)  # type: ignore[arg-type]
    entries = list(ranking)
    for better, worse in itertools.pairwise(entries):
        assert better.index >= worse.index
        assert (better.rank == worse.rank) == (better.index == worse.index)
    for entry in entries:
        above = sum(1 for other in entries if other.index > entry.index)
        distinct_above = len({other.index for other in entries if other.index > entry.index})
        assert entry.rank == (above + 1 if ties == "competition" else distinct_above + 1)
