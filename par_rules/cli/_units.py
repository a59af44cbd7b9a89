"""The ``par-rules`` commands over files of many units: ``score``, ``rank``, ``compare``,
``gaps``, ``whatif`` and ``explain`` (registered on the group in :mod:`par_rules.cli`).

RECORDS is a CSV, JSON, JSON Lines, YAML or .xlsx file in the wide layout described in
:mod:`par_rules.files`. METHODOLOGY is a methodology file, or an id: then each record is scored
under the version in force for its period, unless ``--year`` or ``--version`` picks one.

Exit codes: 0 every row scored; 1 some rows (or a file) have problems, reported on stderr with
their row number, while every good row is still scored and output; 2 the command was used wrongly
(an output file that is one of the inputs, too; a --unit, --node, --on or --parts that names
nothing there is). A record with parts not in yet (``missing: pending``, or ``--parts``) is no
problem: it is scored as a partial result (points so far, no index, no band), exit 0.

What the commands print passes through :func:`echo`, which shows the control characters of the
input (an ANSI escape sequence in a unit's name) as escapes; files are written whole or not at all
(:func:`par_rules.files.replace_atomically`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from ..engine._api import is_path, load, resolve_methodology
from ..engine._arithmetic import format_decimal as fmt, format_short
from ..engine._lineage import read_node_mapping
from ..engine._model import Methodology
from ..engine._registry import source_files, versions
from ..engine._report import Result
from ..errors import MethodologyNotFound, ParRulesError, RecordError
from ..formats._files import Numbered, Table, count_rows, json_text, read_records, replace_atomically, terminal_text, write_table
from ..units._analysis import gaps as gap_analysis, record_mapping, self_assessment, what_if
from ..units._batch import BatchTally, score_many
from ..units._compare import compare
from ..units._parallel import score_rows
from ..units._ranking import Ranking, rank
from ..units._statistics import describe, summarised_notes
from ..units._tables import CsvTexts, band_lines, comparison_notes, comparison_table, field_columns, results_table, write_csv_rows

__all__ = ["score_command", "rank_command", "compare_command", "gaps_command", "whatif_command", "explain_command", "echo"]

_TABLE_FORMATS = ("table", "csv", "json", "xlsx", "md")
_SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx", ".md": "md", ".txt": "table"}
_NOT_WRITTEN = "{} was not written (a file already there is left as it was)"


# --------------------------------------------------------------------------- shared parts


def echo(message: object = "", err: bool = False) -> None:
    """Print text for a person: control characters from the input (a unit name, a value quoted
    in an error) are shown as escapes, never obeyed by the terminal."""
    click.echo(terminal_text(str(message)), err=err)


class _VisibleControls:
    """A text stream that writes what a terminal would obey as escapes (CSV to a terminal)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(terminal_text(text))


def _data_stream() -> Any:
    """Where machine-readable output (CSV, JSON) goes on stdout: exact to a file or a pipe, with
    control characters escaped on a terminal."""
    return _VisibleControls(sys.stdout) if sys.stdout.isatty() else sys.stdout


def refuse_input_as_output(output: str | None, inputs: Sequence[str | os.PathLike[str] | None]) -> None:
    """Refuse an output file that is one of the inputs (by any name: a symbolic or hard link
    too): writing the results would destroy what they are read from."""
    if output is None:
        return
    for source in inputs:
        if source is None:
            continue
        try:
            same = os.path.samefile(output, source)
        except OSError:  # one of them does not exist (yet): not the same file
            continue
        if same:
            raise click.UsageError(terminal_text(f"the output file {output} is the input file {source}: writing it would destroy it; choose another output file"))


def methodology_files(chosen: Methodology | str) -> list[str | os.PathLike[str] | None]:
    """The files a methodology is read from (:func:`par_rules.engine.source_files`), for
    :func:`refuse_input_as_output`."""
    return list(source_files(chosen))


