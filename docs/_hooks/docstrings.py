"""Griffe extension for the API reference: the code's docstrings are reST-flavoured plain text
with doctests; show the doctests as fenced Python sessions and the ``:role:`target``` references
as code. ``tests/test_site.py`` checks :func:`markdown_docstring`.
"""

from __future__ import annotations

import re
from typing import Any

from griffe import Extension, Object

_ROLE = re.compile(r":(?:class|func|meth|mod|attr|exc|data|obj):`(~?)([^`]+)`")


def _role(match: re.Match[str]) -> str:
    short, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if short else target}`"


def markdown_docstring(text: str) -> str:
    """The docstring with doctest blocks fenced, reST roles as code spans and ``::`` as ``:``."""
    lines: list[str] = []
    in_session = False
    for line in text.splitlines():
        starts = line.lstrip().startswith(">>>")
        if starts and not in_session:
            lines.append("```pycon")
            in_session = True
        elif in_session and not line.strip():
            lines.append("```")
            in_session = False
        lines.append(line if in_session else re.sub(r"::$", ":", _ROLE.sub(_role, line)))
    if in_session:
        lines.append("```")
    return "\n".join(lines)


class ReadableDocstrings(Extension):
    def on_object(self, *, obj: Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown_docstring(obj.docstring.value)
