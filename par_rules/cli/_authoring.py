"""The author's commands (registered in :mod:`par_rules.cli`): ``list`` every methodology the
roots hold, ``init`` a new methodology or its next version (or a site), and ``schema``.

Exit codes as for every command: 0 all went well, 1 problems, 2 the command was used wrongly.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..authoring._init import new_methodology, new_site, schema_path, write_schema
from ..engine._registry import PATH_VARIABLE, all_versions, search_roots, shipped_root
from ..engine._api import load
from ..errors import MethodologyError, ParRulesError
from ._roots import given_roots
from ._units import echo

__all__ = ["list_command", "init_command", "schema_command"]


def _fields(path: Path) -> dict[str, str]:
    """The level, status and title of a version (those of the version it extends, where it
    does not say), or why it does not load."""
    try:
        methodology = load(path)
    except ParRulesError as error:
        first = error.problems[0] if isinstance(error, MethodologyError) and error.problems else error
        return {"level": "", "status": "broken", "title": f"does not load: {first}"}
    return {"level": methodology.level, "status": methodology.status, "title": methodology.title}


@click.command("list")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_command(format_: str) -> None:
    """List every methodology found: id, version, years, level, status and title, your folders
    (--root, PAR_RULES_PATH) first, then the shipped ones. A version in an earlier folder hides
    the same version in a later one."""
    import json

    roots = search_roots(given_roots())
    shipped = shipped_root()
    rows = []
    seen: set[tuple[str, str]] = set()
    for root in roots:
        for info in all_versions([root]):
            if (info.id, info.version) in seen:
                continue
            seen.add((info.id, info.version))
            fields = _fields(info.path)
            origin = "shipped" if root == shipped else str(root)
            rows.append({"id": info.id, "version": info.version, "years": list(info.years), **fields, "root": origin, "path": str(info.path)})
    if format_ == "json":
        echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        echo("no methodology found in " + ", ".join(str(root) for root in roots), err=True)
        raise SystemExit(1)
    for row in rows:
        years = ",".join(str(year) for year in row["years"])
        echo(f"{row['id']}@{row['version']}  years {years}  {row['level'] or '-'}  {row['status']}  {row['title']}  [{row['root']}]")
    echo(f"{len(rows)} version(s) in {', '.join(str(root) for root in roots)}", err=True)


@click.command("init")
@click.argument("methodology_id", required=False)
@click.option("--version", "version_", help="The version to write: the file is <root>/<ID>/<VERSION>.yaml.")
@click.option("--extends", "extends", metavar="ID@VERSION", help="Write the next version of a methodology: a file that extends this one, with its tests copied.")
@click.option("--site", is_flag=True, help="Also write a starting mkdocs.yml and docs/index.md here (the par-rules plugin on the root).")
def init_command(methodology_id: str | None, version_: str | None, extends: str | None, site: bool) -> None:
    """Write a new methodology ID (its file, with a working $schema line, and its .tests.yaml)
    in the first --root (default: the first folder of PAR_RULES_PATH, else the current folder).
    What is written passes `par-rules check` and `par-rules test` as it is."""
    roots = given_roots()
    path_roots = [part for part in os.environ.get(PATH_VARIABLE, "").split(os.pathsep) if part]
    root = roots[0] if roots else Path(path_roots[0]) if path_roots else Path(".")
    if methodology_id is None and not site:
        raise click.UsageError("give a methodology ID (with --version), or --site")
    if methodology_id is not None:
        if not version_:
            raise click.UsageError("--version is required with an ID")
        try:
            written = new_methodology(methodology_id, version_, root=root, extends=extends)
        except (ParRulesError, FileExistsError) as error:
            echo(str(error), err=True)
            raise SystemExit(1) from None
        for path in written:
            echo(f"wrote {path}")
    if site:
        relative = os.path.relpath(root.resolve(), Path.cwd())
        for path in new_site(".", [Path(relative).as_posix()]):
            echo(f"wrote {path}")


@click.command("schema")
@click.option("-o", "--output", type=click.Path(writable=True), help="Copy the schema to this file (or into this folder).")
def schema_command(output: str | None) -> None:
    """Print the path of the JSON Schema of methodology files installed with par_rules (or copy
    it where asked). Editors use it through the first line of a methodology file:
    # yaml-language-server: $schema=<path>"""
    if output is None:
        echo(str(schema_path()))
        return
    echo(f"wrote {write_schema(output)}")
