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
from dataclasses import replace
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
from ..formats._files import Numbered, Table, count_rows, csv_text, json_text, read_records, replace_atomically, terminal_text, write_table
from ..units._analysis import gaps as gap_analysis, record_mapping, self_assessment, what_if
from ..units._batch import BatchTally, score_many
from ..units._compare import compare
from ..units._parallel import score_rows
from ..units._ranking import Ranking, rank
from ..units._statistics import describe, summarised_notes
from ..units._table import EXTRA_MESSAGE, TableBatch, csv_outputs, table_available
from ..units._tables import CsvTexts, band_lines, comparison_notes, comparison_table, field_columns, results_table, write_csv_rows
from .._i18n import N_, gettext as _, language, number, use
from ._language import LanguageCommand

__all__ = ["score_command", "rank_command", "compare_command", "gaps_command", "whatif_command", "explain_command", "echo"]

_TABLE_FORMATS = ("table", "csv", "json", "xlsx", "md")
_SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".xlsx": "xlsx", ".md": "md", ".txt": "table"}
_NOT_WRITTEN = N_("{} was not written (a file already there is left as it was)")


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
            raise click.UsageError(terminal_text(_("the output file {output} is the input file {source}: writing it would destroy it; choose another output file").format(output=output, source=source)))


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
        echo(_("no methodology with id {source!r} (par-rules list shows every id; --root DIR adds a folder of yours; or give a file)").format(source=source) if unknown_id else str(error), err=True)
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
                raise click.BadParameter(terminal_text(_("no version of {methodology} has a node {repr}").format(methodology=methodology, repr=', '.join(map(repr, unknown)))), param_hint="--parts")

    def outputs(self) -> Iterator[Result]:
        """Stream the results; report each bad row on stderr as it comes."""
        return self._outputs(lambda: score_many(self.methodology, self._records(), parts=self.parts))

    def csv_rows(self, fields: Mapping[str, str], jobs: int) -> Iterator[list[str]]:
        """Stream each row's CSV texts, scored by ``jobs`` worker processes; report each bad
        row on stderr as it comes."""
        return self._outputs(lambda: score_rows(self.methodology, self._records(), fields, jobs, self.parts))

    def table_rows(self) -> Iterator[list[Any]]:
        """Stream each row's result cells, scored column by column a batch at a time (the
        methodology is a loaded one); report each bad row on stderr as it comes."""
        methodology = self.methodology
        assert isinstance(methodology, Methodology), "one version: checked by the command"
        if Path(self.path).suffix.lower() == ".csv" and not self.ignored:  # read as columns, not records
            return self._outputs(lambda: (output for _row, output in csv_outputs(methodology, self.path)))
        return self._outputs(lambda: TableBatch(methodology)(self._records()))

    def _records(self) -> Iterator[Numbered]:
        return read_records(self.path, sheet=self.sheet, methodology=self.methodology, ignore_columns=self.ignored)

    def _outputs(self, scored: Callable[[], Iterator[Any]]) -> Iterator[Any]:
        """The outputs of ``scored`` (called here, so that a file that cannot be read is said
        and exits 1), each bad row reported as it comes (:class:`par_rules.units.BatchTally`)."""

        def said(error: RecordError) -> str:
            return _("{path}: {fresh}").format(path=self.path, fresh=error)

        try:
            if self.progress:
                with ProgressBar(self.path, count_rows(self.path, sheet=self.sheet)) as bar:
                    yield from self.tally.results(bar.counted(scored()), lambda error: bar.say(said(error)))
            else:
                yield from self.tally.results(scored(), lambda error: echo(said(error), err=True))
        except RecordError as error:  # the file itself cannot be read
            echo(_("{path}: {error}").format(path=self.path, error=error), err=True)
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
            echo(_("{path}: warning: {units} record(s) scored under {methodology_id}@{version}, whose years ({str}) do not include their period: {listed}").format(path=self.path, units=len(units), methodology_id=methodology_id, version=version, str=', '.join(map(str, years)), listed=listed), err=True)
        for column, count in self.tally.repeated_columns().items():
            click.echo(_("{path}: column {column!r} is not an indicator of the methodology: {count} rows refused (reported once above); if it is not meant as one, leave it out with --ignore-columns {column!r}").format(path=self.path, column=column, count=count), err=True)
        tally = self.tally
        if tally.failed:
            rows = ", ".join(map(str, tally.failed))
            echo(_("{path}: {value} of {rows} rows scored; problems in row(s) {rows2}").format(path=self.path, value=tally.scored, rows=tally.rows, rows2=rows), err=True)
            raise SystemExit(1)


