"""Lazy faces: a package names what it offers, and imports a module only when one of its names
is first used (PEP 562), as ``attrs`` does for its rarely used parts.

Each layer's ``__init__`` lists its names here; ``import par_rules`` then never pays for the
modules of many units, file formats or authoring until they are asked for.

The names a face offers say where users import them: their ``__module__`` is the face (the
highest one: ``par_rules`` for ``par_rules.score_many``, ``par_rules.units`` for what only that
face offers), as httpx does, so ``help()``, reprs, pickles and the API docs name the public
path, never a private module. :func:`offer` does it for a face that imports its names at once
(the engine, and ``par_rules`` for the engine's names); :func:`name_home`, called at the end of
each private module of a lazy layer, does it for that module's names, whoever imports it first.
An object renamed so keeps its doctests with the module that defines it (in that module's
``__test__``, where :mod:`doctest` looks).
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["lazy_names", "offer", "name_home"]

#: Each lazy face -> its names -> the module (relative to the face) that defines or offers each.
_FACES: dict[str, Mapping[str, str]] = {}


def lazy_names(package: str, names: Mapping[str, str], namespace: dict[str, Any]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module ``__getattr__`` and ``__dir__`` for ``package``: ``names`` maps each name to the
    module (relative to ``package``) that defines it; ``namespace`` is the package's globals,
    where each name is kept once imported, so later uses are plain attribute reads."""
    _FACES[package] = names

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__


def _rename(value: object, name: str, face: str) -> None:
    """Name ``face`` as ``value``'s module, keeping its doctests with the module defining it."""
    if not isinstance(value, (type, types.FunctionType)):
        return  # a constant or a type alias has no module of its own to name
    defining = sys.modules.get(value.__module__)
    if defining is not None and "__path__" not in defining.__dict__:  # a module, not a face (a package)
        defining.__dict__.setdefault("__test__", {}).setdefault(name, value)
    value.__module__ = face


def offer(face: str, namespace: Mapping[str, Any], names: Iterable[str]) -> None:
    """Name ``face`` as the module of each of ``names`` (in the face's ``namespace``) defined
    below it: the engine's face for its names, ``par_rules`` for those it offers in turn."""
    below = face + "."
    for name in names:
        value = namespace.get(name)  # a name the face imports when first used is named by name_home
        if getattr(value, "__module__", "").startswith(below):
            _rename(value, name, face)


def _absolute(source: str, package: str) -> str:
    """``source`` (``._batch``, ``..units``) made absolute from ``package``, as an import makes
    it (importlib.util.resolve_name, without importing importlib.util for it)."""
    rest = source.lstrip(".")
    levels = len(source) - len(rest)
    base = package.rsplit(".", levels - 1)[0] if levels > 1 else package
    return f"{base}.{rest}" if rest else base


def _highest_face(name: str, offered_by: str) -> str:
    """The highest lazy face offering ``name`` through ``offered_by`` (a face's face, and so on)."""
    face, climbing = offered_by, True
    while climbing:
        climbing = False
        for other, names in _FACES.items():
            source = names.get(name)
            if source is not None and other != face and _absolute(source, other) == face:
                face, climbing = other, True
                break
    return face


def name_home(module: str) -> None:
    """Name each object that a lazy face offers from ``module`` by the highest face offering it;
    called at the end of the module (its faces are imported before it, as packages are)."""
    namespace = sys.modules[module].__dict__
    for face, names in list(_FACES.items()):
        for name, source in names.items():
            if name in namespace and _absolute(source, face) == module:
                _rename(namespace[name], name, _highest_face(name, face))
