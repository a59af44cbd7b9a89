"""Stage 2, validate: the JSON Schema of the format, then the checks a schema cannot express.

:func:`check_schema` validates raw data against ``schema/methodology.schema.json`` (shipped in
the package, usable by editors): the schema compiled into a predicate says whether a file is
valid, and jsonschema describes the errors of one that is not. :func:`check_model` checks a
compiled tree: unique ids, a sum's caps that add up (or a declared ``cap_note``), bands ordered, not
overlapping and covering their indicator's range, points within caps, rules that fit their
indicator's type, levels and answers all covered, derived indicators without cycles, rating
bands in order.
Both return every problem found, each with file, line, column and node id.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._arithmetic import format_decimal as fmt
from ..errors import Problem
from .._places import Location, SourceMap, did_you_mean
from ._model import Methodology, Node
from ._rules import rule_schema
from .._i18n import gettext as _

if TYPE_CHECKING:
    import jsonschema

__all__ = ["schema", "check_schema", "check_model"]

@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON Schema of a methodology file (as shipped in ``par_rules/schema``)."""
    import json  # here: only loading needs it

    # In the package folder, like the shipped methodologies (see registry.shipped_root); importlib.resources
    # would cost ~8 ms of `import par_rules` (it imports tempfile, shutil and random).
    shipped = json.loads((Path(__file__).parent.parent / "schema" / "methodology.schema.json").read_text("utf-8"))
    shipped["$defs"]["rule"] = rule_schema()  # the rule kinds' own schemas (the shipped copy, for editors, is the same: a test says so)
    return shipped


def _is_number(value: object) -> bool:
    """Numbers are read as exact Decimals; booleans are not numbers."""
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _is_integer(value: object) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, Decimal) and value == value.to_integral_value())


@lru_cache(maxsize=1)
def _validator() -> jsonschema.protocols.Validator:
    import jsonschema  # here, not at the top: it costs ~45 ms, and only a file with errors needs it

    base = jsonschema.Draft202012Validator
    checker = base.TYPE_CHECKER.redefine_many({"number": lambda _, value: _is_number(value), "integer": lambda _, value: _is_integer(value)})
    return jsonschema.validators.extend(base, type_checker=checker)(schema())


def check_schema(data: Any, where: SourceMap) -> list[Problem]:
    """Every way ``data`` breaks the schema, with the place of each in the file."""
    problems = check_numbers(data, where)
    if problems:  # a NaN cannot even be compared with the schema's bounds
        return problems
    if _surely_valid(data):
        return []
    for error in _leaf_errors(_validator().iter_errors(data)):
        container, key = _container_of(data, list(error.absolute_path))
        place = where.locate(container, key)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            extras = [name for name in error.instance if name not in error.schema.get("properties", {})]
            if extras:
                place = where.locate(error.instance, extras[0])
        path = "/".join(str(part) for part in error.absolute_path)
        message = _message(error)
        problems.append(place.problem(_("{message} (at {path})").format(message=message, path=path) if path else message, node=_node_id(data, error.absolute_path)))
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    return problems


# The fast path. Importing jsonschema costs ~45 ms and walking the largest shipped file with it
# ~35 ms, while a valid file only needs a yes. So the schema is also compiled into one predicate
# that says exactly what jsonschema's verdict (valid or not) would be, keyword by keyword with
# jsonschema's semantics (Draft 2020-12, the type checker above); jsonschema itself then runs
# only on a file the predicate rejects, to describe its errors. A keyword or value the predicate
# does not handle raises _Unsupported, and jsonschema decides.
#
# Kept, measured (2026-12-01, a shared 2-core EPYC, best of 20): on the largest shipped file the
# predicate takes 2.0-2.2 ms where jsonschema takes hundreds under today's load (~35 ms quiet).
# fastjsonschema, the library that compiles a schema to Python, was measured in its place and not
# taken: it rejects every shipped file as it is read (numbers are exact Decimals, and it refuses
# `format: 1` read as Decimal('1')), so each file would first be copied with floats; on that copy
# it takes 21-29 ms (ten times the predicate), compiling the schema takes it 0.9-1.4 s in every new
# process, and importing it ~65 ms. tests/test_schema_fast_path.py holds the predicate to
# jsonschema: every shipped file, randomly broken copies of them, edge values.

