"""Questionnaires → answer counts → scores (issue 15): par_rules.aggregate_survey and
`par-rules survey`, held to oracles that read the respondents file themselves."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

import par_rules
from par_rules.units import aggregate_survey

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "sipas-2019-questionnaires.csv"
FACTORS = {"tiep_can": "1", "thu_tuc": "2", "cong_chuc": "3", "ket_qua": "4", "gop_y": "5"}


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from par_rules.cli import main; sys.argv[0] = 'par-rules'; main()"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PAR_RULES_LANG": "en"})


def oracle_points(path: Path) -> dict[str, dict[str, Fraction]]:
    """Each unit's factor points read straight from the questionnaires: 20 × the share of 4s and
    5s among the complete questionnaires with a unit and answers 1–5 only."""
    tallies: dict[str, dict[str, list[int]]] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            answers = [row[column] for column in FACTORS]
            if not row["unit"] or any(a not in {"1", "2", "3", "4", "5"} for a in answers):
                continue
            for column, answer in zip(FACTORS, answers):
                satisfied, total = tallies.setdefault(row["unit"], {}).setdefault(column, [0, 0])
                tallies[row["unit"]][column] = [satisfied + (answer in {"4", "5"}), total + 1]
    return {unit: {FACTORS[c]: Fraction(20 * s, t) for c, (s, t) in columns.items()} for unit, columns in tallies.items()}


def test_example_questionnaires_score_end_to_end(tmp_path):
    counts_file = tmp_path / "counts.csv"
    done = cli("survey", "vn/moha/sipas", str(EXAMPLE), "--year", "2019", "-o", str(counts_file))
    assert done.returncode == 1  # the example has four made-up unusable questionnaires
    methodology = par_rules.load("vn/moha/sipas", year=2019)
    results = [r for r in par_rules.score_many(methodology, par_rules.read_records(counts_file)) if isinstance(r, par_rules.Result)]
    expected = oracle_points(EXAMPLE)
    assert {r.unit for r in results} == set(expected) == {"tinh-a", "tinh-b", "tinh-z"}
    for result in results:
        for node, points in expected[result.unit].items():
            assert Fraction(result.points(node)) == points, (result.unit, node)


def test_every_bad_questionnaire_is_reported_by_row_and_the_others_counted():
    methodology = par_rules.load("vn/moha/sipas", version="2017")
    counts = aggregate_survey(methodology, EXAMPLE, units=["tinh-a", "tinh-b"], period=2019)
    refused = {error.problems[0].row: str(error) for error in counts.problems}
    assert set(refused) == {82, 83, 84, 85}
    assert "not answered" in refused[82] and "'7' is not one of" in refused[83]
    assert "unknown unit 'tinh-z'" in refused[84] and "no unit" in refused[85]
    assert counts.rows == 84 and counts.counted == 80
    assert dict(counts.respondents["tinh-a"]) == {None: 40} and dict(counts.respondents["tinh-b"]) == {None: 40}


def test_cli_reports_rows_and_exits_1(tmp_path):
    done = cli("survey", "vn/moha/sipas", str(EXAMPLE), "--year", "2019", "--format", "csv")
    assert done.returncode == 1
    assert "row 83: indicator cong_chuc: answer '7'" in done.stderr
    assert "81 of 84 questionnaire(s) counted for 3 unit(s); refused: row(s) 82, 83, 85" in done.stderr
    assert done.stdout.splitlines()[0].startswith("unit,period,access.very_satisfied")


GROUPED = """\
format: 1
id: test/grouped
version: "1"
years: [2025]
title: Khảo sát theo nhóm (thử)
issuer: test
level: commune
scale: 10
status: illustrative
indicators:
  rating: {label: Đánh giá, type: answers, options: {good: Tốt, fair: Khá, poor: Kém}}
survey:
  group_column: nhom
  groups:
    citizens: {label: Người dân, weight: 60}
    leaders: {label: Lãnh đạo, weight: 40}
  questions:
    - {column: q1, indicator: rating, answers: {"1": good, "2": fair, "3": poor}}
