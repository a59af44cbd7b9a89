"""Units registers and comparisons across mergers and splits (issue 15): never by name."""

from __future__ import annotations

import csv
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

import par_rules
from par_rules.units import UnitsRegisterError, compare_units, load_register

ROOT = Path(__file__).resolve().parent.parent
PROVINCE_2024 = ROOT / "methodologies" / "vn" / "moha" / "par-index" / "province" / "2024.yaml"


def results(path: Path, methodology=None):
    methodology = methodology or par_rules.load(PROVINCE_2024)
    return [r for r in par_rules.score_many(methodology, par_rules.read_records(path)) if isinstance(r, par_rules.Result)]


def index_from_row(path: Path, unit: str) -> Fraction:
    """The index of a row of the example files, added up from its cells (the fields are direct)."""
    with path.open(encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["unit"] == unit)
    return sum(Fraction(Decimal(v)) for k, v in row.items() if k.endswith("points"))


def test_shipped_provinces_63_before_34_after():
    register = load_register("vn/provinces")
    assert len(register.existing(2024)) == 63 and len(register.existing(2026)) == 34
    merged = [u for u in register.units.values() if u.predecessors and u.basis == "202/2025/QH15"]
    assert len(merged) == 20 and all(register.relation(u.id) == "merged" for u in merged)
    assert sum(len(u.predecessors) for u in merged) == 46  # + 11 not merged + 6 whose pairing was not read = 63


def test_2024_to_2025_across_merged_provinces_says_what_it_compared():
    before, after = ROOT / "examples" / "province-2024.csv", ROOT / "examples" / "province-2025.csv"
    comparison = compare_units(results(before), results(after), load_register("vn/provinces"))
    for old in ("tuyen-quang", "ha-giang"):
        pairing = comparison.pairing("tuyen-quang-2025", old)
        assert pairing.relation == "merged" and Fraction(pairing.previous_index) == index_from_row(before, old)
    mean = comparison.pairing("ninh-binh-2025", ["ninh-binh", "ha-nam", "nam-dinh"])
    assert mean.relation == "mean of predecessors" and "not a published figure" in mean.label
    exact = sum(index_from_row(before, u) for u in ("ninh-binh", "ha-nam", "nam-dinh")) / 3
    assert abs(Fraction(mean.previous_index) - exact) < Fraction(1, 10**25)
    assert comparison.pairing("ha-noi", "ha-noi").relation == "same"
    assert dict(comparison.not_comparable)["quang-ngai-2025"].startswith("the register gives no predecessors")
    assert "kon-tum" in dict(comparison.not_compared)
    assert comparison.describe()[0].endswith("never by name")


