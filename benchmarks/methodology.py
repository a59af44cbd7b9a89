"""A generated benchmark methodology: 96 leaves mixing every rule kind, and records for it.

Used when no shipped methodology is large enough to measure on. It is ILLUSTRATIVE through and
through (``status: illustrative``): the structure imitates a district PAR index, the numbers are
drawn from a seeded random generator. The same :data:`SPEC` drives the YAML file, the naive
simpleeval engine and the hand-written scorer, so all three score the same methodology.

>>> len([leaf for field in SPEC for criterion in field.criteria for leaf in criterion.leaves])
96
>>> sorted({leaf.kind for field in SPEC for criterion in field.criteria for leaf in criterion.leaves})
['bands', 'bonus', 'boolean', 'deduction', 'direct', 'expression', 'levels', 'proportional', 'survey']
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = ["SPEC", "Leaf", "Criterion", "Field", "DERIVED", "methodology_yaml", "records"]

D = Decimal

# The kinds of the twelve leaves of each field, in order (bands dominate, as in real indexes).
_KINDS = ("bands", "bands", "levels", "boolean", "bands", "proportional", "bands", "expression", "bands", "deduction", "extra", "survey")
_LEAF_CAPS = ((D(1), D(1), D(1), D(1)), (D(1), D(1), D(1), D(1)), (D("1.5"), D(1), D(1), D(1)))
_LEVELS = {"good": "Tốt", "fair": "Khá", "poor": "Kém"}
_OPTIONS = ("A", "B", "C", "D")


@dataclass(frozen=True)
class Leaf:
    """One leaf: its node id, rule kind, cap, the indicator(s) it reads and its parameters."""

    id: str
    kind: str
    cap: Decimal
    indicator: str
    params: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Criterion:
    id: str
    cap: Decimal
    leaves: tuple[Leaf, ...]
    weighted: bool = False  # aggregate: weighted_mean (weights 1, 2, 1, 2)


@dataclass(frozen=True)
class Field:
    id: str
    cap: Decimal
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Derived:
    """A derived rate: numerator / denominator × 100, or 100 when the denominator is 0."""

    id: str
    numerator: str
    denominator: str


def _build() -> tuple[tuple[Field, ...], tuple[Derived, ...], dict[str, tuple[str, str]]]:
    rng = random.Random(20241)
    fields = []
    derived = []
    indicators: dict[str, tuple[str, str]] = {}  # id -> (type, missing policy)
    for f in range(1, 9):
        criteria = []
        position = 0
        for c, caps in enumerate(_LEAF_CAPS, start=1):
            leaves = []
            for cap in caps:
                kind = _KINDS[position]
                position += 1
                node_id = f"{f}.{c}.{len(leaves) + 1}"
                name = f"i{f}_{position}"
                if kind == "bands":
                    high = D(rng.randrange(80, 96))
                    low = D(rng.randrange(50, 75))
                    if position == 1:  # one derived rate per field
                        derived.append(Derived(name, f"{name}_done", f"{name}_all"))
                        indicators[f"{name}_done"] = ("count", "error")
                        indicators[f"{name}_all"] = ("count", "error")
                        indicators[name] = ("percent", "error")
                    else:
                        indicators[name] = ("percent", "not_applicable" if position == 9 and f % 2 else "error")
                    leaves.append(Leaf(node_id, kind, cap, name, (high, cap, low, cap / 2)))
                elif kind == "levels":
                    indicators[name] = ("level", "error")
                    leaves.append(Leaf(node_id, kind, cap, name, (("good", cap), ("fair", cap / 2), ("poor", D(0)))))
                elif kind == "boolean":
                    indicators[name] = ("boolean", "error")
                    leaves.append(Leaf(node_id, kind, cap, name))
                elif kind == "proportional":
                    indicators[name] = ("percent", "zero")
                    leaves.append(Leaf(node_id, kind, cap, name, (D(rng.randrange(60, 101)),)))
                elif kind == "expression":
                    indicators[name] = ("percent", "error")
                    threshold = D(rng.randrange(50, 90))
                    leaves.append(Leaf(node_id, kind, cap, name, (threshold,)))
                elif kind == "deduction":
                    indicators[name] = ("count", "full")
                    leaves.append(Leaf(node_id, kind, cap, name, (D("0.25"),)))
                elif kind == "extra" and f % 2:
                    indicators[name] = ("count", "zero")
                    leaves.append(Leaf(node_id, "bonus", cap, name, (D("0.5"),)))
                elif kind == "extra":
                    indicators[name] = ("number", "error")
                    leaves.append(Leaf(node_id, "direct", cap, name))
                else:
                    indicators[name] = ("answers", "error")
                    leaves.append(Leaf(node_id, kind, cap, name, (D(100), D(70), D(30), D(0))))
            weighted = f == 8 and c == 3
            criteria.append(Criterion(f"{f}.{c}", D("4.5") if c == 3 else D(4), tuple(leaves), weighted))
        fields.append(Field(str(f), D("12.5"), tuple(criteria)))
    return tuple(fields), tuple(derived), indicators


SPEC, DERIVED, INDICATORS = _build()


def _bands_yaml(leaf: Leaf) -> list[str]:
    high, top, low, middle = leaf.params
    return [
        "        rule:",
        "          kind: bands",
        f"          indicator: {leaf.indicator}",
        "          bands:",
        f"            - {{at_least: {high}, points: {top}}}",
        f"            - {{at_least: {low}, below: {high}, points: {middle}}}",
        f"            - {{below: {low}, points: 0}}",
    ]


def _rule_yaml(leaf: Leaf) -> list[str]:
    name = leaf.indicator
    if leaf.kind == "bands":
        return _bands_yaml(leaf)
    if leaf.kind == "levels":
        points = ", ".join(f"{level}: {value}" for level, value in leaf.params)
        return [f"        rule: {{kind: levels, indicator: {name}, points: {{{points}}}}}"]
    if leaf.kind == "boolean":
        return [f"        rule: {{kind: boolean, indicator: {name}}}"]
    if leaf.kind == "proportional":
        return [f"        rule: {{kind: proportional, indicator: {name}, full_at: {leaf.params[0]}}}"]
    if leaf.kind == "expression":
        (threshold,) = leaf.params
        formula = f"MAX if {name} >= {threshold} else MAX * {name} / {threshold} * 0.8"
        return [f'        rule: {{kind: expression, formula: "{formula}", monotone_in: [{name}]}}']
    if leaf.kind == "deduction":
        return [f"        rule: {{kind: deduction, indicator: {name}, per_occurrence: {leaf.params[0]}}}"]
    if leaf.kind == "bonus":
        return [f"        rule: {{kind: bonus, indicator: {name}, per_occurrence: {leaf.params[0]}}}"]
    if leaf.kind == "direct":
        return [f"        rule: {{kind: direct, indicator: {name}}}"]
    weights = ", ".join(f"{option}: {weight}" for option, weight in zip(_OPTIONS, leaf.params))
    return [f"        rule: {{kind: survey, indicator: {name}, weights: {{{weights}}}}}"]


def methodology_yaml() -> str:
    """The methodology as a YAML file (format 1), checked by par_rules like any other."""
    lines = [
        "format: 1",
        "id: benchmark/generated",
        'version: "2024"',
        "years: [2024]",
        "title: Chỉ số CCHC sinh ra để đo hiệu năng",
        "title_en: Generated benchmark index (illustrative)",
        "issuer: par_rules benchmarks",
        "level: district",
        "scale: 100",
        "status: illustrative",
        "status_note: Generated by benchmarks/methodology.py from a seeded random generator; not an official methodology.",
        "bands:",
        "  - {id: A, at_least: 90}",
        "  - {id: B, at_least: 80, below: 90}",
        "  - {id: C, at_least: 70, below: 80}",
        "indicators:",
    ]
    formulas = {d.id: f"{d.numerator} / {d.denominator} * 100 if {d.denominator} > 0 else 100" for d in DERIVED}
    for name, (kind, missing) in INDICATORS.items():
        lines += [f"  {name}:", f"    label: Chỉ tiêu {name}", f"    type: {kind}"]
        if missing != "error":
            lines.append(f"    missing: {missing}")
        if kind == "level":
            lines.append("    levels: {" + ", ".join(f"{k}: {v}" for k, v in _LEVELS.items()) + "}")
        if kind == "answers":
            lines.append("    options: {A: Rất hài lòng, B: Hài lòng, C: Bình thường, D: Không hài lòng}")
        if kind == "number":
            lines.append("    range: [0, 10]")
        if name in formulas:
            lines.append(f'    formula: "{formulas[name]}"')
    lines.append("criteria:")
    for field in SPEC:
        lines += [f'  - id: "{field.id}"', f"    label: Lĩnh vực {field.id}", f"    max: {field.cap}", "    children:"]
        for criterion in field.criteria:
            lines += [f'      - id: "{criterion.id}"', f"        label: Tiêu chí {criterion.id}", f"        max: {criterion.cap}"]
            if criterion.weighted:
                lines.append("        aggregate: weighted_mean")
            lines.append("        children:")
            for number, leaf in enumerate(criterion.leaves):
                body = [f'      - id: "{leaf.id}"', f"        label: Tiêu chí thành phần {leaf.id}", f"        max: {leaf.cap}"]
                if criterion.weighted:
                    body.append(f"        weight: {1 + number % 2}")
                body += _rule_yaml(leaf)
                lines += ["    " + line for line in body]
    return "\n".join(lines) + "\n"


def _value(rng: random.Random, name: str, kind: str, missing: str) -> Any:
    """A value as a JSON file or a CSV cell would give it (numbers with decimals as text)."""
    if missing != "error" and rng.random() < 0.1:
        return None
    if kind == "percent":
        return f"{rng.randrange(3000, 10001) / 100:.2f}"
    if kind == "count":
        return rng.randrange(0, 12)
    if kind == "number":
        return f"{rng.randrange(0, 101) / 100:.2f}"
    if kind == "boolean":
        return rng.random() < 0.7
    if kind == "level":
        return rng.choice(list(_LEVELS))
    return {option: rng.randrange(0, 200) + (option == "A") for option in _OPTIONS}


def records(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` records for the generated methodology, deterministic for a seed.

    >>> first = records(2)[0]
    >>> first["unit"], len(first) > 100
    ('unit-1', True)
    """
    rng = random.Random(seed)
    made = []
    for number in range(1, count + 1):
        record: dict[str, Any] = {"unit": f"unit-{number}", "period": 2024}
        for name, (kind, missing) in INDICATORS.items():
            if any(name == d.id for d in DERIVED):
                continue
            value = _value(rng, name, kind, missing)
            if value is not None:
                record[name] = value
        for d in DERIVED:  # the numerator never exceeds the denominator
            total = rng.randrange(0, 500)
            record[d.denominator] = total
            record[d.numerator] = rng.randrange(0, total + 1)
        made.append(record)
    return made
