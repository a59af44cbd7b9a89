"""The documentation site: its pages are written from the methodology files, the mkdocs build is
strict and clean, and a real headless browser (Debian's chromium) sees the tree, the history and
the search working.

The browser tests skip only where chromium is missing and CI is not set; in CI they run. Set
``PAR_RULES_SCREENSHOT=docs/assets/criteria-page.png`` to refresh the home page's screenshot.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import par_rules
from par_rules.engine._arithmetic import format_short
from par_rules.authoring._methodology_tests import find_test_files, load_tests
from par_rules.authoring._site import criteria_nav, criteria_pages, escape, rule_in_words

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
EXAMPLE = "example/par-index/district"
PROVINCE = "vn/moha/par-index/province"
IN_CI = bool(os.environ.get("CI"))


def _require(module: str) -> Any:
    """A module of the docs extra: skipped without it locally, a failure in CI (which installs it)."""
    if IN_CI:
        return importlib.import_module(module)
    return pytest.importorskip(module, reason='the docs extra is not installed (pip install -e ".[docs]")')


# --- the pages, without mkdocs -------------------------------------------------------------------


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return {page.path: page.content for page in criteria_pages()}


def test_every_shipped_version_has_a_page_and_every_methodology_a_history(pages: dict[str, str]) -> None:
    infos = par_rules.all_versions()
    assert infos, "no methodology shipped"
    for info in infos:
        assert f"criteria/{info.id}/{info.version}.md" in pages
        assert f"criteria/{info.id}/history.md" in pages
        assert f"`{info.id}`" in pages["criteria/index.md"]


def test_a_version_page_shows_every_node_with_its_cap_and_rule(pages: dict[str, str]) -> None:
    methodology = par_rules.load(EXAMPLE, year=2024)
    page = pages[f"criteria/{EXAMPLE}/2024.md"]
    for node in methodology.nodes():
        assert f"{{#node-{node.id.replace('.', '-')}}}" in page, node.id
        if node.is_leaf:
            assert escape(rule_in_words(node, methodology.indicators)) in page, node.id
    assert "| [5](#node-5) | **Xây dựng và phát triển chính quyền điện tử, chính quyền số**<br>*E-government and digital government* | 16.75 |" in page
    assert "from 98%: 8 points; from 90% to under 98%: 6 points" in page
    assert 'Status: illustrative' in page


def test_rules_read_with_their_labels_and_units() -> None:
    methodology = par_rules.load(EXAMPLE, year=2024)
    satisfaction = rule_in_words(methodology.node("6.1"), methodology.indicators)
    assert satisfaction == "mean of the answers, each worth a share of 20: Rất hài lòng 100%, Hài lòng 60%, Bình thường 20%, Không hài lòng 0%"
    assert rule_in_words(methodology.node("3.1"), methodology.indicators) == "10 minus 2.5 per occurrence (at most 10 deducted)"
    with pytest.raises(ValueError, match="node 1 has no rule"):
        rule_in_words(methodology.node("1"), methodology.indicators)


def test_the_nav_has_one_section_per_methodology(pages: dict[str, str]) -> None:
    nav = criteria_nav(criteria_pages())
    assert nav[0] == {"All methodologies": "criteria/index.md"}
    sections = {key: value for entry in nav[1:] for key, value in entry.items()}
    assert set(sections) == {info.id for info in par_rules.all_versions()}
    assert {"Version history": f"criteria/{EXAMPLE}/history.md"} in sections[EXAMPLE]


def test_a_broken_methodology_stops_the_site(tmp_path: Path) -> None:
    broken = tmp_path / "x" / "y"
    broken.mkdir(parents=True)
    (broken / "2024.yaml").write_text("format: 1\nid: x/y\nversion: '2024'\nyears: [2024]\ncriteria: 3\n", encoding="utf-8")
    with pytest.raises(par_rules.MethodologyError, match=r"2024\.yaml"):
        criteria_pages(tmp_path)


def test_worked_examples_are_the_methodology_tests_scored_by_the_engine(pages: dict[str, str]) -> None:
    suites = [load_tests(path) for path in find_test_files([par_rules.shipped_root()])]
    assert suites, "no methodology ships a tests file"
    for suite in suites:
        methodology = par_rules.load(suite.methodology)
        page = pages[f"criteria/{methodology.id}/{methodology.version}-examples.md"]
        for case in suite.cases:
            assert f"## {escape(case.name)}" in page
            if case.error is None:
                result = par_rules.score(methodology, case.record, parts=case.parts)
                if result.complete:
                    assert f"**Total {format_short(result.published_total)} / {format_short(methodology.scale)}**" in page, case.name
                else:  # parts not in yet: the points so far and the most they can reach, no index
                    assert f"**Partial: {format_short(result.published_total)} so far, at most {format_short(result.reach)} / {format_short(methodology.scale)}**" in page, case.name
        assert "the engine disagrees" not in page


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
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert build.returncode == 0, build.stdout + build.stderr
    assert "WARNING" not in build.stderr, build.stderr
    return out


def test_mkdocs_build_is_strict_and_clean(site: Path) -> None:
    page = (site / "criteria" / EXAMPLE / "2024" / "index.html").read_text(encoding="utf-8")
    assert "16.75" in page
    assert (site / "api" / "index.html").read_text(encoding="utf-8").count("par_rules.score") > 0
    assert "par-rules score" in (site / "cli" / "index.html").read_text(encoding="utf-8")


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
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)))
    yield driver
    driver.quit()


def _wait(driver: Any, condition: Any) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 30).until(condition)


def test_browser_shows_the_tree_with_its_points(browser: Any, served: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{served}criteria/{EXAMPLE}/2024/#points-at-a-glance")
    link = _wait(browser, lambda driver: driver.find_element(By.CSS_SELECTOR, '.md-content table a[href="#node-5"]'))
    cells = [cell.text for cell in link.find_element(By.XPATH, "./ancestor::tr").find_elements(By.TAG_NAME, "td")]
    assert cells[1].splitlines() == ["Xây dựng và phát triển chính quyền điện tử, chính quyền số", "E-government and digital government"]
    assert cells[2] == "16.75"
    heading = browser.find_element(By.ID, "node-1-1-2")
    assert "Mức độ thực hiện kế hoạch CCHC" in heading.get_attribute("textContent")
    screenshot = Path(os.environ.get("PAR_RULES_SCREENSHOT") or tmp_path / "criteria-page.png")
    browser.save_screenshot(str(screenshot))
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_browser_history_lists_a_real_change(browser: Any, served: str) -> None:
    from selenium.webdriver.common.by import By

    old, new = par_rules.load(PROVINCE, version="2019"), par_rules.load(PROVINCE, version="2020")
    new_caps = {node.id: node.max for node in new.nodes()}
    recapped = {node.id: new_caps[node.id] for node in old.nodes() if node.id in new_caps and node.max != new_caps[node.id]}
    assert recapped, "2020 re-caps fields of 2019"
    browser.get(f"{served}criteria/{PROVINCE}/history/")
    section = _wait(browser, lambda driver: driver.find_element(By.ID, "version-2020"))
    rows = section.find_elements(By.XPATH, "following::table[1]//tbody/tr")
    shown = {cells[1]: cells for cells in ([cell.text for cell in row.find_elements(By.TAG_NAME, "td")] for row in rows)}
    assert set(shown) == set(recapped), shown
    for node_id, cap in recapped.items():
        assert shown[node_id][0] == "re-capped" and shown[node_id][3] == format_short(cap), shown[node_id]


def test_browser_search_finds_a_criterion_by_a_vietnamese_word(browser: Any, served: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served)
    query = _wait(browser, lambda driver: driver.find_element(By.CSS_SELECTOR, "input.md-search__input"))
    query.click()
    query.send_keys("điện tử")
    results = _wait(browser, lambda driver: driver.find_elements(By.CSS_SELECTOR, "a.md-search-result__link") or None)
    texts = [(result.get_attribute("href"), result.text) for result in results]
    assert any("/criteria/" in href and "điện tử" in text.lower() for href, text in texts), texts
