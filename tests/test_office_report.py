"""Results reports (issue 13): the HTML report is self-contained, escaped and deterministic, and
every chart is drawn (a headless Chromium opens it and sees no request leave the file); the
annex workbook holds the published figures, native charts and never a formula.

Set ``PAR_RULES_REPORT_SCREENSHOT=docs/assets/report.png`` to refresh the docs' screenshot.
"""

from __future__ import annotations

import json
import os
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

import par_rules
from par_rules.engine._arithmetic import publish
from par_rules.cli import main
from par_rules.files import read_records

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "example/par-index/district"
EXAMPLE_2025 = str(ROOT / "examples/methodologies/example/par-index/district/2025.yaml")
RECORDS_2024 = str(ROOT / "examples/district-2024.json")
RECORDS_2025 = str(ROOT / "examples/district-2025.csv")
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
HOSTILE = [  # seven: one per example unit
    '<script>alert(1)</script>', 'javascript:alert(1)', '"><img src=x onerror=alert(1)>', "x --> <svg onload=alert(1)>",
    "$\\frac{1}{0}$", "=HYPERLINK(\"http://evil.example\")", "@SUM(A1)",
]

pytest.importorskip("matplotlib", reason="the report extra is not installed (pip install -e '.[report]')")


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text outside tags."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(text: str) -> _Elements:
    parser = _Elements()
    parser.feed(text)
    return parser


def _html(tmp_path: Path, *extra: str, records: str = RECORDS_2025, methodology: str = EXAMPLE_2025) -> str:
    out = tmp_path / "report.html"
    # Vietnamese unless the test asks otherwise (conftest sets PAR_RULES_LANG=en for the run)
    result = CliRunner().invoke(main, ["report", methodology, records, *extra, "-o", str(out)], env={"PAR_RULES_LANG": "vi"})
    assert result.exit_code == 0, result.stderr
    return out.read_text(encoding="utf-8")


def test_the_report_is_self_contained_and_has_every_part(tmp_path: Path) -> None:
    text = _html(tmp_path, "--previous", EXAMPLE, RECORDS_2024)
    page = _parse(text)
    assert ("meta", {"http-equiv": "Content-Security-Policy", "content": "default-src 'none'; style-src 'unsafe-inline'; img-src data:"}) in page.tags
    for tag, attributes in page.tags:
        assert tag not in ("script", "link", "iframe", "img", "object", "embed", "image"), tag
        assert "src" not in attributes and not any(name.startswith("on") for name in attributes)
        for name in ("href", "xlink:href"):
            assert attributes.get(name) is None or attributes[name].startswith("#"), attributes
    charts = [attributes["data-chart"] for tag, attributes in page.tags if tag == "figure"]
    assert charts[:5] == ["ranking", "heatmap", "distribution", "lost-by-field", "changes"]
    assert len(charts) == 5 + 7  # and one per unit
    assert text.count("<svg") == len(charts)
    for heading in ("Bảng kết quả", "Tăng nhiều nhất", "Thay đổi so với năm trước", "Từng đơn vị", "Nơi bị trừ nhiều điểm nhất"):
        assert heading in text
    methodology = par_rules.load(EXAMPLE_2025)
    results = [par_rules.score(methodology, record) for _, record in read_records(RECORDS_2025)]
    for result in results:  # every unit's published index, with the methodology's decimals, a decimal comma in Vietnamese
        assert f"<td class=n>{publish(result.index, methodology.decimals):.2f}</td>".replace(".", ",") in text


def test_the_report_is_deterministic_and_speaks_english_when_asked(tmp_path: Path) -> None:
    first = _html(tmp_path)
    assert first == _html(tmp_path)
    english = _html(tmp_path, "--lang", "en")
    assert "<h2 id=\"results\">Results</h2>" in english and 'lang="en"' in english
    assert "<td class=n>92.50</td>" in english and "<td class=n>92,50</td>" in first


@pytest.mark.parametrize("extra", [(), ("--sensitivity", "10")], ids=["plain", "with-rank-robustness"])
def test_hostile_unit_names_stay_text(tmp_path: Path, extra: tuple[str, ...]) -> None:
    records = [dict(record) for _, record in read_records(RECORDS_2024)]
    for record, name in zip(records, HOSTILE):
        record["name"] = name
        record["unit"] = name
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(records, default=str), encoding="utf-8")
    text = _html(tmp_path, *extra, records=str(path), methodology=EXAMPLE)
    page = _parse(text)
    assert ('data-chart="robustness"' in text) == bool(extra)
    assert not any(tag == "script" or any(name.startswith("on") for name in attributes) for tag, attributes in page.tags)
    links = [attributes.get(name) or "" for _, attributes in page.tags for name in ("href", "xlink:href", "src", "action", "formaction")]
    assert not any("javascript:" in link.lower() for link in links)
    assert not any(value and "<" in value for _, attributes in page.tags for value in attributes.values() if value is not None and attributes.get("aria-label") != value)
    for name in HOSTILE:
        assert name in "".join(page.text), name  # shown as written, as text
    annex = tmp_path / "annex.xlsx"
    assert CliRunner().invoke(main, ["report", EXAMPLE, str(path), "-o", str(annex)]).exit_code == 0
    sheet = openpyxl.load_workbook(annex).worksheets[0]
    names = {sheet.cell(row=row, column=2).value: sheet.cell(row=row, column=2) for row in range(2, sheet.max_row + 1)}
    for name in HOSTILE:
        assert names[name].data_type == "s"
        if name[0] in "=+-@":
            assert names[name].quotePrefix


