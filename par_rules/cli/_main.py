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
from ..authoring._advice import check_methodology_file, check_tests_file
from ..engine._api import is_path
from ..engine._registry import TESTS_SUFFIX, versions
from ..errors import MethodologyNotFound
from . import _units as cli_units
from ._units import echo
from ._authoring import init_command, list_command, schema_command
from ._methodology import diff_command, test_command
from ._roots import add_root_option, given_roots
from ._office import form_command, report_command
from ._survey import survey_command
from ._sensitivity import sensitivity_command

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="par-rules")
def main() -> None:
    """Score administrative-reform indexes (PAR INDEX) from YAML methodologies."""


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=True))
@click.option("--strict", is_flag=True, help="Count warnings (a percent written as a fraction...) as problems: exit 1.")
def check(files: tuple[str, ...], strict: bool) -> None:
    """Check methodology FILES (or folders of them, or ids), and the tests files among them
    (<version>.tests.yaml, against the methodology they test); print every problem and warning
    as file:line:column. Without FILES: every methodology in the --root folders."""
    roots = given_roots()
    if not files and not roots:
        raise click.UsageError("name the files, folders or ids to check (or give --root)")
    failed = warned = 0
    paths: list[Path] = []
    for name in files or tuple(str(root) for root in roots):
        path = Path(name)
        if path.is_dir():
            paths += sorted(path.rglob("*.yaml"))
        elif not path.exists() and not is_path(name):
            try:
                paths += [info.path for info in versions(name)] or [Path(name)]
            except MethodologyNotFound:
                paths.append(path)
        else:
            paths.append(path)
    for path in paths:
        if path.name.endswith(TESTS_SUFFIX):
            problems, warnings, summary = check_tests_file(path)
        else:
            problems, warnings, summary = check_methodology_file(path)
        for problem in problems:
            echo(str(problem))
        for warning in warnings:
            echo(f"{warning.where}: {'error' if strict else 'warning'}: {warning.message}")
        if problems or (strict and warnings):
            failed += 1
        else:
            warned += bool(warnings)
            echo(f"{path}: ok ({summary})" + (f", {len(warnings)} warning(s)" if warnings else ""))
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
main.add_command(list_command)
main.add_command(init_command)
main.add_command(schema_command)

# --root DIR on every command that names methodologies (the author's own folders, docs/authoring.md).
add_root_option(command for name, command in main.commands.items() if name != "schema")
