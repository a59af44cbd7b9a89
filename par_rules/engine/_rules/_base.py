"""What every rule kind is (:class:`Rule`) and what the kinds share.

A rule kind is one module of this package and one row of :data:`~par_rules.engine._rules.KINDS`.
Its class builds itself from its YAML mapping (:meth:`Rule.build`), checks itself against its
indicator (:meth:`Rule.check`), computes points (:meth:`Rule.apply`), writes the same computation
into a methodology's generated scorer (:meth:`Rule.write`), dumps itself back to YAML
(:meth:`Rule.dump`) and says itself in words (:meth:`Rule.describe`, :meth:`Rule.describe_vi`,
:meth:`Rule.explain`). Nothing outside this package asks which kind a rule is.

One definition, two uses. A kind's arithmetic is written once, as the Python text of a
:class:`Formula`. ``apply`` runs that text compiled as a function; the generated scorer
(:mod:`par_rules.engine._codegen`) pastes the same text into its own source, each name of the
formula renamed to the scorer's local or constant. The two cannot drift apart: there is nothing to
keep in step. (Bands are the exception, written beside their ``apply`` in ``bands.py`` for the
reason given there.)

Exactness: each formula multiplies its numerators exactly (in :data:`~par_rules.arithmetic.EXACT`)
and then divides, or rounds, once in :data:`~par_rules.arithmetic.CONTEXT`, so whatever the
documented formula gives exactly within 34 digits is given exactly (a survey leaf of 21 points
with 16 answers of 60 % among 72 is 21 × 960 / 7200 = 2.8; dividing first gave 2.799…9).
"""

from __future__ import annotations

import ast
import decimal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from ..._i18n import gettext as _, ngettext, number, use
from ..._places import did_you_mean
from .._arithmetic import CONTEXT, EXACT, format_decimal
from .._arithmetic import format_short as fmt

if TYPE_CHECKING:
    from .._expressions import Expression
    from .._model import Indicator, Interval

__all__ = [
    "Rule",
    "Builder",
    "Writer",
    "Slots",
    "Report",
    "Formula",
    "FormulaRule",
    "ZERO",
    "HUNDRED",
    "points_text",
    "num",
    "yes_no",
    "points_vi",
    "interval_vi",
    "vi_number",
    "bounds_of",
    "check_indicator",
    "check_cap",
    "coverage",
    "CLAMPED",
    "put",
]

ZERO = Decimal(0)
HUNDRED = Decimal(100)

#: ``report(message, indicator id)``: a problem of the rule, placed at its node's ``rule`` key.
Report = Callable[[str, "str | None"], None]


class Builder(Protocol):
    """What a kind needs from the compiler to build itself (:class:`~par_rules.engine._compile`)."""

    @property
    def indicators(self) -> Mapping[str, Indicator]: ...

    def problem(self, container: Any, key: Any, message: str, **places: str | None) -> None:
        """Note a problem at ``container[key]`` of the file."""

    def bounded(self, spec: Mapping[str, Any], what: str | Callable[[], str]) -> Interval | None:
        """The interval of a mapping with ``at_least``/``above``/``at_most``/``below`` (``None``,
        and a problem noted, when it has both bounds of one side)."""


class Writer(Protocol):
    """The source of a generated scorer, as a kind writes into it (:mod:`par_rules.engine._codegen`)."""

    def add(self, indent: int, line: str) -> None:
        """One line of source at ``indent`` levels."""

    def constant(self, value: Any, hint: str = "k") -> str:
        """A name bound to ``value`` in the scorer's globals."""

    def expression(self, expression: Expression, inputs: Mapping[str, str]) -> str:
        """A checked expression as source (in brackets), its names renamed to ``inputs``' locals."""


@dataclass(frozen=True)
class Slots:
    """The names a leaf's code is written with: its cap (a constant, whose value is ``max``),
    the locals its points and detail go to, and each indicator's local."""

    cap: str
    max: Decimal
    points: str
    detail: str
    inputs: Mapping[str, str]


