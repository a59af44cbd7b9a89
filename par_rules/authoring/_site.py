"""The criteria browser of the documentation site, written from the methodology files themselves.

Every page is Markdown made at build time from what :func:`par_rules.load` returns, so the site
cannot disagree with the engine: a page per methodology version (the tree, its caps, each rule
in words, the legal sources, what is illustrative), an index by issuer, level and year, a
version history per methodology (from :func:`par_rules.diff`) and the worked examples of the
methodology tests. The mkdocs plugin ``par-rules`` (``_mkdocs_plugin``) hands the pages to mkdocs.

The pages are written in Vietnamese first (``lang="vi"``, numbers with a decimal comma: 16,75)
and in English (``lang="en"``). The Vietnamese page shows the methodology's own (Vietnamese)
labels; the English page shows the English label where the methodology gives one, with the
Vietnamese beside it, since the Vietnamese wording is the one in force. Notes written in the
methodology files (status notes, provenance notes, changelogs) are shown as written.

>>> pages = criteria_pages()
>>> pages[0].path
'criteria/index.md'
>>> page = next(p for p in pages if p.path == "criteria/example/par-index/district/2024.md")
>>> "16,75" in page.content and "từ 98%: 8 điểm" in page.content
True
>>> page = next(p for p in criteria_pages(lang="en") if p.path == "criteria/example/par-index/district/2024.md")
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
from ..engine._arithmetic import format_short
from ..engine._model import Indicator, Interval, Methodology, Node
from ..engine._registry import TESTS_SUFFIX, Roots, VersionInfo, all_versions
from ..engine._rules import points_text
from ..errors import MethodologyNotFound, RecordError
from ._diff import diff
from ._methodology_tests import MethodologyCase, load_tests, run_case
from .._i18n import gettext as _, use
from .._lazy import name_home

__all__ = ["LANGUAGES", "Page", "criteria_nav", "criteria_pages", "escape", "number", "rule_in_words"]

SECTION = "criteria"
LANGUAGES = ("vi", "en")
"""The languages of the site, the first the default."""

# Every character by which Markdown (with the site's extensions: tables, attr_list, md_in_html...)
# or HTML could read a methodology's text as syntax. Written as numeric character references,
# which Python-Markdown passes through untouched and a browser shows as the character itself.
_SYNTAX = frozenset('\\`*_{}[]()#+!|<>&"=~^')
_PLAIN_CODE = re.compile(r"[A-Za-z0-9._/-]+")
_LINK_SCHEMES = frozenset({"http", "https"})

# --- the words of the pages, by language ------------------------------------------------------
# Plain tables for now: the strings move to the gettext catalogues with the rest of par_rules.

_TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "browser": "Tra cứu tiêu chí",
        "browser_intro": (
            "Mọi bộ chỉ số mà par_rules mang theo, theo cơ quan ban hành, cấp và năm. Mỗi trang được viết khi\n"
            "dựng trang web, từ chính tệp YAML mà bộ máy chấm điểm sử dụng, nên hai bên không thể khác nhau.\n"
            "Phiên bản nào đầy đủ, một phần, hay đã biết nhưng chưa mã hóa, cùng các nguồn của chúng, có ở trang\n"
            "*Các bộ chỉ số đi kèm*."
        ),
        "all": "Tất cả bộ chỉ số",
        "level": "Cấp: {level}",
        "level_word": "Cấp",
        "index_header": "| Năm | Bộ chỉ số | Phiên bản | Tình trạng | Lịch sử |",
        "changes": "các thay đổi",
        "none_shipped": "Chưa có bộ chỉ số nào.",
        "status": "Tình trạng: {status}",
        "id": "Mã",
        "version": "Phiên bản",
        "years": "Năm đánh giá",
        "issuer": "Cơ quan ban hành",
        "scale": "Thang điểm",
        "rounding": "Làm tròn",
        "rounding_text": "{decimals} chữ số thập phân, xếp loại theo chỉ số {bands_on}",
        "extends": "Kế thừa",
        "history": "Lịch sử",
        "history_link": "những gì thay đổi giữa các phiên bản",
        "examples": "Ví dụ tính điểm",
        "examples_link": "các hồ sơ và điểm của chúng",
        "legal_basis": "Căn cứ pháp lý",
        "bands": "Xếp loại",
        "bands_header": "| Loại | Tên | Chỉ số |",
        "glance": "Tóm tắt điểm",
        "glance_header": "| Mã | Tiêu chí | Tối đa | Nguồn | Xuất xứ |",
        "glance_total": "{fields} lĩnh vực, {leaves} tiêu chí được chấm; điểm tối đa theo nguồn — {totals}.",
        "criteria": "Tiêu chí",
        "max": "Tối đa {points}",
        "source": "nguồn: {source}",
        "by_rule": "chấm theo quy tắc",
        "weighted": "trung bình có trọng số của tỷ lệ điểm các tiêu chí con ({weights}), nhân {max}",
        "sum": "tổng của {count} tiêu chí con",
        "wording": "Nguyên văn của nguồn: “{text}”",
        "legal_ref": "Tham chiếu pháp lý: {text}",
        "cap_note": "Về điểm tối đa: {text}",
        "provenance": "Xuất xứ: **{provenance}**{note}",
        "rule": "**Quy tắc ({kind}):** {words}",
        "indicator": "Chỉ tiêu: {id} — {label} ({type})",
        "indicators": "Chỉ tiêu",
        "indicators_intro": "Mỗi hồ sơ mang các giá trị này (các giá trị suy ra thì được tính).",
        "indicators_header": "| Mã | Tên | Kiểu | Phạm vi | Khi thiếu | Công thức |",
        "survey": "Phiếu khảo sát",
        "survey_intro": "`par-rules survey` đếm một tệp người trả lời (mỗi phiếu một dòng) cho từng đơn vị: đơn vị ở cột {column}",
        "survey_group": ", nhóm người trả lời ở cột {column}",
        "survey_reject": "; một câu bỏ trống thì loại cả phiếu.",
        "survey_skip": "; một câu bỏ trống thì bỏ qua câu đó.",
        "groups_header": "| Nhóm | Tên | Trọng số | Xuất xứ |",
        "questions_header": "| Cột | Tính vào | Câu trả lời | Hỏi ai |",
        "everyone": "mọi người",
        "changelog": "Nhật ký thay đổi",
        "version_nav": "Tiêu chí {version}",
        "examples_title": "Ví dụ tính điểm: {title} ({version})",
        "examples_intro": (
            "Các trường hợp của {file}, bộ kiểm thử riêng của bộ chỉ số, được bộ máy chấm điểm tính khi dựng\n"
            "trang. [Các tiêu chí]({link}) cho biết mỗi quy tắc làm gì."
        ),
        "examples_nav": "Ví dụ tính điểm {version}",
        "agrees": "bộ máy chấm điểm cho cùng kết quả với kiểm thử",
        "disagrees": "**bộ máy chấm điểm cho kết quả khác kiểm thử:** ",
        "record_header": "| Hồ sơ | | Giá trị |",
        "refused": "Bộ máy chấm điểm từ chối hồ sơ này, đúng như kiểm thử chờ đợi",
        "total": "**Tổng {total} / {scale}**, chỉ số {index}%",
        "band": ", xếp loại {band}",
        "no_band": ", không xếp loại",
        "expects": " (kiểm thử chờ đợi {values})",
        "result_header": "| Mã | Tiêu chí | Điểm | Tối đa | Lý do | Chờ đợi |",
        "n/a": "không áp dụng",
        "pending": "chưa có",
        "no_value": "không có",
        "partial": "**Một phần: {total} đến nay, nhiều nhất {reach} / {scale}**",
        "partial_note": " ({scored}chưa có: {pending}; không có chỉ số, không xếp loại)",
        "only_parts": "chỉ chấm {parts}; ",
        "yes": "có",
        "no": "không",
        "history_title": "Lịch sử phiên bản: {title}",
        "history_intro": "{id}, mọi phiên bản, cũ nhất trước.",
        "history_nav": "Lịch sử phiên bản",
        "version_heading": "Phiên bản {version} ({years})",
        "criteria_of": "Các tiêu chí của phiên bản {version}",
        "changelog_line": "Nhật ký thay đổi: {text}",
        "first": "Phiên bản đầu tiên được đưa vào.",
        "no_change": "Các tiêu chí không thay đổi so với phiên bản {version}.",
        "changes_since": "Thay đổi so với phiên bản {version} (các mục được ghép theo {matched}):",
        "by_lineage": "nguồn gốc mà phiên bản mới khai báo",
        "by_ids": "mã của chúng",
        "history_header": "| Thay đổi | Tiêu chí | Trước | Sau |",
        "points_one": "{value} điểm",
        "points_many": "{value} điểm",
        "any": "mọi giá trị",
        "from": "từ {low}",
        "above": "trên {low}",
        "up_to": "đến {high}",
        "below": "dưới {high}",
        "to": "đến {high}",
        "to_under": "đến dưới {high}",
        "no_rule": "tiêu chí {node} không có quy tắc",
    },
    "en": {
        "browser": "Criteria browser",
        "browser_intro": (
            "Every methodology par_rules ships, by issuer, level and year. Each page is written at build\n"
            "time from the same YAML file the engine scores with, so the two cannot disagree.\n"
            "Which versions are complete, partial or known but not encoded, with their sources, is on the\n"
            "page *Shipped methodologies*."
        ),
        "all": "All methodologies",
        "level": "Level: {level}",
        "level_word": "Level",
        "index_header": "| Years | Methodology | Version | Status | History |",
        "changes": "changes",
        "none_shipped": "No methodology is shipped yet.",
        "status": "Status: {status}",
        "id": "Id",
        "version": "Version",
        "years": "Assessment years",
        "issuer": "Issuer",
        "scale": "Scale",
        "rounding": "Rounding",
        "rounding_text": "{decimals} decimals, bands on the {bands_on} index",
        "extends": "Extends",
        "history": "History",
        "history_link": "what changed between versions",
        "examples": "Worked examples",
        "examples_link": "records and their scores",
        "legal_basis": "Legal basis",
        "bands": "Rating bands",
        "bands_header": "| Band | Label | Index |",
        "glance": "Points at a glance",
        "glance_header": "| Id | Criterion | Max | Source | Provenance |",
        "glance_total": "{fields} fields, {leaves} scored criteria; maximum points by source — {totals}.",
        "criteria": "Criteria",
        "max": "Max {points}",
        "source": "source: {source}",
        "by_rule": "scored by a rule",
        "weighted": "weighted mean of the sub-criteria's shares of their caps ({weights}), times {max}",
        "sum": "sum of {count} sub-criteria",
        "wording": "Wording of the source: “{text}”",
        "legal_ref": "Legal reference: {text}",
        "cap_note": "About the cap: {text}",
        "provenance": "Provenance: **{provenance}**{note}",
        "rule": "**Rule ({kind}):** {words}",
        "indicator": "Indicator: {id} — {label} ({type})",
        "indicators": "Indicators",
        "indicators_intro": "A record carries these values (derived ones are computed).",
        "indicators_header": "| Id | Label | Type | Range | When missing | Formula |",
        "survey": "Questionnaires",
        "survey_intro": "`par-rules survey` counts a respondents file (one row per questionnaire) per unit: the unit is in column {column}",
        "survey_group": ", the respondent's group in {column}",
        "survey_reject": "; a blank answer refuses the questionnaire.",
        "survey_skip": "; a blank answer leaves that question out.",
        "groups_header": "| Group | Label | Weight | Provenance |",
        "questions_header": "| Column | Counted into | Answers | Asked of |",
        "everyone": "everyone",
        "changelog": "Changelog",
        "version_nav": "{version} criteria",
        "examples_title": "Worked examples: {title} ({version})",
        "examples_intro": (
            "The cases of {file}, the methodology's own tests, scored by the engine as the\n"
            "site was built. [The criteria]({link}) say what each rule does."
        ),
        "examples_nav": "{version} worked examples",
        "agrees": "the engine agrees with the test",
        "disagrees": "**the engine disagrees with the test:** ",
        "record_header": "| Record | | Value |",
        "refused": "The engine refuses this record, as the test expects",
        "total": "**Total {total} / {scale}**, index {index}%",
        "band": ", band {band}",
        "no_band": ", no band",
        "expects": " (the test expects {values})",
        "result_header": "| Id | Criterion | Points | Max | Why | Expected |",
        "n/a": "n/a",
        "pending": "pending",
        "no_value": "n/a",
        "partial": "**Partial: {total} so far, at most {reach} / {scale}**",
        "partial_note": " ({scored}not in yet: {pending}; no index, no band)",
        "only_parts": "only {parts} scored; ",
        "yes": "yes",
        "no": "no",
        "history_title": "Version history: {title}",
        "history_intro": "{id}, every version, oldest first.",
        "history_nav": "Version history",
        "version_heading": "Version {version} ({years})",
        "criteria_of": "The criteria of {version}",
        "changelog_line": "Changelog: {text}",
        "first": "The first version shipped.",
        "no_change": "No change to the criteria since {version}.",
        "changes_since": "Changes since {version} (nodes matched by {matched}):",
        "by_lineage": "the lineage the new version declares",
        "by_ids": "their ids",
        "history_header": "| Change | Criterion | Before | After |",
        "points_one": "{value} point",
        "points_many": "{value} points",
        "any": "any value",
        "from": "from {low}",
        "above": "above {low}",
        "up_to": "up to {high}",
        "below": "below {high}",
        "to": "to {high}",
        "to_under": "to under {high}",
        "no_rule": "node {node} has no rule",
    },
}

# The methodology format's own words (statuses, levels, sources...), in Vietnamese; English
# shows them as the format spells them.
_TERMS_VI: dict[str, str] = {
    # status
    "official": "chính thức",
    "partial": "một phần",
    "illustrative": "minh họa",
    # provenance
    "sourced": "có nguồn",
    "inferred": "suy ra",
    # source of the points
    "appraisal": "thẩm định",
    "survey": "điều tra xã hội học",
    # level
    "commune": "xã",
    "district": "huyện",
    "province": "tỉnh",
    "ministry": "bộ",
    "department": "sở, ngành",
    "agency": "cơ quan",
    "other": "khác",
    # indicator types
    "number": "số",
    "percent": "tỷ lệ phần trăm",
    "ratio": "tỷ số",
    "count": "số đếm",
    "boolean": "có/không",
    "level": "mức",
    "answers": "câu trả lời",
    # when missing
    "error": "báo lỗi",
    "zero": "tính là 0",
    "full": "đủ điểm",
    "not_applicable": "không áp dụng",
    # bands on
    "published": "đã công bố",
    "exact": "chính xác",
    # what a worked example expects
    "total": "tổng điểm",
    "index": "chỉ số",
    "published_total": "tổng điểm công bố",
    "published_index": "chỉ số công bố",
    "band": "xếp loại",
    "reach": "mức có thể đạt",
    "pending": "chưa có",
    # history
    "added": "thêm",
    "removed": "bỏ",
    "renamed": "đổi tên",
    "moved": "chuyển chỗ",
    "re-capped": "đổi điểm tối đa",
    "rule changed": "đổi quy tắc",
    "split": "tách",
    "merged": "gộp",
}

def _t(lang: str, key: str, **values: Any) -> str:
    return _TEXT[lang][key].format(**values)


def _term(word: str, lang: str) -> str:
    """A word of the format (``illustrative``, ``district``...) in the page's language, escaped."""
    return escape(_TERMS_VI.get(word, word) if lang == "vi" else word)


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(_("unknown language {lang!r}: expected one of {LANGUAGES}").format(lang=lang, LANGUAGES=', '.join(LANGUAGES)))
    return lang


