"""mkdocs hook: the criteria browser, written from ``methodologies/`` at build time.

The pages come from :mod:`par_rules.authoring` (its ``_site`` module); nothing generated is committed. The nav entry
pointing at ``criteria/index.md`` in mkdocs.yml is replaced by one section per methodology,
and ``mkdocs serve`` rebuilds when a methodology file changes.

The site is built once per language by the i18n plugin (mkdocs-static-i18n): the hook runs after
it (priority -110 against its -100), writes the pages in the language being built and puts them
under that language's prefix (none for Vietnamese, the default; ``en/`` for English).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

from par_rules import ParRulesError, shipped_root
from par_rules.authoring import LANGUAGES, SECTION, Page, criteria_nav, criteria_pages

_INDEX = f"{SECTION}/index.md"
_pages: list[Page] = []  # made in on_config (the nav needs them), added to the files in on_files


def _languages(config: MkDocsConfig) -> tuple[str, str, list[str]]:
    """The language being built, the default language, and every language built."""
    i18n = config.plugins.get("i18n")
    if i18n is None:
        return LANGUAGES[0], LANGUAGES[0], [LANGUAGES[0]]
    built = [language for language in i18n.build_languages if language in LANGUAGES]
    return i18n.current_language, i18n.default_language, built


@event_priority(-110)
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    language, _, _ = _languages(config)
    try:
        _pages[:] = criteria_pages(lang=language)
    except ParRulesError as error:
        raise PluginError(f"the criteria browser cannot be built:\n{error}") from error
    config.nav = [_expand(entry) for entry in config.nav or []]
    return config


def _is_browser(value: Any) -> bool:
    """The nav entry of the browser: the index page, or the section made from it by an earlier
    build (the i18n plugin builds every language with the same config)."""
    if value == _INDEX:
        return True
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict) and list(value[0].values()) == [_INDEX]


def _expand(entry: Any) -> Any:
    if isinstance(entry, dict) and len(entry) == 1:
        (title, value), = entry.items()
        if _is_browser(value):
            return {title: criteria_nav(_pages)}
    return entry


@event_priority(-110)
def on_files(files: Files, config: MkDocsConfig) -> Files:
    language, default, built = _languages(config)
    for page in _pages:
        file = File.generated(config, page.path, content=page.content)
        plain = file.dest_uri
        prefixes = {code: "" if code == default else f"{code}/" for code in built}
        file.dest_uri = prefixes.get(language, "") + plain
        # What the language switch links to: the same page in each language.
        file.alternates = {code: SimpleNamespace(url=prefixes[code] + file.url.removeprefix(prefixes.get(language, ""))) for code in built}
        file.locale = file.locale_alternate_of = file.localization = language
        files.append(file)
    return files


def on_serve(server: LiveReloadServer, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
    server.watch(str(shipped_root()))
    return server
