"""Lazy faces: a package names what it offers, and imports a module only when one of its names
is first used (PEP 562), as ``attrs`` does for its rarely used parts.

Each layer's ``__init__`` lists its names here; ``import par_rules`` then never pays for the
modules of many units, file formats or authoring until they are asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(package: str, names: Mapping[str, str], namespace: dict[str, Any]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module ``__getattr__`` and ``__dir__`` for ``package``: ``names`` maps each name to the
    module (relative to ``package``) that defines it; ``namespace`` is the package's globals,
    where each name is kept once imported, so later uses are plain attribute reads."""

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
