"""Scoring: every rule kind, caps, not-applicable rescaling, rounding, bands, explanations."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

import par_rules
from par_rules import RecordError

from .methodology_text import methodology, write


def one_leaf(tmp_path, indicator: str, rule: str, cap: str = "10"):
    """A methodology of one field with one leaf, scale = the leaf's cap."""
    text = methodology(
        indicator,
        f"""
        - id: "1"
          label: Lĩnh vực
          max: {cap}
          children:
            - id: "1.1"
              label: Tiêu chí
              max: {cap}
              rule: {rule}
        """,
        scale=cap,
    )
    return par_rules.load(write(tmp_path, text))


PLAN = """
plan:
  label: Kế hoạch
  type: level
  levels: {on_time: Kịp thời, late: Chậm, not_issued: Không ban hành}
"""

COMPLETION = """
done:
  label: Tỷ lệ hoàn thành
  type: percent
"""

CAMAU_BANDS = "{kind: bands, indicator: done, bands: [{above: 90, points: 2}, {at_least: 70, at_most: 90, points: 1}, {below: 70, points: 0}]}"


@pytest.mark.parametrize("level, label, points", [("on_time", "Kịp thời", "1"), ("late", "Chậm", "0.5"), ("not_issued", "Không ban hành", "0")])
def test_levels_rule_gives_the_points_of_the_level(tmp_path, level, label, points):
    m = one_leaf(tmp_path, PLAN, "{kind: levels, indicator: plan, points: {on_time: 1, late: 0.5, not_issued: 0}}", cap="1")
    result = par_rules.score(m, {"plan": level})
    assert result.points("1.1") == D(points)
    assert result.node("1.1").why == f"level “{label}” → {points}"  # the level's label, not its id
    assert result.explain(lang="vi").endswith(f"↳ mức “{label}” → {points.replace('.', ',')}")


@pytest.mark.parametrize(
    "value, points",
    [("100", 2), ("90.01", 2), ("90", 1), ("89.99", 1), ("70", 1), ("69.99", 0), ("0", 0)],
)
def test_bands_follow_the_camau_wording_at_the_boundaries(tmp_path, value, points):
    # "trên 90%: 2; từ 70% - 90%: 1; dưới 70%: 0": exactly 90 is in the middle band.
    m = one_leaf(tmp_path, COMPLETION, CAMAU_BANDS, cap="2")
    assert par_rules.score(m, {"done": value}).points("1.1") == points


def test_boolean_rule_defaults_to_the_cap_and_zero(tmp_path):
    m = one_leaf(tmp_path, "ok: {label: Đạt, type: boolean}", "{kind: boolean, indicator: ok}", cap="3")
    assert par_rules.score(m, {"ok": True}).points("1.1") == 3
    assert par_rules.score(m, {"ok": "không"}).points("1.1") == 0


def test_boolean_rule_with_declared_points(tmp_path):
    m = one_leaf(tmp_path, "ok: {label: Đạt, type: boolean}", "{kind: boolean, indicator: ok, when_true: 2, when_false: 0.5}", cap="3")
    assert par_rules.score(m, {"ok": False}).points("1.1") == D("0.5")


def test_proportional_rule_is_max_times_ratio_and_is_capped(tmp_path):
    m = one_leaf(tmp_path, "rate: {label: Tỷ lệ, type: percent}", "{kind: proportional, indicator: rate, full_at: 60}", cap="6")
    assert par_rules.score(m, {"rate": 30}).points("1.1") == 3
    result = par_rules.score(m, {"rate": 90})
    assert result.points("1.1") == 6
    assert result.node("1.1").capped


def test_direct_points_are_checked_against_the_cap(tmp_path):
    m = one_leaf(tmp_path, "given: {label: Điểm thẩm định, type: number}", "{kind: direct, indicator: given}", cap="16.75")
    result = par_rules.score(m, {"given": "16.63"})
    assert str(result.points("1.1")) == "16.63"
    assert f"{result.points('1.1')} / {result.node('1.1').max}" == "16.63 / 16.75"
    with pytest.raises(RecordError) as caught:
        par_rules.score(m, {"given": "16.80"})
    problem = caught.value.problems[0]
    assert (problem.node, problem.indicator) == ("1.1", "given")
    assert "outside 0 to 16.75" in problem.message


