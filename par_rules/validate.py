"""Stage 2, validate: the JSON Schema of the format, then the checks a schema cannot express.

:func:`check_schema` validates raw data against ``schema/methodology.schema.json`` (shipped in
the package, usable by editors). :func:`check_model` checks a compiled tree: unique ids, caps
that add up (or a declared ``cap_note``), bands ordered, not overlapping and covering their
indicator's range, points within caps, rules that fit their indicator's type, levels and
answers all covered, derived indicators without cycles, rating bands in order.
Both return every problem found, each with file, line, column and node id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from .arithmetic import format_decimal as fmt
from .errors import Problem
from .load import Location, SourceMap
from .model import NUMERIC_TYPES, Indicator, Interval, Methodology, Node
from .rules import (
    BandsRule,
    BonusRule,
    BooleanRule,
    DeductionRule,
    DirectRule,
    ExpressionRule,
    LevelsRule,
    ProportionalRule,
    SurveyRule,
)

if TYPE_CHECKING:
    import jsonschema

__all__ = ["schema", "check_schema", "check_model"]

# Which indicator types each rule kind accepts.
_RULE_TYPES = {
    BandsRule: NUMERIC_TYPES,
    ProportionalRule: NUMERIC_TYPES,
    DirectRule: NUMERIC_TYPES,
    DeductionRule: frozenset({"count", "number"}),
    BonusRule: frozenset({"count", "number"}),
    LevelsRule: frozenset({"level"}),
    BooleanRule: frozenset({"boolean"}),
    SurveyRule: frozenset({"answers"}),
}


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON Schema of a methodology file (as shipped in ``par_rules/schema``)."""
    text = resources.files("par_rules").joinpath("schema/methodology.schema.json").read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    import jsonschema  # here, not at the top: it costs ~45 ms, which `import par_rules` need not pay

    base = jsonschema.Draft202012Validator
    # Numbers are read as exact Decimals; booleans are not numbers.
    checker = base.TYPE_CHECKER.redefine_many(
        {
            "number": lambda _, value: isinstance(value, (int, Decimal)) and not isinstance(value, bool),
            "integer": lambda _, value: (isinstance(value, int) and not isinstance(value, bool))
            or (isinstance(value, Decimal) and value == value.to_integral_value()),
        }
    )
    return jsonschema.validators.extend(base, type_checker=checker)(schema())


def check_schema(data: Any, where: SourceMap) -> list[Problem]:
    """Every way ``data`` breaks the schema, with the place of each in the file."""
    problems = _check_numbers(data, where)
    if problems:  # a NaN cannot even be compared with the schema's bounds
        return problems
    for error in _leaf_errors(_validator().iter_errors(data)):
        container, key = _container_of(data, list(error.absolute_path))
        place = where.locate(container, key)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            extras = [name for name in error.instance if name not in error.schema.get("properties", {})]
            if extras:
                place = where.locate(error.instance, extras[0])
        path = "/".join(str(part) for part in error.absolute_path)
        message = _message(error)
        problems.append(place.problem(f"{message} (at {path})" if path else message, node=_node_id(data, error.absolute_path)))
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    return problems


#: What a number in a methodology may be: finite, below 10^15 in size, at most 10 decimals (so
#: sums of caps stay exact in the default decimal context, and no computation can overflow).
NUMBER_LIMITS = (Decimal(10) ** 15, 10)


def _check_numbers(data: Any, where: SourceMap) -> list[Problem]:
    """Every number outside :data:`NUMBER_LIMITS` (or not finite, such as ``!!float nan``)."""
    problems = []
    magnitude, decimals = NUMBER_LIMITS
    stack = [data]
    while stack:
        container = stack.pop()
        entries = container.items() if isinstance(container, dict) else enumerate(container) if isinstance(container, list) else ()
        for key, value in entries:
            if isinstance(value, (dict, list)):
                stack.append(value)
            elif isinstance(value, Decimal) and not (value.is_finite() and value.copy_abs() < magnitude and -value.as_tuple().exponent <= decimals):  # type: ignore[operator]
                message = f"number {value} is not supported: numbers must be finite, below 10^15 in size, with at most {decimals} decimals"
                problems.append(where.locate(container, key).problem(message))
    return problems


