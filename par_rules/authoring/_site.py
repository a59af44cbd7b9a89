"""The criteria browser of the documentation site, written from the methodology files themselves.

Every page is Markdown made at build time from what :func:`par_rules.load` returns, so the site
cannot disagree with the engine: a page per methodology version (the tree, its caps, each rule
in words, the legal sources, what is illustrative), an index by issuer, level and year, a
version history per methodology (from :func:`par_rules.diff`) and the worked examples of the
methodology tests. The mkdocs plugin ``par-rules`` (``_mkdocs_plugin``) hands the pages to mkdocs.

>>> pages = criteria_pages()
>>> pages[0].path
'criteria/index.md'
>>> page = next(p for p in pages if p.path == "criteria/example/par-index/district/2024.md")
>>> "16.75" in page.content and "from 98%: 8 points" in page.content
True
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..engine._api import load, score
from ..engine._arithmetic import format_short as fmt
from ._diff import diff
from ..errors import MethodologyNotFound, RecordError
from ._methodology_tests import MethodologyCase, load_tests, run_case
from ..engine._model import Indicator, Methodology, Node
from ..engine._registry import TESTS_SUFFIX, Roots, VersionInfo, all_versions
from ..engine._rules import points_text
from .._lazy import name_home

__all__ = ["Page", "criteria_pages", "criteria_nav", "escape", "rule_in_words"]

SECTION = "criteria"

# Every character by which Markdown (with the site's extensions: tables, attr_list, md_in_html...)
# or HTML could read a methodology's text as syntax. Written as numeric character references,
# which Python-Markdown passes through untouched and a browser shows as the character itself.
_SYNTAX = frozenset('\\`*_{}[]()#+!|<>&"=~^')
_PLAIN_CODE = re.compile(r"[A-Za-z0-9._/-]+")
_LINK_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True)
class Page:
    """One generated page: where it goes under ``docs/``, its title, and its Markdown."""

    path: str
    title: str
    content: str


def escape(text: str) -> str:
    """Text from a methodology as Markdown and HTML show it literally, on one line.

    Labels, notes, ids and URLs are data: no character of theirs may start a tag, a link, a
    table cell, emphasis, a heading or a list.

    >>> escape("A | B <C> *d*")
    'A &#124; B &#60;C&#62; &#42;d&#42;'
    >>> escape("- 1. item"), escape("1. item")
    ('&#45; 1. item', '1&#46; item')
    """
    text = _printable(" ".join(str(text).split()))  # one line, no indentation (four spaces would start code)
    marked = "".join(f"&#{ord(char)};" if char in _SYNTAX else char for char in text)
    # A list starts with "-" or "1." at the start of a line; elsewhere both are plain text.
    if marked.startswith("-"):
        return "&#45;" + marked[1:]
    return re.sub(r"^([0-9]+)\.", r"\1&#46;", marked)


def _printable(text: str) -> str:
    r"""Control characters shown as U+FFFD: Python-Markdown's own placeholders are made of them
    (``\x02wzxhzdk:0\x03`` would be replaced by another piece of the page)."""
    return "".join("\ufffd" if unicodedata.category(char) == "Cc" and char != "\n" else char for char in text)


def _code(text: str) -> str:
    """Text as inline code: a backtick span for plain ids, else an HTML <code> of escaped text."""
    text = str(text)
    if _PLAIN_CODE.fullmatch(text):
        return f"`{text}`"
    return f"<code>{escape(text)}</code>"


def _external_link(label: str, url: str) -> str:
    """A link to an outside document, only for an http(s) URL; any other URL is shown as text."""
    scheme, netloc = "", ""
    if url.isprintable() and not any(char.isspace() for char in url):
        parts = urlsplit(url)
        scheme, netloc = parts.scheme.lower(), parts.netloc
    if scheme not in _LINK_SCHEMES or not netloc:
        return f"{escape(label)}: {_code(url)}"
    return f'<a href="{html.escape(url, quote=True)}">{escape(label)}</a>'


def _both(label: str, label_en: str | None) -> str:
    """A Vietnamese label with its English beside it, where given."""
    return escape(label) + (f" · *{escape(label_en)}*" if label_en else "")


def rule_in_words(node: Node, indicators: Mapping[str, Indicator]) -> str:
    """A leaf's rule in words, with the indicator's unit and its level or option labels.

    >>> methodology = load("example/par-index/district", year=2024)
    >>> rule_in_words(methodology.node("1.1.2"), methodology.indicators)
    'above 90%: 2 points; from 70% to 90%: 1 point; below 70%: 0 points'
    >>> rule_in_words(methodology.node("1.1.1"), methodology.indicators)
    'Ban hành kịp thời: 1 point; Ban hành chậm: 0.5 points; Không ban hành: 0 points'
    """
    rule = node.rule
    if rule is None:
        raise ValueError(f"node {node.id} has no rule")
    return rule.describe(node.max, indicators.get(rule.indicator) if rule.indicator else None)


def version_path(methodology_id: str, version: str) -> str:
    return f"{SECTION}/{methodology_id}/{version}.md"


def history_path(methodology_id: str) -> str:
    return f"{SECTION}/{methodology_id}/history.md"


def examples_path(methodology_id: str, version: str) -> str:
    return f"{SECTION}/{methodology_id}/{version}-examples.md"


def _link(from_path: str, to_path: str) -> str:
    """A relative link between two generated pages (mkdocs checks it in strict mode)."""
    depth = from_path.count("/")
    return "../" * depth + to_path


def _anchor(name: str) -> str:
    return "".join(char if char.isalnum() else "-" for char in name)


@dataclass(frozen=True)
class _Loaded:
    info: VersionInfo
    methodology: Methodology
    tests_file: Path | None


def _load_all(root: Roots) -> list[_Loaded]:
    loaded = []
    for info in all_versions(root):
        tests = info.path.with_name(info.path.name.removesuffix(".yaml") + TESTS_SUFFIX)
        loaded.append(_Loaded(info, load(info.path, root=root), tests if tests.is_file() else None))
    return loaded


def criteria_pages(root: Roots = None) -> list[Page]:
    """Every page of the criteria browser for the methodologies under ``root`` (a folder or a
    list of them; default: shipped).

    A methodology that does not load raises its :class:`~par_rules.MethodologyError`: the site
    is not built around a broken file.
    """
    loaded = _load_all(root)
    pages = [_index_page(loaded)]
    by_id: dict[str, list[_Loaded]] = defaultdict(list)
    for item in loaded:
        by_id[item.methodology.id].append(item)
    for methodology_id, chain in by_id.items():
        for item in chain:
            pages.append(_version_page(item))
            if item.tests_file is not None:
                pages.append(_examples_page(item))
        pages.append(_history_page(methodology_id, chain))
    return pages


def criteria_nav(pages: Iterable[Page]) -> list[Any]:
    """The mkdocs ``nav`` entries of the generated pages: the index, then one section per methodology."""
    sections: dict[str, list[dict[str, str]]] = defaultdict(list)
    index: list[Any] = []
    for page in pages:
        if page.path == f"{SECTION}/index.md":
            index.append({"All methodologies": page.path})
            continue
        methodology_id = page.path[len(SECTION) + 1 :].rsplit("/", 1)[0]
        sections[methodology_id].append({page.title: page.path})
    return index + [{methodology_id: entries} for methodology_id, entries in sections.items()]


# --- the index -------------------------------------------------------------------------------


def _index_page(loaded: list[_Loaded]) -> Page:
    path = f"{SECTION}/index.md"
    lines = [
        "# Criteria browser",
        "",
        "Every methodology the engine ships, by issuer, level and year. Each page is written at build",
        "time from the same YAML file the engine scores with, so the two cannot disagree.",
        "Which versions are complete, partial or known but not encoded, with their sources, is on the",
        "page *Shipped methodologies*.",
        "",
    ]
    groups: dict[tuple[str, str | None], dict[str, list[_Loaded]]] = defaultdict(lambda: defaultdict(list))
    for item in loaded:
        groups[(item.methodology.issuer, item.methodology.issuer_en)][item.methodology.level].append(item)
    for (issuer, issuer_en), levels in sorted(groups.items(), key=lambda entry: entry[0][0]):
        lines += [f"## {_both(issuer, issuer_en)}", ""]
        for level, items in sorted(levels.items()):
            lines += [f"### Level: {escape(level)}", "", "| Years | Methodology | Version | Status | History |", "|---|---|---|---|---|"]
            for item in items:
                m = item.methodology
                years = ", ".join(str(year) for year in m.years)
                title = f"[{escape(m.title)}]({_link(path, version_path(m.id, m.version))})"
                history = f"[changes]({_link(path, history_path(m.id))})"
                lines.append(f"| {years} | {title}<br>{_code(m.id)} | {escape(m.version)} | {escape(m.status)} | {history} |")
            lines.append("")
    if not loaded:
        lines.append("No methodology is shipped yet.")
    return Page(path, "All methodologies", "\n".join(lines) + "\n")


# --- a version ---------------------------------------------------------------------------------

_STATUS_ADMONITION = {"official": "success", "partial": "warning", "illustrative": "warning"}


def _version_page(item: _Loaded) -> Page:
    m = item.methodology
    path = version_path(m.id, m.version)
    lines = [f"# {escape(m.title)}", ""]
    if m.title_en:
        lines += [f"*{escape(m.title_en)}*", ""]
    kind = _STATUS_ADMONITION[m.status]
    lines += [f'!!! {kind} "Status: {escape(m.status)}"', f"    {escape(m.status_note or _status_text(m.status))}", ""]
    lines += [
        "| | |",
        "|---|---|",
        f"| Id | {_code(m.id)} |",
        f"| Version | {escape(m.version)} |",
        f"| Assessment years | {', '.join(str(year) for year in m.years)} |",
        f"| Issuer | {_both(m.issuer, m.issuer_en)} |",
        f"| Level | {escape(m.level)} |",
        f"| Scale | {fmt(m.scale)} points |",
        f"| Rounding | {m.decimals} decimals, bands on the {escape(m.bands_on)} index |",
    ]
    if m.extends:
        lines.append(f"| Extends | [{escape(m.extends[0])} {escape(m.extends[1])}]({_link(path, version_path(*m.extends))}) |")
    lines.append(f"| History | [what changed between versions]({_link(path, history_path(m.id))}) |")
    if item.tests_file is not None:
        lines.append(f"| Worked examples | [records and their scores]({_link(path, examples_path(m.id, m.version))}) |")
    lines.append("")
    if m.legal_basis:
        lines += ["## Legal basis", ""]
        for doc in m.legal_basis:
            text = f"**{escape(doc.number)}**" + (f" ({escape(doc.date)})" if doc.date else "")
            if doc.title:
                text += f" — {_both(doc.title, doc.title_en)}"
            if doc.url:
                text += f" ({_external_link('text', doc.url)})"
            lines.append(f"- {text}")
        lines.append("")
    if m.bands:
        lines += ["## Rating bands", "", "| Band | Label | Index |", "|---|---|---|"]
        for band in m.bands:
            label = _both(band.label, band.label_en) if band.label else ""
            lines.append(f"| {escape(band.id)} | {label} | {escape(band.interval.describe('%'))} |")
        lines.append("")
    lines += _summary(m) + _criteria(m) + _indicators(m) + _survey(m)
    if m.changelog:
        lines += ["## Changelog", "", escape(m.changelog), ""]
    return Page(path, f"{m.version} criteria", "\n".join(lines) + "\n")


def _status_text(status: str) -> str:
    return {
        "official": "Follows the official methodology.",
        "partial": "Partly sourced: nodes marked illustrative are not from an official source.",
        "illustrative": "Illustrative: not an official methodology.",
    }[status]


def _summary(m: Methodology) -> list[str]:
    lines = ["## Points at a glance", "", "| Id | Criterion | Max | Source | Provenance |", "|---|---|--:|---|---|"]
    for node in m.nodes():
        indent = "&emsp;" * (node.depth - 1)
        label = f"**{escape(node.label)}**" if node.depth == 1 else escape(node.label)
        if node.label_en:
            label += f"<br>*{escape(node.label_en)}*"
        lines.append(f"| {indent}[{escape(node.id)}](#{_anchor('node-' + node.id)}) | {label} | {fmt(node.max)} | {escape(node.source)} | {escape(node.provenance)} |")
    by_source: dict[str, Decimal] = defaultdict(Decimal)
    for field_node in m.criteria:
        by_source[field_node.source] += field_node.max
    totals = "; ".join(f"{escape(source)}: {fmt(points)}" for source, points in sorted(by_source.items()))
    leaves = sum(1 for _ in m.leaves())
    lines += ["", f"{len(m.criteria)} fields, {leaves} scored criteria; maximum points by source — {totals}.", ""]
    return lines


def _criteria(m: Methodology) -> list[str]:
    lines = ["## Criteria", ""]
    for node in m.nodes():
        level = "#" * min(node.depth + 2, 6)
        lines += [f"{level} {escape(node.id)} · {escape(node.label)} {{#{_anchor('node-' + node.id)}}}", ""]
        if node.label_en:
            lines += [f"*{escape(node.label_en)}*", ""]
        facts = [f"**Max {points_text(node.max)}**", f"source: {escape(node.source)}"]
        if node.is_leaf:
            facts.append("scored by a rule")
        elif node.aggregate == "weighted_mean":
            weights = ", ".join(f"{escape(child.id)} × {fmt(child.weight)}" for child in node.children)
            facts.append(f"weighted mean of the sub-criteria's shares of their caps ({weights}), times {fmt(node.max)}")
        else:
            facts.append(f"sum of {len(node.children)} sub-criteria")
        lines += [" · ".join(facts), ""]
        if node.description:
            lines += [escape(node.description), ""]
        if node.rule is not None:
            lines += _rule_lines(node, m)
        if node.wording:
            lines += [f"Wording of the source: “{escape(node.wording)}”", ""]
        if node.legal_ref:
            lines += [f"Legal reference: {escape(node.legal_ref)}", ""]
        if node.cap_note:
            lines += [f"About the cap: {escape(node.cap_note)}", ""]
        note = f": {escape(node.provenance_note)}" if node.provenance_note else ""
        lines += [f"Provenance: **{escape(node.provenance)}**{note}", ""]
    return lines


def _rule_lines(node: Node, m: Methodology) -> list[str]:
    rule = node.rule
    assert rule is not None  # only called for leaves
    lines = [f"**Rule ({escape(rule.kind)}):** {escape(rule_in_words(node, m.indicators))}", ""]
    if rule.indicator:
        indicator = m.indicators[rule.indicator]
        lines += [f"Indicator: {_code(indicator.id)} — {_both(indicator.label, indicator.label_en)} ({escape(indicator.type)})", ""]
    return lines


def _indicators(m: Methodology) -> list[str]:
    lines = ["## Indicators", "", "A record carries these values (derived ones are computed).", ""]
    lines += ["| Id | Label | Type | Range | When missing | Formula |", "|---|---|---|---|---|---|"]
    for indicator in m.indicators.values():
        formula = _code(indicator.formula.source) if indicator.formula is not None else ""
        choices = indicator.levels or indicator.options
        kind = escape(indicator.type) + (": " + ", ".join(f"{_code(key)} {escape(text)}" for key, text in choices.items()) if choices else "")
        interval = indicator.range.describe(indicator.unit_symbol) if indicator.type not in ("boolean", "level", "answers") else ""
        lines.append(
            f"| {_code(indicator.id)} | {_both(indicator.label, indicator.label_en)} | {kind} | {escape(interval)} | {escape(indicator.missing)} | {formula} |"
        )
    lines.append("")
    return lines


def _survey(m: Methodology) -> list[str]:
    """How questionnaires are counted (the survey section), when the methodology has one."""
    section = m.survey
    if section is None:
        return []
    lines = ["## Questionnaires", "", f"`par-rules survey` counts a respondents file (one row per questionnaire) per unit: the unit is in column {_code(section.unit_column)}"]
    blank = "refuses the questionnaire." if section.blank == "reject" else "leaves that question out."
    lines[-1] += (f", the respondent's group in {_code(section.group_column)}" if section.group_column else "") + "; a blank answer " + blank
    lines.append("")
    if section.groups:
        lines += ["| Group | Label | Weight | Provenance |", "|---|---|--:|---|"]
        for group in section.groups.values():
            weight = fmt(group.weight) if group.weight is not None else "—"
            lines.append(f"| {_code(group.id)} | {_both(group.label, group.label_en)} | {weight} | {escape(group.provenance or '')} |")
        lines.append("")
    lines += ["| Column | Counted into | Answers | Asked of |", "|---|---|---|---|"]
    for question in section.questions:
        answers = ", ".join(f"{_code(code)} → {_code(option)}" for code, option in question.answers.items())
        asked = ", ".join(_code(group) for group in question.groups) if question.groups else "everyone"
        lines.append(f"| {_code(question.column)} | {_code(question.indicator)} | {answers} | {asked} |")
    lines.append("")
    return lines


# --- worked examples -----------------------------------------------------------------------------


def _examples_page(item: _Loaded) -> Page:
    m = item.methodology
    path = examples_path(m.id, m.version)
    assert item.tests_file is not None  # only called when there is one
    suite = load_tests(item.tests_file)
    lines = [
        f"# Worked examples: {escape(m.title)} ({escape(m.version)})",
        "",
        f"The cases of {_code(item.tests_file.name)}, the methodology's own tests, scored by the engine as the",
        f"site was built. [The criteria]({_link(path, version_path(m.id, m.version))}) say what each rule does.",
        "",
    ]
    for case in suite.cases:
        lines += _case_lines(m, case)
    return Page(path, f"{m.version} worked examples", "\n".join(lines) + "\n")


def _case_lines(m: Methodology, case: MethodologyCase) -> list[str]:
    outcome = run_case(m, case)
    verdict = "the engine agrees with the test" if outcome.passed else "**the engine disagrees with the test:** " + "; ".join(escape(str(failure)) for failure in outcome.failures)
    lines = [f"## {escape(case.name)}", ""]
    if case.note:
        lines += [escape(case.note), ""]
    lines += ["| Record | | Value |", "|---|---|---|"]
    for key, value in case.record.items():
        indicator = m.indicators.get(key)
        label = _both(indicator.label, indicator.label_en) if indicator else ""
        lines.append(f"| {_code(key)} | {label} | {escape(_value_text(value))} |")
    lines.append("")
    try:
        result = score(m, case.record, parts=case.parts)
    except (RecordError, MethodologyNotFound) as error:
        return lines + ["The engine refuses this record, as the test expects" if outcome.passed else verdict, "", *_fenced(str(error)), ""]
    expected = {expectation.target: expectation.value for expectation in case.expectations}
    if result.published_index is not None:  # complete
        summary = f"**Total {fmt(result.published_total)} / {fmt(m.scale)}**, index {fmt(result.published_index)}%"
        summary += f", band {escape(result.band.id)}" if result.band else ", no band"
    else:
        scored = f"only {', '.join(map(escape, case.parts))} scored; " if case.parts else ""
        summary = (
            f"**Partial: {fmt(result.published_total)} so far, at most {fmt(result.reach)} / {fmt(m.scale)}**"
            f" ({scored}not in yet: {', '.join(map(escape, result.pending))}; no index, no band)"
        )
    totals = [f"{escape(expectation.target)} {_expected_text(expectation.value)}" for expectation in case.expectations if not expectation.is_node]
    if totals:
        summary += f" (the test expects {', '.join(totals)})"
    lines += [f"{summary}: {verdict}.", "", "| Id | Criterion | Points | Max | Why | Expected |", "|---|---|--:|--:|---|--:|"]
    for node in result.nodes():
        points = "pending" if node.pending else "n/a" if node.points is None else fmt(node.points)
        if node.partial:
            points += f" (≤ {fmt(node.reach)})"  # type: ignore[arg-type]
        indent = "&emsp;" * (node.node.depth - 1)
        want = _expected_text(expected[node.id]) if node.id in expected else ""
        lines.append(f"| {indent}{escape(node.id)} | {escape(node.label)} | {points} | {fmt(node.max)} | {escape(node.why)} | {want} |")
    lines.append("")
    return lines


def _fenced(text: str) -> list[str]:
    """Text as a code block: the fence is longer than any run of backticks in the text."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}text", _printable(text), fence]


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, Mapping):
        return ", ".join(f"{key}: {_value_text(count)}" for key, count in value.items())
    return str(value)


