"""Stage 4, compiled: a methodology's evaluation plan written out as one Python function.

:class:`~par_rules.evaluate.Plan` has this module write the plan as straight-line Python
source, compiled once per methodology: each indicator is read from the record's values into a
local variable, each derived indicator and each leaf is a few lines with its cap, band bounds,
level points and weights bound as constants, each parent adds its children's locals, and the
total is summed at the end. Nothing is looked up by name, dispatched on a rule kind or parsed
while a record is scored. Each leaf's code is written by its rule (``Rule.write``, in
:mod:`par_rules.engine._rules`) from the same formula text as the rule's ``apply``.

Safety: an expression's text is never pasted into the source. Its syntax tree, which passed the
allow-list of :mod:`par_rules.expressions`, is copied with every name renamed (indicators to the
function's locals, literals, functions and ``MAX`` to constants of the function) and unparsed;
the function runs with no builtins at all, inside :data:`~par_rules.arithmetic.CONTEXT`, so
every limit of the expression language still holds. Everything else in the source is written
from ``repr`` of ids and from names this module chooses.

The function reads each value as the catalogue's readers do (:mod:`par_rules.record`) and gives
exactly what the rules' own ``apply`` gives (the same formula text, in the same context); it
records the same details for the explanation and reports the same problems. Leaves run in (a copy of) :data:`~par_rules.arithmetic.CONTEXT`, but for a survey's
sums and products; parents and the total add and multiply in :data:`~par_rules.arithmetic.EXACT`
and round once, by one division or ``context.plus``, so that a value the documented formula gives
exactly is given exactly. Rare paths (a value outside every band, a missing input to an expression, any unusual
value) call the general code.

Size: nothing in the source nests with the size of the methodology (Python's compiler recurses
over nested code and stops at about a thousand levels): a sum of many children is written a line
per :data:`_TERMS_PER_LINE` terms, a long band table is searched by bisection (``_rules/bands.py``),
and everything else is one statement after another. Whatever the loader's limits
let through compiles (what the largest costs to compile is measured in the documentation).
"""

from __future__ import annotations

import ast
import decimal
import linecache
from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from ._arithmetic import CONTEXT, EXACT, MAX_DIGITS, MAX_MAGNITUDE, format_decimal
from ..errors import Problem, RecordError
from ._expressions import Expression
from ._model import NUMERIC_TYPES, Indicator, Interval, Node
from ._record import FALSE_WORDS, TRUE_WORDS
from ._rules import FORMULA_HELPERS, Slots
from .._i18n import gettext as _

if TYPE_CHECKING:
    from ._evaluate import Plan

__all__ = ["write_plan", "compile_plan", "Outcome", "MISSING_DETAIL", "PENDING_DETAIL", "ABSENT"]

#: ``score(record, row)``: the outcome of a record's values, or ``None`` when they are unusual.
if TYPE_CHECKING:  # a type only: a Protocol class costs import time for nothing at run time

    class Scorer(Protocol):
        """The function :func:`compile_plan` writes: ``score(record, row, reach=False)``."""

        def __call__(self, record: Mapping[str, Any], row: int | None, reach: bool = False, /) -> Outcome | None: ...

_ZERO = Decimal(0)
_MAX_ADJUSTED = MAX_MAGNITUDE.adjusted()
_PRECEDENCE = {"not_applicable": 0, "zero": 1, "full": 2, "pending": 3}
#: A missing value, in the function's locals and in an Outcome's values.
ABSENT = object()
_NONE_APPLICABLE = ("none_applicable",)

#: The detail of a leaf whose indicator was missing: ("missing", indicator id, policy).
MISSING_DETAIL = "missing"
#: The detail of a pending leaf: ("pending", indicator id or None, "missing" (its indicator is
#: missing under the policy pending) or "part" (outside the parts named to score)).
PENDING_DETAIL = "pending"


