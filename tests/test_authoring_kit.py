"""The authoring kit (issue 12): a province keeps its own methodologies in its own folder, outside
this repository, and par_rules creates, checks, tests, scores and publishes them from there.

The first test plays the author's whole path in a temporary folder; the others show each
common mistake with its message, its place (file:line:column) and its suggestion.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from click.testing import CliRunner

import par_rules
from par_rules.authoring._init import schema_path
from par_rules.cli import main
from par_rules.errors import MethodologyError, MethodologyNotFound

ROOT = Path(__file__).resolve().parent.parent
COMMUNE = "vn/thai-binh/par-index/commune"  # a made-up province index: illustrative only


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(autouse=True)
def no_user_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAR_RULES_PATH", raising=False)


# --- the author's whole path ----------------------------------------------------------------------


def test_the_author_s_whole_path_outside_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not tmp_path.resolve().is_relative_to(ROOT)
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "methodologies"
    folder = root / COMMUNE

    # init: a file with a working $schema line, and its tests, that pass check and test as created
    code, out, err = run("init", COMMUNE, "--version", "2026", "--root", str(root))
    assert code == 0, err
    first = folder / "2026.yaml"
    schema_line = first.read_text(encoding="utf-8").splitlines()[0]
    relative = schema_line.removeprefix("# yaml-language-server: $schema=")
    assert relative != schema_line and (first.parent / relative).resolve() == (root / "methodology.schema.json").resolve()
    assert json.loads((first.parent / relative).read_text(encoding="utf-8")) == json.loads(schema_path().read_text(encoding="utf-8"))
    assert (folder / "2026.tests.yaml").is_file()

    # fill it in: the online share now earns points in proportion, and the tests say what it gives
    bands = "    rule:\n      kind: bands\n      indicator: online_rate\n      bands:\n"
    bands += "        - {at_least: 80, points: 60}\n        - {at_least: 50, below: 80, points: 30}\n        - {below: 50, points: 0}\n"
    replace(first, bands, "    rule: {kind: proportional, indicator: online_rate}\n")
    tests = folder / "2026.tests.yaml"
    replace(tests, 'nodes: {"1": 40, "2": 60}\n      total: 100', 'nodes: {"1": 40, "2": 51}\n      total: 91')
    replace(tests, 'nodes: {"1": 0, "2": 30}\n      total: 30', 'nodes: {"1": 0, "2": 36}\n      total: 36')

    code, out, err = run("check", "--root", str(root))
    assert code == 0, out + err
    assert f"{COMMUNE}@2026, 2 leaves" in out and "2 case(s)" in out and "warning" not in out
    code, out, err = run("test", "--root", str(root))
    assert code == 0, out + err
    assert out.strip().endswith("2 passed, 0 failed")  # the root's tests, not the shipped ones

    # the next version: it extends 2026, renumbers field 2 and says so in its lineage
    code, out, err = run("init", COMMUNE, "--version", "2027", "--root", str(root), "--extends", f"{COMMUNE}@2026")
    assert code == 0, err
    second = folder / "2027.yaml"
    replace(second, "changes: []", 'changes:\n  - {op: replace, node: "2", with: {id: "2a", label: Hồ sơ trực tuyến toàn trình, max: 60, rule: {kind: proportional, indicator: online_rate}}}')
    replace(second, "nodes: {}", 'nodes: {"2a": "2"}')
    second_tests = folder / "2027.tests.yaml"
    second_tests.write_text(second_tests.read_text(encoding="utf-8").replace("'2':", "'2a':"), encoding="utf-8")
    code, out, err = run("check", str(root))
    assert code == 0, out + err
    code, out, err = run("test", COMMUNE, "--root", str(root))  # an id: the tests of every version
    assert code == 0 and out.strip().endswith("4 passed, 0 failed"), out + err
    code, out, err = run("check", COMMUNE, "--root", str(root))  # an id: every version of it
    assert code == 0 and out.count(": ok (") == 2 and "2027.yaml: ok" in out, out + err
    code, out, err = run("test", "--root", str(root))
    assert code == 0 and out.strip().endswith("4 passed, 0 failed"), out + err

    code, out, err = run("diff", f"{COMMUNE}@2026", f"{COMMUNE}@2027", "--root", str(root))
    assert code == 0, err
    assert re.search(r"renamed.*2a", out), out

    code, out, err = run("list", "--root", str(root))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"{COMMUNE}@2026  years 2026  commune  illustrative") and lines[1].startswith(f"{COMMUNE}@2027  years 2027")
    assert any(line.startswith("example/par-index/district@2024") and line.endswith("[shipped]") for line in lines)

    # score a CSV by id: each row under the version in force for its period
    records = tmp_path / "records.csv"
    records.write_text("unit,period,plan_issued,online_rate\nxa-a,2026,true,85\nxa-b,2027,false,50\n", encoding="utf-8")
    code, out, err = run("score", COMMUNE, str(records), "--root", str(root), "--format", "csv")
    assert code == 0, err
    rows = {row["unit"]: row for row in csv.DictReader(out.splitlines())}
    assert rows["xa-a"]["total"] == "91.00" and rows["xa-a"]["points_2"] == "51"
    assert rows["xa-b"]["total"] == "30.00" and rows["xa-b"]["points_2a"] == "30"
    code, _, err = run("score", COMMUNE, str(records), "--format", "csv")  # without the root: not found
    assert code == 1 and "par-rules list" in err and "--root" in err

    # the site of the province's own folder, through the plugin
    code, out, err = run("init", "--site", "--root", str(root))
    assert code == 0, err
    assert '- par-rules:\n      roots: ["methodologies"]' in (tmp_path / "mkdocs.yml").read_text(encoding="utf-8")
    _require_plugin()
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")]
    build = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert build.returncode == 0, build.stdout + build.stderr
    history = (tmp_path / "site" / "criteria" / COMMUNE / "history" / "index.html").read_text(encoding="utf-8")
    assert "2a" in history and "đổi tên" in history  # the site's theme is in Vietnamese, and so are its pages
    assert (tmp_path / "site" / "criteria" / COMMUNE / "2027-examples" / "index.html").is_file()
    assert not (tmp_path / "site" / "criteria" / "example").exists()  # only the roots given


def _require_plugin() -> None:
    pytest.importorskip("mkdocs", reason='the docs extra is not installed (pip install -e ".[docs]")')
    if not entry_points(group="mkdocs.plugins", name="par-rules"):
        pytest.fail("the mkdocs plugin par-rules is not registered: install the package again (pip install -e .) to register pyproject.toml's entry points")


# --- roots ----------------------------------------------------------------------------------------

SMALL = """format: 1
id: {id}
version: "{version}"
years: [{year}]
title: {title}
issuer: ví dụ
level: commune
scale: 10
status: illustrative
indicators:
  online_rate: {{label: Tỷ lệ hồ sơ trực tuyến, type: percent}}
  inspected_share: {{label: Tỷ lệ đơn vị được kiểm tra, type: ratio, missing: zero}}
  plan: {{label: Kế hoạch, type: level, levels: {{on_time: Kịp thời, late: Chậm}}, missing: zero}}
