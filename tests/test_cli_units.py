"""The commands over files of many units, on the shipped example data."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from par_rules.cli import main

OLD = ["example/par-index/district", "examples/district-2024.json"]
NEW = ["examples/methodologies/example/par-index/district/2025.yaml", "examples/district-2025.csv"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_the_readme_first_command_prints_each_breakdown_in_vietnamese() -> None:
    # no PAR_RULES_LANG (conftest sets "en" for the run): Vietnamese, the default
    result = CliRunner().invoke(main, ["score", *OLD], env={"PAR_RULES_LANG": None})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.count("Chỉ số cải cách hành chính cấp huyện (ví dụ)") == 7
    assert "truc-ninh (Huyện Trực Ninh (ví dụ)), 2024" in out
    assert "Tổng điểm 91,71 / 100   chỉ số 91,71%   xếp loại A (Xuất sắc)" in out
    assert "↳ mức “Ban hành kịp thời” → 1" in out  # the level's label, not its id
    assert "↳ 95% nằm trong khoảng trên 90% → 2" in out
    assert "Total" not in out and "level" not in out


def test_the_readme_first_command_prints_each_breakdown_in_english_with_lang_en() -> None:
    for args in (["score", *OLD, "--lang", "en"], ["--lang", "en", "score", *OLD]):
        result = CliRunner().invoke(main, args, env={"PAR_RULES_LANG": "vi"})
        assert result.exit_code == 0, result.stderr
        out = result.stdout
        assert out.count("District PAR index (example)") == 7
        assert "Total 91.71 / 100   index 91.71%   band A (Excellent)" in out
        assert "↳ level “Ban hành kịp thời” → 1" in out
        assert "Tổng điểm" not in out


def test_score_tables_in_every_format(tmp_path: Path) -> None:
    code, out, _ = run("score", *NEW, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(out.splitlines()))
    assert [row["unit"] for row in rows][:2] == ["truc-ninh", "y-yen"] and len(rows) == 7
    assert rows[0]["index"] == "92.50" and rows[0]["points_5"] == "16.5"
    code, out, _ = run("score", *OLD, "--format", "json")
    assert json.loads(out)[1]["unit"] == "y-yen"
    code, out, _ = run("score", *OLD, "--format", "md")
    assert out.startswith("| unit | name |")
    code, _, err = run("score", *OLD, "-o", str(tmp_path / "results.xlsx"))
    assert code == 0 and "wrote" in err
    sheet = openpyxl.load_workbook(tmp_path / "results.xlsx")["results"]
    assert sheet["A2"].value == "truc-ninh" and sheet.max_row == 8


def test_xlsx_needs_a_file_and_unknown_options_are_usage_errors() -> None:
    assert run("score", *OLD, "--format", "xlsx")[0] == 2
    assert run("rank", *OLD, "--ties", "olympic")[0] == 2
    assert run("gaps", *OLD, "--unit", "nowhere")[0] == 2
    assert run("whatif", *OLD, "--unit", "y-yen", "--set", "online_rate")[0] == 2
    assert run("score", "example/par-index/district", "no-such-file.csv")[0] == 2
    assert run("score", *NEW, "--year", "2025")[0] == 2  # a file is one version already
    code, _, err = run("rank", "example/par-index/nowhere", OLD[1], "--year", "2024")
    assert code == 1 and "no methodology with id" in err
    code, _, err = run("rank", "example/par-index/nowhere", OLD[1])
    assert code == 1 and err.count("no methodology with id") == 1
    code, _, err = run("score", *OLD, "--format", "csv", "-o", "/nonexistent-folder/out.csv")
    assert code == 1 and "cannot write /nonexistent-folder/out.csv" in err


def test_bad_rows_are_reported_by_number_and_every_good_row_output(tmp_path: Path) -> None:
    lines = Path("examples/district-2025.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(";58;", ";lots;", 1)  # y-yen, row 3: online_rate
    lines[5] = lines[5].replace(";on_time;", ";soon;", 1)  # nghia-hung, row 6: plan_issued
    path = tmp_path / "units.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run("score", NEW[0], str(path), "--format", "csv")
    assert code == 1
    assert [row["unit"] for row in csv.DictReader(out.splitlines())] == ["truc-ninh", "hai-hau", "giao-thuy", "kim-son", "yen-mo"]
    assert "row 3: indicator online_rate: not a number: 'lots'" in err
    assert "row 6: indicator plan_issued" in err
    assert "5 of 7 rows scored; problems in row(s) 3, 6" in err
    code, out, err = run("rank", NEW[0], str(path))
    assert code == 1 and "truc-ninh" in out and "y-yen" not in out


def test_an_id_picks_the_version_per_row(tmp_path: Path) -> None:
    records = json.loads(Path(OLD[1]).read_text(encoding="utf-8"))
    records[1]["period"] = 2019
    path = tmp_path / "units.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    code, out, err = run("score", OLD[0], str(path), "--format", "csv")
    assert code == 1 and len(out.splitlines()) == 7  # header and the 6 good rows
    assert "row 2: indicator period: no version of example/par-index/district applies to 2019" in err


def test_an_unreadable_file_is_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "units.json"
    path.write_text("[{", encoding="utf-8")
    code, out, err = run("score", *OLD[:1], str(path))
    assert code == 1 and "not valid JSON" in err and out == ""


def test_rank_with_ties_groups_and_bands() -> None:
    code, out, _ = run("rank", *OLD)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["rank", "group_rank", "unit"]
    assert [line.split()[:3] for line in lines[2:9]] == [
        ["1", "1", "truc-ninh"], ["2", "1", "kim-son"], ["3", "2", "hai-hau"], ["4", "3", "giao-thuy"],
        ["4", "3", "nghia-hung"], ["6", "2", "yen-mo"], ["7", "5", "y-yen"],
    ]
    assert "band A (2): truc-ninh, kim-son" in out and "band - (1): y-yen" in out
    code, out, _ = run("rank", *OLD, "--ties", "dense", "--format", "json")
    assert [row["rank"] for row in json.loads(out)] == [1, 2, 3, 4, 4, 5, 6]


def test_compare_two_years_under_two_versions() -> None:
    code, out, err = run("compare", *OLD, *NEW, "--format", "csv")
    assert code == 0, err
    rows = {row["unit"]: row for row in csv.DictReader(out.splitlines())}
    assert rows["yen-mo"]["rank_change"] == "up 4 places (6th → 2nd)"
    assert rows["giao-thuy"]["rank_change"] == "down 3 places (4th → 7th)"
    assert rows["truc-ninh"]["change_5"] == "-0.13"  # 16.63 → 7.9 + 8.6
    assert "node 2.3 is new" in err and "previous node 5 was split into 5.1, 5.2" in err
    code, out, _ = run("compare", *OLD, *NEW)
    assert "through the lineage declared by example/par-index/district@2025" in out


def test_compare_with_a_mapping_file(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text('"2.2": ["2.2", "2.3"]\n"2.3": null\n"2.4": null\n', encoding="utf-8")
    code, out, _ = run("compare", *OLD, *NEW, "--mapping", str(mapping))
    assert code == 0 and "through the mapping given" in out
    mapping.write_text('"2.4": "9.9"\n', encoding="utf-8")
    code, _, err = run("compare", *OLD, *NEW, "--mapping", str(mapping))
    assert code == 1 and "9.9" in err


def test_gaps_of_one_unit_with_its_self_assessment() -> None:
    code, out, _ = run("gaps", *NEW, "--unit", "y-yen", "--top", "2")
    assert code == 0
    assert "y-yen (Huyện Ý Yên (ví dụ)): index 80.42%, band B (Good)" in out
    assert "Next rank: nghia-hung (rank 5) is ≈2.79 points" in out
    assert "Next band: A (Excellent) from an index of 89.995%" in out
    assert "Self-assessment: 4 node(s) differ from the appraisal, 1 agree." in out
    code, out, _ = run("gaps", *NEW, "--unit", "y-yen", "--top", "2", "--lang", "vi")
    assert "y-yen (Huyện Ý Yên (ví dụ)): chỉ số 80,42%, xếp loại B (Tốt)" in out
    assert "Hạng kế trên: nghia-hung (hạng 5) hơn ≈2,79 điểm" in out
    assert "Tự đánh giá: 4 tiêu chí khác với kết quả thẩm định, 1 tiêu chí khớp." in out
    code, out, _ = run("gaps", *NEW, "--unit", "y-yen", "--format", "json", "--lang", "vi")
    data = json.loads(out)
    assert data["lost"][0]["id"] == "6.1" and data["next_rank"]["unit"] == "nghia-hung"
    assert {item["id"]: item["difference"] for item in data["self_assessment"]}["5"] == "0.5"


def test_whatif_online_payment_reaches_60_percent() -> None:
    code, out, _ = run("whatif", *NEW, "--unit", "y-yen", "--set", "online_payment_rate=60", "--format", "json")
    assert code == 0
    data = json.loads(out)
    # 2.3: 4 x 31.5 / 60 = 2.1 → 4, so +1.9 points: 80.42 → 82.32, still below nghia-hung (83.21)
    assert data["nodes"][-1] == {"id": "2.3", "before": "2.1", "after": "4"}
    assert (data["before"]["published_index"], data["after"]["published_index"]) == ("80.42", "82.32")
    assert (data["before"]["rank"], data["after"]["rank"], data["units_ranked"]) == (6, 6, 7)
    code, out, _ = run("whatif", *OLD, "--unit", "y-yen", "--set", "online_rate=60")
    assert "rank   7 → 7 of 7" in out and "2.2" in out
    code, _, err = run("whatif", *OLD, "--unit", "y-yen", "--set", "online_rate=lots")
    assert code == 1 and "online_rate" in err


def test_explain_one_unit_one_node() -> None:
    code, out, _ = run("explain", *OLD, "--unit", "y-yen", "--node", "2")
    assert code == 0
    assert out.splitlines()[0] == "y-yen: node 2"
    code, out, _ = run("explain", *OLD, "--unit", "y-yen", "--node", "2", "--lang", "vi")
    assert out.splitlines()[0] == "y-yen: tiêu chí 2"
    assert "2.2  3,6 / 6  Hồ sơ trực tuyến" in out
    code, out, _ = run("explain", *OLD, "--unit", "truc-ninh", "--format", "json")
    assert json.loads(out)[0]["published_index"] == "91.71"
    assert run("explain", *OLD, "--node", "9.9")[0] == 2


def test_progress_bar_on_request_and_never_unasked_off_a_terminal() -> None:
    code, out, err = run("rank", *OLD, "--progress")
    assert code == 0 and "Scoring district-2024.json" in err and "truc-ninh" in out
    assert "7 rows" in err.rsplit("\r", 1)[-1]  # a JSON document: no total known up front, the rows done
    code, out, err = run("rank", *OLD)  # CliRunner's stderr is no terminal
    assert code == 0 and "Scoring" not in err and "%" not in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _many_rows(tmp_path: Path, copies: int, bad_row: int | None = None) -> Path:
    header, *rows = Path(NEW[1]).read_text(encoding="utf-8").splitlines()
    body = rows * copies
    if bad_row is not None:
        body[bad_row - 2] = body[bad_row - 2].replace(";on_time;", ";soon;")
    path = tmp_path / "many.csv"
    path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    return path


def test_progress_bar_on_a_terminal_shows_the_count_the_percentage_and_the_time_left(tmp_path: Path, monkeypatch: Any) -> None:
    from par_rules import load
    from par_rules.cli._units import Batch

    path = _many_rows(tmp_path, 36)  # 252 rows
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    results = list(Batch(load(NEW[0]), str(path), None, None).outputs())  # None: a bar because stderr is a terminal
    assert len(results) == 252
    last = terminal.getvalue().rsplit("\r", 1)[-1]
    assert "Scoring many.csv" in last and "252/252" in last and "100%" in last
    assert re.search(r"\[\d\d:\d\d<\d\d:\d\d", last), last  # elapsed<time left
    # redrawn a few times a second at most, never once per row (each redraw writes a line)
    assert terminal.getvalue().count("\r") <= 60


def test_a_bad_row_is_said_above_the_progress_bar(tmp_path: Path, monkeypatch: Any) -> None:
    from par_rules import load
    from par_rules.cli._units import Batch

    path = _many_rows(tmp_path, 3, bad_row=3)
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    batch = Batch(load(NEW[0]), str(path), None, True)
    assert len(list(batch.outputs())) == 20
    said = terminal.getvalue()
    # on a line of its own: the bar is cleared before, and drawn again after
    assert re.search("[\r\n]" + re.escape(f"{path}: 1 problem in the record:\n  row 3"), said), said
    assert "21/21" in said.rsplit("\r", 1)[-1]
    assert batch.tally.failed == [3] and batch.tally.rows == 21


def test_score_on_several_processes_writes_what_one_process_writes(tmp_path: Path) -> None:
    # 450 rows, so more than two chunks: some bad, some with neither unit nor name (numbered).
    lines = Path(NEW[1]).read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    body = []
    bad = 0
    for number in range(450):
        row = rows[number % len(rows)]
        if number % 97 == 5 and ";on_time;" in row:
            row = row.replace(";on_time;", ";soon;")  # not a level
            bad += 1
        if number % 50 == 7:
            row = ";;" + row.split(";", 2)[2]  # no unit, no name
        body.append(row)
    records = tmp_path / "many.csv"
    records.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    one = run("score", NEW[0], str(records), "--format", "csv")
    several = run("score", NEW[0], str(records), "--format", "csv", "--jobs", "2")
    assert several == one
    code, out, err = one
    assert code == 1 and bad > 2 and err.count("not a level") == bad and len(out.splitlines()) == 1 + 450 - bad
    assert "\n#7," in out  # the 7th unit written (row 5 is bad) has neither id nor name
    by_id = run("score", OLD[0], OLD[1], "--format", "csv", "--jobs", "0")  # an id: versions by period; 0: a process per core
    assert by_id == run("score", *OLD, "--format", "csv") and by_id[0] == 0


def test_several_processes_are_for_csv_output_only() -> None:
    code, _, err = run("score", *OLD, "--jobs", "2")
    assert code == 2 and "--jobs applies to CSV output only" in err


def test_a_worker_that_cannot_load_the_methodology_stops_the_run_with_its_error(tmp_path: Path) -> None:
    from par_rules import MethodologyError, load
    from par_rules.formats import read_records
    from par_rules.units import field_columns
    from par_rules.units._parallel import score_rows

    path = tmp_path / "2025.yaml"
    path.write_text(Path(NEW[0]).read_text(encoding="utf-8"), encoding="utf-8")
    methodology = load(path)
    path.write_text("format: 1\nid: [broken\n", encoding="utf-8")  # changed after the main process read it
    rows = score_rows(methodology, read_records(NEW[1]), field_columns([methodology]), jobs=2)
    with pytest.raises(MethodologyError):
        list(rows)