def test_the_annex_holds_the_published_figures_and_native_charts(tmp_path: Path) -> None:
    annex = tmp_path / "annex.xlsx"
    result = CliRunner().invoke(main, ["report", EXAMPLE_2025, RECORDS_2025, "--previous", EXAMPLE, RECORDS_2024, "-o", str(annex), "--lang", "vi"])
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(annex)
    assert book.sheetnames == ["Kết quả", "So sánh"]
    results_sheet, changes = book["Kết quả"], book["So sánh"]
    assert len(results_sheet._charts) == 1 and len(changes._charts) == 1
    methodology = par_rules.load(EXAMPLE_2025)
    ranking = par_rules.rank([par_rules.score(methodology, record) for _, record in read_records(RECORDS_2025)])
    header = [cell.value for cell in results_sheet[1]]
    index_column = header.index("Chỉ số (%)")
    for row, entry in zip(results_sheet.iter_rows(min_row=2, values_only=True), ranking):
        assert row[0] == entry.rank and row[1] == entry.result.record.name
        assert str(row[index_column]) == str(publish(entry.index, methodology.decimals)).rstrip("0").rstrip(".")
        assert row[-1] == (entry.band.id if entry.band else "chưa xếp loại")
    assert changes.max_row == 1 + 7


def test_a_missing_matplotlib_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    result = CliRunner().invoke(main, ["report", EXAMPLE, RECORDS_2024, "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 1 and "pip install 'par-rules[report]'" in result.stderr
    assert CliRunner().invoke(main, ["report", EXAMPLE, RECORDS_2024, "-o", str(tmp_path / "r.xlsx")]).exit_code == 0  # the annex needs no matplotlib


def test_importing_par_rules_does_not_import_matplotlib() -> None:
    import subprocess

    code = "import par_rules, par_rules.cli, sys; print('matplotlib' in sys.modules, 'openpyxl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert out.stdout.split() == ["False", "False"]


# --- in a real browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Any:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium and chromium-driver (see .ci/run)")
        pytest.skip("chromium is not installed")
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-extensions", "--window-size=1280,1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)))
    yield driver
    driver.quit()


def test_browser_draws_every_chart_and_no_request_leaves_the_file(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    _html(tmp_path, "--previous", EXAMPLE, RECORDS_2024)
    page = (tmp_path / "report.html").resolve()
    browser.get_log("performance")  # drop what came before
    browser.get(page.as_uri())
    figures = browser.find_elements(By.CSS_SELECTOR, "figure.chart")
    assert len(figures) == 12
    for figure in figures:
        svg = figure.find_element(By.TAG_NAME, "svg")
        drawn = browser.execute_script("const b = arguments[0].getBBox(); return [b.width, b.height, arguments[0].querySelectorAll('path, use').length]", svg)
        assert drawn[0] > 100 and drawn[1] > 50 and drawn[2] > 10, (figure.get_attribute("data-chart"), drawn)
    requested = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requested.append(message["params"]["request"]["url"])
    assert requested and all(url == page.as_uri() for url in requested), requested
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    browser.execute_script("document.getElementById('chart-ranking').scrollIntoView()")
    screenshot = Path(os.environ.get("PAR_RULES_REPORT_SCREENSHOT") or tmp_path / "report.png")
    browser.save_screenshot(str(screenshot))
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_previous_year_with_parts_not_in_yet_has_no_change_and_no_traceback(tmp_path: Path) -> None:
    # a unit whose previous result is partial has no index to compare: its change is a dash in
    # the table and it is left out of the slope chart, never a TypeError on None
    from par_rules.units import build_report, write_html

    current = [output for output in par_rules.score_many(EXAMPLE_2025, read_records(RECORDS_2025)) if isinstance(output, par_rules.Result)]
    previous = [output for output in par_rules.score_many(EXAMPLE, read_records(RECORDS_2024)) if isinstance(output, par_rules.Result)]
    partial = par_rules.score(EXAMPLE, {**_record_of(previous[0]), "period": 2024}, parts=["1"])
    assert not partial.complete and partial.index is None
    report = build_report(current, [partial, *previous[1:]])
    assert report.comparison is not None
    [waiting] = [change for change in report.comparison.units if change.index_change is None]
    out = tmp_path / "report.html"
    write_html(report, out, "en")
    page = out.read_text(encoding="utf-8")
    row = page[page.index(f"<td>{waiting.current.record.name}</td><td class=n>") :].split("</tr>", 1)[0]
    assert '<td class="n ">–</td>' in row


def _record_of(result: par_rules.Result) -> dict[str, Any]:
    from par_rules.units._analysis import record_mapping

    return dict(record_mapping(result.record))
