"""Rank robustness (:func:`par_rules.sensitivity`): the fast re-aggregation held to an oracle.

The oracle builds each perturbed methodology for real: the methodology as data
(:func:`par_rules.authoring.to_data`), every cap and point value of a perturbed subtree multiplied
by its weight (an expression rule's formula, and the points a record gives a direct rule, too),
the scale set to the new caps' sum, a field left out by deleting it, band thresholds moved in the
file; it loads that text and scores every record with :func:`par_rules.score`, ranks with
:func:`par_rules.rank`, and must give the ranks and bands the fast path gave for that sample.
"""

from __future__ import annotations

import itertools
import random
import re
from decimal import Decimal
from fractions import Fraction
from math import gcd
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import par_rules
from par_rules.authoring import to_data, to_yaml
from par_rules.cli import main
from par_rules.testing import load_text, methodologies, records

DISTRICT = "example/par-index/district"


# --------------------------------------------------------------------------- the oracle


def _decimal(value: Fraction) -> Decimal:
    """A fraction whose denominator divides a power of ten, as an exact Decimal."""
    assert (value * 10**40).denominator == 1, value
    return Decimal(value.numerator) / Decimal(value.denominator)


def _scale_subtree(node: dict[str, Any], weight: Decimal, direct: dict[str, tuple[str, Decimal]], data: dict[str, Any]) -> None:
    node["max"] = node["max"] * weight
    for child in node.get("children", ()):
        _scale_subtree(child, weight, direct, data)
    rule = node.get("rule")
    if rule is None:
        return
    kind = rule["kind"]
    if kind == "bands":
        for band in rule["bands"]:
            band["points"] = band["points"] * weight
    elif kind == "levels":
        rule["points"] = {level: points * weight for level, points in rule["points"].items()}
    elif kind == "boolean":
        if "when_true" in rule:
            rule["when_true"] = rule["when_true"] * weight
        rule["when_false"] = rule["when_false"] * weight
    elif kind in ("deduction", "bonus"):
        rule["per_occurrence"] = rule["per_occurrence"] * weight
        if rule.get("limit") is not None:
            rule["limit"] = rule["limit"] * weight
    elif kind == "expression":  # the same formula on the old cap, times the weight
        source = re.sub(r"\bMAX\b", f"(MAX / {weight})", rule["formula"])
        rule["formula"] = f"({source}) * {weight}"
    elif kind == "direct":  # the record gives the points: they scale too
        direct[node["id"]] = (rule["indicator"], weight)
        indicator = data["indicators"][rule["indicator"]]
        if indicator["range"][1] is not None:
            indicator["range"] = [indicator["range"][0], indicator["range"][1] * max(weight, Decimal(1))]


def perturbed(
    methodology: par_rules.Methodology,
    weights: dict[str, Decimal],
    left_out: str | None = None,
    shifts: dict[Decimal, Decimal] | None = None,
) -> tuple[par_rules.Methodology, dict[str, tuple[str, Decimal]]]:
    """The methodology with these subtrees scaled, a field left out and thresholds moved.

    A field whose criteria are scaled gets the cap m_F × Σ w_c m_c / Σ m_c; when that is no
    finite decimal, every field is scaled by one whole number K more (which changes no index,
    rank or band) so that it is one."""
    data = to_data(methodology)
    direct: dict[str, tuple[str, Decimal]] = {}
    caps: dict[str, Fraction] = {}
    for field in data["criteria"]:
        children = field.get("children", ())
        if field["id"] not in weights and any(child["id"] in weights for child in children):
            old = sum(Fraction(child["max"]) for child in children)
            new = sum(Fraction(child["max"]) * Fraction(weights.get(child["id"], Decimal(1))) for child in children)
            caps[field["id"]] = Fraction(field["max"]) * new / old
    whole = 1
    for cap in caps.values():
        reduced = cap.denominator
        for prime in (2, 5):
            while reduced % prime == 0:
                reduced //= prime
        whole = whole * reduced // gcd(whole, reduced)
    common = Decimal(whole)
    for field in data["criteria"]:
        if field["id"] in caps:
            for child in field["children"]:
                _scale_subtree(child, weights.get(child["id"], Decimal(1)) * common, direct, data)
            field["max"] = _decimal(caps[field["id"]] * whole)
        else:
            _scale_subtree(field, weights.get(field["id"], Decimal(1)) * common, direct, data)
    data["criteria"] = [field for field in data["criteria"] if field["id"] != left_out]
    data["scale"] = sum(field["max"] for field in data["criteria"])
    for band in data.get("bands", ()):
        for key in ("at_least", "above", "at_most", "below"):
            if key in band:
                band[key] = band[key] + (shifts or {}).get(band[key], Decimal(0))
    data.pop("lineage", None)
    return load_text(to_yaml(data)), direct


