"""``--root DIR``: the author's own methodology folders, on every command that takes an id.

The folders given are searched before those of ``PAR_RULES_PATH`` and before the shipped
methodologies. For the length of the command they are put at the front of ``PAR_RULES_PATH``
(and taken off again when it ends), so that everything it does finds them: the versions of an
id picked record by record, the versions a file extends, and the worker processes of ``--jobs``,
which inherit the environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from ..engine._registry import PATH_VARIABLE

__all__ = ["root_option", "given_roots", "ROOTS_KEY"]

#: Where the command's context keeps the folders given (``click.Context.meta``).
ROOTS_KEY = "par_rules.roots"

HELP = f"A folder of your methodologies (<id>/<version>.yaml), searched before {PATH_VARIABLE} and the shipped ones (repeatable)."


def _use_roots(context: click.Context, parameter: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    roots = [str(Path(name).resolve()) for name in value]
    context.meta[ROOTS_KEY] = [Path(root) for root in roots]
    if not roots:
        return value
    before = os.environ.get(PATH_VARIABLE)
    os.environ[PATH_VARIABLE] = os.pathsep.join(roots + ([before] if before else []))

    def restore() -> None:
        if before is None:
            os.environ.pop(PATH_VARIABLE, None)
        else:
            os.environ[PATH_VARIABLE] = before

    context.call_on_close(restore)
    return value


def root_option(must_exist: bool = True) -> click.Option:
    """A new ``--root`` option (one per command: click keeps an option's state in it); a folder
    to write into (``init``) need not exist yet."""
    return click.Option(
        ["--root", "roots"],
        multiple=True,
        metavar="DIR",
        type=click.Path(exists=must_exist, file_okay=False),
        callback=_use_roots,
        expose_value=False,
        is_eager=True,
        help=HELP,
    )


def given_roots() -> list[Path]:
    """The folders the running command was given with ``--root`` (none outside a command)."""
    context = click.get_current_context(silent=True)
    found: Any = context.meta.get(ROOTS_KEY, []) if context is not None else []
    return list(found)


def add_root_option(commands: Iterable[click.Command]) -> None:
    """Give each command a ``--root`` option (before its help option, as click lists them)."""
    for command in commands:
        if not any(param.name == "roots" for param in command.params):
            command.params.append(root_option(must_exist=command.name != "init"))
