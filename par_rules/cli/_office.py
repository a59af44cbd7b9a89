"""The office's commands (issue 13): ``form`` writes self-assessment workbooks, ``report``
writes the results report (HTML with charts) or the results annex (.xlsx); registered on the
group in :mod:`par_rules.cli`.

Exit codes as for every command: 0 all went well; 1 problems (reported on stderr, each with its
row or sheet and cell; what could be written is still written); 2 the command was used wrongly.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from ..errors import ParRulesError, RecordError
from .._i18n import N_, gettext as _
from ._language import LanguageCommand
from ._methodology import open_methodology
from ._units import IGNORE_COLUMNS, IGNORED_COLUMNS_KEY, Batch, methodology_or_id

__all__ = ["form_command", "report_command"]


@click.command("form", cls=LanguageCommand, help=N_("Write a self-assessment form (.xlsx) for METHODOLOGY: the criteria in Vietnamese, one\ninput cell per indicator (with data validation), the self-assessed points and the evidence.\nGiven RECORDS, one sheet per unit, pre-filled. Read it back with any command that reads\nrecords (par-rules score METHODOLOGY form.xlsx)."))
@click.argument("methodology")
@click.argument("records", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--year", type=int, help=N_("Use the version in force for this assessment year."))
@click.option("--version", "version_", help=N_("Use this version of the methodology."))
@click.option("--sheet", help=N_("The worksheet of an .xlsx RECORDS file (default: the first)."))
@IGNORE_COLUMNS
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True), help=N_("The form to write (.xlsx)."))
def form_command(methodology: str, records: str | None, year: int | None, version_: str | None, sheet: str | None, output: str) -> None:
    from ..formats._files import read_records
    from ..formats._forms import write_form

    if not output.lower().endswith(".xlsx"):
        raise click.UsageError(_("a form is an Excel workbook: give -o FILE.xlsx"))
    chosen = open_methodology(methodology, year, version_)  # an id without --year/--version: its latest version
    rows: list[dict[str, Any]] = []
    failed = False
    if records is not None:
        try:
            ignored = click.get_current_context().meta.get(IGNORED_COLUMNS_KEY, ())
            for _row, record in read_records(records, sheet=sheet, ignore_columns=ignored):
                if isinstance(record, RecordError):
                    click.echo(_("{records}: {record}").format(records=records, record=record), err=True)
                    failed = True
                elif isinstance(record, Mapping):
                    rows.append(dict(record))
        except RecordError as error:
            click.echo(_("{records}: {error}").format(records=records, error=error), err=True)
            raise SystemExit(1) from None
    try:
        problems = write_form(chosen, output, rows)
    except OSError as error:
        click.echo(_("cannot write {output}: {strerror}").format(output=output, strerror=error.strerror or error), err=True)
        raise SystemExit(1) from None
    for problem in problems:
        click.echo(_("{records}: {problem}").format(records=records, problem=problem), err=True)
    click.echo(_("wrote {output} ({max} sheet(s), {id}@{version})").format(output=output, max=max(1, len(rows)), id=chosen.id, version=chosen.version), err=True)
    if failed or problems:
        raise SystemExit(1)


@click.command("report", cls=LanguageCommand, help=N_("Write the results of RECORDS under METHODOLOGY as a self-contained HTML report with\ncharts (-o report.html) or as a results annex workbook with Excel charts (-o annex.xlsx)."))
@click.argument("methodology")
@click.argument("records", type=click.Path(exists=True, dir_okay=False))
@click.option("--previous", nargs=2, metavar="METHODOLOGY RECORDS", help=N_("The previous year's methodology and records: each unit's change in index and rank."))
@click.option("--year", type=int, help=N_("Use the version in force for this assessment year."))
@click.option("--version", "version_", help=N_("Use this version of the methodology."))
@IGNORE_COLUMNS
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True), help=N_("report.html (the report with charts) or annex.xlsx (the results annex)."))
@click.option("--progress/--no-progress", default=None, help=N_("Show a progress bar (default: when stderr is a terminal)."))
@click.option("--sensitivity", "samples", type=click.IntRange(min=1), metavar="N", help=N_("HTML report: add each unit's rank interval over N samples of field caps moved by up to ±20% (as par-rules sensitivity, seed 0)."))
def report_command(methodology: str, records: str, previous: tuple[str, str] | None, year: int | None, version_: str | None, output: str, progress: bool | None, samples: int | None) -> None:
    from ..units._office_report import build_report, write_annex, write_html

    suffix = Path(output).suffix.lower()
    if suffix not in (".html", ".htm", ".xlsx"):
        raise click.UsageError(_("-o must name an .html report or an .xlsx annex"))
    if samples is not None and suffix == ".xlsx":
        raise click.UsageError(_("--sensitivity adds a chart to the HTML report: give -o FILE.html"))
    batch = Batch(methodology_or_id(methodology, year, version_), records, None, progress)
    results = batch.results()
    previous_batch = None
    previous_results = None
    if previous:
        previous_batch = Batch(methodology_or_id(previous[0], None, None), previous[1], None, progress)
        previous_results = previous_batch.results()
    if results:
        try:
            robustness = None
            if samples is not None:
                from ..units._sensitivity import sensitivity

                robustness = sensitivity(results[0].methodology, results, samples=samples)
            report = build_report(results, previous_results, sensitivity=robustness)
            if suffix == ".xlsx":
                write_annex(report, output)
            else:
                write_html(report, output)
        except ParRulesError as error:
            click.echo(str(error), err=True)
            raise SystemExit(1) from None
        except OSError as error:
            click.echo(_("cannot write {output}: {strerror}").format(output=output, strerror=error.strerror or error), err=True)
            raise SystemExit(1) from None
        click.echo(_("wrote {output}").format(output=output), err=True)
    batch.finish()
    if previous_batch is not None:
        previous_batch.finish()
