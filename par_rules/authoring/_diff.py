"""What changed between two versions of a methodology, node by node, and lineage across them.

Nodes are matched as year-on-year comparisons match them (:func:`par_rules.engine._lineage.node_mapping`):
by the new version's ``lineage`` (which earlier node(s) each node continues) when it is declared
against the old version, and otherwise by id. A matched pair is compared:
its label (renamed), its parent (moved), its cap (re-capped) and its rule (rule changed). A node
that continues several old nodes (merged), or one of several nodes continuing one old node
(split), is reported as such. Unmatched nodes are added or removed.

>>> from par_rules import load
>>> old = load("vn/moha/par-index/province", version="2019")
>>> new = load("vn/moha/par-index/province", version="2020")
>>> print(diff(old, new))
re-capped 3: 14 → 13.5
re-capped 4: 7.5 → 7
re-capped 5: 8 → 7.5
re-capped 6: 8.5 → 8
re-capped 7: 9 → 11
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from ..engine._arithmetic import format_decimal as fmt
from ..engine._lineage import node_mapping
from ..errors import MethodologyError, MethodologyNotFound, Problem
from ..engine._expressions import Expression
from ..engine._model import Interval, Methodology, Node
from .._i18n import N_, gettext as _
from .._lazy import name_home

__all__ = ["Change", "MethodologyDiff", "diff", "rule_text"]

ChangeKind = Literal["added", "removed", "renamed", "moved", "re-capped", "rule changed", "split", "merged"]


_KIND_WORDS = {"renamed": N_("renamed"), "moved": N_("moved"), "re-capped": N_("re-capped"), "rule changed": N_("rule changed")}


@dataclass(frozen=True)
class Change:
    """One difference: ``node`` is the new id (the old id for ``removed``); ``old``/``new`` are
    the values before and after, in words."""

    kind: ChangeKind
    node: str
    old: str | None = None
    new: str | None = None

    def __str__(self) -> str:
        """The change in words, in the language of the moment (the kind stays an id in ``to_dict``)."""
        if self.kind == "added":
            return _("added {node}: {new}").format(node=self.node, new=self.new)
        if self.kind == "removed":
            return _("removed {node}: {old}").format(node=self.node, old=self.old)
        if self.kind == "split":
            return _("split {old} → {new}").format(old=self.old, new=self.new)
        if self.kind == "merged":
            return _("merged {old} → {new}").format(old=self.old, new=self.new)
        return _("{kind} {node}: {old} → {new}").format(kind=_(_KIND_WORDS.get(self.kind, self.kind)), node=self.node, old=self.old, new=self.new)

    def to_dict(self) -> dict[str, str | None]:
        return {"kind": self.kind, "node": self.node, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class MethodologyDiff:
    """The changes from one methodology version to another, in the new version's order."""

    old: tuple[str, str]
    new: tuple[str, str]
    changes: tuple[Change, ...]
    lineage_used: bool

    def __str__(self) -> str:
        return "\n".join(str(change) for change in self.changes)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def of_kind(self, kind: ChangeKind) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.kind == kind)

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": {"id": self.old[0], "version": self.old[1]},
            "new": {"id": self.new[0], "version": self.new[1]},
            "lineage_used": self.lineage_used,
            "changes": [change.to_dict() for change in self.changes],
        }


def _declares_lineage_from(new: Methodology, old: Methodology) -> bool:
    return new.lineage is not None and (new.lineage.methodology_id, new.lineage.version) == (old.id, old.version)


def _parents(methodology: Methodology) -> dict[str, str | None]:
    parents: dict[str, str | None] = {node.id: None for node in methodology.criteria}
    for node in methodology.nodes():
        for child in node.children:
            parents[child.id] = node.id
    return parents


def _value_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, Expression):
        return value.source
    if isinstance(value, Interval):
        return value.symbols()
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {_value_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, tuple):
        return "[" + ", ".join(_value_text(item) for item in value) + "]"
    if dataclasses.is_dataclass(value):
        return _fields_text(value)
    return str(value)


