"""Tables pasted from elsewhere (issue 13): columns that are not indicators are named with
--ignore-columns and left out; without it, each unknown column is reported once per file."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from par_rules.cli import main
from par_rules.files import read_records

ROOT = Path(__file__).resolve().parent.parent
METHODOLOGY = str(ROOT / "examples/methodologies/example/par-index/district/2025.yaml")
RECORDS = ROOT / "examples/district-2025.csv"


def _pasted(tmp_path: Path) -> Path:
    """The example CSV with a rank column, a total and a note, as an annex pasted into Excel has."""
    lines = RECORDS.read_text(encoding="utf-8").splitlines()
    extra = [lines[0] + ";rank;total;ghi chú"] + [f"{line};{n};{90 + n};xem {n}" for n, line in enumerate(lines[1:], start=1)]
    path = tmp_path / "pasted.csv"
    path.write_text("\n".join(extra) + "\n", encoding="utf-8")
    return path


def test_ignored_columns_are_left_out_and_the_rest_scores_as_the_plain_file(tmp_path: Path) -> None:
    pasted = _pasted(tmp_path)
    plain = [record for _, record in read_records(RECORDS)]
    assert [record for _, record in read_records(pasted, ignore_columns=["rank", "total", "Ghi chú".lower()])] == plain
    result = CliRunner().invoke(main, ["score", METHODOLOGY, str(pasted), "--format", "csv", "--ignore-columns", "rank, total,ghi chú"])
    expected = CliRunner().invoke(main, ["score", METHODOLOGY, str(RECORDS), "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected.stdout


def test_unknown_columns_are_reported_once_per_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["rank", METHODOLOGY, str(_pasted(tmp_path))])
    assert result.exit_code == 1
    for column in ("rank", "total", "ghi chú"):
        assert result.stderr.count(f"indicator {column}: unknown indicator") == 1
        assert f"column '{column}' is not an indicator of the methodology: 7 rows refused" in result.stderr
    assert "--ignore-columns 'ghi chú'" in result.stderr


def test_a_real_problem_in_a_later_row_is_still_reported(tmp_path: Path) -> None:
    path = _pasted(tmp_path)
    text = path.read_text(encoding="utf-8").replace("y-yen;Huyện Ý Yên (ví dụ);2025;nam-dinh;on_time;91;", "y-yen;Huyện Ý Yên (ví dụ);2025;nam-dinh;on_time;191;")
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["rank", METHODOLOGY, str(path)])
    assert "row 3: indicator plan_completion: 191 is outside the allowed range" in result.stderr
    assert result.stderr.count("unknown indicator") == 3
