"""The errors of par_rules: one root, subclasses that also subclass the matching builtin.

Every error carries structured places (:class:`Problem`), so a program can read the file,
line, column, node id, indicator or row, and a person can read ``str(error)``, in the language
chosen (``PAR_RULES_LANG``, default Vietnamese; :mod:`par_rules._i18n`). A message is written in
the language of the moment it is made; the places around it in the language of the moment it is
shown. The structured fields never change with the language.

>>> from par_rules._i18n import use
>>> with use("vi"):
...     str(Problem("duplicate key 'max'", line=4, column=3)), str(MethodologyError([Problem("x", node="1.2")]))
("dòng 4, cột 3: duplicate key 'max'", '1 lỗi trong bộ chỉ số:\\n  tiêu chí 1.2: x')
>>> p = Problem("max must be positive", file="a.yaml", line=3, column=5, node="1.2")
>>> with use("en"):
...     print(p)
...     print(Problem("duplicate key 'max'", line=4, column=3))
...     print(MethodologyError([p]))
a.yaml:3:5: node 1.2: max must be positive
line 4, column 3: duplicate key 'max'
1 problem in the methodology:
  a.yaml:3:5: node 1.2: max must be positive
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from ._i18n import gettext as _, ngettext

__all__ = [
    "ParRulesError",
    "ProblemsError",
    "Problem",
    "MethodologyError",
    "MethodologyNotFound",
    "RecordError",
]


@dataclass(frozen=True)
class Problem:
    """One problem, with every place that is known about it."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    node: str | None = None
    indicator: str | None = None
    row: int | None = None

    @property
    def where(self) -> str:
        """The place as ``file:line:column`` (or as much of it as is known)."""
        parts = []
        if self.file is not None:
            place = self.file
            if self.line is not None:
                place += f":{self.line}"
                if self.column is not None:
                    place += f":{self.column}"
            parts.append(place)
        elif self.line is not None:  # text read without a file name
            parts.append(_("line {line}").format(line=self.line) + (_(", column {column}").format(column=self.column) if self.column is not None else ""))
        if self.row is not None:
            parts.append(_("row {row}").format(row=self.row))
        if self.node is not None:
            parts.append(_("node {node}").format(node=self.node))
        if self.indicator is not None:
            parts.append(_("indicator {indicator}").format(indicator=self.indicator))
        return ": ".join(parts)

    def __str__(self) -> str:
        where = self.where
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict[str, object]:
        """The problem as a JSON-ready mapping (fields that are unknown are left out)."""
        fields = ("message", "file", "line", "column", "node", "indicator", "row")
        return {name: getattr(self, name) for name in fields if getattr(self, name) is not None}


class ParRulesError(Exception):
    """The root of every error that par_rules raises on purpose."""


class ProblemsError(ParRulesError):
    """An error that carries a list of :class:`Problem`, all found at once."""

    subject = "input"

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        count = len(self.problems)
        if self.subject == "methodology":
            heading = ngettext("{count} problem in the methodology:", "{count} problems in the methodology:", count)
        elif self.subject == "units register":
            heading = ngettext("{count} problem in the units register:", "{count} problems in the units register:", count)
        elif self.subject == "record":
            heading = ngettext("{count} problem in the record:", "{count} problems in the record:", count)
        else:
            heading = ngettext("{count} problem in the input:", "{count} problems in the input:", count)
        lines = [heading.format(count=count)]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._text()


class MethodologyError(ProblemsError, ValueError):
    """A methodology file (or an expression in it) is not valid. ``problems`` lists every one."""

    subject = "methodology"


class RecordError(ProblemsError, ValueError):
    """A record does not fit the methodology's indicator catalogue. ``problems`` lists every one."""

    subject = "record"


class MethodologyNotFound(ParRulesError, LookupError):
    """No methodology (or no version of it) matches what was asked for."""