class ProgressBar:
    """tqdm's bar on stderr while a file is scored: rows done of the rows counted up front
    (:func:`par_rules.formats.count_rows`), the percentage, the rate and the time left; with no
    count (a JSON document), the rows done and the rate. Lines said while it runs go above it."""

    def __init__(self, path: str, total: int | None) -> None:
        from tqdm import tqdm  # imported only when a bar is shown

        self._tqdm = tqdm
        label = terminal_text(_("Scoring {name}").format(name=Path(path).name), one_line=True)
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
    context = click.get_current_context(silent=True)
    if context is not None and context.meta.get(LABELS_KEY) and chosen in ("table", "md"):
        table = titled(table)
    if chosen == "xlsx" and output is None:
        raise click.UsageError(_("--format xlsx needs --output FILE.xlsx"))
    try:
        rendered = write_table(table, "text" if chosen == "table" else chosen, output)  # type: ignore[arg-type]
    except OSError as error:
        echo(_("cannot write {output}: {strerror}").format(output=output, strerror=error.strerror or error), err=True)
        raise SystemExit(1) from None
    if output is not None:
        echo(_("wrote {output}").format(output=output), err=True)
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
        echo(_("no scored record for unit {unit!r}: its row may be among the rows with problems reported above").format(unit=unit), err=True)
        batch.finish()  # exits 1
    raise click.BadParameter(_("no scored record for unit {unit!r} (check the unit column, and the problems reported above)").format(unit=unit), param_hint="--unit")


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
            raise click.BadParameter(_("name at least one node id (--parts appraisal, --parts 7)"), param_hint="--parts")
        context.meta[PARTS_KEY] = parts


PARTS = click.option("--parts", metavar="NODES", callback=_remember_parts, expose_value=False, help=N_("Score only these nodes (comma-separated ids: appraisal or 7): every other part is pending, and each result partial (points so far, the most they can reach, no index, no band)."))

IGNORE_COLUMNS = click.option("--ignore-columns", metavar="NAMES", callback=_remember_ignored, expose_value=False, help=N_("Columns of RECORDS that are not indicators (rank,total,ghi chú): comma-separated, left out of every record."))


def _methodology_options(function: Any) -> Any:
    for option in reversed(
        [
            click.argument("methodology"),
            click.argument("records", type=click.Path(exists=True, dir_okay=False)),
            click.option("--year", type=int, help=N_("Use the version in force for this assessment year.")),
            click.option("--version", "version_", help=N_("Use this version of the methodology.")),
            click.option("--sheet", help=N_("The worksheet of an .xlsx RECORDS file (default: the first).")),
            IGNORE_COLUMNS,
            PARTS,
            click.option("--progress/--no-progress", default=None, help=N_("Show a progress bar (default: when stderr is a terminal).")),
        ]
    ):
        function = option(function)
    return function


LABELS_KEY = "par_rules.labels"


def _remember_labels(context: click.Context, parameter: click.Parameter, value: bool) -> None:
    context.meta[LABELS_KEY] = value


LABELS = click.option(
    "--labels", is_flag=True, callback=_remember_labels, expose_value=False,
    help=N_("Tables to read (table, md): columns titled by their labels in the chosen language (a field's label, not points_<id>); CSV, JSON and xlsx keep the stable column names."),
)