def oracle(
    methodology: par_rules.Methodology,
    results: list[par_rules.Result],
    weights: dict[str, Decimal],
    left_out: str | None = None,
    shifts: dict[Decimal, Decimal] | None = None,
) -> tuple[dict[str, int], dict[str, str | None]]:
    """Every unit's rank and band under the perturbed methodology, scored by the engine."""
    changed, direct = perturbed(methodology, weights, left_out, shifts)
    indicators = [indicator for indicator, _ in direct.values()]
    assert len(indicators) == len(set(indicators)), "the oracle scales a direct indicator once"
    rescored = []
    for result in results:
        record = {**result.record.values, "unit": result.record.unit}
        for leaf, (indicator, weight) in direct.items():
            value = record.get(indicator)
            if value is not None and value != "" and result.points(leaf) is not None:
                record[indicator] = result.points(leaf) * weight
        rescored.append(par_rules.score(changed, record))
    ranking = par_rules.rank(rescored, ties="competition")
    return {entry.unit: entry.rank for entry in ranking}, {entry.unit: entry.band.id if entry.band else None for entry in ranking}


def district_records(count: int, seed: int) -> list[dict[str, Any]]:
    """Illustrative units for the example methodology (random values, seeded)."""
    rng = random.Random(seed)
    made = []
    for number in range(count):
        total = rng.randint(5, 40)
        made.append({
            "unit": f"u{number}", "plan_issued": rng.choice(["on_time", "late", "not_issued"]),
            "plan_completion": rng.choice([50, 70, 80, 90, 95, 100]), "reports_on_time": rng.random() < 0.7,
            "inspected_share": rng.choice([0, 0.5, 1]), "dossiers_on_time": rng.randint(0, total), "dossiers_total": total,
            "online_rate": rng.choice([10, 30, 45, 60, 80]), "violations": rng.randint(0, 3), "e_gov_points": rng.choice([8, 10, 12, 14, 16]),
            "satisfaction": {"A": rng.randint(0, 20), "B": rng.randint(0, 20), "C": rng.randint(1, 10)},
        })
    return made


def _check_samples(report: par_rules.Sensitivity, results: list[par_rules.Result], band_shifts: bool = False) -> None:
    units = [entry.unit for entry in report]
    assert report.drawn
    for sample in report.drawn:
        ranks, bands = oracle(report.methodology, results, dict(sample.weights), shifts=dict(sample.shifts) if band_shifts else None)
        assert tuple(ranks[unit] for unit in units) == sample.ranks
        assert tuple(bands[unit] for unit in units) == sample.bands


# --------------------------------------------------------------------------- the oracle agrees


def test_fields_level_agrees_with_the_engine_on_perturbed_methodologies() -> None:
    methodology = par_rules.load(DISTRICT)
    results = [par_rules.score(methodology, record) for record in district_records(40, seed=3)]
    report = par_rules.sensitivity(methodology, results, samples=4, percent=25, seed=11, keep_samples=True)
    assert any(sample.ranks != tuple(entry.rank for entry in report) for sample in report.drawn), "the perturbation moves some rank"
    _check_samples(report, results)


