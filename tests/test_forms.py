"""Self-assessment forms (issue 13): written from a methodology (and records), read back by
``read_records``; the round trip scores exactly as the records did, for every shipped methodology."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

import par_rules
from par_rules.cli import main
from par_rules.errors import RecordError
from par_rules.files import read_records
from par_rules.engine._record import coerce_number
from par_rules.formats._forms import MARKER_SHEET, _cell_number, exact_number_cell, layout, rule_in_vietnamese, write_form
from par_rules.testing import records as records_of

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "example/par-index/district"
EXAMPLE_2025 = ROOT / "examples/methodologies/example/par-index/district/2025.yaml"
SHIPPED = [(info.id, info.version) for info in par_rules.all_versions()]


def _scored(methodology: par_rules.Methodology, record: Any) -> Any:
    """Every node's points, index and self-assessed claims of a record, or its error messages."""
    try:
        result = par_rules.score(methodology, record)
    except RecordError as error:
        return ("error", sorted(problem.indicator or "" for problem in error.problems))
    claimed = {key: coerce_number(value) for key, value in (result.record.self_assessed or {}).items()}
    return ([(node.id, node.points) for node in result.nodes()], result.index, result.record.unit, result.record.name, result.record.group, result.record.period, claimed)


def _round_trip(methodology: par_rules.Methodology, records: list[dict[str, Any]], path: Path) -> list[Any]:
    problems = write_form(methodology, path, records)
    assert problems == []
    back = list(read_records(path, methodology=methodology))
    assert len(back) == len(records)
    return [record for _, record in back]


@st.composite
def _claims(draw: st.DrawFn, methodology: par_rules.Methodology) -> dict[str, Decimal]:
    nodes = list(methodology.nodes())
    chosen = draw(st.lists(st.sampled_from(nodes), max_size=3, unique_by=lambda node: node.id))
    return {node.id: draw(st.decimals(0, node.max, places=2)) for node in chosen}


