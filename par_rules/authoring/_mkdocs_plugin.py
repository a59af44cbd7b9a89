"""The mkdocs plugin ``par-rules``: the criteria browser, version histories and worked examples of
the methodologies in a project's own folders, written at build time.

Any mkdocs project lists it in ``mkdocs.yml`` (the ``mkdocs.plugins`` entry point ``par-rules``
of pyproject.toml finds this class)::

    plugins:
      - search
      - par-rules:
          roots: [methodologies]   # folders of <id>/<version>.yaml, beside mkdocs.yml

Without ``roots`` the pages are those of the methodologies shipped with par_rules (this
repository's own site). The pages come from :mod:`par_rules.authoring` (its ``_site`` module);
nothing generated is written into ``docs/``. A nav entry whose page is ``criteria/index.md`` is
replaced by one section per methodology (a nav without one gets a section at its end), and
``mkdocs serve`` rebuilds when a methodology file changes.

This module imports mkdocs: only mkdocs loads it (``import par_rules`` never does).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from ..engine._registry import shipped_root
from ..errors import ParRulesError
from ._site import SECTION, Page, criteria_nav, criteria_pages

__all__ = ["CriteriaBrowser", "CriteriaBrowserConfig"]

#: The nav title given to the section when the project's nav has no ``criteria/index.md`` entry.
DEFAULT_TITLE = "Criteria browser"


class CriteriaBrowserConfig(Config):
    """The plugin's options: ``roots``, folders of methodologies (relative to mkdocs.yml)."""

    roots = config_options.ListOfPaths(default=[])


class CriteriaBrowser(BasePlugin[CriteriaBrowserConfig]):
    """The mkdocs plugin: one page per methodology version, a history per methodology, the worked
    examples of its tests, and an index of them all."""

    def __init__(self) -> None:
        self.pages: list[Page] = []

    @property
    def roots(self) -> list[Path]:
        """The folders the pages are made from (default: the shipped methodologies)."""
        return [Path(root) for root in self.config.roots] or [shipped_root()]

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        for root in self.roots:
            if not root.is_dir():
                raise PluginError(f"par-rules: the methodology folder {root} does not exist (plugins: - par-rules: roots: in {config.config_file_path})")
        try:
            self.pages = criteria_pages([str(root) for root in self.roots])
        except ParRulesError as error:
            raise PluginError(f"the criteria browser cannot be built:\n{error}") from error
        if config.nav is not None:
            entries = [self._expand(entry) for entry in config.nav]
            if entries == config.nav:  # no entry for the browser: a section at the end
                entries.append({DEFAULT_TITLE: criteria_nav(self.pages)})
            config.nav = entries
        return config

    def _expand(self, entry: Any) -> Any:
        if isinstance(entry, dict) and len(entry) == 1:
            (title, target), = entry.items()
            if target == f"{SECTION}/index.md":
                return {title: criteria_nav(self.pages)}
        return entry

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        for page in self.pages:
            files.append(File.generated(config, page.path, content=page.content))
        return files

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        for root in self.roots:
            server.watch(str(root))
        return server
