"""The documentation site: its pages are written from the methodology files in Vietnamese first and
in English, the mkdocs build is strict and clean, and a real headless browser (Debian's chromium)
sees, on both sides of the language switch, the tree, the history and the search working, the
criteria tables whole at a phone's width, and no request leaving the site.

The browser tests skip only where chromium is missing and CI is not set; in CI they run. Set
``PAR_RULES_SCREENSHOTS=docs/assets`` to refresh the screenshots the README and the home page show.
"""

from __future__ import annotations

import functools
import html
import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import par_rules
from par_rules.authoring._methodology_tests import find_test_files, load_tests
from par_rules.authoring._site import (
    LANGUAGES,
    criteria_nav,
    criteria_pages,
    escape,
    number,
    rule_in_words,
)

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
EXAMPLE = "example/par-index/district"
PROVINCE = "vn/moha/par-index/province"
IN_CI = bool(os.environ.get("CI"))
PREFIX = {"vi": "", "en": "en/"}  # where each language's pages are in the built site
E_GOV = "Xây dựng và phát triển chính quyền điện tử, chính quyền số"


def _require(module: str) -> Any:
    """A module of the docs extra: skipped without it locally, a failure in CI (which installs it)."""
    if IN_CI:
        return importlib.import_module(module)
    return pytest.importorskip(module, reason='the docs extra is not installed (pip install -e ".[docs]")')


# --- the pages, without mkdocs -------------------------------------------------------------------


@pytest.fixture(scope="module", params=LANGUAGES)
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def all_pages() -> dict[str, dict[str, str]]:
    return {code: {page.path: page.content for page in criteria_pages(lang=code)} for code in LANGUAGES}


@pytest.fixture(scope="module")
def pages(all_pages: dict[str, dict[str, str]], lang: str) -> dict[str, str]:
    return all_pages[lang]


def test_every_shipped_version_has_a_page_and_every_methodology_a_history(pages: dict[str, str]) -> None:
    infos = par_rules.all_versions()
    assert infos, "no methodology shipped"
    for info in infos:
        assert f"criteria/{info.id}/{info.version}.md" in pages
        assert f"criteria/{info.id}/history.md" in pages
        assert f"`{info.id}`" in pages["criteria/index.md"]


def test_both_languages_have_the_same_pages(all_pages: dict[str, dict[str, str]]) -> None:
    assert set(all_pages["vi"]) == set(all_pages["en"])
    for path, content in all_pages["vi"].items():
        assert content != all_pages["en"][path], path


def test_a_version_page_shows_every_node_with_its_cap_and_rule(pages: dict[str, str], lang: str) -> None:
    methodology = par_rules.load(EXAMPLE, year=2024)
    page = pages[f"criteria/{EXAMPLE}/2024.md"]
    for node in methodology.nodes():
        assert f"{{#node-{node.id.replace('.', '-')}}}" in page, node.id
        if node.is_leaf:
            assert escape(rule_in_words(node, methodology.indicators, lang)) in page, node.id
    if lang == "vi":
        assert f"| [5](#node-5) | **{E_GOV}** | 16,75 | thẩm định | có nguồn |" in page
        assert "từ 98%: 8 điểm; từ 90% đến dưới 98%: 6 điểm" in page
        assert '!!! warning "Tình trạng: minh họa"' in page
    else:
        assert f"| [5](#node-5) | **E-government and digital government<br>*{E_GOV}*** | 16.75 | appraisal | sourced |" in page
        assert "from 98%: 8 points; from 90% to under 98%: 6 points" in page
        assert '!!! warning "Status: illustrative"' in page


def test_numbers_are_written_as_their_readers_write_them() -> None:
    assert number(Decimal("16.75"), "vi") == "16,75"
    assert number(Decimal("16.75"), "en") == "16.75"
    assert number(Decimal("-0.5"), "vi") == "-0,5"
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        number(Decimal(1), "fr")