def methodology_or_id(source: str, year: int | None, version: str | None) -> Methodology | str:
    """A loaded methodology, or the id itself when each record's period should pick the version
    (:func:`par_rules.engine.resolve_methodology`), or a clean exit."""
    try:
        return resolve_methodology(source, year=year, version=version)
    except TypeError as error:  # --year or --version with a file
        raise click.UsageError(str(error)) from None
    except MethodologyNotFound as error:
        unknown_id = not is_path(source) and year is None and version is None
        echo(f"{error} (par-rules list shows every id; --root DIR adds a folder of yours; or give a file)" if unknown_id else str(error), err=True)
        raise SystemExit(1) from None
    except (ParRulesError, OSError) as error:
        echo(str(error), err=True)
        raise SystemExit(1) from None


class Batch:
    """The rows of one file, scored: the results, with each bad row reported on stderr as it
    comes and counted (:class:`par_rules.units.BatchTally`), under a progress bar."""

    def __init__(self, methodology: Methodology | str, path: str, sheet: str | None, progress: bool | None) -> None:
        self.methodology = methodology
        self.path = path
        self.sheet = sheet
        self.progress = sys.stderr.isatty() if progress is None else progress
        self.tally = BatchTally()
        context = click.get_current_context(silent=True)
        self.ignored: tuple[str, ...] = context.meta.get(IGNORED_COLUMNS_KEY, ()) if context is not None else ()
        self.parts: tuple[str, ...] | None = context.meta.get(PARTS_KEY) if context is not None else None
        if self.parts is not None and isinstance(methodology, Methodology):
            try:
                methodology.plan.for_parts(self.parts)
            except MethodologyNotFound as error:
                raise click.BadParameter(terminal_text(str(error)), param_hint="--parts") from None
        elif self.parts is not None and isinstance(methodology, str):  # an id: a part no version has is a mistake; one some versions lack, a row's problem
            known = {node.id for info in versions(methodology) for node in load(info.path).nodes()}
            unknown = [part for part in self.parts if part not in known]
            if unknown:
                raise click.BadParameter(terminal_text(f"no version of {methodology} has a node {', '.join(map(repr, unknown))}"), param_hint="--parts")

    def outputs(self) -> Iterator[Result]:
        """Stream the results; report each bad row on stderr as it comes."""
        return self._outputs(lambda records: score_many(self.methodology, records, parts=self.parts))

    def csv_rows(self, fields: Mapping[str, str], jobs: int) -> Iterator[list[str]]:
        """Stream each row's CSV texts, scored by ``jobs`` worker processes; report each bad
        row on stderr as it comes."""
        return self._outputs(lambda records: score_rows(self.methodology, records, fields, jobs, self.parts))

    def _outputs(self, scored: Callable[[Iterator[Numbered]], Iterator[Any]]) -> Iterator[Any]:
        try:
            records = read_records(self.path, sheet=self.sheet, methodology=self.methodology, ignore_columns=self.ignored)
            if self.progress:
                with ProgressBar(self.path, count_rows(self.path, sheet=self.sheet)) as bar:
                    yield from self.tally.results(bar.counted(scored(records)), lambda error: bar.say(f"{self.path}: {error}"))
            else:
                yield from self.tally.results(scored(records), lambda error: echo(f"{self.path}: {error}", err=True))
        except RecordError as error:  # the file itself cannot be read
            echo(f"{self.path}: {error}", err=True)
            raise SystemExit(1) from None
        except (ParRulesError, OSError) as error:  # no such methodology; with --jobs, one changed or gone since it was read
            echo(str(error), err=True)
            raise SystemExit(1) from None

    def results(self) -> list[Result]:
        return list(self.outputs())

    def finish(self) -> None:
        """Summarise the bad rows and exit 1 if there were any."""
        for (methodology_id, version, years), units in self.tally.out_of_years.items():
            listed = ", ".join(units[:10]) + (f" and {len(units) - 10} more" if len(units) > 10 else "")
            echo(f"{self.path}: warning: {len(units)} record(s) scored under {methodology_id}@{version}, whose years ({', '.join(map(str, years))}) do not include their period: {listed}", err=True)
        for column, count in self.tally.repeated_columns().items():
            click.echo(f"{self.path}: column {column!r} is not an indicator of the methodology: {count} rows refused (reported once above); if it is not meant as one, leave it out with --ignore-columns {column!r}", err=True)
        summary = self.tally.summary()
        if summary is not None:
            echo(f"{self.path}: {summary}", err=True)
            raise SystemExit(1)