def number(value: Decimal, lang: str = "vi") -> str:
    """A number as the page's readers write it: a decimal comma in Vietnamese.

    >>> number(Decimal("16.75")), number(Decimal("16.75"), "en"), number(Decimal(20))
    ('16,75', '16.75', '20')
    """
    text = format_short(value)
    return text.replace(".", ",") if _check_lang(lang) == "vi" else text


def _points(value: Decimal, lang: str) -> str:
    if lang == "en":
        return points_text(value)
    return _t(lang, "points_one" if value == 1 else "points_many", value=number(value, lang))


def _number_text(text: str, lang: str) -> str:
    """A plain decimal written as text (``"13.5"``) in the page's language; other text unchanged."""
    return text.replace(".", ",") if lang == "vi" and re.fullmatch(r"-?[0-9]+\.[0-9]+", text) else text


# The words :func:`par_rules.diff` puts around a change's values, in Vietnamese.
_CHANGE_WORDS_VI = (
    (re.compile(r"^top level$"), lambda match: "cấp cao nhất"),
    (re.compile(r"^under (.+)$"), lambda match: f"thuộc {match[1]}"),
    (re.compile(r"\(max (-?[0-9.]+)\)$"), lambda match: f"(tối đa {_number_text(match[1], 'vi')})"),
)


