"""The criteria browser shows a methodology's texts as text: none of them becomes live HTML.

A methodology is data written by others. Every text of it (titles, labels, notes, ids of
bands, levels and answers, legal references and their URLs, the names and notes of its test
cases) is loaded here with HTML and Markdown syntax, the site's pages are written from it and
converted to HTML by Python-Markdown with the extensions of ``mkdocs.yml``, and the HTML is
parsed: no script, no event attribute, no link or source but http(s) or relative, and each
hostile text still shown, character for character.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from par_rules.authoring._site import LANGUAGES, criteria_pages, escape

ROOT = Path(__file__).resolve().parent.parent

HOSTILE = (
    '<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) '
    '![i](javascript:alert(2)) <javascript:alert(3)> <a href="javascript:alert(4)">a</a> '
    '| cell | `code` *em* _em_ **b** {: onclick="alert(5)"} &lt;b&gt; \\'
)
MULTILINE = "# heading\n    indented\n- item\n1. item\n> quote\n```\n<script>alert(6)</script>\n```"
BAD_URLS = ["javascript:alert(7)", " javascript:alert(8)", "JaVaScRiPt:alert(9)", "data:text/html,<script>alert(10)</script>", "java\tscript:alert(11)"]
GOOD_URL = 'https://example.org/doc?a=1&b="><script>alert(12)</script>'
LIVE_TAGS = frozenset({"script", "img", "iframe", "object", "embed", "svg", "math", "style", "base", "form", "input", "link", "meta"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "srcset", "xlink:href", "poster", "data"})


def _text(suffix: str = "") -> str:
    return HOSTILE + suffix


def hostile_methodology() -> dict[str, Any]:
    both = {"label": _text(" label"), "label_en": _text(" label_en")}
    return {
        "format": 1, "id": "hostile/site", "version": "1", "years": [2024],
        "title": _text(" title"), "title_en": _text(" title_en"), "issuer": _text(" issuer"), "issuer_en": _text(" issuer_en"),
        "level": "district", "scale": 10, "status": "partial", "status_note": MULTILINE, "changelog": MULTILINE,
        "legal_basis": [{"number": _text(" number"), "date": "2024-01-01", "title": _text(" doc"), "title_en": _text(" doc_en"), "url": url} for url in [*BAD_URLS, GOOD_URL]],
        "bands": [{"id": _text(" band"), **both, "at_least": 50}, {"id": "`b`|<i>", "label": MULTILINE, "below": 50}],
        "indicators": {
            "plan": {**both, "description": MULTILINE, "type": "level", "levels": {_text(" level"): _text(" level label"), "`x`": MULTILINE}},
            "answers": {**both, "type": "answers", "options": {_text(" option"): _text(" option label"), "b|`": "b"}},
            "rate": {**both, "type": "number", "unit": _text(" unit"), "range": [0, 100]},
            "doubled": {**both, "type": "number", "formula": f"rate * 2 if plan == {json.dumps(_text(' level'))} else 0", "range": [0, 200]},
        },
        "criteria": [{
            "id": "1", **both, "description": MULTILINE, "wording": _text(" wording"), "legal_ref": _text(" legal_ref"),
            "provenance": "illustrative", "provenance_note": _text(" provenance_note"), "cap_note": _text(" cap_note"), "max": 10,
            "children": [
                {"id": "1.1", **both, "max": 4, "rule": {"kind": "levels", "indicator": "plan", "points": {_text(" level"): 4, "`x`": 0}}},
                {"id": "1.2", **both, "max": 3, "rule": {"kind": "survey", "indicator": "answers", "weights": {_text(" option"): 100, "b|`": 0}}},
                {"id": "1.3", **both, "max": 2, "rule": {"kind": "bands", "indicator": "rate", "bands": [
                    {"at_least": 50, "points": 2, "label": _text(" band label")}, {"below": 50, "points": 0, "label": MULTILINE}]}},
                {"id": "1.4", **both, "max": 1, "rule": {"kind": "expression", "formula": "1 if doubled > 100 else 0"}},
            ],
        }],
    }


def hostile_tests() -> dict[str, Any]:
    record = {"unit": _text(" unit"), "period": 2024, "plan": _text(" level"), "answers": {_text(" option"): 3, "b|`": 1}, "rate": 80}
    return {"cases": [
        {"name": _text(" case"), "note": MULTILINE, "record": record, "expect": {"nodes": {"1.1": 4}}},
        {"name": _text(" failing case"), "record": {**record, "unit": MULTILINE}, "expect": {"band": _text(" wrong band"), "nodes": {"1.2": 1}}},
        {"name": _text(" refused"), "record": {**record, "plan": "````" + HOSTILE + "\n" + MULTILINE}, "error": "plan"},
    ]}


def write_hostile_tree(root: Path) -> None:
    folder = root / "hostile" / "site"
    folder.mkdir(parents=True)
    first = hostile_methodology()
    (folder / "1.yaml").write_text(json.dumps(first, ensure_ascii=False), encoding="utf-8")
    (folder / "1.tests.yaml").write_text(json.dumps(hostile_tests(), ensure_ascii=False), encoding="utf-8")
    second = {key: first[key] for key in ("format", "id")} | {
        "version": "2", "years": [2025], "extends": {"version": "1"}, "changelog": _text(" changelog 2"),
        "changes": [{"op": "update", "node": "1.1", "set": {"label": _text(" renamed")}}, {"op": "remove", "node": "1.4"},
                    {"op": "update", "node": "1", "set": {"max": 9}}],
        "scale": 9,
    }
    (folder / "2.yaml").write_text(json.dumps(second, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("methodologies")
    write_hostile_tree(root)
    return root


@pytest.fixture(scope="module", params=LANGUAGES)
def hostile_pages(hostile_root: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    """The pages in one language (every test runs on both)."""
    return {page.path: page.content for page in criteria_pages(hostile_root, lang=request.param)}


@functools.cache
def markdown_of_the_site() -> Any:
    """Python-Markdown with the extensions (and their options) of mkdocs.yml."""
    markdown = pytest.importorskip("markdown", reason='the docs extra is not installed (pip install -e ".[docs]")')
    pytest.importorskip("pymdownx")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    names, options = [], {}
    for entry in config["markdown_extensions"]:
        name, settings = next(iter(entry.items())) if isinstance(entry, dict) else (entry, None)
        names.append(name)
        if settings:
            options[name] = settings
    return markdown.Markdown(extensions=names, extension_configs=options)


class LiveHtml(HTMLParser):
    """What in a page would run or navigate: tags, event attributes, links by scheme; and its text."""

    live_tags = LIVE_TAGS

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.live_tags:
            self.live.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.live.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and value is not None:
                # As a browser reads a URL: control characters and spaces around and inside the scheme dropped.
                scheme = urlsplit("".join(char for char in value if char.isprintable() and not char.isspace())).scheme.lower()
                if scheme not in ("", "http", "https"):
                    self.live.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_hostile_methodology_is_in_the_site(hostile_pages: dict[str, str]) -> None:
    assert {"criteria/hostile/site/1.md", "criteria/hostile/site/2.md", "criteria/hostile/site/1-examples.md", "criteria/hostile/site/history.md"} <= set(hostile_pages)


def test_no_methodology_text_becomes_live_html(hostile_pages: dict[str, str]) -> None:
    converter = markdown_of_the_site()
    for path, content in hostile_pages.items():
        page = LiveHtml()
        page.feed(converter.reset().convert(content))
        page.close()
        assert page.live == [], f"{path}: {page.live}"


def test_methodology_texts_are_shown_as_written(hostile_pages: dict[str, str]) -> None:
    converter = markdown_of_the_site()
    shown = {}
    for path, content in hostile_pages.items():
        page = LiveHtml()
        page.feed(converter.reset().convert(content))
        shown[path] = " ".join("".join(page.text).split())
    version = shown["criteria/hostile/site/1.md"]
    english = "Status:" in version  # an English page shows the English labels, with the Vietnamese beside them
    both = (" title_en", " issuer_en", " label_en") if english else ()
    for suffix in (" title", " issuer", " label", " band", " level", " level label", " option", " wording", " cap_note", " number", " unit", *both):
        assert _text(suffix) in version, suffix
    assert " ".join(MULTILINE.split()) in version
    for url in BAD_URLS:
        assert " ".join(url.split()) in version  # shown as text, not linked
    disagrees = "the engine disagrees" if english else "cho kết quả khác kiểm thử"
    assert disagrees in shown["criteria/hostile/site/1-examples.md"]
    assert _text(" failing case") in shown["criteria/hostile/site/1-examples.md"]
    history = shown["criteria/hostile/site/history.md"]
    renamed = "renamed" if english else "đổi tên"
    assert HOSTILE.rstrip("\\") in history and renamed in history  # the diff quotes labels as Python does


def test_only_an_http_url_becomes_a_link(hostile_pages: dict[str, str]) -> None:
    converter = markdown_of_the_site()
    links: list[str] = []

    class Links(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            links.extend(value or "" for name, value in attrs if tag == "a" and name == "href" and not (value or "").startswith(("#", "../", "1", "2", "history")))

    Links().feed(converter.convert(hostile_pages["criteria/hostile/site/1.md"]))
    assert links == [GOOD_URL]


# The site's own hook and theme around the hostile pages: the nav, the table of contents, the titles.
HOOK = """
import os
from par_rules.authoring import criteria_nav, criteria_pages
from mkdocs.structure.files import File
_pages = []
def on_config(config):
    _pages[:] = criteria_pages(os.environ["HOSTILE_ROOT"])
    config.nav = [{"Home": "index.md"}, {"Criteria": criteria_nav(_pages)}]
    return config
