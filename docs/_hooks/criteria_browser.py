"""mkdocs hook: the criteria browser, written from ``methodologies/`` at build time.

The pages come from :mod:`par_rules.authoring` (its ``_site`` module); nothing generated is committed. The nav entry
``Criteria browser: criteria/index.md`` of mkdocs.yml is replaced by one section per methodology,
and ``mkdocs serve`` rebuilds when a methodology file changes.
"""

from __future__ import annotations

from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.structure.files import File, Files

from par_rules import ParRulesError, shipped_root
from par_rules.authoring import SECTION, Page, criteria_nav, criteria_pages

NAV_TITLE = "Criteria browser"
_pages: list[Page] = []  # made in on_config (the nav needs them), added to the files in on_files


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    try:
        _pages[:] = criteria_pages()
    except ParRulesError as error:
        raise PluginError(f"the criteria browser cannot be built:\n{error}") from error
    config.nav = [_expand(entry) for entry in config.nav or []]
    return config


def _expand(entry: Any) -> Any:
    if entry == {NAV_TITLE: f"{SECTION}/index.md"}:
        return {NAV_TITLE: criteria_nav(_pages)}
    return entry


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for page in _pages:
        files.append(File.generated(config, page.path, content=page.content))
    return files


def on_serve(server: LiveReloadServer, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
    server.watch(str(shipped_root()))
    return server