class ProgressBar:
    """tqdm's bar on stderr while a file is scored: rows done of the rows counted up front
    (:func:`par_rules.formats.count_rows`), the percentage, the rate and the time left; with no
    count (a JSON document), the rows done and the rate. Lines said while it runs go above it."""

    def __init__(self, path: str, total: int | None) -> None:
        from tqdm import tqdm  # imported only when a bar is shown

        self._tqdm = tqdm
        label = terminal_text(f"Scoring {Path(path).name}", one_line=True)
        # tqdm redraws at most every mininterval seconds and learns how many rows to skip between
        # its clock checks, so the bar costs next to nothing per row.
        self.bar = tqdm(total=total, desc=label, unit=" rows", file=sys.stderr, mininterval=0.2, dynamic_ncols=True)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()

    def counted(self, outputs: Iterable[Any]) -> Iterator[Any]:
        for output in outputs:
            self.bar.update()
            yield output

    def say(self, text: str) -> None:
        with self._tqdm.external_write_mode(file=sys.stderr):
            echo(text, err=True)


def emit(table: Table, format: str, output: str | None, notes: Sequence[str] = ()) -> None:
    """Print or write a table (with notes after it, on the terminal or in Markdown)."""
    chosen = chosen_format(format, output)
    if chosen == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs --output FILE.xlsx")
    try:
        rendered = write_table(table, "text" if chosen == "table" else chosen, output)  # type: ignore[arg-type]
    except OSError as error:
        echo(f"cannot write {output}: {error.strerror or error}", err=True)
        raise SystemExit(1) from None
    if output is not None:
        echo(f"wrote {output}", err=True)
        if notes:
            echo("\n".join(notes), err=True)
        return
    if chosen in ("csv", "json"):
        _data_stream().write(rendered or "")  # json_text has escaped every control character already
    else:
        echo(rendered.rstrip("\n") if rendered else "")
    if notes and chosen in ("table", "md"):
        echo("")
        echo("\n".join(f"- {note}" if chosen == "md" else note for note in notes))
    elif notes:
        echo("\n".join(notes), err=True)


def chosen_format(format: str | None, output: str | None) -> str:
    if format:
        return format
    if output is not None:
        return _SUFFIX_FORMATS.get(Path(output).suffix.lower(), "table")
    return "table"


def _find(results: list[Result], unit: str, batch: Batch | None = None) -> Result:
    """The result of ``unit``. When it is not there: a problem found (exit 1) if some rows were
    refused (the unit's may be among them, reported above), else a misused --unit (exit 2)."""
    for result in results:
        if unit in (result.record.unit, result.record.name):
            return result
    if batch is not None and batch.tally.failed:
        echo(f"no scored record for unit {unit!r}: its row may be among the rows with problems reported above", err=True)
        batch.finish()  # exits 1
    raise click.BadParameter(f"no scored record for unit {unit!r} (check the unit column, and the problems reported above)", param_hint="--unit")


IGNORED_COLUMNS_KEY = "par_rules.ignore_columns"


def _remember_ignored(context: click.Context, parameter: click.Parameter, value: str | None) -> None:
    """--ignore-columns, kept on the context for the file's Batch (so no command's signature
    changes): comma-separated names."""
    context.meta[IGNORED_COLUMNS_KEY] = tuple(name.strip() for name in (value or "").split(",") if name.strip())


PARTS_KEY = "par_rules.parts"


def _remember_parts(context: click.Context, parameter: click.Parameter, value: str | None) -> None:
    """--parts, kept on the context for the file's Batch: comma-separated node ids."""
    if value is not None:
        parts = tuple(part.strip() for part in value.split(",") if part.strip())
        if not parts:
            raise click.BadParameter("name at least one node id (--parts appraisal, --parts 7)", param_hint="--parts")
        context.meta[PARTS_KEY] = parts