class Outcome:
    """What scoring decided at every node: points (``None``: not applicable) and details, and
    the record's values as read (derived indicators included). ``pending``: some leaf is not in
    yet (its points here are 0: the points so far); ``reach``: then, the outcome with each
    pending leaf at its cap (set by the plan)."""

    __slots__ = ("_names", "_read", "_values", "details", "pending", "points", "reach", "total")

    def __init__(self, points: list[Decimal | None], details: list[Any], names: tuple[str, ...], read: tuple[Any, ...], total: Decimal | None, pending: bool = False) -> None:
        self.points = points
        self.details = details
        self.total = total
        self.pending = pending
        self.reach: Outcome | None = None
        self._names = names  # the values, as the plan's function left them: made a dict when asked
        self._read = read
        self._values: dict[str, Any] | None = None

    @property
    def values(self) -> dict[str, Any]:
        """Indicator id -> value read (or computed), for the indicators the record gives."""
        if self._values is None:
            self._values = {name: value for name, value in zip(self._names, self._read) if value is not ABSENT}
        return self._values


def compile_plan(plan: Plan) -> Scorer:
    """The plan as one function, ``score(record, row) -> Outcome | None`` (:func:`write_plan`)."""
    source, constants = write_plan(plan)
    filename = f"<plan of {plan.name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # tracebacks show the lines
    namespace: dict[str, Any] = {"__builtins__": {}, "Outcome": Outcome, **constants}
    exec(compile(source, filename, "exec"), namespace)  # written here; expressions from checked trees
    scorer: Scorer = namespace["score"]
    return scorer


class _Source:
    """Lines of source, and the constants they name."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {}
        self._names: dict[tuple[str, str], str] = {}

    def add(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)

    def constant(self, value: Any, hint: str = "k") -> str:
        """A name bound to ``value`` in the function's globals (equal Decimals written alike
        share one name)."""
        key = (type(value).__name__, repr(value)) if isinstance(value, (Decimal, str, bool, int, type(None))) else ("id", str(id(value)))
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = f"{hint}{len(self.constants)}"
            self.constants[name] = value
        return name

    def expression(self, expression: Expression, inputs: Mapping[str, str]) -> str:
        """An expression's checked tree, every name renamed, as source (in brackets)."""
        return _expression(self, expression, inputs)


def write_plan(plan: Plan) -> tuple[str, dict[str, Any]]:
    """The source of ``score(record, row)`` and the constants it uses.

    It reads the record's raw values as the catalogue's readers do (:func:`_read_inputs`) into
    locals, then scores them. It returns ``None``, before scoring, when anything in the record is
    unusual (an unknown key, a value a reader refuses, a required value missing), for
    :func:`~par_rules.record.check_values` to read or report."""
    out = _Source()
    out.constants.update(_HELPERS)
    nodes = plan.nodes
    locals_of = {key: f"i{number}" for number, key in enumerate(plan.catalogue.indicators)}
    policies = plan.policies
    out.add(0, "def score(record, row, reach=False):")  # reach: pending leaves at their caps, not at 0
    _read_inputs(out, plan, locals_of)
    out.add(1, "problems = []")
    out.add(1, "pending = False")
    out.add(1, "with localcontext(CONTEXT) as context:")
    for key, _unused in plan.derived:
        out.add(2, f"{locals_of[key]} = ABSENT")
    for key, indicator in plan.derived:
        _derivation(out, key, indicator, locals_of, policies[key])
    out.add(2, "if problems:")
    out.add(3, "raise RecordError(problems)")
    for position in range(len(nodes) - 1, -1, -1):  # problems are reported leaves last to first
        if nodes[position].rule is not None:
            _leaf(out, position, nodes[position], locals_of, policies, position in plan.forced_pending)
    out.add(2, "if problems:")
    out.add(3, "raise RecordError(problems)")
    out.add(2, "setcontext(EXACT)")  # sums and products exact; each parent rounds once, explicitly
    for position in range(len(nodes) - 1, -1, -1):  # children before parents
        if nodes[position].rule is None:
            _parent(out, position, plan)
    _total(out, plan)
    points = ", ".join(f"p{position}" for position in range(len(nodes)))
    details = ", ".join(f"d{position}" for position in range(len(nodes)))
    out.add(1, f"return Outcome([{points}], [{details}], {out.constant(tuple(locals_of), 'n')}, {_tuple(locals_of.values())}, total, pending)")
    return "\n".join(out.lines) + "\n", out.constants


