"""Every rule kind of :data:`~par_rules.engine._rules.KINDS` is one module that does every job.

Each kind is taken through its own ``example`` (so a new kind is tested the moment it has a row
in KINDS): it builds from YAML, checks its indicator's type, applies, writes the generated
scorer's code (which gives what ``apply`` gives, on values hypothesis draws), dumps (what it
dumps loads back equal) and describes itself. Then the house rules: the shipped schema's rule
part is the kinds' own schemas, and no module outside ``engine/_rules`` names a kind's class,
so nothing dispatches on kinds anywhere else.
"""

from __future__ import annotations

import ast
import inspect
import json
import sys
import types
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import par_rules
from par_rules.engine._arithmetic import format_decimal, format_short
from par_rules.engine._rules import KINDS, Formula, Rule, rule_schema
from par_rules.engine._validate import _fast_check, _validator, schema
from par_rules.errors import MethodologyError, RecordError
from par_rules.testing import load_text
from tests.methodology_text import methodology

PACKAGE = Path(par_rules.__file__).parent
KIND_NAMES = sorted(KINDS)
_TYPES = ("number", "percent", "ratio", "count", "boolean", "level", "answers")


class _Dumper(yaml.SafeDumper):
    """Decimals as plain YAML numbers (as the methodology dump writes them)."""