_COLUMN_TITLES = {
    "rank": N_("rank"), "group_rank": N_("rank in group"), "unit": N_("unit"), "name": N_("name"), "group": N_("group"),
    "period": N_("period"), "total": N_("total"), "index": N_("index"), "band": N_("band"), "exact_index": N_("exact index"),
    "previous_rank": N_("previous rank"), "rank_change": N_("rank change"), "previous_index": N_("previous index"),
    "index_change": N_("index change"), "previous_band": N_("previous band"), "relation": N_("relation"), "against": N_("compared with"),
}


def titled(table: Table) -> Table:
    """The table with titles for people over its columns (``--labels``): the standard columns
    in the chosen language, a field's column by the field's id and label."""
    fields = {}
    for line in table.legend:  # "points_1: <label> (max 10)", as results_table writes it
        key, sep, text = line.partition(": ")
        if sep and key.startswith("points_"):
            fields[key] = f"{key[len('points_'):]}. {text}"
    titles = {}
    for name in table.headers:
        if name in _COLUMN_TITLES:
            titles[name] = _(_COLUMN_TITLES[name])
        elif name in fields:
            titles[name] = fields[name]
        elif name.startswith("change_"):
            titles[name] = _("change {field}").format(field=name[len("change_"):])
    return replace(table, titles=titles)


def table_options(function: Any) -> Any:
    function = LABELS(function)
    function = click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help=N_("Write to this file (its suffix picks the format: .csv .json .xlsx .md)."))(function)
    return click.option("--format", "format_", type=click.Choice(_TABLE_FORMATS), help=N_("table (aligned, for the terminal), csv, json, xlsx or md (Markdown)."))(function)


def _score_all(methodology: str, records: str, year: int | None, version_: str | None, sheet: str | None, progress: bool | None, output: str | None = None) -> tuple[Batch, list[Result]]:
    opened = methodology_or_id(methodology, year, version_)
    refuse_input_as_output(output, [records, *methodology_files(opened)])
    batch = Batch(opened, records, sheet, progress)
    return batch, batch.results()


def _ranking(results: list[Result], ties: str = "competition", on: str | None = None) -> Ranking:
    if on is not None and results and on not in results[0].methodology.plan.position:
        raise click.BadParameter(terminal_text(_("{id}@{version} has no node {on!r}").format(id=results[0].methodology.id, version=results[0].methodology.version, on=on)), param_hint="--on")
    try:
        return rank(results, ties=ties, on=on)  # type: ignore[arg-type]
    except RecordError as error:
        echo(str(error), err=True)
        raise SystemExit(1) from None


# --------------------------------------------------------------------------- commands


