"""Hostile and broken input: every case, the exact error class it must raise and the place it
must name. Nothing here may raise anything but a :class:`par_rules.ParRulesError` subclass.

The cases come from the reliability issue: malformed and adversarial YAML, adversarial
expressions, adversarial records, and batches with bad records among good ones. Each fix made
while writing them has its regression case here, marked "regression".
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import par_rules
from par_rules import MethodologyError, ParRulesError, RecordError
from par_rules.formats._files import read_records
from par_rules.testing import load_text
from tests.methodology_text import line_of, methodology, write

INDICATORS = """
x: {label: Tỷ lệ, type: percent}
c: {label: Số vụ, type: count}
lv: {label: Mức, type: level, levels: {on_time: Kịp thời, late: Chậm}}
v: {label: Số thực, type: number}
ok: {label: Đạt, type: boolean, missing: zero}
"""
CRITERIA = """
- {id: "1", label: Tỷ lệ, max: 4, rule: {kind: proportional, indicator: x}}
- {id: "2", label: Số vụ, max: 2, rule: {kind: deduction, indicator: c, per_occurrence: 0.5}}
- {id: "3", label: Mức, max: 2, rule: {kind: levels, indicator: lv, points: {on_time: 2, late: 1}}}
- {id: "4", label: Số thực, max: 2, rule: {kind: bonus, indicator: v, per_occurrence: 1}}
"""
GOOD = {"x": 50, "c": 1, "lv": "on_time", "v": 1}


def load_broken(tmp_path: Path, content: str | bytes, name: str = "1.yaml") -> MethodologyError:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(MethodologyError) as caught:
        par_rules.load(path)
    error = caught.value
    assert isinstance(error, ValueError) and isinstance(error, ParRulesError)
    assert all(problem.file and problem.file.endswith(name) for problem in error.problems), error
    return error


def place(error: MethodologyError) -> tuple[int | None, int | None]:
    return error.problems[0].line, error.problems[0].column


# ------------------------------------------------------------------ malformed YAML

YAML_CASES = [
    # (case, file content, line, column, fragment of the message)
    ("syntax error", "format: 1\nid: [a, b\nversion: 1\n", 3, 8, "YAML syntax"),
    ("tab indentation", "format: 1\nid:\n\tx: 1\n", 3, 1, "YAML syntax"),
    ("duplicate key", "format: 1\nid: a/b\nformat: 1\n", 3, 1, "duplicate key 'format'"),
    ("merge key", "base: &b {x: 1}\nother:\n  <<: *b\n", 3, 3, "merge keys"),
    ("key that is a list", "? [a, b]\n: 1\n", 1, 8, "a key must be a plain text"),
    ("python object tag", "format: !!python/object/apply:os.system ['echo owned']\n", 1, 9, "not allowed"),
    ("custom tag", "format: !include other.yaml\n", 1, 9, "not allowed"),
    ("two documents", "format: 1\n---\nformat: 2\n", 2, 1, "one YAML document"),
    ("a list, not a mapping", "- 1\n- 2\n", 1, 1, "must be a mapping"),
    ("unknown alias", "format: *nowhere\n", 1, 9, "unknown alias"),
    ("alias bomb", "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)), 5, 20, "expands to more than"),
    ("deep nesting, flow", "a: " + "[" * 10_000 + "]" * 10_000 + "\n", 1, 67, "nesting deeper than 64"),
    ("deep nesting, block", "".join("  " * i + f"k{i}:\n" for i in range(100)) + "  " * 100 + "v: 1\n", 65, 129, "nesting deeper than 64"),
    ("too many nodes", "".join(f"k{i}: {i}\n" for i in range(30_000)), 25_000, 9, "more than 50000 nodes"),
    # regression: a control character had no line or column
    ("NUL byte", "format: 1\nid: a\x00b\n", 2, 6, "U+0000 is not allowed"),
    # regression: an empty file gave "None is not of type 'object'" with no place
    ("empty file", "", 1, 1, "the file is empty"),
    ("only comments", "# nothing here\n", 1, 1, "the file is empty"),
]


@pytest.mark.parametrize(("content", "line", "column", "fragment"), [case[1:] for case in YAML_CASES], ids=[case[0] for case in YAML_CASES])
def test_malformed_yaml(tmp_path: Path, content: str, line: int, column: int, fragment: str) -> None:
    error = load_broken(tmp_path, content)
    assert len(error.problems) == 1
    assert place(error) == (line, column)
    assert fragment in error.problems[0].message


@pytest.mark.parametrize("content", [case[1] for case in YAML_CASES], ids=[case[0] for case in YAML_CASES])
def test_malformed_yaml_is_reported_alike_with_and_without_libyaml(monkeypatch: pytest.MonkeyPatch, content: str) -> None:
    """The loader's limits and messages are its own, whichever YAML parser is installed
    (regression: LibYAML's own flow-nesting limit was reported instead of the loader's)."""
    import importlib

    import yaml

    loader = importlib.import_module("par_rules.engine._load")

    def problems() -> list[tuple[object, ...]]:
        with pytest.raises(MethodologyError) as caught:
            loader.read_yaml(content, "m.yaml")
        return [(p.line, p.column, p.message) for p in caught.value.problems]

    found = problems()
    loader._safe_loader.cache_clear()
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    try:
        assert problems() == found
    finally:
        loader._safe_loader.cache_clear()


def test_non_utf8_bytes_are_reported_at_their_line_and_column(tmp_path: Path) -> None:
    error = load_broken(tmp_path, "format: 1\nid: a/b\ntitle: Chỉ số\n".encode() + b"issuer: \xff\xfe\n")
    assert place(error) == (4, 9)
    assert "not UTF-8: byte 0xff" in error.problems[0].message


def test_a_utf16_file_is_not_utf8(tmp_path: Path) -> None:
    error = load_broken(tmp_path, "format: 1\n".encode("utf-16"))
    assert place(error) == (1, 1)
    assert "not UTF-8" in error.problems[0].message


def test_a_file_over_4_mib_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    error = load_broken(tmp_path, "a: " + "x" * (4 * 1024 * 1024 + 1))
    assert place(error) == (None, None)
    assert "file larger than 4194304 bytes" in error.problems[0].message


def test_a_lone_surrogate_in_text_given_directly() -> None:
    """regression: load_text (and read_yaml) with a lone surrogate raised UnicodeEncodeError."""
    with pytest.raises(MethodologyError) as caught:
        load_text("format: 1\ntitle: a\ud800b\n", "m.yaml")
    assert str(caught.value.problems[0]) == "m.yaml:2:9: character U+D800 (a lone surrogate) is not valid Unicode text"


WRONG_TYPES = [
    # (case, replace this, with this, fragment, node)
    ("scale is text", "scale: 10", "scale: ten", "'ten' is not of type 'number' (at scale)", None),
    ("years are text", "years: [2024]", "years: [this year]", "'this year' is not of type 'integer' (at years/0)", None),
    ("max is a boolean", "max: 4,", "max: true,", "True is not of type 'number' (at criteria/0/max)", "1"),
    ("max is negative", "max: 4,", "max: -4,", "-4 is less than the minimum of 0 (at criteria/0/max)", "1"),
    ("rule is a number", "rule: {kind: proportional, indicator: x}", "rule: 5", "is not of type 'object' (at criteria/0/rule)", "1"),
    ("unknown rule kind", "kind: proportional", "kind: magic", "'magic' is not one of", "1"),
    ("indicator type unknown", "type: percent", "type: money", "'money' is not one of", None),
    ("criteria is a mapping", "criteria:\n", "criteria: {}\nunused:\n", "", None),
    # regression: numbers a computation cannot hold crashed scoring with decimal.Overflow / InvalidOperation
    ("NaN cap", "max: 4,", "max: !!float nan,", "number NaN is not supported", None),
    ("infinite cap", "max: 4,", "max: !!float inf,", "number Infinity is not supported", None),
    ("gigantic cap", "max: 4,", "max: 1.0e+999999999,", "number 1.0E+999999999 is not supported", None),
    ("microscopic full_at", "indicator: x}", "indicator: x, full_at: 1.0e-9999}", "number 1.0E-9999 is not supported", None),
    ("cap with 20 decimals", "max: 4,", "max: 4.00000000000000000001,", "at most 10 decimals", None),
]


@pytest.mark.parametrize(("old", "new", "fragment", "node"), [case[1:] for case in WRONG_TYPES], ids=[case[0] for case in WRONG_TYPES])
def test_wrong_types_are_named_at_their_place(tmp_path: Path, old: str, new: str, fragment: str, node: str | None) -> None:
    text = methodology(INDICATORS, CRITERIA)
    assert old in text
    broken = text.replace(old, new, 1)
    error = load_broken(tmp_path, broken)
    problem = error.problems[0]
    assert fragment in problem.message, error
    assert problem.line is not None and problem.column is not None
    assert problem.line == line_of(broken, new.split("\n")[0]), error
    assert problem.node == node


# ------------------------------------------------------------------ adversarial expressions

EXPRESSIONS = [
    # (case, formula, fragment of the message, 0-based character of the problem)
    ("attribute", "x.real", "attribute access (.real) is not allowed", 0),
    ("dunder", "x.__class__.__mro__", "attribute access (.__mro__) is not allowed", 0),
    ("power bomb", "9**9**9", "power (**) is not allowed", 0),
    ("power", "x ** 2", "power (**) is not allowed", 0),
    ("enormous literal", "1" + "0" * 40, "at most 20 digits", 0),
    ("exponent literal", "x * 1e999", "the number 1e999 has an exponent; numbers are written in plain decimals of at most 20 digits", 4),
    ("hex literal", "0xffffffff", "the number 0xffffffff is hexadecimal; numbers are written in plain decimals: write 4294967295", 0),
    ("complex literal", "x * 1j", "the number 1j is imaginary", 4),
    # regression: octal and binary literals crashed the loader (decimal.InvalidOperation)
    ("octal literal", "0o17 * MAX", "the number 0o17 is octal; numbers are written in plain decimals: write 15", 0),
    ("binary literal", "0b11 + x", "the number 0b11 is binary; numbers are written in plain decimals: write 3", 0),
    ("upper-case prefix", "x * 0X1F", "the number 0X1F is hexadecimal; numbers are written in plain decimals: write 31", 4),
    ("octal with underscores", "x + 0o1_7", "the number 0o1_7 is octal; numbers are written in plain decimals: write 15", 4),
    ("underscores", "x * 1_000", "the number 1_000 has '_' in it; numbers are written in plain decimals: write 1000", 4),
    ("small exponent", "x * 2.5E-2", "the number 2.5E-2 has an exponent; numbers are written in plain decimals: write 0.025", 4),
    ("leading zeros", "x + 007", "the number 007 has leading zeros; numbers are written in plain decimals: write 7", 4),
    ("leading zero before a point", "x + 07.5", "the number 07.5 has leading zeros; numbers are written in plain decimals: write 7.5", 4),
    ("zero written twice", "x + 00", "the number 00 has leading zeros; numbers are written in plain decimals: write 0", 4),
    ("huge exponent", "x * 1e999999999", "plain decimals of at most 20 digits", 4),
    ("lambda", "(lambda: 1)()", "function 'lambda: 1' is not allowed", 0),
    ("bare lambda", "lambda: 1", "lambda is not allowed", 0),
    ("list comprehension", "[x for x in (1, 2)]", "comprehensions are not allowed", 0),
    ("generator", "min(x for x in (1, 2))", "min() takes 2 to 8 arguments", 0),
    ("walrus", "(y := x)", "assignment (:=) is not allowed", 1),
    ("assignment statement", "y = x", "single expression", None),
    ("several statements", "x; x", "single expression", None),
    ("rand", "rand()", "function 'rand' is not allowed", 0),
    ("import", "__import__('os').system('id')", "function '__import__('os').system' is not allowed", 0),
    ("open", "open('/etc/passwd')", "function 'open' is not allowed", 0),
    ("eval", "eval('1')", "function 'eval' is not allowed", 0),
    ("subscript", "x[0]", "indexing ([...]) is not allowed", 0),
    ("f-string", "f'{x}'", "f-strings are not allowed", 0),
    ("string arithmetic", "'a' * 100000000", "'*' needs numbers on both sides", 0),
    ("floor division", "x // 2", "the operator FloorDiv is not allowed", 0),
    ("unknown name", "y + 1", "unknown name 'y'", 0),
    ("too deep", "-" * 40 + "x", "nested more than 32 levels", None),
    ("too long", "x + " * 300 + "x", "at most 1000 characters", None),
    ("wrong level", "MAX if lv == 'never' else 0", "'never' is not a level of lv", 13),
    # regression: Python folds look-alike letters, so 'ｘ' silently meant x
    ("full-width letter", "ｘ / 100 * MAX", "look-alike Unicode letters", 0),
    ("mathematical letter", "𝔵 / 100 * MAX", "look-alike Unicode letters", 0),
    ("zero-width space", "x\u200b / 100", "invalid non-printable character U+200B", 1),
]


@pytest.mark.parametrize(("formula", "fragment", "character"), [case[1:] for case in EXPRESSIONS], ids=[case[0] for case in EXPRESSIONS])
def test_adversarial_expressions(tmp_path: Path, formula: str, fragment: str, character: int | None) -> None:
    criteria = CRITERIA + f'- {{id: "5", label: Công thức, max: 0, rule: {{kind: expression, formula: {json.dumps(formula, ensure_ascii=False)}}}}}\n'
    text = methodology(INDICATORS, criteria)
    error = load_broken(tmp_path, text)
    assert len(error.problems) == 1, error
    problem = error.problems[0]
    assert (problem.node, problem.line) == ("5", line_of(text, "Công thức"))
    assert problem.column == text.splitlines()[problem.line - 1].index("formula:") + 1
    assert fragment in problem.message, problem.message
    if character is not None:
        assert problem.message.endswith(f"at character {character + 1}")


def test_a_formula_over_several_lines_is_placed_by_its_line(tmp_path: Path) -> None:
    # regression: a problem was placed by its column alone, and 0o17 crashed the loader
    criteria = CRITERIA + '- id: "5"\n  label: Công thức\n  max: 0\n  rule:\n    kind: expression\n    formula: |\n      (x if lv == "late"  # trễ hạn\n       else 0o17)\n'
    text = methodology(INDICATORS, criteria)
    error = load_broken(tmp_path, text)
    problem = error.problems[0]
    line = line_of(text, "formula: |")
    assert (problem.node, problem.line, problem.column) == ("5", line, text.splitlines()[line - 1].index("formula:") + 1)
    assert problem.message == "formula: the number 0o17 is octal; numbers are written in plain decimals: write 15, at line 2, character 7"


@pytest.mark.parametrize(
    ("formula", "reason"),
    [("x / (x - x)", "division by zero"), ("(x - x) / (x - x)", "invalid arithmetic operation"), ("round(x, 100)", "invalid arithmetic operation"), ("x / 0", "division by zero")],
)
def test_arithmetic_errors_in_expressions_name_the_node_and_row(formula: str, reason: str) -> None:
    text = methodology(INDICATORS, CRITERIA + f'- {{id: "5", label: L, max: 0, rule: {{kind: expression, formula: "{formula}"}}}}\n')
    with pytest.raises(RecordError) as caught:
        par_rules.score(load_text(text), GOOD, row=7)
    assert [(p.node, p.row, p.message) for p in caught.value.problems] == [("5", 7, reason)]


# ------------------------------------------------------------------ adversarial records

RECORDS = [
    # (case, indicator, value, fragment)
    ("NaN float", "x", float("nan"), "not a finite number"),
    ("NaN Decimal", "x", Decimal("NaN"), "not a finite number"),
    ("signalling NaN", "x", Decimal("sNaN"), "not a finite number"),
    # regression (deep fuzz campaign): a signalling NaN for a yes/no value raised decimal.InvalidOperation
    ("signalling NaN for yes/no", "ok", Decimal("sNaN"), "is not a yes/no value"),
    ("NaN for yes/no", "ok", float("nan"), "is not a yes/no value"),
    ("NaN text", "x", "nan", "not a number"),
    ("infinity", "x", float("inf"), "not a finite number"),
    ("minus infinity text", "x", "-Infinity", "not a number"),
    ("negative count", "c", -1, "outside the allowed range [0, ∞)"),
    ("count with decimals", "c", "1.5", "not a whole number"),
    ("rate over 100%", "x", 101, "outside the allowed range [0, 100]"),
    ("rate over 100% as text", "x", "150%", "outside the allowed range [0, 100]"),
    ("text for a number", "x", "abc", "not a number: 'abc'"),
    ("boolean for a count", "c", True, "is a yes/no value, a number is needed"),
    ("list for a number", "x", [1], "not a number"),
    ("wrong level name", "lv", "early", "'early' is not a level of this indicator"),
    ("number for a level", "lv", 1, "1 is not a level of this indicator"),
    ("gigantic int", "c", 10**400, "number too large"),
    ("gigantic text", "c", "9" * 5000, "number too long"),
    ("gigantic Decimal", "v", Decimal("1e999999"), "out of the supported range"),
    ("gigantic float", "v", 1e308, "out of the supported range"),
    ("microscopic Decimal", "v", Decimal("1e-999999"), "out of the supported range"),
    ("zero-width space in a number", "x", "5\u200b", "not a number"),
    ("ambiguous thousands", "c", "1,234", "ambiguous"),
]


@pytest.mark.parametrize(("indicator", "value", "fragment"), [case[1:] for case in RECORDS], ids=[case[0] for case in RECORDS])
def test_adversarial_records(indicator: str, value: object, fragment: str) -> None:
    subject = load_text(methodology(INDICATORS, CRITERIA))
    with pytest.raises(RecordError) as caught:
        par_rules.score(subject, {**GOOD, indicator: value}, row=3)
    assert isinstance(caught.value, ValueError)
    [problem] = caught.value.problems
    assert (problem.indicator, problem.row) == (indicator, 3)
    assert fragment in problem.message, problem.message


def test_unknown_indicators_are_all_listed_with_a_hint() -> None:
    subject = load_text(methodology(INDICATORS, CRITERIA))
    with pytest.raises(RecordError) as caught:
        par_rules.score(subject, {**GOOD, "xx": 1, "zzz": 2}, row=1)
    assert [(p.indicator, p.message) for p in caught.value.problems] == [
        ("xx", "unknown indicator (did you mean 'x'?)"), ("zzz", "unknown indicator")]


@pytest.mark.parametrize("record", [None, [1, 2], "x=1", 42], ids=["None", "list", "text", "number"])
def test_a_record_that_is_not_a_mapping(record: object) -> None:
    with pytest.raises(RecordError, match="a record must be a mapping"):
        par_rules.score(load_text(methodology(INDICATORS, CRITERIA)), record)  # type: ignore[arg-type]


def test_negative_values_never_push_a_deduction_or_bonus_out_of_its_cap() -> None:
    """regression: on a number indicator (negative values allowed) a deduction gave more than
    its cap and a bonus gave negative points."""
    criteria = CRITERIA.replace("indicator: c, per_occurrence", "indicator: v2, per_occurrence")
    subject = load_text(methodology(INDICATORS + "v2: {label: Số thực 2, type: number}\n", criteria))
    result = par_rules.score(subject, {**GOOD, "v2": -3, "v": -2})
    assert (result.points("2"), result.points("4")) == (Decimal(2), Decimal(0))
    assert Decimal(0) <= result.total <= subject.scale


# ------------------------------------------------------------------ batches


def test_a_batch_scores_every_good_record_and_reports_every_bad_one_by_row() -> None:
    subject = load_text(methodology(INDICATORS, CRITERIA))
    bad = [None, {**GOOD, "x": "nan"}, {**GOOD, "c": -1, "lv": "early"}, "not a record", {**GOOD, "ghost": 1}, {"x": 1}]
    batch: list[object] = []
    for position in range(12):
        batch.append(bad[position // 2] if position % 2 else {**GOOD, "x": position})
    outputs = list(par_rules.score_many(subject, batch))
    assert len(outputs) == len(batch)
    for row, output in enumerate(outputs, start=1):
        if row % 2:  # the good ones
            assert isinstance(output, par_rules.Result)
            assert output.points("1") == Decimal(4) * (row - 1) / 100
        else:
            assert isinstance(output, RecordError)
            assert output.problems and all(problem.row == row for problem in output.problems)
    assert [len(outputs[i].problems) for i in range(1, 12, 2)] == [1, 1, 2, 1, 1, 3]


def test_a_jsonl_batch_with_broken_lines(tmp_path: Path) -> None:
    lines = [json.dumps({**GOOD, "x": 10}), "{not json", "[" * 50_000 + "]" * 50_000, json.dumps([1]), "", json.dumps({**GOOD, "x": 20})]
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outputs = list(par_rules.score_many(load_text(methodology(INDICATORS, CRITERIA)), read_records(path)))
    assert [type(o).__name__ for o in outputs] == ["Result", "RecordError", "RecordError", "RecordError", "Result"]
    assert [o.problems[0].row for o in outputs if isinstance(o, RecordError)] == [2, 3, 4]


@pytest.mark.parametrize(("name", "content"), [("deep.json", "[" * 50_000 + "]" * 50_000), ("deep.yaml", "- " + "[" * 50_000 + "]" * 50_000)])
def test_a_records_file_nested_without_end(tmp_path: Path, name: str, content: str) -> None:
    """regression: deeply nested JSON or YAML records raised RecursionError."""
    path = write(tmp_path, content, name)
    with pytest.raises(RecordError) as caught:
        list(read_records(path))
    assert [(p.file, p.message) for p in caught.value.problems] == [(str(path), "not a records file: nested too deeply")]