class Rule(Protocol):
    """What every rule kind is: a frozen value that builds, checks, applies, writes, dumps and
    describes itself."""

    #: The kind's name in a methodology file (``kind: bands``), its row in ``KINDS``.
    kind: ClassVar[str]
    #: The JSON Schema of the kind's mapping (the shipped schema's ``$defs/rule`` is made of these).
    schema: ClassVar[dict[str, Any]]
    #: A small example for the documentation and the tests: ``indicator`` (its spec, or ``None``),
    #: ``rule`` (the mapping), ``max`` (the node's cap), ``values`` (values a record may give).
    example: ClassVar[dict[str, Any]]

    @property
    def indicator(self) -> str | None:
        """The indicator the rule reads (``None``: it reads several, see :attr:`inputs`)."""

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every indicator the rule reads."""

    @classmethod
    def build(cls, raw: Mapping[str, Any], cap: Decimal, node_id: str, builder: Builder) -> Rule | None:
        """The rule of a schema-valid mapping (``None``, with the problems noted, if it cannot be made)."""

    def check(self, cap: Decimal, indicators: Mapping[str, Indicator], report: Report) -> None:
        """Report what a schema cannot say is wrong (wrong indicator type, points over the cap...)."""

    def apply(self, cap: Decimal, value: Any) -> tuple[Decimal, Any]:
        """The points for a value read from a record, and the detail that explains them."""

    def write(self, out: Writer, indent: int, slots: Slots) -> None:
        """The code of :meth:`apply` for a present value, into a generated scorer."""

    def explain(self, cap: Decimal, points: Decimal, detail: Any, value: str, unit: str = "") -> str:
        """Why a record got ``points`` (``detail`` as ``apply`` gave it; ``value`` as text)."""

    def capped(self, cap: Decimal, points: Decimal, detail: Any) -> bool:
        """Whether the points were kept within their bounds."""

    def describe(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        """The rule in English words (with the indicator's unit and labels, when given)."""

    def describe_vi(self, cap: Decimal, indicator: Indicator | None = None) -> str:
        """The rule in Vietnamese words."""

    def dump(self) -> dict[str, Any]:
        """The rule as its YAML mapping (loading it gives an equal rule)."""

    def thresholds(self) -> tuple[Decimal, ...]:
        """Values of the indicator where the points change (tests draw values around them)."""

    def record_limit(self, cap: Decimal) -> Decimal | None:
        """The largest value a record may give the indicator (``None``: its range says)."""


#: The ``indicator`` key of a kind's schema (one text, so every kind describes it alike).
INDICATOR_PROPERTY: dict[str, Any] = {"$ref": "#/$defs/indicator_id", "description": "Chỉ số mà quy tắc đọc (mã chỉ số). · The indicator the rule reads (its id)."}


def points_text(value: Decimal) -> str:
    """``value`` as "N point(s)", as rules and the criteria browser describe points, in the
    language of the moment (``par_rules._i18n``)."""
    return ngettext("{points} point", "{points} points", 1 if value == 1 else 2).format(points=num(value))


def num(value: Decimal) -> str:
    """``value`` for people, as the language of the moment writes numbers (``16,75`` in Vietnamese)."""
    return number(fmt(value))


def yes_no(value: bool) -> str:
    """A yes/no value in words, in the language of the moment."""
    return _("yes") if value else _("no")


def vi_number(value: Decimal) -> str:
    """``value`` as Vietnamese text writes it, whatever the language of the moment (``16,75``)."""
    with use("vi"):
        return number(format_decimal(value))


def points_vi(value: Decimal) -> str:
    """``value`` as "N điểm" (``16,75 điểm``)."""
    return f"{vi_number(value)} điểm"


def interval_vi(interval: Interval, unit: str) -> str:
    """An interval in Vietnamese words (as :meth:`~par_rules.engine._model.Interval.describe` in English)."""
    low = None if interval.low is None else f"{vi_number(interval.low)}{unit}"
    high = None if interval.high is None else f"{vi_number(interval.high)}{unit}"
    if low is None and high is None:
        return "mọi giá trị"
    start = None if low is None else (f"từ {low}" if interval.low_inclusive else f"trên {low}")
    if high is None:
        return start or ""
    if start is None:
        return f"đến {high}" if interval.high_inclusive else f"dưới {high}"
    return f"{start} đến {high}" if interval.high_inclusive else f"{start} đến dưới {high}"


def bounds_of(interval: Interval) -> dict[str, Decimal]:
    """An interval as the bounds a methodology file writes (``at_least``/``above``...)."""
    bounds = {}
    if interval.low is not None:
        bounds["at_least" if interval.low_inclusive else "above"] = interval.low
    if interval.high is not None:
        bounds["at_most" if interval.high_inclusive else "below"] = interval.high
    return bounds


def put(data: dict[str, Any], key: str, value: Any) -> None:
    """``data[key] = value``, unless ``value`` is ``None``."""
    if value is not None:
        data[key] = value


def check_indicator(rule: Rule, accepts: frozenset[str], indicators: Mapping[str, Indicator], report: Report) -> Indicator | None:
    """The rule's indicator, if it exists and is of a type the kind ``accepts`` (else reported)."""
    indicator = indicators.get(rule.indicator or "")
    if indicator is None:
        report(_("unknown indicator '{indicator}'{indicator2}").format(indicator=rule.indicator, indicator2=did_you_mean(rule.indicator, indicators)), rule.indicator)
        return None
    if indicator.type not in accepts:
        kinds = " or ".join(sorted(accepts))
        report(_("a {kind} rule needs a {kinds} indicator; '{id}' is a {type}").format(kind=rule.kind, kinds=kinds, id=indicator.id, type=indicator.type), indicator.id)
        return None
    return indicator


def check_cap(points: Decimal, what: str, cap: Decimal, indicator: Indicator, report: Report) -> None:
    """Report ``points`` over the node's cap."""
    if points > cap:
        report(_("{what} gives {points} points, more than the cap {cap}").format(what=what, points=format_decimal(points), cap=format_decimal(cap)), indicator.id)


# --------------------------------------------------------------------------- formulas

#: What a formula may name besides its slots and parameters: these constants and functions,
#: ``context`` (the scorer's decimal context, a copy of CONTEXT) and its own temporaries.
HELPERS: dict[str, Any] = {
    "ZERO": ZERO,
    "HUNDRED": HUNDRED,
    "EXACT": EXACT,
    "EXACT_MULTIPLY": EXACT.multiply,
    "setcontext": decimal.setcontext,
}
#: The locals a formula may assign besides ``points`` and ``detail`` (the generated scorer
#: reuses them from leaf to leaf, and names nothing else so).
TEMPORARIES = frozenset({"raw", "answers", "weighted", "option", "count"})
_SLOTS = ("cap", "value", "points", "detail")


class Formula:
    """A kind's arithmetic, written once as Python text and used twice.

    The text names ``cap`` (the node's cap), ``value`` (the indicator's value), the kind's
    ``parameters``, :data:`HELPERS`, ``context`` and :data:`TEMPORARIES`, and sets ``points`` and
    ``detail``. It runs in the scorer's context, a copy of CONTEXT: ``a / b`` divides there, once.

    :meth:`run` is the text compiled as ``run(cap, value, *parameters)`` (what ``apply`` calls);
    :meth:`write` pastes it into a generated scorer, each name renamed.

    >>> half = Formula("half", "points = detail = value / 2")
    >>> half.run(Decimal(1), Decimal(1))
    (Decimal('0.5'), Decimal('0.5'))
    """

    def __init__(self, kind: str, text: str | tuple[str, ...], parameters: tuple[str, ...] = ()) -> None:
        self.kind = kind
        self.text = "\n".join(_dedent(part) for part in ((text,) if isinstance(text, str) else text))
        self.parameters = parameters

    # Both made when first used, not when the kind is defined: ``import par_rules`` does not pay for them.

    @cached_property
    def lines(self) -> tuple[tuple[int, str], ...]:
        """The text as (indent, format pattern) lines, each slot and parameter a placeholder."""
        tree = ast.parse(self.text)
        _check_names(self.kind, tree, self.parameters)
        marked = ast.unparse(_Mark(frozenset(_SLOTS) | frozenset(self.parameters)).visit(tree))
        marked = marked.replace("{", "{{").replace("}", "}}").replace("\x00<", "{").replace(">\x00", "}")
        return tuple(((len(line) - len(line.lstrip(" "))) // 4, line.strip(" ")) for line in marked.splitlines())

    @cached_property
    def run(self) -> Callable[..., tuple[Decimal, Any]]:
        """The text compiled as ``run(cap, value, *parameters) -> (points, detail)``, in CONTEXT."""
        _check_names(self.kind, ast.parse(self.text), self.parameters)
        source = f"def run(cap, value{''.join(', ' + name for name in self.parameters)}):\n    with localcontext(CONTEXT) as context:\n"
        source += "".join(f"        {line}\n" for line in self.text.splitlines()) + "    return points, detail\n"
        namespace: dict[str, Any] = {"__builtins__": {}, "localcontext": decimal.localcontext, "CONTEXT": CONTEXT, **HELPERS}
        exec(compile(source, f"<rule kind {self.kind}>", "exec"), namespace)
        run: Callable[..., tuple[Decimal, Any]] = namespace["run"]
        return run

    def write(self, out: Writer, indent: int, slots: Slots, value: str, arguments: Sequence[str]) -> None:
        """The text into ``out``, ``value`` and ``arguments`` (source, in :attr:`parameters`'
        order) for the value and the parameters."""
        names = {"cap": slots.cap, "value": value, "points": slots.points, "detail": slots.detail, **dict(zip(self.parameters, arguments))}
        for depth, pattern in self.lines:
            out.add(indent + depth, pattern.format_map(names))


def _dedent(text: str) -> str:
    """``text`` without its blank first and last lines and the indent its lines share (as
    textwrap.dedent, whose import costs ``import par_rules`` more than a millisecond)."""
    lines = text.strip("\n").splitlines()
    indent = min((len(line) - len(line.lstrip(" ")) for line in lines if line.strip()), default=0)
    return "\n".join(line[indent:].rstrip() for line in lines)


class _Mark(ast.NodeTransformer):
    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id in self.names:
            return ast.copy_location(ast.Name(id=f"\x00<{node.id}>\x00", ctx=node.ctx), node)
        return node


def _check_names(kind: str, tree: ast.Module, parameters: tuple[str, ...]) -> None:
    """A formula names only what it may (a typo would otherwise reach the scorer's globals)."""
    readable = frozenset(_SLOTS) | frozenset(parameters) | HELPERS.keys() | TEMPORARIES | {"context"}
    writable = TEMPORARIES | {"points", "detail"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            allowed = writable if isinstance(node.ctx, ast.Store) else readable
            if node.id not in allowed:
                raise ValueError(_("the {kind} formula may not {value} {id}").format(kind=kind, value='set' if isinstance(node.ctx, ast.Store) else 'name', id=node.id))
        elif isinstance(node, ast.Attribute) and node.attr in readable:
            raise ValueError(_("the {kind} formula names an attribute {attr}, the name of a slot").format(kind=kind, attr=node.attr))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            raise ValueError(_("the {kind} formula has a text constant").format(kind=kind))


def _hint(value: Any) -> str:
    return "c" if isinstance(value, Decimal) else "f" if callable(value) else "k"


class FormulaRule:
    """A kind whose points are one :class:`Formula` of its indicator's value: ``apply`` runs it,
    ``write`` pastes it, both with the parameters :meth:`arguments` gives for a cap."""

    formula: ClassVar[Formula]
    indicator: str

    @property
    def inputs(self) -> tuple[str, ...]:
        return (self.indicator,)

    def arguments(self, cap: Decimal) -> tuple[Any, ...]:
        """The formula's parameters, in order, for a node of this cap."""
        return ()

    def apply(self, cap: Decimal, value: Any) -> tuple[Decimal, Any]:
        return self.formula.run(cap, value, *self.arguments(cap))

    def write(self, out: Writer, indent: int, slots: Slots) -> None:
        arguments = [out.constant(argument, _hint(argument)) for argument in self.arguments(slots.max)]
        self.formula.write(out, indent, slots, slots.inputs[self.indicator], arguments)

    def capped(self, cap: Decimal, points: Decimal, detail: Any) -> bool:
        return False

    def thresholds(self) -> tuple[Decimal, ...]:
        return ()

    def record_limit(self, cap: Decimal) -> Decimal | None:
        return None


#: The formula kept within [0, cap] (``raw`` set by a kind's formula first).
CLAMPED = """
points = ZERO if raw < ZERO else cap if raw > cap else raw
detail = raw
"""


def coverage(indicator: Indicator, declared: Mapping[str, str], given: Mapping[str, Decimal], what: str, noun: str, report: Report) -> None:
    """A levels or survey rule must give points to every level (answer) and to no other."""
    missing = [key for key in declared if key not in given]
    unknown = [key for key in given if key not in declared]
    if missing:
        report(_("no {what} for {noun}(s) {missing} of '{id}'").format(what=what, noun=noun, missing=', '.join(missing), id=indicator.id), indicator.id)
    if unknown:
        report(_("'{id}' has no {noun}(s) {unknown}{unknown2} ({noun}s: {declared})").format(
            id=indicator.id, noun=noun, unknown=', '.join(unknown), unknown2=did_you_mean(unknown[0], declared), declared=', '.join(declared)
        ), indicator.id)