def _derivation(out: _Source, key: str, indicator: Indicator, locals_of: dict[str, str], policy: str) -> None:
    """A derived indicator: computed into its local, or a problem noted."""
    formula = indicator.formula
    assert formula is not None, "only derived indicators are written here"
    local = locals_of[key]
    absent = " or ".join(f"{locals_of[name]} is ABSENT" for name in formula.names) or "False"
    out.add(2, f"if {absent}:")
    if policy == "error":
        names = out.constant(formula.names, "n")
        given = _tuple(locals_of[name] for name in formula.names)
        out.add(3, f"problems.append(cannot_compute({key!r}, {names}, {given}, row))")
    else:
        out.add(3, "pass")
    out.add(2, "else:")
    out.add(3, "try:")
    out.add(4, f"result = {_expression(out, formula, locals_of)}")
    out.add(3, "except FORMULA_ERRORS as error:")
    out.add(4, f"problems.append(formula_problem({key!r}, {formula.source!r}, error, row))")
    out.add(3, "else:")
    if indicator.type != "boolean":
        test = _inside("result", indicator.range, out)
        out.add(4, f"if result.__class__ is not Decimal or not ({test}):")
        out.add(5, f"problems.append(out_of_range({key!r}, result, {out.constant(indicator.range, 'r')}, row))")
        out.add(4, "else:")
        out.add(5, f"{local} = result")
    else:
        out.add(4, f"{local} = result")


def _leaf(out: _Source, position: int, node: Node, locals_of: dict[str, str], policies: Mapping[str, str], forced_pending: bool = False) -> None:
    """A leaf: ``p<position>``, ``d<position>`` (points, detail), inside a try that turns an
    error into a problem of this node; a pending leaf scores 0, or its cap when ``reach``. The
    rule writes its own code (:meth:`~par_rules.engine._rules.Rule.write`)."""
    rule = node.rule
    assert rule is not None, "only leaves are written here"
    points, detail = f"p{position}", f"d{position}"
    cap = out.constant(node.max, "c")
    if forced_pending:  # outside the parts named to score
        out.add(2, f"{points} = {cap} if reach else ZERO")
        out.add(2, f"{detail} = {out.constant((PENDING_DETAIL, rule.indicator, 'part'), 'w')}")
        out.add(2, "pending = True")
        return
    inputs = rule.inputs
    out.add(2, "try:")
    absent = " or ".join(f"{locals_of[name]} is ABSENT" for name in inputs)
    if absent:
        out.add(3, f"if {absent}:")
        if rule.indicator is None:  # a formula over several indicators: the strictest policy of those missing
            policy = out.constant({name: policies[name] for name in inputs}, "m")
            given = _tuple(locals_of[name] for name in inputs)
            out.add(4, f"{points}, {detail} = expression_missing({out.constant(node, 'node')}, {policy}, {given}, reach)")
            if any(policies[name] == "pending" for name in inputs):
                out.add(4, f"if {detail}[0] == {PENDING_DETAIL!r}:")
                out.add(5, "pending = True")
        else:  # one indicator: the outcome is known in advance
            indicator = rule.indicator
            when_missing = _missing(node, indicator, policies[indicator])
            if policies[indicator] == "pending":
                out.add(4, f"{points} = {cap} if reach else ZERO")
                out.add(4, f"{detail} = {out.constant((PENDING_DETAIL, indicator, 'missing'), 'w')}")
                out.add(4, "pending = True")
            elif when_missing is None:
                out.add(4, f"raise ValueError({f'indicator {indicator} is missing'!r})")
            else:
                out.add(4, f"{points}, {detail} = {out.constant(when_missing, 'w')}")
        out.add(3, "else:")
    rule.write(out, 4 if absent else 3, Slots(cap, node.max, points, detail, {name: locals_of[name] for name in inputs}))
    out.add(2, "except LEAF_ERRORS as error:")
    out.add(3, "setcontext(context)")  # a rule may have set another context (a survey's, exact)
    out.add(3, f"problems.append(leaf_problem(error, {node.id!r}, {rule.indicator!r}, row))")


