"""Dump a loaded :class:`~par_rules.model.Methodology` back to YAML.

The text is the methodology as compiled: one self-contained file (an ``extends`` chain comes out
merged), every inherited or default value written out (``provenance``, ``source``, ``full_at``,
indicator ranges), numbers written exactly as their Decimal values. Loading the dumped text gives
a methodology that scores every record identically; the property tests check it.

>>> from par_rules import load
>>> text = dump(load("example/par-index/district", year=2024))
>>> "max: 16.75" in text and "formula: MAX if online_rate >= 60" in text
True
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import yaml

from ..engine._arithmetic import format_decimal
from ..engine._model import Indicator, Methodology, Node, RatingBand
from ..engine._rules import bounds_of
from .._lazy import name_home

__all__ = ["dump", "to_data", "to_yaml"]


class _Dumper(yaml.SafeDumper):
    """Writes Decimals as plain YAML numbers, exactly as their value reads; no anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = format_decimal(value)
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Decimal, _represent_decimal)


def dump(methodology: Methodology) -> str:
    """The methodology as the text of one YAML file (see :func:`to_data`)."""
    return to_yaml(to_data(methodology))


def to_yaml(data: Mapping[str, Any]) -> str:
    """Plain data in the file format (numbers as Decimals) as YAML text, keys in their order.

    >>> print(to_yaml({"max": Decimal("16.75"), "scale": Decimal("1E+2"), "id": "1.1"}), end="")
    max: 16.75
    scale: 100
    id: '1.1'
    """
    return yaml.dump(dict(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)


def to_data(methodology: Methodology) -> dict[str, Any]:
    """The methodology as plain data in the file format (numbers as Decimals).

    >>> from par_rules import load
    >>> data = to_data(load("example/par-index/district", year=2024))
    >>> data["criteria"][0]["children"][0]["children"][0]["rule"]
    {'kind': 'levels', 'indicator': 'plan_issued', 'points': {'on_time': Decimal('1'), 'late': Decimal('0.5'), 'not_issued': Decimal('0')}}
    """
    m = methodology
    data: dict[str, Any] = {"format": 1, "id": m.id, "version": m.version, "years": list(m.years), "title": m.title}
    _put(data, "title_en", m.title_en)
    data["issuer"] = m.issuer
    _put(data, "issuer_en", m.issuer_en)
    data.update(level=m.level, scale=m.scale, status=m.status)
    _put(data, "status_note", m.status_note)
    if m.legal_basis:
        data["legal_basis"] = [{k: v for k, v in vars(doc).items() if v is not None} for doc in m.legal_basis]
    _put(data, "changelog", m.changelog)
    data["rounding"] = {"decimals": m.decimals, "bands_on": m.bands_on}
    if m.bands:
        data["bands"] = [_rating_band(band) for band in m.bands]
    if m.lineage is not None:
        data["lineage"] = {
            "from": {"id": m.lineage.methodology_id, "version": m.lineage.version},
            "nodes": {key: list(previous) or None for key, previous in m.lineage.nodes.items()},
        }
    data["indicators"] = {key: _indicator(indicator) for key, indicator in m.indicators.items()}
    if m.survey is not None:
        data["survey"] = m.survey.to_data()
    data["criteria"] = [_node(node) for node in m.criteria]
    return data


def _put(data: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        data[key] = value


def _rating_band(band: RatingBand) -> dict[str, Any]:
    data: dict[str, Any] = {"id": band.id}
    _put(data, "label", band.label)
    _put(data, "label_en", band.label_en)
    data.update(bounds_of(band.interval))
    return data


def _indicator(indicator: Indicator) -> dict[str, Any]:
    data: dict[str, Any] = {"label": indicator.label}
    _put(data, "label_en", indicator.label_en)
    _put(data, "description", indicator.description)
    data["type"] = indicator.type
    _put(data, "unit", indicator.unit)
    if indicator.type not in ("boolean", "level", "answers"):
        data["range"] = [indicator.range.low, indicator.range.high]
    if indicator.levels:
        data["levels"] = dict(indicator.levels)
    if indicator.options:
        data["options"] = dict(indicator.options)
    data["missing"] = indicator.missing
    if indicator.formula is not None:
        data["formula"] = indicator.formula.source
    return data


def _node(node: Node) -> dict[str, Any]:
    data: dict[str, Any] = {"id": node.id, "label": node.label}
    for key in ("label_en", "description", "wording"):
        _put(data, key, getattr(node, key))
    data.update(max=node.max, source=node.source)
    _put(data, "legal_ref", node.legal_ref)
    data["provenance"] = node.provenance
    _put(data, "provenance_note", node.provenance_note)
    data.update(aggregate=node.aggregate, weight=node.weight)
    _put(data, "cap_note", node.cap_note)
    if node.children:
        data["children"] = [_node(child) for child in node.children]
    if node.rule is not None:
        data["rule"] = node.rule.dump()
    return data


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