def test_criteria_level_agrees_with_the_engine() -> None:
    methodology = par_rules.load(DISTRICT)
    results = [par_rules.score(methodology, record) for record in district_records(40, seed=4)]
    report = par_rules.sensitivity(methodology, results, samples=4, percent=40, level="criteria", seed=5, keep_samples=True)
    assert set(report.nodes) == {node.id for node in methodology.nodes() if node.depth == 2}
    _check_samples(report, results)


def test_band_shifts_agree_with_the_engine_and_change_bands() -> None:
    methodology = par_rules.load(DISTRICT)
    results = [par_rules.score(methodology, record) for record in district_records(60, seed=8)]
    report = par_rules.sensitivity(methodology, results, samples=4, percent=0, band_shift=3, seed=2, keep_samples=True)
    assert all(sample.ranks == tuple(entry.rank for entry in report) for sample in report.drawn), "percent 0: no rank moves"
    _check_samples(report, results, band_shifts=True)
    assert sum(entry.band_changes for entry in report) > 0
    assert all(entry.band_changes <= report.samples for entry in report)


def test_leave_one_out_agrees_with_the_engine() -> None:
    methodology = par_rules.load(DISTRICT)
    results = [par_rules.score(methodology, record) for record in district_records(30, seed=9)]
    report = par_rules.sensitivity(methodology, results, samples=1, percent=10, seed=0)
    for field in methodology.criteria:
        ranks, _ = oracle(methodology, results, {}, left_out=field.id)
        assert {entry.unit: entry.left_out[field.id] for entry in report} == ranks
    for entry in report:
        worst = entry.worst_without
        if worst is None:
            assert max(entry.left_out.values()) <= entry.rank
        else:
            assert worst[1] == max(entry.left_out.values()) > entry.rank and entry.left_out[worst[0]] == worst[1]
    assert any(entry.worst_without for entry in report) and any(not entry.worst_without for entry in report)


@settings(max_examples=25)
@given(methodologies(max_depth=3), st.data())
def test_generated_methodologies_agree_with_the_engine(methodology: par_rules.Methodology, data: st.DataObject) -> None:
    """Every rule kind, missing values, not-applicable rescaling, weighted means, capped sums."""
    drawn = data.draw(st.lists(records(methodology), min_size=2, max_size=6))
    outputs = list(par_rules.score_many(methodology, [{**record, "unit": f"u{n}"} for n, record in enumerate(drawn)]))
    results = [output for output in outputs if isinstance(output, par_rules.Result) and output.complete]  # partial ones have no index (refused: tested below)
    assume(len(results) >= 2)
    level = data.draw(st.sampled_from(["fields", "criteria"]))
    depth = 1 if level == "fields" else 2
    assume(any(node.depth == depth for node in methodology.nodes()))
    thresholds = sorted({bound for band in methodology.bands for bound in (band.interval.low, band.interval.high) if bound is not None})
    gap = min((high - low for low, high in itertools.pairwise(thresholds)), default=Decimal(10))
    shift = min(Decimal(2), (gap / 2 - Decimal("0.01")).quantize(Decimal("0.01"), rounding="ROUND_DOWN"))
    shift = data.draw(st.sampled_from([Decimal(0), max(shift, Decimal(0))]))
    percent, seed = data.draw(st.sampled_from([5, 30, 90])), data.draw(st.integers(0, 50))
    report = par_rules.sensitivity(methodology, results, samples=2, percent=percent, level=level, band_shift=shift, seed=seed, keep_samples=True)
    _check_samples(report, results, band_shifts=True)
    for field in methodology.criteria:
        if field.id in report.units[0].left_out:
            ranks, _ = oracle(methodology, results, {}, left_out=field.id)
            assert {entry.unit: entry.left_out[field.id] for entry in report} == ranks


# --------------------------------------------------------------------------- what is reported