def _parent(out: _Source, position: int, plan: Plan) -> None:
    """A parent: the sum of its children (rescaled over those that apply) within its cap, or
    their weighted mean."""
    node = plan.nodes[position]
    children = plan.children[position]
    points, detail = f"p{position}", f"d{position}"
    cap = out.constant(node.max, "c")
    caps = [out.constant(plan.nodes[child].max, "c") for child in children]
    if node.aggregate == "weighted_mean":
        _weighted_mean(out, position, plan, caps)
        return
    full = out.constant(sum((plan.nodes[child].max for child in children), _ZERO), "c")
    if not any(plan.may_lapse[child] for child in children):  # every child always applies
        _sum_in_order(out, "raw", [f"p{child}" for child in children])
        out.add(2, "raw = context.plus(raw)")
        out.add(2, f"{points} = {cap} if {cap} < raw else raw")
        out.add(2, f"{detail} = ('sum', raw, False, {full})")
        return
    _add_applicable(out, "raw", zip(children, caps))
    out.add(2, "if applicable:")
    out.add(3, f"if caps != {full}:")
    out.add(4, f"raw = context.divide(raw * {full}, caps)")
    out.add(4, f"{detail} = ('sum', raw, True, caps)")
    out.add(3, "else:")
    out.add(4, "raw = context.plus(raw)")
    out.add(4, f"{detail} = ('sum', raw, False, caps)")
    out.add(3, f"{points} = {cap} if {cap} < raw else raw")
    out.add(2, "else:")
    out.add(3, f"{points} = None")
    out.add(3, f"{detail} = NONE_APPLICABLE")


def _weighted_mean(out: _Source, position: int, plan: Plan, caps: list[str]) -> None:
    """A parent that takes its children's weighted mean, cap × Σ(weight × points / child cap)
    / Σ weight over the children that apply, with one division: the children are grouped by cap
    (``s<g>``: Σ weight × points of group g, exact), and the shares are put over the product D
    of the distinct caps, so that the parent is cap × Σ s_g × (D / cap_g) / (Σ weight × D)."""
    points, detail = f"p{position}", f"d{position}"
    children = plan.children[position]
    distinct = list(dict.fromkeys(plan.nodes[child].max for child in children))
    out.add(2, "weights = ZERO")
    for group in range(len(distinct)):
        out.add(2, f"s{group} = ZERO")
    out.add(2, "applicable = False")
    for child in children:
        weight = out.constant(plan.nodes[child].weight, "c")
        out.add(2, f"if p{child} is not None:")
        out.add(3, f"weights += {weight}")
        out.add(3, f"s{distinct.index(plan.nodes[child].max)} += {weight} * p{child}")
        out.add(3, "applicable = True")
    product = _product(distinct)
    shares = " + ".join(
        f"s{group}" if len(distinct) == 1 else f"s{group} * {out.constant(_product(distinct[:group] + distinct[group + 1:]), 'c')}"
        for group in range(len(distinct))
    )
    out.add(2, "if applicable:")
    out.add(3, f"share = {shares}")
    out.add(3, f"weights = weights * {out.constant(product, 'c')}")
    out.add(3, f"{points} = context.divide({out.constant(plan.nodes[position].max, 'c')} * share, weights)")
    out.add(3, f"{detail} = ('weighted_mean', context.divide(share, weights))")
    out.add(2, "else:")
    out.add(3, f"{points} = None")
    out.add(3, f"{detail} = NONE_APPLICABLE")


