"""Summary statistics (issue 13): par_rules.describe against an oracle in exact fractions (the
standard library's statistics module), rank --summary, tie notes summarised, equal decimals."""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from click.testing import CliRunner
from hypothesis import assume, given, settings, strategies as st

import par_rules
from par_rules.cli import main
from par_rules.files import read_records
from par_rules.testing import records as records_of

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "example/par-index/district"
EXAMPLE_2025 = str(ROOT / "examples/methodologies/example/par-index/district/2025.yaml")


def _half_up(value: Fraction, decimals: int) -> Fraction:
    scaled = value * 10**decimals
    rounded = math.floor(abs(scaled) + Fraction(1, 2))
    return Fraction(rounded if scaled >= 0 else -rounded, 10**decimals)


def _close(exact: Decimal, oracle: Fraction) -> bool:
    """Equal up to the 34 significant digits of par_rules' arithmetic."""
    return abs(Fraction(exact) - oracle) <= Fraction(1, 10**30) * max(1, abs(oracle))


def _check(results: list[par_rules.Result]) -> None:
    summary = par_rules.describe(results)
    decimals = results[0].methodology.decimals
    indexes = [Fraction(result.index) for result in results]
    mean = statistics.mean(indexes)
    assert _close(summary.index.mean.exact, mean)
    assert Fraction(summary.index.mean.published) == _half_up(Fraction(summary.index.mean.exact), decimals)
    assert _close(summary.index.median.exact, statistics.median(indexes))
    assert (summary.index.lowest.exact, summary.index.highest.exact) == (min(r.index for r in results), max(r.index for r in results))
    assert summary.bands == dict(Counter(r.band.id if r.band else None for r in results))
    assert sum(summary.bands.values()) == len(results) == summary.units
    assert sorted(summary.above_average) == sorted(r.record.unit for r in results if Fraction(r.index) > mean)
    for position, node in enumerate(results[0].methodology.criteria):
        points = [Fraction(r.fields[position].points) for r in results if r.fields[position].points is not None]
        if points and node.max > 0:
            assert _close(summary.field_points[node.id].mean.exact, statistics.mean(points))
            assert _close(summary.fields[node.id].median.exact, statistics.median(points) / Fraction(node.max) * 100)


def test_describe_the_example_data_as_the_oracle_does() -> None:
    methodology = par_rules.load(EXAMPLE, year=2024)
    results = [par_rules.score(methodology, record) for _, record in read_records(ROOT / "examples/district-2024.json")]
    _check(results)
    summary = par_rules.describe(results)
    assert str(summary.index.mean) == format(summary.index.mean.published, "f") and len(str(summary.index.mean).partition(".")[2]) == methodology.decimals


@settings(max_examples=25)
@given(st.lists(records_of(par_rules.load(EXAMPLE, year=2024), allow_missing=False), min_size=1, max_size=9))
def test_describe_any_results_as_the_oracle_does(records: list[dict]) -> None:
    methodology = par_rules.load(EXAMPLE, year=2024)
    scored = par_rules.score_many(methodology, [{**record, "unit": f"u{n}"} for n, record in enumerate(records)])
    results = [result for result in scored if isinstance(result, par_rules.Result)]
    assume(results)
    _check(results)


def test_rises_and_falls_across_versions() -> None:
    old = par_rules.load(EXAMPLE, year=2024)
    new = par_rules.load(EXAMPLE_2025)
    previous = [par_rules.score(old, r) for _, r in read_records(ROOT / "examples/district-2024.json")]
    current = [par_rules.score(new, r) for _, r in read_records(ROOT / "examples/district-2025.csv")]
    comparison = par_rules.compare(previous, current)
    summary = par_rules.describe(current, comparison, top=2)
    changes = sorted(((change.index_change, change.unit) for change in comparison.units), reverse=True)
    assert [move.unit for move in summary.rises] == [unit for change, unit in changes if change > 0][:2]
    assert [move.unit for move in summary.falls] == [unit for change, unit in reversed(changes) if change < 0][:2]
    assert all(move.change.exact == comparison.unit(move.unit).index_change for move in summary.rises + summary.falls)


def test_rank_summary_prints_the_figures() -> None:
    result = CliRunner().invoke(main, ["rank", EXAMPLE, str(ROOT / "examples/district-2024.json"), "--summary"])
    assert result.exit_code == 0, result.stderr
    methodology = par_rules.load(EXAMPLE, year=2024)
    results = [par_rules.score(methodology, r) for _, r in read_records(ROOT / "examples/district-2024.json")]
    summary = par_rules.describe(results)
    assert f"index: mean {summary.index.mean}%, median {summary.index.median}%" in result.stdout
    assert "above the mean (" in result.stdout
    as_csv = CliRunner().invoke(main, ["rank", EXAMPLE, str(ROOT / "examples/district-2024.json"), "--summary", "--format", "csv"])
    assert "index: mean" not in as_csv.stdout and "index: mean" in as_csv.stderr


def test_many_near_ties_give_a_summarised_note_list(tmp_path: Path) -> None:
    """60 units whose exact indexes differ only beyond the published decimals: 59 notes in the
    ranking, a dozen lines on the terminal."""
    base = next(record for _, record in read_records(ROOT / "examples/district-2024.json"))
    records = [{**base, "unit": f"u{n}", "name": None, "e_gov_points": str(Decimal("15") - Decimal(n) / 100000)} for n in range(60)]
    path = tmp_path / "ties.json"
    path.write_text(json.dumps(records, default=str), encoding="utf-8")
    methodology = par_rules.load(EXAMPLE, year=2024)
    results = [par_rules.score(methodology, r) for _, r in read_records(path)]
    assert len(par_rules.rank(results).notes) >= 50
    result = CliRunner().invoke(main, ["rank", EXAMPLE, str(path)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("but their exact indexes differ") == 10
    assert "more notes of the same kind" in result.stdout


def test_numeric_columns_show_equal_decimals() -> None:
    result = CliRunner().invoke(main, ["score", EXAMPLE_2025, str(ROOT / "examples/district-2025.csv"), "--format", "table"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    header = lines[0].split()
    column = header.index("points_5")
    values = [line.split()[column - len(header)] for line in lines[2:9]]  # counted from the right: names have spaces
    assert len({len(value.lstrip("≈").partition(".")[2]) for value in values}) == 1, values
