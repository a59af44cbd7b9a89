"""Safe expressions: parsed and checked once, at load time, then run as compiled code.

An expression is a single Python-syntax expression over the methodology's indicators, checked
against an allow-list of syntax (no attributes, subscripts, lambdas, comprehensions, walrus,
power, f-strings, statements), a fixed list of deterministic functions (:data:`FUNCTIONS`), and
the types of the indicators (numbers, booleans, levels). Every number in it is written as a
plain decimal (no ``0x``/``0o``/``0b``, ``_``, exponent or leading zero: those are refused with the
decimal to write) and becomes the exact :class:`~decimal.Decimal` of its text, bound to a name
that replaces that very literal node in the tree (never looked up by its place, which a layout
over several lines would make ambiguous). Only after that check is the tree compiled to a
Python code object, run with no builtins at all, inside the bounded decimal context of
:mod:`par_rules.arithmetic`; size, nesting and literal limits make every evaluation small.
A problem is placed by its character in the text as written (and its line, in a formula over
several lines).

`simpleeval <https://pypi.org/project/simpleeval/>`_ is the reference evaluator of the same
language: :func:`reference_evaluate` runs the author's own text through it, not the rewritten
tree, and the test suite checks that both agree over generated formulas and layouts.

>>> f = compile_expression("on_time / total * 100 if total > 0 else 100",
...                        {"on_time": "number", "total": "number"})
>>> f.names
('on_time', 'total')
>>> f.evaluate({"on_time": Decimal(3), "total": Decimal(4)})
Decimal('75.00')
>>> compile_expression("total.__class__", {"total": "number"})
Traceback (most recent call last):
...
par_rules.engine._expressions.ExpressionError: attribute access (.__class__) is not allowed, at character 1
"""

from __future__ import annotations

import ast
import decimal
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, TypeGuard

from .._places import did_you_mean
from ._arithmetic import CONTEXT
from .._i18n import N_, gettext as _

__all__ = ["Expression", "ExpressionError", "compile_expression", "FUNCTIONS", "reference_evaluate"]

Kind = Literal["number", "boolean", "level"]

MAX_LENGTH = 1000
MAX_NODES = 200
MAX_DEPTH = 32
MAX_LITERAL_DIGITS = 20


class ExpressionError(ValueError):
    """An expression is not allowed; ``offset`` is the 0-based character, in the text as written,
    where the problem is. The message names it as ``at character N``, or ``at line L, character
    N`` in a formula written over several lines."""

    def __init__(self, message: str, offset: int | None = None, source: str = "") -> None:
        self.offset = offset
        super().__init__(f"{message}{_where(source, offset)}")
        self.reason = message


_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the line breaks of Python's tokenizer (not \f, \v, U+2028...)


def _line_starts(source: str) -> list[int]:
    """The 0-based character where each line of ``source`` starts, as the parser counts lines."""
    return [0, *(match.end() for match in _LINE_BREAK.finditer(source))]


def _where(source: str, offset: int | None) -> str:
    if offset is None:
        return ""
    starts = _line_starts(source.rstrip())  # a block scalar's final line break starts no line
    if len(starts) == 1:
        return _(", at character {value}").format(value=offset + 1)
    line = max(number for number, start in enumerate(starts) if start <= offset)
    return _(", at line {value}, character {value2}").format(value=line + 1, value2=offset - starts[line] + 1)


def _round(value: Decimal, places: Decimal = Decimal(0)) -> Decimal:
    if places != places.to_integral_value() or not 0 <= places <= 10:
        raise decimal.InvalidOperation(_("round() takes 0 to 10 decimal places"))
    return value.quantize(Decimal(1).scaleb(-int(places)), rounding=decimal.ROUND_HALF_UP)


def _clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return min(max(value, low), high)


def _ratio(numerator: Decimal, denominator: Decimal, if_zero: Decimal) -> Decimal:
    return if_zero if denominator == 0 else numerator / denominator


#: The functions an expression may call: name -> (implementation, min args, max args, description).
FUNCTIONS: dict[str, tuple[Callable[..., Decimal], int, int, str]] = {
    "min": (min, 2, 8, N_("the smallest of its arguments")),
    "max": (max, 2, 8, N_("the largest of its arguments")),
    "abs": (abs, 1, 1, N_("the absolute value")),
    "round": (_round, 1, 2, N_("round(x, n): x rounded half-up to n decimals (default 0)")),
    "floor": (lambda x: x.to_integral_value(rounding=decimal.ROUND_FLOOR), 1, 1, N_("the largest whole number not above x")),
    "ceil": (lambda x: x.to_integral_value(rounding=decimal.ROUND_CEILING), 1, 1, N_("the smallest whole number not below x")),
    "clamp": (_clamp, 3, 3, N_("clamp(x, low, high): x kept within [low, high]")),
    "ratio": (_ratio, 3, 3, N_("ratio(a, b, if_zero): a / b, or if_zero when b is 0")),
}