_Check = Callable[[Any], bool]


class _Unsupported(Exception):
    """A schema keyword, reference or value the fast predicate does not handle."""


def _surely_valid(data: Any) -> bool:
    """True only if jsonschema would find no error in ``data``."""
    check = _fast_check()
    if check is None:
        return False
    try:
        return check(data)
    except Exception:  # noqa: BLE001 - _Unsupported, or a value jsonschema should judge (and report) itself
        return False


@lru_cache(maxsize=1)
def _fast_check() -> _Check | None:
    try:
        return _SchemaCompiler(schema()).compile(schema(), root=True)
    except _Unsupported:
        return None


_TYPES: dict[str, _Check] = {
    "number": _is_number,
    "integer": _is_integer,
    "string": lambda value: isinstance(value, str),
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
}

# Keywords that never make a document invalid ("then" and "else" are read with "if").
_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly", "then", "else"})


def _always(value: Any) -> bool:
    return True


def _equal(value: Any, expected: Any) -> bool:
    """jsonschema's equality for scalars: a bool equals only a bool (``true`` is not ``1``)."""
    if isinstance(value, str) or isinstance(expected, str):
        return bool(value == expected)
    if isinstance(value, (dict, list)) or isinstance(expected, (dict, list)):
        raise _Unsupported("containers compared")
    if isinstance(value, bool) or isinstance(expected, bool):
        return value is expected
    return bool(value == expected)


def _unique(items: list[Any]) -> bool:
    """No two equal items, for lists of texts or of numbers (as jsonschema's ``uniq`` sees them)."""
    if all(isinstance(item, str) for item in items) or all(_is_number(item) for item in items):
        return len(set(items)) == len(items)
    raise _Unsupported("uniqueItems over mixed items")


def _all_of(checks: list[_Check]) -> _Check:
    if len(checks) <= 1:
        return checks[0] if checks else _always

    def check(value: Any) -> bool:
        for each in checks:  # noqa: SIM110 - a loop costs less than all() over a generator, per value checked
            if not each(value):
                return False
        return True

    return check


