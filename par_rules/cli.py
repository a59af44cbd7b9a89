"""The ``par-rules`` command line.

Exit codes: 0 all went well; 1 problems were found (a broken methodology, a bad record, a
failed test); 2 the command was used wrongly (click's usage errors).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .api import load, score
from .errors import MethodologyError, ParRulesError, RecordError
from .load import read_yaml_file
from .model import Methodology

__all__ = ["main"]


def open_methodology(source: str, year: int | None = None, version: str | None = None) -> Methodology:
    """A methodology named on the command line (a path or an id), or a clean exit 1."""
    try:
        return load(source, year=year, version=version)
    except ParRulesError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None


def read_records(path: str) -> list[dict[str, Any]]:
    """Records from a JSON or YAML file: one record (a mapping) or a list of them."""
    try:
        if path.endswith(".json"):
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle, parse_float=str)
        else:
            data, _ = read_yaml_file(path)
    except (OSError, ValueError, MethodologyError) as error:
        click.echo(f"{path}: cannot read the records: {error}", err=True)
        raise SystemExit(1) from None
    return data if isinstance(data, list) else [data]


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
                click.echo(str(problem))
            continue
        leaves = sum(1 for _ in methodology.leaves())
        click.echo(f"{path}: ok ({methodology.id}@{methodology.version}, {leaves} leaves)")
    if failed:
        click.echo(f"{failed} of {len(paths)} file(s) have problems", err=True)
        raise SystemExit(1)


@main.command("score")
@click.argument("methodology")
@click.argument("records", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", type=int, help="Use the version in force for this assessment year.")
@click.option("--version", "version_", help="Use this version of the methodology.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--depth", type=int, help="Show nodes down to this depth only (text output).")
def score_command(methodology: str, records: str, year: int | None, version_: str | None, output: str, depth: int | None) -> None:
    """Score the RECORDS file (JSON or YAML: one record or a list) against METHODOLOGY (an id
    or a file) and print each breakdown."""
    chosen = open_methodology(methodology, year, version_)
    failed = 0
    results = []
    for row, record in enumerate(read_records(records), start=1):
        try:
            result = score(chosen, record, row=row)
        except RecordError as error:
            failed += 1
            click.echo(str(error), err=True)
            continue
        if output == "json":
            results.append(result.to_dict())
        else:
            click.echo(result.explain(depth=depth))
            click.echo()
    if output == "json":
        click.echo(json.dumps(results, ensure_ascii=False, indent=2))
    if failed:
        raise SystemExit(1)


from .cli_methodology import diff_command, test_command  # noqa: E402 (they use open_methodology above)

main.add_command(diff_command)
main.add_command(test_command)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
