"""Results reports: a self-contained HTML report with charts, and a results annex workbook.

:func:`write_html` writes one HTML file that opens from a USB stick: its charts are inline SVG
drawn by matplotlib (text as glyph outlines, ``svg.fonttype: path``, so Vietnamese renders with
no font installed), its style is inline, and a Content-Security-Policy meta element forbids any
request (``default-src 'none'``). It holds, in Vietnamese (``lang="en"``: English): the results
table; the ranking as a chart over the rating bands; a heat map of units × fields (each field's
share of its maximum); the distribution of the index; per field, where the units lose most
points; given the previous year, each unit's change in index and rank and the fields that moved
most (through the methodologies' lineage, :func:`par_rules.compare`); and a section per unit with
its lost points by field and its nearest improvements (:func:`par_rules.gaps`); given a
sensitivity analysis (:func:`par_rules.sensitivity`), each unit's rank interval as a chart and a
table.

Every text from the input (unit names, labels) is HTML-escaped; the SVG's comments, where
matplotlib repeats the text it drew, are removed; mathtext is off, so a ``$`` is a dollar.
Output is deterministic (a fixed ``svg.hashsalt``, no date in the metadata).

:func:`write_annex` writes the same results as a workbook laid out like a published annex
(units × fields, total, index, rank, band; one sheet per comparison) with native Excel charts;
text cells are always text, never formulas (:func:`par_rules.forms.safe_text`).

matplotlib is imported only here, and only when a report is drawn (the ``report`` extra).
"""

from __future__ import annotations

import decimal
import html
import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ._analysis import Gaps, gaps
from ..engine._arithmetic import CONTEXT, format_decimal as fmt, publish
from ._compare import Comparison, compare
from ..errors import ParRulesError
from ..formats._forms import exact_number_cell, safe_text
from ..engine._model import Methodology
from ._ranking import Ranking, rank
from ..engine._report import Result
from ._sensitivity import Sensitivity
from ._statistics import Description, describe
from .._i18n import LANGUAGES, N_, gettext as _, number, pgettext, use
from .._lazy import name_home

__all__ = ["OfficeReport", "build_report", "write_html", "write_annex", "render_html", "ReportDependencyMissing", "LANGUAGES"]


CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_HUNDRED = Decimal(100)
_BAND_COLOURS = ("#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027", "#7f0000")
_NO_BAND_COLOUR = "#9e9e9e"
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)

_TEXTS = {  # key -> text (English), translated by the catalogue when the report is written
    "title": N_("Administrative reform index: results report"),
    "methodology": N_("Methodology"),
    "version": N_("version"),
    "units": N_("units"),
    "summary": N_("Summary"),
    "results": N_("Results"),
    "rank": N_("Rank"),
    "unit": N_("Unit"),
    "group": N_("Group"),
    "total": N_("Total"),
    "index": N_("Index (%)"),
    "band": N_("Band"),
    "ranking_chart": N_("Ranking by index, over the rating bands"),
    "heatmap": N_("Share of each field's maximum (%)"),
    "distribution": N_("Distribution of the index"),
    "lost_by_field": N_("Points lost by field (all units)"),
    "field": N_("Field"),
    "max": N_("Max"),
    "mean_points": N_("Mean points"),
    "mean_share": N_("Mean share (%)"),
    "lost_total": N_("Points lost in total"),
    "changes": N_("Change from the previous year"),
    "previous_index": N_("Previous index (%)"),
    "index_change": N_("Index change"),
    "previous_rank": N_("Previous rank"),
    "rank_change": N_("Rank change"),
    "fields_moved": N_("Fields that moved most (mean points)"),
    "mean_change": N_("Mean change"),
    "not_comparable": N_("not comparable"),
    "units_section": N_("Each unit"),
    "lost_points": N_("Points lost by field"),
    "components": N_("Component indices, lowest first"),
    "improvements": N_("Where most points were lost (nearest improvements)"),
    "node": N_("Criterion"),
    "lost": N_("Lost"),
    "earned": N_("Earned"),
    "next_rank": N_("Next rank up"),
    "next_rank_text": N_("{unit} (rank {rank}) is {points} points ahead"),
    "first": N_("first"),
    "next_band": N_("Next band up"),
    "next_band_text": N_("band {band} from an index of {index}%: {points} more points"),
    "none_above": N_("no band above"),
    "mean": N_("Mean"),
    "median": N_("Median"),
    "lowest": N_("Lowest"),
    "highest": N_("Highest"),
    "above_average": N_("Above the mean"),
    "bands": N_("Units per band"),
    "rises": N_("Largest rises"),
    "falls": N_("Largest falls"),
    "no_band": N_("no band"),
    "generated": N_("Written by par_rules; exact figures, rounded as the methodology publishes ({decimals} decimals)."),
    "share": N_("share (%)"),
    "count": N_("number of units"),
    "notes": N_("Notes"),
    "robustness": N_("Rank robustness"),
    "robustness_chart": N_("Each unit's rank interval when the weights move"),
    "robustness_text": N_("{samples} samples (seed {seed}): the caps of {level} moved at random by up to ±{percent}%, renormalised to the scale{bands}. Line: ranks from the 5th to the 95th percentile; dot: median rank; ×: published rank. The shorter the line, the more solid the rank."),  # noqa: E501 (one msgid, kept whole for the catalogues)
    "robustness_bands": N_("; band thresholds moved by up to ±{shift} points"),
    "level_fields": N_("the fields"),
    "level_criteria": N_("the criteria"),
    "median_rank": N_("Median rank"),
    "rank_interval": N_("Rank interval (5th–95th percentile)"),
    "band_changes": N_("Band changes (% of samples)"),
    "moved_by": N_("Field that moves the rank most"),
    "worst_without": N_("Worst rank with one field left out"),
}