@click.command("score", cls=LanguageCommand, help=N_("Score every row of RECORDS against METHODOLOGY and print each breakdown, or a table with\na column per field (--format, -o). Bad rows are reported with their row number."))
@_methodology_options
@click.option("--format", "format_", type=click.Choice(("text",) + _TABLE_FORMATS), help=N_("text (each breakdown, the default) or a table: table, csv, json, xlsx, md."))
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help=N_("Write the table to this file (its suffix picks the format)."))
@click.option("--depth", type=int, help=N_("Show nodes down to this depth only (text format)."))
@LABELS
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True, help=N_("Score on this many processes (0: one per core); CSV output only, written in the file's order."))
@click.option(
    "--engine",
    type=click.Choice(["auto", "table", "record"]),
    default="auto",
    show_default=True,
    help=N_("CSV output: score the rows column by column, a batch at a time (table: needs the table extra, pip install 'par-rules[table]') or one record at a time (record). The output is the same. auto: record, until the table engine is measured faster on the command line (docs/performance.md)."),
)
def score_command(methodology: str, records: str, year: int | None, version_: str | None, sheet: str | None, progress: bool | None, format_: str | None, output: str | None, depth: int | None, jobs: int, engine: str) -> None:
    chosen = format_ or ("text" if output is None else chosen_format(None, output))
    if jobs != 1 and chosen != "csv":
        raise click.UsageError(_("--jobs applies to CSV output only (--format csv, or -o FILE.csv)"))
    if engine == "table" and (chosen != "csv" or jobs != 1):
        raise click.UsageError(_("--engine table writes CSV output (--format csv, or -o FILE.csv) on one process (no --jobs)"))
    if engine == "table" and not table_available():
        raise click.UsageError(_(EXTRA_MESSAGE).replace("score_table", "--engine table"))
    opened = methodology_or_id(methodology, year, version_)
    if engine == "table" and not isinstance(opened, Methodology):
        raise click.UsageError(_("--engine table scores under one version: give a methodology file, or --year or --version"))
    refuse_input_as_output(output, [records, *methodology_files(opened)])
    batch = Batch(opened, records, sheet, progress)
    if engine == "table" and batch.parts is not None:
        raise click.UsageError(_("--engine table scores every part: leave out --parts, or use --engine record"))
    if chosen == "text":
        _write_breakdowns(batch, output, depth)
    elif chosen == "csv" and isinstance(opened, Methodology) and jobs == 1 and batch.parts is None and (engine == "table" or (engine == "auto" and _TABLE_BY_DEFAULT and _large(records) and table_available())):
        _stream_table_csv(batch, opened, output)
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
        echo(_(_NOT_WRITTEN).format(output), err=True)
        raise
    except OSError as error:
        echo(_("cannot write {output}: {strerror}").format(output=output, strerror=error.strerror or error), err=True)
        raise SystemExit(1) from None
    echo(_("wrote {output}").format(output=output), err=True)


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
            echo(_(_NOT_WRITTEN).format(output), err=True)
        raise
    except BrokenPipeError:  # the reader (head, less) stopped reading: not an error of ours
        sys.stderr.close()
        raise SystemExit(0) from None
    except OSError as error:
        echo(_("cannot write {output}: {strerror}").format(output=output or _("the standard output"), strerror=error.strerror or error), err=True)
        raise SystemExit(1) from None
    echo(_("wrote {output}").format(output=output), err=True)


#: Whether ``--engine auto`` takes the table engine for a large file. Not yet: on the shared
#: machine of docs/performance.md it was 2.1 × faster in one run and slower in another (reading
#: the CSV and writing each row cost the same in both engines).
_TABLE_BY_DEFAULT = False
#: A records file at least this large is scored column by column under ``--engine auto``.
_LARGE_FILE = 1 << 20


def _large(path: str) -> bool:
    try:
        return os.path.getsize(path) >= _LARGE_FILE
    except OSError:
        return False


def _stream_table_csv(batch: Batch, methodology: Methodology, output: str | None) -> None:
    """:func:`_stream_csv` with the rows scored column by column, a batch at a time
    (:class:`par_rules.units.TableBatch`): the same file, byte for byte."""
    fields = field_columns([methodology])
    texts = ([csv_text(cell) for cell in (cells[0] or cells[1] or "", *cells[1:])] for cells in batch.table_rows())
    try:
        if output is None:
            write_csv_rows(texts, fields, _data_stream())
            return
        with replace_atomically(output, encoding="utf-8-sig") as handle:
            write_csv_rows(texts, fields, handle)
    except SystemExit:
        if output is not None:
            echo(_(_NOT_WRITTEN).format(output), err=True)
        raise
    except BrokenPipeError:
        sys.stderr.close()
        raise SystemExit(0) from None
    except OSError as error:
        echo(_("cannot write {output}: {strerror}").format(output=output or _("the standard output"), strerror=error.strerror or error), err=True)
        raise SystemExit(1) from None
    echo(_("wrote {output}").format(output=output), err=True)


