"""Fuzzing: arbitrary text and bytes, mutated valid methodology files, arbitrary record values.

Whatever the input, loading raises nothing but :class:`~par_rules.MethodologyError` and scoring
nothing but :class:`~par_rules.RecordError`; what loads and scores stays within its bounds.
Every input that once crashed is kept in ``tests/fuzz_regressions/`` and replayed here.

CI runs the derandomized ``ci`` profile; ``HYPOTHESIS_PROFILE=deep`` runs the long campaign
(``tests/fuzz_atheris.py`` is the coverage-guided one, run by hand).
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import par_rules
from par_rules import MethodologyError, RecordError
from par_rules.engine._load import read_yaml
from par_rules.engine._model import Methodology
from par_rules.testing import load_text, methodology_texts, records

EXAMPLE = (par_rules.shipped_root() / "example/par-index/district/2024.yaml").read_text(encoding="utf-8")
REGRESSIONS = Path(__file__).parent / "fuzz_regressions"

# Tokens that have broken, or could break, a reader of numbers, keys and structure.
NASTY = [
    ".nan", ".inf", "-.inf", "!!float nan", "!!float inf", "1.0e+999999999", "1.0e-999999", "-1", "0", "~", "[]", "{}",
    "&a x", "*a", "'", '"', "yes", "no", "99999999999999999999", "0x1F", "1_000", "!!python/none ''", "<<", "? ", "- ",
    "{a: 1, a: 2}", "[" * 80, "é", "ｘ", "\u202e", "\u200b", "\t", "\x00", "\x85", "\ufeff", "%", "#", "|", ">", "`", "@",
]


def load_or_refuse(text: str | bytes) -> Methodology | None:
    """The methodology, or ``None`` when it is refused with a MethodologyError (which must name
    a place for every problem it can place)."""
    try:
        return load_text(text.decode("utf-8") if isinstance(text, bytes) else text, "fuzz.yaml")
    except UnicodeDecodeError:
        try:
            read_yaml(text, "fuzz.yaml")  # type: ignore[arg-type]
        except MethodologyError:
            return None
        raise AssertionError("bytes that are not UTF-8 were read") from None
    except MethodologyError as error:
        assert error.problems and all(problem.file == "fuzz.yaml" for problem in error.problems)
        return None


def score_or_refuse(methodology: Methodology, record: Any) -> None:
    try:
        result = par_rules.score(methodology, record, row=1)
    except RecordError as error:
        assert error.problems and all(problem.row == 1 for problem in error.problems)
        return
    assert Decimal(0) <= result.total <= methodology.scale
    assert Decimal(0) <= result.published_index <= 100
    result.explain()
    result.to_dict()


@given(st.text(max_size=2000))
@example("format: 1\n" * 3)
@example("")
@example("- - - -")
def test_arbitrary_text(text: str) -> None:
    load_or_refuse(text)


@given(st.binary(max_size=2000))
@example(b"\xef\xbb\xbf")
@example(b"\xff\xfeformat: 1")
def test_arbitrary_bytes(raw: bytes) -> None:
    with contextlib.suppress(MethodologyError):  # refused with its problems, or read: never anything else
        read_yaml(raw, "fuzz.yaml")


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` with one to four edits: lines deleted, duplicated or swapped, characters replaced,
    nasty tokens put in place of a value or anywhere, the tail cut off."""
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["delete", "duplicate", "swap", "value", "insert", "character", "truncate", "indent"]))
        line = lines[at]
        if edit == "delete":
            del lines[at]
        elif edit == "duplicate":
            lines.insert(at, line)
        elif edit == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif edit == "value" and ": " in line:
            lines[at] = line.split(": ", 1)[0] + ": " + draw(st.sampled_from(NASTY)) + "\n"
        elif edit == "insert":
            column = draw(st.integers(0, len(line)))
            lines[at] = line[:column] + draw(st.sampled_from(NASTY) | st.text(max_size=5)) + line[column:]
        elif edit == "character" and line:
            column = draw(st.integers(0, len(line) - 1))
            lines[at] = line[:column] + draw(st.characters()) + line[column + 1 :]
        elif edit == "truncate":
            lines[at] = line[: draw(st.integers(0, len(line)))]
            del lines[at + 1 :]
        else:
            lines[at] = draw(st.sampled_from(["", " ", "  ", "\t"])) + line
    return "".join(lines)


@given(mutated(EXAMPLE), st.data())
def test_mutations_of_the_example_file(text: str, data: st.DataObject) -> None:
    methodology = load_or_refuse(text)
    if methodology is not None:
        score_or_refuse(methodology, data.draw(records(methodology)))


@given(methodology_texts().flatmap(mutated), st.data())
def test_mutations_of_generated_files(text: str, data: st.DataObject) -> None:
    methodology = load_or_refuse(text)
    if methodology is not None:
        score_or_refuse(methodology, data.draw(records(methodology)))


JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.decimals() | st.text(max_size=30)
    | st.sampled_from(["nan", "-inf", "1e999999", "1,5", "50%", "có", "không", "9" * 100, "", " "]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@given(st.data())
def test_arbitrary_record_values(data: st.DataObject) -> None:
    methodology = par_rules.load("example/par-index/district", year=2024)
    keys = st.sampled_from([*methodology.indicators, "unit", "period", "group", "name", "ghost"]) | st.text(max_size=8)
    record = data.draw(st.dictionaries(keys, JUNK, max_size=20) | JUNK)
    try:
        result = par_rules.score(methodology, record, row=1)
    except RecordError as error:
        assert error.problems
        return
    assert Decimal(0) <= result.total <= methodology.scale


@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("*.yaml")), ids=lambda path: path.name)
def test_fuzz_regressions(path: Path) -> None:
    """Inputs that once crashed the loader or the scorer: now refused cleanly."""
    with pytest.raises(MethodologyError) as caught:
        par_rules.load(path)
    assert all(problem.file and problem.file.endswith(path.name) and problem.line for problem in caught.value.problems), caught.value


def test_load_text_refuses_extends() -> None:
    """regression (atheris, first seconds): load_text raised TypeError on a file with 'extends'."""
    text = 'format: 1\nid: a/b\nversion: "2"\nyears: [2025]\nextends: {version: "1"}\n'
    with pytest.raises(MethodologyError) as caught:
        load_text(text, "child.yaml")
    assert str(caught.value.problems[0]) == "child.yaml:5:1: load_text cannot follow 'extends': load the file"
