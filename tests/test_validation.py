"""Validation: every kind of problem is reported with its file, line, column and node, all at once."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import par_rules
from par_rules import MethodologyError
from par_rules.cli import main

from .methodology_text import line_of, methodology, write

GOOD_INDICATORS = """
done: {label: Tỷ lệ hoàn thành, type: percent}
plan: {label: Kế hoạch, type: level, levels: {on_time: Kịp thời, late: Chậm}}
"""

GOOD_CRITERIA = """
- id: "1"
  label: Lĩnh vực
  max: 10
  children:
    - id: "1.1"
      label: Hoàn thành kế hoạch
      max: 6
      rule: {kind: bands, indicator: done, bands: [{at_least: 90, points: 6}, {below: 90, points: 0}]}
    - id: "1.2"
      label: Ban hành kế hoạch
      max: 4
      rule: {kind: levels, indicator: plan, points: {on_time: 4, late: 2}}
"""


def problems_of(tmp_path, text: str, name: str = "1.yaml") -> list[par_rules.Problem]:
    with pytest.raises(MethodologyError) as caught:
        par_rules.load(write(tmp_path, text, name))
    return list(caught.value.problems)


def test_the_good_file_loads(tmp_path):
    m = par_rules.load(write(tmp_path, methodology(GOOD_INDICATORS, GOOD_CRITERIA)))
    assert [node.id for node in m.nodes()] == ["1", "1.1", "1.2"]


def test_yaml_syntax_error_has_its_line(tmp_path):
    text = methodology(GOOD_INDICATORS, GOOD_CRITERIA).replace("max: 6", "max: [6")
    [problem] = problems_of(tmp_path, text)
    assert problem.file.endswith("1.yaml")
    assert problem.line is not None and problem.line >= line_of(text, "max: [6")
    assert "YAML syntax" in problem.message


def test_duplicate_key_is_rejected_at_its_line(tmp_path):
    text = methodology(GOOD_INDICATORS, GOOD_CRITERIA).replace("max: 6\n", "max: 6\n        max: 7\n")
    [problem] = problems_of(tmp_path, text)
    assert (problem.line, problem.column) == (line_of(text, "max: 7"), 9)
    assert "duplicate key 'max'" in problem.message


def test_schema_errors_name_the_key_and_line(tmp_path):
    text = methodology(GOOD_INDICATORS, GOOD_CRITERIA).replace("      max: 6\n", "      maxx: 6\n").replace("max: 4", "max: four")
    problems = problems_of(tmp_path, text)
    unexpected = next(p for p in problems if "'maxx' was unexpected" in p.message)
    assert (unexpected.line, unexpected.column, unexpected.node) == (line_of(text, "maxx: 6"), 9, "1.1")
    assert any("'max' is a required property" in p.message and p.node == "1.1" for p in problems)
    four = [p for p in problems if "four" in p.message]
    assert four and four[0].line == line_of(text, "max: four") and four[0].node == "1.2"


def test_semantic_problems_are_all_reported_with_lines(tmp_path):
    criteria = GOOD_CRITERIA.replace('id: "1.2"', 'id: "1.1"').replace("{at_least: 90, points: 6}", "{at_least: 90, points: 7}")
    criteria = criteria.replace("points: {on_time: 4, late: 2}", "points: {on_time: 4}")
    text = methodology(GOOD_INDICATORS, criteria)
    problems = problems_of(tmp_path, text)
    messages = [p.message for p in problems]
    assert any("duplicate node id 1.1" in m for m in messages)
    assert any("more than the cap 6" in m for m in messages)
    assert any("no points for level(s) late" in m for m in messages)
    assert all(p.line for p in problems)
    duplicate = next(p for p in problems if "duplicate node id" in p.message)
    second = [n for n, line in enumerate(text.splitlines(), 1) if 'id: "1.1"' in line][1]
    assert duplicate.line == second


def test_caps_that_do_not_add_up(tmp_path):
    text = methodology(GOOD_INDICATORS, GOOD_CRITERIA.replace("max: 4", "max: 3").replace("points: {on_time: 4, late: 2}", "points: {on_time: 3, late: 2}"))
    [problem] = problems_of(tmp_path, text)
    assert "add up to 9, not to this node's cap 10" in problem.message
    assert (problem.node, problem.line) == ("1", line_of(text, "max: 10"))
    with_note = text.replace("  max: 10\n", "  max: 10\n    cap_note: the last point is the council's\n", 1)
    assert par_rules.load(write(tmp_path, with_note)).criteria[0].cap_note


@pytest.mark.parametrize(
    "bands, message",
    [
        ("[{at_least: 90, points: 6}, {below: 80, points: 0}]", "no band covers from 80% to under 90%"),
        ("[{at_least: 90, points: 6}, {at_most: 90, points: 0}]", "bands overlap"),
        ("[{above: 90, points: 6}, {below: 90, points: 0}]", "no band covers from 90% to 90%"),
        ("[{at_least: 90, points: 6}, {at_least: 10, below: 90, points: 0}]", "no band covers from 0% to under 10%"),
        ("[{at_least: 90, below: 99, points: 6}, {below: 90, points: 0}]", "no band covers from 99% to 100%"),
        ("[{at_least: 90, above: 91, points: 6}, {below: 90, points: 0}]", "has both 'at_least' and 'above'"),
    ],
)
def test_bands_must_cover_the_range_without_overlap(tmp_path, bands, message):
    criteria = GOOD_CRITERIA.replace("[{at_least: 90, points: 6}, {below: 90, points: 0}]", bands)
    text = methodology(GOOD_INDICATORS, criteria)
    problems = problems_of(tmp_path, text)
    assert any(message in p.message for p in problems), [p.message for p in problems]
    assert all(p.line for p in problems)


def test_unbounded_indicator_needs_an_open_top_band(tmp_path):
    indicators = GOOD_INDICATORS + "n: {label: Số, type: count}\n"
    before = "indicator: done, bands: [{at_least: 90, points: 6}, {below: 90, points: 0}]"
    criteria = GOOD_CRITERIA.replace(before, "indicator: n, bands: [{at_least: 5, at_most: 10, points: 6}, {below: 5, points: 0}]")
    problems = problems_of(tmp_path, methodology(indicators, criteria))
    assert any("no band covers above 10" in p.message for p in problems)


@pytest.mark.parametrize(
    "formula, message",
    [
        ("done.__class__", "attribute access"),
        ("9 ** 9 ** 9", "power (**) is not allowed"),
        ("rand()", "function 'rand' is not allowed"),
        ("undeclared * 2", "unknown name 'undeclared'"),
        ("(lambda: 1)()", "not allowed"),
        ("done; done", "single expression"),
        ("[x for x in done]", "comprehensions are not allowed"),
        ("plan * 2", "needs numbers"),
        ("6 if plan == 'early' else 0", "'early' is not a level of plan"),
    ],
)
def test_expressions_are_checked_at_load_time(tmp_path, formula, message):
    criteria = GOOD_CRITERIA.replace(
        "rule: {kind: bands, indicator: done, bands: [{at_least: 90, points: 6}, {below: 90, points: 0}]}",
        f"rule: {{kind: expression, formula: {formula!r}}}" if "'" not in formula else f'rule: {{kind: expression, formula: "{formula}"}}',
    )
    text = methodology(GOOD_INDICATORS, criteria)
    [problem] = problems_of(tmp_path, text)
    assert message in problem.message
    assert (problem.node, problem.line) == ("1.1", line_of(text, "kind: expression"))


def test_derived_indicators_may_not_form_a_cycle(tmp_path):
    indicators = GOOD_INDICATORS + 'a: {label: A, type: number, formula: "b + 1"}\nb: {label: B, type: number, formula: "a + 1"}\n'
    text = methodology(indicators, GOOD_CRITERIA)
    problems = problems_of(tmp_path, text)
    assert any("form a cycle" in p.message and p.indicator in ("a", "b") for p in problems)


def test_rule_must_fit_its_indicator_type(tmp_path):
    criteria = GOOD_CRITERIA.replace("kind: levels, indicator: plan", "kind: levels, indicator: done")
    [problem] = problems_of(tmp_path, methodology(GOOD_INDICATORS, criteria))
    assert "a levels rule needs a level indicator; 'done' is a percent" in problem.message


def test_unknown_indicator_and_reserved_ids(tmp_path):
    criteria = GOOD_CRITERIA.replace("indicator: plan", "indicator: plna")
    indicators = GOOD_INDICATORS + "unit: {label: Đơn vị, type: number}\n"
    problems = problems_of(tmp_path, methodology(indicators, criteria))
    assert any("unknown indicator 'plna'" in p.message for p in problems)
    assert any("'unit' is reserved" in p.message for p in problems)


def test_fields_must_add_up_to_the_scale(tmp_path):
    [problem] = problems_of(tmp_path, methodology(GOOD_INDICATORS, GOOD_CRITERIA, scale="100"))
    assert "the fields' caps add up to 10, not to the scale 100" in problem.message


def test_rating_bands_may_not_overlap(tmp_path):
    text = methodology(GOOD_INDICATORS, GOOD_CRITERIA).replace("{id: B, at_least: 80, below: 90}", "{id: B, at_least: 80, below: 95}")
    [problem] = problems_of(tmp_path, text)
    assert "rating band B overlaps band A" in problem.message


def test_a_version_extends_an_earlier_one(tmp_path):
    write(tmp_path, methodology(GOOD_INDICATORS, GOOD_CRITERIA), "1.yaml")
    child = """\