def test_deduction_per_occurrence_with_a_limit(tmp_path):
    m = one_leaf(tmp_path, "cases: {label: Vi phạm, type: count}", "{kind: deduction, indicator: cases, per_occurrence: 0.25, limit: 1}", cap="2")
    assert par_rules.score(m, {"cases": 0}).points("1.1") == 2
    assert par_rules.score(m, {"cases": 3}).points("1.1") == D("1.25")
    limited = par_rules.score(m, {"cases": 10})
    assert limited.points("1.1") == 1
    assert limited.node("1.1").capped


def test_bonus_per_occurrence_up_to_the_cap(tmp_path):
    m = one_leaf(tmp_path, "ideas: {label: Sáng kiến, type: count}", "{kind: bonus, indicator: ideas, per_occurrence: 0.5}", cap="2")
    assert par_rules.score(m, {"ideas": 3}).points("1.1") == D("1.5")
    assert par_rules.score(m, {"ideas": 9}).points("1.1") == 2


def test_survey_answers_are_weighted(tmp_path):
    indicator = "answers: {label: Hài lòng, type: answers, options: {A: Rất, B: Có, C: Bình thường, D: Không}}"
    m = one_leaf(tmp_path, indicator, "{kind: survey, indicator: answers, weights: {A: 100, B: 60, C: 20, D: 0}}", cap="10")
    # (50×100 + 30×60 + 20×20) / 100 answers = 72% of 10 points
    assert par_rules.score(m, {"answers": {"A": 50, "B": 30, "C": 20}}).points("1.1") == D("7.2")


def test_expression_rule_uses_exact_decimals_and_is_kept_within_the_cap(tmp_path):
    m = one_leaf(tmp_path, "rate: {label: Tỷ lệ, type: percent}", '{kind: expression, formula: "rate / 3 * 0.1"}', cap="2")
    result = par_rules.score(m, {"rate": 30})
    assert result.points("1.1") == 1
    assert par_rules.score(m, {"rate": 90}).points("1.1") == 2  # 3, kept within the cap


def test_derived_indicator_from_two_counts(tmp_path):
    indicators = """
    on_time: {label: Đúng hạn, type: count}
    total: {label: Tổng số, type: count}
    rate: {label: Tỷ lệ đúng hạn, type: percent, formula: "on_time / total * 100"}
    """
    m = one_leaf(tmp_path, indicators, "{kind: bands, indicator: rate, bands: [{at_least: 90, points: 2}, {below: 90, points: 0}]}", cap="2")
    assert par_rules.score(m, {"on_time": 3343, "total": 3351}).points("1.1") == 2
    with pytest.raises(RecordError) as caught:
        par_rules.score(m, {"on_time": 5, "total": 0})
    assert caught.value.problems[0].indicator == "rate"
    assert "division by zero" in caught.value.problems[0].message
    with pytest.raises(RecordError, match="outside the allowed range"):
        par_rules.score(m, {"on_time": 7, "total": 5})


def test_not_applicable_child_rescales_the_parent(tmp_path):
    indicators = """
    a: {label: A, type: percent}
    b: {label: B, type: percent, missing: not_applicable}
    """
    text = methodology(
        indicators,
        """
        - id: "1"
          label: Lĩnh vực
          max: 10
          children:
            - {id: "1.1", label: A, max: 6, rule: {kind: proportional, indicator: a}}
            - {id: "1.2", label: B, max: 4, rule: {kind: proportional, indicator: b}}
        """,
    )
    m = par_rules.load(write(tmp_path, text))
    result = par_rules.score(m, {"a": 50})
    assert result.points("1.2") is None
    assert result.points("1") == 5  # 3 of the 6 applicable points, rescaled to 10
    assert result.node("1").rescaled
    assert result.index == 50


