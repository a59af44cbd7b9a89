"""The criteria browser shows a methodology's texts as text: none of them becomes live HTML.

A methodology is data written by others. Every text of it (titles, labels, notes, ids of
bands, levels and answers, legal references and their URLs, the names and notes of its test
cases) is loaded here with HTML and Markdown syntax, the site's pages are written from it and
converted to HTML by Python-Markdown with the extensions of ``mkdocs.yml``, and the HTML is
parsed: no script, no event attribute, no link or source but http(s) or relative, and each
hostile text still shown, character for character.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from par_rules.site import criteria_pages

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


@pytest.fixture(scope="module")
def hostile_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("methodologies")
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
    return {page.path: page.content for page in criteria_pages(root)}


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

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in LIVE_TAGS:
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
    for suffix in (" title", " issuer_en", " label", " band", " level", " level label", " option", " wording", " cap_note", " number", " unit"):
        assert _text(suffix) in version, suffix
    assert " ".join(MULTILINE.split()) in version
    for url in BAD_URLS:
        assert " ".join(url.split()) in version  # shown as text, not linked
    assert "the engine disagrees" in shown["criteria/hostile/site/1-examples.md"]
    assert _text(" failing case") in shown["criteria/hostile/site/1-examples.md"]
    history = shown["criteria/hostile/site/history.md"]
    assert HOSTILE.rstrip("\\") in history and "renamed" in history  # the diff quotes labels as Python does


def test_only_an_http_url_becomes_a_link(hostile_pages: dict[str, str]) -> None:
    converter = markdown_of_the_site()
    links: list[str] = []

    class Links(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            links.extend(value or "" for name, value in attrs if tag == "a" and name == "href" and not (value or "").startswith(("#", "../", "1", "2", "history")))

    Links().feed(converter.convert(hostile_pages["criteria/hostile/site/1.md"]))
    assert links == [GOOD_URL]