format: 1
id: test/index
version: "2"
years: [2025]
extends: {version: "1"}
changelog: 1.1 re-capped, 1.2 replaced by a boolean criterion.
indicators:
  ok: {label: Đạt, type: boolean}
changes:
  - {op: update, node: "1.1", set: {max: 5, rule: {kind: proportional, indicator: done}}}
  - {op: remove, node: "1.2"}
  - {op: add, parent: "1", node: {id: "1.3", label: Mới, max: 5, rule: {kind: boolean, indicator: ok}}}
"""
    m = par_rules.load(write(tmp_path, child, "2.yaml"))
    assert [n.id for n in m.nodes()] == ["1", "1.1", "1.3"]
    assert m.title == "Chỉ số thử" and m.extends == ("test/index", "1") and m.years == (2025,)
    assert par_rules.score(m, {"done": 50, "ok": True, "plan": "late"}).total == 7.5
    broken = child.replace('node: "1.2"}', 'node: "9.9"}')
    problems = problems_of(tmp_path, broken, "2.yaml")
    [problem] = [p for p in problems if "9.9" in p.message]
    assert problem.line == line_of(broken, "9.9")


def test_extends_problems_in_inherited_nodes_point_at_the_parent_file(tmp_path):
    write(tmp_path, methodology(GOOD_INDICATORS, GOOD_CRITERIA), "1.yaml")
    child = 'format: 1\nid: test/index\nversion: "2"\nyears: [2025]\nextends: {version: "1"}\nchanges:\n  - {op: update, node: "1.1", set: {max: 5}}\n'
    problems = problems_of(tmp_path, child, "2.yaml")
    by_file = {p.file.rsplit("/", 1)[-1]: p for p in problems}
    assert "1.yaml" in by_file  # the band giving 6 points > 5 lives in the parent file
    assert "more than the cap 5" in by_file["1.yaml"].message


def test_check_command_prints_every_problem_and_exits_1(tmp_path):
    criteria = GOOD_CRITERIA.replace('id: "1.2"', 'id: "1.1"').replace("points: {on_time: 4, late: 2}", "points: {on_time: 4}")
    bad = write(tmp_path, methodology(GOOD_INDICATORS, criteria))
    result = CliRunner().invoke(main, ["check", str(bad)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "1.yaml:" in line]
    assert len(lines) == 2
    assert all(line.split(":")[1].isdigit() and line.split(":")[2].isdigit() for line in lines)


def test_check_command_passes_on_every_shipped_methodology():
    result = CliRunner().invoke(main, ["check", str(par_rules.shipped_root())])
    assert result.exit_code == 0, result.output
    assert "example/par-index/district@2024" in result.output


def test_file_must_be_named_after_its_version(tmp_path):
    [problem] = problems_of(tmp_path.joinpath(), methodology(GOOD_INDICATORS, GOOD_CRITERIA).replace('version: "1"', 'version: "3"'))
    assert "must be named 3.yaml" in problem.message


# Python's "$" also matches before a last newline, so "^...$" patterns let "1.1\n" pass as an id.
@pytest.mark.parametrize(("old", "new", "kind"), [
    ('id: "1.1"', 'id: "1.1\\n"', "node id"),
    ("indicator: done,", 'indicator: "done\\n",', "indicator id"),
    ("id: test/index", 'id: "test/index\\n"', "methodology id"),
    ('version: "1"', 'version: "1\\n"', "version"),
    ("status: illustrative", 'status: illustrative\nlegal_basis: [{number: "1", date: "2024-01-01\\n"}]', "date"),
    ("status: illustrative", 'status: illustrative\nlineage: {from: {version: "0"}, nodes: {"1.1\\n": "1.1"}}', "node id"),
])
def test_an_id_with_a_trailing_newline_is_refused(tmp_path, old, new, kind):
    text = methodology(GOOD_INDICATORS, GOOD_CRITERIA).replace(old, new, 1)
    problems = problems_of(tmp_path, text)
    assert any(f"\\n' is not a valid {kind}" in problem.message for problem in problems), problems


def test_an_indicator_name_with_a_trailing_newline_is_refused(tmp_path):
    text = methodology(GOOD_INDICATORS.replace("done:", '"done\\n":'), GOOD_CRITERIA)
    problems = problems_of(tmp_path, text)
    assert any("'done\\n' is not a valid indicator id" in problem.message for problem in problems), problems


# YAML reads an unquoted 1.1 as a number; a number skipped the id pattern, and +1.1 became the id 1.1.
@pytest.mark.parametrize(("old", "new", "written"), [
    ('id: "1.1"', "id: 1.1", "1.1"),
    ('id: "1"', "id: 1", "1"),
    ('id: "1.2"', "id: 1.20", "1.20"),
    ('id: "1.2"', "id: +1.1", "1.1"),
])
def test_a_node_id_written_as_a_number_asks_for_quotes(tmp_path, old, new, written):
    text = methodology(GOOD_INDICATORS, GOOD_CRITERIA).replace(old, new, 1)
    [problem] = problems_of(tmp_path, text)
    assert f'write the id in quotes: "{written}"' in problem.message
    assert (problem.line, problem.column) == (line_of(text, new), text.splitlines()[line_of(text, new) - 1].index("id:") + 1)


def test_a_change_naming_a_node_by_a_number_asks_for_quotes(tmp_path):
    write(tmp_path, methodology(GOOD_INDICATORS, GOOD_CRITERIA), "1.yaml")
    child = 'format: 1\nid: test/index\nversion: "2"\nyears: [2025]\nextends: {version: "1"}\nchanges:\n  - {op: update, node: 1.1, set: {label: Mới}}\n'
    [problem] = problems_of(tmp_path, child, "2.yaml")
    assert 'write the id in quotes: "1.1"' in problem.message and problem.line == line_of(child, "node: 1.1")
