"""Methodology tests: named cases beside a methodology, each a record and the points it must get.

A methodology ``<id>/<version>.yaml`` keeps its tests in ``<id>/<version>.tests.yaml``::

    tolerance: 0                 # optional default for every case (points; default 0: exact)
    cases:
      - name: Điện Biên 2020 self-assessment
        note: where the figures come from
        tolerance: 0.01          # optional, this case only
        record: {unit: dien-bien, period: 2020, field_1_points: 7, ...}
        expect:
          total: 91.30           # exact total points (also: index, published_total,
          band: A                #   published_index; band: an id, or null for none)
          nodes:                 # any node: a field, a criterion or a leaf
            "1": 7
            "1.2.2": null        # null: the node must not apply
      - name: Bình Định 2019 self-assessment, before the survey
        record: {unit: binh-dinh, period: 2019, field_1_points: 7, ...}
        parts: [appraisal]       # optional: score only these nodes, the rest pending
        expect:
          total: 59.69           # a partial result: the points so far
          reach: 94.69           # the most the total can still reach
          pending: [survey]      # the nodes not in yet ([]: the result is complete)
          index: null            # a partial result has no index (null) and no band
      - name: a value above the cap is refused
        record: {...}
        error: outside 0 to 7    # the record must be refused with this text in the error
      - name: the same unit without its plan
        base: Điện Biên 2020 self-assessment   # start from an earlier case's record...
        record: {plan_issued: false}           # ...and change (or add) these values
        expect: {total: 89.30}
      - name: a row of a records file
        from: {file: records.csv, unit: dien-bien}   # or row: 3 (the header is row 1)
        record: {online_rate: 80}                    # overrides, as with base
        expect: {total: 92}

A record given by ``base`` or ``from`` may set a value to ``null`` to leave it out. A records
file is a CSV file beside the tests file (or in a folder below it), its cells read as text, as
``par-rules score`` reads them.

Numbers are read as in a methodology and held to the same limits (finite, below 10^15 in size,
at most 10 decimals), each refused at its line and column.

A case fails when a number differs from the expected one by more than the tolerance, when the
band differs, when the record is refused (or accepted) against expectation; each failure names
the case, the node (or total), the expected and the actual value, and the line of the
expectation. A broken test file raises :class:`~par_rules.MethodologyError` with every problem.

>>> path = shipped_root() / "vn/ttg/service-index/2024.tests.yaml"
>>> suite = load_tests(path)
>>> [outcome.passed for outcome in run_tests(suite)][:2]
[True, True]
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..engine._api import score
from ..engine._arithmetic import format_decimal, format_short, in_context, publish
from ..errors import MethodologyError, MethodologyNotFound, Problem, RecordError
from .._places import Location, SourceMap, did_you_mean
from ..engine._load import read_yaml_file
from ..engine._model import Methodology
from ..engine._registry import TESTS_SUFFIX, Roots, load_file, shipped_root
from ..engine._validate import check_numbers
from .._i18n import LANGUAGES, gettext as _, language, use
from .._lazy import name_home

__all__ = [
    "Expectation",
    "MethodologyCase",
    "MethodologyTests",
    "Failure",
    "CaseOutcome",
    "load_tests",
    "run_case",
    "run_tests",
    "find_test_files",
    "methodology_path",
]

_TOTALS = ("total", "index", "published_total", "published_index", "reach")
_NO_INDEX = ("index", "published_index")  # null: a partial result, which has none
_FILE_KEYS = frozenset({"tolerance", "cases"})
_CASE_KEYS = frozenset({"name", "note", "record", "parts", "tolerance", "expect", "error", "base", "from"})
_EXPECT_KEYS = frozenset({*_TOTALS, "band", "nodes", "pending"})


@dataclass(frozen=True)
class Expectation:
    """One expected value: ``target`` is a total (``total``, ``index``...), ``band`` or a node id.

    ``value`` is points (``None``: the node must not apply, or is pending; for ``index``: the
    result is partial), for ``band`` a band id (``None``: no band), for ``pending`` the ids of
    the nodes not in yet."""

    target: str
    value: Decimal | str | tuple[str, ...] | None
    location: Location

    @property
    def is_node(self) -> bool:
        return self.target not in _TOTALS and self.target not in ("band", "pending")


@dataclass(frozen=True)
class MethodologyCase:
    """A named record and what scoring it must give (or the error it must raise)."""

    name: str
    record: Mapping[str, Any]
    expectations: tuple[Expectation, ...]
    tolerance: Decimal
    error: str | None
    location: Location
    note: str | None = None
    parts: tuple[str, ...] | None = None


@dataclass(frozen=True)
class MethodologyTests:
    """The test cases of one methodology file."""

    path: Path
    methodology: Path
    cases: tuple[MethodologyCase, ...]


@dataclass(frozen=True)
class Failure:
    """One expectation a case did not meet."""

    case: str
    target: str
    expected: str
    actual: str
    location: Location
    tolerance: Decimal = Decimal(0)

    def __str__(self) -> str:
        place = self.location.problem("").where
        what = self.target if self.target in (*_TOTALS, "band", "error", "pending", "parts") else f"node {self.target}"
        within = f" (tolerance {format_decimal(self.tolerance)})" if self.tolerance else ""
        return f"{place}: case {self.case!r}: {what}: expected {self.expected}, got {self.actual}{within}"


@dataclass(frozen=True)
class CaseOutcome:
    """The result of running one case."""

    case: MethodologyCase
    failures: tuple[Failure, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def methodology_path(tests_path: str | Path) -> Path:
    """The methodology a tests file belongs to: ``2020.tests.yaml`` → ``2020.yaml`` beside it.

    >>> methodology_path("methodologies/x/2020.tests.yaml").name
    '2020.yaml'
    """
    path = Path(tests_path)
    if not path.name.endswith(TESTS_SUFFIX):
        raise ValueError(_("{path}: a tests file is named <version>{TESTS_SUFFIX}").format(path=path, TESTS_SUFFIX=TESTS_SUFFIX))
    return path.with_name(path.name[: -len(TESTS_SUFFIX)] + ".yaml")


def find_test_files(paths: Iterable[str | Path] = ()) -> list[Path]:
    """Every ``*.tests.yaml`` file named or found under the folders named (default: the shipped
    methodologies), sorted."""
    found: set[Path] = set()
    for name in list(paths) or [shipped_root()]:
        path = Path(name)
        if path.is_dir():
            found.update(path.rglob(f"*{TESTS_SUFFIX}"))
        elif path.name.endswith(TESTS_SUFFIX):
            found.add(path)
        elif path.suffix == ".yaml" and path.with_name(path.stem + TESTS_SUFFIX).is_file():
            found.add(path.with_name(path.stem + TESTS_SUFFIX))
        else:
            raise MethodologyNotFound(_("{path}: not a folder, a methodology with tests or a {TESTS_SUFFIX} file").format(path=path, TESTS_SUFFIX=TESTS_SUFFIX))
    return sorted(found)


def load_tests(path: str | Path) -> MethodologyTests:
    """Read and check a tests file; one MethodologyError lists every problem in it."""
    path = Path(path)
    data, where = read_yaml_file(path)
    problems: list[Problem] = []
    top = where.locate(data)
    if not isinstance(data, dict):
        raise MethodologyError([top.problem(_("a tests file is a mapping with a 'cases' list"))])
    _unknown_keys(data, _FILE_KEYS, where, problems)
    # Every number (tolerances, expectations, record values) within the limits of a methodology's
    # numbers: a NaN or 1.0e+999999999 would otherwise stop the comparison with a raw error.
    numbers = check_numbers(data, where)
    if numbers:
        raise MethodologyError(numbers)
    default = _tolerance(data, where, problems, Decimal(0))
    raw_cases = data.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        problems.append(where.locate(data, "cases").problem(_("'cases' must be a non-empty list")))
        raw_cases = []
    cases = []
    names: dict[str, MethodologyCase] = {}
    for raw in raw_cases:
        case = _case(raw, where, problems, default)
        if case is None:
            continue
        case = _with_start(case, raw, where, problems, names, path)
        if case.name in names:
            problems.append(case.location.problem(_("two cases are named {name!r}").format(name=case.name)))
        names[case.name] = case
        cases.append(case)
    if problems:
        raise MethodologyError(problems)
    return MethodologyTests(path, methodology_path(path), tuple(cases))


def _with_start(case: MethodologyCase, raw: dict[str, Any], where: SourceMap, problems: list[Problem], earlier: Mapping[str, MethodologyCase], path: Path) -> MethodologyCase:
    """A case whose record starts from an earlier case (``base``) or a records file's row
    (``from``), with its own ``record`` values laid over it (``null`` leaves a value out)."""
    if "base" in raw and "from" in raw:
        problems.append(where.locate(raw, "from").problem(_("case {name!r}: give 'base' or 'from', not both").format(name=case.name)))
        return case
    start: Mapping[str, Any] | None = None
    if "base" in raw:
        base = raw["base"]
        if not isinstance(base, str) or base not in earlier:
            known = list(earlier)
            hint = did_you_mean(str(base), known) or (_(" (earlier cases: {join})").format(join=', '.join(repr(name) for name in known)) if known else _(" (there is no earlier case)"))
            problems.append(where.locate(raw, "base").problem(_("case {name!r}: base {base!r} is not the name of an earlier case{hint}").format(name=case.name, base=base, hint=hint)))
            return case
        start = earlier[base].record
    elif "from" in raw:
        start = _row_of(raw["from"], where.locate(raw, "from"), path, problems, case.name)
        if start is None:
            return case
    if start is None:
        return case
    record = {**start, **case.record}
    record = {key: value for key, value in record.items() if value is not None}
    return replace(case, record=record)


def _row_of(spec: Any, place: Location, path: Path, problems: list[Problem], name: str) -> dict[str, Any] | None:
    """The record of one row of a CSV records file: ``{file: F, row: N}`` or ``{file: F, unit: U}``."""
    if not isinstance(spec, dict) or not isinstance(spec.get("file"), str) or (("row" in spec) == ("unit" in spec)) or set(spec) - {"file", "row", "unit"}:
        problems.append(place.problem(_("case {name!r}: 'from' is {{file: records.csv, row: N}} or {{file: records.csv, unit: UNIT}}").format(name=name)))
        return None
    source = path.parent / spec["file"]
    if Path(spec["file"]).is_absolute() or not source.resolve().is_relative_to(path.parent.resolve()):
        problems.append(place.problem(_("case {name!r}: the records file {spec!r} must be beside the tests file or in a folder below it").format(name=name, spec=spec['file'])))
        return None
    try:
        with open(source, encoding="utf-8-sig", newline="") as stream:
            rows = list(csv.reader(stream))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        problems.append(place.problem(_("case {name!r}: cannot read {spec}: {error}").format(name=name, spec=spec['file'], error=error)))
        return None
    if not rows:
        problems.append(place.problem(_("case {name!r}: {spec} is empty").format(name=name, spec=spec['file'])))
        return None
    header = [column.strip() for column in rows[0]]
    records = {number: dict(zip(header, row)) for number, row in enumerate(rows[1:], start=2) if any(cell.strip() for cell in row)}
    if "row" in spec:
        row = spec["row"]
        chosen = records.get(int(row)) if isinstance(row, (int, Decimal)) and not isinstance(row, bool) and row == int(row) else None
        if chosen is None:
            problems.append(place.problem(_("case {name!r}: {spec} has no row {spec2} (rows {records} to {records2}; the header is row 1)").format(
                name=name, spec=spec['file'], spec2=spec['row'], records=min(records, default=2), records2=max(records, default=1)
            )))
            return None
    else:
        matches = [record for record in records.values() if record.get("unit", "").strip() == str(spec["unit"])]
        if len(matches) != 1:
            units = [record.get("unit", "").strip() for record in records.values()]
            hint = did_you_mean(str(spec["unit"]), units)
            what = _("no row") if not matches else f"{len(matches)} rows"
            problems.append(place.problem(_("case {name!r}: {spec} has {what} of unit {spec2!r}{hint}").format(name=name, spec=spec['file'], what=what, spec2=spec['unit'], hint=hint)))
            return None
        chosen = matches[0]
    return {key: value.strip() for key, value in chosen.items() if key and value is not None and value.strip() != ""}


def _unknown_keys(data: Mapping[str, Any], allowed: frozenset[str], where: SourceMap, problems: list[Problem]) -> None:
    for key in data:
        if key not in allowed:
            problems.append(where.locate(data, key).problem(_("unknown key {key!r} (allowed: {allowed})").format(key=key, allowed=', '.join(sorted(allowed)))))


def _tolerance(data: Mapping[str, Any], where: SourceMap, problems: list[Problem], default: Decimal) -> Decimal:
    value = data.get("tolerance", default)
    if not isinstance(value, Decimal) or value < 0:
        problems.append(where.locate(data, "tolerance").problem(_("tolerance must be a number of points, 0 or more")))
        return default
    return value


def _case(raw: Any, where: SourceMap, problems: list[Problem], default: Decimal) -> MethodologyCase | None:
    location = where.locate(raw)
    if not isinstance(raw, dict):
        problems.append(location.problem(_("a case is a mapping with 'name', 'record' and 'expect' or 'error'")))
        return None
    _unknown_keys(raw, _CASE_KEYS, where, problems)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(location.problem(_("a case needs a 'name'")))
        name = f"line {location.line}"
    record = raw.get("record", {} if "base" in raw or "from" in raw else None)
    if not isinstance(record, dict):
        problems.append(where.locate(raw, "record").problem(_("case {name!r}: 'record' must be a mapping of indicator ids to values").format(name=name)))
        record = {}
    error = raw.get("error")
    if ("expect" in raw) == ("error" in raw):
        problems.append(location.problem(_("case {name!r}: give either 'expect' or 'error'").format(name=name)))
    if error is not None and not isinstance(error, str):
        problems.append(where.locate(raw, "error").problem(_("case {name!r}: 'error' is a text the error message must contain").format(name=name)))
        error = None
    expectations = _expectations(raw.get("expect", {}), where.locate(raw, "expect"), where, problems, name)
    if "expect" in raw and isinstance(raw["expect"], dict) and not expectations:
        problems.append(where.locate(raw, "expect").problem(_("case {name!r}: 'expect' names nothing to check").format(name=name)))
    note = raw.get("note")
    parts = raw.get("parts")
    if parts is not None and (not isinstance(parts, list) or not parts or not all(isinstance(part, (str, Decimal)) for part in parts)):
        problems.append(where.locate(raw, "parts").problem(_("case {name!r}: 'parts' must be a list of node ids").format(name=name)))
        parts = None
    chosen = None if parts is None else tuple(format_decimal(part) if isinstance(part, Decimal) else part for part in parts)
    return MethodologyCase(name, record, expectations, _tolerance(raw, where, problems, default), error, location, note if isinstance(note, str) else None, chosen)


def _expectations(expect: Any, place: Location, where: SourceMap, problems: list[Problem], name: str) -> tuple[Expectation, ...]:
    if not isinstance(expect, dict):
        problems.append(place.problem(_("case {name!r}: 'expect' must be a mapping").format(name=name)))
        return ()
    _unknown_keys(expect, _EXPECT_KEYS, where, problems)
    found = []
    for target in _TOTALS:
        if target in expect:
            value = expect[target]
            if not isinstance(value, Decimal) and not (value is None and target in _NO_INDEX):
                problems.append(where.locate(expect, target).problem(_("case {name!r}: {target} must be a number").format(
                    name=name, target=target
                ) + (_(" or null (a partial result)") if target in _NO_INDEX else "")))
                continue
            found.append(Expectation(target, value, where.locate(expect, target)))
    if "pending" in expect:
        pending = expect["pending"]
        if not isinstance(pending, list) or not all(isinstance(item, (str, Decimal)) for item in pending):
            problems.append(where.locate(expect, "pending").problem(_("case {name!r}: pending must be a list of node ids ([]: complete)").format(name=name)))
        else:
            ids = tuple(sorted(format_decimal(item) if isinstance(item, Decimal) else item for item in pending))
            found.append(Expectation("pending", ids, where.locate(expect, "pending")))
    if "band" in expect:
        band = expect["band"]
        if band is not None and not isinstance(band, str):
            problems.append(where.locate(expect, "band").problem(_("case {name!r}: band must be a band id or null").format(name=name)))
        else:
            found.append(Expectation("band", band, where.locate(expect, "band")))
    nodes = expect.get("nodes", {})
    if not isinstance(nodes, dict):
        problems.append(where.locate(expect, "nodes").problem(_("case {name!r}: 'nodes' must map node ids to points").format(name=name)))
        nodes = {}
    for node_id, value in nodes.items():
        if value is not None and not isinstance(value, Decimal):
            problems.append(where.locate(nodes, node_id).problem(_("case {name!r}: node {node_id}: expected points must be a number or null").format(name=name, node_id=node_id)))
            continue
        found.append(Expectation(str(node_id), value, where.locate(nodes, node_id)))
    return tuple(found)


def _text(value: Decimal | str | tuple[str, ...] | None, decimals: int | None = None) -> str:
    """A value as a failure shows it: points rounded to the methodology's decimals (with "≈"
    where rounding changed them), a band id, a list of parts, or "none"."""
    if value is None:
        return "none"
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    if not isinstance(value, Decimal):
        return value
    return format_decimal(value) if decimals is None else format_short(value, decimals)


@in_context  # the tolerance check subtracts: in par_rules' context, not the caller's
def _refused_saying(methodology: Methodology, case: MethodologyCase) -> bool:
    """Whether the record's refusal says the case's ``error`` text in another language: a tests
    file is written in one language (the shipped ones in English) and run in the reader's."""
    for lang in LANGUAGES:
        if lang == language():
            continue
        with use(lang):
            try:
                score(methodology, case.record, parts=case.parts)
            except RecordError as error:
                if case.error is not None and case.error in str(error):
                    return True
    return False


