"""compare: year-on-year changes in index, fields and rank, across two methodology versions."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import par_rules
from par_rules import MethodologyNotFound, compare
from par_rules.engine._lineage import node_mapping
from par_rules.units._compare import rank_change_text

OLD = par_rules.load("example/par-index/district", year=2024)
NEW_FILE = Path("examples/methodologies/example/par-index/district/2025.yaml")
NEW = par_rules.load(NEW_FILE)

COMMON: dict[str, Any] = {
    "plan_issued": "on_time", "plan_completion": 95, "reports_on_time": True, "inspected_share": 1,
    "dossiers_on_time": 10, "dossiers_total": 10, "online_rate": 60, "digitised_rate": 40,
    "violations": 0, "satisfaction": {"A": 1},
}


def year_2024(unit: str, e_gov: str) -> par_rules.Result:
    # 10 + 17 (2.3: 6 x 40/80 = 3) + 10 + 8.5 (1 initiative) + e_gov + 33.25
    return par_rules.score(OLD, {**COMMON, "unit": unit, "period": 2024, "initiatives": 1, "e_gov_points": e_gov})


def year_2025(unit: str, infra: str, service: str) -> par_rules.Result:
    # 10 + 15.5 (2.1: 6, 2.2: 5, 2.3: 4 x 30/60 = 2, 2.4: 5 x 40/80 = 2.5) + 10 + 9 (4.2: 2 x 50% = 1) + infra + service + 33.25
    record = {**COMMON, "unit": unit, "period": 2025, "online_payment_rate": 30, "officials_assessed_rate": 50, "e_gov_infra_points": infra, "e_gov_service_points": service}
    return par_rules.score(NEW, record)


def test_changes_across_two_versions_through_the_declared_lineage() -> None:
    previous = [year_2024("a", "16"), year_2024("b", "12"), year_2024("c", "14")]  # a 94.75, c 92.75, b 90.75
    current = [year_2025("a", "7", "8"), year_2025("b", "8", "8.75"), year_2025("c", "6", "6")]  # b 94.5, a 92.75, c 89.75
    comparison = compare(previous, current)
    a, b = comparison.unit("a"), comparison.unit("b")
    assert (str(a.previous.published_index), str(a.current.published_index)) == ("94.75", "92.75")
    assert a.index_change == Decimal(-2) and a.total_change == Decimal(-2)
    assert (b.previous_rank, b.current_rank, b.places_up, b.rank_text) == (3, 1, 2, "up 2 places (3rd → 1st)")
    assert a.rank_text == "down 1 place (1st → 2nd)"
    fields = {change.id: change for change in a.fields}
    assert [fields[f].change for f in ("1", "2", "3", "4", "5", "6")] == [0, Decimal("-1.5"), 0, Decimal("0.5"), Decimal(-1), 0]
    # renamed: 2.4 (2025) continues 2.3 (2024); caps 6 -> 5, the component index is unchanged (50%)
    renamed = a.node("2.4")
    assert renamed.previous_ids == ("2.3",)
    assert (renamed.previous, renamed.current, renamed.change, renamed.percent_change) == (Decimal(3), Decimal("2.5"), Decimal("-0.5"), 0)
    assert "max 6 → 5" in (renamed.note or "")
    # same id, smaller cap: 8 -> 6
    assert a.node("2.1").change == Decimal(-2) and a.node("2.1").percent_change == 0
    # new and split nodes are not compared; the split field as a whole is
    for node_id in ("2.3", "4.2", "5.1", "5.2"):
        assert not a.node(node_id).comparable and a.node(node_id).change is None
    assert "split into 5.1, 5.2" in (a.node("5.1").note or "")
    assert a.node("5").comparable and a.node("5").previous_max == Decimal("16.75")
    notes = "\n".join(comparison.notes)
    assert "through the lineage declared by example/par-index/district@2025" in notes
    assert "node 2.3 is new" in notes and "node 4.2 is new" in notes
    assert "previous node 5 was split into 5.1, 5.2" in notes
    assert "previous node 4.2 has no continuation" in notes


def test_an_explicit_mapping_overrides_the_lineage_and_merges_nodes() -> None:
    mapping = {"2.2": ["2.2", "2.3"], "2.3": None, "2.4": None, "5.1": "5", "5.2": "5", "4.2": "4.2"}
    comparison = compare([year_2024("a", "16")], [year_2025("a", "7", "8")], mapping=mapping)
    merged = comparison.unit("a").node("2.2")
    assert merged.previous_ids == ("2.2", "2.3")
    assert (merged.previous, merged.current, merged.previous_max, merged.change) == (Decimal(9), Decimal(5), Decimal(12), Decimal(-4))
    assert "continues 2.2 + 2.3" in (merged.note or "")
    # 4.2 (initiatives, 0.5 of 2) declared as continued by the new 4.2 (assessment, 1 of 2)
    assert comparison.unit("a").node("4.2").change == Decimal("0.5")
    assert "through the mapping given" in comparison.notes[0]


def test_a_mapping_naming_nodes_that_do_not_exist_is_refused() -> None:
    with pytest.raises(MethodologyNotFound, match=r"sends node 2\.4 to 9\.9"):
        node_mapping(OLD, NEW, {"2.4": "9.9"})
    with pytest.raises(MethodologyNotFound, match="names node 7"):
        node_mapping(OLD, NEW, {"7": "1"})


def test_without_a_lineage_nodes_are_matched_by_id_and_the_notes_say_so(tmp_path: Path) -> None:
    text = NEW_FILE.read_text(encoding="utf-8")
    start = text.index("lineage:")
    end = text.index("rounding:")
    plain = tmp_path / "2025.yaml"
    plain.write_text(text[:start] + text[end:], encoding="utf-8")
    mapping, notes = node_mapping(OLD, par_rules.load(plain))
    assert mapping["2.3"] == ("2.3",) and mapping["2.4"] == () and mapping["5.1"] == ()
    assert any("declares no lineage: nodes are matched by id only" in note for note in notes)


def test_units_in_one_year_only_are_listed() -> None:
    comparison = compare([year_2024("a", "16"), year_2024("gone", "10")], [year_2025("a", "7", "8"), year_2025("new", "1", "1")])
    assert [change.unit for change in comparison.units] == ["a"]
    assert comparison.only_previous == ("gone",) and comparison.only_current == ("new",)


def test_the_same_methodology_compares_node_by_node_without_notes() -> None:
    comparison = compare([year_2024("a", "16")], [year_2024("a", "12.5")])
    assert comparison.notes == ()
    assert comparison.unit("a").node("5").change == Decimal("-3.5")
    assert comparison.unit("a").rank_text == "same rank (1st)"


def test_rank_change_text() -> None:
    assert rank_change_text(4, 1) == "up 3 places (4th → 1st)"
    assert rank_change_text(11, 12) == "down 1 place (11th → 12th)"
    assert rank_change_text(21, 22) == "down 1 place (21st → 22nd)"