_Dumper.add_representer(Decimal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:float" if "." in format_decimal(value) else "tag:yaml.org,2002:int", format_decimal(value)))


def _example_text(kind: str, rule: Mapping[str, Any] | None = None, indicator: Mapping[str, Any] | None = None) -> str:
    """A methodology of one leaf scored by the kind's example rule (or ``rule``), on indicator ``x``."""
    example = KINDS[kind].example
    spec = {"label": "X", **(indicator if indicator is not None else example["indicator"])}
    mapping = dict(rule) if rule is not None else {"kind": kind, **({"indicator": "x"} if kind != "expression" else {}), **example["rule"]}
    leaf = {"id": "1", "label": "Leaf", "max": example["max"], "rule": mapping}

    def dumped(data: Any) -> str:
        return str(yaml.dump(data, Dumper=_Dumper, allow_unicode=True, default_flow_style=True, width=10_000)).strip()

    return methodology(f"x: {dumped(spec)}", f"- {dumped(leaf)}", scale=str(example["max"]))


def _loaded(kind: str) -> tuple[par_rules.Methodology, Any]:
    loaded = load_text(_example_text(kind))
    return loaded, loaded.node("1").rule


# --------------------------------------------------------------------------- the protocol


def _protocol_members() -> list[str]:
    return sorted(name for name in vars(Rule) if not name.startswith("_")) + sorted(Rule.__annotations__)


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_each_kind_is_one_module_with_every_member_of_the_protocol(kind: str) -> None:
    cls = KINDS[kind]
    assert cls.kind == kind
    assert cls.__module__ == f"par_rules.engine._rules.{kind}"  # the module is named as the kind
    _, rule = _loaded(kind)
    for name in _protocol_members():
        assert hasattr(rule, name), f"{cls.__name__} has no {name}"
        wanted = getattr(Rule, name, None)
        if callable(wanted) and not isinstance(inspect.getattr_static(Rule, name), property):
            assert list(inspect.signature(getattr(cls, name)).parameters) == list(inspect.signature(wanted).parameters), name
    assert set(cls.example) == {"indicator", "rule", "max", "values"}


def test_the_protocol_is_read_whole() -> None:
    # a guard for the test above: it would pass on a protocol read as empty
    assert {"build", "check", "apply", "write", "dump", "describe", "describe_vi", "explain", "kind", "schema"} <= set(_protocol_members())


# --------------------------------------------------------------------------- each job, on each kind's example


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_builds_from_its_mapping_and_dumps_back(kind: str) -> None:
    _, rule = _loaded(kind)
    assert type(rule) is KINDS[kind]
    dumped = rule.dump()
    assert dumped["kind"] == kind
    again = load_text(_example_text(kind, rule=dumped)).node("1").rule
    assert again == rule


@pytest.mark.parametrize("kind", [kind for kind in KIND_NAMES if KINDS[kind].example["indicator"] is not None and kind != "expression"])
def test_checks_its_indicators_type(kind: str) -> None:
    accepted = KINDS[kind].accepts  # type: ignore[attr-defined]
    wrong = next(kind_ for kind_ in _TYPES if kind_ not in accepted)
    spec: dict[str, Any] = {"type": wrong}
    if wrong == "level":
        spec["levels"] = {"a": "A"}
    with pytest.raises(MethodologyError, match=f"a {kind} rule needs a .* indicator; 'x' is a {wrong}"):
        load_text(_example_text(kind, indicator=spec))


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_describes_itself_in_both_languages(kind: str) -> None:
    loaded, rule = _loaded(kind)
    indicator = loaded.indicators["x"]
    english, vietnamese = rule.describe(loaded.node("1").max, indicator), rule.describe_vi(loaded.node("1").max, indicator)
    assert english and vietnamese and english != vietnamese
    from par_rules.authoring._site import rule_in_words
    from par_rules.formats._forms import rule_in_vietnamese

    assert rule_in_words(loaded.node("1"), loaded.indicators) == english
    assert rule_in_vietnamese(loaded.node("1"), loaded.indicators) == vietnamese


def _read(indicator: Any, value: Any) -> Any:
    """The value as the catalogue reads it (what ``apply`` is given)."""
    if indicator.type in ("boolean", "level"):
        return {"có": True, "không": False}.get(value, value) if isinstance(value, str) else value
    if indicator.type == "answers":
        return {option: Decimal(count) for option, count in value.items()}
    return Decimal(str(value))


def _value_text(value: Any, unit: str, labels: Mapping[str, str]) -> str:
    """The value as the explanation shows it (in English, as the tests run): a level or an
    answer option by its label (par_rules.engine._report)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{format_short(value)}{unit}"
    if isinstance(value, Mapping):
        return ", ".join(f"{labels.get(key, key)}: {format_decimal(count)}" for key, count in value.items())
    return labels.get(str(value), str(value))


def _same_as_apply(loaded: par_rules.Methodology, rule: Any, value: Any) -> None:
    """The generated scorer (``par_rules.score``) gives what ``apply`` gives, points and words."""
    node = loaded.node("1")
    indicator = loaded.indicators["x"]
    read = _read(indicator, value)
    try:
        points, detail = rule.apply(node.max, {"x": read} if rule.indicator is None else read)
    except (ValueError, ArithmeticError, KeyError) as error:
        with pytest.raises(RecordError) as caught:
            par_rules.score(loaded, {"x": value})
        [problem] = caught.value.problems
        assert problem.node == "1"
        if isinstance(error, ValueError):
            assert problem.message == str(error)
        return
    result = par_rules.score(loaded, {"x": value})
    assert result.points("1") == points and str(result.points("1")) == str(points)  # the same Decimal, digit for digit
    shown = "" if rule.indicator is None else _value_text(read, indicator.unit_symbol, {**indicator.levels, **indicator.options})
    words = rule.explain(node.max, points, detail, shown, "" if rule.indicator is None else indicator.unit_symbol)
    assert result.node("1").why == words
    assert result.node("1").capped == rule.capped(node.max, points, detail)


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_the_generated_code_gives_what_apply_gives_on_the_examples(kind: str) -> None:
    loaded, rule = _loaded(kind)
    for value in KINDS[kind].example["values"]:
        _same_as_apply(loaded, rule, value)


def _values(indicator: Any) -> st.SearchStrategy[Any]:
    kind = indicator.type
    if kind == "boolean":
        return st.sampled_from([True, False, "có", "không"])
    if kind == "level":
        return st.sampled_from(sorted(indicator.levels))
    if kind == "answers":
        options = sorted(indicator.options)
        return st.dictionaries(st.sampled_from(options), st.integers(0, 10**6), min_size=1).filter(lambda counts: any(counts.values()))
    low = indicator.range.low if indicator.range.low is not None else Decimal(-10**6)
    high = indicator.range.high if indicator.range.high is not None else Decimal(10**6)
    places = 0 if kind == "count" else 4
    return st.decimals(min_value=low, max_value=high, places=places, allow_nan=False, allow_infinity=False).map(lambda d: format_decimal(d))


@pytest.mark.parametrize("kind", KIND_NAMES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_generated_code_gives_what_apply_gives_on_drawn_values(kind: str, data: st.DataObject) -> None:
    loaded, rule = _loaded(kind)
    _same_as_apply(loaded, rule, data.draw(_values(loaded.indicators["x"])))


# --------------------------------------------------------------------------- a new kind: one module, one row


def _worked_example() -> str:
    """The module ``engine/_rules/inverse.py`` that docs/architecture.md shows."""
    text = (PACKAGE.parent / "docs" / "architecture.md").read_text("utf-8")
    start = text.index("```python\n", text.index("`engine/_rules/inverse.py`")) + len("```python\n")
    return text[start : text.index("```", start)]


def test_the_worked_example_of_the_architecture_page_is_a_working_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("par_rules.engine._rules.inverse")
    module.__package__ = "par_rules.engine._rules"
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(_worked_example(), "docs/architecture.md", "exec"), module.__dict__)  # the page's own example
    monkeypatch.setitem(KINDS, "inverse", module.InverseRule)  # the one row
    caches = (schema, _fast_check, _validator)  # the schema is made of the kinds' own schemas once per process
    for cache in caches:
        cache.cache_clear()
    try:
        test_each_kind_is_one_module_with_every_member_of_the_protocol("inverse")
        test_builds_from_its_mapping_and_dumps_back("inverse")
        test_checks_its_indicators_type("inverse")
        test_describes_itself_in_both_languages("inverse")
        test_the_generated_code_gives_what_apply_gives_on_the_examples("inverse")
        loaded, _ = _loaded("inverse")
        assert [par_rules.score(loaded, {"x": days}).points("1") for days in ("3", "5", "8", "40")] == [Decimal(2), Decimal(2), Decimal("1.25"), Decimal("0.25")]
        with pytest.raises(MethodologyError, match="best"):  # its schema is the loader's: best is required
            load_text(_example_text("inverse", rule={"kind": "inverse", "indicator": "x"}))
    finally:
        for cache in caches:
            cache.cache_clear()


# --------------------------------------------------------------------------- one definition


def test_a_formula_names_only_what_it_may() -> None:
    assert Formula("ok", "raw = value * k\npoints = detail = raw", ("k",)).run(Decimal(1), Decimal(3), Decimal(2)) == (Decimal(6), Decimal(6))
    for text in ("points = detail = valeu", "problems = 1\npoints = detail = value", "points = detail = value.cap", "points = detail = 'x'"):
        with pytest.raises(ValueError, match="formula"):
            Formula("bad", text).run  # noqa: B018 - made (and checked) when first used
        with pytest.raises(ValueError, match="formula"):
            Formula("bad", text).lines  # noqa: B018


def test_a_formula_runs_in_the_methodologys_context_whatever_the_callers() -> None:
    import decimal

    third = Formula("third", "points = detail = value / 3")
    with decimal.localcontext(decimal.Context(prec=3)):
        inside = third.run(Decimal(1), Decimal(1))[0]
    assert inside == third.run(Decimal(1), Decimal(1))[0] == Decimal("0.3333333333333333333333333333333333")  # 34 digits, not 3


def test_the_shipped_schema_holds_the_kinds_own_schemas() -> None:
    shipped = json.loads((PACKAGE / "schema" / "methodology.schema.json").read_text("utf-8"))
    # After adding a kind, write its schema into the shipped file (editors read it):
    #   python -c "import json,par_rules.engine._rules as r; print(json.dumps(r.rule_schema(), indent=2))"
    assert shipped["$defs"]["rule"] == rule_schema()


# --------------------------------------------------------------------------- nothing dispatches on kinds elsewhere

_KIND_CLASSES = frozenset(cls.__name__ for cls in KINDS.values()) | {"Band"}


def kind_names_used(text: str) -> list[str]:
    """Where a module names a rule kind's class: imports it, or uses it (in isinstance or anywhere)."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom):
            found += [f"line {node.lineno}: imports {alias.name}" for alias in node.names if alias.name in _KIND_CLASSES]
        elif isinstance(node, ast.Name) and node.id in _KIND_CLASSES:
            found.append(f"line {node.lineno}: {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in _KIND_CLASSES:
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute) and node.left.attr == "kind" and any(
            isinstance(part, ast.Constant) and part.value in KINDS for part in node.comparators
        ):
            found.append(f"line {node.lineno}: compares .kind with {next(p.value for p in node.comparators if isinstance(p, ast.Constant))!r}")
    return sorted(found, key=lambda where: int(where.split(":")[0].split()[1]))


def test_kind_names_are_found() -> None:
    sample = "from par_rules.engine._rules import BandsRule\nif isinstance(rule, rules.LevelsRule): pass\nif rule.kind == 'survey': pass\nrule.kind == 'other'\n"
    assert kind_names_used(sample) == ["line 1: imports BandsRule", "line 2: .LevelsRule", "line 3: compares .kind with 'survey'"]


@pytest.mark.parametrize("path", sorted(p for p in PACKAGE.rglob("*.py") if "_rules" not in p.relative_to(PACKAGE).parts), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_outside_the_rules_package_names_a_kind(path: Path) -> None:
    assert kind_names_used(path.read_text("utf-8")) == []
