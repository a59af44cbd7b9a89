"""Parts not in yet (issue 16): the missing policy ``pending`` and parts named to score.

A self-assessment before the survey, a field before the rest: a partial result reports every
node that can be computed, marks its ancestors and the total partial (points so far, the most
they can still reach), gives no index and no band, and every command says which parts are
pending. Bình Định's self-assessed field points are real (Báo Bình Định, 24/02/2020, see
methodologies/vn/moha/par-index/province/2019.tests.yaml); the other units are illustrative.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

import par_rules
from par_rules import rank, score
from par_rules.cli import main
from par_rules.errors import MethodologyError, MethodologyNotFound, RecordError
from par_rules.testing import load_text
from par_rules.units import compare, gaps, self_assessment, what_if

from .methodology_text import methodology as methodology_text

D = Decimal
PROVINCE = par_rules.load("vn/moha/par-index/province", version="2019")
NAM_DINH = par_rules.load("vn/nam-dinh/par-index/district", version="2023")
BINH_DINH = {  # fields 1–8 as Bình Định self-assessed them for 2019 (real)
    "unit": "binh-dinh", "name": "Bình Định", "period": 2019,
    "field_1_points": 7, "field_2_points": 5, "field_3_points": "13.65", "field_4_points": "7.04",
    "field_5_points": 7, "field_6_points": 8, "field_7_points": 9, "field_8_points": 3,
}
# Illustrative provinces: one more self-assessment, and one with its survey points in.
OTHER = {**BINH_DINH, "unit": "other", "name": "Tỉnh khác (minh họa)", "field_3_points": 12, "field_8_points": 2}
FULL = {**BINH_DINH, "unit": "full", "name": "Tỉnh đủ (minh họa)", "survey_points": 30}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def write_csv(path: Path, records: list[dict[str, Any]]) -> Path:
    keys = list(dict.fromkeys(key for record in records for key in record))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, keys)
        writer.writeheader()
        writer.writerows(records)
    return path


# --------------------------------------------------------------------------- the engine


def test_binh_dinh_2019_scores_59_69_of_65_with_the_survey_pending_and_no_index() -> None:
    result = score(PROVINCE, BINH_DINH)
    assert not result.complete and result.pending == ("survey",)
    assert result.points("appraisal") == D("59.69") and result.node("appraisal").max == 65
    assert result.node("appraisal").complete and result.is_complete("appraisal")
    assert result.points("survey") is None and result.node("survey").pending and result.reach_of("survey") == 35
    assert result.total == D("59.69") and result.reach == D("94.69")
    assert result.index is None and result.published_index is None and result.band is None
    text = result.explain()
    assert "Partial: 59.69 so far, at most 94.69 / 100   pending: survey" in text and "index" not in text.splitlines()[2].replace("no index", "")
    assert "survey      pending / 35" in text and "pending: survey_points not in yet" in text
    data = result.to_dict()
    assert (data["index"], data["band"], data["complete"], data["reach"], data["pending"]) == (None, None, False, "94.69", ["survey"])
    assert data["fields"][1]["pending"] is True and data["fields"][1]["points"] is None
    assert "partial 59.69/100 so far, at most 94.69; pending survey" in repr(result)


def test_a_survey_of_zero_is_a_score_not_a_pending_part() -> None:
    result = score(PROVINCE, {**BINH_DINH, "survey_points": 0})
    assert result.complete and result.pending == () and result.index == D("59.69") and result.reach == result.total


def test_truc_ninh_field_7_scores_16_63_of_16_75_with_the_rest_pending() -> None:
    result = score(NAM_DINH, {"unit": "truc-ninh", "period": 2023, "field_7_points": "16.63"}, parts=["7"])
    assert result.points("7") == D("16.63") and result.node("7").max == D("16.75") and result.node("7").complete
    assert result.pending == ("1", "2", "3", "4", "5", "6", "8", "survey")
    assert result.total == D("16.63") and result.reach == 100 - D("16.75") + D("16.63") and result.index is None
    with pytest.raises(RecordError, match="field_1_points: missing value"):  # without parts, every field is required
        score(NAM_DINH, {"unit": "truc-ninh", "field_7_points": "16.63"})
    with pytest.raises(MethodologyNotFound, match="has no node 'nine'"):
        score(NAM_DINH, {"field_7_points": 1}, parts=["nine"])


def test_a_value_outside_the_parts_is_still_checked_and_never_scored() -> None:
    result = score(NAM_DINH, {"field_7_points": 16, "field_1_points": 7}, parts=["7"])
    assert result.points("1") is None and result.node("1").pending
    with pytest.raises(RecordError, match="field_1_points"):
        score(NAM_DINH, {"field_7_points": 16, "field_1_points": "lots"}, parts=["7"])


PARTIAL_TREE = methodology_text(
    """
    a: {label: A, type: percent}
    b: {label: B, type: percent, missing: pending}
    c: {label: C, type: percent, missing: not_applicable}
    d: {label: D, type: percent, missing: zero}
    """,
    """
    - id: "1"
      label: One
      max: 60
      children:
        - {id: "1.1", label: A, max: 20, rule: {kind: proportional, indicator: a}}
        - {id: "1.2", label: B, max: 20, rule: {kind: proportional, indicator: b}}
        - {id: "1.3", label: C, max: 20, rule: {kind: proportional, indicator: c}}
    - id: "2"
      label: Two
      max: 40
      children:
        - {id: "2.1", label: B and D, max: 40, rule: {kind: expression, formula: "MAX * (b + d) / 200"}}
    """,
    scale="100",
)


def test_parents_are_partial_with_points_so_far_and_reach_and_not_applicable_still_rescales() -> None:
    m = load_text(PARTIAL_TREE)
    result = score(m, {"a": 50})  # b pending, c not applicable, d missing (zero)
    one = result.node("1")
    assert one.partial and not one.pending and one.points == 15 and one.reach == 45  # (10 + 0) × 60/40, (10 + 20) × 60/40
    assert result.node("1.3").points is None and not result.node("1.3").pending  # not applicable is not pending
    assert result.node("2.1").points == 0 and result.node("2.1").complete  # d is missing under zero: zero wins over pending
    assert result.pending == ("1.2",)
    assert result.total == 15 and result.reach == 45
    both_pending = score(m, {"a": 50, "d": 10})  # d given: the formula waits for b alone
    assert both_pending.node("2.1").pending and both_pending.pending == ("1.2", "2")
    assert both_pending.reach == 45 + 40
    done = score(m, {"a": 50, "b": 100, "d": 10})
    assert done.complete and done.index == done.total == D(45) + D(22)


def test_a_methodology_may_declare_pending_and_nothing_else_is_a_policy() -> None:
    load_text(PARTIAL_TREE)  # the schema and the checks accept it
    with pytest.raises(MethodologyError, match="later"):
        load_text(PARTIAL_TREE.replace("missing: pending", "missing: later"))


# --------------------------------------------------------------------------- many units


def test_partial_results_are_ranked_only_against_units_with_the_same_parts_in() -> None:
    results = [score(PROVINCE, record) for record in (OTHER, FULL, BINH_DINH)]
    ranking = rank(results)
    assert [(entry.unit, entry.rank, entry.cohort) for entry in ranking] == [("full", 1, ()), ("binh-dinh", 1, ("survey",)), ("other", 2, ("survey",))]
    assert ranking.entry("binh-dinh").value == D("59.69") and ranking.entry("full").value is None  # complete: ranked on the index
    assert any("ranked only against units with the same parts in" in note for note in ranking.notes)
    assert ranking.bands() == {"B": ("full",)}  # no band invented for the partial ones
    on = rank(results, on="appraisal")
    assert [(entry.unit, entry.rank) for entry in on] == [("full", 1), ("binh-dinh", 1), ("other", 3)]
    with pytest.raises(RecordError, match="cannot rank on node survey: it is pending for unit other"):
        rank(results, on="survey")


def test_compare_sets_nothing_against_a_part_not_in_yet() -> None:
    before = [score(PROVINCE, FULL), score(PROVINCE, {**FULL, "unit": "other"})]
    after = [score(PROVINCE, {**BINH_DINH, "unit": "full"}), score(PROVINCE, {**FULL, "unit": "other", "survey_points": 31})]
    comparison = compare(before, after)
    waiting = comparison.unit("full")
    assert waiting.index_change is None and waiting.total_change is None and waiting.pending == ((), ("survey",))
    assert not waiting.node("survey").comparable and "not in yet in this year" in (waiting.node("survey").note or "")
    assert waiting.node("appraisal").change == 0  # a part that is in both years is compared
    assert comparison.unit("other").index_change == 1
    assert any("full: survey not in yet in this year" in note for note in comparison.notes)


def test_gaps_whatif_and_self_assessment_say_what_is_pending() -> None:
    results = [score(PROVINCE, record) for record in (OTHER, FULL, BINH_DINH)]
    mine = results[2]
    report = gaps(mine, rank(results))
    assert report.pending == ("survey",) and report.next_band is None
    assert report.next_rank is None  # first among the self-assessments; "full" is not in its cohort
    assert [node.id for node in report.lost][:1] == ["8"] and all(not node.pending for node in report.lost)
    assert [c.id for c in report.components] == ["appraisal"]
    other = gaps(results[0], rank(results))
    assert other.next_rank is not None and other.next_rank.unit == "binh-dinh" and other.next_rank.index_points is None
    change = what_if(PROVINCE, BINH_DINH, {"survey_points": 30})
    assert change.before.pending == ("survey",) and change.pending == () and change.index_change is None
    assert change.after.index == D("89.69")
    claims = self_assessment(score(PROVINCE, {**BINH_DINH, "self_assessed": {"survey": 30, "appraisal": "59.69", "8": 4}}))
    assert claims.pending == ("survey",) and claims.agreed == ("appraisal",) and [d.id for d in claims.differences] == ["8"]


def test_the_office_report_refuses_partial_results_by_name() -> None:
    from par_rules.errors import ParRulesError
    from par_rules.units import build_report

    with pytest.raises(ParRulesError, match="binh-dinh have parts not in yet \\(survey\\)"):
        build_report([score(PROVINCE, BINH_DINH), score(PROVINCE, FULL)])


# --------------------------------------------------------------------------- the command


@pytest.fixture()
def provinces(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "provinces.csv", [BINH_DINH, OTHER, FULL])


def test_tables_carry_reach_and_pending_and_no_invented_index(provinces: Path, tmp_path: Path) -> None:
    code, out, err = run("score", "vn/moha/par-index/province", str(provinces), "--format", "csv")
    assert code == 0, err
    rows = {row["unit"]: row for row in csv.DictReader(out.splitlines())}
    assert (rows["binh-dinh"]["total"], rows["binh-dinh"]["index"], rows["binh-dinh"]["band"], rows["binh-dinh"]["reach"], rows["binh-dinh"]["pending"]) == ("59.69", "", "", "94.69", "survey")
    assert rows["binh-dinh"]["points_survey"] == "" and rows["full"]["pending"] == "" and rows["full"]["index"] == "89.69"
    code, out, _ = run("score", "vn/moha/par-index/province", str(provinces), "--format", "json")
    first = json.loads(out)[0]
    assert (first["index"], first["reach"], first["pending"]) == (None, "94.69", "survey")
    code, _, _ = run("rank", "vn/moha/par-index/province", str(provinces), "-o", str(tmp_path / "rank.xlsx"))
    sheet = openpyxl.load_workbook(tmp_path / "rank.xlsx")["results"]
    headers = [cell.value for cell in sheet[1]]
    assert {"reach", "pending"} <= set(headers)
    by_unit = {row[headers.index("unit")]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_unit["binh-dinh"][headers.index("pending")] == "survey" and by_unit["binh-dinh"][headers.index("index")] is None


def test_parts_on_the_command_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "truc-ninh.csv", [{"unit": "truc-ninh", "period": 2023, "field_7_points": "16.63"}])
    code, out, err = run("score", "vn/nam-dinh/par-index/district", str(path), "--parts", "7")
    assert code == 0, err
    assert "Partial: 16.63 so far, at most 99.88 / 100   pending: 1, 2, 3, 4, 5, 6, 8, survey" in out
    code, _, err = run("score", "vn/nam-dinh/par-index/district", str(path))
    assert code == 1 and "missing value" in err  # without --parts the other fields are required
    code, _, err = run("score", "vn/nam-dinh/par-index/district", str(path), "--parts", "nine")
    assert code == 2 and "no version of vn/nam-dinh/par-index/district has a node 'nine'" in err
    code, _, err = run("score", "methodologies/vn/nam-dinh/par-index/district/2023.yaml", str(path), "--parts", "nine")
    assert code == 2 and "has no node 'nine'" in err
    code, _, err = run("score", "vn/nam-dinh/par-index/district", str(path), "--parts", " , ")
    assert code == 2
    code, out, err = run("score", "vn/nam-dinh/par-index/district", str(path), "--parts", "7", "--format", "csv", "--jobs", "2")
    assert code == 0, err
    row = next(csv.DictReader(out.splitlines()))  # the worker processes score the parts too
    assert (row["total"], row["reach"], row["index"], row["points_7"]) == ("16.63", "99.88", "", "16.63")


def test_exit_codes_keep_their_meaning_with_partial_records(provinces: Path, tmp_path: Path) -> None:
    """0: all went well (a partial record is no problem); 1: problems found; 2: a misused command."""
    code, out, err = run("gaps", "vn/moha/par-index/province", str(provinces), "--unit", "binh-dinh")
    assert code == 0, err
    assert "partial, 59.69 points so far, at most 94.69 of 100; no index, no band" in out and "not in yet: survey" in out
    assert "Next band: none until every part is in" in out
    code, out, _ = run("gaps", "vn/moha/par-index/province", str(provinces), "--unit", "binh-dinh", "--format", "json")
    data = json.loads(out)
    assert code == 0 and (data["index"], data["pending"], data["reach"]) == (None, ["survey"], "94.69")
    refused = write_csv(tmp_path / "refused.csv", [{**BINH_DINH, "field_1_points": 8}, FULL])  # above field 1's cap of 7
    code, _, err = run("gaps", "vn/moha/par-index/province", str(refused), "--unit", "binh-dinh")
    assert code == 1 and "its row may be among the rows with problems" in err  # a problem found, not a misuse
    assert run("gaps", "vn/moha/par-index/province", str(provinces), "--unit", "nowhere")[0] == 2
    code, out, _ = run("rank", "vn/moha/par-index/province", str(provinces), "--summary")
    assert code == 0 and "ranked only against units with the same parts in" in out
    code, _, err = run("rank", "vn/moha/par-index/province", str(provinces), "--on", "survey")
    assert code == 1 and "it is pending for unit binh-dinh" in err
    assert run("rank", "vn/moha/par-index/province", str(provinces), "--on", "nine")[0] == 2
    code, out, _ = run("rank", "vn/moha/par-index/province", str(provinces), "--on", "appraisal")
    assert code == 0 and "ranked on the exact points of node appraisal" in out
    code, out, _ = run("whatif", "vn/moha/par-index/province", str(provinces), "--unit", "binh-dinh", "--set", "survey_points=30")
    assert code == 0 and "index  - → 89.69%" in out and "survey    pending → 30" in out
    code, out, _ = run("explain", "vn/moha/par-index/province", str(provinces), "--unit", "binh-dinh", "--node", "survey")
    assert code == 0 and "survey  pending / 35" in out
    code, out, err = run("compare", "vn/moha/par-index/province", str(provinces), "vn/moha/par-index/province", str(provinces))
    assert code == 0, err


def test_the_tests_format_expresses_partial_results(tmp_path: Path) -> None:
    from par_rules.authoring import load_tests, run_tests

    folder = tmp_path / "x"
    folder.mkdir()
    (folder / "1.yaml").write_text(PARTIAL_TREE, encoding="utf-8")
    (folder / "1.tests.yaml").write_text(
        "cases:\n"
        "  - name: b pending\n    record: {a: 50}\n    expect: {total: 15, reach: 45, pending: ['1.2'], index: null, band: null, nodes: {'1': 15, '1.2': null}}\n"
        "  - name: only field 2\n    record: {b: 50, d: 50}\n    parts: ['2']\n    expect: {total: 20, pending: ['1']}\n"
        "  - name: wrong expectation\n    record: {a: 50}\n    expect: {pending: [], reach: 15}\n",
        encoding="utf-8",
    )
    outcomes = run_tests(load_tests(folder / "1.tests.yaml"))
    assert [outcome.passed for outcome in outcomes] == [True, True, False]
    assert [failure.target for failure in outcomes[2].failures] == ["reach", "pending"]
    assert "pending: expected [], got [1.2]" in str(outcomes[2].failures[1])
    (folder / "1.tests.yaml").write_text("cases:\n  - name: bad\n    record: {a: 1}\n    parts: 7\n    expect: {pending: x, total: null}\n", encoding="utf-8")
    with pytest.raises(MethodologyError) as caught:
        load_tests(folder / "1.tests.yaml")
    text = str(caught.value)
    assert "'parts' must be a list of node ids" in text and "pending must be a list of node ids" in text and "total must be a number" in text
