"""The ``par-rules`` command line.

Exit codes: 0 all went well; 1 problems were found (a broken methodology, a bad record, a
failed test); 2 the command was used wrongly (click's usage errors).

Every command prints through :func:`par_rules.cli_units.echo`: a control character from a file
(an escape sequence in a label, say) is shown as an escape, never obeyed by the terminal.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .api import load
from .cli_units import echo
from .errors import MethodologyError, ParRulesError
from .model import Methodology

__all__ = ["main"]


def open_methodology(source: str, year: int | None = None, version: str | None = None) -> Methodology:
    """A methodology named on the command line (a path or an id), or a clean exit 1."""
    try:
        return load(source, year=year, version=version)
    except ParRulesError as error:
        echo(str(error), err=True)
        raise SystemExit(1) from None


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


from .cli_methodology import diff_command, test_command  # noqa: E402 (they use open_methodology above)

main.add_command(diff_command)
main.add_command(test_command)

from . import cli_units  # noqa: E402 (issue 4: commands over files of many units)

main.add_command(cli_units.score_command)
main.add_command(cli_units.rank_command)
main.add_command(cli_units.compare_command)
main.add_command(cli_units.gaps_command)
main.add_command(cli_units.whatif_command)
main.add_command(cli_units.explain_command)
from .cli_survey import survey_command  # noqa: E402 (issue 15: questionnaires → answer counts)

main.add_command(survey_command)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