class ReportDependencyMissing(ParRulesError):
    """matplotlib, which draws the charts, is not installed."""


@dataclass(frozen=True)
class OfficeReport:
    """Everything a report shows, worked out once for the HTML and the annex."""

    methodology: Methodology
    ranking: Ranking
    description: Description
    comparison: Comparison | None
    gaps: tuple[Gaps, ...]  # in ranking order
    sensitivity: Sensitivity | None = None  # rank robustness, when asked for

    @property
    def decimals(self) -> int:
        return self.methodology.decimals


def build_report(results: Iterable[Result], previous: Iterable[Result] | None = None, *, sensitivity: Sensitivity | None = None) -> OfficeReport:
    """Rank the results (one methodology version), describe them, compare them with the
    previous year's (any version with a lineage to this one), and analyse each unit's gaps;
    given ``sensitivity`` (:func:`par_rules.sensitivity` of the same results), the report shows
    each unit's rank interval too. The report publishes indexes: a result with parts not in yet
    (no index) is refused, with the units and parts named."""
    ranking = rank(results)
    if not len(ranking):
        raise ParRulesError(_("no results to report"))
    partial = [entry for entry in ranking if not entry.result.complete]
    if partial:
        waiting = sorted({node for entry in partial for node in entry.result.pending})
        units = ", ".join(entry.unit for entry in partial[:12]) + (_(" and {count} more").format(count=len(partial) - 12) if len(partial) > 12 else "")
        raise ParRulesError(
            _("the report publishes indexes, and {units} have parts not in yet ({waiting}): report when every part is in (par-rules score and rank show the points so far)").format(
                units=units, waiting=", ".join(waiting)
            )
        )
    comparison = compare(list(previous), [entry.result for entry in ranking]) if previous is not None else None
    return OfficeReport(
        methodology=ranking.entries[0].result.methodology,
        ranking=ranking,
        description=describe(ranking, comparison),
        comparison=comparison,
        gaps=tuple(gaps(entry.result, ranking, top=5) for entry in ranking),
        sensitivity=sensitivity,
    )


# --------------------------------------------------------------------------- text helpers


def _e(text: Any) -> str:
    """Any text, escaped for HTML (attribute values too)."""
    return html.escape(str(text), quote=True)


def _published(value: Decimal | None, decimals: int) -> str:
    """A value as published: rounded half-up to the methodology's decimals, always that many
    decimals shown, so a column's numbers line up; written as the report's language writes
    numbers (``91,71`` in Vietnamese)."""
    if value is None:
        return ""
    return number(f"{publish(value, decimals):.{decimals}f}" if decimals > 0 else str(publish(value, 0)))


def _indexes(report: OfficeReport) -> list[Decimal]:
    """The exact index of each unit ranked, best first (build_report refuses a result without)."""
    return [entry.index for entry in report.ranking if entry.index is not None]


def _signed(value: Decimal | None, decimals: int) -> str:
    if value is None:  # a year with parts not in yet: no index, no change
        return "–"
    text = _published(abs(value), decimals)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def _name(result: Result, unit: str) -> str:
    return result.record.name or unit


def _share(points: Decimal | None, maximum: Decimal) -> Decimal | None:
    if points is None or maximum <= 0:
        return None
    with decimal.localcontext(CONTEXT):
        return points / maximum * _HUNDRED


def _label(node: Any, lang: str) -> str:
    return (node.label_en or node.label) if lang == "en" else node.label


# --------------------------------------------------------------------------- charts


