"""``par-rules survey``: a respondents file (one row per questionnaire) turned into the answer
counts of a methodology's survey indicators, one row per unit, in the wide layout that
``par-rules score`` reads (see :func:`par_rules.aggregate_survey`).

Exit codes: 0 every questionnaire counted; 1 some were refused (each reported on stderr with its
row and every problem in it; every other one is still counted and output); 2 the command was
used wrongly.
"""

from __future__ import annotations

import click

from ._units import chosen_format, emit, methodology_files, refuse_input_as_output, table_options, echo
from ..errors import MethodologyNotFound, ParRulesError
from ..units._survey import aggregate_survey, counts_table
from .._i18n import N_, gettext as _
from ._language import LanguageCommand

__all__ = ["survey_command"]


@click.command("survey", cls=LanguageCommand, help=N_("Count the answers of RESPONDENTS (CSV, xlsx, JSON Lines...: one row per questionnaire, one\ncolumn per question) per unit, as METHODOLOGY's survey section says; unusable questionnaires\nare reported by row and left out."))
@click.argument("methodology")
@click.argument("respondents", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", type=int, help=N_("Use the version in force for this assessment year (also written as each unit's period)."))
@click.option("--version", "version_", help=N_("Use this version of the methodology."))
@click.option("--period", type=int, help=N_("The assessment year written into each unit's row (default: --year)."))
@click.option("--units", "register", help=N_("A units register (id or file): questionnaires must name a unit of it that existed in the period."))
@click.option("--sheet", help=N_("The worksheet of an .xlsx RESPONDENTS file (default: the first)."))
@table_options
def survey_command(methodology: str, respondents: str, year: int | None, version_: str | None, period: int | None, register: str | None, sheet: str | None, format_: str | None, output: str | None) -> None:
    from ._methodology import open_methodology

    opened = open_methodology(methodology, year, version_)
    refuse_input_as_output(output, [respondents, *methodology_files(opened)])
    period = period if period is not None else year
    units = None
    if register is not None:
        from ..units._register import load_register

        try:
            loaded = load_register(register)
        except ParRulesError as error:
            echo(str(error), err=True)
            raise SystemExit(1) from None
        if period is None:
            raise click.UsageError(_("--units needs --period (or --year): which year's units?"))
        units = loaded.existing(period)
    try:
        counts = aggregate_survey(opened, respondents, units=units, period=period, sheet=sheet)
    except MethodologyNotFound as error:
        raise click.UsageError(str(error)) from None
    except ParRulesError as error:
        echo(str(error), err=True)
        raise SystemExit(1) from None
    for refused in counts.problems + counts.unit_problems:
        for problem in refused.problems:
            echo(str(problem), err=True)
    emit(counts_table(counts), chosen_format(format_, output), output, list(counts.notes))
    echo(counts.summary(), err=True)
    if counts.problems or counts.unit_problems:
        raise SystemExit(1)