def _total(out: _Source, plan: Plan) -> None:
    """The total: the fields' points, rescaled over the fields that apply, within the scale."""
    _add_applicable(out, "total", ((position, out.constant(plan.nodes[position].max, "c")) for position in plan.fields))
    out.add(2, "if not applicable:")
    out.add(3, "raise RecordError([Problem('no criterion applies to this record: every field is not applicable', row=row)])")
    field_caps = out.constant(plan.field_caps, "c")
    out.add(2, f"if caps != {field_caps}:")
    out.add(3, f"total = context.divide(total * {field_caps}, caps)")
    out.add(2, "else:")
    out.add(3, "total = context.plus(total)")
    scale = out.constant(plan.scale, "c")
    out.add(2, f"if {scale} < total:")
    out.add(3, f"total = {scale}")


#: The most terms one line adds: a longer chain of ``+`` nests too deep for Python's compiler.
_TERMS_PER_LINE = 64


def _sum_in_order(out: _Source, total: str, terms: list[str]) -> None:
    """``total``: ZERO plus the terms, left to right (as ``sum`` adds them), a line per
    :data:`_TERMS_PER_LINE` terms."""
    chunks = [terms[start:start + _TERMS_PER_LINE] for start in range(0, len(terms), _TERMS_PER_LINE)] or [[]]
    so_far = "ZERO"
    for chunk in chunks:
        out.add(2, f"{total} = {' + '.join([so_far, *chunk])}")
        so_far = total


def _add_applicable(out: _Source, total: str, nodes: Iterable[tuple[int, str]]) -> None:
    """``total``: the points of the nodes (position, cap constant) that apply; ``caps``: their
    caps; ``applicable``: whether any does."""
    out.add(2, f"{total} = caps = ZERO")
    out.add(2, "applicable = False")
    for position, cap in nodes:
        out.add(2, f"if p{position} is not None:")
        out.add(3, f"{total} += p{position}")
        out.add(3, f"caps += {cap}")
        out.add(3, "applicable = True")