def test_rules_read_with_their_labels_and_units() -> None:
    methodology = par_rules.load(EXAMPLE, year=2024)
    node, indicators = methodology.node, methodology.indicators
    assert rule_in_words(node("6.1"), indicators) == "mean of the answers, each worth a share of 20: Rất hài lòng 100%, Hài lòng 60%, Bình thường 20%, Không hài lòng 0%"
    assert rule_in_words(node("3.1"), indicators) == "10 minus 2.5 per occurrence (at most 10 deducted)"
    # In Vietnamese, each kind's own sentence (describe_vi), with the level and option labels.
    for leaf in methodology.leaves():
        assert leaf.rule is not None
        assert rule_in_words(leaf, indicators, "vi") == leaf.rule.describe_vi(leaf.max, indicators.get(leaf.rule.indicator) if leaf.rule.indicator else None)
        assert " point" not in rule_in_words(leaf, indicators, "vi"), leaf.id
    assert rule_in_words(node("1.1.1"), indicators, "vi").startswith("Ban hành kịp thời: 1 điểm")
    assert rule_in_words(node("6.1"), indicators, "vi").endswith("Rất hài lòng 100%, Hài lòng 60%, Bình thường 20%, Không hài lòng 0%")
    with pytest.raises(ValueError, match="node 1 has no rule"):
        rule_in_words(node("1"), indicators)
    with pytest.raises(ValueError, match="tiêu chí 1 không có quy tắc"):
        rule_in_words(node("1"), indicators, "vi")


def test_the_nav_shows_titles_not_ids(lang: str) -> None:
    nav = criteria_nav(criteria_pages(lang=lang))
    assert nav[0] == {("Tất cả bộ chỉ số" if lang == "vi" else "All methodologies"): "criteria/index.md"}
    sections = {key: value for entry in nav[1:] for key, value in entry.items()}
    methodologies = {info.id: par_rules.load(info.path) for info in par_rules.all_versions()}
    titles = {escape(m.title_en if lang == "en" and m.title_en else m.title) for m in methodologies.values()}  # the theme writes them as HTML
    assert set(sections) == titles
    assert not set(sections) & set(methodologies), "a methodology id in the nav"
    example = methodologies[EXAMPLE]
    history = "Lịch sử phiên bản" if lang == "vi" else "Version history"
    assert {history: f"criteria/{EXAMPLE}/history.md"} in sections[escape(example.title if lang == "vi" else example.title_en)]


def test_a_history_row_names_its_node(pages: dict[str, str], lang: str) -> None:
    page = pages[f"criteria/{PROVINCE}/history.md"]
    new = par_rules.load(PROVINCE, version="2020")
    label = new.node("3").label_en if lang == "en" and new.node("3").label_en else new.node("3").label
    kind, cap = ("đổi điểm tối đa", "13,5") if lang == "vi" else ("re-capped", "13.5")
    assert f"| {kind} | [3](../../../../../criteria/{PROVINCE}/2020.md#node-3) {escape(label)} | 14 | {escape(cap)} |" in page
    rows = [line for line in page.splitlines() if line.startswith("| ") and "](" in line]
    assert rows
    for row in rows:
        node_cell = row.split(" | ")[1]
        assert re.fullmatch(r"\[[^\]]+\]\([^)]+\) \S.*", node_cell), row


def test_legal_sources_are_links(pages: dict[str, str]) -> None:
    page = pages[f"criteria/{PROVINCE}/2024.md"]
    for doc in par_rules.load(PROVINCE, version="2024").legal_basis:
        assert doc.url
        assert f'<a href="{html.escape(doc.url, quote=True)}">**{escape(doc.number)}**</a>' in page, doc.number


def test_a_broken_methodology_stops_the_site(tmp_path: Path) -> None:
    broken = tmp_path / "x" / "y"
    broken.mkdir(parents=True)
    (broken / "2024.yaml").write_text("format: 1\nid: x/y\nversion: '2024'\nyears: [2024]\ncriteria: 3\n", encoding="utf-8")
    with pytest.raises(par_rules.MethodologyError, match=r"2024\.yaml"):
        criteria_pages(tmp_path)


def test_worked_examples_are_the_methodology_tests_scored_by_the_engine(pages: dict[str, str], lang: str) -> None:
    suites = [load_tests(path) for path in find_test_files([par_rules.shipped_root()])]
    assert suites, "no methodology ships a tests file"
    total, partial = ("Tổng", "Một phần") if lang == "vi" else ("Total", "Partial")
    for suite in suites:
        methodology = par_rules.load(suite.methodology)
        page = pages[f"criteria/{methodology.id}/{methodology.version}-examples.md"]
        for case in suite.cases:
            assert f"## {escape(case.name)}" in page
            if case.error is None:
                result = par_rules.score(methodology, case.record, parts=case.parts)
                if result.complete:
                    assert f"**{total} {number(result.published_total, lang)} / {number(methodology.scale, lang)}**" in page, case.name
                else:  # parts not in yet: the points so far and the most they can reach, no index
                    so_far = f"{number(result.published_total, lang)} {'đến nay, nhiều nhất' if lang == 'vi' else 'so far, at most'}"
                    assert f"**{partial}: {so_far} {number(result.reach, lang)} / {number(methodology.scale, lang)}**" in page, case.name
        assert "the engine disagrees" not in page and "cho kết quả khác" not in page
    # Levels and answers by their labels, as the methodology names them.
    page = pages[f"criteria/{EXAMPLE}/2024-examples.md"]
    assert "| `plan_issued` |" in page and "| Ban hành kịp thời (`on_time`) |" in page
    assert "Rất hài lòng: 412, Hài lòng: 301, Bình thường: 52, Không hài lòng: 9" in page


