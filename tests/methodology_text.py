"""Small methodology texts for the core tests, built from a template so each test shows only
what it is about."""

from __future__ import annotations

import textwrap
from pathlib import Path

HEADER = """\
format: 1
id: test/index
version: "1"
years: [2024]
title: Chỉ số thử
issuer: Thử nghiệm
level: district
scale: {scale}
status: illustrative
bands:
  - {{id: A, at_least: 90}}
  - {{id: B, at_least: 80, below: 90}}
  - {{id: C, at_least: 70, below: 80}}
"""


def methodology(indicators: str, criteria: str, scale: str = "10", extra: str = "") -> str:
    """A whole file: the header, then ``indicators`` and ``criteria`` given as YAML blocks."""
    return (
        HEADER.format(scale=scale)
        + extra
        + "indicators:\n"
        + textwrap.indent(textwrap.dedent(indicators).strip("\n"), "  ")
        + "\ncriteria:\n"
        + textwrap.indent(textwrap.dedent(criteria).strip("\n"), "  ")
        + "\n"
    )


def write(tmp_path: Path, text: str, name: str = "1.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the first line containing ``fragment``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in the text")
