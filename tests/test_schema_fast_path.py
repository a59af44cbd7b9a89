"""The compiled schema predicate (the fast path of ``check_schema``) agrees with jsonschema.

A valid file is accepted by the predicate without jsonschema; a file the predicate rejects is
described by jsonschema. So the predicate must say *valid* exactly when jsonschema finds no
error: checked on every shipped file and on many randomly broken copies of them.
"""

from __future__ import annotations

import copy
import json
import random
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from par_rules.engine._load import read_yaml_file
from par_rules.engine._registry import shipped_root
from par_rules.engine._validate import check_numbers, _fast_check, _surely_valid, _validator, check_schema, schema

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(path for base in (shipped_root(), ROOT / "examples") for path in base.rglob("*.yaml") if not path.name.endswith(".tests.yaml"))


def jsonschema_says_valid(data: Any) -> bool:
    return next(iter(_validator().iter_errors(data)), None) is None


def property_names(node: Any) -> set[str]:
    """Every property name the schema mentions, to add keys that are sometimes allowed."""
    names: set[str] = set()
    if isinstance(node, dict):
        names.update(node.get("properties", {}) if isinstance(node.get("properties"), dict) else ())
        for value in node.values():
            names |= property_names(value)
    elif isinstance(node, list):
        for value in node:
            names |= property_names(value)
    return names


NAMES = sorted(property_names(schema())) + ["bogus"]
VALUES: list[Any] = [
    "x", "", "1.1", "1.1\n", "x\n", "Bad Id", "a" * 70, "bands", "level", "answers", "update", "add", "remove", "replace",
    "remove_indicator", "expression", "percent", "sum", "weighted_mean", "published", "official",
    Decimal(-1), Decimal(0), Decimal("0.5"), Decimal(1), Decimal(2024), Decimal("2024.0"), Decimal(7), Decimal(101),
    1, 2024, True, False, None, 1.5, [], {}, ["x"], [Decimal(1), Decimal(1)], [None, None], {"x": "y"}, {"kind": "bands"},
]


def containers(node: Any) -> list[Any]:
    found = [node]
    for value in node.values() if isinstance(node, dict) else node:
        if isinstance(value, (dict, list)):
            found += containers(value)
    return found


def mutate(data: dict[str, Any], rng: random.Random) -> None:
    """One random edit somewhere in the document: drop, replace, add or duplicate an entry."""
    pool = containers(data)
    target = rng.choice(pool)
    keys = list(target) if isinstance(target, dict) else list(range(len(target)))
    action = rng.randrange(4)
    if action == 0 and keys:
        del target[rng.choice(keys)]
    elif action == 1 and keys:
        target[rng.choice(keys)] = copy.deepcopy(rng.choice(VALUES + [rng.choice(pool)]))
    elif action == 2 or not keys:
        value = copy.deepcopy(rng.choice(VALUES + [rng.choice(pool)]))
        if isinstance(target, dict):
            target[rng.choice(NAMES)] = value
        else:
            target.append(value)
    elif isinstance(target, list):
        target.append(copy.deepcopy(target[rng.choice(keys)]))
    else:
        target[rng.choice(NAMES)] = copy.deepcopy(target[rng.choice(keys)])


def test_the_shipped_schema_compiles_into_a_predicate():
    assert _fast_check() is not None


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_shipped_file_takes_the_fast_path(path):
    data, _ = read_yaml_file(path)
    assert jsonschema_says_valid(data)
    assert _surely_valid(data)


def test_the_predicate_agrees_with_jsonschema_on_broken_copies():
    rng = random.Random(20261122)
    documents = [read_yaml_file(path) for path in FILES if path.stat().st_size < 12_000]
    seen = {True: 0, False: 0}
    for _ in range(600):
        original, where = rng.choice(documents)
        data = copy.deepcopy(original)
        for _ in range(rng.randint(1, 3)):
            mutate(data, rng)
        if check_numbers(data, where):
            continue
        expected = jsonschema_says_valid(data)
        assert _surely_valid(data) == expected, data
        seen[expected] += 1
    assert min(seen.values()) > 50  # both verdicts were exercised


