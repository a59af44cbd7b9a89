"""The table path (par_rules.score_table, the command line's table engine) held to the
per-record engine: every column of every row the same, to every digit (the exact index and field
points included), refused rows refused with the same problems."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

import par_rules
from par_rules.cli import main
from par_rules.errors import RecordError
from par_rules.formats._files import csv_text, fold_columns
from par_rules.testing import methodologies, records

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

from par_rules.units import _table  # noqa: E402  (after the skip: it needs numpy when it scores)

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent


def _wide(record: dict) -> dict:
    """A record as a row of a wide table: survey answers as ``indicator.option`` columns."""
    row = {}
    for key, value in record.items():
        if isinstance(value, dict):
            for option, count in value.items():
                row[f"{key}.{option}"] = count
        else:
            row[key] = value
    return row


def _expected(methodology, items):
    """What the per-record engine gives for each record: its cells as CSV texts, or its problems."""
    out = []
    for output in par_rules.score_many(methodology, items):
        if isinstance(output, RecordError):
            out.append(("problem", "\n".join(str(problem) for problem in output.problems)))
        else:
            band = output.band
            cells = [
                output.record.unit, output.record.name, output.record.group, output.period, output.published_total, output.published_index,
                band.id if band else None, output.index, output.reach, " ".join(output.pending) or None,
            ]
            cells += [output.points(node.id) for node in methodology.criteria]
            out.append(("cells", [None if cell is None else csv_text(cell) for cell in cells]))
    return out


def _got(methodology, frame):
    scored = par_rules.score_table(methodology, frame)
    assert list(scored.columns) == list(_table._headers(methodology)) + ["problem"]
    assert len(scored) == len(frame)
    out = []
    for row in scored.itertuples(index=False):
        row = list(row)
        if row[-1] is not None:
            out.append(("problem", row[-1]))
        else:
            out.append(("cells", [None if cell is None else csv_text(cell) for cell in row[:-1]]))
    return out


def _frame(rows):
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return pd.DataFrame([[row.get(column) for column in columns] for row in rows], columns=columns, dtype=object)


def _check(methodology, batch):
    frame = _frame([_wide(record) for record in batch])
    # The reference: each row of the frame as the records reader folds it (in the frame's column
    # order, which is the order problems are reported in), scored one at a time.
    folded = [fold_columns({name: value for name, value in zip(frame.columns, row) if value is not None}) for row in frame.itertuples(index=False)]
    assert _got(methodology, frame) == _expected(methodology, folded)


@st.composite
def _cases(draw):
    methodology = draw(methodologies(max_depth=3, max_width=4, max_chain=2))
    batch = draw(st.lists(records(methodology), min_size=1, max_size=12))
    return methodology, batch


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_cases(), st.sampled_from([1, 64]))
def test_score_table_is_score_on_generated_methodologies(case, vector_min):
    """Every rule kind, missing values, not-applicable rescaling, weighted means, derived
    indicators: each row of score_table is the per-record result (with vector_min 1 every
    column goes through the array kernels; with 64, through the rules' own apply)."""
    methodology, batch = case
    old = _table.VECTOR_MIN
    _table.VECTOR_MIN = vector_min
    try:
        _check(methodology, batch)
    finally:
        _table.VECTOR_MIN = old


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_score_table_is_score_with_bad_rows_among_good(data):
    """Unusual values (text that is no number, out of range, unknown columns, a bad period) send
    their rows to the per-record engine: the same problems, the other rows still scored."""
    methodology = data.draw(methodologies(max_depth=2, max_width=3))
    batch = data.draw(st.lists(records(methodology, allow_missing=False), min_size=2, max_size=8))
    inputs = [key for key, indicator in methodology.indicators.items() if not indicator.derived]
    spoil = data.draw(st.lists(st.tuples(st.integers(0, len(batch) - 1), st.sampled_from(["lots", "-1e99", "1,234", "  ", "x", "2.5.1"])), max_size=4))
    for position, text in spoil:
        if inputs:
            key = data.draw(st.sampled_from(inputs))
            if not isinstance(batch[position].get(key), dict):
                batch[position][key] = text
    if data.draw(st.booleans()):
        batch[0]["period"] = "twenty"
    if data.draw(st.booleans()):
        batch[-1]["no_such_indicator"] = "1"
    old = _table.VECTOR_MIN
    _table.VECTOR_MIN = data.draw(st.sampled_from([1, 64]))
    try:
        _check(methodology, batch)
    finally:
        _table.VECTOR_MIN = old


def _shipped():
    return [info.path for info in par_rules.all_versions()]


@pytest.mark.parametrize("path", _shipped(), ids=lambda path: Path(path).relative_to(ROOT / "methodologies").as_posix())
def test_score_table_is_score_on_every_shipped_methodology(path):
    methodology = par_rules.load(path)
    batch = []

    @settings(max_examples=15, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(records(methodology))
    def draw(drawn):
        batch.append(drawn)

    draw()
    for vector_min in (1, 64):
        old = _table.VECTOR_MIN
        _table.VECTOR_MIN = vector_min
        try:
            _check(methodology, batch)
        finally:
            _table.VECTOR_MIN = old


@pytest.mark.parametrize("name", ["province-2024.csv", "province-2025.csv", "commune-2025.csv"])
def test_score_table_is_score_on_the_example_files(name):
    """The shipped example records, read as text (a CSV file read by pandas as text)."""
    path = ROOT / "examples" / name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for info in par_rules.all_versions():
        methodology = par_rules.load(info.path)
        items = [record for _, record in par_rules.read_records(path)]
        if all(isinstance(item, dict) for item in items):
            try:
                expected = _expected(methodology, items)
            except Exception:  # noqa: BLE001 - not this methodology's file
                continue
            if any(kind == "cells" for kind, _ in expected):
                assert _got(methodology, frame) == expected
                return
    pytest.skip(f"no shipped methodology scores {name}")


def test_arrow_table_gives_an_arrow_table_with_the_same_texts():
    pa = pytest.importorskip("pyarrow")
    methodology = par_rules.load("example/par-index/district")
    rows = [_wide(record) for record in _district_records(30)]
    rows[3]["online_rate"] = "lots"
    frame = _frame(rows).astype(str).replace("None", "")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    scored = par_rules.score_table(methodology, table)
    assert isinstance(scored, pa.Table) and scored.num_rows == 30
    expected = par_rules.score_table(methodology, frame)
    for name in scored.column_names:
        assert scored.column(name).to_pylist() == [None if cell is None else (csv_text(cell) if isinstance(cell, Decimal) else cell) for cell in expected[name]]
    assert "online_rate" in scored.column("problem").to_pylist()[3]


def _district_records(count):
    base = {"plan_issued": "on_time", "plan_completion": "92", "reports_on_time": "có", "inspected_share": "1", "dossiers_on_time": "940",
            "dossiers_total": "1000", "online_rate": "60", "e_gov_points": "16.63", "violations": "1", "initiatives": "2",
            "satisfaction": {"A": "70", "B": "20", "C": "8", "D": "2"}}
    made = []
    for number in range(count):
        record = {**base, "unit": f"u{number}", "period": "2024", "plan_completion": str(50 + number), "online_rate": f"{number * 1.9:.1f}",
                  "satisfaction": {"A": str(number), "B": "20", "C": str(number % 7), "D": "2"}}
        made.append(record)
    return made


def test_score_table_keeps_the_row_order_and_index_of_a_frame():
    methodology = par_rules.load("example/par-index/district")
    frame = _frame([_wide(record) for record in _district_records(12)])
    frame.index = [f"r{number}" for number in range(12)][::-1]
    scored = par_rules.score_table(methodology, frame)
    assert list(scored.index) == list(frame.index)
    assert list(scored["unit"]) == [f"u{number}" for number in range(12)]


def test_score_table_on_an_empty_frame_gives_the_columns():
    methodology = par_rules.load("example/par-index/district")
    scored = par_rules.score_table(methodology, pd.DataFrame({"unit": pd.Series([], dtype=object)}))
    assert len(scored) == 0 and list(scored.columns)[-1] == "problem"


def test_score_table_refuses_what_is_not_a_table():
    with pytest.raises(TypeError, match="DataFrame or a pyarrow Table"):
        par_rules.score_table(par_rules.load("example/par-index/district"), [{"unit": "a"}])


# --------------------------------------------------------------------------- the command line


def _benchmark_csv(tmp_path: Path, rows: int) -> tuple[Path, Path]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from methodology import methodology_yaml
        from run import write_csv
    finally:
        sys.path.pop(0)
    methodology = tmp_path / "2024.yaml"
    methodology.write_text(methodology_yaml(), encoding="utf-8")
    records = tmp_path / "records.csv"
    write_csv(records, rows)
    return methodology, records


def _spoil(path: Path) -> None:
    """Bad rows of every kind among the good ones: a number that is not one, a blank required
    value, a row too long, an unknown column's value, a bad period, a blank row, a Vietnamese
    unit name with decomposed accents and a formula-like name."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = [line.split(",") for line in lines[1:]]
    at = {name: position for position, name in enumerate(header)}
    cells[2][at["i1_5"]] = "lots"
    cells[5][at["i2_5"]] = ""
    cells[7] = cells[7] + ["extra"]
    cells[9][at["period"]] = "20x4"
    cells[11][at["unit"]] = "=cmd|' /C calc'!A0"
    cells[12][at["unit"]] = "Tru\u031bc Ninh"
    cells[13][at["i3_6"]] = " 88,5 "
    lines = [",".join(header)] + [",".join(row) for row in cells]
    lines.insert(20, ",,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("batch", [None, 7])
def test_the_command_line_writes_the_same_file_with_either_engine(tmp_path, monkeypatch, batch):
    methodology, records = _benchmark_csv(tmp_path, 60)
    _spoil(records)
    if batch:
        monkeypatch.setattr(_table, "BATCH", batch)  # codes kept across batches
    runner = CliRunner()
    outputs = {}
    for engine in ("table", "record"):
        target = tmp_path / f"out-{engine}.csv"
        result = runner.invoke(main, ["score", str(methodology), str(records), "-o", str(target), "--engine", engine, "--no-progress"])
        outputs[engine] = (result.exit_code, result.stderr.replace(str(target), "OUT"), target.read_bytes())
    assert outputs["table"] == outputs["record"]
    assert outputs["table"][0] == 1  # the bad rows are reported
    assert b"'=cmd" in outputs["table"][2]


def test_score_csv_writes_the_file_the_command_line_writes(tmp_path):
    methodology, records = _benchmark_csv(tmp_path, 40)
    _spoil(records)
    target = tmp_path / "table.csv"
    errors = _table.score_csv(str(methodology), records, target)
    assert {problem.row for error in errors for problem in error.problems} >= {4, 7}
    runner = CliRunner()
    reference = tmp_path / "record.csv"
    runner.invoke(main, ["score", str(methodology), str(records), "-o", str(reference), "--engine", "record", "--no-progress"])
    assert target.read_bytes() == reference.read_bytes()


def test_engine_table_needs_csv_output_and_one_version(tmp_path):
    methodology, records = _benchmark_csv(tmp_path, 3)
    runner = CliRunner()
    result = runner.invoke(main, ["score", str(methodology), str(records), "--format", "json", "--engine", "table"])
    assert result.exit_code == 2 and "CSV output" in result.output
    result = runner.invoke(main, ["score", "example/par-index/district", str(records), "--format", "csv", "--engine", "table"])
    assert result.exit_code == 2 and "one version" in result.output


# --------------------------------------------------------------------------- without the extra


def _python(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], check=False, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_import_par_rules_and_the_command_line_do_not_import_numpy(tmp_path):
    methodology, records = _benchmark_csv(tmp_path, 5)
    code = (
        "import sys, par_rules, par_rules.cli, par_rules.units\n"
        "assert 'numpy' not in sys.modules, 'import'\n"
        "from par_rules.cli import main\n"
        f"try:\n    main(['score', {str(methodology)!r}, {str(records)!r}, '--format', 'csv', '--no-progress'])\n"
        "except SystemExit:\n    pass\n"
        "assert 'numpy' not in sys.modules, 'a small file, engine auto'\n"
        "print('ok')\n"
    )
    done = _python(code, tmp_path)
    assert done.stdout.strip().endswith("ok"), done.stderr


def test_without_numpy_score_table_names_the_extra_and_the_command_line_works(tmp_path):
    methodology, records = _benchmark_csv(tmp_path, 5)
    code = (
        "import sys\n"
        "sys.modules['numpy'] = None  # as if the table extra were not installed\n"
        "sys.modules['pandas'] = None\n"
        "import par_rules\n"
        "try:\n    par_rules.score_table(par_rules.load('example/par-index/district'), object())\n"
        "except ImportError as error:\n    print('ERROR', error)\n"
        "from par_rules.units._table import table_available\n"
        "print('available', table_available())\n"
    )
    done = _python(code, tmp_path)
    assert "ERROR" in done.stdout and "par-rules[table]" in done.stdout, done.stderr
    runner = CliRunner()
    result = runner.invoke(main, ["score", str(methodology), str(records), "--format", "csv", "--engine", "table"], env={})
    assert result.exit_code == 0
    blocked = _python(
        "import sys; sys.modules['numpy'] = None\n"
        "from par_rules.cli import main\n"
        f"main(['score', {str(methodology)!r}, {str(records)!r}, '--format', 'csv', '--engine', 'table'])\n",
        tmp_path,
    )
    assert blocked.returncode == 2 and "par-rules[table]" in blocked.stderr
    plain = _python(
        "import sys; sys.modules['numpy'] = None\n"
        "from par_rules.cli import main\n"
        f"main(['score', {str(methodology)!r}, {str(records)!r}, '--format', 'csv', '--no-progress'])\n",
        tmp_path,
    )
    assert plain.returncode == 0 and plain.stdout.count("\n") == 6, plain.stderr


# --------------------------------------------------------------------------- beyond one machine


def test_the_dask_recipe_scores_partitions_as_one_table():
    """docs/performance.md: score_table is a pure function of a partition, so
    ``dask.dataframe.map_partitions`` runs it on each (here on the local threaded scheduler)."""
    dd = pytest.importorskip("dask.dataframe")
    methodology = par_rules.load("example/par-index/district")
    frame = _frame([_wide(record) for record in _district_records(50)])
    frame.loc[7, "online_rate"] = "lots"
    whole = par_rules.score_table(methodology, frame)
    parts = dd.from_pandas(frame, npartitions=4)
    meta = par_rules.score_table(methodology, frame.iloc[:0])
    scored = parts.map_partitions(lambda part: par_rules.score_table(methodology, part), meta=meta).compute(scheduler="threads")
    assert scored.map(lambda cell: None if cell is None else str(cell)).values.tolist() == whole.map(lambda cell: None if cell is None else str(cell)).values.tolist()
    assert scored["problem"].notna().sum() == 1