def _expected_text(value: Decimal | str | tuple[str, ...] | None) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, tuple):
        return "[" + ", ".join(map(escape, value)) + "]"
    return fmt(value) if isinstance(value, Decimal) else escape(value)


# --- version history --------------------------------------------------------------------------


def _history_page(methodology_id: str, chain: list[_Loaded]) -> Page:
    path = history_path(methodology_id)
    lines = [f"# Version history: {escape(chain[-1].methodology.title)}", "", f"{_code(methodology_id)}, every version, oldest first.", ""]
    previous: Methodology | None = None
    for item in chain:
        m = item.methodology
        years = ", ".join(str(year) for year in m.years)
        lines += [f"## Version {escape(m.version)} ({years}) {{#{_anchor('version-' + m.version)}}}", "", f"[The criteria of {escape(m.version)}]({_link(path, version_path(m.id, m.version))})", ""]
        if m.changelog:
            lines += [f"Changelog: {escape(m.changelog)}", ""]
        if previous is None:
            lines += ["The first version shipped.", ""]
        else:
            lines += _changes(path, previous, m)
        previous = m
    return Page(path, "Version history", "\n".join(lines) + "\n")


def _changes(path: str, old: Methodology, new: Methodology) -> list[str]:
    difference = diff(old, new)
    if not difference:
        return [f"No change to the criteria since {escape(old.version)}.", ""]
    matched = "the lineage the new version declares" if difference.lineage_used else "their ids"
    lines = [f"Changes since {escape(old.version)} (nodes matched by {matched}):", "", "| Change | Node | Before | After |", "|---|---|---|---|"]
    for change in difference.changes:
        shown_in = old if change.kind == "removed" else new
        node = f"[{escape(change.node)}]({_link(path, version_path(shown_in.id, shown_in.version))}#{_anchor('node-' + change.node)})"
        lines.append(f"| {escape(change.kind)} | {node} | {escape(change.old or '')} | {escape(change.new or '')} |")
    return lines + [""]


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
