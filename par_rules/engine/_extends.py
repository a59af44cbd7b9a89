"""``extends``: a version that starts from an earlier one and lists only its changes.

The child inherits the parent's header (title, issuer, level, scale, status, legal basis,
rounding, rating bands), indicators and tree, then applies its ``changes`` in order:

- ``{op: update, node: ID, set: {max: 13.5, ...}}`` changes some keys of a node;
- ``{op: remove, node: ID}`` removes a node and its subtree;
- ``{op: add, parent: ID, after: ID, node: {...}}`` adds a node (``parent`` omitted: a field;
  ``after`` omitted: at the end);
- ``{op: replace, node: ID, with: {...}}`` puts a new node in the place of an old one;
- ``{op: remove_indicator, indicator: ID}`` removes an indicator.

Indicators the child declares are added to (or replace) the parent's. The parent's data is
never modified: the nodes on the way are copied, keeping their places in the parent file.
"""

from __future__ import annotations

from typing import Any

from ..errors import Problem
from .._places import SourceMap
from .._i18n import gettext as _

__all__ = ["merge"]

_NOT_INHERITED = frozenset({"extends", "changes", "version", "years", "changelog", "lineage"})


def merge(parent: dict[str, Any], child: dict[str, Any], where: SourceMap) -> tuple[dict[str, Any], list[Problem]]:
    """The child's full data: the parent's, with the child's header, indicators and changes."""
    merged = {key: value for key, value in parent.items() if key not in _NOT_INHERITED}
    merged.update({key: value for key, value in child.items() if key not in ("indicators", "criteria", "changes")})
    where.same_place(merged, child)
    indicators = dict(parent.get("indicators", {}))
    where.same_place(indicators, parent.get("indicators", {}))
    for key, spec in child.get("indicators", {}).items():
        indicators[key] = spec
        _place_entry(where, indicators, key, child["indicators"])
    merged["indicators"] = indicators
    criteria = [_copy(node, where) for node in child.get("criteria", parent.get("criteria", []))]
    where.same_place(criteria, child.get("criteria", parent.get("criteria", [])))
    merged["criteria"] = criteria
    problems: list[Problem] = []
    for change in child.get("changes", []):
        problem = _apply(change, merged, where)
        if problem:
            problems.append(where.locate(change).problem(problem, node=str(change.get("node", change.get("parent", ""))) or None))
    return merged, problems


def _place_entry(where: SourceMap, target: dict[str, Any], key: str, source: dict[str, Any]) -> None:
    where.place_entry(target, key, where.locate(source, key))


def _copy(node: dict[str, Any], where: SourceMap) -> dict[str, Any]:
    copy = dict(node)
    where.same_place(copy, node)
    if "children" in node:
        copy["children"] = [_copy(child, where) for child in node["children"]]
        where.same_place(copy["children"], node["children"])
    return copy


def _find(nodes: list[dict[str, Any]], node_id: str) -> tuple[list[dict[str, Any]], int] | None:
    """The list holding the node with this id, and its position (searched without recursion)."""
    stack = [nodes]
    while stack:
        siblings = stack.pop()
        for position, node in enumerate(siblings):
            if str(node["id"]) == node_id:
                return siblings, position
            if "children" in node:
                stack.append(node["children"])
    return None


def _apply(change: dict[str, Any], data: dict[str, Any], where: SourceMap) -> str | None:
    op = change["op"]
    criteria = data["criteria"]
    if op == "remove_indicator":
        if change["indicator"] not in data["indicators"]:
            return _("remove_indicator: there is no indicator '{change}' to remove").format(change=change['indicator'])
        del data["indicators"][change["indicator"]]
        return None
    if op == "add":
        siblings = criteria
        if "parent" in change:
            found = _find(criteria, str(change["parent"]))
            if found is None:
                return _("add: there is no node {change} to add to").format(change=change['parent'])
            parent = found[0][found[1]]
            if "rule" in parent:
                return _("add: node {change} has a rule; it cannot take children").format(change=change['parent'])
            siblings = parent.setdefault("children", [])
        position = len(siblings)
        if "after" in change:
            ids = [str(node["id"]) for node in siblings]
            if str(change["after"]) not in ids:
                return _("add: node {change} is not a child of the parent named").format(change=change['after'])
            position = ids.index(str(change["after"])) + 1
        siblings.insert(position, change["node"])
        return None
    found = _find(criteria, str(change["node"]))
    if found is None:
        return _("{op}: there is no node {change} in the version extended").format(op=op, change=change['node'])
    siblings, position = found
    if op == "remove":
        del siblings[position]
    elif op == "replace":
        siblings[position] = change["with"]
    else:  # update
        node = siblings[position]
        updates = change["set"]
        if "rule" in updates and "children" in node:
            del node["children"]
        node.update(updates)
        for key in updates:
            _place_entry(where, node, key, updates)
    return None
