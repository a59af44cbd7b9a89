"""Scoring a whole table at once: :func:`score_table` for a pandas DataFrame or a pyarrow Table in
the wide layout of records files, :func:`score_csv` for a CSV file in batches.

The per-record engine scores a row at a time, every value a ``Decimal``. Here the plan is run
column by column, and every node is computed once per *distinct* input rather than once per row:

- each column is factorised (``pandas.factorize``): an int64 code per row and the distinct
  values; each distinct value is read by the indicator's own reader (the catalogue's, as
  :func:`par_rules.score` reads it);
- a node is a pair (codes: int64 per row, values: its distinct points). A leaf computes its
  points with its rule's own ``apply`` on its input's distinct values, and keeps the input's
  codes. A parent combines its children's codes (mixed radix, in int64) when they have few
  combinations, and computes its points once per combination; otherwise it computes them per
  row, with one numpy operation on object arrays of ``Decimal`` per step of the generated code
  (sums in :data:`~par_rules.engine.EXACT`, one rounding in the 34-digit context), so that no
  Python code runs per row.

Exactness: the representation is the engine's own, ``Decimal`` in the same contexts, the same
operations in the same order as the per-record code (:mod:`par_rules.engine._codegen`), so every
value is the per-record engine's to every digit, the exact index and field points included, not
only the published ones. Int64 is used for what can be exact in it: the codes that say which
distinct value each row has.

A row the columns cannot score — a value a reader refuses, a required value missing, a rule
that raises, an unknown column filled in, a period that is not a plain year — is scored by the
per-record engine (:func:`par_rules.score_many`), which gives its result or its
:class:`~par_rules.RecordError` with every problem: the table has one output row per input row,
in the input's order, and a ``problem`` column that is empty unless the row was refused.

numpy and pandas (and pyarrow for Arrow tables) come with the ``table`` extra:
``pip install 'par-rules[table]'``. Without it, :func:`score_table` says so.
"""

from __future__ import annotations

import ast
import decimal
import math
import os
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import repeat
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..engine._arithmetic import CONTEXT, EXACT, publish
from ..engine._model import Methodology, Node
from ..engine._arithmetic import MAX_DIGITS, MAX_MAGNITUDE
from ..engine._record import Record, coerce_number
from ..engine._report import Result
from .._i18n import N_, gettext as _
from .._lazy import name_home
from ..errors import Problem, RecordError
from ._batch import score_many

if TYPE_CHECKING:
    from ..formats._files import Numbered

__all__ = ["score_table", "score_csv", "csv_outputs", "score_batch", "table_available", "TableBatch", "EXTRA_MESSAGE", "BATCH"]

#: How to get what this module needs.
EXTRA_MESSAGE = N_("score_table needs numpy and pandas (and pyarrow for Arrow tables): install the table extra, pip install 'par-rules[table]'")

#: Rows scored together by :func:`score_csv` and the command line: memory stays flat whatever
#: the length of the file.
BATCH = 2_000

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
_PERIOD_NAMES = frozenset({"period", "year", "năm"})
_RESERVED = frozenset({"unit", "name", "period", "group"})
_NUMERIC = frozenset({"number", "percent", "ratio", "count"})
_PRECEDENCE = {"not_applicable": 0, "zero": 1, "full": 2, "pending": 3}
_INT_BOUND = int(MAX_MAGNITUDE)
_MAX_ADJUSTED = MAX_MAGNITUDE.adjusted()
_SHORT_TEXT = 25