_NUMBER_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_ORDER_OPS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_FORBIDDEN = {
    ast.Attribute: N_("attribute access (.{attr}) is not allowed"),
    ast.Subscript: N_("indexing ([...]) is not allowed"),
    ast.Lambda: N_("lambda is not allowed"),
    ast.ListComp: N_("comprehensions are not allowed"),
    ast.SetComp: N_("comprehensions are not allowed"),
    ast.DictComp: N_("comprehensions are not allowed"),
    ast.GeneratorExp: N_("comprehensions are not allowed"),
    ast.NamedExpr: N_("assignment (:=) is not allowed"),
    ast.JoinedStr: N_("f-strings are not allowed"),
    ast.Starred: N_("* unpacking is not allowed"),
    ast.List: N_("lists are not allowed"),
    ast.Tuple: N_("tuples are not allowed"),
    ast.Dict: N_("dictionaries are not allowed"),
    ast.Set: N_("sets are not allowed"),
    ast.Await: N_("await is not allowed"),
    ast.Yield: N_("yield is not allowed"),
}


@dataclass(frozen=True)
class Expression:
    """A checked, compiled expression."""

    source: str
    names: tuple[str, ...]
    kind: Kind
    _code: Any = field(repr=False, compare=False)
    _globals: dict[str, Any] = field(repr=False, compare=False)
    _decimal_source: str = field(repr=False, compare=False, default="")  # literals as names

    @property
    def decimal_source(self) -> str:
        """The checked formula as source, its literals written as names (of :attr:`namespace`)."""
        return self._decimal_source

    @property
    def namespace(self) -> Mapping[str, Any]:
        """The names the compiled formula sees besides its indicators: functions and constants."""
        return self._globals

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        """Evaluate with ``values`` for the names (Decimals, booleans, level ids).

        Arithmetic errors (division by zero, overflow) raise :class:`decimal.DecimalException`.
        """
        with decimal.localcontext(CONTEXT):
            return eval(self._code, self._globals, values)  # noqa: S307 - checked tree, no builtins


def compile_expression(
    source: str,
    names: Mapping[str, str],
    *,
    levels: Mapping[str, frozenset[str]] | None = None,
    constants: Mapping[str, Decimal] | None = None,
    result: Kind | None = "number",
) -> Expression:
    """Check ``source`` and compile it.

    ``names`` maps every name the expression may use to its kind (``number``, ``boolean``,
    ``level``; any other kind, such as ``answers``, cannot be used in an expression);
    ``levels`` gives the allowed level ids of level names; ``constants`` adds named numbers
    (such as ``MAX``, a node's cap); ``result`` is the kind the expression must produce.
    Raises :class:`ExpressionError`.
    """
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError(_("an expression must be a non-empty text"))
    if len(source) > MAX_LENGTH:
        raise ExpressionError(_("an expression may have at most {MAX_LENGTH} characters").format(MAX_LENGTH=MAX_LENGTH))
    text = source.strip()
    lead = len(source) - len(source.lstrip())  # positions are given in the text as written
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise _syntax_error(error, text, source, lead) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(_("the expression is too deeply nested")) from None
    except ValueError as error:  # such as a lone surrogate (no UTF-8 for it)
        raise ExpressionError(_("the expression cannot be read: {error}").format(error=error)) from None
    checker = _Checker(text, source, lead, dict(names), dict(levels or {}), dict(constants or {}))
    kind = checker.check(tree.body, 0)
    if result is not None and kind != result:
        raise ExpressionError(_("the expression gives a {kind}, a {result} is needed").format(kind=kind, result=result))
    if not _is_kind(kind):  # a bare text: nothing a node or an indicator can hold
        raise ExpressionError(_("the expression gives a {kind}, a number or a yes/no value is needed").format(kind=kind))
    tree = ast.fix_missing_locations(_Literals(checker.literals).visit(tree))
    code = compile(tree, "<expression>", "eval")
    bindings: dict[str, Any] = {"__builtins__": {}}
    bindings.update({name: FUNCTIONS[name][0] for name in checker.functions})
    bindings.update(checker.literal_values)
    bindings.update({name: value for name, value in (constants or {}).items() if name in checker.used})
    used_names = tuple(sorted(checker.used - set(constants or {})))
    return Expression(text, used_names, kind, code, bindings, ast.unparse(tree))


