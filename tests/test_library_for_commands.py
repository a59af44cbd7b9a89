"""What the commands compute lives in the library, where the Python API calls it too: opening a
methodology named by a person (:func:`par_rules.engine.resolve_methodology`), the files it is
read from (:func:`par_rules.engine.source_files`), counting a batch's bad rows
(:class:`par_rules.units.BatchTally`), a comparison's table and notes and a ranking's band lines
(:mod:`par_rules.units`), and a file's rows counted for a progress bar
(:func:`par_rules.formats.count_rows`)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

import par_rules
from par_rules import MethodologyError, MethodologyNotFound, RecordError, compare, rank, score_many
from par_rules.engine import read_node_mapping, resolve_methodology, source_files
from par_rules.formats import count_rows, read_records
from par_rules.units import BatchTally, band_lines, comparison_notes, comparison_table, results_table

ROOT = Path(__file__).resolve().parent.parent
DISTRICT = "example/par-index/district"
NEW_FILE = ROOT / "examples/methodologies/example/par-index/district/2025.yaml"


# --------------------------------------------------------------------------- opening a methodology


def test_an_id_alone_stays_an_id_and_anything_more_is_loaded() -> None:
    assert resolve_methodology(DISTRICT) == DISTRICT  # each record's period picks its version
    by_year = resolve_methodology(DISTRICT, year=2024)
    assert isinstance(by_year, par_rules.Methodology) and by_year.version == "2024"
    assert resolve_methodology(DISTRICT, version="2024") == by_year
    from_file = resolve_methodology(str(NEW_FILE))
    assert isinstance(from_file, par_rules.Methodology) and from_file.version == "2025"
    assert resolve_methodology(NEW_FILE) == from_file  # a Path too


def test_what_cannot_be_resolved_is_said() -> None:
    with pytest.raises(MethodologyNotFound, match="no methodology with id 'example/par-index/nowhere'"):
        resolve_methodology("example/par-index/nowhere")
    with pytest.raises(MethodologyNotFound, match="applies to 1999"):
        resolve_methodology(DISTRICT, year=1999)
    with pytest.raises(TypeError, match="a path names one file"):
        resolve_methodology(str(NEW_FILE), year=2025)


def test_an_id_resolves_under_another_root(tmp_path: Path) -> None:
    (tmp_path / "mine" / "index").mkdir(parents=True)
    (tmp_path / "mine" / "index" / "2024.yaml").write_text(NEW_FILE.read_text("utf-8").replace("id: example/par-index/district", "id: mine/index"), encoding="utf-8")
    assert resolve_methodology("mine/index", root=tmp_path) == "mine/index"
    with pytest.raises(MethodologyNotFound):
        resolve_methodology("mine/index")  # not shipped


def test_the_files_of_a_methodology_follow_its_extends_chain() -> None:
    province_2020 = par_rules.load("vn/moha/par-index/province", version="2020")  # extends 2019
    files = source_files(province_2020)
    assert [path.name for path in files] == ["2020.yaml", "2019.yaml"] and all(path.is_file() for path in files)
    assert [path.name for path in source_files(par_rules.load(DISTRICT, year=2024))] == ["2024.yaml"]
    every = source_files("vn/moha/par-index/province")  # an id: every version
    assert {path.name for path in every} >= {"2017.yaml", "2019.yaml", "2020.yaml", "2022.yaml", "2024.yaml"}
    assert source_files("no/such/id") == []


# --------------------------------------------------------------------------- counting bad rows


def _district_rows() -> list[dict[str, object]]:
    return [dict(record) for _, record in read_records(ROOT / "examples/district-2025.csv")]


def test_a_tally_passes_the_results_on_and_counts_every_bad_row() -> None:
    rows = _district_rows()
    rows[1] = {**rows[1], "plan_issued": "soon"}  # not a level
    rows[4] = "not a mapping"
    tally, said = BatchTally(), []
    results = list(tally.results(score_many(str(NEW_FILE), rows), said.append))
    assert len(results) == 5 and all(isinstance(result, par_rules.Result) for result in results)
    assert (tally.rows, tally.failed, tally.scored) == (7, [2, 5], 5)
    assert [type(error) for error in said] == [RecordError, RecordError] and "soon" in str(said[0])
    assert tally.summary() == "5 of 7 rows scored; problems in row(s) 2, 5"


def test_a_column_that_is_no_indicator_is_reported_once_and_counted() -> None:
    rows = [{**row, "ghi chú": "x"} for row in _district_rows()]
    tally, said = BatchTally(), []
    assert list(tally.results(score_many(str(NEW_FILE), rows), said.append)) == []
    assert len(said) == 1 and "ghi chú" in str(said[0])  # the other six rows said nothing new
    assert tally.repeated_columns() == {"ghi chú": 7} and tally.failed == [1, 2, 3, 4, 5, 6, 7]


def test_a_clean_batch_has_no_summary() -> None:
    tally = BatchTally()
    assert len(list(tally.results(score_many(str(NEW_FILE), _district_rows()), pytest.fail))) == 7
    assert tally.summary() is None and tally.repeated_columns() == {}


# --------------------------------------------------------------------------- tables


def _results(path: str, methodology: object) -> list[par_rules.Result]:
    return [output for output in score_many(methodology, read_records(ROOT / path)) if isinstance(output, par_rules.Result)]


def test_a_comparison_table_has_a_row_per_unit_and_a_column_per_field() -> None:
    previous = _results("examples/district-2024.json", DISTRICT)
    current = _results("examples/district-2025.csv", str(NEW_FILE))
    comparison = compare(previous, current)
    table = comparison_table(comparison)
    assert table.headers[:10] == ("unit", "name", "previous_rank", "rank", "rank_change", "previous_index", "index", "index_change", "previous_band", "band")
    assert table.headers[10:] == tuple(f"change_{field.id}" for field in comparison.units[0].fields)
    assert len(table.rows) == len(comparison.units) > 0
    first = dict(zip(table.headers, table.rows[0]))
    change = comparison.units[0]
    assert first["unit"] == change.unit and first["index_change"] == change.index_change
    assert first["index"] == change.current.published_index and first["rank_change"] == change.rank_text
    assert comparison_notes(comparison)[: len(comparison.notes)] == list(comparison.notes)


def test_comparison_notes_name_the_units_of_one_year_only() -> None:
    previous = _results("examples/district-2024.json", DISTRICT)
    current = _results("examples/district-2025.csv", str(NEW_FILE))
    comparison = compare(previous[1:], current[:-1])
    assert comparison.only_previous and comparison.only_current
    notes = comparison_notes(comparison)
    assert f"only in the previous year (not compared): {', '.join(comparison.only_previous)}" in notes
    assert f"only in this year (no previous result): {', '.join(comparison.only_current)}" in notes
    assert comparison_notes(compare(previous, previous)) == list(compare(previous, previous).notes)  # the same units: nothing to add


def test_band_lines_list_each_band_with_its_units() -> None:
    ranking = rank(_results("examples/district-2024.json", DISTRICT))
    lines = band_lines(ranking)
    assert len(lines) == len(ranking.bands())
    for line, (band, units) in zip(lines, ranking.bands().items()):
        assert line == f"band {band or '-'} ({len(units)}): {', '.join(units)}"
    crowded = max(ranking.bands().values(), key=len)
    assert len(crowded) > 1
    assert f"({len(crowded)}): {crowded[0]} and {len(crowded) - 1} more" in "\n".join(band_lines(ranking, shown=1))


def test_results_tables_are_offered_where_they_were() -> None:
    # the results table moved from formats to units; the old paths still lead to it
    from par_rules.files import results_table as signposted

    assert par_rules.results_table is results_table is signposted


# --------------------------------------------------------------------------- a progress bar's total


def test_rows_are_counted_as_read_records_reads_them(tmp_path: Path) -> None:
    csv_file = tmp_path / "units.csv"
    csv_file.write_text('unit;name\na;"two\nlines"\n\n;\nb;x\n', encoding="utf-8-sig")  # a quoted line break, blank rows
    assert count_rows(csv_file) == sum(1 for _ in read_records(csv_file)) == 2
    jsonl = tmp_path / "units.jsonl"
    jsonl.write_text('{"unit": "a"}\n\n{"unit": "b"}\n{broken\n', encoding="utf-8")
    assert count_rows(jsonl) == sum(1 for _ in read_records(jsonl)) == 3  # a broken line is a row refused
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["unit", "name"])
    for unit in "abcd":
        sheet.append([unit, unit.upper()])
    workbook.save(tmp_path / "units.xlsx")
    assert count_rows(tmp_path / "units.xlsx") == 4


def test_what_cannot_be_counted_cheaply_is_none(tmp_path: Path) -> None:
    document = tmp_path / "units.json"
    document.write_text(json.dumps([{"unit": "a"}, {"unit": "b"}]), encoding="utf-8")
    assert count_rows(document) is None  # read whole when scored: no count is cheaper
    assert count_rows(tmp_path / "missing.csv") is None
    assert count_rows(tmp_path) is None  # not a regular file
    (tmp_path / "broken.xlsx").write_bytes(b"PK not a workbook")
    assert count_rows(tmp_path / "broken.xlsx") is None
    with pytest.raises(RecordError):
        list(read_records(tmp_path / "broken.xlsx"))  # where the reader says why



# --------------------------------------------------------------------------- a node mapping file


def test_a_node_mapping_file_reads_ids_as_texts(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text('2.2: [2.2, "2.3"]\n"2.3": null\n2.10: 2.1\n', encoding="utf-8")
    assert read_node_mapping(path) == {"2.2": ["2.2", "2.3"], "2.3": None, "2.10": "2.1"}  # 2.10 is not 2.1


def test_a_node_mapping_that_is_no_mapping_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text("- 2.1\n- 2.2\n", encoding="utf-8")
    with pytest.raises(MethodologyError, match=r"mapping\.yaml:1:1: .* must be a mapping"):
        read_node_mapping(path)
    path.write_text("a: [unclosed\n", encoding="utf-8")
    with pytest.raises(MethodologyError, match=r"mapping\.yaml:2:1: YAML syntax"):
        read_node_mapping(path)
