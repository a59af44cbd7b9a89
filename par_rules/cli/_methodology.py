"""The ``par-rules diff`` and ``par-rules test`` commands (registered in :mod:`par_rules.cli`).

Exit codes as for every command: 0 all went well, 1 problems (a failed test, a broken file),
2 the command was used wrongly.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..authoring._diff import diff
from ..engine._api import is_path, load
from ..engine._registry import versions
from ..errors import MethodologyError, MethodologyNotFound, ParRulesError
from ..authoring._methodology_tests import find_test_files, load_tests, run_tests
from ..engine._model import Methodology
from ..formats._files import json_text
from ._roots import given_roots
from ._units import echo
from .._i18n import N_, gettext as _
from ._language import LanguageCommand

__all__ = ["diff_command", "test_command"]


def open_methodology(source: str, year: int | None = None, version: str | None = None) -> Methodology:
    """A methodology named on the command line (a path, or an id: the version in force in
    ``year``, the one named, or the latest), or a clean exit: 2 for --year or --version with a
    file, 1 when it cannot be loaded."""
    try:
        return load(source, year=year, version=version)
    except TypeError as error:  # --year or --version with a file
        raise click.UsageError(str(error)) from None
    except (ParRulesError, OSError) as error:
        echo(str(error), err=True)
        raise SystemExit(1) from None


def _resolve(reference: str, year: int | None) -> Methodology:
    """A methodology named as a file, ``ID@VERSION``, or an ID (with ``year``: the version in
    force that year; without: the latest)."""
    source, _unused, version = reference.partition("@")
    return open_methodology(source, None if version else year, version or None)


@click.command("diff", cls=LanguageCommand, help=N_("Print what changed from OLD to NEW: nodes added, removed, renamed, moved, re-capped, rule\nchanged, split or merged, one a line. OLD and NEW are files or ids; an id may name its version\nas ID@VERSION (e.g. vn/moha/par-index/province@2019)."))
@click.argument("old")
@click.argument("new")
@click.option("--old-year", type=int, help=N_("For an OLD given as an id: the version in force this year."))
@click.option("--new-year", type=int, help=N_("For a NEW given as an id: the version in force this year."))
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def diff_command(old: str, new: str, old_year: int | None, new_year: int | None, output: str) -> None:
    before, after = _resolve(old, old_year), _resolve(new, new_year)
    try:
        changes = diff(before, after)
    except MethodologyError as error:
        echo(str(error), err=True)
        raise SystemExit(1) from None
    if output == "json":
        echo(json_text(changes.to_dict()))
    elif changes:
        echo(str(changes))
    else:
        echo(_("no differences"), err=True)


def _test_paths(names: tuple[str, ...]) -> list[str | Path]:
    """Paths as given, and for an id that is no path, the files of its versions."""
    found: list[str | Path] = []
    for name in names:
        if os.path.exists(name) or is_path(name):
            found.append(name)
            continue
        try:
            known = versions(name)
        except MethodologyNotFound:
            known = []
        if not known:
            raise click.BadParameter(_("{name!r} is neither a file or folder nor a methodology id (par-rules list shows every id)").format(name=name), param_hint="PATHS")
        found += [info.path for info in known]
    return found


@click.command("test", cls=LanguageCommand, help=N_("Run the methodology tests (<version>.tests.yaml) in PATHS: files, methodologies, folders or\nmethodology ids (default: those in the --root folders, else every shipped methodology). Each\nfailure names the case, the node, the expected and the actual points."))
@click.argument("paths", nargs=-1)
@click.option("-v", "--verbose", is_flag=True, help=N_("Name every case, not only the failed ones."))
def test_command(paths: tuple[str, ...], verbose: bool) -> None:
    try:
        files = find_test_files(_test_paths(paths) or given_roots())
    except MethodologyNotFound as error:
        echo(str(error), err=True)
        raise SystemExit(1) from None
    if not files:
        echo(_("no tests found in {str}").format(str=', '.join(map(str, paths or given_roots()))), err=True)
        raise SystemExit(1)
    passed = failed = 0
    for path in files:
        try:
            outcomes = run_tests(load_tests(path), given_roots() or None)
        except MethodologyError as error:
            failed += 1
            echo(_("{path}: cannot run: {error}").format(path=path, error=error))
            continue
        for outcome in outcomes:
            if outcome.passed:
                passed += 1
                if verbose:
                    echo(_("{path}: ok: {name}").format(path=path, name=outcome.case.name))
            else:
                failed += 1
                for failure in outcome.failures:
                    echo(_("FAILED {failure}").format(failure=failure))
    echo(_("{passed} passed, {failed} failed").format(passed=passed, failed=failed))
    if failed:
        raise SystemExit(1)