def _is_kind(kind: str) -> TypeGuard[Kind]:
    return kind in ("number", "boolean", "level")


def _syntax_error(error: SyntaxError, text: str, source: str, lead: int) -> ExpressionError:
    """The parser's error, placed in the text as written (its offset is a character on a line)."""
    offset = None
    if error.lineno and error.offset:
        starts = _line_starts(text)
        start = starts[min(error.lineno, len(starts)) - 1]
        offset = lead + min(start + error.offset - 1, len(text))
    if _is_statement(text):
        return ExpressionError(_("an expression must be a single expression (no statements)"), offset, source)
    if error.msg.startswith("leading zeros"):  # 007: Python's advice (an 0o prefix) is not ours
        number = re.match(r"[0-9_]+", source[offset:]) if offset is not None else None
        if number:
            return ExpressionError(_not_plain(number.group()), offset, source)
    return ExpressionError(_("syntax error: {msg}").format(msg=error.msg), offset, source)


def _is_statement(source: str) -> bool:
    """Whether the text parses as statements (an assignment, an import...), not as an expression."""
    try:
        ast.parse(source, mode="exec")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return False
    return True


#: A number as an expression writes it: decimal digits, no leading zero, an optional decimal point.
_PLAIN_NUMBER = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]*)?|\.[0-9]+")
_PREFIXES = {"0x": "hexadecimal", "0o": "octal", "0b": "binary"}


def _not_plain(text: str) -> str:
    """Why a number Python reads is not written as a plain decimal, and what to write instead."""
    lowered = text.lower()
    if "j" in lowered:
        return _("the number {text} is imaginary; numbers are real").format(text=text)
    if lowered[:2] in _PREFIXES:
        reason, value = f"is {_PREFIXES[lowered[:2]]}", Decimal(int(text.replace("_", ""), 0))
    else:
        reason = _("has an exponent") if "e" in lowered else _("has '_' in it") if "_" in text else _("has leading zeros")
        value = Decimal(text.replace("_", ""))
    if len(value.as_tuple().digits) + abs(value.adjusted()) > MAX_LITERAL_DIGITS:  # also keeps 1e999999999 from being written out
        return _("the number {text} {reason}; numbers are written in plain decimals of at most {MAX_LITERAL_DIGITS} digits").format(text=text, reason=reason, MAX_LITERAL_DIGITS=MAX_LITERAL_DIGITS)
    return _("the number {text} {reason}; numbers are written in plain decimals: write {value:f}").format(text=text, reason=reason, value=value)


