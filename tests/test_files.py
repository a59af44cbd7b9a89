"""Files in (CSV, JSON, JSON Lines, YAML, .xlsx) and out (CSV, JSON, Markdown, text, .xlsx)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import par_rules
from par_rules import RecordError, Result, rank, read_records, results_table, score_many, write_table
from par_rules.formats._files import Table, fold_columns, render_table, spreadsheet_text

METHODOLOGY = par_rules.load("example/par-index/district", year=2024)

HEADER = ["unit", "name", "year", "plan_issued", "plan_completion", "reports_on_time", "inspected_share", "dossiers_on_time",
          "dossiers_total", "online_rate", "violations", "e_gov_points", "satisfaction.A", "satisfaction.B", "self.5"]
ROW_A = ["a", "Huyện Trực Ninh", "2024", "on_time", "95", "có", "1", "10", "10", "88,9", "0", "16,63", "70", "30", "16,75"]
ROW_B = ["b", "Huyện Ý Yên", "2024", "late", "90", "không", "0,6", "9", "10", "45", "1", "12,5", "20", "", ""]


def outputs(path: Path, **options: Any) -> list[Result | RecordError]:
    return list(score_many(METHODOLOGY, read_records(path, **options)))


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> None:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)


def test_fold_columns_gathers_answers_and_self_assessment() -> None:
    folded = fold_columns({"Unit ": "a", "Năm": "2024", "satisfaction.A": "3", "satisfaction.B": "", "self.1.1": "2", "online_rate": None})
    assert folded == {"Unit": "a", "period": "2024", "satisfaction": {"A": "3"}, "self_assessed": {"1.1": "2"}}


@pytest.mark.parametrize(("delimiter", "encoding"), [(",", "utf-8"), (";", "utf-8-sig"), ("\t", "utf-8")])
def test_csv_with_decimal_commas_vietnamese_and_survey_columns(tmp_path: Path, delimiter: str, encoding: str) -> None:
    path = tmp_path / "units.csv"
    write_csv(path, [HEADER, ROW_A, ROW_B], delimiter, encoding)
    a, b = outputs(path)
    assert isinstance(a, Result) and isinstance(b, Result)
    assert (a.unit, a.record.name, a.period) == ("a", "Huyện Trực Ninh", 2024)
    assert a.points("5") == Decimal("16.63")  # "16,63"
    assert a.record.values["satisfaction"] == {"A": "70", "B": "30"}
    assert a.record.self_assessed == {"5": "16,75"}
    assert b.points("1.2.1") == Decimal("1.8")  # 3 x 0,6
    assert b.points("1.1.3") == 0  # "không"
    assert "satisfaction" in b.record.values and b.record.self_assessed == {}


def test_decomposed_vietnamese_is_read_as_composed(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    decomposed = unicodedata.normalize("NFD", "Huyện Ý Yên")
    write_csv(path, [HEADER, ["b", decomposed] + ROW_B[2:]])
    (result,) = outputs(path)
    assert isinstance(result, Result) and result.record.name == "Huyện Ý Yên"
    assert result.record.name != decomposed


def test_bad_rows_are_reported_by_number_and_the_rest_scored(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    bad_number = ["c"] + ROW_A[1:9] + ["1,234"] + ROW_A[10:]  # a thousands separator? refused as ambiguous
    extra_cells = ROW_A + ["surplus"]
    write_csv(path, [HEADER, ROW_A, bad_number, [""] * len(HEADER), ROW_B, extra_cells])
    found = outputs(path)
    assert len(found) == 4  # the blank row is skipped
    assert [type(o).__name__ for o in found] == ["Result", "RecordError", "Result", "RecordError"]
    ambiguous = found[1]
    assert isinstance(ambiguous, RecordError)
    assert (ambiguous.problems[0].row, ambiguous.problems[0].indicator) == (3, "online_rate")
    assert "ambiguous" in ambiguous.problems[0].message
    assert "row 6" in str(found[3]) and "16 cells but 15 columns" in str(found[3])


def test_a_csv_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\n" + ",".join(ROW_A).encode() + b"\n" + "b,Huyện Ý Yên".encode("cp1258", errors="replace").replace(b"?", b"\xfe") + b"\n")
    with pytest.raises(RecordError, match=r"units.csv:3: the file is not UTF-8"):
        read_records(path)


def test_header_problems(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    write_csv(path, [["unit", "online_rate", "online_rate"], ["a", "1", "2"]])
    with pytest.raises(RecordError, match="column online_rate appears more than once"):
        list(read_records(path))
    path.write_text("", encoding="utf-8")
    with pytest.raises(RecordError, match="no header row"):
        list(read_records(path))
    with pytest.raises(RecordError, match=r"cannot read records from a \.txt file"):
        read_records(tmp_path / "units.txt")


def test_json_yaml_and_json_lines(tmp_path: Path) -> None:
    records = [dict(zip(HEADER, ROW_A)), dict(zip(HEADER, ROW_B))]
    (tmp_path / "units.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "units.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n\n{broken\n", encoding="utf-8")
    (tmp_path / "units.yaml").write_text("- unit: a\n  period: 2024\n  online_rate: 88,9\n  satisfaction: {A: 70, B: 30}\n- [not, a, record]\n", encoding="utf-8")
    from_json = outputs(tmp_path / "units.json")
    assert [o.points("5") for o in from_json] == [Decimal("16.63"), Decimal("12.5")]  # type: ignore[union-attr]
    from_lines = outputs(tmp_path / "units.jsonl")
    assert [type(o).__name__ for o in from_lines] == ["Result", "Result", "RecordError"]
    assert "row 4: not valid JSON" in str(from_lines[2])
    pairs = list(read_records(tmp_path / "units.yaml"))
    # YAML scalars are their text, as CSV cells are (the readers then read "70" as 70)
    assert pairs[0] == (1, {"unit": "a", "period": "2024", "online_rate": "88,9", "satisfaction": {"A": "70", "B": "30"}})
    assert isinstance(pairs[1][1], RecordError) and pairs[1][0] == 2
    (tmp_path / "exact.yaml").write_text("unit: a\nonline_rate: 88.90\nname: ~\n", encoding="utf-8")
    assert list(read_records(tmp_path / "exact.yaml")) == [(1, {"unit": "a", "online_rate": "88.90"})]


def test_yaml_problems_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "units.yaml"
    path.write_text("- unit: a\n  online_rate: [1\n", encoding="utf-8")
    with pytest.raises(RecordError, match=r"units.yaml:3:1: not valid YAML"):
        read_records(path)
    path.write_text("- &x {unit: a}\n- *x\n", encoding="utf-8")
    with pytest.raises(RecordError, match=r"units.yaml:2:3: not valid YAML: aliases"):
        read_records(path)


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "units.json"
    path.write_text('[\n  {"unit": "a",\n   "online_rate": }\n]', encoding="utf-8")
    with pytest.raises(RecordError, match=r"units.json:3:19: not valid JSON"):
        read_records(path)


def test_xlsx_records_written_by_a_spreadsheet_are_read(tmp_path: Path) -> None:
    path = tmp_path / "units.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "2024"
    sheet.append(HEADER)
    sheet.append(["a", "Huyện Trực Ninh", 2024, "on_time", 95, True, 1, 10, 10, 88.9, 0, 16.63, 70, 30, 16.75])
    sheet.append([None] * len(HEADER))
    sheet.append(["b", "Huyện Ý Yên", 2024, "late", 90, False, 0.6, 9, 10, "45", 1, "12,5", 20, None, None])
    sheet.append(["c", "Huyện X", date(2024, 1, 1)] + ROW_A[3:])
    workbook.save(path)
    found = outputs(path, sheet="2024")
    assert [type(o).__name__ for o in found] == ["Result", "Result", "RecordError"]
    a, b, c = found
    assert a.points("5") == Decimal("16.63") and a.record.values["online_rate"] == 88.9  # type: ignore[union-attr]
    assert a.points("2.2") == 6 and b.points("5") == Decimal("12.5")  # type: ignore[union-attr]
    assert c.problems[0].row == 5 and "date" in c.problems[0].message  # type: ignore[union-attr]
    with pytest.raises(RecordError, match="no sheet 'x'"):
        read_records(path, sheet="x")


def scored_examples() -> list[Result]:
    return [o for o in score_many(METHODOLOGY, read_records("examples/district-2024.json")) if isinstance(o, Result)]


def test_results_table_has_a_column_per_field() -> None:
    table = results_table(rank(scored_examples()))
    assert table.headers[:3] == ("rank", "group_rank", "unit")
    assert table.headers[-6:] == tuple(f"points_{n}" for n in range(1, 7))
    first = table.records()[0]
    assert (first["rank"], first["unit"], first["index"], first["points_5"]) == (1, "truc-ninh", Decimal("91.71"), Decimal("16.63"))
    assert len(table.rows) == 7


def test_csv_and_json_out_are_exact_and_read_back(tmp_path: Path) -> None:
    table = results_table(rank(scored_examples()))
    write_table(table, "csv", tmp_path / "out.csv")
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["unit"] == "truc-ninh" and rows[0]["name"] == "Huyện Trực Ninh (ví dụ)"
    assert rows[0]["exact_index"] == "91.70881136950904392764857881136951"
    assert rows[5]["index"] == "76.00" and rows[5]["group_rank"] == "2"
    data = json.loads(write_table(table, "json") or "")
    assert data[3]["rank"] == data[4]["rank"] == 4  # giao-thuy and nghia-hung tie exactly
    assert data[6]["band"] is None and data[6]["points_6"].startswith("21.44")


def test_markdown_and_terminal_tables() -> None:
    table = results_table(scored_examples()[:2])
    markdown = render_table(table, "md")
    lines = markdown.splitlines()
    assert lines[0].startswith("| unit | name |") and lines[1].startswith("|---|---|")
    assert "| truc-ninh | Huyện Trực Ninh (ví dụ) |" in lines[2] and "≈91.7088" in lines[2]
    assert "- points_5: Xây dựng và phát triển chính quyền điện tử, chính quyền số (max 16.75)" in markdown
    text = render_table(Table(("unit", "index"), (("a", Decimal("9.5")), ("bbb", Decimal("10.25")))), "text")
    assert text.splitlines() == ["unit  index", "----  -----", "a      9.50", "bbb   10.25"]  # equal decimals (issue 13)
    assert render_table(Table(("x",), (("a|b",),)), "md").splitlines()[2] == "| a\\|b |"


def test_xlsx_out_written_and_read_back(tmp_path: Path) -> None:
    table = results_table(rank(scored_examples()))
    path = tmp_path / "out.xlsx"
    write_table(table, "xlsx", path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["results"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == table.headers
    assert rows[1][:3] == (1, 1, "truc-ninh")
    assert rows[1][rows[0].index("index")] == pytest.approx(91.71)
    assert rows[1][rows[0].index("exact_index")] == "91.70881136950904392764857881136951"  # longer than Excel keeps: text
    assert rows[1][rows[0].index("points_5")] == pytest.approx(16.63)
    assert workbook["legend"]["A1"].value.startswith("points_1: ")
    with pytest.raises(ValueError, match=r"needs? .*path|give a path"):
        write_table(table, "xlsx", io.StringIO())


def test_records_written_as_csv_score_the_same(tmp_path: Path) -> None:
    """Round trip: records out to a wide CSV table, then in again, give the same points."""
    originals = [dict(zip(HEADER, ROW_A)), dict(zip(HEADER, ROW_B))]
    table = Table(tuple(HEADER), tuple(tuple(record.values()) for record in originals))
    write_table(table, "csv", tmp_path / "again.csv")
    again = outputs(tmp_path / "again.csv")
    direct = [par_rules.score(METHODOLOGY, fold_columns(record)) for record in originals]
    assert [r.total for r in again] == [r.total for r in direct]  # type: ignore[union-attr]


names = st.text(alphabet=st.sampled_from(list("aăâbdđeêioôơuưyAĂĐƠ ,;\"'\t\nỳýỹỷỵếềểễệ0123456789|") + ["\u0301", "\u0323"]), max_size=20)


@given(st.lists(names, min_size=1, max_size=5), st.sampled_from(["csv", "xlsx"]))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_written_out_reads_back_normalised(tmp_path: Path, texts: list[str], suffix: str) -> None:
    """Names with Vietnamese letters, combining marks, separators, quotes and newlines survive a
    round trip through a file, read back stripped and in NFC; rows keep their numbers. (In CSV, a
    text a spreadsheet would take for a formula, here one that starts with a tab, keeps the quote
    that neutralises it.)"""
    table = Table(("unit", "name"), tuple((f"u{n}", text) for n, text in enumerate(texts)))
    path = tmp_path / f"names.{suffix}"
    if suffix == "csv":
        write_table(table, "csv", path)
        texts = [spreadsheet_text(text) for text in texts]
    else:
        write_table(table, "xlsx", path)  # a results sheet is a wide sheet like any other
    read = list(read_records(path))
    expected = [(n + 2, {"unit": f"u{n}", **({"name": unicodedata.normalize("NFC", text.strip())} if text.strip() else {})}) for n, text in enumerate(texts)]
    assert read == expected


# The CSV fast path (par_rules.formats._files._text_rows) against the general one (_wide_rows + fold_columns).

cells = st.one_of(st.sampled_from(["", " ", "\t", "3", " 4 ", "88,9", "Trực", unicodedata.normalize("NFD", " Ý Yên "), "\u2003x\u2003"]), names)
columns = st.sampled_from(["unit", "Năm", " year ", "period", "a", "b", "s.A", "s.B", "t.A", "self.2.1", "self.", ".x", "", " ", "Ý", unicodedata.normalize("NFD", "Ý.A")])


def both_paths(rows: list[list[str]]) -> tuple[Any, Any]:
    """What each path makes of the rows: records in order (with their keys' order), or the error."""
    from par_rules.formats._files import _text_rows, _wide_rows

    def read(reader: Any) -> Any:
        try:
            return [(row, str(item) if isinstance(item, RecordError) else list(item.items())) for row, item in reader(rows, Path("t.csv"))]
        except RecordError as error:  # a header problem
            return type(error).__name__, str(error)

    return read(_text_rows), read(_wide_rows)


@given(st.lists(columns, min_size=1, max_size=8), st.lists(st.lists(cells, max_size=10), max_size=6))
def test_csv_rows_give_the_same_records_as_the_general_reader(header: list[str], rows: list[list[str]]) -> None:
    fast, general = both_paths([header] + rows)
    assert fast == general


@pytest.mark.parametrize(
    "rows",
    [
        [["unit", "s.A", "x", "s.B"], ["a", "", "1", "2"], ["b", "3", "1", ""]],  # a survey's columns apart: key where first filled
        [["unit", "", "b"], ["a", "", "1"], ["a", " x ", "1"], ["a", "1", "2", "3"], ["a", "1", "2", " "], ["a"], [" ", "\t"]],
        [["unit", "name"], ["a", unicodedata.normalize("NFD", " Huyện Ý Yên ")], ["b", "x\u0301"]],
        [[" ", ""]],
        [["a", "a "]],
    ],
)
def test_awkward_csv_rows_give_the_same_records_as_the_general_reader(rows: list[list[str]]) -> None:
    fast, general = both_paths(rows)
    assert fast == general


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        (["unit", "s", "s.A"], "column s and column s.A both give s"),
        (["unit", "s.A", "s"], "column s and column s.A both give s"),
        (["unit", "self_assessed", "self.1"], "column self_assessed and column self.1 both give self_assessed"),
        (["year", "period"], "columns year and period both give the period"),
        (["Năm", "unit"], None),
    ],
)
def test_a_header_whose_columns_give_one_key_twice_is_refused(tmp_path: Path, header: list[str], problem: str | None) -> None:
    path = tmp_path / "units.csv"
    path.write_text(",".join(header) + "\n" + ",".join("1" for _ in header) + "\n", encoding="utf-8")
    if problem is None:
        assert len(list(read_records(path))) == 1
        return
    with pytest.raises(RecordError, match=problem) as error:
        list(read_records(path))
    assert error.value.problems[0].line == 1