def test_the_same_seed_gives_the_same_report_and_another_seed_another() -> None:
    methodology = par_rules.load(DISTRICT)
    batch = district_records(50, seed=1)
    first = par_rules.sensitivity(methodology, batch, samples=60, percent=30, band_shift=1, seed=7, keep_samples=True)
    random.seed(12345)  # the global generator plays no part
    again = par_rules.sensitivity(methodology, batch, samples=60, percent=30, band_shift=1, seed=7, keep_samples=True)
    other = par_rules.sensitivity(methodology, batch, samples=60, percent=30, band_shift=1, seed=8, keep_samples=True)
    assert first.table() == again.table() and first.drawn == again.drawn
    assert first.drawn != other.drawn


def test_the_callers_decimal_context_changes_nothing() -> None:
    import decimal

    methodology = par_rules.load(DISTRICT)
    batch = district_records(20, seed=3)
    plain = par_rules.sensitivity(methodology, batch, samples=30, percent="12.34", band_shift="0.75", seed=2, keep_samples=True)
    with decimal.localcontext(decimal.Context(prec=2, rounding=decimal.ROUND_FLOOR)):
        squeezed = par_rules.sensitivity(methodology, batch, samples=30, percent="12.34", band_shift="0.75", seed=2, keep_samples=True)
        shares = [entry.band_change_share for entry in squeezed]
        table = squeezed.table()
    assert squeezed.percent == Decimal("12.34") and squeezed.drawn == plain.drawn
    assert shares == [entry.band_change_share for entry in plain] and table == plain.table()


def test_unperturbed_figures_are_the_published_ones() -> None:
    methodology = par_rules.load(DISTRICT)
    batch = district_records(50, seed=2)
    report = par_rules.sensitivity(methodology, batch, samples=5, percent=0, seed=0, keep_samples=True)
    ranking = par_rules.rank(par_rules.score_many(methodology, batch))
    assert [(entry.unit, entry.rank) for entry in report] == [(entry.unit, entry.rank) for entry in ranking]
    for sample in report.drawn:
        assert sample.ranks == tuple(entry.rank for entry in ranking)
        assert sample.bands == tuple(entry.band.id if entry.band else None for entry in ranking)
    assert all((entry.median, entry.low, entry.high, entry.band_changes, entry.moved_by) == (entry.rank, entry.rank, entry.rank, 0, None) for entry in report)


def test_intervals_are_nearest_rank_percentiles_of_the_samples() -> None:
    methodology = par_rules.load(DISTRICT)
    report = par_rules.sensitivity(methodology, district_records(30, seed=5), samples=40, percent=50, seed=3, keep_samples=True)
    for position, entry in enumerate(report):
        ranks = sorted(sample.ranks[position] for sample in report.drawn)
        assert entry.median == ranks[19] and entry.low == ranks[1] and entry.high == ranks[37]  # ceil(40 p) - 1
        assert entry.low <= entry.median <= entry.high
    assert any(entry.low != entry.high for entry in report)


def test_ties_share_a_rank_by_the_rankings_policy() -> None:
    methodology = par_rules.load(DISTRICT)
    batch = district_records(10, seed=6)
    batch.append({**batch[0], "unit": "twin"})
    for ties in ("competition", "dense"):
        report = par_rules.sensitivity(methodology, batch, samples=20, percent=40, seed=1, ties=ties, keep_samples=True)
        first, twin = report.units.index(report.unit("u0")), report.units.index(report.unit("twin"))
        assert all(sample.ranks[first] == sample.ranks[twin] for sample in report.drawn)
        ranking = par_rules.rank(par_rules.score_many(methodology, batch), ties=ties)
        assert [entry.rank for entry in report] == [entry.rank for entry in ranking]