class _Checker:
    """Walks the syntax tree once: allow-list, types, limits, literals."""

    def __init__(self, source: str, written: str, lead: int, names: dict[str, str], levels: dict[str, frozenset[str]], constants: dict[str, Decimal]) -> None:
        self.source = source  # the text parsed: the text as written (``written``) less ``lead`` characters
        self.written = written
        self.lead = lead
        self.line_starts = _line_starts(source)
        self._line = None if "\n" in source or "\r" in source else source.encode()  # one line: the usual case
        self.names = names
        self.levels = levels
        self.constants = constants
        self.count = 0
        self.used: set[str] = set()
        self.functions: set[str] = set()
        self.literals: dict[ast.Constant, str] = {}  # the literal node itself (not its place) -> binding name
        self.literal_values: dict[str, Decimal] = {}

    def segment(self, node: ast.AST) -> str | None:
        """The text of ``node`` as written (:func:`ast.get_source_segment`, which splits the whole
        source again at each call: a 1,000-character expression of 200 parts took 70 ms)."""
        if self._line is not None and node.lineno == node.end_lineno == 1:  # type: ignore[attr-defined]
            return self._line[node.col_offset:node.end_col_offset].decode()  # type: ignore[attr-defined]
        return ast.get_source_segment(self.source, node)

    def fail(self, message: str, node: ast.AST) -> ExpressionError:
        return ExpressionError(message, self.offset(node), self.written)

    def offset(self, node: ast.AST) -> int | None:
        """The 0-based character of ``node`` in the text as written (the parser gives a line and
        a column in UTF-8 bytes)."""
        line, column = getattr(node, "lineno", None), getattr(node, "col_offset", None)
        if line is None or column is None:
            return None
        start = self.line_starts[line - 1]
        return self.lead + start + len(self.source[start:].encode()[:column].decode())

    def check(self, node: ast.AST, depth: int) -> str:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(_("the expression has more than {MAX_NODES} parts").format(MAX_NODES=MAX_NODES), node)
        if depth > MAX_DEPTH:
            raise self.fail(_("the expression is nested more than {MAX_DEPTH} levels deep").format(MAX_DEPTH=MAX_DEPTH), node)
        for forbidden, message in _FORBIDDEN.items():
            if isinstance(node, forbidden):
                raise self.fail(_(message).format(attr=getattr(node, "attr", "")), node)
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise self.fail(_("{type_name} is not allowed in an expression").format(type_name=type(node).__name__), node)
        return method(node, depth + 1)

    def _Constant(self, node: ast.Constant, depth: int) -> str:
        value = node.value
        if isinstance(value, bool):
            return "boolean"
        if isinstance(value, str):
            return "text"
        if isinstance(value, (int, float, complex)):  # bool is handled above
            text = self.segment(node) or repr(value)
            if not _PLAIN_NUMBER.fullmatch(text):
                raise self.fail(_not_plain(text), node)
            if sum(ch.isdigit() for ch in text) > MAX_LITERAL_DIGITS:
                raise self.fail(_("the number {text} is too long (at most {MAX_LITERAL_DIGITS} digits)").format(text=text, MAX_LITERAL_DIGITS=MAX_LITERAL_DIGITS), node)
            name = f"_n{len(self.literal_values)}"
            self.literal_values[name] = Decimal(text)
            self.literals[node] = name
            return "number"
        raise self.fail(_("the constant {value!r} is not allowed").format(value=value), node)

    def _Name(self, node: ast.Name, depth: int) -> str:
        written = self.segment(node)
        if written != node.id:  # Python folds look-alike letters (ｘ, 𝔵) into x: refuse what is not written plainly
            raise self.fail(_("the name {written!r} is written with look-alike Unicode letters; write it as {id!r}").format(written=written, id=node.id), node)
        if node.id in self.constants:
            self.used.add(node.id)
            return "number"
        if node.id in FUNCTIONS:
            raise self.fail(_("{id} is a function: call it, as {id}(...)").format(id=node.id), node)
        if node.id not in self.names:
            raise self.fail(_("unknown name '{id}' (not a declared indicator){id2}").format(id=node.id, id2=did_you_mean(node.id, [*self.names, *self.constants])), node)
        kind = self.names[node.id]
        if kind not in ("number", "boolean", "level"):
            raise self.fail(_("indicator '{id}' (of type {kind}) cannot be used in an expression").format(id=node.id, kind=kind), node)
        self.used.add(node.id)
        return kind

    def _BinOp(self, node: ast.BinOp, depth: int) -> str:
        if isinstance(node.op, ast.Pow):
            raise self.fail(_("power (**) is not allowed"), node)
        if type(node.op) not in _NUMBER_OPS:
            raise self.fail(_("the operator {type_name} is not allowed (use + - * /)").format(type_name=type(node.op).__name__), node)
        for side in (node.left, node.right):
            if self.check(side, depth) != "number":
                raise self.fail(_("'{NUMBER_OPS}' needs numbers on both sides").format(NUMBER_OPS=_NUMBER_OPS[type(node.op)]), side)
        return "number"

    def _UnaryOp(self, node: ast.UnaryOp, depth: int) -> str:
        kind = self.check(node.operand, depth)
        if isinstance(node.op, ast.Not):
            if kind != "boolean":
                raise self.fail(_("'not' needs a yes/no value"), node)
            return "boolean"
        if isinstance(node.op, (ast.USub, ast.UAdd)) and kind == "number":
            return "number"
        raise self.fail(_("this unary operator is not allowed here"), node)

    def _BoolOp(self, node: ast.BoolOp, depth: int) -> str:
        for value in node.values:
            if self.check(value, depth) != "boolean":
                raise self.fail(_("'and' / 'or' need yes/no values on both sides"), value)
        return "boolean"

    def _Compare(self, node: ast.Compare, depth: int) -> str:
        operands = [node.left, *node.comparators]
        kinds = [self.check(operand, depth) for operand in operands]
        for op, (left, right), (lkind, rkind) in zip(node.ops, itertools.pairwise(operands), itertools.pairwise(kinds)):
            if isinstance(op, (ast.Eq, ast.NotEq)):
                if {lkind, rkind} == {"level", "text"}:
                    self._check_level(left, right)
                elif lkind != rkind or lkind in ("text", "level"):
                    raise self.fail(_("'==' compares a number with a number, a yes/no with a yes/no, or a level indicator with a quoted level id"), node)
            elif isinstance(op, _ORDER_OPS):
                if lkind != "number" or rkind != "number":
                    raise self.fail(_("'<', '<=', '>', '>=' compare numbers"), node)
            else:
                raise self.fail(_("the comparison {type_name} is not allowed").format(type_name=type(op).__name__), node)
        return "boolean"

    def _check_level(self, left: ast.AST, right: ast.AST) -> None:
        name, text = (left, right) if isinstance(left, ast.Name) else (right, left)
        if not isinstance(name, ast.Name) or not isinstance(text, ast.Constant) or not isinstance(text.value, str):
            raise self.fail(_("compare a level indicator with a quoted level id"), left)
        allowed = self.levels.get(name.id)
        if allowed is not None and text.value not in allowed:
            raise self.fail(_("'{value}' is not a level of {id}{did_you_mean} (levels: {allowed})").format(
                value=text.value, id=name.id, did_you_mean=did_you_mean(text.value, allowed), allowed=', '.join(sorted(allowed))
            ), text)

    def _IfExp(self, node: ast.IfExp, depth: int) -> str:
        if self.check(node.test, depth) != "boolean":
            raise self.fail(_("the condition after 'if' must be a yes/no value"), node.test)
        body, orelse = self.check(node.body, depth), self.check(node.orelse, depth)
        if body != orelse or body in ("text", "level"):
            raise self.fail(_("both branches of 'x if c else y' must be numbers (or both yes/no)"), node)
        return body

    def _Call(self, node: ast.Call, depth: int) -> str:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else self.segment(node.func)
            allowed = ", ".join(sorted(FUNCTIONS))
            raise self.fail(_("function '{name}' is not allowed (allowed: {allowed})").format(name=name, allowed=allowed), node)
        if node.keywords:
            raise self.fail(_("functions take positional arguments only"), node)
        least, most = FUNCTIONS[node.func.id][1:3]
        if not least <= len(node.args) <= most:
            raise self.fail((_("{id}() takes {least} to {most} arguments") if most != least else _("{id}() takes {least} arguments")).format(id=node.func.id, least=least, most=most), node)
        for argument in node.args:
            if self.check(argument, depth) != "number":
                raise self.fail(_("{id}() takes numbers").format(id=node.func.id), argument)
        self.functions.add(node.func.id)
        return "number"