def _fields_text(value: Any) -> str:
    parts = [f"{field.name}={_value_text(getattr(value, field.name))}" for field in dataclasses.fields(value) if getattr(value, field.name) not in (None, ())]
    return ", ".join(parts)


def rule_text(node: Node) -> str:
    """A node's rule in one line, the same for equal rules: ``direct(indicator=x)``; a parent is
    ``sum of its children`` (or ``weighted_mean``)."""
    if node.rule is None:
        return _("{aggregate} of its children").format(aggregate=node.aggregate)
    return f"{node.rule.kind}({_fields_text(node.rule)})"


def _node_text(node: Node) -> str:
    return _("{label} (max {max})").format(label=repr(node.label), max=fmt(node.max))


def _where(parent: str | None) -> str:
    return _("top level") if parent is None else f"under {parent}"


def diff(old: Methodology, new: Methodology) -> MethodologyDiff:
    """Every node added, removed, renamed, moved, re-capped, rule changed, split or merged from
    ``old`` to ``new``. A lineage naming nodes that do not exist raises MethodologyError."""
    try:
        mapping, _unused = node_mapping(old, new)  # the same matching as year-on-year comparisons
    except MethodologyNotFound as error:
        raise MethodologyError([Problem(_("lineage: {error}").format(error=error), file=new.file)]) from None
    old_nodes = {node.id: node for node in old.nodes()}
    successors: dict[str, list[str]] = {}
    for new_id, previous in mapping.items():
        for old_id in previous:
            successors.setdefault(old_id, []).append(new_id)
    old_parents, new_parents = _parents(old), _parents(new)
    changes: list[Change] = []
    reported_splits: set[str] = set()
    for node in new.nodes():
        previous = mapping[node.id]
        if not previous:
            changes.append(Change("added", node.id, new=_node_text(node)))
            continue
        if len(previous) > 1:
            changes.append(Change("merged", node.id, old=", ".join(f"{i} ({fmt(old_nodes[i].max)})" for i in previous), new=f"{node.id} ({fmt(node.max)})"))
            continue
        old_node = old_nodes[previous[0]]
        if len(successors[old_node.id]) > 1:
            if old_node.id not in reported_splits:
                reported_splits.add(old_node.id)
                parts = ", ".join(f"{i} ({fmt(new.node(i).max)})" for i in successors[old_node.id])
                changes.append(Change("split", node.id, old=f"{old_node.id} ({fmt(old_node.max)})", new=parts))
            continue
        changes += _compare(old_node, node, old_parents[old_node.id], new_parents[node.id], mapping)
    for old_node in old.nodes():
        if old_node.id not in successors:
            changes.append(Change("removed", old_node.id, old=_node_text(old_node)))
    return MethodologyDiff((old.id, old.version), (new.id, new.version), tuple(changes), _declares_lineage_from(new, old))


def _compare(old: Node, new: Node, old_parent: str | None, new_parent: str | None, mapping: Mapping[str, tuple[str, ...]]) -> Iterator[Change]:
    if old.id != new.id:
        yield Change("renamed", new.id, old=f"{old.id} {old.label!r}", new=f"{new.id} {new.label!r}")
    elif old.label != new.label:
        yield Change("renamed", new.id, old=repr(old.label), new=repr(new.label))
    continued_parent = mapping.get(new_parent, ()) if new_parent is not None else (None,)
    if old_parent not in continued_parent:
        yield Change("moved", new.id, old=_where(old_parent), new=_where(new_parent))
    if old.max != new.max:
        yield Change("re-capped", new.id, old=fmt(old.max), new=fmt(new.max))
    old_rule, new_rule = rule_text(old), rule_text(new)
    if old_rule != new_rule:
        yield Change("rule changed", new.id, old=old_rule, new=new_rule)


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