def run_case(methodology: Methodology, case: MethodologyCase) -> CaseOutcome:
    """Score the case's record and compare every expectation; never raises for a failed case."""

    def failed(target: str, expected: str, actual: str, location: Location, tolerance: Decimal = Decimal(0)) -> CaseOutcome:
        return CaseOutcome(case, (Failure(case.name, target, expected, actual, location, tolerance),))

    try:
        result = score(methodology, case.record, parts=case.parts)
    except MethodologyNotFound as error:  # a part that is no node
        return failed("parts", _("parts that are nodes"), str(error), case.location)
    except RecordError as error:
        if case.error is not None and (case.error in str(error) or _refused_saying(methodology, case)):
            return CaseOutcome(case, ())
        expected = _("an error containing {error!r}").format(error=case.error) if case.error is not None else "a score"
        return failed("error", expected, _("the record was refused: {join}").format(join='; '.join(str(p) for p in error.problems)), case.location)
    if case.error is not None:
        return failed("error", _("an error containing {error!r}").format(error=case.error), _("a score of {total}").format(total=_text(result.total, methodology.decimals)), case.location)
    failures = []
    for expectation in case.expectations:
        actual: Decimal | str | None
        if expectation.target == "band":
            actual = result.band.id if result.band else None
            if actual != expectation.value:
                failures.append(Failure(case.name, "band", _text(expectation.value), _text(actual), expectation.location))
            continue
        if expectation.target == "pending":
            pending = tuple(sorted(result.pending))
            if pending != expectation.value:
                failures.append(Failure(case.name, "pending", _text(expectation.value), _text(pending), expectation.location))
            continue
        if expectation.is_node:
            try:
                actual = result.points(expectation.target)
            except MethodologyNotFound:
                failures.append(Failure(case.name, expectation.target, _text(expectation.value), _("no such node in the methodology"), expectation.location))
                continue
        else:
            actual = getattr(result, expectation.target)
        if not _close(actual, expectation.value, case.tolerance):
            shown = _text(actual, _decimals(actual, expectation.value, methodology.decimals))
            failures.append(Failure(case.name, expectation.target, _text(expectation.value), shown, expectation.location, case.tolerance))
    return CaseOutcome(case, tuple(failures))