def test_api_docstrings_show_doctests_as_sessions_and_roles_as_code() -> None:
    _require("griffe")
    spec = importlib.util.spec_from_file_location("docstrings_extension", ROOT / "docs" / "_hooks" / "docstrings.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = "Load it.\n\n>>> 1 + 1\n2\n\nSee :class:`~par_rules.model.Node` and :func:`par_rules.load`::"
    assert module.markdown_docstring(text).splitlines() == [
        "Load it.", "", "```pycon", ">>> 1 + 1", "2", "```", "", "See `Node` and `par_rules.load`:",
    ]
    assert module.markdown_docstring(">>> 1").splitlines() == ["```pycon", ">>> 1", "```"]


def _plugin(roots: list[str] | None = None) -> Any:
    """The plugin as mkdocs makes it: found through the ``mkdocs.plugins`` entry point, its
    options validated against a config file at the repository's root."""
    _require("mkdocs")
    from importlib.metadata import entry_points

    found = entry_points(group="mkdocs.plugins", name="par-rules")
    if not found:
        pytest.fail("the mkdocs plugin par-rules is not registered: install the package again (pip install -e .) to register pyproject.toml's entry points")
    (entry,) = found
    plugin = entry.load()()
    errors, warnings = plugin.load_config({} if roots is None else {"roots": roots}, str(ROOT / "mkdocs.yml"))
    assert errors == [] and warnings == []
    return plugin


def test_the_plugin_is_the_package_s_own_and_mkdocs_is_not_imported_with_par_rules() -> None:
    plugin = _plugin()
    assert type(plugin).__module__ == "par_rules.authoring._mkdocs_plugin"
    code = "import sys, par_rules, par_rules.authoring; par_rules.load('example/par-index/district'); print('mkdocs' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout.strip() == "False"


def test_mkdocs_serve_watches_the_methodologies() -> None:
    class Server:
        def __init__(self) -> None:
            self.watched: list[str] = []

        def watch(self, path: str) -> None:
            self.watched.append(path)

    server = Server()
    assert _plugin().on_serve(server, config=None, builder=None) is server
    assert server.watched == [str(par_rules.shipped_root())]
    server = Server()
    _plugin(["methodologies/example", "units"]).on_serve(server, config=None, builder=None)
    assert server.watched == [str(ROOT / "methodologies" / "example"), str(ROOT / "units")]


# --- the built site -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _plugin()  # mkdocs.yml lists the par-rules plugin: it must be registered
    _require("mkdocs_static_i18n")
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert build.returncode == 0, build.stdout + build.stderr
    assert "WARNING" not in build.stderr, build.stderr
    return out


def test_mkdocs_build_is_strict_and_clean_in_both_languages(site: Path) -> None:
    for code, field in (("vi", "16,75"), ("en", "16.75")):
        page = (site / PREFIX[code] / "criteria" / EXAMPLE / "2024" / "index.html").read_text(encoding="utf-8")
        assert f'<html lang="{code}"' in page
        assert field in page
        # The language switch leads to the same page in the other language.
        other = "en" if code == "vi" else "vi"
        switch = re.search(rf'<a href="([^"]+)" hreflang="{other}" class="md-select__link"', page)
        assert switch, "no language switch"
        target = (site / PREFIX[code] / "criteria" / EXAMPLE / "2024" / switch[1] / "index.html").resolve()
        assert target == (site / PREFIX[other] / "criteria" / EXAMPLE / "2024" / "index.html").resolve()
    vi_home = (site / "index.html").read_text(encoding="utf-8")
    en_home = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert "Tra cứu tiêu chí" in vi_home and "Criteria browser" in en_home
    assert (site / "api" / "index.html").read_text(encoding="utf-8").count("par_rules.score") > 0
    assert "par-rules score" in (site / "cli" / "index.html").read_text(encoding="utf-8")


# What a page makes the browser fetch by itself: scripts, styles, images, frames, fonts, CSS imports.
_FETCHED = re.compile(
    r"""<(?:script|img|iframe|source|audio|video|embed|track|input)\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?([^"'\s>]+)"""
    r"""|url\(\s*["']?([^"')\s]+)|@import\s+["']([^"']+)""",
    re.IGNORECASE,
)


def test_the_built_site_fetches_nothing_from_another_host(site: Path) -> None:
    outside = set()
    for path in site.rglob("*"):
        if path.suffix not in (".html", ".css"):
            continue
        for match in _FETCHED.finditer(path.read_text(encoding="utf-8", errors="replace")):
            url = next(group for group in match.groups() if group)
            if url.startswith("//") or urlsplit(url).scheme in ("http", "https"):
                outside.add((path.relative_to(site).as_posix(), url))
    assert not outside, sorted(outside)[:20]
    assert "fonts.googleapis.com" not in (site / "index.html").read_text(encoding="utf-8")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        if IN_CI:
            pytest.fail("CI must install chromium and chromium-driver (see .ci/run)")
        pytest.skip("chromium is not installed")
    webdriver = _require("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-extensions", "--window-size=1280,1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})  # every request the pages make
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)))
    yield driver
    driver.quit()