class _Sentinel:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: A value that is missing, and a value (or a node's points) that sends its rows to the
#: per-record engine.
ABSENT = _Sentinel("ABSENT")
FAIL = _Sentinel("FAIL")


def table_available() -> bool:
    """Whether numpy can be imported (what the command line's table engine needs; the
    ``table`` extra installs it, with pandas and pyarrow for DataFrames and Arrow tables)."""
    import importlib.util

    return importlib.util.find_spec("numpy") is not None


def _modules() -> tuple[Any, None]:
    """numpy (the columns need nothing else: pandas is imported only for a DataFrame, pyarrow
    for an Arrow table, both by the caller)."""
    try:
        import numpy
    except ImportError as error:
        raise ImportError(_("{message} ({error})").format(message=_(EXTRA_MESSAGE), error=error)) from None
    return numpy, None


# --------------------------------------------------------------------------- columns


class _Column:
    """A node's (or an input's) values: ``codes`` (int64, one per row) index ``values`` (the
    distinct values: Decimals, booleans, level ids, answers, ``None`` for not applicable,
    :data:`ABSENT`, :data:`FAIL`)."""

    __slots__ = ("codes", "rows", "values")

    def __init__(self, codes: Any, values: Any, rows: Any = None) -> None:
        self.codes = codes
        self.values = values
        self.rows = rows  # a parent's _Rows, when computed per row (its masks known already)


def _clean(text: str) -> str:
    """A cell's text as :func:`par_rules.read_records` normalises it."""
    stripped = text.strip()
    return stripped if stripped.isascii() else unicodedata.normalize("NFC", stripped)


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if value.__class__ is float and math.isnan(value):  # pandas' missing number
        return True
    if isinstance(value, str):
        return not value.strip()
    kind = type(value).__name__
    return kind in ("NAType", "NaTType")


def _python(value: Any) -> Any:
    """A numpy scalar as the Python value it stands for (``numpy.int64(3)`` → 3)."""
    item = getattr(value, "item", None)
    if item is not None and type(value).__module__ == "numpy":
        return item()
    return value


def _cell(value: Any) -> Any:
    """A cell as a record gets it: blank and missing values are ``None``, text normalised."""
    value = _python(value)
    if _is_missing(value):
        return None
    return _clean(value) if isinstance(value, str) else value


def _cells(distinct: Sequence[Any]) -> list[Any]:
    """:func:`_cell` of each distinct cell (texts, the usual case, without a call each)."""
    out = []
    for value in distinct:
        if value.__class__ is str:
            text = value.strip()
            out.append((text if text.isascii() else unicodedata.normalize("NFC", text)) or None)
        else:
            out.append(_cell(value))
    return out


def _marks(np: Any, values: Any, sentinel: Any) -> Any:
    """Where ``values`` (a list or an object array) holds ``sentinel`` (``None``,
    :data:`ABSENT`, :data:`FAIL`)."""
    if hasattr(values, "dtype") and values.dtype != object:
        return np.zeros(len(values), dtype=bool)
    # by identity: ``==`` would ask each Decimal whether a sentinel is a number (ABC checks, slow)
    return np.fromiter(map(id, values), dtype=np.int64, count=len(values)) == id(sentinel)


def _objects_of(np: Any, values: Sequence[Any]) -> Any:
    """A list as an object array (each item one element)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


#: Short texts already read as numbers (a table repeats "100", "0", "95.5" in many columns and
#: batches): their Decimals, which are immutable. Bounded: cleared when full.
_TEXT_NUMBERS: dict[str, Decimal] = {}
_TEXT_NUMBERS_LIMIT = 1 << 16


def _numbers(np: Any, indicator: Any, reader: Any, cells: Sequence[Any], required: bool) -> list[Any]:
    """A numeric indicator's distinct cells read as its reader reads them: short plain texts by
    ``Decimal`` (what the reader's own fast path does), then the range and whole-number checks on
    arrays; every other cell by the reader itself."""
    out: list[Any] = [None] * len(cells)
    fast: list[int] = []
    numbers: list[Decimal] = []
    for position, cell in enumerate(cells):
        if cell is None:
            out[position] = FAIL if required else ABSENT
            continue
        if cell.__class__ is str:
            number = _TEXT_NUMBERS.get(cell)
            if number is None and len(cell) <= _SHORT_TEXT and "_" not in cell:
                try:
                    number = Decimal(cell)
                except ArithmeticError:
                    number = None
                if number is not None and number.is_finite() and (-MAX_DIGITS <= number.adjusted() < _MAX_ADJUSTED or not number):
                    if len(_TEXT_NUMBERS) >= _TEXT_NUMBERS_LIMIT:
                        _TEXT_NUMBERS.clear()
                    _TEXT_NUMBERS[cell] = number
                else:
                    number = None
            if number is not None:
                fast.append(position)
                numbers.append(number)
                continue
        try:
            out[position] = reader(cell)
        except (ValueError, TypeError, ArithmeticError):
            out[position] = FAIL
    if fast:
        array = np.empty(len(numbers), dtype=object)
        array[:] = numbers
        good = np.ones(len(numbers), dtype=bool)
        interval = indicator.range
        if interval.low is not None:
            good &= (array >= interval.low) if interval.low_inclusive else (array > interval.low)
        if interval.high is not None:
            good &= (array <= interval.high) if interval.high_inclusive else (array < interval.high)
        if indicator.type == "count":
            good &= np.array([number == number.to_integral_value() for number in numbers], dtype=bool)
        for position, number, ok in zip(fast, numbers, good.tolist()):
            out[position] = number if ok else FAIL
    return out


class _State:
    """What the batches of one file share, so that each batch reads and scores only the texts
    it is the first to meet: per input column, a code for each text met so far (looked up for a
    whole column at C speed, ``map(dict.get, ...)``) and its cells by code; per input, the
    values read; per leaf, its points; per answer column, its counts (each by code).
    Bounded: a column with more than :data:`_BOOK_LIMIT` texts starts again (memory stays flat;
    a column of measured values is then read anew in each batch, through a cache of texts)."""

    def __init__(self) -> None:
        self.books: dict[str, tuple[dict[Any, int], list[Any]]] = {}
        self.read: dict[str, list[Any]] = {}
        self.points: dict[int, list[Any]] = {}
        self.counts: dict[str, list[Any]] = {}


_BOOK_LIMIT = 2_048


def _codes(np: Any, state: _State | None, name: str, column: Any) -> tuple[Any, list[Any], int]:
    """Codes of a column's cells, the distinct cells by code, and the first code this batch
    added (what was read before it is known already). A column that is not a list (a pandas or
    numpy column) is factorised afresh."""
    if state is None or not isinstance(column, (list, tuple)):
        codes, distinct = _factorize(None, np, column)
        if state is not None:
            state.books.pop(name, None)
        return codes, distinct, 0
    book = state.books.get(name)
    if book is None or len(book[1]) > _BOOK_LIMIT:
        book = state.books[name] = ({}, [])
    index, cells = book
    start = len(cells)
    count = len(column)
    codes = np.fromiter(map(index.get, column, repeat(-1, count)), dtype=np.int64, count=count)
    missed = (codes < 0).nonzero()[0]
    for position in missed.tolist():
        cell = column[position]
        key = cell if cell is None or cell.__class__ is str else (cell.__class__, repr(cell))
        code = index.get(key)
        if code is None:
            code = index[key] = len(cells)
            cells.append(_python(cell))
        codes[position] = code
    return codes, cells, start


def _compact(np: Any, column: _Column) -> _Column:
    """A column with one code per distinct object of its values (a band table's leaf has as
    many codes as its input has texts, but only a few points: its parent can then compute once
    per combination of its children)."""
    values = column.values
    index: dict[int, int] = {}
    objects: list[Any] = []
    remap = np.empty(len(values), dtype=np.int64)
    for position, value in enumerate(values):
        code = index.get(id(value))
        if code is None:
            code = index[id(value)] = len(objects)
            objects.append(value)
        remap[position] = code
    if len(objects) == len(values):
        return column
    return _Column(remap[column.codes], objects)


def _extend(cache: list[Any], start: int, new: list[Any]) -> list[Any]:
    """``cache`` (values by code) with the values of the codes from ``start`` on replaced."""
    del cache[start:]
    cache.extend(new)
    return cache


def _factorize(pd: Any, np: Any, column: Any) -> tuple[Any, list[Any]]:
    """Codes and distinct cells of a column (a list, a numpy array or a pandas Series); the
    missing cells (``None``, ``NaN``, ``NA``) share one code, whose value is ``None``. Distinct
    objects that compare equal but print apart (``True`` and ``1``, ``Decimal('1.0')`` and
    ``Decimal('1')``) stay apart."""
    if hasattr(column, "iloc"):  # a pandas Series: pandas' own factorize, by hashing
        pandas = type(column).__module__.split(".")[0]
        import importlib

        codes, uniques = importlib.import_module(pandas).factorize(column, use_na_sentinel=True)
        distinct = uniques.tolist()
        if column.dtype == object and not all(value.__class__ is str for value in distinct):
            return _factorize(pd, np, column.tolist())
    elif hasattr(column, "dtype") and column.dtype != object:  # numbers: sorted
        distinct_array, codes = np.unique(column, return_inverse=True)
        distinct = distinct_array.tolist()
        codes = codes.reshape(-1)
    else:
        index: dict[Any, int] = {}
        items = column.tolist() if hasattr(column, "tolist") else column
        keys = [item if item.__class__ is str or item is None else (item.__class__, repr(item)) for item in items]
        codes = np.fromiter((index.setdefault(key, len(index)) for key in keys), dtype=np.int64, count=len(keys))
        first = _first_rows(np, codes)
        distinct = [_python(items[position]) for position in first.tolist()]
        return codes, distinct
    codes = np.asarray(codes, dtype=np.int64)
    if len(codes) and (codes < 0).any():  # the missing cells: one more distinct value
        codes = np.where(codes < 0, len(distinct), codes)
        distinct.append(None)
    return codes, distinct


def _first_rows(np: Any, codes: Any) -> Any:
    """The first row of each code (codes 0..k-1, each used)."""
    count = int(codes.max()) + 1 if len(codes) else 0
    first = np.empty(count, dtype=np.int64)
    positions = np.arange(len(codes) - 1, -1, -1, dtype=np.int64)
    first[codes[::-1]] = positions  # the last write wins: the first row
    return first


def _combine(np: Any, pd: Any, columns: Sequence[_Column], rows: int) -> tuple[Any, Any] | None:
    """Codes of the combinations of several columns' values, and for each combination the first
    row that has it; ``None`` when the combinations could be as many as the rows (then it is
    cheaper to compute per row)."""
    size = 1
    for column in columns:
        size *= max(len(column.values), 1)
        if size > max(rows // 2, 1):
            return None
    combined = np.zeros(rows, dtype=np.int64)
    for column in columns:
        combined = combined * len(column.values) + column.codes
    _unused, codes = np.unique(combined, return_inverse=True)
    codes = np.asarray(codes, dtype=np.int64).reshape(-1)
    return codes, _first_rows(np, codes)


def _per_distinct(np: Any, pd: Any, inputs: Sequence[_Column], rows: int, compute: Any) -> _Column:
    """A column computed by ``compute(*values)`` once per distinct combination of the inputs."""
    if len(inputs) == 1:
        (only,) = inputs
        return _Column(only.codes, [compute(value) for value in only.values])
    combined = _combine(np, pd, inputs, rows)
    if combined is None:
        codes = np.arange(rows, dtype=np.int64)
        lists = [[column.values[code] for code in column.codes.tolist()] for column in inputs]
        return _Column(codes, [compute(*values) for values in zip(*lists)])
    codes, first = combined
    picked = [[column.values[code] for code in column.codes[first].tolist()] for column in inputs]
    return _Column(codes, [compute(*values) for values in zip(*picked)])


# --------------------------------------------------------------------------- the plan


def _leaf_points(node: Node, policy: str, value: Any) -> Any:
    """One leaf's points for one distinct value of its indicator, as the generated code gives
    them (its rule's own ``apply``), or :data:`FAIL`."""
    if value is FAIL:
        return FAIL
    if value is ABSENT:
        if policy == "zero":
            return _ZERO
        if policy == "full":
            return node.max
        if policy == "not_applicable":
            return None
        return FAIL  # error, or pending: the row's result is partial, which the record engine makes
    try:
        with decimal.localcontext(CONTEXT):
            return node.rule.apply(node.max, value)[0]  # type: ignore[union-attr]
    except (ValueError, ArithmeticError, KeyError):
        return FAIL


def _expression_points(node: Node, policies: Mapping[str, str], names: Sequence[str], *values: Any) -> Any:
    """An expression leaf's points for one combination of its inputs."""
    if any(value is FAIL for value in values):
        return FAIL
    absent = [name for name, value in zip(names, values) if value is ABSENT]
    if absent:  # the strictest policy among the missing inputs (error is stricter than all)
        policy = min((policies[name] for name in absent), key=lambda p: _PRECEDENCE.get(p, -1))
        return _leaf_points(node, policy, ABSENT)
    try:
        with decimal.localcontext(CONTEXT):
            return node.rule.apply(node.max, dict(zip(names, values)))[0]  # type: ignore[union-attr]
    except (ValueError, ArithmeticError, KeyError):
        return FAIL


def _derived_results(np: Any, indicator: Any, raw: Any) -> list[Any]:
    """A derived indicator's values from its formula's raw results (as :func:`_derived_value`)."""
    results = raw.tolist()
    if indicator.type == "boolean":
        return [bool(value) if type(value).__name__ == "bool_" else value for value in results]
    return [value if value.__class__ is Decimal and value in indicator.range else FAIL for value in results]


def _expression_results(np: Any, node: Node, raw: Any) -> list[Any]:
    """An expression leaf's points from its formula's raw results: kept within 0 to the cap."""
    if not all(value.__class__ is Decimal for value in raw.tolist()):
        raise _Unsupported("a formula that gives no number")
    return _clamp(np, raw, node.max).tolist()


def _derived_value(indicator: Any, names: Sequence[str], policy: str, *values: Any) -> Any:
    """A derived indicator's value for one combination of its inputs (:data:`ABSENT` when an
    input is missing and the policy allows it)."""
    if any(value is FAIL for value in values):
        return FAIL
    if any(value is ABSENT for value in values):
        return FAIL if policy == "error" else ABSENT
    try:
        result = indicator.formula.evaluate(dict(zip(names, values)))
    except (ArithmeticError, ValueError):
        return FAIL
    if indicator.type != "boolean" and (result.__class__ is not Decimal or result not in indicator.range):
        return FAIL
    return result


# --------------------------------------------------------------------------- array kernels

#: A column with more distinct values than this is computed with array operations (below);
#: fewer, with the rule's own ``apply`` once per distinct value.
VECTOR_MIN = 64


class _Unsupported(Exception):
    """An expression the array evaluator does not cover: it is computed a value at a time."""


def _clamp(np: Any, raw: Any, cap: Decimal) -> Any:
    """``_clamp`` of the rules: 0 below 0, the cap above it, else the value itself."""
    return np.where(raw < 0, _ZERO, np.where(raw > cap, cap, raw))


def _bands_kernel(np: Any, rule: Any, cap: Decimal, values: Any) -> Any:
    points = np.full(len(values), FAIL, dtype=object)
    open_ = np.ones(len(values), dtype=bool)
    for band in rule.bands:
        interval = band.interval
        inside = open_.copy()
        if interval.low is not None:
            inside &= (values >= interval.low) if interval.low_inclusive else (values > interval.low)
        if interval.high is not None:
            inside &= (values <= interval.high) if interval.high_inclusive else (values < interval.high)
        points[inside] = band.points
        open_ &= ~inside
    return points


def _proportional_kernel(np: Any, rule: Any, cap: Decimal, values: Any) -> Any:
    with decimal.localcontext(EXACT):
        product = cap * values
    return _clamp(np, np.frompyfunc(CONTEXT.divide, 2, 1)(product, rule.full_at), cap)


def _bonus_kernel(np: Any, rule: Any, cap: Decimal, values: Any) -> Any:
    return _clamp(np, np.frompyfunc(CONTEXT.multiply, 2, 1)(values, rule.per_occurrence), cap)


def _deduction_kernel(np: Any, rule: Any, cap: Decimal, values: Any) -> Any:
    limit = cap if rule.limit is None else min(rule.limit, cap)
    with decimal.localcontext(EXACT):
        raw = values * rule.per_occurrence
    return np.frompyfunc(CONTEXT.subtract, 2, 1)(cap, _clamp(np, raw, limit))


def _direct_kernel(np: Any, rule: Any, cap: Decimal, values: Any) -> Any:
    return np.where((values >= _ZERO) & (values <= cap), values, FAIL)


#: Rule kind name -> its points on an object array of present values, with the operations of
#: its ``apply`` (and of the generated code) on arrays, :data:`FAIL` where ``apply`` raises. A
#: kind not here is computed by its own ``apply``, once per distinct value. (These belong beside
#: each kind, in ``engine/_rules/``, as a method of the kind: the next step.)
_KERNELS = {
    "bands": _bands_kernel,
    "proportional": _proportional_kernel,
    "bonus": _bonus_kernel,
    "deduction": _deduction_kernel,
    "direct": _direct_kernel,
}

#: The kinds whose value is survey answers, computed from the answer columns as arrays (:class:`_Answers`).
_ANSWER_KINDS = frozenset({"survey"})


def _formula(rule: Any) -> Any:
    """The formula of a rule that computes its points from one (an expression), else ``None``."""
    return getattr(rule, "expression", None)


def _leaf_kernel(np: Any, node: Node, values: Any) -> Any:
    """A leaf's points for an object array of present values (:data:`_KERNELS`)."""
    rule = node.rule
    kernel = _KERNELS.get(rule.kind)  # type: ignore[union-attr]
    if kernel is None:
        raise _Unsupported(rule.kind)  # type: ignore[union-attr]
    return kernel(np, rule, node.max, values)


def _leaf_column(np: Any, node: Node, policy: str, column: _Column, start: int = 0, cache: list[Any] | None = None) -> _Column:
    """A leaf's points for each distinct value of its indicator (those from code ``start`` on:
    the ones before are in ``cache``): by array operations when there are many
    (:func:`_leaf_kernel`), else by the rule's ``apply`` one at a time."""
    if cache is not None and len(cache) >= start:
        new = _leaf_column(np, node, policy, _Column(column.codes, column.values[start:]))
        return _Column(column.codes, _extend(cache, start, new.values))
    values = column.values
    if len(values) >= VECTOR_MIN:
        present = [position for position, value in enumerate(values) if value is not ABSENT and value is not FAIL and value.__class__ is Decimal]
        if len(present) == len(values) - sum(1 for value in values if value is ABSENT or value is FAIL):
            try:
                array = np.empty(len(present), dtype=object)
                array[:] = [values[position] for position in present]
                computed = _leaf_kernel(np, node, array).tolist()
            except (_Unsupported, ArithmeticError, TypeError, ValueError):
                pass
            else:
                points = [None] * len(values)
                for position, value in zip(present, computed):
                    points[position] = value
                for position, value in enumerate(values):
                    if value is ABSENT or value is FAIL:
                        points[position] = _leaf_points(node, policy, value)
                return _Column(column.codes, points)
    return _Column(column.codes, [_leaf_points(node, policy, value) for value in values])


def _evaluate(np: Any, tree: ast.AST, namespace: Mapping[str, Any], env: Mapping[str, Any], size: int) -> Any:
    """An expression's checked tree over object arrays of ``size`` rows (``env``: name → array),
    each operation the one Python's evaluation of the compiled formula makes, in the current
    decimal context; the branch of ``x if c else y`` (and the right side of ``and``/``or``, the
    rest of a chained comparison) only on the rows that reach it, as Python evaluates it."""
    if isinstance(tree, ast.Expression):
        return _evaluate(np, tree.body, namespace, env, size)
    if isinstance(tree, ast.Name):
        if tree.id in env:
            return env[tree.id]
        value = namespace[tree.id]
        if callable(value):
            raise _Unsupported("a function as a value")
        return np.full(size, value, dtype=object)
    if isinstance(tree, ast.Constant):
        return np.full(size, tree.value, dtype=object)
    if isinstance(tree, ast.BinOp):
        left = _evaluate(np, tree.left, namespace, env, size)
        right = _evaluate(np, tree.right, namespace, env, size)
        if isinstance(tree.op, ast.Add):
            return left + right
        if isinstance(tree.op, ast.Sub):
            return left - right
        if isinstance(tree.op, ast.Mult):
            return left * right
        if isinstance(tree.op, ast.Div):
            return left / right
        raise _Unsupported(type(tree.op).__name__)
    if isinstance(tree, ast.UnaryOp):
        operand = _evaluate(np, tree.operand, namespace, env, size)
        if isinstance(tree.op, ast.USub):
            return -operand
        if isinstance(tree.op, ast.UAdd):
            return +operand
        if isinstance(tree.op, ast.Not):
            return _objects(np, ~_truth(np, operand))
        raise _Unsupported(type(tree.op).__name__)
    if isinstance(tree, ast.IfExp):
        test = _truth(np, _evaluate(np, tree.test, namespace, env, size))
        return _branches(np, test, tree.body, tree.orelse, namespace, env, size)
    if isinstance(tree, ast.BoolOp):  # yes/no operands only (the checker): the value is a yes/no
        result = _truth(np, _evaluate(np, tree.values[0], namespace, env, size))
        for operand in tree.values[1:]:
            reach = result if isinstance(tree.op, ast.And) else ~result  # who still needs this operand
            rows = reach.nonzero()[0]
            if len(rows):
                part = _truth(np, _evaluate(np, operand, namespace, {name: values[rows] for name, values in env.items()}, len(rows)))
                result = result.copy()
                result[rows] = part
        return _objects(np, result)
    if isinstance(tree, ast.Compare):
        left = _evaluate(np, tree.left, namespace, env, size)
        result = np.ones(size, dtype=bool)
        rows = np.arange(size)
        for op, comparator in zip(tree.ops, tree.comparators):
            sub = {name: values[rows] for name, values in env.items()}
            right = _evaluate(np, comparator, namespace, sub, len(rows))
            if isinstance(op, ast.Lt):
                outcome = left < right
            elif isinstance(op, ast.LtE):
                outcome = left <= right
            elif isinstance(op, ast.Gt):
                outcome = left > right
            elif isinstance(op, ast.GtE):
                outcome = left >= right
            elif isinstance(op, ast.Eq):
                outcome = left == right
            elif isinstance(op, ast.NotEq):
                outcome = left != right
            else:
                raise _Unsupported(type(op).__name__)
            outcome = _truth(np, outcome)
            result[rows] = outcome
            keep = outcome.nonzero()[0]
            rows, left = rows[keep], right[keep]
            if not len(rows):
                break
        return _objects(np, result)
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and not tree.keywords:
        function = namespace[tree.func.id]
        arguments = [_evaluate(np, argument, namespace, env, size) for argument in tree.args]
        if not arguments:
            raise _Unsupported("a call without arguments")
        return np.frompyfunc(function, len(arguments), 1)(*arguments)
    raise _Unsupported(type(tree).__name__)


def _branches(np: Any, test: Any, body: ast.AST, orelse: ast.AST, namespace: Mapping[str, Any], env: Mapping[str, Any], size: int) -> Any:
    result = np.empty(size, dtype=object)
    for branch, rows in ((body, test.nonzero()[0]), (orelse, (~test).nonzero()[0])):
        if len(rows):
            result[rows] = _evaluate(np, branch, namespace, {name: values[rows] for name, values in env.items()}, len(rows))
    return result


def _truth(np: Any, values: Any) -> Any:
    if values.dtype == bool:
        return values
    if not all(value.__class__ is bool or type(value).__name__ == "bool_" for value in values.tolist()):
        raise _Unsupported("a condition that is not a yes/no value")
    return values.astype(bool)


def _objects(np: Any, flags: Any) -> Any:
    """Yes/no values as Python booleans in an object array (as Python's evaluation gives them)."""
    result = np.empty(len(flags), dtype=object)
    result[:] = flags.tolist()
    return result


_TREES: dict[int, tuple[Any, ast.AST]] = {}


def _tree(expression: Any) -> ast.AST:
    """An expression's checked tree (its decimal source parsed once)."""
    known = _TREES.get(id(expression))
    if known is None or known[0] is not expression:
        known = _TREES[id(expression)] = (expression, ast.parse(expression.decimal_source, mode="eval"))
    return known[1]


def _formula_column(np: Any, pd: Any, expression: Any, inputs: Sequence[_Column], names: Sequence[str], rows: int, scalar: Any, finish: Any) -> _Column:
    """A formula (a derived indicator's or an expression leaf's) over its inputs: once per
    distinct combination of them, with array operations when there are many (``finish`` turns
    the raw results into the column's values; ``scalar(*values)`` gives one combination's value,
    for the few, for the combinations with a missing or failed input, and when the arrays cannot
    be used)."""
    if len(inputs) == 1:
        codes = inputs[0].codes
        arrays = [_objects_of(np, inputs[0].values) if not hasattr(inputs[0].values, "dtype") else inputs[0].values]
    else:
        combined = _combine(np, pd, inputs, rows)
        if combined is None:
            codes = np.arange(rows, dtype=np.int64)
            arrays = [_as_objects(np, column.values)[column.codes] for column in inputs]
        else:
            codes, first = combined
            arrays = [_as_objects(np, column.values)[column.codes[first]] for column in inputs]
    size = len(arrays[0]) if arrays else 1
    if size < VECTOR_MIN or not names:
        listed = [array.tolist() for array in arrays]
        return _Column(codes, [scalar(*values) for values in zip(*listed)] if listed else [scalar()])
    unusual = np.zeros(size, dtype=bool)
    for array in arrays:
        unusual |= _marks(np, array, ABSENT) | _marks(np, array, FAIL)
    out = np.empty(size, dtype=object)
    clean = (~unusual).nonzero()[0]
    if len(clean):
        env = {name: array[clean] for name, array in zip(names, arrays)}
        try:
            with decimal.localcontext(CONTEXT):
                raw = _evaluate(np, _tree(expression), expression.namespace, env, len(clean))
            out[clean] = finish(raw)
        except (_Unsupported, ArithmeticError, TypeError, ValueError, KeyError):
            listed = [array.tolist() for array in env.values()]
            out[clean] = [scalar(*values) for values in zip(*listed)]
    odd = unusual.nonzero()[0]
    if len(odd):
        listed = [array[odd].tolist() for array in arrays]
        out[odd] = [scalar(*values) for values in zip(*listed)]
    return _Column(codes, out)


def _as_objects(np: Any, values: Any) -> Any:
    return values if hasattr(values, "dtype") else _objects_of(np, values)


class _Answers:
    """A survey indicator's answers, read from its ``<indicator>.<option>`` columns as arrays:
    each count read once per distinct cell (as the answers reader reads it), the sums per row
    with array operations; a survey leaf's points are then computed on the arrays
    (:meth:`points`), with the operations of ``SurveyRule.apply``."""

    def __init__(self, np: Any, state: _State | None, key: str, indicator: Any, options: Sequence[tuple[str, Any]], required: bool, rows: int) -> None:
        self.options: list[tuple[str, Any, Any]] = []  # (option, given per row, count per row)
        failed = np.zeros(rows, dtype=bool)
        answers = np.full(rows, _ZERO, dtype=object)
        for option, values in options:
            name = f"{key}.{option}"
            codes, distinct, start = _codes(np, state, name, values)
            known = option in indicator.options
            counts = [_count(cell, known) for cell in _cells(distinct[start:])]
            if state is not None:
                counts = _extend(state.counts.setdefault(name, []), start, counts)
            fails = _marks(np, counts, FAIL)
            given = (~(_marks(np, counts, None) | fails))[codes]
            failed |= fails[codes]
            clean = np.empty(len(counts), dtype=object)
            clean[:] = [_ZERO if count is None or count is FAIL else count for count in counts]
            count_rows = clean[codes]
            with decimal.localcontext(EXACT):
                answers = np.where(given, answers + count_rows, answers)
            self.options.append((option, given, count_rows))
        self.answers = answers
        self.absent = (answers == 0) & ~failed  # no answer at all: a missing value
        self.failed = failed | (self.absent & required)

    def points(self, np: Any, node: Node, policy: str) -> _Column:
        rule = node.rule
        rows = len(self.answers)
        failed = self.failed.copy()
        weighted = np.full(rows, _ZERO, dtype=object)
        with decimal.localcontext(EXACT):
            for option, given, counts in self.options:
                weight = rule.weights.get(option)  # type: ignore[union-attr]
                if weight is None:
                    failed |= given
                    continue
                weighted = np.where(given, weighted + counts * weight, weighted)
            numerator = node.max * weighted
            denominator = np.where(self.absent | failed, Decimal(1), self.answers * _HUNDRED)
        points = np.frompyfunc(CONTEXT.divide, 2, 1)(numerator, denominator).tolist()
        missing = _leaf_points(node, policy, ABSENT)
        for position in self.absent.nonzero()[0].tolist():
            points[position] = missing
        for position in failed.nonzero()[0].tolist():
            points[position] = FAIL
        return _Column(np.arange(rows, dtype=np.int64), points)


def _count(cell: Any, known: bool) -> Any:
    """One answer count as the answers reader reads it (``None``: not given)."""
    if cell is None:
        return None
    if not known:
        return FAIL
    try:
        number = Decimal(cell) if cell.__class__ is int and 0 <= cell < _INT_BOUND else coerce_number(cell)
    except (ValueError, TypeError, ArithmeticError):
        return FAIL
    return FAIL if number < 0 else number


class _Rows:
    """Per-row object arrays of a node's points, with ``None``/``FAIL`` split out as masks and
    replaced by zero (so that the sums below never meet them)."""

    def __init__(self, np: Any, column: _Column, per_row: bool = False) -> None:
        if column.rows is not None:
            self.points, self.lapsed, self.failed = column.rows.points, column.rows.lapsed, column.rows.failed
            return
        values = _as_objects(np, column.values)
        lapsed = _marks(np, values, None)
        failed = _marks(np, values, FAIL)
        clean = np.where(lapsed | failed, _ZERO, values)
        if per_row:  # the codes are 0, 1, 2...: nothing to take
            self.points, self.lapsed, self.failed = clean, lapsed, failed
        else:
            self.points = clean[column.codes]
            self.lapsed = lapsed[column.codes]
            self.failed = failed[column.codes]


def _plus(np: Any) -> Any:
    return np.frompyfunc(CONTEXT.plus, 1, 1)


def _divide(np: Any) -> Any:
    return np.frompyfunc(CONTEXT.divide, 2, 1)


def _parent_rows(np: Any, node: Node, children: Sequence[_Rows], caps: Sequence[Decimal], weights: Sequence[Decimal], may_lapse: bool) -> tuple[Any, Any, Any]:
    """A parent's points per row (object array), and which rows do not apply and which fail:
    the operations of :func:`par_rules.engine._codegen._parent`, on arrays."""
    rows = len(children[0].points) if children else 0
    failed = np.zeros(rows, dtype=bool)
    for child in children:
        failed |= child.failed
    cap = node.max
    with decimal.localcontext(EXACT):
        if node.aggregate == "weighted_mean":
            distinct = list(dict.fromkeys(caps))
            shares = [np.full(rows, _ZERO, dtype=object) for _unused in distinct]
            total_weight = np.full(rows, _ZERO, dtype=object)
            applicable = np.zeros(rows, dtype=bool)
            for child, child_cap, weight in zip(children, caps, weights):
                present = ~child.lapsed
                total_weight = np.where(present, total_weight + weight, total_weight)
                group = distinct.index(child_cap)
                shares[group] = np.where(present, shares[group] + weight * child.points, shares[group])
                applicable |= present
            product = _product(distinct)
            if len(distinct) == 1:
                share = shares[0]
            else:
                share = None
                for group in range(len(distinct)):
                    term = shares[group] * _product(distinct[:group] + distinct[group + 1:])
                    share = term if share is None else share + term
            scaled = total_weight * product
            safe = np.where(applicable, scaled, Decimal(1))
            points = _divide(np)(cap * share, safe)
            return np.where(applicable, points, None), ~applicable, failed
        full = sum(caps, _ZERO)
        if not may_lapse:
            raw = np.full(rows, _ZERO, dtype=object)
            for child in children:
                raw = raw + child.points
            raw = _plus(np)(raw)
            return np.where(cap < raw, cap, raw), np.zeros(rows, dtype=bool), failed
        raw = np.full(rows, _ZERO, dtype=object)
        applied = np.full(rows, _ZERO, dtype=object)
        applicable = np.zeros(rows, dtype=bool)
        for child, child_cap in zip(children, caps):
            present = ~child.lapsed
            raw = np.where(present, raw + child.points, raw)
            applied = np.where(present, applied + child_cap, applied)
            applicable |= present
        rescaled = applicable & (applied != full)
        safe = np.where(rescaled, applied, Decimal(1))
        raw = np.where(rescaled, _divide(np)(raw * full, safe), _plus(np)(raw))
        points = np.where(cap < raw, cap, raw)
        return np.where(applicable, points, None), ~applicable, failed


def _product(numbers: Iterable[Decimal]) -> Decimal:
    product = Decimal(1)
    for number in numbers:
        product = EXACT.multiply(product, number)
    return product


class _Scored:
    """What the columns give for a batch: per row its cells (as the CSV results table has them)
    or, for the rows they refuse, nothing yet (``fallback``)."""

    def __init__(self, cells: dict[str, Any], fallback: Any) -> None:
        self.cells = cells
        self.fallback = fallback


def _score_columns(methodology: Methodology, columns: Mapping[str, Any], rows: int, state: _State | None = None) -> _Scored:
    """Score ``rows`` rows given as columns named as in a records file (already folded:
    ``column name -> values``). See the module's documentation."""
    np, pd = _modules()
    plan = methodology.plan
    catalogue = plan.catalogue
    indicators = methodology.indicators
    fallback = np.zeros(rows, dtype=bool)

    # Which record key each column gives.
    plain: dict[str, Any] = {}
    gathered: dict[str, dict[str, Any]] = {}
    for name, values in columns.items():
        key = "period" if name.lower() in _PERIOD_NAMES else name
        prefix, dot, rest = key.partition(".")
        if dot and rest:
            if prefix == "self":
                continue  # self-assessed points: not scored
            gathered.setdefault(prefix, {})[rest] = values
        else:
            if key in plain:  # "year" and "period" both: let the record engine say what it says
                fallback[:] = True
            plain[key] = values
    if plain.keys() & gathered.keys():
        fallback[:] = True

    def filled(values: Any) -> Any:
        codes, distinct = _factorize(pd, np, values)
        blank = _marks(np, _cells(distinct), None)
        return ~blank[codes]

    # Columns that are no input: an unknown indicator, or a derived one given a value.
    for key in list(plain) + list(gathered):
        if key in _RESERVED or (key in catalogue.readers and catalogue.readers[key] is not None):
            continue
        for values in ([plain[key]] if key in plain else gathered[key].values()):
            fallback |= filled(values)

    # The inputs, read by their indicators' readers, once per distinct cell.
    inputs: dict[str, Any] = {}
    in_formulas = {name for _unused, indicator in plan.derived for name in indicator.formula.names}
    in_formulas |= {name for node in plan.nodes if _formula(node.rule) is not None for name in _formula(node.rule).names}
    starts: dict[str, int] = {}  # input -> the first code this batch added to its column's
    for key, reader in catalogue.readers.items():
        if reader is None:
            continue
        required = key in catalogue.required
        if indicators[key].type == "answers" and key in gathered and key not in in_formulas:
            answers = _Answers(np, state, key, indicators[key], list(gathered[key].items()), required, rows)
            inputs[key] = answers
            fallback |= answers.failed
        elif indicators[key].type == "answers" and key in gathered:
            options = list(gathered[key].items())
            parts = []
            for _option, values in options:
                codes, distinct = _factorize(pd, np, values)
                parts.append(_Column(codes, _cells(distinct)))
            names = [option for option, _unused in options]

            def answers_of(*cells: Any, reader: Any = reader, names: list[str] = names, required: bool = required) -> Any:
                given = {name: cell for name, cell in zip(names, cells) if cell is not None}
                if not given:
                    return FAIL if required else ABSENT
                try:
                    value = reader(given)
                except (ValueError, TypeError, ArithmeticError):
                    return FAIL
                if value is None:
                    return FAIL if required else ABSENT
                return value

            inputs[key] = _per_distinct(np, pd, parts, rows, answers_of)
        elif key in plain:
            codes, distinct, start = _codes(np, state, key, plain[key])
            starts[key] = start
            distinct = distinct[start:]

            def read(cell: Any, reader: Any = reader, required: bool = required) -> Any:
                cell = _cell(cell)
                if cell is None:
                    return FAIL if required else ABSENT
                try:
                    return reader(cell)
                except (ValueError, TypeError, ArithmeticError):
                    return FAIL

            if indicators[key].type in _NUMERIC:
                read_values = _numbers(np, indicators[key], reader, _cells(distinct), required)
            else:
                read_values = [read(cell) for cell in distinct]
            if state is not None:
                read_values = _extend(state.read.setdefault(key, []), start, read_values)
            inputs[key] = _Column(codes, read_values)
        else:
            inputs[key] = _Column(np.zeros(rows, dtype=np.int64), [FAIL if required else ABSENT])
    for column in inputs.values():
        if isinstance(column, _Column):
            fallback |= _failed(np, column)

    # Derived indicators, in dependency order.
    for key, indicator in plan.derived:
        names = indicator.formula.names
        column = _formula_column(
            np, pd, indicator.formula, [inputs[name] for name in names], names, rows,
            lambda *values, indicator=indicator, names=names, policy=plan.policies[key]: _derived_value(indicator, names, policy, *values),
            lambda raw, indicator=indicator: _derived_results(np, indicator, raw),
        )
        inputs[key] = column
        fallback |= _failed(np, column)

    # Leaves, then parents (children after their parent in the plan: walk it backwards).
    nodes = plan.nodes
    points: list[_Column | None] = [None] * len(nodes)
    for position, node in enumerate(nodes):
        rule = node.rule
        if rule is None:
            continue
        if _formula(rule) is not None:
            names = rule.expression.names
            policies = {name: plan.policies[name] for name in names}
            points[position] = _formula_column(
                np, pd, rule.expression, [inputs[name] for name in names], names, rows,
                lambda *values, node=node, policies=policies, names=names: _expression_points(node, policies, names, *values),
                lambda raw, node=node: _expression_results(np, node, raw),
            )
        elif rule.kind in _ANSWER_KINDS and isinstance(inputs[rule.indicator], _Answers):
            points[position] = inputs[rule.indicator].points(np, node, plan.policies[rule.indicator])
        else:
            column = inputs[rule.indicator]
            known_start = starts.get(rule.indicator)
            cache = state.points.setdefault(position, []) if state is not None and known_start is not None else None
            points[position] = _compact(np, _leaf_column(np, node, plan.policies[rule.indicator], column, known_start or 0, cache))
    for position in range(len(nodes) - 1, -1, -1):
        node = nodes[position]
        if node.rule is not None:
            continue
        children = [points[child] for child in plan.children[position]]
        for child in plan.children[position]:  # a child is needed by its parent only: let it go
            if child not in plan.fields:
                points[child] = None
        caps = [nodes[child].max for child in plan.children[position]]
        weights = [nodes[child].weight for child in plan.children[position]]
        may_lapse = any(plan.may_lapse[child] for child in plan.children[position])
        combined = _combine(np, pd, children, rows)
        if combined is not None:  # few combinations: computed once each
            codes, first = combined
            picked = [_Rows(np, _Column(None, _as_objects(np, child.values)[child.codes[first]]), per_row=True) for child in children]
            values, lapsed, failed = _parent_rows(np, node, picked, caps, weights, may_lapse)
            points[position] = _Column(codes, _with_markers(values, lapsed, failed))
        else:
            values, lapsed, failed = _parent_rows(np, node, [_Rows(np, child) for child in children], caps, weights, may_lapse)
            known = _Rows.__new__(_Rows)
            known.points, known.lapsed, known.failed = np.where(lapsed | failed, _ZERO, values), lapsed, failed
            points[position] = _Column(np.arange(rows, dtype=np.int64), _with_markers(values, lapsed, failed), known)

    # The total: the fields' points, rescaled over the fields that apply, within the scale.
    fields = [_Rows(np, points[position]) for position in plan.fields]
    for field in fields:
        fallback |= field.failed
    with decimal.localcontext(EXACT):
        total = np.full(rows, _ZERO, dtype=object)
        applied = np.full(rows, _ZERO, dtype=object)
        applicable = np.zeros(rows, dtype=bool)
        for field, position in zip(fields, plan.fields):
            present = ~field.lapsed
            total = np.where(present, total + field.points, total)
            applied = np.where(present, applied + nodes[position].max, applied)
            applicable |= present
        fallback |= ~applicable  # no criterion applies: the record engine says so
        field_caps = plan.field_caps
        rescaled = applicable & (applied != field_caps)
        safe = np.where(rescaled, applied, Decimal(1))
        total = np.where(rescaled, _divide(np)(total * field_caps, safe), _plus(np)(total))
        scale = plan.scale
        total = np.where(scale < total, scale, total)
    index = _divide(np)(_frompy(np, CONTEXT.multiply, 2)(total, _HUNDRED), scale)
    decimals = methodology.decimals
    published = np.frompyfunc(lambda value: publish(value, decimals), 1, 1)
    published_total = published(total)
    published_index = published(index)
    rated = published_index if methodology.bands_on == "published" else index
    bands = np.frompyfunc(lambda value: _band_id(methodology, value), 1, 1)(rated)
    # A complete result reaches its total and has no part pending (a row with a part pending
    # was sent to the record engine above).
    cells: dict[str, Any] = {"total": published_total, "index": published_index, "band": bands, "exact_index": index, "reach": total, "pending": np.full(rows, None, dtype=object)}
    for field_node, field in zip(methodology.criteria, fields):
        cells[f"points_{field_node.id}"] = np.where(field.lapsed, None, field.points)

    # What the row is about.
    for key in ("unit", "name", "group"):
        if key in plain:
            codes, distinct = _factorize(pd, np, plain[key])
            texts = np.empty(len(distinct), dtype=object)
            texts[:] = [_text(cell) for cell in distinct]
            cells[key] = texts[codes]
        else:
            cells[key] = np.full(rows, None, dtype=object)
    if "period" in plain:
        codes, distinct = _factorize(pd, np, plain["period"])
        periods = np.empty(len(distinct), dtype=object)
        periods[:] = [_period(cell) for cell in distinct]
        fallback |= _marks(np, periods.tolist(), FAIL)[codes]
        cells["period"] = periods[codes]
    else:
        cells["period"] = np.full(rows, None, dtype=object)
    return _Scored(cells, fallback)


def _frompy(np: Any, function: Any, arity: int) -> Any:
    return np.frompyfunc(function, arity, 1)


def _failed(np: Any, column: _Column) -> Any:
    return _marks(np, column.values, FAIL)[column.codes]


def _with_markers(values: Any, lapsed: Any, failed: Any) -> Any:
    """Points with ``None`` where the node does not apply and :data:`FAIL` where it failed."""
    import numpy as np

    return np.where(failed, FAIL, np.where(lapsed, None, values))  # type: ignore[call-overload]  # object arrays: numpy's stubs type only numbers


def _band_id(methodology: Methodology, value: Decimal) -> str | None:
    band = methodology.band_for(value)
    return band.id if band is not None else None


def _text(cell: Any) -> str | None:
    """``unit``, ``name`` and ``group`` as a record gives them."""
    cell = _cell(cell)
    return None if cell is None or cell == "" else str(cell)


def _period(cell: Any) -> Any:
    cell = _cell(cell)
    if cell is None:
        return None
    try:
        return Record.from_mapping({"period": cell}).period
    except RecordError:
        return FAIL


# --------------------------------------------------------------------------- batches


#: The columns of a results table, as :func:`par_rules.formats.result_headers` names them.
def _headers(methodology: Methodology) -> list[str]:
    from ._tables import field_columns, result_headers

    return list(result_headers(field_columns([methodology])))


def _record(columns: Mapping[str, Any], position: int) -> dict[str, Any]:
    """Row ``position`` of the columns as the record a records file gives (folded, blanks left out)."""
    record: dict[str, Any] = {}
    for name, values in columns.items():
        cell = _cell(values.iloc[position] if hasattr(values, "iloc") else values[position])
        if cell is None:
            continue
        key = "period" if name.lower() in _PERIOD_NAMES else name
        prefix, dot, rest = key.partition(".")
        if dot and rest:
            holder = record.setdefault("self_assessed" if prefix == "self" else prefix, {})
            if isinstance(holder, dict):
                holder[rest] = cell
        else:
            record[key] = cell
    return record


def score_batch(
    methodology: Methodology, columns: Mapping[str, Any], rows: int, numbers: Sequence[int] | None = None, records: Sequence[Any] | None = None, state: _State | None = None
) -> Iterator[tuple[list[Any], RecordError | None]]:
    """Each row's cells (the columns of :func:`_headers`), or its error: the columns' scores, and
    the per-record engine's for the rows they refuse. ``numbers`` are the rows' numbers (in a
    file: its rows; by default 1, 2, 3...), as problems name them; ``records`` the rows as
    records, when the columns were made from them (else each refused row is made from the
    columns, as a records file would give it)."""
    scored = _score_columns(methodology, columns, rows, state)
    headers = _headers(methodology)
    cells = [scored.cells[name].tolist() for name in headers]
    refused = set(scored.fallback.nonzero()[0].tolist())
    for position, row in enumerate(zip(*cells)):
        if position not in refused:
            yield list(row), None
            continue
        number = numbers[position] if numbers is not None else position + 1
        record = records[position] if records is not None else _record(columns, position)
        (output,) = list(score_many(methodology, [(number, record)]))
        if isinstance(output, RecordError):  # what the row is about is kept, to say which unit it is
            yield [*(None if cell is FAIL else cell for cell in row[:4]), *[None] * (len(headers) - 4)], output
        else:
            yield _result_cells(output), None


def _result_cells(result: Result) -> list[Any]:
    record = result.record
    band = result.band
    fields = [result.points(node.id) for node in result.methodology.criteria]
    return [
        record.unit, record.name, record.group, record.period, result.published_total, result.published_index, band.id if band else None,
        result.index, result.reach, " ".join(result.pending) or None, *fields,
    ]


def score_table(methodology: Methodology | str | os.PathLike[str], table: Any) -> Any:
    """Score every row of ``table`` — a pandas DataFrame or a pyarrow Table in the wide layout of
    records files (``unit``, ``period``, an indicator per column, ``satisfaction.A``...) — and
    return a table of the same kind: one row per input row, in the input's order, with the
    columns of ``par-rules score --format csv`` (``unit``, ``name``, ``group``, ``period``,
    ``total``, ``index``, ``band``, ``exact_index``, ``points_<field>``) and ``problem``: empty,
    or why the row was refused (every problem, with its row: a DataFrame's integer index + 1,
    so that the default index numbers rows 1, 2, 3... and a partition of a larger frame keeps
    its rows' numbers; else the position, 1, 2, 3...).

    Numbers are exact ``Decimal`` values, the same to every digit as :func:`par_rules.score`
    gives (in a pyarrow Table, as their exact decimal text). A missing value is a blank cell,
    ``None``, ``NaN`` or ``NA``. ``methodology`` is a loaded methodology or a file.

    >>> import pandas as pd
    >>> from par_rules import load
    >>> m = load("example/par-index/district")
    >>> frame = pd.DataFrame({"unit": ["a", "b"], "plan_issued": ["on_time", "late"],
    ...     "plan_completion": ["95", "lots"], "reports_on_time": ["yes", "no"], "inspected_share": [1, 1],
    ...     "dossiers_on_time": [10, 10], "dossiers_total": [10, 10], "online_rate": [60, 60],
    ...     "violations": [0, 0], "e_gov_points": [16, 16], "satisfaction.A": [1, 1]})
    >>> scored = score_table(m, frame)
    >>> scored[["unit", "index", "band"]].values.tolist()
    [['a', Decimal('91.25'), 'A'], ['b', None, None]]
    >>> print(scored["problem"][1])
    row 2: indicator plan_completion: not a number: 'lots'
    """
    _modules()  # numpy, or the error that names the extra
    try:
        import pandas as pd
    except ImportError as error:
        raise ImportError(_("{message} ({error})").format(message=_(EXTRA_MESSAGE), error=error)) from None
    if not isinstance(methodology, Methodology):
        from ..engine._api import load

        methodology = load(methodology)
    arrow = type(table).__module__.startswith("pyarrow")
    numbers: list[int] | None = None
    if arrow:
        names = [str(name) for name in table.column_names]
        columns = {_clean(name): table.column(position).to_pylist() for position, name in enumerate(names)}
        rows = table.num_rows
    elif isinstance(table, pd.DataFrame):
        if not table.columns.is_unique:
            raise RecordError([Problem(_("column {columns} appears more than once").format(columns=", ".join(sorted({str(name) for name in table.columns[table.columns.duplicated()]}))))])
        columns = {_clean(str(name)): table[name] for name in table.columns}
        rows = len(table)
        if pd.api.types.is_integer_dtype(table.index.dtype):  # a partition keeps its rows' numbers
            numbers = [int(label) + 1 for label in table.index.tolist()]
    else:
        raise TypeError(_("score_table takes a pandas DataFrame or a pyarrow Table, not {type}").format(type=type(table).__name__))
    columns = {name: values for name, values in columns.items() if name}
    headers = _headers(methodology) + ["problem"]
    out: list[list[Any]] = [[] for _unused in headers]
    for cells, refusal in score_batch(methodology, columns, rows, numbers):
        for target, cell in zip(out, [*cells, None if refusal is None else _problem_text(refusal)]):
            target.append(cell)
    if arrow:
        import pyarrow as pa

        from ..formats._files import csv_text  # exact decimal text, as the CSV writes it

        return pa.table({
            name: pa.array([None if cell is None else (csv_text(cell) if isinstance(cell, Decimal) else cell) for cell in values], type=pa.int64() if name == "period" else pa.string())
            for name, values in zip(headers, out)
        })
    frame = pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in zip(headers, out)})
    frame.index = table.index
    return frame


def _problem_text(error: RecordError) -> str:
    return "\n".join(str(problem) for problem in error.problems)


class TableBatch:
    """The rows of a records file (as :func:`par_rules.read_records` yields them), scored by the
    columns a batch at a time: each row's result cells or its error, in the file's order."""

    def __init__(self, methodology: Methodology, batch: int | None = None) -> None:
        self.methodology = methodology
        self.batch = batch or BATCH

    def __call__(self, records: Iterable[Numbered]) -> Iterator[list[Any] | RecordError]:
        pending: list[Numbered] = []
        for item in records:
            pending.append(item)
            if len(pending) >= self.batch:
                yield from self._score(pending)
                pending = []
        if pending:
            yield from self._score(pending)

    def _score(self, items: list[Numbered]) -> Iterator[list[Any] | RecordError]:
        good = [(row, record) for row, record in items if isinstance(record, dict)]
        columns = _columns_of(good)
        outputs = iter(score_batch(self.methodology, columns, len(good), [row for row, _unused in good], [record for _unused, record in good]) if good else ())
        for row, record in items:
            if isinstance(record, RecordError):
                yield record
                continue
            if not isinstance(record, dict):  # a Record, or another mapping: the record engine
                (output,) = list(score_many(self.methodology, [(row, record)]))
                yield output if isinstance(output, RecordError) else _result_cells(output)
                continue
            cells, error = next(outputs)
            yield error if error is not None else cells


def _columns_of(records: Sequence[tuple[int, dict[str, Any]]]) -> dict[str, list[Any]]:
    """Records (folded by the reader) back into columns: ``satisfaction.A`` for survey answers,
    ``self.<node>`` for self-assessed points."""
    names: dict[str, None] = {}
    for _unused, record in records:
        for key, value in record.items():
            if isinstance(value, dict):
                prefix = "self" if key == "self_assessed" else key
                for option in value:
                    names.setdefault(f"{prefix}.{option}")
            else:
                names.setdefault(key)
    columns: dict[str, list[Any]] = {}
    for name in names:
        prefix, dot, rest = name.partition(".")
        if dot and rest:
            key = "self_assessed" if prefix == "self" else prefix
            columns[name] = [value.get(rest) if isinstance(value := record.get(key), dict) else None for _unused, record in records]
        else:
            columns[name] = [record.get(name) for _unused, record in records]
    return columns


def csv_outputs(methodology: Methodology, path: str | os.PathLike[str], batch: int | None = None) -> Iterator[tuple[int, list[Any] | RecordError]]:
    """Each row of a CSV records file, scored column by column ``batch`` rows at a time (so
    memory stays flat): ``(row, cells)`` with the cells of a results table (:func:`_headers`),
    or ``(row, RecordError)``; the file is read as :func:`par_rules.read_records` reads it
    (:func:`par_rules.formats.read_csv_rows`), in its order."""
    from ..formats._files import read_csv_rows

    batch = batch or BATCH
    names, rows = read_csv_rows(path)
    width = len(names)
    named = [(position, name) for position, name in enumerate(names) if name]
    pending: list[tuple[int, list[str] | RecordError]] = []
    state = _State()

    def flush() -> Iterator[tuple[int, list[Any] | RecordError]]:
        good = [(row, cells) for row, cells in pending if not isinstance(cells, RecordError)]
        outputs: Iterator[tuple[list[Any], RecordError | None]] = iter(())
        if good:
            padded = [cells if len(cells) == width else (cells + [""] * (width - len(cells)))[:width] for _unused, cells in good]
            by_position = list(zip(*padded))
            columns = {name: list(by_position[position]) for position, name in named}
            outputs = score_batch(methodology, columns, len(good), [row for row, _unused in good], state=state)
        for row, cells in pending:
            if isinstance(cells, RecordError):
                yield row, cells
            else:
                scored, error = next(outputs)
                yield row, (error if error is not None else scored)

    for item in rows:
        pending.append(item)
        if len(pending) >= batch:
            yield from flush()
            pending = []
    if pending:
        yield from flush()


def score_csv(methodology: Methodology | str | os.PathLike[str], source: str | os.PathLike[str], destination: str | os.PathLike[str]) -> list[RecordError]:
    """Score a CSV records file column by column, a batch at a time (memory stays flat however
    long the file), and write the results table to ``destination`` as ``par-rules score
    --format csv -o`` writes it (the same file, byte for byte, whole or not at all); return the
    errors of the rows that were refused (each names its row), which the file leaves out."""
    _modules()
    if not isinstance(methodology, Methodology):
        from ..engine._api import load

        methodology = load(methodology)
    from ..formats._files import csv_text, replace_atomically
    from ._tables import field_columns, write_csv_rows

    if os.path.exists(destination) and os.path.samefile(source, destination):
        raise ValueError(_("the output file {destination} is the input file: writing it would destroy it").format(destination=destination))
    errors: list[RecordError] = []

    def texts() -> Iterator[list[str]]:
        for _unused, output in csv_outputs(methodology, source):
            if isinstance(output, RecordError):
                errors.append(output)
            else:
                yield [csv_text(cell) for cell in (output[0] or output[1] or "", *output[1:])]

    with replace_atomically(destination, encoding="utf-8-sig") as handle:
        write_csv_rows(texts(), field_columns([methodology]), handle)
    return errors


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