criteria:
{criteria}
"""
LEAF = '  - {id: "1", label: Trực tuyến, max: 10, rule: {kind: proportional, indicator: online_rate}}'


def write(root: Path, methodology_id: str = "test/index", version: str = "2026", criteria: str = LEAF, title: str = "Mine", extra: str = "") -> Path:
    path = root / methodology_id / f"{version}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SMALL.format(id=methodology_id, version=version, year=version[:4], title=title, criteria=criteria) + extra, encoding="utf-8")
    return path


def test_user_roots_come_before_the_shipped_ones_in_the_api_the_environment_and_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine, other = tmp_path / "mine", tmp_path / "other"
    write(mine, "example/par-index/district", "2024", title="Tỉnh tôi")  # hides the shipped version
    write(other, "other/index", "2026", title="Other")
    assert par_rules.load("example/par-index/district", version="2024", root=[mine]).title == "Tỉnh tôi"
    assert par_rules.load("example/par-index/district", version="2024").title != "Tỉnh tôi"
    assert par_rules.load("other/index", root=[mine, other]).title == "Other"  # a list, searched in order
    assert par_rules.score("other/index", {"period": 2026, "online_rate": 50}, root=[other]).total == 5
    with pytest.raises(MethodologyNotFound, match=r"no methodology with id 'other/index' in .*mine.*par-rules list"):
        par_rules.load("other/index", root=mine)
    monkeypatch.setenv("PAR_RULES_PATH", os.pathsep.join([str(mine), str(other)]))
    assert par_rules.load("other/index").title == "Other"
    assert par_rules.load("example/par-index/district", version="2024").title == "Tỉnh tôi"
    monkeypatch.delenv("PAR_RULES_PATH")
    _, out, _ = run("list", "--root", str(other))
    assert out.splitlines()[0].startswith("other/index@2026  years 2026  commune  illustrative  Other  [")
    assert "PAR_RULES_PATH" not in os.environ  # --root is taken off again when the command ends


def test_every_command_that_names_methodologies_takes_root() -> None:
    named = {"score", "rank", "compare", "gaps", "whatif", "explain", "diff", "test", "check", "list", "init", "form", "report", "survey"}
    assert named <= set(main.commands)
    for name in named:
        code, out, _ = run(name, "--help")
        assert code == 0 and "--root DIR" in out, name


def test_extends_across_roots_and_to_a_missing_version_lists_the_versions(tmp_path: Path) -> None:
    write(tmp_path, "test/index", "2025")
    write(tmp_path, "test/index", "2026")
    child = tmp_path / "test/index/2027.yaml"
    child.write_text('format: 1\nid: test/index\nversion: "2027"\nyears: [2027]\nextends: {version: "2024"}\n', encoding="utf-8")
    with pytest.raises(MethodologyError) as caught:
        par_rules.load(child)
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (5, 1) and problem.file and problem.file.endswith("2027.yaml")
    assert "extends test/index@2024: no such file" in problem.message and "the versions of test/index are: 2025, 2026" in problem.message


def test_schema_prints_the_installed_schema_and_copies_it(tmp_path: Path) -> None:
    code, out, _ = run("schema")
    assert code == 0 and Path(out.strip()) == schema_path() and schema_path().is_file()
    code, out, _ = run("schema", "-o", str(tmp_path))
    assert code == 0 and (tmp_path / "methodology.schema.json").read_bytes() == schema_path().read_bytes()


def test_init_never_overwrites_and_refuses_a_bad_id(tmp_path: Path) -> None:
    assert run("init", COMMUNE, "--version", "2026", "--root", str(tmp_path))[0] == 0
    code, _, err = run("init", COMMUNE, "--version", "2026", "--root", str(tmp_path))
    assert code == 1 and "exists already" in err
    code, _, err = run("init", "VN/Bad Id", "--version", "2026", "--root", str(tmp_path))
    assert code == 1 and "is not a methodology id" in err
    code, _, err = run("init", COMMUNE, "--version", "2028", "--root", str(tmp_path), "--extends", f"{COMMUNE}@2020")
    assert code == 1 and "no version '2020'" in err and "2026" in err


# --- mistakes that went through, each with its place and what to do ----------------------------------


def _warnings(out: str) -> list[str]:
    return [line for line in out.splitlines() if ": warning: " in line]


def test_a_percent_written_as_a_fraction_is_warned_at_its_place_and_strict_refuses_it(tmp_path: Path) -> None:
    bands = (
        '  - {id: "1", label: Trực tuyến, max: 10, rule: {kind: bands, indicator: online_rate, '
        "bands: [{at_least: 0.8, points: 10}, {at_least: 0.5, below: 0.8, points: 5}, {below: 0.5, points: 0}]}}"
    )
    path = write(tmp_path, criteria=bands)
    code, out, _ = run("check", str(path))
    assert code == 0, out
    warnings = _warnings(out)
    assert len(warnings) == 4  # 0.8, 0.5, 0.8 and 0.5, each where it is written
    line = 15
    assert warnings[0].startswith(f"{os.path.relpath(path)}:{line}:")
    assert "the band limit at_least: 0.8 looks like a fraction, but 'online_rate' is a percent (0 to 100): 0.8 means 0.8%; for 80% write 80" in warnings[0]
    column = int(warnings[0].split(":")[2])
    assert (tmp_path / "test/index/2026.yaml").read_text(encoding="utf-8").splitlines()[line - 1][column - 1 :].startswith("at_least: 0.8")
    code, out, _ = run("check", "--strict", str(path))
    assert code == 1 and ": error: the band limit at_least: 0.8" in out


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("{kind: proportional, indicator: online_rate, full_at: 0.5}", "full_at: 0.5 looks like a fraction, but 'online_rate' is a percent (0 to 100): 0.5 means 0.5%; for 50% write 50"),
        ("{kind: proportional, indicator: inspected_share, full_at: 100}", "full_at: 100 is outside the range of 'inspected_share' is a ratio (0 to 1): a ratio is a fraction of 1; for 100% write 1"),
        (
            '{kind: expression, formula: "MAX if online_rate >= 0.9 else 0"}',
            "the formula compares online_rate with 0.9 looks like a fraction, but 'online_rate' is a percent (0 to 100): 0.9 means 0.9%; for 90% write 90 (at character 23 of the formula)",
        ),
        (
            "{kind: bands, indicator: online_rate, bands: [{above: 100, points: 10}, {at_most: 100, points: 0}]}",
            "the band limit above: 100 is at the edge of the range of 'online_rate' is a percent (0 to 100): no value is above it",
        ),
    ],
)
def test_full_at_and_formula_constants_in_the_other_unit_are_warned(tmp_path: Path, rule: str, expected: str) -> None:
    path = write(tmp_path, criteria=f'  - {{id: "1", label: Một, max: 10, rule: {rule}}}')
    code, out, _ = run("check", str(path))
    assert code == 0, out
    (warning,) = _warnings(out)
    assert re.match(r".*2026\.yaml:15:\d+: indicator \w+: warning: ", warning), warning
    assert expected in warning


def test_the_shipped_methodologies_get_no_warning() -> None:
    code, out, _ = run("check", "--strict", str(par_rules.shipped_root()))
    assert code == 0 and "warning" not in out and "error" not in out


def test_a_lineage_naming_unknown_nodes_is_refused_at_load_with_its_place(tmp_path: Path) -> None:
    write(tmp_path, "test/index", "2025")
    criteria = '  - {id: "1.1", label: Trực tuyến, max: 10, rule: {kind: proportional, indicator: online_rate}}'
    path = write(tmp_path, "test/index", "2026", criteria=criteria, extra='lineage:\n  from: {version: "2025"}\n  nodes:\n    "1.2": "1"\n    "1.1": "7"\n')
    with pytest.raises(MethodologyError) as caught:
        par_rules.load(path)
    messages = [str(problem) for problem in caught.value.problems]
    assert re.search(r"2026\.yaml:19:5: the lineage names node 1.2, which test/index@2026 does not have \(did you mean '1.1'\?\)", messages[0]), messages
    assert re.search(r"2026\.yaml:20:5: the lineage sends node 1.1 to 7, which test/index@2025 does not have", messages[1]), messages
    missing = write(tmp_path, "test/index", "2027", extra='lineage:\n  from: {version: "2019"}\n')
    with pytest.raises(MethodologyError, match=r"2027\.yaml:17:3: lineage starts from test/index@2019: no such file .* the versions of test/index are: 2025, 2026"):
        par_rules.load(missing)


@pytest.mark.parametrize(
    ("criteria", "place", "message"),
    [
        ('  - {id: "1", label: a, max: 10, rule: {kind: expression, formula: "MAX * onlin_rate / 100"}}', ":15:", "unknown name 'onlin_rate' (not a declared indicator) (did you mean 'online_rate'?)"),
        ('  - {id: "1", label: a, max: 10, rule: {kind: proportional, indicator: online_rat}}', ":15:", "unknown indicator 'online_rat' (did you mean 'online_rate'?)"),
        ('  - {id: "1", label: a, max: 10, rule: {kind: levels, indicator: plan, points: {on_time: 10, lat: 5}}}', ":15:", "'plan' has no level(s) lat (did you mean 'late'?)"),
        ('  - {id: "1", label: a, max: 10, rule: {kind: expression, formula: "MAX if plan == \'ontime\' else 0"}}', ":15:", "'ontime' is not a level of plan (did you mean 'on_time'?)"),
        (
            '  - {id: "1", label: a, max: 10, rule: {kind: proportional, indicator: online_rate, ful_at: 50}}',
            ":15:",
            "('ful_at' was unexpected); allowed here: full_at, indicator, kind (did you mean 'full_at'?)",
        ),
    ],
)
def test_unknown_names_get_a_suggestion(tmp_path: Path, criteria: str, place: str, message: str) -> None:
    path = write(tmp_path, criteria=criteria)
    code, out, _ = run("check", str(path))
    assert code == 1
    line = next(line for line in out.splitlines() if message in line)
    assert place in line and "2026.yaml" in line


@pytest.mark.parametrize(
    ("text", "place", "advice"),
    [
        ("format: 1\nid: test/index\n\tversion: '1'\n", ":3:1:", "tabs are not allowed in YAML; indent with spaces"),
        ("format: 1\nindicators:\n  a: {label: a, type: number}\n   b: {label: b, type: number}\n", ":4:4:", "check this line's indentation"),
        ("format: 1\ncriteria:\n  - id: '1'\n    label: a\n   max: 2\n", ":5:4:", "check this line's indentation"),
    ],
)
def test_yaml_mistakes_say_what_to_do(tmp_path: Path, text: str, place: str, advice: str) -> None:
    path = tmp_path / "test" / "2026.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    code, out, _ = run("check", str(path))
    assert code == 1
    assert place in out and advice in out, out


@pytest.mark.parametrize(
    ("max_text", "advice"),
    [("max: 16,75", "write numbers with a decimal point: 16.75, not 16,75"), ("{max: 16,75}", "a number written with a decimal comma inside { }? write 16.75, not 16,75")],
)
def test_a_decimal_comma_says_write_a_point(tmp_path: Path, max_text: str, advice: str) -> None:
    if not max_text.startswith("{"):
        criteria = f'  - id: "1"\n    label: a\n    {max_text.strip("{}")}\n    rule: {{kind: proportional, indicator: online_rate}}'
    else:
        criteria = f'  - {{id: "1", label: a, {max_text.strip("{}")}, rule: {{kind: proportional, indicator: online_rate}}}}'
    path = write(tmp_path, criteria=criteria)
    code, out, _ = run("check", str(path))
    assert code == 1 and advice in out, out
    assert re.search(r"2026\.yaml:(15|17):\d+:", out), out


# --- tests files -----------------------------------------------------------------------------------


def _suite(tmp_path: Path, cases: str) -> Path:
    write(tmp_path)
    tests = tmp_path / "test/index/2026.tests.yaml"
    tests.write_text(cases, encoding="utf-8")
    return tests


def test_check_checks_a_tests_file_against_its_methodology(tmp_path: Path) -> None:
    tests = _suite(tmp_path, "cases:\n  - name: one\n    record: {period: 2026, onlne_rate: 50}\n    expect: {nodes: {'11': 5}, band: Z}\n")
    code, out, _ = run("check", str(tests))
    assert code == 1
    assert "schema" not in out and "allowed here" not in out  # no bogus schema errors
    assert re.search(r"2026\.tests\.yaml:3:28: case 'one': 'onlne_rate' is no indicator of test/index@2026 \(did you mean 'online_rate'\?\)", out), out
    assert re.search(r"2026\.tests\.yaml:4:\d+: case 'one': test/index@2026 has no node 11 \(did you mean '1'\?\)", out), out
    code, out, _ = run("check", str(tmp_path))  # a folder: the methodology and its tests
    assert code == 1 and "2026.yaml: ok" in out and "onlne_rate" in out


def test_cases_start_from_another_case_or_from_a_row_of_a_records_file(tmp_path: Path) -> None:
    (tmp_path / "test/index").mkdir(parents=True)
    (tmp_path / "test/index/units.csv").write_text("unit,period,online_rate\nxa-a,2026,40\nxa-b,2026,90\n", encoding="utf-8")
    tests = _suite(tmp_path, """cases:
  - name: half
    record: {unit: xa, period: 2026, online_rate: 50}
    expect: {total: 5}
  - name: more
    base: half
    record: {online_rate: 75}
    expect: {total: 7.5}
  - name: a row
    from: {file: units.csv, row: 3}
    expect: {total: 9}
  - name: a unit, changed
    from: {file: units.csv, unit: xa-a}
    record: {online_rate: 20}
    expect: {total: 2}
