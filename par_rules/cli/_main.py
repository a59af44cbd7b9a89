"""The ``par-rules`` command line.

Exit codes: 0 all went well; 1 problems were found (a broken methodology, a bad record, a
failed test); 2 the command was used wrongly (click's usage errors).

Every command prints through :func:`par_rules.cli._units.echo`: a control character from a file
(an escape sequence in a label, say) is shown as an escape, never obeyed by the terminal.
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import __version__
from ..engine._api import load
from ..errors import MethodologyError
from . import _units as cli_units
from ._units import echo
from ._methodology import diff_command, test_command
from ._office import form_command, report_command
from ._survey import survey_command
from ._sensitivity import sensitivity_command

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="par-rules")
def main() -> None:
    """Score administrative-reform indexes (PAR INDEX) from YAML methodologies."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
def check(files: tuple[str, ...]) -> None:
    """Check methodology FILES (or folders of them); print every problem as file:line:column."""
    failed = 0
    paths: list[Path] = []
    for name in files:
        path = Path(name)
        if path.is_dir():
            paths += sorted(p for p in path.rglob("*.yaml") if not p.name.endswith(".tests.yaml"))
        else:
            paths.append(path)
    for path in paths:
        try:
            methodology = load(path)
        except MethodologyError as error:
            failed += 1
            for problem in error.problems:
                echo(str(problem))
            continue
        leaves = sum(1 for _ in methodology.leaves())
        echo(f"{path}: ok ({methodology.id}@{methodology.version}, {leaves} leaves)")
    if failed:
        echo(f"{failed} of {len(paths)} file(s) have problems", err=True)
        raise SystemExit(1)


main.add_command(diff_command)
main.add_command(test_command)

main.add_command(cli_units.score_command)
main.add_command(cli_units.rank_command)
main.add_command(cli_units.compare_command)
main.add_command(cli_units.gaps_command)
main.add_command(cli_units.whatif_command)
main.add_command(cli_units.explain_command)
main.add_command(form_command)
main.add_command(report_command)
main.add_command(survey_command)
main.add_command(sensitivity_command)