criteria:
  - {id: "1", label: Đánh giá, max: 10, source: survey, rule: {kind: survey, indicator: rating, weights: {good: 100, fair: 50, poor: 0}}}
"""


@given(st.lists(st.tuples(st.sampled_from(["u1", "u2"]), st.sampled_from(["citizens", "leaders"]), st.sampled_from(["1", "2", "3"])), min_size=1, max_size=60))
def test_weighted_groups_give_the_weighted_mean_of_the_group_means(tmp_path_factory, answers):
    path = tmp_path_factory.getbasetemp() / "1.yaml"
    if not path.exists():
        path.write_text(GROUPED, encoding="utf-8")
    methodology = par_rules.load(path)
    counts = aggregate_survey(methodology, [{"unit": u, "nhom": g, "q1": a} for u, g, a in answers], period=2025)
    assert not counts.problems
    options = {"1": "good", "2": "fair", "3": "poor"}
    weights = {"citizens": 60, "leaders": 40}
    for record in counts.records:
        groups = {g: [options[a] for u, g2, a in answers if u == record["unit"] and g2 == g] for g in weights}
        present = {g: given for g, given in groups.items() if given}
        total_weight = sum(weights[g] for g in present)
        # Exactly the weighted mean of each group's shares: the proportions of the counts.
        counted = record["rating"]
        for option in options.values():
            share = sum(Fraction(weights[g] * given.count(option), len(given)) for g, given in present.items()) / total_weight
            assert Fraction(counted[option], sum(counted.values())) == share
        # And the score is that weighted mean, to the engine's 34 significant digits.
        value = {"good": 1, "fair": Fraction(1, 2), "poor": 0}
        expected = 10 * sum(weights[g] * Fraction(sum(value[o] for o in given), len(given)) for g, given in present.items()) / total_weight
        assert abs(Fraction(par_rules.score(methodology, record).points("1")) - expected) < Fraction(1, 10**30)


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(["1", "2", "3", "4", "5", "", "x"])), max_size=80))
def test_unweighted_counts_are_the_answers_as_given(rows):
    methodology = par_rules.load("vn/moha/sipas", version="2017")
    columns = list(FACTORS)
    respondents = [{"unit": unit, **dict.fromkeys(columns, answer)} for unit, answer in rows]
    counts = aggregate_survey(methodology, respondents)
    good = [(unit, answer) for unit, answer in rows if answer in {"1", "2", "3", "4", "5"}]
    assert counts.counted == len(good) and len(counts.problems) == len(rows) - len(good)
    names = {"5": "very_satisfied", "4": "satisfied", "3": "neutral", "2": "dissatisfied", "1": "very_dissatisfied"}
    expected = {unit: Counter(names[a] for u, a in good if u == unit) for unit, _ in good}
    assert {r["unit"]: {k: v for k, v in r["access"].items() if v} for r in counts.records} == {u: dict(c) for u, c in expected.items()}


def test_a_large_file_is_streamed_in_flat_memory(tmp_path):
    import tracemalloc

    path = tmp_path / "many.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("unit," + ",".join(FACTORS) + "\n")
        for i in range(30000):
            handle.write(f"u{i % 50}," + ",".join(str(1 + (i + k) % 5) for k in range(5)) + "\n")
    methodology = par_rules.load("vn/moha/sipas", version="2017")
    tracemalloc.start()
    counts = aggregate_survey(methodology, path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert counts.counted == 30000 and len(counts.records) == 50
    assert peak < 4_000_000  # a list of 30,000 rows would need far more


@pytest.mark.parametrize(
    ("survey", "message"),
    [
        ("  questions: [{column: q1, indicator: nothing}]", "6: no indicator 'nothing'"),
        ("  questions: [{column: q1, indicator: plain}]", "is a number, not survey answers"),
        ('  questions: [{column: q1, indicator: rating, answers: {"1": great}}]', "counted as 'great', which is not an option"),
        ("  group_column: g\n  groups: {a: {label: A, weight: 1}, b: {label: B}}\n  questions: [{column: q1, indicator: rating}]", "have a weight and b not"),
        ("  questions: [{column: q1, indicator: rating, groups: [x]}]", "no respondent group 'x'"),
        ("  questions: [{column: q1, indicator: rating}, {column: q1, indicator: rating}]", "given to two questions"),
        ("  questions: [{column: unit, indicator: rating}]", "already names the unit"),
    ],
)
def test_survey_section_problems_name_file_line_and_column(tmp_path, survey, message):
    text = GROUPED.split("survey:")[0].replace("indicators:\n", "indicators:\n  plain: {label: Số, type: number}\n") + "survey:\n" + survey + "\ncriteria:" + GROUPED.split("criteria:")[1]
    path = tmp_path / "1.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(par_rules.MethodologyError) as caught:
        par_rules.load(path)
    problem = next(p for p in caught.value.problems if message.split(": ", 1)[-1] in p.message or message in str(p))
    assert problem.file and problem.line and problem.column


def test_a_methodology_without_a_survey_section_says_so():
    with pytest.raises(par_rules.MethodologyNotFound, match="no survey section"):
        aggregate_survey(par_rules.load("example/par-index/district"), [])


@pytest.mark.parametrize("source", ["vn/moha/sipas@2017", "vn/moha/sipas@2023", "example/par-index/commune@2025"])
def test_the_survey_section_survives_dump_and_reload(tmp_path, source):
    from par_rules.dump import dump

    ident, version = source.split("@")
    methodology = par_rules.load(ident, version=version)
    path = tmp_path / f"{version}.yaml"
    path.write_text(dump(methodology), encoding="utf-8")
    assert par_rules.load(path).survey == methodology.survey is not None


def test_respondents_in_an_xlsx_workbook_are_counted_like_the_csv(tmp_path):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("phieu")
    with EXAMPLE.open(encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle)):
            sheet.append([int(cell) if number and cell.isdigit() else cell or None for cell in row])  # answers as numbers, as Excel keeps them
    path = tmp_path / "phieu.xlsx"
    book.save(path)
    methodology = par_rules.load("vn/moha/sipas", version="2017")
    from_xlsx = aggregate_survey(methodology, path, period=2019)
    from_csv = aggregate_survey(methodology, EXAMPLE, period=2019)
    assert from_xlsx.records == from_csv.records
    assert [e.problems[0].row for e in from_xlsx.problems] == [e.problems[0].row for e in from_csv.problems] == [82, 83, 85]


def grouped(tmp_path, text=GROUPED):
    path = tmp_path / "1.yaml"
    path.write_text(text, encoding="utf-8")
    return par_rules.load(path)


def test_blank_skip_counts_the_answered_questions_and_a_wholly_blank_questionnaire_is_refused(tmp_path):
    text = GROUPED.replace("  group_column: nhom\n", "  blank: skip\n  group_column: nhom\n").replace(
        "    - {column: q1, indicator: rating, answers: {\"1\": good, \"2\": fair, \"3\": poor}}",
        "    - {column: q1, indicator: rating, answers: {\"1\": good, \"2\": fair, \"3\": poor}}\n    - {column: q2, indicator: other}",
    ).replace("indicators:\n", "indicators:\n  other: {label: Khác, type: answers, options: {yes: Có, no: Không}, missing: not_applicable}\n")
    methodology = grouped(tmp_path, text)
    rows = [{"unit": "u", "nhom": "citizens", "q1": "1"}, {"unit": "u", "nhom": "citizens", "q2": "yes"}, {"unit": "u", "nhom": "citizens"}]
    counts = aggregate_survey(methodology, rows)
    assert [str(e.problems[0]) for e in counts.problems] == ["row 3: a blank questionnaire: no question is answered"]
    [record] = counts.records
    assert sum(record["rating"].values()) and sum(record["other"].values())


def test_an_unknown_group_is_one_problem_and_a_question_not_asked_of_a_group_is_refused(tmp_path):
    text = GROUPED.replace("    - {column: q1, indicator: rating, answers: {\"1\": good, \"2\": fair, \"3\": poor}}",
                           "    - {column: q1, indicator: rating, answers: {\"1\": good, \"2\": fair, \"3\": poor}, groups: [leaders]}")
    counts = aggregate_survey(grouped(tmp_path, text), [{"unit": "u", "nhom": "deputies", "q1": "1"}, {"unit": "u", "nhom": "citizens", "q1": "1"}])
    assert [len(e.problems) for e in counts.problems] == [1, 1]
    assert "unknown respondent group 'deputies'" in str(counts.problems[0])
    assert "not asked of group citizens" in str(counts.problems[1])


def test_a_questionnaire_of_another_year_is_refused(tmp_path):
    counts = aggregate_survey(grouped(tmp_path), [{"unit": "u", "nhom": "citizens", "q1": "1", "year": "2024"}], period=2025)
    assert "of 2024, not 2025" in str(counts.problems[0])


def test_weighted_counts_that_need_more_than_15_digits_are_refused_not_rounded(tmp_path):
    primes = [9973, 9967, 9949, 9941, 9931]
    groups = "\n".join(f"    g{i}: {{label: G{i}, weight: 1}}" for i in range(5))
    text = GROUPED.replace("    citizens: {label: Người dân, weight: 60}\n    leaders: {label: Lãnh đạo, weight: 40}", groups)
    methodology = grouped(tmp_path, text)
    rows = [{"unit": "big", "nhom": f"g{i}", "q1": "1" if k == 0 else "3"} for i, size in enumerate(primes) for k in range(size)]
    rows.append({"unit": "small", "nhom": "g0", "q1": "1"})
    counts = aggregate_survey(methodology, rows)
    assert not counts.problems and counts.counted == len(rows)
    assert "unit big: the weighted answers of question q1 cannot be written exactly" in str(counts.unit_problems[0])
    assert [r["unit"] for r in counts.records if "rating" in r] == ["small"]


def test_a_file_made_for_another_survey_is_refused_whole_and_a_missing_column_is_named(tmp_path):
    sipas_2023 = par_rules.load("vn/moha/sipas", version="2023")
    with pytest.raises(par_rules.RecordError, match=r"none of the question columns \(c1, c2"):
        aggregate_survey(sipas_2023, EXAMPLE)  # questionnaires of the 2017 method
    no_unit = tmp_path / "no-unit.csv"
    no_unit.write_text("don_vi,tiep_can\nx,5\n", encoding="utf-8")
    with pytest.raises(par_rules.RecordError, match="no unit column"):
        aggregate_survey(par_rules.load("vn/moha/sipas", version="2017"), no_unit)
    partial = tmp_path / "partial.csv"
    partial.write_text("unit,tiep_can,thu_tuc,cong_chuc,ket_qua\nx,5,5,5,5\n", encoding="utf-8")
    counts = aggregate_survey(par_rules.load("vn/moha/sipas", version="2017"), partial)
    assert counts.notes == ("column gop_y is not in the file: no questionnaire answers it",)
    assert "row 2" in str(counts.problems[0]) and "gop_y not answered" in str(counts.problems[0])


def test_the_commune_example_records_carry_the_counts_of_its_questionnaires():
    methodology = par_rules.load("example/par-index/commune", year=2025)
    counts = aggregate_survey(methodology, ROOT / "examples" / "commune-2025-questionnaires.csv", period=2025)
    assert [e.problems[0].row for e in counts.problems] == [11]  # the made-up unknown group
    records = dict(par_rules.read_records(ROOT / "examples" / "commune-2025.csv"))
    by_unit = {record["unit"]: record for record in records.values()}
    for record in counts.records:
        for indicator in ("satisfaction", "officials_rating"):
            assert {k: int(v) for k, v in by_unit[record["unit"]][indicator].items()} == record[indicator]
    scored = list(par_rules.score_many(methodology, par_rules.read_records(ROOT / "examples" / "commune-2025.csv")))
    assert all(isinstance(result, par_rules.Result) for result in scored) and len(scored) == 4