PARTS = click.option("--parts", metavar="NODES", callback=_remember_parts, expose_value=False, help="Score only these nodes (comma-separated ids: appraisal or 7): every other part is pending, and each result partial (points so far, the most they can reach, no index, no band).")

IGNORE_COLUMNS = click.option("--ignore-columns", metavar="NAMES", callback=_remember_ignored, expose_value=False, help="Columns of RECORDS that are not indicators (rank,total,ghi chú): comma-separated, left out of every record.")


def _methodology_options(function: Any) -> Any:
    for option in reversed(
        [
            click.argument("methodology"),
            click.argument("records", type=click.Path(exists=True, dir_okay=False)),
            click.option("--year", type=int, help="Use the version in force for this assessment year."),
            click.option("--version", "version_", help="Use this version of the methodology."),
            click.option("--sheet", help="The worksheet of an .xlsx RECORDS file (default: the first)."),
            IGNORE_COLUMNS,
            PARTS,
            click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: when stderr is a terminal)."),
        ]
    ):
        function = option(function)
    return function


def table_options(function: Any) -> Any:
    function = click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to this file (its suffix picks the format: .csv .json .xlsx .md).")(function)
    return click.option("--format", "format_", type=click.Choice(_TABLE_FORMATS), help="table (aligned, for the terminal), csv, json, xlsx or md (Markdown).")(function)


def _score_all(methodology: str, records: str, year: int | None, version_: str | None, sheet: str | None, progress: bool | None, output: str | None = None) -> tuple[Batch, list[Result]]:
    opened = methodology_or_id(methodology, year, version_)
    refuse_input_as_output(output, [records, *methodology_files(opened)])
    batch = Batch(opened, records, sheet, progress)
    return batch, batch.results()


def _ranking(results: list[Result], ties: str = "competition", on: str | None = None) -> Ranking:
    if on is not None and results and on not in results[0].methodology.plan.position:
        raise click.BadParameter(terminal_text(f"{results[0].methodology.id}@{results[0].methodology.version} has no node {on!r}"), param_hint="--on")
    try:
        return rank(results, ties=ties, on=on)  # type: ignore[arg-type]
    except RecordError as error:
        echo(str(error), err=True)
        raise SystemExit(1) from None


# --------------------------------------------------------------------------- commands


@click.command("score")
@_methodology_options
@click.option("--format", "format_", type=click.Choice(("text",) + _TABLE_FORMATS), help="text (each breakdown, the default) or a table: table, csv, json, xlsx, md.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the table to this file (its suffix picks the format).")
@click.option("--depth", type=int, help="Show nodes down to this depth only (text format).")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True, help="Score on this many processes (0: one per core); CSV output only, written in the file's order.")
def score_command(methodology: str, records: str, year: int | None, version_: str | None, sheet: str | None, progress: bool | None, format_: str | None, output: str | None, depth: int | None, jobs: int) -> None:
    """Score every row of RECORDS against METHODOLOGY and print each breakdown, or a table with
    a column per field (--format, -o). Bad rows are reported with their row number."""
    chosen = format_ or ("text" if output is None else chosen_format(None, output))
    if jobs != 1 and chosen != "csv":
        raise click.UsageError("--jobs applies to CSV output only (--format csv, or -o FILE.csv)")
    opened = methodology_or_id(methodology, year, version_)
    refuse_input_as_output(output, [records, *methodology_files(opened)])
    batch = Batch(opened, records, sheet, progress)
    if chosen == "text":
        _write_breakdowns(batch, output, depth)
    elif chosen == "csv":
        _stream_csv(batch, output, jobs or os.cpu_count() or 1)
    else:
        emit(results_table(batch.results()), chosen, output)
    batch.finish()


