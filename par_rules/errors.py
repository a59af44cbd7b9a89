"""The errors of par_rules: one root, subclasses that also subclass the matching builtin.

Every error carries structured places (:class:`Problem`), so a program can read the file,
line, column, node id, indicator or row, and a person can read ``str(error)``.

>>> p = Problem("max must be positive", file="a.yaml", line=3, column=5, node="1.2")
>>> str(p)
'a.yaml:3:5: node 1.2: max must be positive'
>>> str(Problem("duplicate key 'max'", line=4, column=3))
"line 4, column 3: duplicate key 'max'"
>>> str(MethodologyError([p]))
'1 problem in the methodology:\\n  a.yaml:3:5: node 1.2: max must be positive'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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
            parts.append(f"line {self.line}" + (f", column {self.column}" if self.column is not None else ""))
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.node is not None:
            parts.append(f"node {self.node}")
        if self.indicator is not None:
            parts.append(f"indicator {self.indicator}")
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
        noun = "problem" if count == 1 else "problems"
        lines = [f"{count} {noun} in the {self.subject}:"]
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
