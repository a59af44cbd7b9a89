"""Lineage: which nodes of an earlier methodology version each node of a later one continues.

Year-on-year comparisons (:mod:`par_rules.units`) and methodology diffs
(:mod:`par_rules.authoring`) match nodes alike through :func:`node_mapping`: the ``mapping``
given, else the later version's declared ``lineage``, else node ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..errors import MethodologyNotFound, Problem
from ._model import Methodology
from .._i18n import gettext as _

__all__ = ["node_mapping"]


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
            notes.append(_("{id}@{version} and {id2}@{version2} differ and {why}: nodes are matched by id only").format(id=current.id, version=current.version, id2=previous.id, version2=previous.version, why=why))
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