""")
    code, out, err = run("test", str(tests), "-v")
    assert code == 0, out + err
    assert "4 passed, 0 failed" in out
    broken = _suite(tmp_path, "cases:\n  - name: half\n    record: {period: 2026, online_rate: 50}\n    expect: {total: 5}\n  - name: more\n    base: hlaf\n    record: {}\n    expect: {total: 5}\n")
    code, out, _ = run("check", str(broken))
    assert code == 1 and re.search(r"2026\.tests\.yaml:6:5: case 'more': base 'hlaf' is not the name of an earlier case \(did you mean 'half'\?\)", out), out
    (tmp_path / "outside.csv").write_text("unit,period,online_rate\nxa,2026,50\n", encoding="utf-8")
    for name in ("../../outside.csv", str(tmp_path / "outside.csv")):
        outside = _suite(tmp_path, f"cases:\n  - name: far\n    from: {{file: {json.dumps(name)}, row: 2}}\n    expect: {{total: 5}}\n")
        code, out, _ = run("check", str(outside))
        assert code == 1 and re.search(r"2026\.tests\.yaml:3:5: case 'far': the records file .* must be beside the tests file or in a folder below it", out), out
    code, out, _ = run("check", str(_suite(tmp_path, "cases:\n  - name: no row\n    from: {file: units.csv, row: 9}\n    expect: {total: 5}\n")))
    assert code == 1 and "units.csv has no row 9 (rows 2 to 3; the header is row 1)" in out, out


def test_a_failing_case_shows_expected_and_actual_rounded_node_by_node(tmp_path: Path) -> None:
    tests = _suite(tmp_path, "cases:\n  - name: third\n    record: {period: 2026, online_rate: 33.3333}\n    expect: {nodes: {'1': 3}, total: 3.3333}\n")
    code, out, _ = run("test", str(tests))
    assert code == 1
    assert "case 'third': node 1: expected 3, got ≈3.33" in out  # the methodology's 2 decimals
    assert "case 'third': total: expected 3.3333, got 3.33333" in out  # more digits where 2 would hide the difference


def test_a_period_outside_the_version_s_years_is_warned(tmp_path: Path) -> None:
    tests = _suite(tmp_path, "cases:\n  - name: last year\n    record: {period: 2025, online_rate: 50}\n    expect: {total: 5}\n")
    code, out, _ = run("check", str(tests))
    assert code == 0 and re.search(r"2026\.tests\.yaml:3:14: warning: case 'last year': the period 2025 is not among the years of test/index@2026 \(2026\)", out), out
    records = tmp_path / "records.csv"
    records.write_text("unit,period,online_rate\nxa-a,2025,50\nxa-b,2026,50\n", encoding="utf-8")
    code, _, err = run("score", str(tmp_path / "test/index/2026.yaml"), str(records), "--format", "csv")
    assert code == 0 and "warning: 1 record(s) scored under test/index@2026, whose years (2026) do not include their period: xa-a (2025)" in err


# --- the schema, for editors ---------------------------------------------------------------------


def test_every_property_of_the_schema_is_described_in_vietnamese_and_english() -> None:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    found: list[tuple[str, str]] = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            for name, value in (node.get("properties") or {}).items():
                if value is not True:  # `kind: true` in a rule kind's branch: described at the top of the rule
                    found.append((f"{path}/{name}", value.get("description", "") if isinstance(value, dict) else ""))
            for key, value in node.items():
                if key != "if":  # a branch's condition, never shown while typing
                    walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]")

    walk(schema, "")
    assert len(found) > 130  # the walk reached every part of the schema
    for path, description in found:
        vietnamese, _, english = description.partition(" · ")
        assert vietnamese and english, f"{path}: {description!r}"
        assert re.search("[ăâđêôơưáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ]", vietnamese.lower()), path
    bands = list(schema["$defs"]["band"]["properties"])
    assert bands[:4] == ["at_least", "above", "at_most", "below"]
    assert list(schema["$defs"]["rating_band"]["properties"])[:4] == ["at_least", "above", "at_most", "below"]


def test_the_next_version_starts_with_the_tests_of_the_last_one_numbers_exact(tmp_path: Path) -> None:
    source = "vn/moha/par-index/province"  # a shipped one, extended under another id
    code, out, err = run("init", "vn/thai-binh/par-index/province", "--version", "2026", "--extends", f"{source}@2024", "--root", str(tmp_path))
    assert code == 0, err
    cases = len(par_rules.authoring.load_tests(par_rules.shipped_root() / source / "2024.tests.yaml").cases)
    code, out, err = run("test", "--root", str(tmp_path))
    assert code == 0 and out.strip().endswith(f"{cases} passed, 0 failed"), out + err
    # a number of 17 digits, which a float would change (…891 becomes …892), is copied as written
    mine = tmp_path / "mine"
    write(mine, criteria='  - {id: "1", label: Điểm, max: 9999999, rule: {kind: direct, indicator: points}}', extra="")
    replace(mine / "test/index/2026.yaml", "indicators:\n", "indicators:\n  points: {label: Điểm thẩm định, type: number}\n")
    replace(mine / "test/index/2026.yaml", "scale: 10\n", "scale: 9999999\n")
    tests = "cases:\n  - name: long\n    record: {period: 2026, online_rate: 1, points: 1234567.1234567891}\n    expect: {nodes: {'1': 1234567.1234567891}}\n"
    (mine / "test/index/2026.tests.yaml").write_text(tests, encoding="utf-8")
    assert run("test", "--root", str(mine))[0] == 0
    code, _, err = run("init", "test/index", "--version", "2027", "--extends", "test/index@2026", "--root", str(mine))
    assert code == 0, err
    assert (mine / "test/index/2027.tests.yaml").read_text(encoding="utf-8").count("1234567.1234567891") == 2
    assert run("test", "--root", str(mine))[1].strip().endswith("2 passed, 0 failed")


def test_the_plugin_names_a_missing_root_and_a_broken_methodology(tmp_path: Path) -> None:
    _require_plugin()
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.exceptions import PluginError

    (entry,) = entry_points(group="mkdocs.plugins", name="par-rules")
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text("site_name: x\n", encoding="utf-8")
    config = MkDocsConfig(config_file_path=str(config_file))
    config.load_dict({"site_name": "x", "nav": [{"Home": "index.md"}]})
    plugin = entry.load()()
    plugin.load_config({"roots": ["nowhere"]}, str(config_file))
    with pytest.raises(PluginError, match=r"the methodology folder .*nowhere does not exist"):
        plugin.on_config(config)
    write(tmp_path / "mine", criteria='  - {id: "1", label: a, max: 10, rule: {kind: proportional, indicator: online_rat}}')
    plugin.load_config({"roots": ["mine"]}, str(config_file))
    with pytest.raises(PluginError, match=r"(?s)the criteria browser cannot be built:\n.*2026\.yaml:15:\d+: .*unknown indicator 'online_rat' \(did you mean 'online_rate'\?\)"):
        plugin.on_config(config)
    write(tmp_path / "good", title="Tốt")
    plugin.load_config({"roots": ["good"]}, str(config_file))
    plugin.on_config(config)  # a nav without the browser's entry gets a section at its end
    assert config.nav[0] == {"Home": "index.md"} and list(config.nav[1]) == ["Criteria browser"]