def _decimals(actual: Decimal | str | tuple[str, ...] | None, expected: Decimal | str | tuple[str, ...] | None, decimals: int) -> int:
    """The methodology's decimals (or the expected value's, if more), or more where rounding to
    them would hide the difference."""
    if not isinstance(actual, Decimal) or not isinstance(expected, Decimal):
        return decimals
    exponent = expected.as_tuple().exponent
    decimals = min(10, max(decimals, -exponent if isinstance(exponent, int) else 0))
    while decimals < 10 and publish(actual, decimals) == expected != actual:
        decimals += 1
    return decimals


def _close(actual: Decimal | str | tuple[str, ...] | None, expected: Decimal | str | tuple[str, ...] | None, tolerance: Decimal) -> bool:
    if actual is None or expected is None:
        return actual is expected
    assert isinstance(actual, Decimal) and isinstance(expected, Decimal)
    return abs(actual - expected) <= tolerance


def run_tests(tests: MethodologyTests, root: Roots = None) -> list[CaseOutcome]:
    """Run every case of a tests file against its methodology (the versions it extends looked
    for beside it, then in ``root``, ``PAR_RULES_PATH`` and the shipped tree)."""
    methodology = load_file(tests.methodology, root)
    return [run_case(methodology, case) for case in tests.cases]


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