def test_moved_most_by_names_the_field_whose_weight_moves_the_rank() -> None:
    methodology = par_rules.load(DISTRICT)
    results = [par_rules.score(methodology, record) for record in district_records(30, seed=10)]
    report = par_rules.sensitivity(methodology, results, samples=1, percent=20, seed=0)
    moved = [entry for entry in report if entry.moved_by is not None]
    assert moved
    for entry in moved[:2]:  # the named field, alone at ±20 %, moves the rank by `moved`
        field = methodology.node(entry.moved_by)
        changes = []
        for weight in (Decimal("1.2"), Decimal("0.8")):
            ranks, _ = oracle(methodology, results, {field.id: weight})
            changes.append(ranks[entry.unit] - entry.rank)
        assert entry.moved in changes and max(map(abs, changes)) == abs(entry.moved)
        for other in methodology.criteria:  # and no field moves it further
            for weight in (Decimal("1.2"), Decimal("0.8")):
                ranks, _ = oracle(methodology, results, {other.id: weight})
                assert abs(ranks[entry.unit] - entry.rank) <= abs(entry.moved)


def test_refused_records_are_reported_and_the_others_analysed() -> None:
    methodology = par_rules.load(DISTRICT)
    batch = district_records(5, seed=1)
    batch[2] = {**batch[2], "online_rate": "lots"}
    report = par_rules.sensitivity(methodology, batch, samples=3)
    assert len(report) == 4 and len(report.refused) == 1
    assert any("row 3 is not ranked" in note for note in report.notes)


def test_the_table_has_a_row_per_unit() -> None:
    report = par_rules.sensitivity(par_rules.load(DISTRICT), district_records(8, seed=1), samples=10, band_shift="0.5")
    table = report.table()
    assert len(table.rows) == 8 and table.headers[:7] == ("rank", "unit", "name", "band", "rank_median", "rank_p5", "rank_p95")
    assert all(isinstance(row[7], Decimal) and 0 <= row[7] <= 100 for row in table.rows)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"nodes": ["9"]}, par_rules.MethodologyNotFound, "has no node '9'"),
        ({"nodes": ["1.1"]}, ValueError, "node 1.1 is not one of the fields: perturb it with level='criteria'"),
        ({"nodes": ["1.1.1"], "level": "criteria"}, ValueError, "only fields and criteria"),
        ({"percent": 100}, ValueError, "percent must be under 100"),
        ({"percent": -1}, ValueError, "percent must be 0 or more"),
        ({"percent": "12.345"}, ValueError, "at most two decimals"),
        ({"percent": "lots"}, ValueError, "percent must be a number"),
        ({"percent": "NaN"}, ValueError, "percent must be a number"),
        ({"percent": True}, ValueError, "percent must be a number"),
        ({"percent": "1e999999999"}, ValueError, "far too large"),
        ({"band_shift": "0.001"}, ValueError, "band_shift takes at most two decimals"),
        ({"samples": 0}, ValueError, "samples must be a whole number of at least 1"),
        ({"samples": 2.5}, ValueError, "samples must be a whole number"),
        ({"band_shift": 5}, ValueError, "band_shift 5 is too large"),
        ({"level": "leaves"}, ValueError, "unknown level"),
        ({"ties": "olympic"}, ValueError, "unknown tie policy"),
    ],
)
def test_bad_options_are_refused_with_a_clear_error(options: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        par_rules.sensitivity(par_rules.load(DISTRICT), district_records(3, seed=1), **options)


def test_results_of_another_methodology_are_refused() -> None:
    other = par_rules.load("reference/par-index/district")
    example = par_rules.load(DISTRICT)
    results = [par_rules.score(example, record) for record in district_records(2, seed=1)]
    with pytest.raises(par_rules.RecordError, match="score the records under one methodology"):
        par_rules.sensitivity(other, results)


# --------------------------------------------------------------------------- the command


@pytest.fixture()
def records_file(tmp_path: Path) -> Path:
    import csv

    path = tmp_path / "units.csv"
    rows = district_records(12, seed=4)
    columns = [key for key in rows[0] if key != "satisfaction"] + ["satisfaction.A", "satisfaction.B", "satisfaction.C"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row[key] if "." not in key else row["satisfaction"][key.split(".")[1]] for key in columns])
    return path