class _Charts:
    """matplotlib figures as inline SVG: deterministic, text drawn as paths, no comments."""

    def __init__(self) -> None:
        try:
            import matplotlib
            from matplotlib.figure import Figure
        except ImportError:
            raise ReportDependencyMissing(_("the HTML report draws its charts with matplotlib: pip install 'par-rules[report]'")) from None
        self.matplotlib = matplotlib
        self.Figure = Figure
        self.rc: dict[Any, Any] = {  # matplotlib types the keys as a Literal of every rcParam
            "svg.fonttype": "path",
            "svg.hashsalt": "par_rules",
            "text.parse_math": False,
            "font.family": "DejaVu Sans",  # shipped with matplotlib, covers Vietnamese
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }

    def figure(self, width: float, height: float) -> Any:
        with self.matplotlib.rc_context(self.rc):
            return self.Figure(figsize=(width, height), layout="constrained")

    def svg(self, figure: Any, title: str) -> str:
        buffer = io.StringIO()
        with self.matplotlib.rc_context(self.rc):
            figure.savefig(buffer, format="svg", metadata={"Date": None})
        text = buffer.getvalue()
        text = text[text.index("<svg") :]  # no XML declaration or DOCTYPE inside HTML
        text = _COMMENT.sub("", text)  # matplotlib repeats drawn text in comments: not needed
        text = _METADATA.sub("", text)  # the RDF block (creator, format): nothing a reader needs
        # The first element names the chart for screen readers.
        return text.replace(">", f' role="img" aria-label="{_e(title)}">', 1)


def _band_spans(ax: Any, methodology: Methodology, vertical: bool, lang: str) -> None:
    """Shade each rating band's range of the index behind a chart."""
    for position, band in enumerate(methodology.bands):
        low = float(band.interval.low) if band.interval.low is not None else 0.0
        high = float(band.interval.high) if band.interval.high is not None else 100.0
        colour = _BAND_COLOURS[min(position, len(_BAND_COLOURS) - 1)]
        if vertical:
            ax.axvspan(low, high, color=colour, alpha=0.15, lw=0)
            ax.text((low + high) / 2, 1.0, band.id, transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=8)
        else:
            ax.axhspan(low, high, color=colour, alpha=0.15, lw=0)


def _band_colour(methodology: Methodology, band_id: str | None) -> str:
    for position, band in enumerate(methodology.bands):
        if band.id == band_id:
            return _BAND_COLOURS[min(position, len(_BAND_COLOURS) - 1)]
    return _NO_BAND_COLOUR


def _axis_range(values: Sequence[float]) -> tuple[float, float]:
    low = min(*values, 100.0)
    return (max(0.0, min(low - 5.0, 50.0)) if low >= 0 else low - 5.0, max(100.0, max(values) + 1.0))


def _ranking_chart(charts: _Charts, report: OfficeReport, t: dict[str, str], lang: str) -> str:
    entries = list(report.ranking)
    figure = charts.figure(8, 0.9 + 0.28 * len(entries))
    ax = figure.add_subplot()
    values = [float(publish(index, report.decimals)) for index in _indexes(report)]
    _band_spans(ax, report.methodology, True, lang)
    labels = [f"{entry.rank}. {_name(entry.result, entry.unit)}" for entry in entries]
    positions = list(range(len(entries)))[::-1]
    ax.barh(positions, values, color=[_band_colour(report.methodology, entry.band.id if entry.band else None) for entry in entries], height=0.7)
    ax.set_yticks(positions, labels)
    for position, value in zip(positions, values):
        ax.text(value, position, f" {_published(Decimal(str(value)), report.decimals)}", va="center", fontsize=7)
    ax.set_xlim(*_axis_range(values))
    ax.set_xlabel(t["index"])
    return charts.svg(figure, t["ranking_chart"])


def _heatmap(charts: _Charts, report: OfficeReport, t: dict[str, str], lang: str) -> str:
    entries = list(report.ranking)
    fields = report.methodology.criteria
    figure = charts.figure(max(5.0, 1.2 + 0.9 * len(fields)), 1.2 + 0.3 * len(entries))
    ax = figure.add_subplot()
    grid = []
    for entry in entries:
        row = []
        for position, node in enumerate(fields):
            share = _share(entry.result.fields[position].points, node.max)
            row.append(float("nan") if share is None else float(share))
        grid.append(row)
    # pcolormesh, not imshow: cells as vector shapes (imshow embeds a PNG image)
    image = ax.pcolormesh(grid, cmap="RdYlGn", vmin=0, vmax=100, edgecolors="white", linewidth=0.5)
    ax.set_xlim(0, len(fields))
    ax.set_ylim(len(entries), 0)  # the best unit on top
    ax.set_xticks([x + 0.5 for x in range(len(fields))], [node.id for node in fields])
    ax.set_yticks([y + 0.5 for y in range(len(entries))], [_name(entry.result, entry.unit) for entry in entries])
    ax.tick_params(top=True, labeltop=True, bottom=False, labelbottom=False)
    for y, row in enumerate(grid):
        for x, value in enumerate(row):
            if value == value:  # not NaN
                ax.text(x + 0.5, y + 0.5, f"{value:.0f}", ha="center", va="center", fontsize=7, color="black")
    scale = figure.colorbar(image, ax=ax, label=t["share"], shrink=0.8)
    scale.solids.set_rasterized(False)  # matplotlib rasterises a long colour bar into a PNG: keep it vector
    return charts.svg(figure, t["heatmap"])