@click.command("rank", cls=LanguageCommand, help=N_("Rank the units of RECORDS by exact index, with rank in group and rating band; notes say\nwhere units look tied only after rounding."))
@_methodology_options
@table_options
@click.option("--ties", type=click.Choice(["competition", "dense"]), default="competition", show_default=True, help=N_("competition: 1, 2, 2, 4; dense: 1, 2, 2, 3."))
@click.option("--summary", is_flag=True, help=N_("Also print the summary statistics: mean, median, bands, units above the mean, per field."))
@click.option("--on", "on", metavar="NODE", help=N_("Rank on the exact points of this node (a part that is in for every unit), not on the index."))
def rank_command(methodology: str, records: str, year: int | None, version_: str | None, sheet: str | None, progress: bool | None, format_: str | None, output: str | None, ties: str, summary: bool, on: str | None) -> None:
    """Rank the units of RECORDS by exact index, with rank in group and rating band; notes say
    where units look tied only after rounding. Units with parts not in yet are ranked only
    against units with the same parts in, on their points so far (or all on --on NODE)."""
    batch, results = _score_all(methodology, records, year, version_, sheet, progress, output)
    if results:
        ranking = _ranking(results, ties, on)
        chosen = chosen_format(format_, output)
        ranked_on = [_("ranked on the exact points of node {on}").format(on=on)] if on is not None else []
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
    """A change with its sign, as the language writes numbers: "+1.9", "-0.5", "≈+1.6583"."""
    text = number(format_short(abs(value)))
    sign = "+" if value > 0 else "-" if value < 0 else ""
    return text.replace("≈", "≈" + sign) if text.startswith("≈") else sign + text


def _band_name(band: Any) -> str:
    """A rating band for people: its id, and its label when it has one in the language."""
    label = (band.label_en or band.label) if language() == "en" else band.label
    return f"{band.id} ({label})" if label else str(band.id)


@click.command("compare", cls=LanguageCommand, help=N_("Compare RECORDS (scored under METHODOLOGY) with PREVIOUS_RECORDS (under\nPREVIOUS_METHODOLOGY): each unit's change in index, in each field and in rank, and plainly\nwhat cannot be compared."))
@click.argument("previous_methodology")
@click.argument("previous_records", type=click.Path(exists=True, dir_okay=False))
@click.argument("methodology")
@click.argument("records", type=click.Path(exists=True, dir_okay=False))
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False), help=N_("YAML: new node id → previous node id, a list of them, or null (new). Default: the newer methodology's lineage."))
@click.option("--units", "register", help=N_("A units register (id or file): match units through it, across mergers and splits, never by name."))
@click.option("--progress/--no-progress", default=None, help=N_("Show a progress bar (default: when stderr is a terminal)."))
@table_options
def compare_command(previous_methodology: str, previous_records: str, methodology: str, records: str, mapping: str | None, register: str | None, progress: bool | None, format_: str | None, output: str | None) -> None:
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
        chosen = chosen_format(format_, output)
        with use("en" if chosen in ("csv", "json", "xlsx") else None):  # the rank_change cells: stable words for scripts
            table = comparison_table(comparison)
        emit(table, chosen, output, comparison_notes(comparison))
    old_batch.finish()
    new_batch.finish()


def _read_mapping(path: str) -> dict[str, str | list[str] | None]:
    try:
        return read_node_mapping(path)
    except ParRulesError as error:
        echo(str(error), err=True)
        raise SystemExit(1) from None


