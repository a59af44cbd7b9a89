"""Hostile records files: every number form means the same in every format, and nothing in a
records file (a value, a cell, a byte) gives anything but a ParRulesError, while every other row is
still scored."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import threading
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

import par_rules
from par_rules import MethodologyError, ParRulesError, RecordError, Result, read_records, score, score_many
from par_rules.cli import main
from par_rules.authoring._methodology_tests import load_tests

METHODOLOGY = par_rules.load("example/par-index/district", year=2024)

GOOD = {"unit": "a", "name": "Huyện Trực Ninh", "year": "2024", "plan_issued": "on_time", "plan_completion": "95", "reports_on_time": "có",
        "inspected_share": "1", "dossiers_on_time": "10", "dossiers_total": "10", "online_rate": "88,9", "violations": "0",
        "e_gov_points": "16,63", "satisfaction.A": "70", "satisfaction.B": "30"}
FORMATS = ("csv", "csv;", "json", "jsonl", "yaml", "xlsx", "dict")
#: YAML 1.1 would read these as numbers other than the decimal text they look like (or as dates).
NOT_DECIMAL = ("1:30", "0x1F", "0b101", "1_000", "+.inf", ".nan", "0o17", "-.inf", "1:30.5", "2024-13-45", "2024-01-05", "nan", "Infinity")
#: Too large for the decimal context (abs() of it overflowed) or for Python's int-from-text limit.
TOO_LARGE = ("1e1000000", "-1e1000000", "1E+999999999", "9" * 5000)
JSON_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?|NaN|-?Infinity")


def nested(row: dict[str, str]) -> dict[str, Any]:
    """A wide row as a nested record (survey answers as a mapping), as JSON and YAML hold it."""
    record: dict[str, Any] = {}
    for key, value in row.items():
        head, dot, option = key.partition(".")
        if dot:
            record.setdefault(head, {})[option] = value
        else:
            record[key] = value
    return record


def write(directory: Path, kind: str, rows: list[dict[str, str]], raw: bool = False) -> Path:
    """The rows as a records file; ``raw``: JSON values that look like numbers written as bare
    JSON numbers. YAML values are always written bare, as a person types them."""
    header = list(rows[0])
    if kind.startswith("csv"):
        path = directory / "units.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";" if kind == "csv;" else ",")
            writer.writerow(header)
            writer.writerows([row[name] for name in header] for row in rows)
    elif kind in ("json", "jsonl"):
        texts = [json.dumps(nested(row), ensure_ascii=False) for row in rows]
        if raw:  # (what JSON can hold as a number: anything else stays a string)
            texts = [text.replace(f'"{row["online_rate"]}"', row["online_rate"]) if JSON_NUMBER.fullmatch(row["online_rate"]) else text for text, row in zip(texts, rows)]
        path = directory / f"units.{kind}"
        path.write_text("[" + ",\n".join(texts) + "]" if kind == "json" else "\n".join(texts) + "\n", encoding="utf-8")
    elif kind == "yaml":
        lines = []
        for row in rows:
            for position, (key, value) in enumerate(nested(row).items()):
                shown = "{" + ", ".join(f"{option}: {count}" for option, count in value.items()) + "}" if isinstance(value, dict) else value
                lines.append(("- " if position == 0 else "  ") + f"{key}: {shown}")
        path = directory / "units.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        path = directory / "units.xlsx"
        workbook = openpyxl.Workbook()
        workbook.active.append(header)
        for row in rows:  # text cells (without the control characters a workbook cannot hold)
            workbook.active.append([ILLEGAL_CHARACTERS_RE.sub("", row[name]) for name in header])
        workbook.save(path)
    return path


def outputs_of(directory: Path, kind: str, rows: list[dict[str, str]], raw: bool = False) -> list[Result | RecordError]:
    if kind == "dict":  # a Python mapping with text values
        return list(score_many(METHODOLOGY, [par_rules.files.fold_columns(row) for row in rows]))
    return list(score_many(METHODOLOGY, read_records(write(directory, kind, rows, raw))))


def first_row(kind: str) -> int:
    """The row number of the first record: CSV and Excel count the header as row 1."""
    return 2 if kind in ("csv", "csv;", "xlsx") else 1


def with_value(key: str, value: str) -> list[dict[str, str]]:
    return [GOOD, {**GOOD, "unit": "b", key: value}, {**GOOD, "unit": "c"}]


@pytest.mark.parametrize("kind", FORMATS)
def test_leading_zeros_are_decimal_in_every_format(tmp_path: Path, kind: str) -> None:
    # regression: YAML read 075 as octal 61 and scored it
    zeros = outputs_of(tmp_path, kind, with_value("plan_completion", "075"))
    plain = score(METHODOLOGY, par_rules.files.fold_columns({**GOOD, "plan_completion": "75"}))
    assert [type(output) for output in zeros] == [Result] * 3
    assert zeros[1].record.values["plan_completion"] in ("075", Decimal(75))  # type: ignore[union-attr]
    assert zeros[1].points("1") == plain.points("1") and zeros[1].total == plain.total  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize("value", NOT_DECIMAL + TOO_LARGE)
def test_a_form_that_is_not_decimal_text_is_refused_alike_in_every_format(tmp_path: Path, kind: str, value: str) -> None:
    # regression: YAML read 1:30 as 90, 0x1F as 31, 1_000 as 1000 (and CSV too), and scored them;
    # 1e1000000 overflowed the decimal context; 2024-13-45 broke YAML's date constructor
    keys = {"online_rate": "online_rate", "satisfaction.A": "satisfaction", "year": "period"}  # column: record key
    rows = [GOOD, *({**GOOD, "unit": f"u{position}", key: value} for position, key in enumerate(keys)), {**GOOD, "unit": "z"}]
    found = outputs_of(tmp_path, kind, rows)
    assert [type(output) for output in found] == [Result, RecordError, RecordError, RecordError, Result]
    as_text = list(score_many(METHODOLOGY, [par_rules.files.fold_columns(row) for row in rows]))  # the words for text
    for position, indicator in enumerate(keys.values(), start=1):
        [problem] = found[position].problems  # type: ignore[union-attr]
        assert (problem.row, problem.indicator) == (first_row(kind) + position, indicator)
        assert problem.message == as_text[position].problems[0].message  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", ["json", "jsonl"])
@pytest.mark.parametrize("value", ["1e1000000", "-1e1000000", "1E+999999999", "9" * 5000, "-" + "9" * 5000, "NaN", "-Infinity"])
def test_hostile_json_numbers_are_refused_in_their_row(tmp_path: Path, kind: str, value: str) -> None:
    # regression: 1e1000000 overflowed the decimal context and a 5,000-digit integer broke
    # Python's int limit, each stopping the batch
    found = outputs_of(tmp_path, kind, with_value("online_rate", value), raw=True)
    assert [type(output) for output in found] == [Result, RecordError, Result]
    assert [(p.row, p.indicator) for p in found[1].problems] == [(2, "online_rate")]  # type: ignore[union-attr]


@pytest.mark.parametrize("value", ["1e1000000", "-1e1000000", "9" * 5000])
def test_hostile_numbers_as_a_period_or_a_count_in_python(value: str) -> None:
    base = par_rules.files.fold_columns(GOOD)
    for record in ({**base, "period": Decimal(value)}, {**base, "period": 10**5000 - 1 if "e" not in value else value},
                   {**base, "satisfaction": {"A": Decimal(value)}}, {**base, "online_rate": Decimal(value)}):
        with pytest.raises(RecordError):
            score(METHODOLOGY, record)


def test_yaml_values_are_their_text(tmp_path: Path) -> None:
    path = tmp_path / "units.yaml"
    path.write_text("unit: 0123\nperiod: 2024-01-05\nonline_rate: 1:30\nok: yes\nname: ~\nother: !!float .nan\n", encoding="utf-8")
    assert list(read_records(path)) == [(1, {"unit": "0123", "period": "2024-01-05", "online_rate": "1:30", "ok": "yes", "other": ".nan"})]
    [error] = score_many(METHODOLOGY, read_records(path))
    assert "period must be a year (a whole number such as 2024), not '2024-01-05'" in str(error)


@pytest.mark.parametrize("kind", ["json", "jsonl", "yaml"])
def test_a_key_given_twice_is_refused_with_its_row(tmp_path: Path, kind: str) -> None:
    # regression: JSON kept the last value silently (and so did YAML)
    rows = [json.dumps(nested(GOOD), ensure_ascii=False)[:-1] + ', "online_rate": "50"}',
            json.dumps(nested(GOOD), ensure_ascii=False).replace('"B": "30"', '"B": "30", "A": "1"'),
            json.dumps(nested(GOOD), ensure_ascii=False)]
    path = tmp_path / f"units.{kind}"
    path.write_text("[" + ",".join(rows) + "]" if kind == "json" else "\n".join(rows) if kind == "jsonl" else "\n".join(f"- {row}" for row in rows), encoding="utf-8")
    found = list(score_many(METHODOLOGY, read_records(path)))
    assert [type(output) for output in found] == [RecordError, RecordError, Result]
    assert [(p.row, p.indicator) for p in found[0].problems] == [(1, "online_rate")]  # type: ignore[union-attr]
    assert found[1].problems[0].row == 2 and found[1].problems[0].indicator in ("satisfaction.A", "A")  # type: ignore[union-attr]
    assert "more than once" in str(found[0])


def test_a_csv_cell_over_the_csv_field_limit_is_its_rows_error(tmp_path: Path) -> None:
    # regression: _csv.Error stopped the batch
    path = write(tmp_path, "csv", with_value("name", "x" * (csv.field_size_limit() + 1)))
    found = list(score_many(METHODOLOGY, read_records(path)))
    assert [type(output) for output in found] == [Result, RecordError, Result]
    assert found[1].problems[0].row == 3 and "field larger than field limit" in str(found[1])  # type: ignore[union-attr]
    path.write_text("unit," + "x" * (csv.field_size_limit() + 1) + "\n", encoding="utf-8")
    with pytest.raises(RecordError, match="cannot read the header row"):
        list(read_records(path))


@pytest.mark.parametrize("damage", ["truncated", "garbage", "bad xml", "empty"])
def test_a_damaged_workbook_is_a_record_error(tmp_path: Path, damage: str) -> None:
    # regression: BadZipFile, ParseError... escaped as raw tracebacks
    path = write(tmp_path, "xlsx", [GOOD, {**GOOD, "unit": "b"}])
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        source, target = zipfile.ZipFile(io.BytesIO(data)), zipfile.ZipFile(path, "w")
        for item in source.infolist():
            content = source.read(item)
            target.writestr(item, content.replace(b"<sheetData>", b"<sheetData><row><c") if "sheet1" in item.filename else content)
        target.close()
    with pytest.raises(RecordError, match=r"units\.xlsx"):
        list(score_many(METHODOLOGY, read_records(path)))


def test_a_workbook_damaged_after_some_rows_keeps_them(tmp_path: Path) -> None:
    path = write(tmp_path, "xlsx", [GOOD, {**GOOD, "unit": "b"}, {**GOOD, "unit": "c"}])
    source, data = zipfile.ZipFile(path), {}
    data = {item.filename: source.read(item) for item in source.infolist()}
    source.close()
    sheet = data["xl/worksheets/sheet1.xml"]
    cut = sheet.index(b"<row", sheet.index(b"<row", sheet.index(b"<row") + 1) + 1)  # after the header and row 2
    data["xl/worksheets/sheet1.xml"] = sheet[:cut] + b"<row><c r=" + sheet[cut:]
    with zipfile.ZipFile(path, "w") as target:
        for name, content in data.items():
            target.writestr(name, content)
    found = list(score_many(METHODOLOGY, read_records(path)))
    assert isinstance(found[0], Result) and isinstance(found[-1], RecordError)
    assert "damaged" in str(found[-1]) and "units.xlsx" in str(found[-1])


def test_a_symbolic_link_loop_a_folder_and_a_missing_file(tmp_path: Path) -> None:
    # regression: OSError (ELOOP, EISDIR, ENOENT) escaped raw
    loop = tmp_path / "loop.csv"
    loop.symlink_to(tmp_path / "loop.csv")
    folder = tmp_path / "folder.json"
    folder.mkdir()
    for path, reason in ((loop, "cannot read the file"), (folder, "not a regular file"), (tmp_path / "none.yaml", "cannot read the file")):
        with pytest.raises(RecordError, match=reason) as raised:
            read_records(path)
        assert raised.value.problems[0].file == str(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json", ".yaml", ".xlsx"])
def test_a_named_pipe_is_refused_without_waiting(tmp_path: Path, suffix: str) -> None:
    # regression: the file was opened twice (checked, then read): a pipe hung
    pipe = tmp_path / f"units{suffix}"
    os.mkfifo(pipe)
    raised: list[BaseException] = []

    def read() -> None:
        try:
            read_records(pipe)
        except BaseException as error:  # noqa: BLE001 - handed to the test
            raised.append(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():  # release the reader before failing
        with open(pipe, "wb"):
            pass
        pytest.fail("reading a named pipe hung")
    assert len(raised) == 1 and isinstance(raised[0], RecordError) and "not a regular file" in str(raised[0])


def test_the_score_command_writes_every_good_row_around_hostile_ones(tmp_path: Path) -> None:
    rows = [GOOD, {**GOOD, "unit": "b", "online_rate": "1e1000000"}, {**GOOD, "unit": "c", "year": "-1e1000000"},
            {**GOOD, "unit": "d", "name": "x" * (csv.field_size_limit() + 1)}, {**GOOD, "unit": "e", "satisfaction.A": "0x1F"}, {**GOOD, "unit": "f"}]
    path = write(tmp_path, "csv;", rows)
    result = CliRunner().invoke(main, ["score", "example/par-index/district", str(path), "--format", "csv"])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert [row["unit"] for row in csv.DictReader(result.stdout.splitlines())] == ["a", "f"]
    assert "2 of 6 rows scored; problems in row(s) 3, 4, 5, 6" in result.stderr


@pytest.mark.parametrize(("place", "value"), [
    ("total", "!!float nan"), ("total", "1.0e+999999999"), ("tolerance", "!!float nan"), ("tolerance", "1.0e+999999999"),
    ("node", "1.0e+999999999"), ("node", "!!float nan"), ("record", "!!float nan"), ("record", "1.5e+99"),
])
def test_numbers_in_a_tests_file_are_held_to_the_methodology_limits(tmp_path: Path, place: str, value: str) -> None:
    # regression: NaN and 1.0e+999999999 stopped the comparison with decimal.InvalidOperation/Overflow
    record = "{unit: a, online_rate: " + (value if place == "record" else "50") + "}"
    text = ("cases:\n  - name: c\n" + (f"    tolerance: {value}\n" if place == "tolerance" else "    tolerance: 0\n")
            + f"    record: {record}\n    expect:\n"
            + (f"      total: {value}\n" if place == "total" else "      total: 50\n")
            + (f"      nodes: {{'1': {value}}}\n" if place == "node" else "      nodes: {'1': 1}\n"))
    path = tmp_path / "2024.tests.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MethodologyError) as raised:
        load_tests(path)
    [problem] = raised.value.problems
    line = {"tolerance": 3, "record": 4, "total": 6, "node": 7}[place]
    assert (problem.file, problem.line) == (str(path), line) and problem.column and "is not supported" in problem.message


# --------------------------------------------------------------------------- the property

HOSTILE = NOT_DECIMAL + TOO_LARGE + ("075", "", " ", "\x00", "\ufeff", "a;b", 'a"b', "\n", "{A: 1}", "[1", "&x", "*x", "!!binary AAAA", "- x", "true", "~")


def example_rows() -> list[dict[str, str]]:
    """The shipped example records (JSON, CSV), as rows of text."""
    rows = []
    for record in json.loads(Path("examples/district-2024.json").read_text(encoding="utf-8")):
        row = {}
        for key, value in record.items():
            for column, cell in ({f"{key}.{option}": count for option, count in value.items()} if isinstance(value, dict) else {key: value}).items():
                row[column] = "có" if cell is True else "không" if cell is False else str(cell)
        rows.append(row)
    with open("examples/district-2025.csv", encoding="utf-8-sig", newline="") as handle:
        rows += [{("period" if key == "year" else key): value for key, value in row.items()} for row in csv.DictReader(handle, delimiter=";")][:3]
    header = list(dict.fromkeys(name for row in rows for name in row))
    return [{name: row.get(name, "") for name in header} for row in rows]


EXAMPLES = example_rows()


def delimited(path: Path, kind: str) -> int | None:
    """The rows a file holds, counted without par_rules (None: the file cannot be read at all)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if kind == "jsonl":
        return sum(1 for line in io.StringIO(text, newline=None) if line.strip())
    if kind == "json":
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return None
        return len(data) if isinstance(data, list) else 1
    return None  # CSV, YAML, xlsx: their parsers are the only way to count; the count is checked below otherwise


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kind=st.sampled_from(["csv", "csv;", "json", "jsonl", "yaml", "xlsx"]), data=st.data())
def test_mutated_records_files_give_only_record_errors_and_one_output_per_row(tmp_path_factory: Any, kind: str, data: Any) -> None:
    directory = tmp_path_factory.mktemp("mutated")
    rows = data.draw(st.lists(st.sampled_from(EXAMPLES), min_size=1, max_size=4)).copy()
    header = list(rows[0])
    for _ in range(data.draw(st.integers(0, 4))):  # cells replaced by hostile values
        position = data.draw(st.integers(0, len(rows) - 1))
        value = data.draw(st.sampled_from(HOSTILE) | st.text(max_size=8))
        rows[position] = {**rows[position], data.draw(st.sampled_from(header)): value}
    path = write(directory, kind, rows, raw=kind in ("json", "jsonl") and data.draw(st.booleans()))
    cells_only = not data.draw(st.booleans())
    if not cells_only:  # bytes flipped, cut or inserted
        content = bytearray(path.read_bytes())
        for _ in range(data.draw(st.integers(1, 3))):
            at = data.draw(st.integers(0, 1 << 20)) % max(len(content), 1)  # (an .xlsx's length varies with its timestamps)
            action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
            if action == "flip" and content:
                content[at] ^= data.draw(st.integers(1, 255))
            elif action == "cut":
                del content[at:at + data.draw(st.integers(1, 64))]
            else:
                content[at:at] = data.draw(st.sampled_from([b"\x00", b"\xff", b"\n", b'"', b";", b"{", b"[", b"- ", b": ", b"1e1000000", b"0x1F", b"\xe1\xbb"]))
        path.write_bytes(bytes(content))
    try:
        records = read_records(path)
        found = list(score_many("example/par-index/district", records))
    except ParRulesError:
        assert not cells_only or kind == "yaml", "a file with only its cells changed is readable"  # YAML: a value such as "[1" breaks the syntax
        return
    assert all(isinstance(output, (Result, RecordError)) for output in found)
    assert found == [] or all(isinstance(output, Result) or output.problems for output in found)
    expected = delimited(path, kind)
    if cells_only and kind != "yaml":
        assert len(found) == len(rows)
    elif expected is not None:
        assert len(found) == expected
    assert len(found) == sum(1 for _ in read_records(path))  # score_many: one output per row read
