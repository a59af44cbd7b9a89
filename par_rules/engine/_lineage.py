"""Lineage: which nodes of an earlier methodology version each node of a later one continues.

Year-on-year comparisons (:mod:`par_rules.units`) and methodology diffs
(:mod:`par_rules.authoring`) match nodes alike through :func:`node_mapping`: the ``mapping``
given, else the later version's declared ``lineage``, else node ids.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from ..errors import MethodologyError, MethodologyNotFound, Problem
from ._arithmetic import format_decimal
from ._load import read_yaml_file
from .._lazy import name_home
from ._model import Methodology
from .._i18n import gettext as _

__all__ = ["node_mapping", "read_node_mapping"]


def read_node_mapping(path: str | os.PathLike[str]) -> dict[str, str | list[str] | None]:
    """A mapping file for :func:`node_mapping` (and :func:`par_rules.compare`): YAML, each later
    node id to the earlier node id it continues, a list of them (merged), or null (new). Ids are
    texts however written (``2.1`` unquoted is the id "2.1").

    Raises :class:`~par_rules.MethodologyError`, naming the file, for a file that cannot be read
    or is no such mapping.
    """
    data, _unused = read_yaml_file(os.fspath(path))
    if not isinstance(data, dict):
        raise MethodologyError([Problem(_("{path}: the mapping must be a mapping of new node id to previous node id(s)").format(path=os.fspath(path)))])

    def node_id(value: Any) -> str:
        return format_decimal(value) if isinstance(value, Decimal) else str(value)

    return {node_id(key): None if value is None else [node_id(item) for item in value] if isinstance(value, list) else node_id(value) for key, value in data.items()}


def node_mapping(previous: Methodology, current: Methodology, mapping: Mapping[str, str | Sequence[str] | None] | None = None) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """The previous node ids each current node continues, and notes on how that was decided.

    ``mapping`` overrides the lineage; ids it names that neither version has raise
    :class:`~par_rules.MethodologyNotFound`.
    """
    notes: list[str] = []
    current_ids = [node.id for node in current.nodes()]
    previous_ids = {node.id for node in previous.nodes()}
    same = (previous.id, previous.version) == (current.id, current.version)
    declared: Mapping[str, str | Sequence[str] | None]
    if mapping is not None:
        declared = mapping
        source = _("the mapping given")
    elif current.lineage is not None and (current.lineage.methodology_id, current.lineage.version) == (previous.id, previous.version):
        declared = current.lineage.nodes
        source = _("the lineage declared by {id}@{version}").format(id=current.id, version=current.version)
    else:
        declared = {}
        source = _("node ids")
        if not same:
            lineage = current.lineage
            why = _("its lineage starts from {methodology_id}@{version}").format(methodology_id=lineage.methodology_id, version=lineage.version) if lineage else _("it declares no lineage")
            notes.append(_("{id}@{version} and {id2}@{version2} differ and {why}: nodes are matched by id only").format(
                id=current.id, version=current.version, id2=previous.id, version2=previous.version, why=why
            ))
    if not same:
        notes.insert(0, _("comparing {previous} with {current} through {source}").format(previous=f"{previous.id}@{previous.version}", current=f"{current.id}@{current.version}", source=source))
    problems = []
    for node_id, earlier in declared.items():
        if node_id not in current_ids:
            problems.append(Problem(_("the mapping names node {node_id}, which {id}@{version} does not have").format(node_id=node_id, id=current.id, version=current.version)))
        for old in _ids(earlier):
            if old not in previous_ids:
                problems.append(Problem(_("the mapping sends node {node_id} to {old}, which {id}@{version} does not have").format(node_id=node_id, old=old, id=previous.id, version=previous.version)))
    if problems:
        raise MethodologyNotFound("; ".join(str(problem) for problem in problems))
    resolved = {node_id: _ids(declared[node_id]) if node_id in declared else ((node_id,) if node_id in previous_ids else ()) for node_id in current_ids}
    return resolved, notes


def _ids(earlier: str | Sequence[str] | None) -> tuple[str, ...]:
    if earlier is None:
        return ()
    if isinstance(earlier, str):
        return (earlier,)
    return tuple(str(item) for item in earlier)


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
