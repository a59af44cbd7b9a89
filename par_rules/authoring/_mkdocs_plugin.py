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

With the i18n plugin (mkdocs-static-i18n, one build per language) the pages are written in the
language being built and put under its prefix (none for the default language, ``en/`` for
English); this plugin runs after it (priority -110 against its -100) for that.

This module imports mkdocs: only mkdocs loads it (``import par_rules`` never does).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from ..engine._registry import shipped_root
from ..errors import ParRulesError
from ._site import LANGUAGES, SECTION, Page, criteria_nav, criteria_pages
from .._i18n import gettext as _

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

    @event_priority(-110)  # after the i18n plugin has chosen the language of this build
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        for root in self.roots:
            if not root.is_dir():
                raise PluginError(_("par-rules: the methodology folder {root} does not exist (plugins: - par-rules: roots: in {config_file_path})").format(
                    root=root, config_file_path=config.config_file_path
                ))
        language, _default, _built = _languages(config)
        try:
            self.pages = criteria_pages([str(root) for root in self.roots], lang=language)
        except ParRulesError as error:
            raise PluginError(_("the criteria browser cannot be built:\n{error}").format(error=error)) from error
        if config.nav is not None:
            entries = [self._expand(entry) for entry in config.nav]
            if entries == config.nav:  # no entry for the browser: a section at the end
                entries.append({DEFAULT_TITLE: criteria_nav(self.pages)})
            config.nav = entries
        return config

    def _expand(self, entry: Any) -> Any:
        if isinstance(entry, dict) and len(entry) == 1:
            (title, target), = entry.items()
            if _is_browser(target):
                return {title: criteria_nav(self.pages)}
        return entry

    @event_priority(-110)  # after the i18n plugin, which keeps only the files of docs/
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        language, default, built = _languages(config)
        prefixes = {code: "" if code == default else f"{code}/" for code in built}
        prefix = prefixes.get(language, "")
        for page in self.pages:
            file = File.generated(config, page.path, content=page.content)
            plain = file.dest_uri
            file.dest_uri = prefix + plain
            # What the i18n plugin reads on its own files: the same page in each language, which the
            # language switch links to.
            url = file.url.removeprefix(prefix)
            alternates = {code: SimpleNamespace(url=prefixes[code] + url) for code in built}
            for name, value in (("alternates", alternates), ("locale", language), ("locale_alternate_of", language), ("localization", language)):
                setattr(file, name, value)
            files.append(file)
        return files

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        for root in self.roots:
            server.watch(str(root))
        return server


def _languages(config: MkDocsConfig) -> tuple[str, str, list[str]]:
    """The language being built, the default language, and every language built: the i18n
    plugin's, else the site's one language (the theme's ``language`` where par_rules speaks it,
    else Vietnamese)."""
    plugins, theme = config.get("plugins"), config.get("theme")
    i18n = plugins.get("i18n") if isinstance(plugins, Mapping) else None
    if i18n is None:
        chosen = theme["language"] if theme is not None and not isinstance(theme, str) and "language" in theme else None
        language = chosen if chosen in LANGUAGES else LANGUAGES[0]
        return language, language, [language]
    built = [language for language in i18n.build_languages if language in LANGUAGES]
    return i18n.current_language, i18n.default_language, built


def _is_browser(target: Any) -> bool:
    """The nav entry of the browser: its index page, or the section made from it by an earlier
    build (the i18n plugin builds every language with the same config)."""
    index = f"{SECTION}/index.md"
    if target == index:
        return True
    return isinstance(target, list) and bool(target) and isinstance(target[0], dict) and list(target[0].values()) == [index]