@pytest.mark.parametrize(("methodology_id", "version"), SHIPPED, ids=[f"{i}@{v}" for i, v in SHIPPED])
def test_a_form_written_from_records_reads_back_scoring_exactly_as_they_did(methodology_id: str, version: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    methodology = par_rules.load(methodology_id, version=version)
    folder = tmp_path_factory.mktemp("forms")

    @settings(max_examples=4)
    @given(st.lists(st.tuples(records_of(methodology), _claims(methodology), st.sampled_from([None, "Huyện Trực Ninh", "=1+1", "Đơn vị [2]/x"])), min_size=1, max_size=2))
    def check(drawn: list[tuple[dict[str, Any], dict[str, Decimal], str | None]]) -> None:
        records = []
        for position, (record, claims, name) in enumerate(drawn):
            records.append({**record, "unit": f"u{position}", "name": name, "period": methodology.years[0], "group": "g", **({"self_assessed": claims} if claims else {})})
        back = _round_trip(methodology, records, folder / "form.xlsx")
        for record, read in zip(records, back):
            assert not isinstance(read, RecordError) or _scored(methodology, record)[0] == "error", read
            if isinstance(read, RecordError):
                continue
            assert _scored(methodology, read) == _scored(methodology, record)

    check()


def test_the_example_files_round_trip(tmp_path: Path) -> None:
    for methodology, source in ((par_rules.load(EXAMPLE, year=2024), ROOT / "examples/district-2024.json"), (par_rules.load(EXAMPLE_2025), ROOT / "examples/district-2025.csv")):
        records = [dict(record) for _, record in read_records(source)]
        back = _round_trip(methodology, records, tmp_path / "form.xlsx")
        assert [_scored(methodology, record) for record in back] == [_scored(methodology, record) for record in records]
        assert all(not isinstance(record, RecordError) for record in back)


def test_a_blank_form_has_every_indicator_and_node_once_and_words_in_vietnamese(tmp_path: Path) -> None:
    methodology = par_rules.load(EXAMPLE, year=2024)
    write_form(methodology, tmp_path / "blank.xlsx")
    book = openpyxl.load_workbook(tmp_path / "blank.xlsx")
    assert book.sheetnames == ["Phiếu", MARKER_SHEET] and book[MARKER_SHEET].sheet_state == "veryHidden"
    sheet = book["Phiếu"]
    keys = [row[0] for row in sheet.iter_rows(min_row=7, max_col=1, values_only=True) if row[0] is not None]
    inputs = [key for key, indicator in methodology.indicators.items() if not indicator.derived]
    expected = [node.id for node in methodology.nodes()]
    for key in inputs:
        indicator = methodology.indicators[key]
        expected += [f"{key}.{option}" for option in indicator.options] if indicator.type == "answers" else [key]
    assert sorted(keys) == sorted(expected) and len(keys) == len(set(keys))
    row = keys.index("1.1.2") + 7
    assert sheet[f"D{row}"].value == rule_in_vietnamese(methodology.node("1.1.2"), methodology.indicators) == "trên 90%: 2 điểm; từ 70% đến 90%: 1 điểm; dưới 70%: 0 điểm"
    assert sheet["G6"].value == "Tài liệu kiểm chứng"


def test_every_input_cell_has_data_validation_and_only_input_cells_are_unlocked(tmp_path: Path) -> None:
    for methodology_id, version in SHIPPED:
        methodology = par_rules.load(methodology_id, version=version)
        write_form(methodology, tmp_path / "form.xlsx", [{"unit": "a"}, {"unit": "b"}])
        book = openpyxl.load_workbook(tmp_path / "form.xlsx")
        shape = layout(methodology)
        expected = {"B3", "E3", "B4", "E4"}
        for line in shape.lines:
            expected |= {f"F{line.row}", f"G{line.row}"} if line.kind == "node" else {f"E{line.row}"}
        for title in ("a", "b"):
            sheet = book[title]
            assert sheet.protection.sheet, title
            unlocked = {cell.coordinate for row in sheet.iter_rows() for cell in row if not cell.protection.locked}
            assert unlocked == expected, f"{methodology_id}@{version}"
            validated = {ref for rule in sheet.data_validations.dataValidation for ref in _cells(str(rule.sqref))}
            assert expected <= validated, f"{methodology_id}@{version}: no validation on {sorted(expected - validated)}"
            kinds = {}
            for rule in sheet.data_validations.dataValidation:
                for ref in _cells(str(rule.sqref)):
                    kinds[ref] = rule.type
            for line in shape.lines:
                if line.kind == "value":
                    indicator = methodology.indicators[line.key]
                    want = {"level": "list", "boolean": "list", "count": "whole"}.get(indicator.type, "decimal")
                    assert kinds[f"E{line.row}"] == want, (line.key, indicator.type)


def _cells(sqref: str) -> set[str]:
    from openpyxl.utils.cell import range_boundaries, get_column_letter

    found = set()
    for part in sqref.split():
        low_col, low_row, high_col, high_row = range_boundaries(part)
        found |= {f"{get_column_letter(c)}{r}" for c in range(low_col, high_col + 1) for r in range(low_row, high_row + 1)}
    return found


def _example_form(tmp_path: Path) -> tuple[par_rules.Methodology, Path, list[dict[str, Any]]]:
    methodology = par_rules.load(EXAMPLE, year=2024)
    records = [dict(record) for _, record in read_records(ROOT / "examples/district-2024.json")]
    path = tmp_path / "form.xlsx"
    write_form(methodology, path, records)
    return methodology, path, records


def _row_of(sheet: Any, key: str) -> int:
    for row in range(1, sheet.max_row + 1):
        if sheet[f"A{row}"].value == key:
            return row
    raise AssertionError(key)


def test_a_filled_form_with_an_error_in_one_cell_reports_that_cell(tmp_path: Path) -> None:
    methodology, path, _ = _example_form(tmp_path)
    book = openpyxl.load_workbook(path)
    row = _row_of(book["y-yen"], "online_rate")
    book["y-yen"][f"E{row}"] = 150
    book["kim-son"][f"E{_row_of(book['kim-son'], 'plan_issued')}"] = "sometimes"
    book.save(path)
    back = dict(read_records(path, methodology=methodology))
    assert isinstance(back[2], RecordError) and isinstance(back[6], RecordError)
    assert [str(problem.message) for problem in back[2].problems] == [f"sheet 'y-yen' cell E{row}: 150 is outside the allowed range [0, 100]"]
    assert f"sheet 'kim-son' cell E{_row_of(book['kim-son'], 'plan_issued')}" in str(back[6])
    assert sum(not isinstance(record, RecordError) for record in back.values()) == 5
    result = CliRunner().invoke(main, ["score", EXAMPLE, str(path), "--format", "csv"])
    assert result.exit_code == 1
    assert f"sheet 'y-yen' cell E{row}" in result.stderr and result.stdout.count("\n") == 6  # header + 5 good units


def test_an_edited_layout_is_refused_naming_the_sheet_and_cell(tmp_path: Path) -> None:
    methodology, path, _ = _example_form(tmp_path)
    book = openpyxl.load_workbook(path)
    sheet = book["hai-hau"]
    row = _row_of(sheet, "2")
    sheet.insert_rows(row)
    book.save(path)
    back = dict(read_records(path, methodology=methodology))
    assert isinstance(back[3], RecordError)
    assert f"sheet 'hai-hau' cell A{row}: expected '2', found None: the form's layout was changed" in str(back[3])
    assert not isinstance(back[1], RecordError)


def test_a_form_for_another_version_or_with_a_changed_marker_is_refused(tmp_path: Path) -> None:
    _, path, _ = _example_form(tmp_path)
    newer = par_rules.load(EXAMPLE_2025)
    with pytest.raises(RecordError, match=r"sheet 'truc-ninh' cell B2: this form was written for example/par-index/district@2024, not example/par-index/district@2025"):
        list(read_records(path, methodology=newer))
    result = CliRunner().invoke(main, ["score", str(EXAMPLE_2025), str(path)])
    assert result.exit_code == 1 and "cell B2" in result.stderr and "Traceback" not in result.stderr
    book = openpyxl.load_workbook(path)
    book[MARKER_SHEET]["B7"] = "x"  # one layout row of the marker
    book.save(path)
    with pytest.raises(RecordError, match=rf"sheet '{MARKER_SHEET}' cell B4: the layout does not match its fingerprint"):
        list(read_records(path))


@settings(max_examples=40)
@given(st.lists(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**14), max_value=10**14) | st.decimals(places=20, min_value=-1, max_value=1), min_size=1, max_size=40))
def test_numbers_keep_every_digit_through_a_workbook(values: list[Decimal]) -> None:
    book = openpyxl.Workbook()
    for row, value in enumerate(values, start=1):
        book.active.cell(row=row, column=1, value=exact_number_cell(value))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    read = [_cell_number(row[0]) for row in openpyxl.load_workbook(buffer).active.iter_rows(values_only=True)]
    assert [Decimal(value) for value in read] == values


