"""Hypothesis strategies for property-testing methodologies and the records scored against them.

This module needs `hypothesis <https://hypothesis.readthedocs.io>`_ (``pip install
"par-rules[test]"``); ``import par_rules`` alone never imports it.

- :func:`records` draws records that fit a methodology: every kind of value the catalogue
  accepts, with boundary values (zero, the ends of each range, every band threshold and the
  values just beside it), and missing values wherever the missing policy allows them;
- :func:`methodology_data`, :func:`methodology_texts` and :func:`methodologies` draw arbitrary
  valid methodologies: random depth and width, caps that add up, every rule kind, derived
  indicators, weighted means, every missing policy; wider and deeper trees, longer band tables
  and chains of derived indicators on request;
- :func:`extends_chains` draws a methodology together with a two-file ``extends`` chain that must
  come out the same;
- :func:`load_text` loads a methodology from its text, without a file.

An author property-tests their own methodology in a few lines::

    from hypothesis import given
    import par_rules
    from par_rules.testing import records

    METHODOLOGY = par_rules.load("vn/moha/par-index/province", year=2023)

    @given(records(METHODOLOGY))
    def test_index_within_bounds(record):
        result = par_rules.score(METHODOLOGY, record)
        assert 0 <= result.index <= 100

>>> from hypothesis import find
>>> sorted(find(records(load_text(SMALL)), lambda record: True))  # "done" is never missing
['done']
"""

from __future__ import annotations

import itertools

import copy
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from ..engine._compile import compile_methodology
from ._dump import to_yaml
from ..errors import MethodologyError
from ..engine._load import read_yaml
from ..engine._model import Indicator, Methodology
from ..engine._validate import check_schema
from .._i18n import gettext as _
from .._lazy import name_home

__all__ = ["records", "methodology_data", "methodology_texts", "methodologies", "extends_chains", "load_text"]

#: A tiny methodology, for examples.
SMALL = """\
format: 1
id: demo/index
version: "1"
years: [2024]
title: Demo
issuer: Demo
level: district
scale: 10
status: illustrative
indicators:
  done: {label: Done, type: percent}
criteria:
  - {id: "1", label: Done, max: 10, rule: {kind: proportional, indicator: done}}
"""

_RULE_KINDS = ("bands", "levels", "boolean", "proportional", "direct", "deduction", "bonus", "survey", "expression", "derived")
_POLICIES = ("error", "zero", "full", "not_applicable", "pending")
_D = Decimal


def load_text(text: str, name: str = "<generated>") -> Methodology:
    """Load, check and compile a methodology from its YAML text (no ``extends``: that needs files).

    >>> load_text(SMALL).id
    'demo/index'
    """
    data, where = read_yaml(text, name)
    problems = check_schema(data, where)
    if problems:
        raise MethodologyError(problems)
    if "extends" in data:
        raise MethodologyError([where.locate(data, "extends").problem(_("load_text cannot follow 'extends': load the file"))])
    return compile_methodology(data, where, name)


# ---------------------------------------------------------------- records


