"""Compile the gettext catalogues when the package is built (``.po`` → ``.mo``).

Hatchling runs this hook for wheels and editable installs (``[tool.hatch.build.hooks.custom]``
in pyproject.toml). Compiled catalogues are build products, never committed:

- a wheel gets each ``par_rules/locale/<lang>/LC_MESSAGES/par_rules.mo`` compiled into a
  temporary folder and force-included at its place in the package;
- an editable install imports the package from the source tree, so there the ``.mo`` files are
  written beside their ``.po`` (git ignores them).

A ``.po`` with a fuzzy or untranslated message still compiles (Babel leaves those out, and the
English text shows); ``tests/test_i18n.py`` is what refuses an incomplete catalogue. At run time
par_rules reads a ``.po`` itself when no ``.mo`` newer than it is there (``par_rules/_i18n.py``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LOCALE = Path("par_rules") / "locale"


def compile_catalogues(root: Path, output: Path) -> list[Path]:
    """Compile every ``<root>/par_rules/locale/*/LC_MESSAGES/*.po`` into the same relative
    place under ``output``; the ``.mo`` files written, relative to ``output``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted((root / LOCALE).glob("*/LC_MESSAGES/*.po")):
        relative = po.relative_to(root).with_suffix(".mo")
        target = output / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parent.parent.name)
        with target.open("wb") as handle:
            write_mo(handle, catalogue)
        written.append(relative)
    return written


class CatalogueBuildHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        if version == "editable":
            compile_catalogues(root, root)
            return
        self._temporary = tempfile.TemporaryDirectory()
        output = Path(self._temporary.name)
        for relative in compile_catalogues(root, output):
            build_data["force_include"][str(output / relative)] = relative.as_posix()

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        temporary = getattr(self, "_temporary", None)
        if temporary is not None:
            temporary.cleanup()
