"""The ``sensitivity`` command: how solid each unit's rank is when the methodology's weights or
band thresholds move (:func:`par_rules.sensitivity`); registered on the group in
:mod:`par_rules.cli`.

Exit codes as for every command: 0 all went well; 1 some rows have problems (reported on stderr
with their row; every good row is still analysed); 2 the command was used wrongly (a bad
percent, an unknown node, an output file that is one of the inputs).
"""

from __future__ import annotations

import click

from ._units import Batch, IGNORE_COLUMNS, chosen_format, echo, emit, methodology_files, methodology_or_id, refuse_input_as_output, table_options
from ..errors import MethodologyNotFound, ParRulesError, RecordError

__all__ = ["sensitivity_command"]


@click.command("sensitivity")
@click.argument("methodology")
@click.argument("records", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", type=int, help="Use the version in force for this assessment year.")
@click.option("--version", "version_", help="Use this version of the methodology.")
@click.option("--sheet", help="The worksheet of an .xlsx RECORDS file (default: the first).")
@IGNORE_COLUMNS
@click.option("--progress/--no-progress", default=None, help="Show a progress bar while scoring (default: when stderr is a terminal).")
@table_options
@click.option("--samples", "-n", type=click.IntRange(min=1), default=1000, show_default=True, help="How many perturbed methodologies to draw.")
@click.option("--percent", default="20", show_default=True, help="How far each cap may move, in % (up to two decimals, under 100; 0: caps stay).")
@click.option("--level", type=click.Choice(["fields", "criteria"]), default="fields", show_default=True, help="Move the caps of the fields, or of the criteria (the nodes of depth 2).")
@click.option("--node", "nodes", multiple=True, metavar="ID", help="Move only this node's cap (repeatable; a node of --level).")
@click.option("--band-shift", default="0", show_default=True, help="How far each band threshold may move, in index points (up to two decimals).")
@click.option("--seed", type=int, default=0, show_default=True, help="The seed of the samples: the same seed, the same report.")
@click.option("--ties", type=click.Choice(["competition", "dense"]), default="competition", show_default=True, help="competition: 1, 2, 2, 4; dense: 1, 2, 2, 3.")
def sensitivity_command(
    methodology: str,
    records: str,
    year: int | None,
    version_: str | None,
    sheet: str | None,
    progress: bool | None,
    format_: str | None,
    output: str | None,
    samples: int,
    percent: str,
    level: str,
    nodes: tuple[str, ...],
    band_shift: str,
    seed: int,
    ties: str,
) -> None:
    """Rank robustness: score RECORDS once, then move the caps of the fields (or criteria) by up
    to ±--percent % (renormalised to the scale) and the band thresholds by up to ±--band-shift
    points over --samples seeded samples; print each unit's rank interval (median, 5th–95th
    percentile), how often its band changes, the field whose weight moves its rank most, and
    its worst rank with one field left out."""
    from ..units._sensitivity import sensitivity

    if chosen_format(format_, output) == "xlsx" and output is None:  # said before the records are scored
        raise click.UsageError("--format xlsx needs --output FILE.xlsx")
    opened = methodology_or_id(methodology, year, version_)
    refuse_input_as_output(output, [records, *methodology_files(opened)])
    batch = Batch(opened, records, sheet, progress)
    outputs = list(batch.outputs())
    if outputs:
        try:
            report = sensitivity(
                outputs[0].methodology, outputs, samples=samples, percent=percent, level=level,  # type: ignore[arg-type]
                nodes=nodes or None, band_shift=band_shift, seed=seed, ties=ties,  # type: ignore[arg-type]
            )
        except RecordError as error:  # results of different versions (an id scored by period)
            echo(str(error), err=True)
            raise SystemExit(1) from None
        except (ValueError, MethodologyNotFound) as error:  # a bad option: a usage error
            raise click.UsageError(str(error)) from None
        except ParRulesError as error:  # results with parts not in yet
            echo(str(error), err=True)
            raise SystemExit(1) from None
        emit(report.table(), chosen_format(format_, output), output, report.notes)
    batch.finish()