def test_the_command_prints_the_table_and_writes_files(records_file: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    run = runner.invoke(main, ["sensitivity", DISTRICT, str(records_file), "--samples", "50", "--percent", "30", "--band-shift", "1", "--seed", "3"])
    assert run.exit_code == 0, run.output
    assert "rank_median" in run.output and "u0" in run.output
    out = tmp_path / "robust.csv"
    run = runner.invoke(main, ["sensitivity", DISTRICT, str(records_file), "--samples", "50", "--seed", "3", "-o", str(out)])
    assert run.exit_code == 0, run.output
    text = out.read_text(encoding="utf-8-sig")
    assert text.startswith("rank,unit,name,band,rank_median") and len(text.splitlines()) == 13
    api = par_rules.sensitivity(DISTRICT, par_rules.read_records(records_file), samples=50, seed=3)
    assert text.splitlines()[1].split(",")[4] == str(api.units[0].median)
    run = runner.invoke(main, ["sensitivity", DISTRICT, str(records_file), "--samples", "5", "--format", "json"])
    assert run.exit_code == 0 and run.output.lstrip().startswith("[")


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (["--samples", "0"], 2, "samples"),
        (["--percent", "100"], 2, "percent must be under 100"),
        (["--node", "9"], 2, "has no node '9'"),
        (["--level", "leaves"], 2, "level"),
        (["--format", "xlsx"], 2, "needs --output"),
    ],
)
def test_the_command_refuses_bad_options(records_file: Path, arguments: list[str], code: int, message: str) -> None:
    run = CliRunner().invoke(main, ["sensitivity", DISTRICT, str(records_file), *arguments])
    assert run.exit_code == code, run.output
    assert message in run.output
    assert "Traceback" not in run.output


def test_the_command_exits_1_on_bad_rows_and_still_analyses_the_others(records_file: Path) -> None:
    lines = records_file.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(lines[2].split(",")[1], "never", 1)
    records_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = CliRunner().invoke(main, ["sensitivity", DISTRICT, str(records_file), "--samples", "5"])
    assert run.exit_code == 1
    assert "row 3" in run.output and "u0" in run.output


def test_the_command_never_overwrites_an_input(records_file: Path) -> None:
    before = records_file.read_bytes()
    run = CliRunner().invoke(main, ["sensitivity", DISTRICT, str(records_file), "--samples", "5", "-o", str(records_file)])
    assert run.exit_code == 2
    assert records_file.read_bytes() == before


# --------------------------------------------------------------------------- the results report