def test_csv_cells_are_the_exact_values_as_before() -> None:
    """_cell_text takes the digits from str(); the same text as from the exponent and format()."""
    from par_rules.engine._arithmetic import format_decimal, format_short
    from par_rules.formats._files import _cell_text

    def reference(cell: Decimal, short: bool) -> str:
        if cell.as_tuple().exponent >= -6:  # type: ignore[operator]
            return format(cell, "f")
        return format_short(cell) if short else format_decimal(cell)

    samples = ["76.00", "91.70881136950904392764857881136951", "1E+2", "1E-7", "0E-10", "-0.0000001", "-0E-9", "0.000001", "0.0000010", "123456789012345678901234567890", "12.3456789", "-5.5", "0"]
    for text in samples:
        for short in (False, True):
            assert _cell_text(Decimal(text), short) == reference(Decimal(text), short), text


@given(st.decimals(allow_nan=False, allow_infinity=False), st.booleans())
def test_any_decimal_cell_is_written_as_before(cell: Decimal, short: bool) -> None:
    from par_rules.engine._arithmetic import format_decimal, format_short
    from par_rules.formats._files import _cell_text

    expected = format(cell, "f") if cell.as_tuple().exponent >= -6 else (format_short(cell) if short else format_decimal(cell))  # type: ignore[operator]
    assert _cell_text(cell, short) == expected


def test_streamed_csv_is_the_results_table_across_methodologies() -> None:
    """Rows of two methodologies with different fields, interleaved: each row fills its own
    methodology's field columns and leaves the others empty, as in the results table."""
    from par_rules.units import field_columns, stream_results_csv

    reference = par_rules.load("reference/par-index/district")  # fields 1-9; the example has 1-6
    others = [o for o in score_many(reference, read_records("examples/reference-district-2024.json")) if isinstance(o, Result)]
    mixed = scored_examples()[:3] + others[:1] + scored_examples()[3:5] + others[1:]
    streamed = io.StringIO()
    stream_results_csv(mixed, field_columns(result.methodology for result in mixed), streamed)
    assert streamed.getvalue() == render_table(results_table(mixed), "csv")
    lines = streamed.getvalue().splitlines()
    assert len(lines) == 8 and lines[0].endswith(",points_9") and lines[1].endswith(",,,") and not lines[4].endswith(",")
