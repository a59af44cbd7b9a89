"""The shipped methodologies: every one loads, has tests, and passes them; the test runner
reports failures with the case, node, expected and actual points; versions are found by year."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import par_rules
from par_rules.cli import main
from par_rules.authoring._methodology_tests import CaseOutcome, find_test_files, load_tests, methodology_path, run_case, run_tests
from par_rules.engine._registry import TESTS_SUFFIX, all_versions, load_file

SHIPPED = all_versions()
CASES = [(path, case) for path in find_test_files() for case in load_tests(path).cases]


def _case_id(item: tuple[Path, object]) -> str:
    path, case = item
    return f"{path.relative_to(par_rules.shipped_root()).as_posix()}::{case.name}"  # type: ignore[attr-defined]


@pytest.mark.parametrize("path,case", CASES, ids=[_case_id(item) for item in CASES])
def test_shipped_case(path: Path, case: object) -> None:
    outcome: CaseOutcome = run_case(load_file(methodology_path(path)), case)  # type: ignore[arg-type]
    assert outcome.passed, "\n".join(str(failure) for failure in outcome.failures)


@pytest.mark.parametrize("info", SHIPPED, ids=[f"{info.id}@{info.version}" for info in SHIPPED])
def test_every_shipped_methodology_loads_and_has_tests(info: par_rules.engine._registry.VersionInfo) -> None:
    methodology = load_file(info.path)
    assert methodology.id == info.id
    tests = info.path.with_name(info.version + TESTS_SUFFIX)
    assert tests.is_file(), f"{info.path} has no {tests.name}"
    assert load_tests(tests).cases


def test_the_real_methodologies_are_all_shipped() -> None:
    shipped = {(info.id, info.version) for info in SHIPPED}
    assert {
        ("vn/moha/par-index/province", "2017"),
        ("vn/moha/par-index/province", "2019"),
        ("vn/moha/par-index/province", "2020"),
        ("vn/moha/par-index/province", "2022"),
        ("vn/moha/par-index/province", "2024"),
        ("vn/moha/par-index/ministry", "2022"),
        ("vn/nam-dinh/par-index/district", "2023"),
        ("vn/ca-mau/par-index/internal", "2013"),
        ("vn/vpcp/tthc-evaluation", "2018"),
        ("vn/ttg/service-index", "2022"),
        ("vn/ttg/service-index", "2024"),
        ("reference/par-index/district", "2024"),
    } <= shipped


def test_reference_methodology_uses_every_feature() -> None:
    reference = par_rules.load("reference/par-index/district")
    leaves = list(reference.leaves())
    assert 70 <= len(leaves) <= 120
    assert {leaf.rule.kind for leaf in leaves} == {"bands", "levels", "boolean", "proportional", "direct", "deduction", "bonus", "survey", "expression"}  # type: ignore[union-attr]
    assert any(indicator.derived for indicator in reference.indicators.values())
    assert any(indicator.missing == "not_applicable" for indicator in reference.indicators.values())
    assert any(node.source == "survey" for node in reference.criteria)
    assert reference.status == "illustrative"


def test_real_figures_are_in_the_shipped_tests() -> None:
    dien_bien = par_rules.load("vn/moha/par-index/province", year=2020)
    points = {"field_1_points": 7, "field_2_points": 5, "field_3_points": "13.49", "field_4_points": 6}
    points |= {"field_5_points": "6.75", "field_6_points": "5.88", "field_7_points": "10.18", "field_8_points": 2}
    result = par_rules.score(dien_bien, {"period": 2020, **points, "survey_points": 0})
    assert result.points("appraisal") == Decimal("56.30")
    assert abs(result.points("appraisal") - Decimal("56.2967")) == Decimal("0.0033")  # type: ignore[operator]
    nam_dinh = par_rules.load("vn/nam-dinh/par-index/district", year=2023)
    assert nam_dinh.node("7").max == Decimal("16.75")


# --- versions by year ---------------------------------------------------------------------------


def test_the_version_in_force_for_a_year() -> None:
    province = "vn/moha/par-index/province"
    assert [par_rules.load(province, year=year).version for year in (2017, 2019, 2020, 2021, 2022, 2023)] == ["2017", "2019", "2020", "2020", "2022", "2022"]
    assert par_rules.load("vn/ttg/service-index", year=2024).node("4b").max == 10


def test_a_year_no_version_covers_lists_the_years_covered() -> None:
    with pytest.raises(par_rules.MethodologyNotFound, match=r"2018.*years covered: 2017, 2019, 2020, 2021, 2022, 2023"):
        par_rules.load("vn/moha/par-index/province", year=2018)


def test_score_command_takes_a_year(tmp_path: Path) -> None:
    records = tmp_path / "dien-bien.json"
    records.write_text('{"unit": "dien-bien", "field_1_points": 7, "field_2_points": 5, "field_3_points": 13.49, "field_4_points": 6,'
                       ' "field_5_points": 6.75, "field_6_points": 5.88, "field_7_points": 10.18, "field_8_points": 2, "survey_points": 0}', encoding="utf-8")
    runner = CliRunner()
    in_2020 = runner.invoke(main, ["score", "vn/moha/par-index/province", str(records), "--year", "2020"])
    assert in_2020.exit_code == 0, in_2020.output
    assert "56.3" in in_2020.output
    in_2019 = runner.invoke(main, ["score", "vn/moha/par-index/province", str(records), "--year", "2019"])
    assert in_2019.exit_code == 1  # field 7 takes at most 9 points in 2019
    assert "outside 0 to 9" in in_2019.output


# --- the test runner ----------------------------------------------------------------------------

METHODOLOGY = """\
format: 1
id: t/index
version: "1"
years: [2024]
title: Chỉ số thử
issuer: Thử nghiệm
level: district
scale: 10
status: illustrative
indicators:
  done: {label: Hoàn thành, type: boolean}
  points: {label: Điểm, type: number}