@click.command("gaps", cls=LanguageCommand, help=N_("Where UNIT lost most points, its lowest component indices, how far it is from the next\nrank and the next band, and where its self-assessment differs from the appraisal."))
@_methodology_options
@click.option("--unit", required=True, help=N_("The unit to analyse (its unit id or name)."))
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True, help=N_("How many of the nodes where most points were lost."))
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True)
def gaps_command(methodology: str, records: str, year: int | None, version_: str | None, sheet: str | None, progress: bool | None, unit: str, top: int, format_: str) -> None:
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
        lines = [
            _("{unit}: index {index}%").format(unit=who, index=number(fmt(result.published_index)))
            + (_(", band {band}").format(band=_band_name(result.band)) if result.band else _(", no band")),
            "",
            _("Most points lost (top {top}):").format(top=top),
        ]
    else:
        lines = [
            _("{who}: partial, {published_total} points so far, at most {reach} of {scale}; no index, no band").format(who=who, published_total=number(fmt(result.published_total)), reach=number(format_short(result.reach, decimals)), scale=number(fmt(result.scale))),
            _("  not in yet: {pending}").format(pending=', '.join(result.pending)),
            "",
            _("Most points lost, among the parts in (top {top}):").format(top=top),
        ]
    lines += [
        _("  {id} lost {lost} of {max} {label}").format(id=f"{node.id:<8}", lost=f"{number(format_short(node.lost)):>8}", max=f"{number(fmt(node.max)):<6}", label=node.label)
        for node in report.lost
    ] or [_("  none: every node has full points")]
    lines += ["", _("Component indices, lowest first:")]
    lines += [f"  {c.id:<8} {number(format_short(c.percent, 2)):>7}%  ({number(format_short(c.points))} / {number(fmt(c.max))})  {c.label}" for c in report.components]
    lines.append("")
    among = "" if result.complete else _(" among the units with the same parts in")
    if report.next_rank is None:
        lines.append(_("Rank: first{among} (nobody above).").format(among=among))
    else:
        gap = report.next_rank
        index_points = "" if gap.index_points is None else _(" ({index_points} index points)").format(index_points=number(format_short(gap.index_points)))
        lines.append(_("Next rank{among}: {unit} (rank {rank}) is {points} points{index_points} ahead: as many points shares rank {rank}, any more passes it.").format(among=among, unit=gap.unit, rank=gap.rank, points=number(format_short(gap.points)), index_points=index_points))
    if not result.complete:
        lines.append(_("Next band: none until every part is in (no index yet)."))
    elif report.next_band is None:
        lines.append(_("Next band: none above."))
    else:
        band = report.next_band
        how = _("more than") if band.strictly_more else _("at least")
        basis = _("published, rounded to {decimals} decimals").format(decimals=decimals) if result.methodology.bands_on == "published" else _("exact")
        lines.append(
            _("Next band: {id} from an index of {index_needed}% ({value}): {how} {points_needed} more points.").format(
                id=_band_name(band.band), index_needed=number(fmt(band.index_needed)), value=basis, how=how, points_needed=number(format_short(band.points_needed))
            )
        )
    if claims.differences or claims.agreed or claims.pending:
        lines += ["", _("Self-assessment: {differences} node(s) differ from the appraisal, {agreed} agree.").format(differences=len(claims.differences), agreed=len(claims.agreed))]
        if claims.pending:
            lines.append(_("  not appraised yet (pending): {pending}").format(pending=', '.join(claims.pending)))
        for difference in claims.differences:
            appraised = _("n/a") if difference.appraised is None else number(format_short(difference.appraised))
            extra = _("  (claims more than the max)") if difference.above_max else ""
            lines.append(
                _("  {id} claimed {claimed}, appraised {appraised}: {difference}").format(
                    id=f"{difference.id:<8}", claimed=f"{number(format_short(difference.claimed)):>8}", appraised=f"{appraised:>8}", difference=_signed(difference.difference)
                )
                + extra
            )
    echo("\n".join(lines))
    batch.finish()