def test_hostile_names_stay_text_and_round_trip(tmp_path: Path) -> None:
    methodology = par_rules.load(EXAMPLE, year=2024)
    base = next(record for _, record in read_records(ROOT / "examples/district-2024.json"))
    names = ['=HYPERLINK("http://evil.example","x")', "+1", "-2", "@SUM(A1)", "\tTab", "<script>alert(1)</script>"]
    records = [{**base, "unit": f"u{position}", "name": name} for position, name in enumerate(names)]
    write_form(methodology, tmp_path / "form.xlsx", records)
    book = openpyxl.load_workbook(tmp_path / "form.xlsx")
    for position, name in enumerate(names):
        cell = book[f"u{position}"]["E3"]
        assert cell.data_type == "s" and cell.value == name
    back = [record for _, record in read_records(tmp_path / "form.xlsx", methodology=methodology)]
    assert [record["name"] for record in back] == [name.strip() for name in names]


def test_form_command_writes_a_form_that_scores_as_the_records(tmp_path: Path) -> None:
    form = tmp_path / "form.xlsx"
    result = CliRunner().invoke(main, ["form", EXAMPLE, str(ROOT / "examples/district-2024.json"), "-o", str(form)])
    assert result.exit_code == 0, result.stderr
    from_form = CliRunner().invoke(main, ["score", EXAMPLE, str(form), "--format", "csv"])
    from_records = CliRunner().invoke(main, ["score", EXAMPLE, str(ROOT / "examples/district-2024.json"), "--format", "csv"])
    assert from_form.exit_code == 0, from_form.stderr
    assert from_form.stdout == from_records.stdout
    blank = CliRunner().invoke(main, ["form", EXAMPLE, "-o", str(tmp_path / "blank.xlsx")])
    assert blank.exit_code == 0 and openpyxl.load_workbook(tmp_path / "blank.xlsx").sheetnames[0] == "Phiếu"
    unknown = CliRunner().invoke(main, ["form", EXAMPLE, str(ROOT / "examples/district-2025.csv"), "-o", str(tmp_path / "x.xlsx")])
    assert unknown.exit_code == 1 and "is not an input of example/par-index/district@2024" in unknown.stderr
