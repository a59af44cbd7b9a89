"""What ``par-rules check`` says beyond the loader's errors: warnings on what is valid but most
likely a mistake, and the checks of a methodology's tests file.

Warnings (each a :class:`~par_rules.Problem` with its file, line and column):

- a percentage written as a fraction, or a fraction as a percentage: band limits, a
  proportional rule's ``full_at`` and the constants a formula compares an indicator with, when
  they sit outside the indicator's range (``full_at: 100`` on a ratio, 0 to 1), at an edge where
  no value can reach (``above: 100`` on a percent), or all within 0 to 1 on a percent (band
  limits 0.8 and 0.5, ``full_at: 0.5``, ``online_rate >= 0.9``);
- a test case whose record's period is not among the years of the version it tests.

A tests file is checked against the methodology it tests: its file loads, every indicator of
its records is one the methodology declares, every node and band it expects exists.

>>> from par_rules.engine._registry import shipped_root
>>> from par_rules._i18n import use
>>> with use("en"):
...     check_methodology_file(shipped_root() / "example/par-index/district/2024.yaml")
([], [], 'example/par-index/district@2024, 14 leaves')
"""

from __future__ import annotations

import ast
import itertools
import os
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from .._places import SourceMap, did_you_mean
from ..engine._api import load
from ..engine._arithmetic import format_decimal as fmt
from ..engine._load import read_yaml_file
from ..engine._model import Indicator, Methodology
from ..errors import MethodologyError, Problem
from ._methodology_tests import load_tests, methodology_path
from .._i18n import gettext as _
from .._lazy import name_home

__all__ = ["check_methodology_file", "check_tests_file", "unit_warnings", "period_warning"]

_BOUNDS = ("at_least", "above", "at_most", "below")


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return str(path)


def check_methodology_file(path: str | os.PathLike[str]) -> tuple[list[Problem], list[Problem], str]:
    """The problems of a methodology file (it does not load), its warnings, and a summary."""
    path = Path(path)
    try:
        methodology = load(path)
    except MethodologyError as error:
        return list(error.problems), [], ""
    leaves = sum(1 for _unused in methodology.leaves())
    return [], unit_warnings(path, methodology), _("{id}@{version}, {leaves} leaves").format(id=methodology.id, version=methodology.version, leaves=leaves)


# --- a percentage as a fraction --------------------------------------------------------------


def unit_warnings(path: str | os.PathLike[str], methodology: Methodology) -> list[Problem]:
    """Warnings on limits, ``full_at`` and formula constants that look written in the other unit
    (percent or fraction), in the file's own text (the versions it extends have their own)."""
    data, where = read_yaml_file(Path(path), _display(Path(path)))
    found: list[Problem] = []
    for container in _dicts(data):
        rule = container.get("rule")
        if isinstance(rule, dict):
            found += _rule_warnings(rule, where, methodology)
        if isinstance(container.get("formula"), str) and "type" in container:  # a derived indicator
            found += _formula_warnings(container, where, methodology.indicators)
    found.sort(key=lambda p: (p.line or 0, p.column or 0))
    return found


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack += list(item.values())
        elif isinstance(item, list):
            stack += item


def _unit_text(indicator: Indicator) -> str:
    low = "" if indicator.range.low is None else fmt(indicator.range.low)
    high = "" if indicator.range.high is None else fmt(indicator.range.high)
    return f"'{indicator.id}' is a {indicator.type} ({low} to {high})"