def _write_breakdowns(batch: Batch, output: str | None, depth: int | None) -> None:
    """Each unit's breakdown, as it is scored: printed, or written to ``output`` whole."""
    if output is None:
        for result in batch.outputs():
            echo(result.explain(depth=depth))
            echo()
        return
    try:
        with replace_atomically(output) as handle:
            for result in batch.outputs():
                handle.write(terminal_text(result.explain(depth=depth)) + "\n\n")
    except SystemExit:  # the file could not be read: the error is said already
        echo(_NOT_WRITTEN.format(output), err=True)
        raise
    except OSError as error:
        echo(f"cannot write {output}: {error.strerror or error}", err=True)
        raise SystemExit(1) from None
    echo(f"wrote {output}", err=True)


def _stream_csv(batch: Batch, output: str | None, jobs: int) -> None:
    """CSV rows written as the records are scored: constant memory, however long the file."""
    chosen = batch.methodology
    known = [chosen] if isinstance(chosen, Methodology) else [load(info.path) for info in versions(chosen)]
    fields = field_columns(known)
    rows = batch.csv_rows(fields, jobs) if jobs > 1 else map(CsvTexts(fields), batch.outputs())
    try:
        if output is None:
            write_csv_rows(rows, fields, _data_stream())
            return
        with replace_atomically(output, encoding="utf-8-sig") as handle:
            write_csv_rows(rows, fields, handle)
    except SystemExit:  # the file could not be read, or a worker died: the error is said already
        if output is not None:
            echo(_NOT_WRITTEN.format(output), err=True)
        raise
    except BrokenPipeError:  # the reader (head, less) stopped reading: not an error of ours
        sys.stderr.close()
        raise SystemExit(0) from None
    except OSError as error:
        echo(f"cannot write {output or 'the standard output'}: {error.strerror or error}", err=True)
        raise SystemExit(1) from None
    echo(f"wrote {output}", err=True)


@click.command("rank")
@_methodology_options
@table_options
@click.option("--ties", type=click.Choice(["competition", "dense"]), default="competition", show_default=True, help="competition: 1, 2, 2, 4; dense: 1, 2, 2, 3.")
@click.option("--summary", is_flag=True, help="Also print the summary statistics: mean, median, bands, units above the mean, per field.")
@click.option("--on", "on", metavar="NODE", help="Rank on the exact points of this node (a part that is in for every unit), not on the index.")
def rank_command(methodology: str, records: str, year: int | None, version_: str | None, sheet: str | None, progress: bool | None, format_: str | None, output: str | None, ties: str, summary: bool, on: str | None) -> None:
    """Rank the units of RECORDS by exact index, with rank in group and rating band; notes say
    where units look tied only after rounding. Units with parts not in yet are ranked only
    against units with the same parts in, on their points so far (or all on --on NODE)."""
    batch, results = _score_all(methodology, records, year, version_, sheet, progress, output)
    if results:
        ranking = _ranking(results, ties, on)
        chosen = chosen_format(format_, output)
        ranked_on = [f"ranked on the exact points of node {on}"] if on is not None else []
        emit(results_table(ranking), chosen, output, ranked_on + summarised_notes(ranking.notes) + band_lines(ranking))
        if summary:  # on stdout after a table meant to be read; on stderr after CSV or JSON
            labels = {node.id: node.label for node in ranking.entries[0].result.methodology.criteria}
            try:
                lines = describe(ranking).lines(labels)
            except RecordError as error:  # every unit partial: no index to summarise
                lines = [f"summary: {problem.message}" for problem in error.problems]
            click.echo("\n" + "\n".join(lines), err=chosen in ("csv", "json") and output is None)
    batch.finish()


def _signed(value: Decimal) -> str:
    """A change with its sign: "+1.9", "-0.5", "≈+1.6583"."""
    text = format_short(abs(value))
    sign = "+" if value > 0 else "-" if value < 0 else ""
    return text.replace("≈", "≈" + sign) if text.startswith("≈") else sign + text