def _read_inputs(out: _Source, plan: Plan, locals_of: Mapping[str, str]) -> None:
    """Each input value checked and coerced as its indicator's reader does, into its local
    (``ABSENT`` when missing); ``return None`` at anything unusual. Plain numbers
    (ints, short texts) are read inline, every other value by the reader itself.

    A second reader, kept for speed. Measured (2026-12-01, CPU time, the benchmark's methodology
    of 112 indicators, 300 records): the catalogue's readers (:func:`~par_rules.record.check_values`)
    alone take 111-175 µs a record, as long as this whole function, reading and scoring (185-220
    µs); reading every record through them first made scoring cost 510-630 µs. Anything unusual
    still goes to them (``return None``), and ``tests/test_fast_paths.py`` holds this reader to
    them on drawn records of every type, values and errors alike."""
    out.constants.update(int=int, str=str, dict=dict, len=len, ArithmeticError=ArithmeticError, MappingProxyType=MappingProxyType, BOOLEAN_WORDS=_BOOLEAN_WORDS)
    catalogue = plan.catalogue
    inputs = [key for key, reader in catalogue.readers.items() if reader is not None]
    required = set(catalogue.required)
    out.add(1, f"if not record.keys() <= {out.constant(frozenset(inputs), 'keys')}:")
    out.add(2, "return None")
    if not inputs:  # every indicator is derived, or there are none
        return
    out.add(1, "get = record.get")
    out.add(1, "try:")
    for key in inputs:
        indicator = catalogue.indicators[key]
        reader = out.constant(catalogue.readers[key], "read")
        local = locals_of[key]
        out.add(2, f"value = get({key!r})")
        if indicator.type in NUMERIC_TYPES:
            out.add(2, "if value.__class__ is str and 0 < len(value) <= SHORT_TEXT:")
            out.add(3, "number = TEXT_NUMBERS.get(value)")
            out.add(3, "if number is None:")
            out.add(4, "number = text_number(value)")
            out.add(4, "if number is None:")  # what Decimal refuses ("88,9", "93%"): the reader reads it or says why not
            out.add(5, f"number = {reader}(value)")
            out.add(3, f"if {_number_test(out, indicator, from_text=True)}:")
            out.add(4, f"{local} = number")
            out.add(3, "else:")
            out.add(4, "return None")
            out.add(2, "elif value.__class__ is int and -INT_BOUND < value < INT_BOUND:")
            out.add(3, "number = Decimal(value)")
            out.add(3, f"if {_number_test(out, indicator, from_text=False)}:")
            out.add(4, f"{local} = number")
            out.add(3, "else:")
            out.add(4, "return None")
            out.add(2, "elif value is None or value == '':")
        else:
            out.add(2, "if value is None or value == '':")
        out.add(3, "return None" if key in required else f"{local} = ABSENT")
        if indicator.type == "boolean":
            out.add(2, "elif value is True or value is False:")
            out.add(3, f"{local} = value")
            out.add(2, "elif value.__class__ is str and value in BOOLEAN_WORDS:")
            out.add(3, f"{local} = BOOLEAN_WORDS[value]")
        elif indicator.type == "level":
            plain = frozenset(level for level in indicator.levels if level and level == level.strip())
            out.add(2, f"elif value.__class__ is str and value in {out.constant(plain, 'levels')}:")
            out.add(3, f"{local} = value")
        elif indicator.type == "answers":
            _answers(out, indicator, local, key in required)
        out.add(2, "else:")
        if indicator.type == "answers":  # no answer at all is a missing value
            out.add(3, f"value = {reader}(value)")
            out.add(3, "if value is not None:")
            out.add(4, f"{local} = value")
            out.add(3, "else:")
            out.add(4, "return None" if key in required else f"{local} = ABSENT")
        else:
            out.add(3, f"{local} = {reader}(value)")
    out.add(1, "except READ_ERRORS:")
    out.add(2, "return None")


def _answers(out: _Source, indicator: Indicator, local: str, required: bool) -> None:
    """Survey answers as a dict of plain counts (ints, short texts) read inline; anything else
    in them sends the record to the general reader."""
    out.add(2, f"elif value.__class__ is dict and value.keys() <= {out.constant(frozenset(indicator.options), 'options')}:")
    out.add(3, "counts = {}")
    out.add(3, "answered = False")
    out.add(3, "for option, count in value.items():")
    out.add(4, "if count.__class__ is int and 0 <= count < INT_BOUND:")
    out.add(5, "number = Decimal(count)")
    out.add(4, "elif count.__class__ is str and 0 < len(count) <= SHORT_TEXT:")
    out.add(5, "number = TEXT_NUMBERS.get(count)")
    out.add(5, "if number is None:")
    out.add(6, "number = text_number(count)")
    out.add(6, "if number is None:")
    out.add(7, "return None")
    out.add(5, "if number < 0:")
    out.add(6, "return None")
    out.add(4, "else:")
    out.add(5, "return None")
    out.add(4, "counts[option] = number")
    out.add(4, "if number:")
    out.add(5, "answered = True")
    out.add(3, "if answered:")
    out.add(4, f"{local} = MappingProxyType(counts)")
    out.add(3, "else:")  # no answer at all: a missing value
    out.add(4, "return None" if required else f"{local} = ABSENT")


