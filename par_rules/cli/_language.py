"""The language of the command line: ``--lang vi|en`` on the group and on every command (else
``PAR_RULES_LANG``, else Vietnamese), and help texts translated when they are shown.

Help texts are written in English, marked with ``N_`` so the catalogue extracts them, and
translated at the moment help is printed, once ``--lang`` is known (give ``--lang`` before
``--help``). Each command runs in a :mod:`contextvars` context of its own, so the language a
command chose never leaks into the next one (tests run many in one process).

Click's own messages (usage errors such as "Missing argument") stay in English: they come from
click, which has no Vietnamese catalogue.
"""

from __future__ import annotations

import contextvars
import inspect
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from .._i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, choose, gettext as _, language

__all__ = ["LanguageCommand", "LanguageGroup", "language_option"]

# click's own help texts, shown beside ours
N_("Show this message and exit.")
N_("Show the version and exit.")


def _choose(context: click.Context, parameter: click.Parameter, value: str | None) -> None:
    if value is not None:
        choose(value)


def language_option() -> click.Option:
    """``--lang``: eager, so it is known before ``--help`` prints (when given before it)."""
    return click.Option(
        ["--lang"], type=click.Choice(LANGUAGES), default=None, expose_value=False, is_eager=True, callback=_choose,
        help=N_("Language of the output: vi (Vietnamese, the default) or en (English); also the environment variable PAR_RULES_LANG."),
    )


@contextmanager
def _translated(command: click.Command, context: click.Context) -> Iterator[None]:
    """The command's and its parameters' help texts in the chosen language, for the moment."""
    saved: list[tuple[Any, str | None]] = [(command, command.help)]
    if command.help:
        command.help = _(inspect.cleandoc(command.help))
    for parameter in command.get_params(context):
        text = getattr(parameter, "help", None)
        if text:
            saved.append((parameter, text))
            parameter.help = _(text)  # type: ignore[attr-defined, unused-ignore]  # click < 8.2.1 types Parameter without help
    try:
        yield
    finally:
        for item, text in saved:
            item.help = text


def _given_language(arguments: list[str]) -> str | None:
    """The language a ``--lang`` among the arguments names, if it names one par_rules speaks."""
    for position, argument in enumerate(arguments):
        value = argument.partition("=")[2] if argument.startswith("--lang=") else arguments[position + 1] if argument == "--lang" and position + 1 < len(arguments) else None
        if value in LANGUAGES:
            return value
    return None


class _Language:
    """What the command and the group share: ``--lang``, translated help, a context per run."""

    help: str | None  # click.Command's, which this mixin translates

    def _add_language(self) -> None:
        if not any(parameter.name == "lang" for parameter in self.params):  # type: ignore[attr-defined]
            self.params.append(language_option())  # type: ignore[attr-defined]

    def main(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.copy_context().run(self._main, *args, **kwargs)

    def _main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            language()
        except ValueError as error:  # a PAR_RULES_LANG par_rules does not speak
            given = _given_language(list(kwargs.get("args") or (args[0] if args else None) or sys.argv[1:]))
            choose(given or DEFAULT_LANGUAGE)
            if given is None:  # no --lang to overrule it: said plainly, exit 2
                click.echo(_("Error: {error}").format(error=error), err=True)
                raise SystemExit(2) from None
        return super().main(*args, **kwargs)  # type: ignore[misc]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated(self, ctx):  # type: ignore[arg-type]
            super().format_help(ctx, formatter)  # type: ignore[misc]

    def get_short_help_str(self, limit: int = 45) -> str:
        saved = self.help
        if saved:
            self.help = _(inspect.cleandoc(saved))
        try:
            return super().get_short_help_str(limit)  # type: ignore[misc]
        finally:
            self.help = saved

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage: "))

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = [record for parameter in self.get_params(ctx) if not isinstance(parameter, click.Argument) and (record := parameter.get_help_record(ctx))]  # type: ignore[attr-defined]
        if records:
            with formatter.section(_("Options")):
                formatter.write_dl(records)
        if isinstance(self, click.Group):  # click.Group.format_options, which this replaces, lists the commands
            self.format_commands(ctx, formatter)


class LanguageCommand(_Language, click.Command):
    """A command with ``--lang`` and help in the chosen language."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._add_language()


class LanguageGroup(_Language, click.Group):
    """The ``par-rules`` group: ``--lang`` for every command below it, each one a
    :class:`LanguageCommand`."""

    command_class = LanguageCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._add_language()

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section(_("Commands")):
                formatter.write_dl(rows)