@click.command("whatif", cls=LanguageCommand, help=N_("UNIT's points, index, band and rank among the other units of RECORDS if some indicators\nwere different (--set online_rate=60)."))
@_methodology_options
@click.option("--unit", required=True, help=N_("The unit to change (its unit id or name)."))
@click.option("--set", "changes", multiple=True, required=True, metavar="INDICATOR=VALUE", help=N_("A new value (repeatable); INDICATOR.OPTION=N sets one survey answer count."))
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True)
def whatif_command(methodology: str, records: str, year: int | None, version_: str | None, sheet: str | None, progress: bool | None, unit: str, changes: tuple[str, ...], format_: str) -> None:
    parsed: dict[str, str] = {}
    for change in changes:
        key, equals, value = change.partition("=")
        if not equals or not key.strip():
            raise click.BadParameter(_("{change!r}: write INDICATOR=VALUE").format(change=change), param_hint="--set")
        parsed[key.strip()] = value.strip()
    batch, results = _score_all(methodology, records, year, version_, sheet, progress)
    result = _find(results, unit, batch)
    others = [other for other in results if other is not result]
    try:
        outcome = what_if(result.methodology, record_mapping(result.record), parsed, others, parts=batch.parts)
    except RecordError as error:
        echo(_("with {changes}: {error}").format(changes=', '.join(changes), error=error), err=True)
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
        return _band_name(result.band) if result.band else "-"

    def index(result: Result) -> str:
        return "-" if result.published_index is None else f"{number(fmt(result.published_index))}%"

    lines = [
        _("{unit} with {changes}:").format(unit=unit, changes=", ".join(f"{key} = {value}" for key, value in parsed.items())),
        _("  total  {before} → {after}   ({change} points)").format(before=number(fmt(before.published_total)), after=number(fmt(after.published_total)), change=_signed(outcome.points_change)),
        _("  index  {before} → {after}").format(before=index(before), after=index(after)),
        _("  band   {before} → {after}").format(before=band(before), after=band(after)),
    ]
    for when, result in ((_("before"), before), (_("after"), after)):
        if not result.complete:
            lines.append(_("  {when}: partial, at most {reach}; not in yet: {pending} (no index, no band)").format(when=when, reach=number(format_short(result.reach)), pending=", ".join(result.pending)))
    if outcome.rank_before is not None:
        lines.append(_("  rank   {before} → {after} of {units}").format(before=outcome.rank_before, after=outcome.rank_after, units=outcome.units_ranked))
    lines.append(_("  nodes that change:"))
    lines += [f"    {old.id:<8} {_points_text(old):>8} → {_points_text(new):<8} {old.label}" for old, new in outcome.changed_nodes()] or [_("    none")]
    echo("\n".join(lines))
    batch.finish()


def _points_text(node: Any) -> str:
    return _("pending") if node.pending else _("n/a") if node.points is None else number(format_short(node.points))


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


@click.command("explain", cls=LanguageCommand)
@_methodology_options
@click.option("--unit", help=N_("Only this unit (its unit id or name)."))
@click.option("--node", "node_id", help=N_("Only this node and the nodes below it."))
@click.option("--depth", type=int, help=N_("Show nodes down to this depth only."))
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True)
def explain_command(methodology: str, records: str, year: int | None, version_: str | None, sheet: str | None, progress: bool | None, unit: str | None, node_id: str | None, depth: int | None, format_: str) -> None:
    batch, results = _score_all(methodology, records, year, version_, sheet, progress)
    chosen = [_find(results, unit, batch)] if unit else results
    documents = []
    for result in chosen:
        if node_id is None:
            documents.append(result.to_dict() if format_ == "json" else result.explain(depth=depth))  # in the language chosen by --lang
            continue
        try:
            node = result.node(node_id)
        except MethodologyNotFound as error:
            raise click.BadParameter(terminal_text(str(error)), param_hint="--node") from None
        if format_ == "json":
            documents.append({"unit": result.record.unit, "node": node.to_dict()})
            continue
        lines = [_("{unit}: node {node}").format(unit=result.record.unit or result.record.name or _("record"), node=node.id)]
        for item in node.walk():
            if depth is not None and item.node.depth > depth:
                continue
            indent = "  " * (item.node.depth - node.node.depth)
            points = _points_text(item)
            lines.append(f"  {indent}{item.id}  {points} / {number(fmt(item.max))}  {item.label}\n  {indent}  ↳ {item.why}")
        documents.append("\n".join(lines))
    if format_ == "json":
        echo(json_text(documents))
    else:
        echo("\n\n".join(documents))  # type: ignore[arg-type]
    batch.finish()