def test_missing_policies_zero_and_full(tmp_path):
    indicators = """
    a: {label: A, type: percent, missing: zero}
    b: {label: B, type: count, missing: full}
    """
    text = methodology(
        indicators,
        """
        - id: "1"
          label: Lĩnh vực
          max: 10
          children:
            - {id: "1.1", label: A, max: 6, rule: {kind: proportional, indicator: a}}
            - {id: "1.2", label: B, max: 4, rule: {kind: deduction, indicator: b, per_occurrence: 1}}
        """,
    )
    result = par_rules.score(par_rules.load(write(tmp_path, text)), {})
    assert (result.points("1.1"), result.points("1.2")) == (0, 4)


def test_parent_never_exceeds_its_cap(tmp_path):
    text = methodology(
        "a: {label: A, type: boolean}\nb: {label: B, type: boolean}",
        """
        - id: "1"
          label: Lĩnh vực
          max: 10
          cap_note: Either criterion alone earns the full field.
          children:
            - {id: "1.1", label: A, max: 10, rule: {kind: boolean, indicator: a}}
            - {id: "1.2", label: B, max: 10, rule: {kind: boolean, indicator: b}}
        """,
    )
    result = par_rules.score(par_rules.load(write(tmp_path, text)), {"a": True, "b": True})
    assert result.points("1") == 10
    assert result.node("1").capped


def test_weighted_mean_parent(tmp_path):
    text = methodology(
        "a: {label: A, type: percent}\nb: {label: B, type: percent}",
        """
        - id: "1"
          label: Chỉ số thành phần
          max: 10
          aggregate: weighted_mean
          children:
            - {id: "1.1", label: A, max: 100, weight: 3, rule: {kind: proportional, indicator: a}}
            - {id: "1.2", label: B, max: 100, weight: 1, rule: {kind: proportional, indicator: b}}
        """,
    )
    result = par_rules.score(par_rules.load(write(tmp_path, text)), {"a": 80, "b": 40})
    assert result.points("1") == 7  # (3 × 0.8 + 1 × 0.4) / 4 × 10


def test_rounding_keeps_exact_values_and_publishes_half_up(tmp_path):
    text = methodology(
        "p: {label: Điểm, type: number}\nq: {label: Điểm khảo sát, type: number}",
        """
        - {id: "1", label: Thẩm định, max: 65, rule: {kind: direct, indicator: p}}
        - {id: "2", label: Điều tra, max: 35, source: survey, rule: {kind: direct, indicator: q}}
        """,
        scale="100",
    )
    m = par_rules.load(write(tmp_path, text))
    result = par_rules.score(m, {"p": "56.2967", "q": "33.7083"})
    assert result.total == D("90.0050")
    assert result.published_total == D("90.01")  # half-up, not banker's rounding
    assert result.band.id == "A"
    assert result.by_source == {"appraisal": D("56.2967"), "survey": D("33.7083")}


def test_bands_apply_to_the_published_index_by_default(tmp_path):
    text = methodology("p: {label: Điểm, type: number}", '- {id: "1", label: X, max: 100, rule: {kind: direct, indicator: p}}', scale="100")
    m = par_rules.load(write(tmp_path, text))
    assert par_rules.score(m, {"p": "89.996"}).band.id == "A"  # published as 90.00
    exact = par_rules.load(write(tmp_path, text.replace("status: illustrative", "status: illustrative\nrounding: {bands_on: exact}"), "1.yaml"))
    assert exact.bands_on == "exact"
    assert par_rules.score(exact, {"p": "89.996"}).band.id == "B"
    assert par_rules.score(m, {"p": "12"}).band is None