def _judge(indicator: Indicator, value: Decimal, what: str, all_small: bool, kind: str | None = None) -> str | None:
    """What looks wrong about a value compared with the indicator (or nothing)."""
    interval = indicator.range
    if indicator.type == "ratio" and value > 1 and value <= 100:
        return _("{what} {fmt} is outside the range of {indicator}: a ratio is a fraction of 1; for {fmt}% write {fmt2}").format(
            what=what, fmt=fmt(value), indicator=_unit_text(indicator), fmt2=fmt(value / 100)
        )
    if (interval.low is not None and value < interval.low) or (interval.high is not None and value > interval.high):
        return _("{what} {fmt} is outside the range of {indicator}: no value can reach it").format(what=what, fmt=fmt(value), indicator=_unit_text(indicator))
    if (kind == "above" and value == interval.high) or (kind == "below" and value == interval.low):
        return _("{what} {fmt} is at the edge of the range of {indicator}: no value is {kind} it").format(what=what, fmt=fmt(value), indicator=_unit_text(indicator), kind=kind)
    if indicator.type == "percent" and all_small and 0 < value <= 1:
        return _("{what} {fmt} looks like a fraction, but {indicator}: {fmt} means {fmt}%; for {fmt2}% write {fmt2}").format(
            what=what, fmt=fmt(value), indicator=_unit_text(indicator), fmt2=fmt(value * 100)
        )
    return None


def _rule_warnings(rule: dict[str, Any], where: SourceMap, methodology: Methodology) -> list[Problem]:
    kind, indicator = rule.get("kind"), methodology.indicators.get(str(rule.get("indicator")))
    found: list[Problem] = []
    if kind == "expression" and isinstance(rule.get("formula"), str):
        return _formula_warnings(rule, where, methodology.indicators)
    if indicator is None or indicator.type not in ("percent", "ratio", "number", "count"):
        return []
    if kind == "bands" and isinstance(rule.get("bands"), list):
        limits = [(band, key, band[key]) for band in rule["bands"] if isinstance(band, dict) for key in _BOUNDS if isinstance(band.get(key), Decimal)]
        nonzero = [value for _band, _key, value in limits if value != 0]
        all_small = bool(nonzero) and all(0 < value <= 1 for value in nonzero) and any(value < 1 for value in nonzero)
        for band, key, value in limits:
            message = _judge(indicator, value, _("the band limit {key}:").format(key=key), all_small, key)
            if message:
                found.append(where.locate(band, key).problem(f"{message}", indicator=indicator.id))
    if kind == "proportional" and isinstance(rule.get("full_at"), Decimal):
        value = rule["full_at"]
        message = _judge(indicator, value, "full_at:", value <= 1)
        if message:
            found.append(where.locate(rule, "full_at").problem(f"{message}", indicator=indicator.id))
    return found


def _formula_warnings(container: dict[str, Any], where: SourceMap, indicators: Mapping[str, Indicator]) -> list[Problem]:
    """Constants a formula compares a percent or ratio indicator with (``online_rate >= 0.9``)."""
    text = container["formula"]
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return []  # the loader has said what is wrong with it
    found: list[Problem] = []
    place = where.locate(container, "formula")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for left, right in itertools.pairwise(operands):
            for name, constant in ((left, right), (right, left)):
                if not isinstance(name, ast.Name) or not isinstance(constant, ast.Constant):
                    continue
                indicator = indicators.get(name.id)
                if indicator is None or indicator.type not in ("percent", "ratio") or isinstance(constant.value, (bool, str)) or not isinstance(constant.value, (int, float)):
                    continue
                value = Decimal(text.strip()[_offset(text.strip(), constant) : _offset(text.strip(), constant, end=True)])
                message = _judge(indicator, value, _("the formula compares {id} with").format(id=name.id), 0 < value < 1)
                if message:
                    found.append(place.problem(_("{message} (at character {value} of the formula)").format(message=message, value=_offset(text.strip(), constant) + 1), indicator=indicator.id))
    return found


def _offset(text: str, node: ast.expr, end: bool = False) -> int:
    """The character offset of a node in a one-line formula (the first line's, for several)."""
    lines = text.splitlines(keepends=True)
    line = (node.end_lineno if end else node.lineno) or 1
    column = (node.end_col_offset if end else node.col_offset) or 0
    before = sum(len(part) for part in lines[: line - 1])
    return before + len(lines[line - 1].encode("utf-8")[:column].decode("utf-8", "replace")) if lines else column


