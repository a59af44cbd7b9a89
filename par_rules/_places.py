"""Source places: where each mapping, list, key and item of a methodology file stands.

At the bottom of the import graph, below both the file reader (:mod:`par_rules.engine._load`,
which registers every container it reads) and the model (whose nodes keep their place), so
neither needs the other to name a file, line and column.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .errors import Problem
from ._i18n import gettext as _

__all__ = ["Location", "SourceMap", "Container", "did_you_mean"]


@dataclass(frozen=True)
class Location:
    """A place in a file; line and column count from 1."""

    file: str | None
    line: int | None = None
    column: int | None = None

    def problem(self, message: str, *, node: str | None = None, indicator: str | None = None) -> Problem:
        """A :class:`Problem` at this place."""
        return Problem(message, file=self.file, line=self.line, column=self.column, node=node, indicator=indicator)


Container = dict[Any, Any] | list[Any]


class SourceMap:
    """Where each mapping and list of a loaded document, and each of its keys and items, stands."""

    def __init__(self) -> None:
        # id(container) -> (container's own location, {key or index: location of that entry}).
        # The container itself is kept too, so that its id cannot be reused while we live.
        self._places: dict[int, tuple[Container, Location, dict[Any, Location]]] = {}

    def register(self, container: Container, where: Location, entries: dict[Any, Location]) -> None:
        self._places[id(container)] = (container, where, entries)

    def same_place(self, copy: Container, original: Container) -> None:
        """Let a copy of a container (made while merging versions) point at the original's place."""
        entry = self._places.get(id(original))
        if entry is not None:
            self._places[id(copy)] = (copy, entry[1], dict(entry[2]))

    def place_entry(self, container: Container, key: Any, where: Location) -> None:
        """Let ``container[key]`` stand at ``where`` (an entry copied in while merging versions)."""
        entry = self._places.get(id(container))
        if entry is not None:
            entry[2][key] = where

    def update(self, other: SourceMap) -> None:
        self._places.update(other._places)

    def locate(self, container: object, key: Any = None) -> Location:
        """The location of ``container[key]`` (its key, for a mapping), or of the container."""
        entry = self._places.get(id(container))
        if entry is None:
            return Location(None)
        _unused, where, entries = entry
        if key is not None and key in entries:
            return entries[key]
        return where


def did_you_mean(name: object, known: Iterable[object]) -> str:
    """A suggestion for a misspelt name, as the end of a message (or nothing).

    >>> did_you_mean("onlin_rate", ["online_rate", "plan_issued"])
    " (did you mean 'online_rate'?)"
    >>> did_you_mean("zzz", ["online_rate"])
    ''
    """
    close = difflib.get_close_matches(str(name), [str(item) for item in known], n=1, cutoff=0.6)
    return _(" (did you mean '{close}'?)").format(close=close[0]) if close else ""