def test_the_report_draws_the_rank_intervals_when_asked(records_file: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    report = tmp_path / "report.html"
    run = CliRunner().invoke(main, ["report", DISTRICT, str(records_file), "-o", str(report), "--sensitivity", "40", "--lang", "en"])
    assert run.exit_code == 0, run.output
    text = report.read_text(encoding="utf-8")
    assert 'data-chart="robustness"' in text and "Rank robustness" in text and "40 samples (seed 0)" in text
    analysis = par_rules.sensitivity(DISTRICT, par_rules.read_records(records_file), samples=40)
    first = analysis.units[0]
    assert f"<td class=n>{first.low}–{first.high}</td>" in text
    again = tmp_path / "again.html"
    assert CliRunner().invoke(main, ["report", DISTRICT, str(records_file), "-o", str(again), "--sensitivity", "40", "--lang", "en"]).exit_code == 0
    assert again.read_text(encoding="utf-8") == text  # deterministic, the sensitivity's seed included
    plain = tmp_path / "plain.html"
    assert CliRunner().invoke(main, ["report", DISTRICT, str(records_file), "-o", str(plain)]).exit_code == 0
    assert 'data-chart="robustness"' not in plain.read_text(encoding="utf-8")
    run = CliRunner().invoke(main, ["report", DISTRICT, str(records_file), "-o", str(tmp_path / "annex.xlsx"), "--sensitivity", "5"])
    assert run.exit_code == 2 and "HTML report" in run.output


TWO_FIELDS = """\
format: 1
id: demo/two-fields
version: "1"
years: [2024]
title: Hai lĩnh vực (minh hoạ)
issuer: Demo
level: district
scale: 10
status: illustrative
indicators:
  done: {label: Done, type: percent}
  extra: {label: Extra, type: percent, missing: not_applicable}
criteria:
  - {id: "1", label: Done, max: 6, rule: {kind: proportional, indicator: done}}
  - {id: "2", label: Extra, max: 4, rule: {kind: proportional, indicator: extra}}
"""


def test_a_field_that_would_leave_a_unit_unranked_is_not_left_out_and_a_note_says_so() -> None:
    methodology = load_text(TWO_FIELDS)
    batch = [{"unit": "a", "done": 50, "extra": 100}, {"unit": "b", "done": 90}, {"unit": "c", "done": 70, "extra": 10}]
    report = par_rules.sensitivity(methodology, batch, samples=30, percent=50, seed=4, keep_samples=True)
    assert all(set(entry.left_out) == {"2"} for entry in report)  # without field 1, b has no field
    assert any("field 1 cannot be left out" in note for note in report.notes)
    results = [par_rules.score(methodology, record) for record in batch]
    ranks, _ = oracle(methodology, results, {}, left_out="2")
    assert {entry.unit: entry.left_out["2"] for entry in report} == ranks
    _check_samples(report, results)  # b is ranked on field 1 alone in every sample, as the engine rescales


def test_the_command_writes_a_workbook(records_file: Path, tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    import openpyxl

    out = tmp_path / "robust.xlsx"
    run = CliRunner().invoke(main, ["sensitivity", DISTRICT, str(records_file), "--samples", "20", "--level", "criteria", "--node", "2.1", "--node", "6.1", "-o", str(out)])
    assert run.exit_code == 0, run.output
    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("rank", "unit", "name", "band", "rank_median") and len([row for row in rows[1:] if row[1]]) >= 12


def test_the_benchmark_runs() -> None:
    """``benchmarks/sensitivity.py --quick`` end to end (its times are printed, never asserted)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    run = subprocess.run([sys.executable, str(root / "benchmarks" / "sensitivity.py"), "--quick"], capture_output=True, text=True, cwd=root, timeout=600)
    assert run.returncode == 0, run.stderr + run.stdout
    assert "unperturbed ranks identical to par_rules.rank" in run.stdout
    for line in ("one plain scoring pass", "sensitivity, fields ±20 %", "sensitivity, criteria ±20 %", "× the plain pass"):
        assert line in run.stdout, line


def test_results_with_parts_not_in_yet_are_refused_by_name(tmp_path: Path) -> None:
    methodology = load_text(TWO_FIELDS.replace("missing: not_applicable", "missing: pending"))
    batch = [{"unit": "a", "done": 50, "extra": 100}, {"unit": "b", "done": 90}]
    with pytest.raises(par_rules.ParRulesError, match=r"b have parts not in yet \(2\)"):
        par_rules.sensitivity(methodology, batch, samples=5)
    path = tmp_path / "two.yaml"
    path.write_text(TWO_FIELDS.replace("missing: not_applicable", "missing: pending").replace('version: "1"', 'version: "2024"'), encoding="utf-8")
    records = tmp_path / "units.csv"
    records.write_text("unit,done,extra\na,50,100\nb,90,\n", encoding="utf-8")
    (tmp_path / "2024.yaml").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    run = CliRunner().invoke(main, ["sensitivity", str(tmp_path / "2024.yaml"), str(records), "--samples", "5"])
    assert run.exit_code == 1 and "parts not in yet" in run.output and "Traceback" not in run.output