@click.command("compare")
@click.argument("previous_methodology")
@click.argument("previous_records", type=click.Path(exists=True, dir_okay=False))
@click.argument("methodology")
@click.argument("records", type=click.Path(exists=True, dir_okay=False))
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False), help="YAML: new node id → previous node id, a list of them, or null (new). Default: the newer methodology's lineage.")
@click.option("--units", "register", help="A units register (id or file): match units through it, across mergers and splits, never by name.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: when stderr is a terminal).")
@table_options
def compare_command(previous_methodology: str, previous_records: str, methodology: str, records: str, mapping: str | None, register: str | None, progress: bool | None, format_: str | None, output: str | None) -> None:
    """Compare RECORDS (scored under METHODOLOGY) with PREVIOUS_RECORDS (under
    PREVIOUS_METHODOLOGY): each unit's change in index, in each field and in rank, and plainly
    what cannot be compared."""
    previous_opened, opened = methodology_or_id(previous_methodology, None, None), methodology_or_id(methodology, None, None)
    refuse_input_as_output(output, [previous_records, records, mapping, *methodology_files(previous_opened), *methodology_files(opened)])
    node_map = _read_mapping(mapping) if mapping else None
    old_batch = Batch(previous_opened, previous_records, None, progress)
    old_results = old_batch.results()
    new_batch = Batch(opened, records, None, progress)
    new_results = new_batch.results()
    if old_results and new_results and register is not None:
        from ..units._register import compare_across_register

        table, notes = compare_across_register(old_results, new_results, register, node_map, echo)
        emit(table, chosen_format(format_, output), output, notes)
    elif old_results and new_results:
        try:
            comparison = compare(old_results, new_results, mapping=node_map)
        except (RecordError, MethodologyNotFound) as error:
            echo(str(error), err=True)
            raise SystemExit(1) from None
        emit(comparison_table(comparison), chosen_format(format_, output), output, comparison_notes(comparison))
    old_batch.finish()
    new_batch.finish()


def _read_mapping(path: str) -> dict[str, str | list[str] | None]:
    try:
        return read_node_mapping(path)
    except ParRulesError as error:
        echo(str(error), err=True)
        raise SystemExit(1) from None