def _distribution(charts: _Charts, report: OfficeReport, t: dict[str, str], lang: str) -> str:
    values = [float(publish(index, report.decimals)) for index in _indexes(report)]
    figure = charts.figure(8, 2.6)
    ax = figure.add_subplot()
    _band_spans(ax, report.methodology, True, lang)
    low, high = _axis_range(values)
    ax.hist(values, bins=max(5, min(30, len(values))), range=(low, high), color="#3f6fb5", edgecolor="white")
    mean = float(report.description.index.mean.published)
    ax.axvline(mean, color="black", ls="--", lw=1)
    ax.text(mean, 0.95, f" {t['mean']} {_published(report.description.index.mean.exact, report.decimals)}", transform=ax.get_xaxis_transform(), fontsize=8, va="top")
    ax.set_xlim(low, high)
    ax.set_xlabel(t["index"])
    ax.set_ylabel(t["count"])
    return charts.svg(figure, t["distribution"])


def _lost_by_field(charts: _Charts, report: OfficeReport, t: dict[str, str], lang: str) -> str:
    fields = report.methodology.criteria
    lost = _field_losses(report)
    figure = charts.figure(8, 0.9 + 0.35 * len(fields))
    ax = figure.add_subplot()
    positions = list(range(len(fields)))[::-1]
    ax.barh(positions, [float(lost[node.id]) for node in fields], color="#d73027")
    ax.set_yticks(positions, [f"{node.id}. {_label(node, lang)[:50]}" for node in fields])
    ax.set_xlabel(t["lost_total"])
    return charts.svg(figure, t["lost_by_field"])


def _field_losses(report: OfficeReport) -> dict[str, Decimal]:
    lost = {node.id: Decimal(0) for node in report.methodology.criteria}
    for entry in report.ranking:
        for node_result in entry.result.fields:
            if node_result.points is not None:
                lost[node_result.id] += node_result.node.max - node_result.points
    return lost


def _slope_chart(charts: _Charts, report: OfficeReport, t: dict[str, str], lang: str) -> str:
    comparison = report.comparison
    assert comparison is not None
    figure = charts.figure(6, 1.5 + 0.3 * len(comparison.units))
    ax = figure.add_subplot()
    previous_year = comparison.units[0].previous.period if comparison.units else None
    current_year = comparison.units[0].current.period if comparison.units else None
    for change in comparison.units:
        if change.previous.index is None or change.current.index is None:
            continue  # parts not in yet in a year: no index to draw (the table says so)
        before, after = float(change.previous.index), float(change.current.index)
        colour = "#1a9850" if after > before else "#d73027" if after < before else "#616161"
        ax.plot([0, 1], [before, after], color=colour, marker="o", lw=1.5)
        ax.text(1.03, after, f"{_name(change.current, change.unit)} ({change.previous_rank} → {change.current_rank})", va="center", fontsize=7)
    ax.set_xticks([0, 1], [str(previous_year or "–"), str(current_year or "–")])
    ax.set_xlim(-0.1, 1.9)
    ax.set_ylabel(t["index"])
    ax.spines["bottom"].set_visible(False)
    return charts.svg(figure, t["changes"])


def _robustness_chart(charts: _Charts, report: OfficeReport, analysis: Sensitivity, t: dict[str, str]) -> str:
    """Each unit's rank interval (5th to 95th percentile) as a line, its median as a dot and its
    published rank as a cross, best rank at the top."""
    entries = list(analysis.units)
    figure = charts.figure(8, 0.9 + 0.28 * len(entries))
    ax = figure.add_subplot()
    positions = list(range(len(entries)))[::-1]
    colours = [_band_colour(report.methodology, entry.band.id if entry.band else None) for entry in entries]
    ax.hlines(positions, [entry.low - 0.3 for entry in entries], [entry.high + 0.3 for entry in entries], colors=colours, linewidth=4, alpha=0.8)  # a solid rank still shows
    ax.scatter([entry.median for entry in entries], positions, s=18, color="#333333", zorder=3)
    ax.scatter([entry.rank for entry in entries], positions, s=22, marker="x", color="#b71c1c", zorder=4)
    ax.set_yticks(positions, [f"{entry.rank}. {_name(entry.result, entry.unit)}" for entry in entries])
    ax.set_xlim(0.5, max(entry.high for entry in entries) + 0.5)  # the best rank on the left
    ax.set_xlabel(t["rank"])
    return charts.svg(figure, t["robustness_chart"])