def _change_text(text: str | None, lang: str) -> str:
    """A value of a history row (a cap, a label, where a node sits) in the page's language."""
    text = _number_text(text or "", lang)
    if lang == "vi":
        for pattern, words in _CHANGE_WORDS_VI:
            text = pattern.sub(words, text)
    return text


@dataclass(frozen=True)
class Page:
    """One generated page: where it goes under ``docs/``, its title, and its Markdown.

    ``section`` is the title of the nav section the page belongs to (its methodology's title in
    the page's language); the index has none. Both titles are escaped (:func:`escape`): the theme
    writes nav titles into its HTML as they are.
    """

    path: str
    title: str
    content: str
    section: str = ""


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


def _safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) URL with a host, else None (shown as text, never a link)."""
    if not url or not url.isprintable() or any(char.isspace() for char in url):
        return None
    parts = urlsplit(url)
    return url if parts.scheme.lower() in _LINK_SCHEMES and parts.netloc else None


def _external_link(label: str, url: str) -> str:
    """A link to an outside document, only for an http(s) URL; any other URL is shown as text."""
    if _safe_url(url) is None:
        return f"{escape(label)}: {_code(url)}"
    return f'<a href="{html.escape(url, quote=True)}">{escape(label)}</a>'


def _linked(markup: str, url: str | None) -> str:
    """Markup (already escaped) as a link to an outside document when ``url`` is a safe one."""
    safe = _safe_url(url)
    return f'<a href="{html.escape(safe, quote=True)}">{markup}</a>' if safe else markup


def _label(label: str, label_en: str | None, lang: str, separator: str = " · ") -> str:
    """A methodology's label in the page's language: the Vietnamese label on a Vietnamese page;
    the English one, with the Vietnamese beside it in italics, on an English page."""
    if lang == "vi" or not label_en:
        return escape(label)
    return f"{escape(label_en)}{separator}*{escape(label)}*"


def _title(m: Methodology, lang: str) -> str:
    return m.title_en if lang == "en" and m.title_en else m.title


def _years(m: Methodology) -> str:
    return ", ".join(str(year) for year in m.years)


# --- rules in words -----------------------------------------------------------------------------


def _interval(interval: Interval, unit: str, lang: str) -> str:
    """An interval in words, as a legal text would say it (English: :meth:`Interval.describe`)."""
    if lang == "en":
        return interval.describe(unit)
    low = None if interval.low is None else number(interval.low, lang) + unit
    high = None if interval.high is None else number(interval.high, lang) + unit
    if low is None and high is None:
        return _t(lang, "any")
    if high is None:
        return _t(lang, "from" if interval.low_inclusive else "above", low=low)
    if low is None:
        return _t(lang, "up_to" if interval.high_inclusive else "below", high=high)
    start = _t(lang, "from" if interval.low_inclusive else "above", low=low)
    return start + " " + _t(lang, "to" if interval.high_inclusive else "to_under", high=high)


def rule_in_words(node: Node, indicators: Mapping[str, Indicator], lang: str = "en") -> str:
    """A leaf's rule in words, with the indicator's unit and its level or option labels.

    >>> methodology = load("example/par-index/district", year=2024)
    >>> rule_in_words(methodology.node("1.1.2"), methodology.indicators)
    'above 90%: 2 points; from 70% to 90%: 1 point; below 70%: 0 points'
    >>> rule_in_words(methodology.node("1.1.2"), methodology.indicators, lang="vi")
    'trên 90%: 2 điểm; từ 70% đến 90%: 1 điểm; dưới 70%: 0 điểm'
    >>> rule_in_words(methodology.node("1.1.1"), methodology.indicators)
    'Ban hành kịp thời: 1 point; Ban hành chậm: 0.5 points; Không ban hành: 0 points'
    """
    rule = node.rule
    if rule is None:
        raise ValueError(_t(_check_lang(lang), "no_rule", node=node.id))
    indicator = indicators.get(rule.indicator) if rule.indicator else None
    return rule.describe_vi(node.max, indicator) if _check_lang(lang) == "vi" else rule.describe(node.max, indicator)


# --- where the pages go -------------------------------------------------------------------------


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


def criteria_pages(root: Roots = None, lang: str = "vi") -> list[Page]:
    """Every page of the criteria browser for the methodologies under ``root`` (a folder or a
    list of them; default: shipped), in ``lang`` (one of :data:`LANGUAGES`; Vietnamese by
    default). Both languages have the same paths: the site puts each language's pages under its
    own prefix.

    A methodology that does not load raises its :class:`~par_rules.MethodologyError`: the site
    is not built around a broken file.
    """
    _check_lang(lang)
    loaded = _load_all(root)  # a broken methodology is said in the author's language (PAR_RULES_LANG)
    with use(lang):  # every text the engine writes on these pages (rule sentences, reasons) in the pages' language
        return _pages(loaded, lang)


def _pages(loaded: list[_Loaded], lang: str) -> list[Page]:
    pages = [_index_page(loaded, lang)]
    by_id: dict[str, list[_Loaded]] = defaultdict(list)
    for item in loaded:
        by_id[item.methodology.id].append(item)
    for methodology_id, chain in by_id.items():
        section = escape(_title(chain[-1].methodology, lang))
        for item in chain:
            pages.append(_version_page(item, lang, section))
            if item.tests_file is not None:
                pages.append(_examples_page(item, lang, section))
        pages.append(_history_page(methodology_id, chain, lang, section))
    return pages


def criteria_nav(pages: Iterable[Page]) -> list[Any]:
    """The mkdocs ``nav`` entries of the generated pages: the index, then one section per
    methodology, titled by the methodology's title (not its id) in the pages' language.

    The theme writes nav titles into the HTML as they are, so a page's title and section are
    escaped text (a methodology's title is data, like its labels)."""
    sections: dict[str, list[dict[str, str]]] = defaultdict(list)
    index: list[Any] = []
    for page in pages:
        if page.path == f"{SECTION}/index.md":
            index.append({page.title: page.path})
            continue
        sections[page.section].append({page.title: page.path})
    return index + [{section: entries} for section, entries in sections.items()]


# --- the index -------------------------------------------------------------------------------


def _index_page(loaded: list[_Loaded], lang: str) -> Page:
    path = f"{SECTION}/index.md"
    lines = [f"# {_t(lang, 'browser')}", "", _t(lang, "browser_intro"), ""]
    groups: dict[tuple[str, str | None], dict[str, list[_Loaded]]] = defaultdict(lambda: defaultdict(list))
    for item in loaded:
        groups[(item.methodology.issuer, item.methodology.issuer_en)][item.methodology.level].append(item)
    for (issuer, issuer_en), levels in sorted(groups.items(), key=lambda entry: entry[0][0]):
        lines += [f"## {_label(issuer, issuer_en, lang)}", ""]
        for level, items in sorted(levels.items()):
            lines += [f"### {_t(lang, 'level', level=_term(level, lang))}", "", _t(lang, "index_header"), "|---|---|---|---|---|"]
            for item in items:
                m = item.methodology
                title = f"[{escape(_title(m, lang))}]({_link(path, version_path(m.id, m.version))})"
                history = f"[{_t(lang, 'changes')}]({_link(path, history_path(m.id))})"
                lines.append(f"| {_years(m)} | {title}<br>{_code(m.id)} | {escape(m.version)} | {_term(m.status, lang)} | {history} |")
            lines.append("")
    if not loaded:
        lines.append(_t(lang, "none_shipped"))
    return Page(path, _t(lang, "all"), "\n".join(lines) + "\n")


# --- a version ---------------------------------------------------------------------------------

_STATUS_ADMONITION = {"official": "success", "partial": "warning", "illustrative": "warning"}

_STATUS_TEXT = {
    "vi": {
        "official": "Theo đúng phương pháp chính thức.",
        "partial": "Có nguồn một phần: các mục đánh dấu minh họa không lấy từ nguồn chính thức.",
        "illustrative": "Minh họa: không phải một phương pháp chính thức.",
    },
    "en": {
        "official": "Follows the official methodology.",
        "partial": "Partly sourced: nodes marked illustrative are not from an official source.",
        "illustrative": "Illustrative: not an official methodology.",
    },
}


def _version_page(item: _Loaded, lang: str, section: str) -> Page:
    m = item.methodology
    path = version_path(m.id, m.version)
    lines = [f"# {escape(_title(m, lang))}", ""]
    other = m.title if lang == "en" else m.title_en
    if other and other != _title(m, lang):
        lines += [f"*{escape(other)}*", ""]
    kind = _STATUS_ADMONITION[m.status]
    status_note = escape(m.status_note) if m.status_note else _STATUS_TEXT[lang][m.status]
    lines += [f'!!! {kind} "{_t(lang, "status", status=_term(m.status, lang))}"', f"    {status_note}", ""]
    lines += [
        "| | |",
        "|---|---|",
        f"| {_t(lang, 'id')} | {_code(m.id)} |",
        f"| {_t(lang, 'version')} | {escape(m.version)} |",
        f"| {_t(lang, 'years')} | {_years(m)} |",
        f"| {_t(lang, 'issuer')} | {_label(m.issuer, m.issuer_en, lang)} |",
        f"| {_t(lang, 'level_word')} | {_term(m.level, lang)} |",
        f"| {_t(lang, 'scale')} | {_points(m.scale, lang)} |",
        f"| {_t(lang, 'rounding')} | {_t(lang, 'rounding_text', decimals=m.decimals, bands_on=_term(m.bands_on, lang))} |",
    ]
    if m.extends:
        lines.append(f"| {_t(lang, 'extends')} | [{escape(m.extends[0])} {escape(m.extends[1])}]({_link(path, version_path(*m.extends))}) |")
    lines.append(f"| {_t(lang, 'history')} | [{_t(lang, 'history_link')}]({_link(path, history_path(m.id))}) |")
    if item.tests_file is not None:
        lines.append(f"| {_t(lang, 'examples')} | [{_t(lang, 'examples_link')}]({_link(path, examples_path(m.id, m.version))}) |")
    lines.append("")
    if m.legal_basis:
        lines += [f"## {_t(lang, 'legal_basis')} {{#legal-basis}}", ""]
        for doc in m.legal_basis:
            text = _linked(f"**{escape(doc.number)}**", doc.url) + (f" ({escape(doc.date)})" if doc.date else "")
            if doc.title:
                text += f" — {_label(doc.title, doc.title_en, lang)}"
            if doc.url and _safe_url(doc.url) is None:
                text += f" ({_external_link('URL', doc.url)})"  # not a link: shown as text
            lines.append(f"- {text}")
        lines.append("")
    if m.bands:
        lines += [f"## {_t(lang, 'bands')} {{#rating-bands}}", "", _t(lang, "bands_header"), "|---|---|---|"]
        for band in m.bands:
            label = _label(band.label, band.label_en, lang) if band.label else ""
            lines.append(f"| {escape(band.id)} | {label} | {escape(_interval(band.interval, '%', lang))} |")
        lines.append("")
    lines += _summary(m, lang) + _criteria(m, lang) + _indicators(m, lang) + _survey(m, lang)
    if m.changelog:
        lines += [f"## {_t(lang, 'changelog')} {{#changelog}}", "", escape(m.changelog), ""]
    return Page(path, _t(lang, "version_nav", version=escape(m.version)), "\n".join(lines) + "\n", section)


def _summary(m: Methodology, lang: str) -> list[str]:
    lines = [f"## {_t(lang, 'glance')} {{#points-at-a-glance}}", "", _t(lang, "glance_header"), "|---|---|--:|---|---|"]
    for node in m.nodes():
        indent = "&emsp;" * (node.depth - 1)
        label = _label(node.label, node.label_en, lang, separator="<br>")
        if node.depth == 1:
            label = f"**{label}**"
        lines.append(
            f"| {indent}[{escape(node.id)}](#{_anchor('node-' + node.id)}) | {label} | {number(node.max, lang)} | {_term(node.source, lang)} | {_term(node.provenance, lang)} |"
        )
    by_source: dict[str, Decimal] = defaultdict(Decimal)
    for field_node in m.criteria:
        by_source[field_node.source] += field_node.max
    totals = "; ".join(f"{_term(source, lang)}: {number(points, lang)}" for source, points in sorted(by_source.items()))
    leaves = sum(1 for _unused in m.leaves())
    lines += ["", _t(lang, "glance_total", fields=len(m.criteria), leaves=leaves, totals=totals), ""]
    return lines


def _criteria(m: Methodology, lang: str) -> list[str]:
    lines = [f"## {_t(lang, 'criteria')} {{#criteria}}", ""]
    for node in m.nodes():
        level = "#" * min(node.depth + 2, 6)
        label = node.label_en if lang == "en" and node.label_en else node.label
        lines += [f"{level} {escape(node.id)} · {escape(label)} {{#{_anchor('node-' + node.id)}}}", ""]
        if lang == "en" and node.label_en:
            lines += [f"*{escape(node.label)}*", ""]
        facts = [f"**{_t(lang, 'max', points=_points(node.max, lang))}**", _t(lang, "source", source=_term(node.source, lang))]
        if node.is_leaf:
            facts.append(_t(lang, "by_rule"))
        elif node.aggregate == "weighted_mean":
            weights = ", ".join(f"{escape(child.id)} × {number(child.weight, lang)}" for child in node.children)
            facts.append(_t(lang, "weighted", weights=weights, max=number(node.max, lang)))
        else:
            facts.append(_t(lang, "sum", count=len(node.children)))
        lines += [" · ".join(facts), ""]
        if node.description:
            lines += [escape(node.description), ""]
        if node.rule is not None:
            lines += _rule_lines(node, m, lang)
        if node.wording:
            lines += [_t(lang, "wording", text=escape(node.wording)), ""]
        if node.legal_ref:
            lines += [_t(lang, "legal_ref", text=_legal_ref(node.legal_ref, m)), ""]
        if node.cap_note:
            lines += [_t(lang, "cap_note", text=escape(node.cap_note)), ""]
        note = f": {escape(node.provenance_note)}" if node.provenance_note else ""
        lines += [_t(lang, "provenance", provenance=_term(node.provenance, lang), note=note), ""]
    return lines


def _legal_ref(text: str, m: Methodology) -> str:
    """A node's legal reference, linked to the document of the legal basis it names (by number)."""
    for doc in m.legal_basis:
        if doc.number and doc.number in text and _safe_url(doc.url):
            return _linked(escape(text), doc.url)
    return escape(text)


def _rule_lines(node: Node, m: Methodology, lang: str) -> list[str]:
    rule = node.rule
    assert rule is not None  # only called for leaves
    lines = [_t(lang, "rule", kind=_code(rule.kind), words=escape(rule_in_words(node, m.indicators, lang))), ""]
    if rule.indicator:
        indicator = m.indicators[rule.indicator]
        label = _label(indicator.label, indicator.label_en, lang)
        lines += [_t(lang, "indicator", id=_code(indicator.id), label=label, type=_term(indicator.type, lang)), ""]
    return lines


def _indicators(m: Methodology, lang: str) -> list[str]:
    lines = [f"## {_t(lang, 'indicators')} {{#indicators}}", "", _t(lang, "indicators_intro"), ""]
    lines += [_t(lang, "indicators_header"), "|---|---|---|---|---|---|"]
    for indicator in m.indicators.values():
        formula = _code(indicator.formula.source) if indicator.formula is not None else ""
        choices = indicator.levels or indicator.options
        kind = _term(indicator.type, lang) + (": " + ", ".join(f"{_code(key)} {escape(text)}" for key, text in choices.items()) if choices else "")
        interval = _interval(indicator.range, indicator.unit_symbol, lang) if indicator.type not in ("boolean", "level", "answers") else ""
        lines.append(
            f"| {_code(indicator.id)} | {_label(indicator.label, indicator.label_en, lang)} | {kind} | {escape(interval)} | {_term(indicator.missing, lang)} | {formula} |"
        )
    lines.append("")
    return lines


def _survey(m: Methodology, lang: str) -> list[str]:
    """How questionnaires are counted (the survey section), when the methodology has one."""
    section = m.survey
    if section is None:
        return []
    intro = _t(lang, "survey_intro", column=_code(section.unit_column))
    if section.group_column:
        intro += _t(lang, "survey_group", column=_code(section.group_column))
    intro += _t(lang, "survey_reject" if section.blank == "reject" else "survey_skip")
    lines = [f"## {_t(lang, 'survey')} {{#questionnaires}}", "", intro, ""]
    if section.groups:
        lines += [_t(lang, "groups_header"), "|---|---|--:|---|"]
        for group in section.groups.values():
            weight = number(group.weight, lang) if group.weight is not None else "—"
            provenance = _term(group.provenance, lang) if group.provenance else ""
            lines.append(f"| {_code(group.id)} | {_label(group.label, group.label_en, lang)} | {weight} | {provenance} |")
        lines.append("")
    lines += [_t(lang, "questions_header"), "|---|---|---|---|"]
    for question in section.questions:
        answers = ", ".join(f"{_code(code)} → {_code(option)}" for code, option in question.answers.items())
        asked = ", ".join(_code(group) for group in question.groups) if question.groups else _t(lang, "everyone")
        lines.append(f"| {_code(question.column)} | {_code(question.indicator)} | {answers} | {asked} |")
    lines.append("")
    return lines


# --- worked examples -----------------------------------------------------------------------------


def _examples_page(item: _Loaded, lang: str, section: str) -> Page:
    m = item.methodology
    path = examples_path(m.id, m.version)
    assert item.tests_file is not None  # only called when there is one
    suite = load_tests(item.tests_file)
    lines = [
        f"# {_t(lang, 'examples_title', title=escape(_title(m, lang)), version=escape(m.version))}",
        "",
        _t(lang, "examples_intro", file=_code(item.tests_file.name), link=_link(path, version_path(m.id, m.version))),
        "",
    ]
    for case in suite.cases:
        lines += _case_lines(m, case, lang)
    return Page(path, _t(lang, "examples_nav", version=escape(m.version)), "\n".join(lines) + "\n", section)


def _case_lines(m: Methodology, case: MethodologyCase, lang: str) -> list[str]:
    outcome = run_case(m, case)
    verdict = _t(lang, "agrees") if outcome.passed else _t(lang, "disagrees") + "; ".join(escape(str(failure)) for failure in outcome.failures)
    lines = [f"## {escape(case.name)}", ""]
    if case.note:
        lines += [escape(case.note), ""]
    lines += [_t(lang, "record_header"), "|---|---|---|"]
    for key, value in case.record.items():
        indicator = m.indicators.get(key)
        label = _label(indicator.label, indicator.label_en, lang) if indicator else ""
        lines.append(f"| {_code(key)} | {label} | {_record_value(value, indicator, lang)} |")
    lines.append("")
    try:
        result = score(m, case.record, parts=case.parts)
    except (RecordError, MethodologyNotFound) as error:
        return lines + [_t(lang, "refused") if outcome.passed else verdict, "", *_fenced(str(error)), ""]
    expected = {expectation.target: expectation.value for expectation in case.expectations}
    if result.complete:
        assert result.published_index is not None  # a complete result has one
        summary = _t(lang, "total", total=number(result.published_total, lang), scale=number(m.scale, lang), index=number(result.published_index, lang))
        summary += _t(lang, "band", band=escape(result.band.id)) if result.band else _t(lang, "no_band")
    else:
        assert result.reach is not None  # a partial result has one
        scored = _t(lang, "only_parts", parts=", ".join(map(escape, case.parts))) if case.parts else ""
        summary = _t(lang, "partial", total=number(result.published_total, lang), reach=number(result.reach, lang), scale=number(m.scale, lang))
        summary += _t(lang, "partial_note", scored=scored, pending=", ".join(map(escape, result.pending)))
    totals = [f"{_term(expectation.target, lang)} {_expected_text(expectation.value, lang)}" for expectation in case.expectations if not expectation.is_node]
    if totals:
        summary += _t(lang, "expects", values=", ".join(totals))
    lines += [f"{summary}: {verdict}.", "", _t(lang, "result_header"), "|---|---|--:|--:|---|--:|"]
    for node in result.nodes():
        points = _t(lang, "pending") if node.pending else _t(lang, "n/a") if node.points is None else number(node.points, lang)
        if node.partial:
            points += f" (≤ {number(node.reach, lang)})"  # type: ignore[arg-type]
        indent = "&emsp;" * (node.node.depth - 1)
        want = _expected_text(expected[node.id], lang) if node.id in expected else ""
        label = node.node.label_en if lang == "en" and node.node.label_en else node.label
        lines.append(f"| {indent}{escape(node.id)} | {escape(label)} | {points} | {number(node.max, lang)} | {escape(node.why)} | {want} |")
    lines.append("")
    return lines


def _fenced(text: str) -> list[str]:
    """Text as a code block: the fence is longer than any run of backticks in the text."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}text", _printable(text), fence]


def _record_value(value: Any, indicator: Indicator | None, lang: str) -> str:
    """A record's value as Markdown: a level or an answer option by its label, its id beside it."""
    choices = (indicator.levels or indicator.options or {}) if indicator else {}
    if isinstance(value, str) and value in choices:
        return f"{escape(choices[value])} ({_code(value)})"
    if isinstance(value, Mapping) and choices:
        return ", ".join(f"{escape(choices.get(key, key))}: {escape(_value_text(count, lang))}" for key, count in value.items())
    return escape(_value_text(value, lang))


def _value_text(value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return _t(lang, "yes" if value else "no")
    if isinstance(value, Decimal):
        return number(value, lang)
    if isinstance(value, Mapping):
        return ", ".join(f"{key}: {_value_text(count, lang)}" for key, count in value.items())
    return str(value)


def _expected_text(value: Decimal | str | tuple[str, ...] | None, lang: str) -> str:
    if value is None:
        return _t(lang, "no_value")
    if isinstance(value, tuple):
        return "[" + ", ".join(map(escape, value)) + "]"
    return number(value, lang) if isinstance(value, Decimal) else escape(value)


# --- version history --------------------------------------------------------------------------


def _history_page(methodology_id: str, chain: list[_Loaded], lang: str, section: str) -> Page:
    path = history_path(methodology_id)
    lines = [f"# {_t(lang, 'history_title', title=section)}", "", _t(lang, "history_intro", id=_code(methodology_id)), ""]
    previous: Methodology | None = None
    for item in chain:
        m = item.methodology
        heading = _t(lang, "version_heading", version=escape(m.version), years=_years(m))
        criteria = _t(lang, "criteria_of", version=escape(m.version))
        lines += [f"## {heading} {{#{_anchor('version-' + m.version)}}}", "", f"[{criteria}]({_link(path, version_path(m.id, m.version))})", ""]
        if m.changelog:
            lines += [_t(lang, "changelog_line", text=escape(m.changelog)), ""]
        if previous is None:
            lines += [_t(lang, "first"), ""]
        else:
            lines += _changes(path, previous, m, lang)
        previous = m
    return Page(path, _t(lang, "history_nav"), "\n".join(lines) + "\n", section)


def _changes(path: str, old: Methodology, new: Methodology, lang: str) -> list[str]:
    difference = diff(old, new)
    if not difference:
        return [_t(lang, "no_change", version=escape(old.version)), ""]
    matched = _t(lang, "by_lineage" if difference.lineage_used else "by_ids")
    lines = [_t(lang, "changes_since", version=escape(old.version), matched=matched), "", _t(lang, "history_header"), "|---|---|---|---|"]
    for change in difference.changes:
        shown_in = old if change.kind == "removed" else new
        node = shown_in.node(change.node)
        label = node.label_en if lang == "en" and node.label_en else node.label
        link = f"[{escape(change.node)}]({_link(path, version_path(shown_in.id, shown_in.version))}#{_anchor('node-' + change.node)})"
        before, after = (_change_text(text, lang) for text in (change.old, change.new))
        if change.kind == "rule changed":  # a rule as the format writes it: code
            before, after = _code(before), _code(after)
        else:
            before, after = escape(before), escape(after)
        lines.append(f"| {_term(change.kind, lang)} | {link} {escape(label)} | {before} | {after} |")
    return lines + [""]


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