def records(methodology: Methodology, *, allow_missing: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """Records that fit ``methodology``: values of the right type within range, drawn towards
    the boundaries (range ends, zero, band thresholds and their neighbours). An indicator is
    left out (or given as ``None`` or ``""``) only where its missing policy allows it and
    ``allow_missing`` is true. Derived indicators are never given."""
    required = _required(methodology)
    thresholds = _thresholds(methodology)
    direct_caps = _direct_caps(methodology)
    fields = {}
    for key, indicator in methodology.indicators.items():
        if indicator.derived:
            continue
        value = _values(indicator, thresholds.get(key, ()), direct_caps.get(key))
        if allow_missing and key not in required:
            value = st.one_of(value, st.sampled_from([_ABSENT, None, ""]))
        fields[key] = value
    return st.fixed_dictionaries(fields).map(lambda record: {k: v for k, v in record.items() if v is not _ABSENT})


_ABSENT = object()


def _required(methodology: Methodology) -> set[str]:
    """Indicators a record must give: missing policy error, or the inputs of a derived indicator
    whose policy is error."""
    required = {key for key, ind in methodology.indicators.items() if ind.missing == "error"}
    pending = [key for key in required if methodology.indicators[key].derived]
    while pending:
        formula = methodology.indicators[pending.pop()].formula
        for name in formula.names if formula else ():
            if name not in required:
                required.add(name)
                pending.append(name)
    return required


def _thresholds(methodology: Methodology) -> dict[str, list[Decimal]]:
    found: dict[str, list[Decimal]] = {}
    for node in methodology.leaves():
        thresholds = node.rule.thresholds() if node.rule is not None else ()
        if thresholds and node.rule is not None and node.rule.indicator is not None:
            found.setdefault(node.rule.indicator, []).extend(thresholds)
    return found


def _direct_caps(methodology: Methodology) -> dict[str, Decimal]:
    """The smallest cap of the direct rules on each indicator: the points a record may give."""
    caps: dict[str, Decimal] = {}
    for node in methodology.leaves():
        limit = node.rule.record_limit(node.max) if node.rule is not None else None
        if limit is not None and node.rule is not None and node.rule.indicator is not None:
            caps[node.rule.indicator] = min(limit, caps.get(node.rule.indicator, limit))
    return caps


def _values(indicator: Indicator, thresholds: tuple[Decimal, ...] | list[Decimal], direct_cap: Decimal | None = None) -> st.SearchStrategy[Any]:
    kind = indicator.type
    if kind == "boolean":
        return st.sampled_from([True, False, "có", "không", "yes", "no", 1, 0])
    if kind == "level":
        return st.sampled_from(sorted(indicator.levels))
    if kind == "answers":
        counts = st.fixed_dictionaries({option: st.integers(0, 1000) for option in indicator.options})
        return counts.filter(lambda answers: sum(answers.values()) > 0)
    low, high = indicator.range.low, indicator.range.high
    whole = kind == "count"
    low = low if low is not None else -(_D(10) ** 6)
    high = high if high is not None else _D(10) ** 6
    if direct_cap is not None:  # points given directly lie within [0, cap]
        low, high = max(low, _D(0)), min(high, direct_cap)
    step = _D(1) if whole else _D("0.01")
    special = {low, high, _D(0)}
    for threshold in thresholds:
        special.update({threshold, threshold - step, threshold + step})
    chosen = sorted(v for v in special if low <= v <= high and (not whole or v == v.to_integral_value()))
    steps = int((high - low) / step)
    anywhere = st.integers(0, steps).map(lambda n: low + n * step)
    number = st.one_of(st.sampled_from(chosen), anywhere)
    return number.flatmap(lambda v: st.sampled_from(_spellings(v, whole)))


def _spellings(value: Decimal, whole: bool) -> list[Any]:
    """The ways a spreadsheet may give the same number."""
    ways: list[Any] = [value, str(value)]
    if whole or value == value.to_integral_value():
        ways.append(int(value))
    return ways


# ---------------------------------------------------------------- methodologies


@st.composite
def methodology_data(draw: st.DrawFn, max_depth: int = 3, max_width: int = 4, max_bands: int = 4, max_chain: int = 0) -> dict[str, Any]:
    """Plain data (numbers as Decimals) of an arbitrary valid methodology: a tree at most
    ``max_depth`` deep, parents of at most ``max_width`` children, band tables of at most
    ``max_bands`` + 1 bands, and derived indicators computed from chains of at most
    ``max_chain`` derived indicators."""
    scale = draw(st.sampled_from([_D(100), _D(10), _D(1000), _D("33.25")]))
    unit = draw(st.sampled_from([u for u in (_D(1), _D("0.25"), _D("0.01")) if scale % u == 0]))
    builder = _TreeBuilder(draw, unit, max_depth, max_width, max_bands, max_chain)
    fields = builder.split(int(scale / unit), draw(st.integers(1, max_width)))
    criteria = [builder.node(str(position + 1), units, 1) for position, units in enumerate(fields)]
    bands = [{"id": "A", "at_least": _D(90)}, {"id": "B", "at_least": _D(70), "below": _D(90)}, {"id": "C", "below": _D(70)}]
    return {
        "format": 1,
        "id": "generated/index",
        "version": "1",
        "years": [2024],
        "title": draw(st.sampled_from(["Chỉ số cải cách hành chính", "Index", "Chỉ số 𝔸 ‮ thử"])),
        "issuer": "par_rules.testing",
        "level": "district",
        "scale": scale,
        "status": "illustrative",
        "rounding": {"decimals": draw(st.integers(0, 6)), "bands_on": draw(st.sampled_from(["published", "exact"]))},
        "bands": bands,
        "indicators": builder.indicators,
        "criteria": criteria,
    }


def methodology_texts(max_depth: int = 3, max_width: int = 4, max_bands: int = 4, max_chain: int = 0) -> st.SearchStrategy[str]:
    """The YAML text of an arbitrary valid methodology (:func:`methodology_data`)."""
    return methodology_data(max_depth, max_width, max_bands, max_chain).map(to_yaml)


def methodologies(max_depth: int = 3, max_width: int = 4, max_bands: int = 4, max_chain: int = 0) -> st.SearchStrategy[Methodology]:
    """Arbitrary valid methodologies, loaded (:func:`methodology_data`)."""
    return methodology_texts(max_depth, max_width, max_bands, max_chain).map(load_text)


@st.composite
def extends_chains(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """``(flat, parent, child)``: a methodology's data, and a parent version 1 with a child
    version 2 that ``extends`` it and whose ``changes`` turn it back into ``flat`` (a leaf's label
    and rule updated, an indicator removed, a field removed and added again). Write parent and
    child as ``1.yaml`` and ``2.yaml`` in one folder; the child then loads equal to ``flat``."""
    flat = draw(methodology_data())
    flat["version"] = "2"
    parent = copy.deepcopy(flat)
    parent["version"] = "1"
    leaves = [node for node in _walk(parent["criteria"]) if "rule" in node]
    leaf = draw(st.sampled_from(leaves))
    original = {"label": leaf["label"], "rule": copy.deepcopy(leaf["rule"])}
    leaf["label"] = leaf["label"] + " (old)"
    leaf["rule"] = {"kind": "boolean", "indicator": "ext_old_flag"}
    parent["indicators"]["ext_old_flag"] = {"label": "Old flag", "type": "boolean", "missing": "zero"}
    changes: list[dict[str, Any]] = [
        {"op": "update", "node": leaf["id"], "set": original},
        {"op": "remove_indicator", "indicator": "ext_old_flag"},
    ]
    if len(flat["criteria"]) > 1:
        position = draw(st.integers(1, len(flat["criteria"]) - 1))
        node = flat["criteria"][position]
        changes += [
            {"op": "remove", "node": node["id"]},
            {"op": "add", "after": flat["criteria"][position - 1]["id"], "node": copy.deepcopy(node)},
        ]
    child = {"format": 1, "id": flat["id"], "version": "2", "years": [2025], "extends": {"version": "1"}, "changes": changes}
    flat["years"] = [2025]
    return flat, parent, child


def _walk(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(reversed(node.get("children", [])))
    return found


class _TreeBuilder:
    """Draws a tree whose caps add up, and the indicators its rules need."""

    def __init__(self, draw: st.DrawFn, unit: Decimal, max_depth: int, max_width: int, max_bands: int, max_chain: int) -> None:
        self.draw = draw
        self.unit = unit
        self.max_depth = max_depth
        self.max_width = max_width
        self.max_bands = max_bands
        self.max_chain = max_chain
        self.indicators: dict[str, dict[str, Any]] = {}

    def split(self, units: int, parts: int) -> list[int]:
        """``units`` split into at most ``parts`` positive whole parts."""
        parts = max(1, min(parts, units))
        cuts = self.draw(st.lists(st.integers(1, units - 1), min_size=parts - 1, max_size=parts - 1, unique=True)) if parts > 1 else []
        edges = [0, *sorted(cuts), units]
        return [b - a for a, b in itertools.pairwise(edges)]

    def node(self, node_id: str, units: int, depth: int) -> dict[str, Any]:
        cap = units * self.unit
        node: dict[str, Any] = {"id": node_id, "label": f"Tiêu chí {node_id}", "max": cap}
        if self.draw(st.booleans()):
            node["source"] = self.draw(st.sampled_from(["appraisal", "survey"]))
        if depth < self.max_depth and self.draw(st.integers(0, 2)) > 0:
            width = self.draw(st.integers(1, self.max_width))
            mode = self.draw(st.sampled_from(["sum", "sum", "weighted_mean", "capped_sum"]))
            if mode == "weighted_mean":
                node["aggregate"] = "weighted_mean"
                shares = [self.draw(st.integers(1, max(units, 1))) for _unused in range(width)]
            elif mode == "capped_sum":
                node["cap_note"] = "the children may earn more than the cap; the cap holds"
                shares = self.split(units + self.draw(st.integers(1, 10)), width)
            else:
                shares = self.split(units, width)
            node["children"] = [self.child(f"{node_id}.{i + 1}", share, depth + 1, mode == "weighted_mean") for i, share in enumerate(shares)]
        else:
            node["rule"] = self.rule(cap)
        return node

    def child(self, node_id: str, units: int, depth: int, weighted: bool) -> dict[str, Any]:
        node = self.node(node_id, units, depth)
        if weighted:
            node["weight"] = self.draw(st.sampled_from([_D(1), _D(2), _D("0.5"), _D(3)]))
        return node

    def indicator(self, spec: dict[str, Any], prefix: str = "x") -> str:
        key = f"{prefix}{len(self.indicators)}"
        spec = {"label": f"Chỉ số thành phần {key}", **spec}
        spec.setdefault("missing", self.draw(st.sampled_from(_POLICIES)))
        self.indicators[key] = spec
        return key

    def points(self, cap: Decimal) -> Decimal:
        return self.draw(st.integers(0, int(cap / self.unit))) * self.unit

    def numeric(self) -> tuple[dict[str, Any], Decimal, Decimal | None, Decimal]:
        """A numeric indicator spec, its range's low and high ends (``None``: open), and a step."""
        kind = self.draw(st.sampled_from(["percent", "ratio", "count", "number"]))
        if kind == "percent":
            return {"type": "percent"}, _D(0), _D(100), _D("0.5")
        if kind == "ratio":
            return {"type": "ratio"}, _D(0), _D(1), _D("0.01")
        if kind == "count":
            return {"type": "count"}, _D(0), None, _D(1)
        low = self.draw(st.sampled_from([_D(-50), _D(0), _D("2.5")]))
        return {"type": "number", "range": [low, low + 200]}, low, low + 200, _D("0.5")

    def rule(self, cap: Decimal) -> dict[str, Any]:
        kind = self.draw(st.sampled_from(_RULE_KINDS))
        draw = self.draw
        if kind == "bands":
            spec, low, high, step = self.numeric()
            top = high if high is not None else low + 100
            places = int((top - low) / step) - 1  # where a cut may fall
            count = draw(st.integers(0, min(self.max_bands, places)))
            cuts = sorted(draw(st.lists(st.integers(1, places), min_size=count, max_size=count, unique=True)))
            edges = [low + c * step for c in cuts]
            points = [self.points(cap) for _unused in range(len(edges) + 1)]
            if draw(st.booleans()):
                points.sort()  # a monotone table
            bands: list[dict[str, Any]] = []
            for position in range(len(edges) + 1):
                band: dict[str, Any] = {}
                if position > 0:  # meet the band below: "below c" then "at_least c", "at_most c" then "above c"
                    band["at_least" if "below" in bands[-1] else "above"] = edges[position - 1]
                elif draw(st.booleans()):
                    band["at_least"] = low
                if position < len(edges):
                    band[draw(st.sampled_from(["below", "at_most"]))] = edges[position]
                elif high is not None and draw(st.booleans()):
                    band["at_most"] = high
                band["points"] = points[position]
                bands.append(band)
            return {"kind": "bands", "indicator": self.indicator(spec), "bands": draw(st.permutations(bands))}
        if kind == "levels":
            levels = {f"l{i}": f"Mức {i}" for i in range(draw(st.integers(1, 4)))}
            key = self.indicator({"type": "level", "levels": levels})
            return {"kind": "levels", "indicator": key, "points": {level: self.points(cap) for level in levels}}
        if kind == "boolean":
            rule: dict[str, Any] = {"kind": "boolean", "indicator": self.indicator({"type": "boolean"})}
            if draw(st.booleans()):
                rule["when_true"] = self.points(cap)
            if draw(st.booleans()):
                rule["when_false"] = self.points(cap)
            return rule
        if kind == "proportional":
            spec, low, high, step = self.numeric()
            rule = {"kind": "proportional", "indicator": self.indicator(spec)}
            if spec["type"] in ("count", "number") or draw(st.booleans()):
                rule["full_at"] = draw(st.integers(1, 40)) * step * 5
            return rule
        if kind == "direct":
            return {"kind": "direct", "indicator": self.indicator({"type": "number", "range": [_D(0), cap]})}
        if kind in ("deduction", "bonus"):
            spec = draw(st.sampled_from([{"type": "count"}, {"type": "number"}, {"type": "number", "range": [_D(0), _D(50)]}]))
            rule = {"kind": kind, "indicator": self.indicator(spec), "per_occurrence": draw(st.sampled_from([_D("0.25"), _D(1), _D("2.5"), _D("0.01")]))}
            if kind == "deduction" and draw(st.booleans()):
                rule["limit"] = self.points(cap)
            return rule
        if kind == "survey":
            options = {chr(65 + i): f"Phương án {chr(65 + i)}" for i in range(draw(st.integers(1, 5)))}
            key = self.indicator({"type": "answers", "options": options})
            return {"kind": "survey", "indicator": key, "weights": {option: draw(st.integers(0, 100)) * _D(1) for option in options}}
        if kind == "derived":
            done = self.indicator({"type": "count"})
            total = self.indicator({"type": "count"})
            derived = self.indicator({"type": "percent", "formula": f"clamp(ratio({done}, {total}, 1) * 100, 0, 100)"}, prefix="d")
            for _unused in range(draw(st.integers(0, self.max_chain)) if self.max_chain else 0):  # each computed from the one before
                derived = self.indicator({"type": "percent", "formula": f"clamp({derived} * 1.5 - 10, 0, 100)"}, prefix="d")
            if draw(st.booleans()):
                return {"kind": "proportional", "indicator": derived}
            return {"kind": "bands", "indicator": derived, "bands": [{"at_least": _D(80), "points": cap}, {"below": _D(80), "points": self.points(cap)}]}
        return self.expression(cap)

    def expression(self, cap: Decimal) -> dict[str, Any]:
        """An expression rule from templates; ``monotone_in`` where the template is monotone."""
        draw = self.draw
        rate = self.indicator({"type": "percent"})
        threshold = draw(st.integers(1, 100))
        template = draw(st.integers(0, 4))
        if template == 0:
            return {"kind": "expression", "formula": f"MAX * {rate} / 100", "monotone_in": [rate]}
        if template == 1:
            factor = draw(st.sampled_from(["1", "0.8", "0.5"]))
            formula = f"MAX if {rate} >= {threshold} else MAX * {rate} / {threshold} * {factor}"
            return {"kind": "expression", "formula": formula, "monotone_in": [rate]}
        if template == 2:
            count = self.indicator({"type": "count"})
            return {"kind": "expression", "formula": f"MAX - {count} * 0.5 + {rate} / 100", "monotone_in": [rate]}
        if template == 3:
            flag = self.indicator({"type": "boolean"})
            level = self.indicator({"type": "level", "levels": {"good": "Tốt", "poor": "Kém"}})
            return {"kind": "expression", "formula": f"MAX if {flag} and {level} == 'good' else round(MAX * {rate} / 200, 2)", "monotone_in": [rate]}
        # not monotone: more is worse past the threshold
        return {"kind": "expression", "formula": f"MAX - abs({rate} - {threshold}) * MAX / 100"}


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