def _unit_chart(charts: _Charts, report: OfficeReport, result: Result, t: dict[str, str], lang: str, title: str) -> str:
    fields = result.fields
    figure = charts.figure(6, 0.8 + 0.3 * len(fields))
    ax = figure.add_subplot()
    positions = list(range(len(fields)))[::-1]
    lost = [float(node.node.max - node.points) if node.points is not None else 0.0 for node in fields]
    kept = [float(node.points) if node.points is not None else 0.0 for node in fields]
    ax.barh(positions, kept, color="#91bfdb", label=t["earned"])
    ax.barh(positions, lost, left=kept, color="#d73027", label=t["lost"])
    ax.set_yticks(positions, [f"{node.id}. {_label(node.node, lang)[:40]}" for node in fields])
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=7, frameon=False)
    return charts.svg(figure, title)


# --------------------------------------------------------------------------- HTML

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;margin:0 auto;max-width:1100px;padding:1rem 1.5rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:2px solid #b71c1c;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
figure.chart{margin:1rem 0}figure.chart svg{max-width:100%;height:auto}figcaption{font-weight:600;margin-bottom:.3rem}
section.unit{border-top:1px solid #ddd;margin-top:1.5rem}.band{display:inline-block;min-width:1.6rem;text-align:center;border-radius:3px;padding:0 .3rem}
.up{color:#1a7f37}.down{color:#b71c1c}.muted{color:#666;font-size:.85rem}nav a{margin-right:1rem}
"""


def render_html(report: OfficeReport, lang: str | None = None) -> str:
    """The report as one self-contained HTML document."""
    with use(lang) as lang:
        return _render_html(report, lang)


def _render_html(report: OfficeReport, lang: str) -> str:
    t = {key: _(text) for key, text in _TEXTS.items()}
    charts = _Charts()
    m = report.methodology
    d = report.decimals
    title = (m.title_en or m.title) if lang == "en" else m.title
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(t['title'])}: {_e(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(t['title'])}</h1>",
        f"<p>{_e(t['methodology'])}: <strong>{_e(title)}</strong> ({_e(m.id)} {_e(t['version'])} {_e(m.version)}) · {len(report.ranking)} {_e(t['units'])}</p>",
        '<nav><a href="#summary">' + _e(t["summary"]) + '</a><a href="#results">' + _e(t["results"]) + '</a><a href="#units">' + _e(t["units_section"]) + "</a></nav>",
    ]
    parts += _summary_html(report, t)
    parts += _results_html(report, t, lang)
    parts.append(_figure(_ranking_chart(charts, report, t, lang), t["ranking_chart"], "ranking"))
    parts.append(_figure(_heatmap(charts, report, t, lang), t["heatmap"], "heatmap"))
    parts.append(_figure(_distribution(charts, report, t, lang), t["distribution"], "distribution"))
    parts += [f"<h2 id=\"fields\">{_e(t['lost_by_field'])}</h2>", _figure(_lost_by_field(charts, report, t, lang), t["lost_by_field"], "lost-by-field")]
    parts += _fields_table(report, t, lang)
    if report.comparison is not None:
        parts += _changes_html(report, t, lang)
        parts.append(_figure(_slope_chart(charts, report, t, lang), t["changes"], "changes"))
    if report.sensitivity is not None:
        parts += _robustness_html(report, report.sensitivity, t, lang)
        parts.append(_figure(_robustness_chart(charts, report, report.sensitivity, t), t["robustness_chart"], "robustness"))
    parts.append(f"<h2 id=\"units\">{_e(t['units_section'])}</h2>")
    for entry, analysis in zip(report.ranking, report.gaps):
        parts += _unit_html(report, entry, analysis, charts, t, lang)
    if report.ranking.notes:
        parts.append(f"<h2>{_e(t['notes'])}</h2><ul>" + "".join(f"<li>{_e(note)}</li>" for note in report.ranking.notes) + "</ul>")
    parts += [f'<p class="muted">{_e(t["generated"].format(decimals=d))}</p>', "</body>", "</html>", ""]
    return "\n".join(parts)


def _figure(svg: str, caption: str, name: str) -> str:
    return f'<figure class="chart" id="chart-{name}" data-chart="{name}"><figcaption>{_e(caption)}</figcaption>{svg}</figure>'


def _summary_html(report: OfficeReport, t: dict[str, str]) -> list[str]:
    s = report.description
    d = report.decimals
    spread = s.index
    rows = [
        f"<tr><th>{_e(t['mean'])}</th><td class=n>{_published(spread.mean.exact, d)}</td><th>{_e(t['median'])}</th><td class=n>{_published(spread.median.exact, d)}</td></tr>",
        f"<tr><th>{_e(t['lowest'])}</th><td class=n>{_published(spread.lowest.exact, d)}</td><th>{_e(t['highest'])}</th><td class=n>{_published(spread.highest.exact, d)}</td></tr>",
    ]
    bands = ", ".join(f"{_e(band or t['no_band'])}: {count}" for band, count in s.bands.items())
    lines = [f'<h2 id="summary">{_e(t["summary"])}</h2>', f"<table><caption>{_e(t['index'])}</caption>{''.join(rows)}</table>", f"<p>{_e(t['bands'])}: {bands}</p>"]
    names = {entry.unit: _name(entry.result, entry.unit) for entry in report.ranking}
    lines.append(f"<p>{_e(t['above_average'])} ({len(s.above_average)}): {_e(', '.join(names[u] for u in s.above_average)) or '–'}</p>")
    if report.comparison is not None:
        for key, moves in (("rises", s.rises), ("falls", s.falls)):
            listed = ", ".join(f"{_e(names.get(move.unit, move.unit))} ({_signed(move.change.exact, d)})" for move in moves)
            lines.append(f"<p>{_e(t[key])}: {listed or '–'}</p>")
    return lines


def _results_html(report: OfficeReport, t: dict[str, str], lang: str) -> list[str]:
    d = report.decimals
    fields = report.methodology.criteria
    head = [t["rank"], t["unit"], t["group"]] + [f"{node.id}. {_label(node, lang)} ({fmt(node.max)})" for node in fields] + [t["total"], t["index"], t["band"]]
    lines = [f'<h2 id="results">{_e(t["results"])}</h2>', "<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for entry in report.ranking:
        result = entry.result
        band = entry.band.id if entry.band else t["no_band"]
        colour = _band_colour(report.methodology, entry.band.id if entry.band else None)
        cells = [f"<td class=n>{entry.rank}</td>", f'<td><a href="#unit-{_anchor(entry.unit)}">{_e(_name(result, entry.unit))}</a></td>', f"<td>{_e(result.record.group or '')}</td>"]
        cells += [f"<td class=n>{_published(node.points, d)}</td>" for node in result.fields]
        cells += [f"<td class=n>{_published(result.total, d)}</td>", f"<td class=n>{_published(result.index, d)}</td>", f'<td><span class="band" style="background:{colour}33">{_e(band)}</span></td>']
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</tbody></table>")
    return lines


def _robustness_html(report: OfficeReport, analysis: Sensitivity, t: dict[str, str], lang: str) -> list[str]:
    level = t["level_fields"] if analysis.level == "fields" else t["level_criteria"]
    bands = t["robustness_bands"].format(shift=fmt(analysis.band_shift)) if analysis.band_shift else ""
    text = t["robustness_text"].format(samples=analysis.samples, seed=analysis.seed, level=level, percent=fmt(analysis.percent), bands=bands)
    labels = {node.id: f"{node.id}. {_label(node, lang)}" for node in report.methodology.criteria}
    head = [t["rank"], t["unit"], t["median_rank"], t["rank_interval"], t["band_changes"], t["moved_by"], t["worst_without"]]
    lines = [f'<h2 id="robustness">{_e(t["robustness"])}</h2>', f"<p>{_e(text)}</p>", "<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for entry in analysis.units:
        moved = f"{labels[entry.moved_by]} ({entry.moved:+d})" if entry.moved_by else "–"
        worst = entry.worst_without
        without = f"{worst[1]} ({labels[worst[0]]})" if worst else "–"
        lines.append(
            f"<tr><td class=n>{entry.rank}</td><td>{_e(_name(entry.result, entry.unit))}</td><td class=n>{entry.median}</td>"
            f"<td class=n>{entry.low}–{entry.high}</td><td class=n>{_e(fmt(entry.band_change_share))}</td><td>{_e(moved)}</td><td>{_e(without)}</td></tr>"
        )
    lines.append("</tbody></table>")
    return lines


def _anchor(unit: str) -> str:
    """An id attribute for a unit: only safe characters (the unit's own text is escaped elsewhere)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", unit) + "-" + format(_stable_hash(unit), "08x")


def _stable_hash(text: str) -> int:
    """A stable hash of a text (Python's hash() changes between runs)."""
    import zlib

    return zlib.crc32(text.encode("utf-8"))


def _fields_table(report: OfficeReport, t: dict[str, str], lang: str) -> list[str]:
    d = report.decimals
    losses = _field_losses(report)
    ordered = sorted(report.methodology.criteria, key=lambda node: -losses[node.id])
    head = [t["field"], t["max"], t["mean_points"], t["mean_share"], t["lost_total"]]
    lines = ["<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for node in ordered:
        spread = report.description.field_points.get(node.id)
        share = report.description.fields.get(node.id)
        lines.append(
            f"<tr><td>{_e(node.id)}. {_e(_label(node, lang))}</td><td class=n>{_e(fmt(node.max))}</td>"
            f"<td class=n>{_published(spread.mean.exact if spread else None, d)}</td><td class=n>{_published(share.mean.exact if share else None, d)}</td>"
            f"<td class=n>{_published(losses[node.id], d)}</td></tr>"
        )
    lines.append("</tbody></table>")
    return lines


def _changes_html(report: OfficeReport, t: dict[str, str], lang: str) -> list[str]:
    comparison = report.comparison
    assert comparison is not None
    d = report.decimals
    head = [t["unit"], t["previous_index"], t["index"], t["index_change"], t["previous_rank"], t["rank"], t["rank_change"]]
    lines = [f'<h2 id="changes">{_e(t["changes"])}</h2>', "<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for change in sorted(comparison.units, key=lambda c: c.current_rank):
        index_change = change.index_change
        css = "" if index_change is None else "up" if index_change > 0 else "down" if index_change < 0 else ""
        places = change.places_up
        lines.append(
            f"<tr><td>{_e(_name(change.current, change.unit))}</td><td class=n>{_published(change.previous.index, d)}</td><td class=n>{_published(change.current.index, d)}</td>"
            f'<td class="n {css}">{_signed(change.index_change, d)}</td><td class=n>{change.previous_rank}</td><td class=n>{change.current_rank}</td>'
            f'<td class="n {"up" if places > 0 else "down" if places < 0 else ""}">{"▲" if places > 0 else "▼" if places < 0 else "="}{abs(places) if places else ""}</td></tr>'
        )
    lines.append("</tbody></table>")
    moved = _fields_moved(comparison)
    lines.append(f"<h3>{_e(t['fields_moved'])}</h3><table><thead><tr><th>{_e(t['field'])}</th><th>{_e(t['mean_change'])}</th></tr></thead><tbody>")
    for node_id, label, mean in moved:
        lines.append(f"<tr><td>{_e(node_id)}. {_e(label)}</td><td class=n>{_signed(mean, d) if mean is not None else _e(t['not_comparable'])}</td></tr>")
    lines.append("</tbody></table>")
    if comparison.notes:
        lines.append("<ul>" + "".join(f"<li>{_e(note)}</li>" for note in comparison.notes) + "</ul>")
    return lines


def _fields_moved(comparison: Comparison) -> list[tuple[str, str, Decimal | None]]:
    """Each field's mean change across the units, largest move first (not comparable last)."""
    sums: dict[str, list[Decimal]] = {}
    labels: dict[str, str] = {}
    for change in comparison.units:
        for field_change in change.fields:
            labels[field_change.id] = field_change.label
            sums.setdefault(field_change.id, [])
            if field_change.change is not None:
                sums[field_change.id].append(field_change.change)
    rows: list[tuple[str, str, Decimal | None]] = []
    with decimal.localcontext(CONTEXT):
        for node_id, values in sums.items():
            rows.append((node_id, labels[node_id], sum(values, Decimal(0)) / len(values) if values else None))
    return sorted(rows, key=lambda row: (row[2] is None, -abs(row[2]) if row[2] is not None else 0))


def _unit_html(report: OfficeReport, entry: Any, analysis: Gaps, charts: _Charts, t: dict[str, str], lang: str) -> list[str]:
    d = report.decimals
    result = entry.result
    name = _name(result, entry.unit)
    band = entry.band.id if entry.band else t["no_band"]
    lines = [f'<section class="unit" id="unit-{_anchor(entry.unit)}">', f"<h3>{entry.rank}. {_e(name)} — {_published(result.index, d)}% · {_e(band)}</h3>"]
    lines.append(_figure(_unit_chart(charts, report, result, t, lang, f"{t['lost_points']}: {name}"), f"{t['lost_points']}", f"unit-{_anchor(entry.unit)}"))
    lines.append(f"<p><strong>{_e(t['components'])}</strong>: " + ", ".join(f"{_e(c.id)} {_published(c.percent, d)}%" for c in analysis.components) + "</p>")
    lines.append(f"<table><caption>{_e(t['improvements'])}</caption><thead><tr><th>{_e(t['node'])}</th><th>{_e(t['lost'])}</th><th>{_e(t['max'])}</th></tr></thead><tbody>")
    for node in analysis.lost:
        lines.append(f"<tr><td>{_e(node.id)}. {_e(_label(node.node, lang))}</td><td class=n>{_published(node.lost, d)}</td><td class=n>{_e(fmt(node.max))}</td></tr>")
    lines.append("</tbody></table>")
    if analysis.next_rank is None:
        rank_text = t["first"]
    else:
        gap = analysis.next_rank
        rank_text = t["next_rank_text"].format(unit=_name(report.ranking.entry(gap.unit).result, gap.unit), rank=gap.rank, points=_published(gap.points, d))
    if analysis.next_band is None:
        band_text = t["none_above"]
    else:
        gap_band = analysis.next_band
        band_text = t["next_band_text"].format(band=gap_band.band.id, index=fmt(gap_band.index_needed), points=_published(gap_band.points_needed, d))
    lines.append(f"<p>{_e(t['next_rank'])}: {_e(rank_text)}. {_e(t['next_band'])}: {_e(band_text)}.</p>")
    lines.append("</section>")
    return lines


def write_html(report: OfficeReport, path: str | os.PathLike[str], lang: str | None = None) -> None:
    """Write the HTML report to ``path`` (UTF-8)."""
    Path(path).write_text(render_html(report, lang), encoding="utf-8")


# --------------------------------------------------------------------------- annex workbook


def write_annex(report: OfficeReport, path: str | os.PathLike[str], lang: str | None = None) -> None:
    """The results as a workbook laid out like a published annex: a sheet of units × fields,
    total, index, rank, band, with a bar chart of the index; given a comparison, a sheet of
    changes with its own chart. Numbers are number cells (exactly as published), text is text;
    the words in ``lang`` (default: ``PAR_RULES_LANG``, else Vietnamese)."""
    with use(lang) as lang:
        _write_annex(report, path, lang)


def _write_annex(report: OfficeReport, path: str | os.PathLike[str], lang: str) -> None:
    import openpyxl
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    t = {key: _(text) for key, text in _TEXTS.items()}
    d = report.decimals
    fmt_code = "0." + "0" * d if d > 0 else "0"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = pgettext("sheet", "Results")
    fields = report.methodology.criteria
    header = [t["rank"], t["unit"], t["group"]] + [f"{node.id}. {_label(node, lang)} ({fmt(node.max)})" for node in fields] + [t["total"], t["index"], t["band"]]
    for column, text in enumerate(header, start=1):
        safe_text(sheet.cell(row=1, column=column), text)
        sheet.cell(row=1, column=column).font = Font(bold=True)
    for row, entry in enumerate(report.ranking, start=2):
        result = entry.result
        sheet.cell(row=row, column=1, value=entry.rank)
        safe_text(sheet.cell(row=row, column=2), _name(result, entry.unit))
        safe_text(sheet.cell(row=row, column=3), result.record.group or "")
        values = [node.points for node in result.fields] + [result.total, result.index]
        for offset, value in enumerate(values):
            _annex_number(sheet.cell(row=row, column=4 + offset), value, d, fmt_code)
        safe_text(sheet.cell(row=row, column=4 + len(values)), entry.band.id if entry.band else t["no_band"])
    last = 1 + len(report.ranking)
    index_column = 3 + len(fields) + 2
    chart = BarChart()
    chart.type = "bar"
    chart.title = t["ranking_chart"]
    chart.y_axis.title = t["index"]
    chart.add_data(Reference(sheet, min_col=index_column, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=2, min_row=2, max_row=last))
    chart.height, chart.width = max(7.5, 0.5 * len(report.ranking)), 16
    sheet.add_chart(chart, f"{_column(index_column + 3)}2")
    sheet.freeze_panes = "C2"
    if report.comparison is not None:
        changes = workbook.create_sheet(pgettext("sheet", "Comparison"))
        head = [t["unit"], t["previous_index"], t["index"], t["index_change"], t["previous_rank"], t["rank"], t["rank_change"]]
        for column, text in enumerate(head, start=1):
            safe_text(changes.cell(row=1, column=column), text)
            changes.cell(row=1, column=column).font = Font(bold=True)
        ordered = sorted(report.comparison.units, key=lambda c: c.current_rank)
        for row, change in enumerate(ordered, start=2):
            safe_text(changes.cell(row=row, column=1), _name(change.current, change.unit))
            for column, value in ((2, change.previous.index), (3, change.current.index), (4, change.index_change)):
                _annex_number(changes.cell(row=row, column=column), value, d, fmt_code)
            changes.cell(row=row, column=5, value=change.previous_rank)
            changes.cell(row=row, column=6, value=change.current_rank)
            changes.cell(row=row, column=7, value=change.places_up)
        moves = BarChart()
        moves.type = "bar"
        moves.title = t["index_change"]
        moves.add_data(Reference(changes, min_col=4, min_row=1, max_row=1 + len(ordered)), titles_from_data=True)
        moves.set_categories(Reference(changes, min_col=1, min_row=2, max_row=1 + len(ordered)))
        moves.height, moves.width = max(7.5, 0.5 * len(ordered)), 16
        changes.add_chart(moves, "I2")
    workbook.save(path)


def _annex_number(cell: Any, value: Decimal | None, decimals: int, number_format: str) -> None:
    if value is None:
        return
    number = exact_number_cell(publish(value, decimals))
    if isinstance(number, str):
        safe_text(cell, number)
    else:
        cell.value = number
        cell.number_format = number_format


def _column(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