EDGES: list[tuple[str, Any]] = [
    ("format", True),  # true is not 1
    ("format", Decimal("1.0")),
    ("format", 1),
    ("years", [Decimal(2024), 2024]),  # equal numbers: not unique
    ("years", [Decimal(2024), Decimal("2025.0")]),
    ("years", [True]),
    ("years", ["2024"]),
    ("version", True),
    ("scale", Decimal(0)),  # exclusiveMinimum
    ("level", None),
    ("id", 7),
    ("changes", []),  # a full version may not list changes
    ("lineage", {"from": {"version": 1}, "nodes": {"1": None, "2": ["1", 2], "3": "1.1"}}),  # oneOf
    ("lineage", {"from": {"version": 1}, "nodes": {"1": []}}),
    ("lineage", {"from": {"version": "1\n"}, "nodes": {"1\n": "1.1"}}),  # "$" in Python matches before a last newline
    ("lineage", {"from": {"version": 1}, "nodes": {"1": Decimal("1.1")}}),  # a node id is text
    ("id", "example/par-index/district\n"),
    ("version", "2024\n"),
    ("version", Decimal("-1")),  # a number: its text is checked by the registry
]


@pytest.mark.parametrize(("key", "value"), EDGES, ids=lambda value: repr(value))
def test_the_predicate_agrees_with_jsonschema_on_edge_values(key, value):
    data, _ = read_yaml_file(shipped_root() / "example/par-index/district/2024.yaml")
    data[key] = value
    assert _surely_valid(data) == jsonschema_says_valid(data)


def test_a_broken_file_is_still_described_by_jsonschema():
    data, where = read_yaml_file(FILES[0])
    data["criteria"] = "none"
    [problem] = check_schema(data, where)
    assert problem.message == "'none' is not of type 'array' (at criteria)"


def test_loading_a_valid_file_does_not_import_jsonschema():
    code = "import sys, par_rules; par_rules.load('example/par-index/district'); assert 'jsonschema' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


NODE_IDS_REFUSED = ["1.1\n", Decimal("1.1"), Decimal(1), "1.1\n\n", "\n1.1"]


@pytest.mark.parametrize("node_id", NODE_IDS_REFUSED, ids=repr)
def test_both_refuse_a_node_id_with_a_newline_or_a_number(node_id):
    data, _ = read_yaml_file(shipped_root() / "example/par-index/district/2024.yaml")
    data["criteria"][0]["id"] = node_id
    assert not jsonschema_says_valid(data)
    assert not _surely_valid(data)


def patterns(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            found.add(node["pattern"])
        for value in node.values():
            found |= patterns(value)
    elif isinstance(node, list):
        for value in node:
            found |= patterns(value)
    return found


SAMPLES = ["1.1", "a", "done", "x_y", "A-1", "test/index", "2024-01-01", "2024"]


def test_no_pattern_of_the_schema_takes_a_trailing_newline():
    found = patterns(schema())
    assert len(found) >= 4  # ids, versions, dates
    for pattern in found:
        matched = [sample for sample in SAMPLES if re.search(pattern, sample)]
        assert matched, pattern
        for sample in matched:
            for broken in (sample + "\n", sample + "\n\n", "\n" + sample, sample + "\r"):
                assert not re.search(pattern, broken), (pattern, broken)


@pytest.mark.skipif(shutil.which("node") is None, reason="node (an ECMAScript engine, as editors use) is not installed")
def test_editors_read_the_patterns_as_python_does():
    """An editor checks the schema's patterns with ECMAScript regexes: the verdicts must be Python's."""
    cases = [(pattern, sample) for pattern in sorted(patterns(schema())) for base in SAMPLES for sample in (base, base + "\n", base + "\r", "\n" + base)]
    script = "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));" \
        "console.log(JSON.stringify(cases.map(([p, s]) => [new RegExp(p).test(s), new RegExp(p, 'u').test(s)])));"
    run = subprocess.run(["node", "-e", script], input=json.dumps(cases), capture_output=True, text=True, check=True)
    for (pattern, sample), verdicts in zip(cases, json.loads(run.stdout)):
        assert verdicts == [bool(re.search(pattern, sample))] * 2, (pattern, sample)