class _SchemaCompiler:
    """Compiles a schema (with its local ``$defs``) into a predicate."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.defs: Mapping[str, Any] = root.get("$defs", {})
        self.compiled: dict[str, _Check] = {}

    def compile(self, schema: Any, root: bool = False) -> _Check:
        if schema is True:
            return _always
        if schema is False:
            return lambda value: False
        if not isinstance(schema, dict) or ("$id" in schema and not root):
            raise _Unsupported("schema")
        return _all_of([self._keyword(name, argument, schema) for name, argument in schema.items() if name not in _ANNOTATIONS])

    def _reference(self, ref: Any) -> _Check:
        name = ref[len("#/$defs/") :] if isinstance(ref, str) and ref.startswith("#/$defs/") else ""
        if not re.fullmatch(r"\w+", name) or name not in self.defs:
            raise _Unsupported(f"$ref {ref}")
        compiled = self.compiled
        if name not in compiled:
            compiled[name] = _always  # a placeholder while compiling, never called: a definition may refer to itself
            compiled[name] = self.compile(self.defs[name])
        return lambda value: compiled[name](value)  # looked up when called, once every definition is compiled

    def _keyword(self, name: str, argument: Any, schema: dict[str, Any]) -> _Check:
        """The predicate of one keyword of ``schema`` (one branch a keyword)."""
        if name == "$ref":
            return self._reference(argument)
        if name == "type":
            names = [argument] if isinstance(argument, str) else argument
            if not all(each in _TYPES for each in names):
                raise _Unsupported(f"type {argument}")
            types = [_TYPES[each] for each in names]
            return types[0] if len(types) == 1 else lambda value: any(is_type(value) for is_type in types)
        if name == "const":
            return lambda value: _equal(value, argument)
        if name == "enum":
            if all(isinstance(each, str) for each in argument):
                texts = frozenset(argument)
                return lambda value: isinstance(value, str) and value in texts
            return lambda value: any(_equal(value, each) for each in argument)
        if name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            # Written as jsonschema fails a value, negated.
            fails: _Check = {
                "minimum": lambda value: value < argument,
                "maximum": lambda value: value > argument,
                "exclusiveMinimum": lambda value: value <= argument,
                "exclusiveMaximum": lambda value: value >= argument,
            }[name]
            return lambda value: not _is_number(value) or not fails(value)
        if name in ("minLength", "maxLength"):
            low, high = (argument, None) if name == "minLength" else (0, argument)
            return lambda value: not isinstance(value, str) or (len(value) >= low and (high is None or len(value) <= high))
        if name == "pattern":
            search = re.compile(argument).search
            return lambda value: not isinstance(value, str) or search(value) is not None
        if name in ("minItems", "maxItems"):
            low, high = (argument, None) if name == "minItems" else (0, argument)
            return lambda value: not isinstance(value, list) or (len(value) >= low and (high is None or len(value) <= high))
        if name == "uniqueItems":
            return lambda value: not argument or not isinstance(value, list) or _unique(value)
        if name == "items":
            item, start = self.compile(argument), len(schema.get("prefixItems", ()))
            return lambda value: not isinstance(value, list) or all(item(each) for each in value[start:])
        if name == "prefixItems":
            prefix = [self.compile(each) for each in argument]
            return lambda value: not isinstance(value, list) or all(check(each) for check, each in zip(prefix, value))
        if name in ("minProperties", "maxProperties"):
            low, high = (argument, None) if name == "minProperties" else (0, argument)
            return lambda value: not isinstance(value, dict) or (len(value) >= low and (high is None or len(value) <= high))
        if name == "required":
            return lambda value: not isinstance(value, dict) or all(key in value for key in argument)
        if name == "properties":
            properties = {key: self.compile(each) for key, each in argument.items()}

            def check_properties(value: Any) -> bool:
                if isinstance(value, dict):
                    for key, item in value.items():
                        check = properties.get(key)
                        if check is not None and not check(item):
                            return False
                return True

            return check_properties
        if name == "additionalProperties":
            if "patternProperties" in schema:
                raise _Unsupported("patternProperties")
            known, extra = schema.get("properties", {}), self.compile(argument)
            return lambda value: not isinstance(value, dict) or all(extra(item) for key, item in value.items() if key not in known)
        if name == "propertyNames":
            key_check = self.compile(argument)
            return lambda value: not isinstance(value, dict) or all(key_check(key) for key in value)
        if name == "allOf":
            return _all_of([self.compile(each) for each in argument])
        if name == "anyOf":
            options = [self.compile(each) for each in argument]
            return lambda value: any(option(value) for option in options)
        if name == "oneOf":
            options = [self.compile(each) for each in argument]
            return lambda value: sum(1 for option in options if option(value)) == 1
        if name == "not":
            negated = self.compile(argument)
            return lambda value: not negated(value)
        if name == "if":
            condition = self.compile(argument)
            then, otherwise = self.compile(schema.get("then", True)), self.compile(schema.get("else", True))
            return lambda value: then(value) if condition(value) else otherwise(value)
        raise _Unsupported(f"keyword {name}")


#: What a number in a methodology may be: finite, below 10^15 in size, at most 10 decimals (so
#: sums of caps stay exact in the default decimal context, and no computation can overflow).
NUMBER_LIMITS = (Decimal(10) ** 15, 10)


def check_numbers(data: Any, where: SourceMap) -> list[Problem]:
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
                message = _("number {value} is not supported: a number in a methodology must be finite, below 10^15 in size, with at most {decimals} decimals (so that sums of caps stay exact)").format(  # noqa: E501 - one msgid, kept whole for the catalogues
                    value=value, decimals=decimals
                )
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
        return _("{message}; allowed here: {allowed}{error}{error2}").format(
            message=error.message, allowed=', '.join(allowed), error=_unknown_key_hint(error, allowed), error2=_decimal_comma_hint(error)
        )
    if error.validator == "enum":
        return _("{instance!r} is not one of: {str}").format(instance=error.instance, str=', '.join(map(str, error.validator_value)))
    if error.validator == "pattern":
        return _("{instance!r} is not a valid {get} (pattern {validator_value})").format(instance=error.instance, get=error.schema.get('title', 'text'), validator_value=error.validator_value)
    if error.validator == "type" and "pattern" in error.schema and _is_number(error.instance):
        # YAML reads 1.10 as a number; a number would skip the id's pattern (+1.1 and 1.1 would be one id).
        return _("{instance} is a number, and an id is text: write the id in quotes: \"{instance}\"").format(instance=error.instance)
    return re.sub(r"Decimal\('([^']*)'\)", r"\1", error.message) + _decimal_comma_hint(error)  # Decimal('-4') reads as -4


def _unknown_key_hint(error: jsonschema.ValidationError, allowed: list[str]) -> str:
    """A suggestion for a misspelt key (``ful_at``: did you mean 'full_at'?)."""
    extras = [str(name) for name in error.instance if name not in allowed] if isinstance(error.instance, dict) else []
    return did_you_mean(extras[0], allowed) if extras else ""


_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]+,[0-9]+")


def _decimal_comma_hint(error: jsonschema.ValidationError) -> str:
    """What to do about a number written with a decimal comma: 16,75 reads as the text "16,75"
    (and, inside { }, as 16 and a key 75)."""
    if error.validator == "type" and isinstance(error.instance, str) and _DECIMAL_COMMA.fullmatch(error.instance.strip()):
        return _(": write numbers with a decimal point: {replace}, not {strip}").format(replace=error.instance.strip().replace(',', '.'), strip=error.instance.strip())
    if error.validator == "additionalProperties" and isinstance(error.instance, dict) and any(str(key).isdigit() for key in error.instance):
        return _(": a number written with a decimal comma inside { }? write 16.75, not 16,75")
    return ""


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
            problems.append(_at(node, "id", _("duplicate node id {id} (first at line {line})").format(id=node.id, line=first.line)))
        seen[node.id] = node
        problems += _check_node(node, methodology)
    total = sum((field.max for field in methodology.criteria), Decimal(0))
    if total != methodology.scale:
        where = methodology.criteria[0].location if methodology.criteria else Location(methodology.file)
        problems.append(where.problem(_("the fields' caps add up to {total}, not to the scale {scale}").format(total=fmt(total), scale=fmt(methodology.scale))))
    problems += _check_rating_bands(methodology)
    return problems


def _at(node: Node, key: str, message: str, indicator: str | None = None) -> Problem:
    where = node.locations.get(key, node.location)
    return where.problem(message, node=node.id, indicator=indicator)


def _check_node(node: Node, methodology: Methodology) -> list[Problem]:
    problems: list[Problem] = []
    if node.children and node.rule is not None:
        problems.append(_at(node, "rule", _("a node has either children or a rule, not both")))
    elif not node.children and node.rule is None and "rule" not in node.locations:
        problems.append(_at(node, "id", _("a node needs children or a rule")))
    if node.children:
        if node.aggregate == "sum":
            total = sum((child.max for child in node.children), Decimal(0))
            if total != node.max and not node.cap_note:
                problems.append(
                    _at(node, "max", _("the children's caps add up to {total}, not to this node's cap {max} (fix the caps, or say why in cap_note)").format(total=fmt(total), max=fmt(node.max)))
                )
        else:
            for child in node.children:
                if child.max <= 0:
                    problems.append(_at(child, "max", _("a child of a weighted_mean node needs a positive cap")))
    if node.rule is not None:
        problems += _check_rule(node, methodology)
    return problems


def _check_rule(node: Node, methodology: Methodology) -> list[Problem]:
    rule = node.rule
    assert rule is not None
    problems: list[Problem] = []
    rule.check(node.max, methodology.indicators, lambda message, indicator: problems.append(_at(node, "rule", message, indicator)))
    return problems


def _check_rating_bands(methodology: Methodology) -> list[Problem]:
    problems = []
    intervals = [band.interval for band in methodology.bands]
    for index, (upper, lower) in enumerate(itertools.pairwise(intervals)):
        upper_low = upper.low if upper.low is not None else Decimal("-Infinity")
        lower_high = lower.high if lower.high is not None else Decimal("Infinity")
        if lower_high > upper_low or (lower_high == upper_low and lower.high_inclusive and upper.low_inclusive):
            band = methodology.bands[index + 1]
            problems.append(Problem(_("rating band {id} overlaps band {id2} (list bands best first, without overlap)").format(id=band.id, id2=methodology.bands[index].id), file=methodology.file))
    return problems