def test_cli_compare_with_units_runs_the_documented_command():
    code = "import sys; from par_rules.cli import main; sys.argv[0] = 'par-rules'; main()"
    m = str(PROVINCE_2024.relative_to(ROOT))
    command = [sys.executable, "-c", code, "compare", m, "examples/province-2024.csv", m, "examples/province-2025.csv", "--units", "vn/provinces"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "tuyen-quang-2025: merged by 202/2025/QH15 from tuyen-quang, ha-giang: against the mean" in done.stdout
    assert "quang-ngai-2025: not comparable" in done.stdout


REGISTER = """\
format: 1
id: example/communes
version: "2025"
title: Xã (ví dụ)
level: commune
status: illustrative
units:
  - {id: a, name: Xã A, until: "2025-06-30"}
  - {id: b, name: Xã B, until: "2025-06-30"}
  - {id: c, name: Xã C, until: "2025-06-30"}
  - {id: a1, name: Xã A1, since: "2025-07-01", predecessors: [a]}
  - {id: a2, name: Xã A2, since: "2025-07-01", predecessors: [a]}
  - {id: bc, name: Xã BC, since: "2025-07-01", predecessors: [b, c]}
  - {id: cx, name: Xã CX, since: "2025-07-01", predecessors: [c]}
  - {id: same, name: Xã giữ nguyên}
  - {id: new, name: Xã mới, since: "2025-07-01"}
  - {id: p, name: Xã P, until: "2025-06-30"}
  - {id: q, name: Xã Q, until: "2025-06-30"}
  - {id: px, name: Xã PX, since: "2025-07-01", predecessors: [p]}
  - {id: pq, name: Xã PQ, since: "2025-07-01", predecessors: [p, q]}
"""


def example_results(units, period):
    m = par_rules.load("example/par-index/district")
    base = {"plan_issued": "on_time", "plan_completion": 95, "reports_on_time": True, "inspected_share": 1, "dossiers_on_time": 10,
            "dossiers_total": 10, "online_rate": 60, "violations": 0, "satisfaction": {"A": 1}}
    return [par_rules.score(m, {**base, "unit": u, "period": period, "e_gov_points": p}) for u, p in units]


def test_split_parts_unknown_and_ended_units(tmp_path):
    path = tmp_path / "2025.yaml"
    path.write_text(REGISTER, encoding="utf-8")
    register = load_register(path)
    before = example_results([("a", 10), ("b", 12), ("c", 14), ("same", 9), ("ghost", 5)], 2024)
    after = example_results([("a1", 11), ("a2", 15), ("bc", 13), ("same", 9), ("ghost", 5), ("c", 1)], 2025)
    comparison = compare_units(before, after, register)
    assert comparison.pairing("a1", "a").relation == "split" and comparison.pairing("a2", "a").relation == "split"
    assert comparison.pairing("a2", "a").fields[4].change == 15 - 10  # field 5, e-government points
    reasons = dict(comparison.not_comparable)
    assert "formed from parts of b, c" in reasons["bc"]
    assert "never matched by name" in reasons["ghost"]  # the same id in both years, but not in the register
    assert "ended on 2025-06-30" in reasons["c"]
    fresh = compare_units(example_results([("new", 3)], 2024), example_results([("new", 4)], 2025), register)
    assert dict(fresh.not_comparable)["new"] == "it has a result for 2024, but the register says it began on 2025-07-01"
    late = compare_units(example_results([("bc", 3)], 2024), example_results([("bc", 4)], 2025), register)
    assert dict(late.not_comparable)["bc"].startswith("it has a result in the previous year")
    assert comparison.pairing("same", "same").index_change == 0
    # wholly from p, which also went partly to pq: still split from p; pq is made of parts
    assert register.relation("px") == "split" and register.relation("pq") == "parts"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("predecessors: [a]}", "predecessors: [zz]}"), "predecessor zz is not a unit"),
        (('{id: b, name: Xã B, until: "2025-06-30"}', "{id: b, name: Xã B}"), "has no 'until'"),
        (('since: "2025-07-01", predecessors: [b, c]', "predecessors: [b, c]"), "say since when"),
        (("{id: same, name: Xã giữ nguyên}", "{id: a, name: again, until: \"2025-06-30\"}"), "listed twice"),
        (('until: "2025-06-30"}', "until: 2025}"), "YYYY-MM-DD"),
    ],
)
def test_register_problems_name_file_line_and_column(tmp_path, edit, message):
    path = tmp_path / "2025.yaml"
    path.write_text(REGISTER.replace(*edit, 1), encoding="utf-8")
    with pytest.raises(UnitsRegisterError) as caught:
        load_register(path)
    problem = next(p for p in caught.value.problems if message in p.message)
    assert problem.file == str(path) and problem.line and problem.line > 7 and problem.column


def test_the_example_commune_register_shows_every_kind_of_change():
    register = load_register("example/communes")
    assert {unit: register.relation(unit) for unit in ("ab", "c1", "c2", "d-ward", "ef", "f2", "g")} == {
        "ab": "merged", "c1": "split", "c2": "split", "d-ward": "continues", "ef": "parts", "f2": "split", "g": "none",
    }
    assert register.unit("d-ward").level == "ward" and register.unit("g").level == "commune"
    before = example_results([(u, 10 + i) for i, u in enumerate("abcdefg")], 2024)
    after = example_results([(u, 12) for u in ("ab", "c1", "c2", "d-ward", "ef", "f2", "g")], 2025)
    comparison = compare_units(before, after, register)
    compared = {(p.unit, p.against, p.relation) for p in comparison.pairings}
    assert compared == {
        ("ab", ("a",), "merged"), ("ab", ("b",), "merged"), ("ab", ("a", "b"), "mean of predecessors"),
        ("c1", ("c",), "split"), ("c2", ("c",), "split"), ("d-ward", ("d",), "continues"), ("f2", ("f",), "split"), ("g", ("g",), "same"),
    }
    assert dict(comparison.not_comparable) == {"ef": "formed from parts of e, f, which also went to other units: no earlier unit matches it"}
    assert [unit for unit, _ in comparison.not_compared] == ["e"]


def test_survey_with_a_units_register_refuses_a_unit_that_no_longer_exists(tmp_path):
    path = tmp_path / "phieu.csv"
    path.write_text("unit,tiep_can,thu_tuc,cong_chuc,ket_qua,gop_y\nha-noi,5,5,5,5,5\nha-giang,4,4,4,4,4\ntuyen-quang-2025,4,4,4,4,4\n", encoding="utf-8")
    code = "import sys; from par_rules.cli import main; sys.argv[0] = 'par-rules'; main()"
    command = [sys.executable, "-c", code, "survey", "vn/moha/sipas", str(path), "--version", "2017", "--period", "2026", "--units", "vn/provinces", "--format", "csv"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1
    assert "row 3: indicator unit: unknown unit 'ha-giang'" in done.stderr
    assert [line.split(",")[0] for line in done.stdout.splitlines()[1:]] == ["ha-noi", "tuyen-quang-2025"]