def _number_test(out: _Source, indicator: Indicator, from_text: bool) -> str:
    """A test that ``number`` is what the indicator's reader would accept (finite and within
    the magnitude :func:`~par_rules.arithmetic.to_decimal` allows, as texts read by
    :func:`_text_number` and ints in bounds are): whole for a count, within the range."""
    tests = [_inside("number", indicator.range, out)]
    if from_text and indicator.type == "count":
        tests.append("(value.isdigit() or number == number.to_integral_value())")  # digits alone: a whole number
    return " and ".join(test for test in tests if test != "True") or "True"


class _Rename(ast.NodeTransformer):
    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return ast.copy_location(ast.Name(id=self.names[node.id], ctx=ast.Load()), node)


def _expression(out: _Source, expression: Expression, locals_of: Mapping[str, str]) -> str:
    """An expression's checked tree, every name renamed, as source (in brackets)."""
    names: dict[str, str] = {name: locals_of[name] for name in expression.names}
    for name, value in expression.namespace.items():
        if name != "__builtins__":
            names[name] = out.constant(value, "f" if callable(value) else "c")
    tree = ast.parse(expression.decimal_source, mode="eval")  # the unparsed checked tree
    renamed = ast.fix_missing_locations(_Rename(names).visit(tree))
    return f"({ast.unparse(renamed)})"


def _product(numbers: Iterable[Decimal]) -> Decimal:
    """The exact product of some numbers (1 for none)."""
    product = Decimal(1)
    for number in numbers:
        product = EXACT.multiply(product, number)
    return product


def _tuple(items: Iterable[str]) -> str:
    """A tuple display of the given expressions: ``()``, ``(a,)``, ``(a, b,)``."""
    return "(" + "".join(f"{item}, " for item in items).rstrip() + ")"


def _inside(value: str, interval: Interval, out: _Source) -> str:
    """A test that ``value`` lies in ``interval``."""
    tests = []
    if interval.low is not None:
        tests.append(f"{value} {'>=' if interval.low_inclusive else '>'} {out.constant(interval.low, 'c')}")
    if interval.high is not None:
        tests.append(f"{value} {'<=' if interval.high_inclusive else '<'} {out.constant(interval.high, 'c')}")
    return " and ".join(tests) or "True"


#: Yes/no words as a record spells them, each as coerce_boolean reads it (it strips and lowers
#: the word first, so every casing of a word reads alike).
_BOOLEAN_WORDS: dict[str, bool] = {
    spelling: truth
    for words, truth in ((TRUE_WORDS, True), (FALSE_WORDS, False))
    for word in words
    for spelling in (word, word.upper(), word.capitalize(), word.title())
}

#: Short texts already read as numbers (a CSV file repeats "100", "0", "95.5" thousands of times):
#: their Decimals, which are immutable, shared by every methodology and thread.
_TEXT_NUMBERS: dict[str, Decimal] = {}
_TEXT_NUMBERS_LIMIT = 1 << 16  # about 13 MB at most, then the cache starts again


def _text_number(text: str) -> Decimal | None:
    """A short text as the number :func:`~par_rules.record.coerce_number` would read, when
    ``Decimal`` reads it alone (finite, within the magnitude and digits allowed); ``None`` for
    anything else, which the indicator's reader reads or refuses with its reason (``"1_000"``,
    which ``Decimal`` reads and :func:`~par_rules.arithmetic.to_decimal` refuses, among them)."""
    if "_" in text:
        return None
    try:
        number = Decimal(text)
    except ArithmeticError:
        return None
    if not (number.is_finite() and (-MAX_DIGITS <= number.adjusted() < _MAX_ADJUSTED or not number)):
        return None
    if len(_TEXT_NUMBERS) >= _TEXT_NUMBERS_LIMIT:
        _TEXT_NUMBERS.clear()
    _TEXT_NUMBERS[text] = number
    return number


# The rare paths, called from the function by name.