def test_record_errors_are_all_reported_at_once(tmp_path):
    indicators = PLAN + COMPLETION + "n: {label: Số, type: count}\n"
    text = methodology(
        indicators,
        """
        - id: "1"
          label: X
          max: 10
          children:
            - {id: "1.1", label: A, max: 4, rule: {kind: levels, indicator: plan, points: {on_time: 4, late: 2, not_issued: 0}}}
            - {id: "1.2", label: B, max: 4, rule: {kind: proportional, indicator: done}}
            - {id: "1.3", label: C, max: 2, rule: {kind: bonus, indicator: n, per_occurrence: 1}}
        """,
    )
    m = par_rules.load(write(tmp_path, text))
    with pytest.raises(RecordError) as caught:
        par_rules.score(m, {"plan": "soon", "done": "120", "n": "2.5", "dnoe": 3, "extra": 1})
    by_indicator = {p.indicator: p.message for p in caught.value.problems}
    assert "not a level" in by_indicator["plan"]
    assert "outside the allowed range" in by_indicator["done"]
    assert "not a whole number" in by_indicator["n"]
    assert "did you mean 'done'" in by_indicator["dnoe"]
    assert "unknown indicator" in by_indicator["extra"]
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, par_rules.ParRulesError)
    with pytest.raises(RecordError) as caught:
        par_rules.score(m, {"plan": "late"})
    assert {p.indicator for p in caught.value.problems} == {"done", "n"}
    assert all("missing value" in p.message for p in caught.value.problems)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "1e400", "x", True, [1]])
def test_bad_numbers_are_record_errors(tmp_path, bad):
    m = one_leaf(tmp_path, COMPLETION, CAMAU_BANDS, cap="2")
    with pytest.raises(RecordError) as caught:
        par_rules.score(m, {"done": bad})
    assert caught.value.problems[0].indicator == "done"


def test_row_number_is_carried_into_problems(tmp_path):
    m = one_leaf(tmp_path, COMPLETION, CAMAU_BANDS, cap="2")
    with pytest.raises(RecordError) as caught:
        par_rules.score(m, {"done": "abc"}, row=7)
    assert caught.value.problems[0].row == 7
    assert "row 7" in str(caught.value)


def test_example_methodology_explains_and_serialises():
    m = par_rules.load("example/par-index/district", year=2024)
    records = json.loads((par_rules.shipped_root().parent / "examples" / "district-2024.json").read_text("utf-8")) if (par_rules.shipped_root().parent / "examples").is_dir() else None
    record = {
        "unit": "u1", "period": 2024, "plan_issued": "late", "plan_completion": 90, "reports_on_time": True,
        "inspected_share": "0.5", "dossiers_on_time": 9, "dossiers_total": 10, "online_rate": 30,
        "e_gov_points": "16.63", "violations": 1, "satisfaction": {"A": 1, "B": 1},
    }
    result = par_rules.score(m, record)
    text = result.explain()
    assert "16.63 / 16.75" in text
    assert "level “Ban hành chậm” → 0.5" in text
    assert "(findings_fixed_rate) missing → not applicable" in text
    data = json.loads(json.dumps(result.to_dict()))
    assert data["fields"][4]["points"] == "16.63"
    assert data["published_index"] == str(result.published_index)
    # the same inputs always give the same result
    assert par_rules.score(m, dict(reversed(list(record.items())))).to_dict() == result.to_dict()
    if records:
        assert all(par_rules.score(m, r).total > 0 for r in records)


def test_score_takes_a_path_or_an_id(tmp_path):
    m = one_leaf(tmp_path, COMPLETION, CAMAU_BANDS, cap="2")
    assert par_rules.score(m.file, {"done": 95}).total == 2
    assert par_rules.score("example/par-index/district", {"period": 2024, "plan_issued": "on_time", "plan_completion": 95,
        "reports_on_time": True, "inspected_share": 1, "dossiers_on_time": 1, "dossiers_total": 1, "online_rate": 60,
        "e_gov_points": 16.75, "violations": 0, "digitised_rate": 80, "initiatives": 4,
        "satisfaction": {"A": 1}}).index == 100