def on_files(files, config):
    for page in _pages:
        files.append(File.generated(config, page.path, content=page.content))
    return files
"""


class LiveInTheme(LiveHtml):
    """Like LiveHtml, but the theme's own tags are allowed (its scripts, icons, search form...):
    only a script that came from the methodology counts."""

    live_tags = frozenset({"img", "iframe", "object", "embed", "math", "base"})

    def __init__(self) -> None:
        super().__init__()
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_script = tag == "script"
        super().handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self.in_script and "alert(" in data:
            self.live.append(f"<script>{data[:80]}")

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False


def test_the_built_site_has_no_live_methodology_text(hostile_root: Path, tmp_path: Path) -> None:
    pytest.importorskip("mkdocs", reason='the docs extra is not installed (pip install -e ".[docs]")')
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    (tmp_path / "hook.py").write_text(HOOK, encoding="utf-8")
    site = {"site_name": "hostile", "docs_dir": "docs", "strict": True, "theme": config["theme"], "markdown_extensions": config["markdown_extensions"], "hooks": ["hook.py"], "plugins": ["search"]}
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(site), encoding="utf-8")
    env = {**os.environ, "HOSTILE_ROOT": str(hostile_root), "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]), "NO_MKDOCS_2_WARNING": "1"}
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--site-dir", str(tmp_path / "site")], cwd=tmp_path, capture_output=True, text=True, env=env, check=False)
    assert build.returncode == 0, build.stdout + build.stderr
    pages = sorted((tmp_path / "site" / "criteria").rglob("*.html"))
    assert len(pages) == 5
    for page in pages:
        parser = LiveInTheme()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.live == [], f"{page}: {parser.live}"


# Where the site puts a text, with the words around it: a paragraph, emphasis, a table cell, a
# heading with its anchor, an admonition, a list item.
CONTEXTS = ["{}", "x · *{}*", "| a | b |\n|---|---|\n| `id` | {} |", "## {} {{#anchor}}", '!!! note "n"\n    {}', "- {}"]
SYNTAX_HEAVY = st.text(alphabet=st.sampled_from(list("\\`*_{}[]()#+-.!|<>&\"'=~^:;/ \n\tax1é\x02\x03")) | st.characters(), min_size=1, max_size=30)


@given(text=SYNTAX_HEAVY.filter(str.strip))
def test_any_text_is_shown_as_written_wherever_the_site_puts_it(text: str) -> None:
    converter = markdown_of_the_site()
    # What escape promises to keep: the words, whitespace collapsed, control characters shown as U+FFFD.
    expected = "".join("\ufffd" if unicodedata.category(char) == "Cc" else char for char in " ".join(text.split()))
    for context in CONTEXTS:
        page = LiveHtml()
        page.feed(converter.reset().convert(context.format(escape(text))))
        page.close()
        assert page.live == [], (context, page.live)
        shown = " ".join("".join(page.text).split())
        if context.startswith("##"):
            shown = shown.removesuffix("¶").rstrip()  # the heading's permalink (toc: permalink)
        assert expected in shown, (context, shown)