def _missing(node: Node, indicator: str, policy: str) -> tuple[Decimal | None, Any] | None:
    """The outcome of a leaf whose indicator is missing (``None``: the record is in error)."""
    detail = (MISSING_DETAIL, indicator, policy)
    if policy == "zero":
        return _ZERO, detail
    if policy == "full":
        return node.max, detail
    if policy == "not_applicable":
        return None, detail
    return None


def _expression_missing(node: Node, policies: Mapping[str, str], values: tuple[Any, ...], reach: bool = False) -> tuple[Decimal | None, Any]:
    """An expression leaf some of whose inputs (``values``, in the order of ``policies``) are
    missing: the strictest policy among them (not applicable, then zero, then full points;
    ``error`` is stricter than all; pending only when every missing input is pending: whatever
    comes in, another missing input would decide)."""
    absent = [name for name, value in zip(policies, values) if value is ABSENT]
    policy = min((policies[name] for name in absent), key=lambda p: _PRECEDENCE.get(p, -1))
    if policy == "pending":
        return (node.max if reach else _ZERO), (PENDING_DETAIL, absent[0], "missing")
    outcome = _missing(node, absent[0], policy)
    if outcome is None:
        raise ValueError(_("indicator {absent} is missing").format(absent=absent[0]))
    return outcome


def _reason(error: BaseException) -> str:
    if isinstance(error, (decimal.DivisionByZero, ZeroDivisionError)):
        return "division by zero"
    if isinstance(error, decimal.Overflow):
        return "number too large"
    if isinstance(error, decimal.InvalidOperation):
        return "invalid arithmetic operation"
    return str(error)


def _leaf_problem(error: BaseException, node: str, indicator: str | None, row: int | None) -> Problem:
    return Problem(_reason(error), node=node, indicator=indicator, row=row)


def _cannot_compute(key: str, names: tuple[str, ...], values: tuple[Any, ...], row: int | None) -> Problem:
    absent = [name for name, value in zip(names, values) if value is ABSENT]
    return Problem(_("cannot be computed: {absent} missing").format(absent=', '.join(absent)), indicator=key, row=row)


def _formula_problem(key: str, source: str, error: BaseException, row: int | None) -> Problem:
    return Problem(_("formula {source}: {error}").format(source=source, error=_reason(error)), indicator=key, row=row)


def _out_of_range(key: str, result: Any, interval: Interval, row: int | None) -> Problem:
    shown = format_decimal(result) if isinstance(result, Decimal) else repr(result)
    return Problem(_("formula gives {shown}, outside the allowed range {symbols} (check the inputs)").format(shown=shown, symbols=interval.symbols()), indicator=key, row=row)


_HELPERS: dict[str, Any] = {
    **FORMULA_HELPERS,  # what the rule kinds' formulas name
    "localcontext": decimal.localcontext,
    "setcontext": decimal.setcontext,
    "CONTEXT": CONTEXT,
    "EXACT": EXACT,
    "EXACT_ADD": EXACT.add,
    "EXACT_MULTIPLY": EXACT.multiply,
    "Decimal": Decimal,
    "ZERO": _ZERO,
    "HUNDRED": Decimal(100),
    "ABSENT": ABSENT,
    "NONE_APPLICABLE": _NONE_APPLICABLE,
    "ValueError": ValueError,
    "RecordError": RecordError,
    "Problem": Problem,
    "LEAF_ERRORS": (ValueError, ArithmeticError, KeyError),
    "FORMULA_ERRORS": (ArithmeticError, ValueError),
    "READ_ERRORS": (ArithmeticError, ValueError, TypeError),
    "INT_BOUND": int(MAX_MAGNITUDE),
    "SHORT_TEXT": 25,  # fewer digits than MAX_DIGITS: only finiteness and magnitude can fail
    "TEXT_NUMBERS": _TEXT_NUMBERS,
    "text_number": _text_number,
    "expression_missing": _expression_missing,
    "leaf_problem": _leaf_problem,
    "cannot_compute": _cannot_compute,
    "formula_problem": _formula_problem,
    "out_of_range": _out_of_range,
}