@pytest.fixture()
def phone(browser: Any) -> Iterator[Any]:
    """The browser as a phone 390 px wide, then back to the desktop."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    yield browser
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _wait(driver: Any, condition: Any) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 30).until(condition)


def _screenshot(browser: Any, name: str, tmp_path: Path) -> None:
    folder = os.environ.get("PAR_RULES_SCREENSHOTS")
    target = (ROOT / folder if folder else tmp_path) / name
    browser.save_screenshot(str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_browser_shows_the_tree_with_its_points(browser: Any, served: str, tmp_path: Path, lang: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{served}{PREFIX[lang]}criteria/{EXAMPLE}/2024/#points-at-a-glance")
    link = _wait(browser, lambda driver: driver.find_element(By.CSS_SELECTOR, '.md-content table a[href="#node-5"]'))
    cells = [cell.text for cell in link.find_element(By.XPATH, "./ancestor::tr").find_elements(By.TAG_NAME, "td")]
    if lang == "vi":
        assert cells[1:] == [E_GOV, "16,75", "thẩm định", "có nguồn"]
    else:
        assert cells[1].splitlines() == ["E-government and digital government", E_GOV]
        assert cells[2:] == ["16.75", "appraisal", "sourced"]
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    heading = browser.find_element(By.ID, "node-1-1-2")
    label = "Mức độ thực hiện kế hoạch CCHC" if lang == "vi" else "Degree of plan implementation"
    assert heading.get_attribute("textContent").startswith(f"1.1.2 · {label}")
    # A leaf criterion's heading is no smaller than the text under it.
    size = "return parseFloat(getComputedStyle(arguments[0]).fontSize)"
    paragraph = heading.find_element(By.XPATH, "following-sibling::p[1]")
    assert browser.execute_script(size, heading) >= browser.execute_script(size, paragraph)
    _screenshot(browser, f"criteria-page-{lang}.png", tmp_path)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_browser_history_lists_a_real_change_with_its_label(browser: Any, served: str, lang: str) -> None:
    from selenium.webdriver.common.by import By

    old, new = par_rules.load(PROVINCE, version="2019"), par_rules.load(PROVINCE, version="2020")
    new_caps = {node.id: node.max for node in new.nodes()}
    recapped = {node.id: new_caps[node.id] for node in old.nodes() if node.id in new_caps and node.max != new_caps[node.id]}
    assert recapped, "2020 re-caps fields of 2019"
    browser.get(f"{served}{PREFIX[lang]}criteria/{PROVINCE}/history/")
    section = _wait(browser, lambda driver: driver.find_element(By.ID, "version-2020"))
    rows = section.find_elements(By.XPATH, "following::table[1]//tbody/tr")
    shown = {cells[1].split(" ", 1)[0]: cells for cells in ([cell.text for cell in row.find_elements(By.TAG_NAME, "td")] for row in rows)}
    assert set(shown) == set(recapped), shown
    for node_id, cap in recapped.items():
        node = new.node(node_id)
        label = node.label_en if lang == "en" and node.label_en else node.label
        assert shown[node_id][0] == ("đổi điểm tối đa" if lang == "vi" else "re-capped"), shown[node_id]
        assert shown[node_id][1] == f"{node_id} {label}", shown[node_id]
        assert shown[node_id][3] == number(cap, lang), shown[node_id]


def _search(browser: Any, served: str, lang: str, text: str) -> list[tuple[str, str]]:
    return [(href, text) for href, text, _ in _search_marked(browser, served, lang, text)]


def _search_marked(browser: Any, served: str, lang: str, text: str) -> list[tuple[str, str, list[str]]]:
    """The search results for ``text``: each link, its text and the words the search marked in it."""
    from selenium.webdriver.common.by import By

    browser.get(f"{served}{PREFIX[lang]}")
    query = _wait(browser, lambda driver: driver.find_element(By.CSS_SELECTOR, "input.md-search__input"))
    query.click()
    query.send_keys(text)
    results = _wait(browser, lambda driver: driver.find_elements(By.CSS_SELECTOR, "a.md-search-result__link") or None)
    return [
        (result.get_attribute("href"), result.text, [mark.text for mark in result.find_elements(By.TAG_NAME, "mark")])
        for result in results
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_browser_search_finds_a_criterion_by_a_vietnamese_word(browser: Any, served: str, lang: str) -> None:
    texts = _search(browser, served, lang, "điện tử")
    assert any("/criteria/" in href and "điện tử" in text.lower() for href, text in texts), texts


@pytest.mark.parametrize(("lang", "query"), [("vi", "16,75"), ("en", "16,75"), ("en", "16.75")])
def test_browser_search_finds_the_e_government_cap(browser: Any, served: str, lang: str, query: str) -> None:
    results = _search_marked(browser, served, lang, query)
    hits = [(href, marks) for href, _, marks in results if f"/criteria/{EXAMPLE}/2024/" in href]
    assert hits, results
    # One word, not "16" and "75" found apart: the separator keeps a comma between digits.
    assert any(query in marks for _, marks in hits), hits


@pytest.mark.parametrize("lang", LANGUAGES)
def test_browser_criteria_tables_fit_a_phone(phone: Any, served: str, tmp_path: Path, lang: str) -> None:
    from selenium.webdriver.common.by import By

    phone.get(f"{served}{PREFIX[lang]}criteria/{EXAMPLE}/2024/#points-at-a-glance")
    table = _wait(phone, lambda driver: driver.find_element(By.XPATH, "//*[@id='points-at-a-glance']/following::table[1]"))
    width = phone.execute_script("return document.documentElement.clientWidth")
    assert width == 390
    cells = table.find_elements(By.XPATH, ".//thead//th | .//tbody/tr[position() <= 20]/td")
    assert len(cells) >= 5 * 19
    for cell in cells:
        rect = cell.rect
        assert rect["width"] > 0 and rect["x"] >= 0 and rect["x"] + rect["width"] <= width, (cell.text, rect)
    _screenshot(phone, f"criteria-page-{lang}-390.png", tmp_path)


def _requests(browser: Any) -> list[str]:
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


@pytest.mark.parametrize("lang", LANGUAGES)
def test_browser_the_site_asks_nothing_of_another_host(browser: Any, served: str, lang: str) -> None:
    from selenium.webdriver.common.by import By

    _requests(browser)  # forget what earlier tests asked
    for path in ("", f"criteria/{EXAMPLE}/2024/", f"criteria/{PROVINCE}/history/", "format/"):
        browser.get(f"{served}{PREFIX[lang]}{path}")
        _wait(browser, lambda driver: driver.find_element(By.CSS_SELECTOR, "input.md-search__input"))
    _search(browser, served, lang, "điện tử")  # the search worker and its index
    requests = _requests(browser)
    assert any(url.endswith("search_index.json") for url in requests), requests
    host = urlsplit(served).netloc
    outside = [url for url in requests if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != host]
    assert not outside, outside


@pytest.mark.parametrize("environment", ["vi", "en"])
def test_each_language_of_the_site_speaks_only_its_own_language_whatever_par_rules_lang(environment: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # mkdocs builds both languages in one process, with PAR_RULES_LANG unset (Vietnamese): the
    # engine's sentences on an English page must still be English, and the other way round.
    from par_rules.authoring import criteria_pages

    monkeypatch.setenv("PAR_RULES_LANG", environment)
    page = {lang: next(page for page in criteria_pages(lang=lang) if page.path == "criteria/example/par-index/district/2024.md") for lang in ("vi", "en")}
    assert "Max 16.75 points" in page["en"].content and "&#40;0 to 16.75&#41;" in page["en"].content
    assert "điểm thẩm định" not in page["en"].content and "16,75" not in page["en"].content
    assert "Tối đa 16,75 điểm" in page["vi"].content and "&#40;từ 0 đến 16,75&#41;" in page["vi"].content