# --- tests files ------------------------------------------------------------------------------


def period_warning(methodology: Methodology, period: object) -> str | None:
    """Why a record's period does not fit a version (its years do not include it), or nothing.

    >>> m = load("example/par-index/district", year=2024)
    >>> period_warning(m, 2024) is None, period_warning(m, 2025)
    (True, 'the period 2025 is not among the years of example/par-index/district@2024 (2024): the record is scored under a version not in force for it')
    """
    try:
        year = int(str(period))
    except ValueError:
        return None
    if year in methodology.years:
        return None
    years = ", ".join(str(y) for y in methodology.years)
    return _("the period {year} is not among the years of {id}@{version} ({years}): the record is scored under a version not in force for it").format(
        year=year, id=methodology.id, version=methodology.version, years=years
    )


def check_tests_file(path: str | os.PathLike[str]) -> tuple[list[Problem], list[Problem], str]:
    """The problems of a tests file (it does not read, its methodology does not load, a record
    names an indicator the methodology does not declare, an expectation a node or band it does
    not have), its warnings (periods outside the version's years), and a summary."""
    path = Path(path)
    try:
        suite = load_tests(path)
    except MethodologyError as error:
        return list(error.problems), [], ""
    target = methodology_path(path)
    if not target.is_file():
        return [Problem(_("a tests file tests the methodology beside it, and there is no {name}").format(name=target.name), file=_display(path), line=1, column=1)], [], ""
    try:
        methodology = load(target)
    except MethodologyError as error:
        return [Problem(_("the methodology it tests does not load: {problems}").format(problems=error.problems[0]), file=_display(path), line=1, column=1)], [], ""
    data, where = read_yaml_file(path, _display(path))
    raw_cases = [raw for raw in data.get("cases", []) if isinstance(raw, dict)]
    problems: list[Problem] = []
    warnings: list[Problem] = []
    node_ids = [node.id for node in methodology.nodes()]
    band_ids = [band.id for band in methodology.bands]
    names = [*methodology.indicators, "unit", "name", "period", "group", "year"]
    for case, raw in zip(suite.cases, raw_cases):
        given = raw.get("record")
        record: dict[str, Any] = given if isinstance(given, dict) else {}
        for key in record:
            if key not in names:
                problems.append(where.locate(record, key).problem(_("case {name!r}: {key!r} is no indicator of {id}@{version}{key2}").format(
                    name=case.name, key=key, id=methodology.id, version=methodology.version, key2=did_you_mean(key, names)
                )))
        for expectation in case.expectations:
            if expectation.is_node and expectation.target not in node_ids:
                problems.append(expectation.location.problem(_("case {name!r}: {id}@{version} has no node {target}{target2}").format(
                    name=case.name, id=methodology.id, version=methodology.version, target=expectation.target, target2=did_you_mean(expectation.target, node_ids)
                )))
            if expectation.target == "band" and expectation.value is not None and expectation.value not in band_ids:
                problems.append(expectation.location.problem(_("case {name!r}: {id}@{version} has no band {value!r}{did_you_mean} (bands: {band_ids})").format(
                    name=case.name, id=methodology.id, version=methodology.version, value=expectation.value,
                    did_you_mean=did_you_mean(expectation.value, band_ids), band_ids=', '.join(band_ids) or 'none',
                )))
        period = case.record.get("period")
        message = period_warning(methodology, period) if period is not None else None
        if message:
            place = where.locate(record, "period") if "period" in record else case.location
            warnings.append(place.problem(_("case {name!r}: {message}").format(name=case.name, message=message)))
    return problems, warnings, _("{cases} case(s) for {id}@{version}").format(cases=len(suite.cases), id=methodology.id, version=methodology.version)


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
