"""Gap analysis, what-if and self-assessment, against figures computed by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import par_rules
from par_rules.engine._arithmetic import CONTEXT
from par_rules import RecordError, gaps, rank, self_assessment, what_if

METHODOLOGY = par_rules.load("example/par-index/district", year=2024)

# Field by field: 1: 10 (1.1.1 late: 0.5 lost → 9.5), 2: 8 + 6 x 45/60 x 0.8 = 3.6 + 6 x 40/80 = 3
# → 14.6, 3: 10 - 2.5 = 7.5, 4: 8 + 0.5 = 8.5, 5: e_gov, 6: 33.25 (6.2 not applicable: rescaled).
UNIT: dict[str, Any] = {
    "unit": "u", "plan_issued": "late", "plan_completion": 95, "reports_on_time": True,
    "inspected_share": 1, "dossiers_on_time": 10, "dossiers_total": 10, "online_rate": 45,
    "digitised_rate": 40, "violations": 1, "initiatives": 1, "e_gov_points": "12.5",
    "satisfaction": {"A": 1},
}


def test_gaps_figures_by_hand() -> None:
    result = par_rules.score(METHODOLOGY, UNIT)
    assert result.total == Decimal("85.85")  # 9.5 + 14.6 + 7.5 + 8.5 + 12.5 + 33.25
    report = gaps(result, top=4)
    assert [(node.id, node.lost) for node in report.lost] == [("5", Decimal("4.25")), ("2.3", 3), ("3.1", Decimal("2.5")), ("2.2", Decimal("2.4"))]
    assert [(c.id, c.percent) for c in report.components] == [
        ("2", Decimal(73)), ("5", CONTEXT.divide(Decimal("1250"), Decimal("16.75"))), ("3", 75), ("4", 85), ("1", 95), ("6", 100),
    ]
    # band B; A starts at 90 on the index published to 2 decimals, so 89.995 is enough: 89.995 - 85.85
    assert result.band is not None and result.band.id == "B"
    assert report.next_band is not None
    assert (report.next_band.band.id, report.next_band.index_needed, report.next_band.points_needed) == ("A", Decimal("89.995"), Decimal("4.145"))
    assert report.next_rank is None  # no ranking given


def test_band_gap_on_the_exact_index(tmp_path: Path) -> None:
    text = Path("methodologies/example/par-index/district/2024.yaml").read_text(encoding="utf-8")
    exact = tmp_path / "2024.yaml"
    exact.write_text(text.replace("bands_on: published", "bands_on: exact"), encoding="utf-8")
    result = par_rules.score(par_rules.load(exact), UNIT)
    band = gaps(result).next_band
    assert band is not None and (band.index_needed, band.points_needed, band.strictly_more) == (Decimal(90), Decimal("4.15"), False)


def test_gap_to_the_next_rank() -> None:
    mine = par_rules.score(METHODOLOGY, UNIT)
    ahead = par_rules.score(METHODOLOGY, {**UNIT, "unit": "v", "e_gov_points": "14"})   # 87.35
    first = par_rules.score(METHODOLOGY, {**UNIT, "unit": "w", "e_gov_points": "16"})   # 89.35
    behind = par_rules.score(METHODOLOGY, {**UNIT, "unit": "x", "e_gov_points": "1"})
    ranking = rank([first, mine, behind, ahead])
    report = gaps(mine, ranking)
    assert report.next_rank is not None
    assert (report.next_rank.unit, report.next_rank.rank, report.next_rank.points) == ("v", 2, Decimal("1.5"))
    assert gaps(first, ranking).next_rank is None
    with pytest.raises(KeyError):
        gaps(par_rules.score(METHODOLOGY, {**UNIT, "unit": "y"}), ranking)


def test_what_if_points_index_band_and_rank() -> None:
    others = [par_rules.score(METHODOLOGY, {**UNIT, "unit": name, "e_gov_points": points}) for name, points in [("v", "14"), ("w", "15.5")]]
    # online 45% → 60%: 2.2 goes from 3.6 to 6 (+2.4); digitised 40% → 80%: 2.3 from 3 to 6 (+3)
    outcome = what_if(METHODOLOGY, UNIT, {"online_rate": 60, "digitised_rate": "80"}, others)
    assert outcome.before.total == Decimal("85.85") and outcome.after.total == Decimal("91.25")
    assert outcome.points_change == Decimal("5.4") and outcome.index_change == Decimal("5.4")
    assert (outcome.before.band.id, outcome.after.band.id) == ("B", "A")  # type: ignore[union-attr]
    assert (outcome.rank_before, outcome.rank_after, outcome.units_ranked) == (3, 1, 3)
    assert [(old.id, old.points, new.points) for old, new in outcome.changed_nodes()] == [
        ("2", Decimal("14.6"), 20), ("2.2", Decimal("3.6"), 6), ("2.3", 3, 6),
    ]


def test_what_if_a_survey_answer_and_the_unit_itself_among_the_others() -> None:
    me = par_rules.score(METHODOLOGY, UNIT)
    # satisfaction A: 1, D: 1 → (100 + 0) / 2 = 50% of 20 = 10 → 6 rescaled to 33.25 x 10/20 = 16.625
    outcome = what_if(METHODOLOGY, UNIT, {"satisfaction.D": 1}, [me])
    assert outcome.after.points("6") == Decimal("16.625")
    assert outcome.rank_before is None and outcome.units_ranked == 1


def test_what_if_with_a_bad_value_is_a_record_error() -> None:
    with pytest.raises(RecordError, match="online_rate"):
        what_if(METHODOLOGY, UNIT, {"online_rate": "most"})


def test_self_assessment_against_the_appraisal() -> None:
    claims = {"1.1.1": "1", "2": "14,6", "5": 16.75, "3.1": "12", "6.2": 5}
    result = par_rules.score(METHODOLOGY, {**UNIT, "self_assessed": claims})
    report = self_assessment(result)
    assert report.agreed == ("2",)
    differences = {d.id: d for d in report.differences}
    assert set(differences) == {"1.1.1", "5", "3.1", "6.2"}
    assert differences["1.1.1"].difference == Decimal("0.5")
    assert differences["5"].difference == Decimal("4.25")
    assert differences["3.1"].above_max and differences["3.1"].difference == Decimal("4.5")
    assert differences["6.2"].appraised is None  # the unit claims points for a criterion that does not apply
    assert self_assessment(result, {"5": "12.5"}).agreed == ("5",)


def test_self_assessment_problems_name_the_node() -> None:
    result = par_rules.score(METHODOLOGY, UNIT)
    with pytest.raises(RecordError) as caught:
        self_assessment(result, {"9.9": 1, "1": "many"})
    assert [(p.node, "does not have" in p.message or "not a number" in p.message) for p in caught.value.problems] == [("9.9", True), ("1", True)]