class _Literals(ast.NodeTransformer):
    """Replaces numeric literals with names bound to their exact Decimal values."""

    def __init__(self, literals: dict[ast.Constant, str]) -> None:
        self.literals = literals

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        name = self.literals.get(node)
        if name is None:
            return node
        return ast.copy_location(ast.Name(id=name, ctx=ast.Load()), node)


def reference_evaluate(expression: Expression, values: Mapping[str, Any]) -> Any:
    """Evaluate ``expression`` with simpleeval instead of the compiled code (for cross-checks).

    simpleeval parses the text as the author wrote it (:attr:`Expression.source`), not the
    rewritten tree the compiled code comes from, and reads each number literal as the exact
    Decimal of its own text. ``values`` gives every name, constants such as ``MAX`` too.

    >>> f = compile_expression("(min(2,\\n  rate / 45 * 2))", {"rate": "number"})
    >>> reference_evaluate(f, {"rate": Decimal("67.5")}) == f.evaluate({"rate": Decimal("67.5")}) == 2
    True
    """
    from simpleeval import SimpleEval  # imported here: only the checks need it

    evaluator = SimpleEval(functions={name: FUNCTIONS[name][0] for name in FUNCTIONS}, names=dict(values))
    evaluator.nodes[ast.Constant] = lambda node: _decimal_literal(node, expression.source)
    with decimal.localcontext(CONTEXT):
        return evaluator.eval(expression.source)


def _decimal_literal(node: ast.Constant, source: str) -> Any:
    """A constant of simpleeval's tree: a number as the Decimal of the text it is written with."""
    if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
        return node.value
    text = ast.get_source_segment(source, node)
    number = Decimal(text) if text is not None else None
    if number is None or (number != Decimal(node.value) and float(number) != node.value):  # the text is this very literal's
        raise AssertionError(_("{text!r} is not the literal {value!r}").format(text=text, value=node.value))
    return number