criteria:
  - {id: "1", label: Hoàn thành, max: 4, rule: {kind: boolean, indicator: done}}
  - {id: "2", label: Điểm thẩm định, max: 6, rule: {kind: direct, indicator: points}}
"""


def _write(tmp_path: Path, tests: str) -> Path:
    (tmp_path / "1.yaml").write_text(METHODOLOGY, encoding="utf-8")
    path = tmp_path / "1.tests.yaml"
    path.write_text(tests, encoding="utf-8")
    return path


def test_a_wrong_expectation_fails_naming_case_node_expected_actual_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
cases:
  - name: half the points
    record: {done: true, points: 3}
    expect:
      total: 7
      nodes:
        "1": 4
        "2": 2.5
""")
    [outcome] = run_tests(load_tests(path))
    assert not outcome.passed
    [failure] = outcome.failures
    assert (failure.case, failure.target, failure.expected, failure.actual) == ("half the points", "2", "2.5", "3")
    assert str(failure) == f"{path}:8:9: case 'half the points': node 2: expected 2.5, got 3"


def test_tolerance_lets_rounded_figures_pass_and_only_them(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
cases:
  - {name: within, tolerance: 0.01, record: {done: false, points: 5.996}, expect: {total: 6}}
  - {name: beyond, tolerance: 0.001, record: {done: false, points: 5.996}, expect: {total: 6}}
""")
    within, beyond = run_tests(load_tests(path))
    assert within.passed
    assert [str(f).split(": ", 1)[1] for f in beyond.failures] == ["case 'beyond': total: expected 6, got 5.996 (tolerance 0.001)"]


def test_error_cases(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
cases:
  - {name: refused as expected, record: {done: true, points: 7}, error: outside 0 to 6}
  - {name: accepted unexpectedly, record: {done: true, points: 5}, error: outside 0 to 6}
  - {name: refused unexpectedly, record: {done: true}, expect: {total: 4}}
""")
    refused, accepted, unexpected = run_tests(load_tests(path))
    assert refused.passed
    assert "expected an error containing 'outside 0 to 6', got a score of 9" in str(accepted.failures[0])
    assert "the record was refused" in str(unexpected.failures[0]) and "points" in str(unexpected.failures[0])


def test_an_unknown_node_and_a_wrong_band_fail(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
cases:
  - {name: n, record: {done: true, points: 6}, expect: {band: A, nodes: {"9": 1}}}
""")
    [outcome] = run_tests(load_tests(path))
    assert sorted(f.target for f in outcome.failures) == ["9", "band"]
    assert any(f.actual == "no such node in the methodology" for f in outcome.failures)


def test_a_broken_tests_file_lists_every_problem_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
tolerence: 0.1
cases:
  - name: no record
    expect: {total: 1}
  - name: both
    record: {}
    expect: {totl: 1}
    error: x
""")
    with pytest.raises(par_rules.MethodologyError) as caught:
        load_tests(path)
    text = str(caught.value)
    assert f"{path}:1:1: unknown key 'tolerence'" in text
    assert "case 'no record': 'record' must be a mapping" in text
    assert f"{path}:7:14: unknown key 'totl'" in text
    assert "case 'both': give either 'expect' or 'error'" in text


def test_cli_test_reports_failures_and_exits_1(tmp_path: Path) -> None:
    _write(tmp_path, """\
cases:
  - {name: good, record: {done: true, points: 6}, expect: {total: 10}}
  - {name: bad, record: {done: true, points: 6}, expect: {nodes: {"1": 3}}}
""")
    result = CliRunner().invoke(main, ["test", str(tmp_path)])
    assert result.exit_code == 1
    assert "FAILED" in result.output and "case 'bad': node 1: expected 3, got 4" in result.output
    assert result.output.strip().endswith("1 passed, 1 failed")


def test_cli_test_passes_on_every_shipped_methodology() -> None:
    result = CliRunner().invoke(main, ["test"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == f"{len(CASES)} passed, 0 failed"


def test_cli_test_without_tests_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["test", str(tmp_path)])
    assert result.exit_code == 1
    assert f"no tests found in {tmp_path}" in result.output


def test_expect_must_be_a_mapping_and_the_place_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "cases:\n  - {name: n, record: {}, expect: 3}\n")
    with pytest.raises(par_rules.MethodologyError, match=r"1\.tests\.yaml:2:27: case 'n': 'expect' must be a mapping"):
        load_tests(path)
