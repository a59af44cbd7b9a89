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
from .._i18n import N_, gettext as _
from ._language import LanguageGroup

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, cls=LanguageGroup, help=N_("Score administrative-reform indexes (PAR INDEX) from YAML methodologies."))
@click.version_option(__version__, prog_name="par-rules")
def main() -> None:
    # the group's help is its help= above, translated when shown (cli/_language.py)
    pass


@main.command(help=N_("Check methodology FILES (or folders of them); print every problem as file:line:column."))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
def check(files: tuple[str, ...]) -> None:
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
        leaves = sum(1 for _unused in methodology.leaves())
        echo(_("{path}: ok ({id}@{version}, {leaves} leaves)").format(path=path, id=methodology.id, version=methodology.version, leaves=leaves))
    if failed:
        echo(_("{failed} of {paths} file(s) have problems").format(failed=failed, paths=len(paths)), err=True)
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