@click.command("gaps")
@_methodology_options
@click.option("--unit", required=True, help="The unit to analyse (its unit id or name).")
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True, help="How many of the nodes where most points were lost.")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True)
def gaps_command(methodology: str, records: str, year: int | None, version_: str | None, sheet: str | None, progress: bool | None, unit: str, top: int, format_: str) -> None:
    """Where UNIT lost most points, its lowest component indices, how far it is from the next
    rank and the next band, and where its self-assessment differs from the appraisal."""
    batch, results = _score_all(methodology, records, year, version_, sheet, progress)
    result = _find(results, unit, batch)
    report = gap_analysis(result, _ranking(results), top=top)
    try:
        claims = self_assessment(result)
    except RecordError as error:
        echo(str(error), err=True)
        raise SystemExit(1) from None
    decimals = result.methodology.decimals
    if format_ == "json":
        data = {
            "unit": unit,
            "index": None if result.index is None else fmt(result.index),
            "published_index": None if result.published_index is None else fmt(result.published_index),
            "band": result.band.id if result.band else None,
            "complete": result.complete,
            "total": fmt(result.total),
            "reach": fmt(result.reach),
            "pending": list(result.pending),
            "lost": [{"id": node.id, "label": node.label, "lost": fmt(node.lost), "points": fmt(node.points), "max": fmt(node.max)} for node in report.lost],  # type: ignore[arg-type]
            "components": [{"id": c.id, "label": c.label, "points": fmt(c.points), "max": fmt(c.max), "percent": fmt(c.percent)} for c in report.components],
            "next_rank": None if report.next_rank is None else {"unit": report.next_rank.unit, "rank": report.next_rank.rank, "points": fmt(report.next_rank.points), "index_points": None if report.next_rank.index_points is None else fmt(report.next_rank.index_points)},
            "next_band": None if report.next_band is None else {"band": report.next_band.band.id, "index_needed": fmt(report.next_band.index_needed), "points_needed": fmt(report.next_band.points_needed), "strictly_more": report.next_band.strictly_more},
            "self_assessment": [{"id": d.id, "claimed": fmt(d.claimed), "appraised": None if d.appraised is None else fmt(d.appraised), "difference": fmt(d.difference)} for d in claims.differences],
            "self_assessment_pending": list(claims.pending),
        }
        echo(json_text(data))
        batch.finish()
        return
    who = f"{result.record.unit or unit}" + (f" ({result.record.name})" if result.record.name else "")
    if result.published_index is not None:  # complete: every part in
        lines = [f"{who}: index {fmt(result.published_index)}%" + (f", band {result.band.id}" if result.band else ", no band"), "", f"Most points lost (top {top}):"]
    else:
        lines = [
            f"{who}: partial, {fmt(result.published_total)} points so far, at most {format_short(result.reach, decimals)} of {fmt(result.scale)}; no index, no band",
            f"  not in yet: {', '.join(result.pending)}",
            "",
            f"Most points lost, among the parts in (top {top}):",
        ]
    lines += [f"  {node.id:<8} lost {format_short(node.lost):>8} of {fmt(node.max):<6} {node.label}" for node in report.lost] or ["  none: every node has full points"]
    lines += ["", "Component indices, lowest first:"]
    lines += [f"  {c.id:<8} {format_short(c.percent, 2):>7}%  ({format_short(c.points)} / {fmt(c.max)})  {c.label}" for c in report.components]
    lines.append("")
    among = "" if result.complete else " among the units with the same parts in"
    if report.next_rank is None:
        lines.append(f"Rank: first{among} (nobody above).")
    else:
        gap = report.next_rank
        index_points = "" if gap.index_points is None else f" ({format_short(gap.index_points)} index points)"
        lines.append(f"Next rank{among}: {gap.unit} (rank {gap.rank}) is {format_short(gap.points)} points{index_points} ahead: as many points shares rank {gap.rank}, any more passes it.")
    if not result.complete:
        lines.append("Next band: none until every part is in (no index yet).")
    elif report.next_band is None:
        lines.append("Next band: none above.")
    else:
        band = report.next_band
        how = "more than" if band.strictly_more else "at least"
        lines.append(f"Next band: {band.band.id} from an index of {fmt(band.index_needed)}% ({'published, rounded to ' + str(decimals) + ' decimals' if result.methodology.bands_on == 'published' else 'exact'}): {how} {format_short(band.points_needed)} more points.")
    if claims.differences or claims.agreed or claims.pending:
        lines += ["", f"Self-assessment: {len(claims.differences)} node(s) differ from the appraisal, {len(claims.agreed)} agree."]
        if claims.pending:
            lines.append(f"  not appraised yet (pending): {', '.join(claims.pending)}")
        for difference in claims.differences:
            appraised = "n/a" if difference.appraised is None else format_short(difference.appraised)
            extra = "  (claims more than the max)" if difference.above_max else ""
            lines.append(f"  {difference.id:<8} claimed {format_short(difference.claimed):>8}, appraised {appraised:>8}: {_signed(difference.difference)}{extra}")
    echo("\n".join(lines))
    batch.finish()