def _leaf_errors(errors: Iterator[jsonschema.ValidationError]) -> Iterator[jsonschema.ValidationError]:
    """The errors that say what is wrong, not the if/then wrappers around them."""
    for error in errors:
        if error.context:
            yield from _leaf_errors(iter(error.context))
        else:
            yield error


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        return f"{error.message}; allowed here: {', '.join(allowed)}"
    if error.validator == "enum":
        return f"{error.instance!r} is not one of: {', '.join(map(str, error.validator_value))}"
    if error.validator == "pattern":
        return f"{error.instance!r} is not a valid id (pattern {error.validator_value})"
    return re.sub(r"Decimal\('([^']*)'\)", r"\1", error.message)  # Decimal('-4') reads as -4


def _container_of(data: Any, path: list[Any]) -> tuple[Any, Any]:
    container: Any = data
    for part in path[:-1]:
        container = container[part]
    return (container, path[-1]) if path else (data, None)


def _node_id(data: Any, path: Any) -> str | None:
    """The id of the innermost criteria node on the path, if the path goes through the tree."""
    path = list(path)
    if not path or path[0] != "criteria":
        return None
    node_id = None
    current = data
    for part in path:
        try:
            current = current[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(current, dict) and "id" in current and ("label" in current or "rule" in current or "children" in current):
            node_id = str(current["id"])
    return node_id


def check_model(methodology: Methodology) -> list[Problem]:
    """Every semantic problem of a compiled methodology."""
    problems: list[Problem] = []
    seen: dict[str, Node] = {}
    for node in methodology.nodes():
        if node.id in seen:
            first = seen[node.id].location
            problems.append(_at(node, "id", f"duplicate node id {node.id} (first at line {first.line})"))
        seen[node.id] = node
        problems += _check_node(node, methodology)
    total = sum((field.max for field in methodology.criteria), Decimal(0))
    if total != methodology.scale:
        where = methodology.criteria[0].location if methodology.criteria else Location(methodology.file)
        problems.append(where.problem(f"the fields' caps add up to {fmt(total)}, not to the scale {fmt(methodology.scale)}"))
    problems += _check_rating_bands(methodology)
    return problems


def _at(node: Node, key: str, message: str, indicator: str | None = None) -> Problem:
    where = node.locations.get(key, node.location)
    return where.problem(message, node=node.id, indicator=indicator)


def _check_node(node: Node, methodology: Methodology) -> list[Problem]:
    problems: list[Problem] = []
    if node.children and node.rule is not None:
        problems.append(_at(node, "rule", "a node has either children or a rule, not both"))
    elif not node.children and node.rule is None and "rule" not in node.locations:
        problems.append(_at(node, "id", "a node needs children or a rule"))
    if node.children:
        if node.aggregate == "sum":
            total = sum((child.max for child in node.children), Decimal(0))
            if total != node.max and not node.cap_note:
                problems.append(
                    _at(node, "max", f"the children's caps add up to {fmt(total)}, not to this node's cap {fmt(node.max)} (fix the caps, or say why in cap_note)")
                )
        else:
            for child in node.children:
                if child.max <= 0:
                    problems.append(_at(child, "max", "a child of a weighted_mean node needs a positive cap"))
    if node.rule is not None:
        problems += _check_rule(node, methodology)
    return problems


def _check_rule(node: Node, methodology: Methodology) -> list[Problem]:
    rule = node.rule
    if isinstance(rule, ExpressionRule):
        return []  # checked when compiled: names, types, allow-list
    indicator = methodology.indicators.get(rule.indicator)
    if indicator is None:
        return [_at(node, "rule", f"unknown indicator '{rule.indicator}'", rule.indicator)]
    accepted = _RULE_TYPES[type(rule)]
    if indicator.type not in accepted:
        kinds = " or ".join(sorted(accepted))
        return [_at(node, "rule", f"a {rule.kind} rule needs a {kinds} indicator; '{indicator.id}' is a {indicator.type}", indicator.id)]
    problems: list[Problem] = []
    cap = node.max

    def over(points: Decimal, what: str) -> None:
        if points > cap:
            problems.append(_at(node, "rule", f"{what} gives {fmt(points)} points, more than the cap {fmt(cap)}", indicator.id))

    if isinstance(rule, BandsRule):
        problems += _check_bands(node, rule, indicator)
        for band in rule.bands:
            over(band.points, f"band {band.interval.describe(indicator.unit_symbol)}")
    elif isinstance(rule, LevelsRule):
        problems += _coverage(node, indicator, indicator.levels, rule.points, "points", "level")
        for level, points in rule.points.items():
            over(points, f"level {level}")
    elif isinstance(rule, BooleanRule):
        if rule.when_true is not None:
            over(rule.when_true, "yes")
        over(rule.when_false, "no")
    elif isinstance(rule, SurveyRule):
        problems += _coverage(node, indicator, indicator.options, rule.weights, "weight", "answer")
    elif isinstance(rule, DeductionRule) and rule.limit is not None:
        over(rule.limit, "the deduction limit")
    return problems


def _coverage(node: Node, indicator: Indicator, declared: Mapping[str, str], given: Mapping[str, Decimal], what: str, noun: str) -> list[Problem]:
    """A levels or survey rule must give points to every level (answer) and to no other."""
    problems = []
    missing = [key for key in declared if key not in given]
    unknown = [key for key in given if key not in declared]
    if missing:
        problems.append(_at(node, "rule", f"no {what} for {noun}(s) {', '.join(missing)} of '{indicator.id}'", indicator.id))
    if unknown:
        problems.append(_at(node, "rule", f"'{indicator.id}' has no {noun}(s) {', '.join(unknown)} ({noun}s: {', '.join(declared)})", indicator.id))
    return problems


_NEG, _POS = Decimal("-Infinity"), Decimal("Infinity")


def _cuts(interval: Interval) -> tuple[tuple[Decimal, int], tuple[Decimal, int]]:
    """An interval as two cuts of the number line: (v, 0) just before v, (v, 1) just after it."""
    start = (_NEG, 0) if interval.low is None else (interval.low, 0 if interval.low_inclusive else 1)
    end = (_POS, 1) if interval.high is None else (interval.high, 1 if interval.high_inclusive else 0)
    return start, end


def _between(start: tuple[Decimal, int], end: tuple[Decimal, int], unit: str) -> str:
    low = None if start[0] == _NEG else start[0]
    high = None if end[0] == _POS else end[0]
    return Interval(low, start[1] == 0, high, end[1] == 1).describe(unit)


def _check_bands(node: Node, rule: BandsRule, indicator: Indicator) -> list[Problem]:
    """Bands must cover the indicator's range from its low end up, without overlap or gap."""
    problems: list[Problem] = []
    unit = indicator.unit_symbol

    def problem(message: str) -> None:
        problems.append(_at(node, "rule", message, indicator.id))

    bands = sorted((_cuts(band.interval) for band in rule.bands), key=lambda cuts: cuts[0])
    range_start, range_end = _cuts(indicator.range)
    cursor = None
    for start, end in bands:
        if start >= end:
            problem(f"a band is empty: {_between(start, end, unit)}")
            continue
        if cursor is None:
            if start > range_start:
                problem(f"bands leave a gap: no band covers {_between(range_start, start, unit)}")
        elif start > cursor:
            problem(f"bands leave a gap: no band covers {_between(cursor, start, unit)}")
        elif start < cursor:
            problem(f"bands overlap: {_between(start, min(cursor, end), unit)} is in two bands")
        cursor = end if cursor is None else max(cursor, end)
    if cursor is not None and cursor < range_end:
        problem(f"bands leave a gap: no band covers {_between(cursor, range_end, unit)}")
    return problems


def _check_rating_bands(methodology: Methodology) -> list[Problem]:
    problems = []
    intervals = [band.interval for band in methodology.bands]
    for index, (upper, lower) in enumerate(zip(intervals, intervals[1:])):
        upper_low = upper.low if upper.low is not None else Decimal("-Infinity")
        lower_high = lower.high if lower.high is not None else Decimal("Infinity")
        if lower_high > upper_low or (lower_high == upper_low and lower.high_inclusive and upper.low_inclusive):
            band = methodology.bands[index + 1]
            problems.append(Problem(f"rating band {band.id} overlaps band {methodology.bands[index].id} (list bands best first, without overlap)", file=methodology.file))
    return problems