@click.command("whatif")
@_methodology_options
@click.option("--unit", required=True, help="The unit to change (its unit id or name).")
@click.option("--set", "changes", multiple=True, required=True, metavar="INDICATOR=VALUE", help="A new value (repeatable); INDICATOR.OPTION=N sets one survey answer count.")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True)
def whatif_command(methodology: str, records: str, year: int | None, version_: str | None, sheet: str | None, progress: bool | None, unit: str, changes: tuple[str, ...], format_: str) -> None:
    """UNIT's points, index, band and rank among the other units of RECORDS if some indicators
    were different (--set online_rate=60)."""
    parsed: dict[str, str] = {}
    for change in changes:
        key, equals, value = change.partition("=")
        if not equals or not key.strip():
            raise click.BadParameter(f"{change!r}: write INDICATOR=VALUE", param_hint="--set")
        parsed[key.strip()] = value.strip()
    batch, results = _score_all(methodology, records, year, version_, sheet, progress)
    result = _find(results, unit, batch)
    others = [other for other in results if other is not result]
    try:
        outcome = what_if(result.methodology, record_mapping(result.record), parsed, others, parts=batch.parts)
    except RecordError as error:
        echo(f"with {', '.join(changes)}: {error}", err=True)
        raise SystemExit(1) from None
    before, after = outcome.before, outcome.after
    if format_ == "json":
        data = {
            "unit": unit,
            "changes": parsed,
            "before": _whatif_side(before, outcome.rank_before),
            "after": _whatif_side(after, outcome.rank_after),
            "units_ranked": outcome.units_ranked,
            "nodes": [
                {"id": old.id, "before": None if old.points is None else fmt(old.points), "after": None if new.points is None else fmt(new.points)}
                | ({"pending_before": old.pending, "pending_after": new.pending} if old.pending or new.pending else {})
                for old, new in outcome.changed_nodes()
            ],
        }
        echo(json_text(data))
        batch.finish()
        return
    def band(result: Result) -> str:
        return result.band.id if result.band else "-"

    def index(result: Result) -> str:
        return "-" if result.published_index is None else f"{fmt(result.published_index)}%"

    lines = [
        f"{unit} with {', '.join(f'{key} = {value}' for key, value in parsed.items())}:",
        f"  total  {fmt(before.published_total)} → {fmt(after.published_total)}   ({_signed(outcome.points_change)} points)",
        f"  index  {index(before)} → {index(after)}",
        f"  band   {band(before)} → {band(after)}",
    ]
    for when, result in (("before", before), ("after", after)):
        if not result.complete:
            lines.append(f"  {when}: partial, at most {format_short(result.reach)}; not in yet: {', '.join(result.pending)} (no index, no band)")
    if outcome.rank_before is not None:
        lines.append(f"  rank   {outcome.rank_before} → {outcome.rank_after} of {outcome.units_ranked}")
    lines.append("  nodes that change:")
    lines += [f"    {old.id:<8} {_points_text(old):>8} → {_points_text(new):<8} {old.label}" for old, new in outcome.changed_nodes()] or ["    none"]
    echo("\n".join(lines))
    batch.finish()


def _points_text(node: Any) -> str:
    return "pending" if node.pending else "n/a" if node.points is None else format_short(node.points)


def _whatif_side(result: Result, place: int | None) -> dict[str, Any]:
    return {
        "total": fmt(result.total),
        "index": None if result.index is None else fmt(result.index),
        "published_index": None if result.published_index is None else fmt(result.published_index),
        "band": result.band.id if result.band else None,
        "rank": place,
        "complete": result.complete,
        "reach": fmt(result.reach),
        "pending": list(result.pending),
    }


@click.command("explain")
@_methodology_options
@click.option("--unit", help="Only this unit (its unit id or name).")
@click.option("--node", "node_id", help="Only this node and the nodes below it.")
@click.option("--depth", type=int, help="Show nodes down to this depth only.")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True)
def explain_command(methodology: str, records: str, year: int | None, version_: str | None, sheet: str | None, progress: bool | None, unit: str | None, node_id: str | None, depth: int | None, format_: str) -> None:
    """Explain the points of every unit of RECORDS (or of one --unit, one --node): each node
    with its points, cap and the reason."""
    batch, results = _score_all(methodology, records, year, version_, sheet, progress)
    chosen = [_find(results, unit, batch)] if unit else results
    documents = []
    for result in chosen:
        if node_id is None:
            documents.append(result.to_dict() if format_ == "json" else result.explain(depth=depth))
            continue
        try:
            node = result.node(node_id)
        except MethodologyNotFound as error:
            raise click.BadParameter(terminal_text(str(error)), param_hint="--node") from None
        if format_ == "json":
            documents.append({"unit": result.record.unit, "node": node.to_dict()})
            continue
        lines = [f"{result.record.unit or result.record.name or 'record'}: node {node.id}"]
        for item in node.walk():
            if depth is not None and item.node.depth > depth:
                continue
            indent = "  " * (item.node.depth - node.node.depth)
            points = _points_text(item)
            lines.append(f"  {indent}{item.id}  {points} / {fmt(item.max)}  {item.label}\n  {indent}  ↳ {item.why}")
        documents.append("\n".join(lines))
    if format_ == "json":
        echo(json_text(documents))
    else:
        echo("\n\n".join(documents))  # type: ignore[arg-type]
    batch.finish()
