"""Starting files for an author: a new methodology (or the next version of one) with its tests,
a copy of the JSON Schema for editors, and a starting ``mkdocs.yml`` for the site.

What :func:`new_methodology` writes passes ``par-rules check`` and ``par-rules test`` as
written: the new file is loaded, and its tests run, before the function returns.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     written = new_methodology("vn/example-province/par-index/commune", "2026", root=folder)
...     [path.relative_to(folder).as_posix() for path in written]
['methodology.schema.json', 'vn/example-province/par-index/commune/2026.yaml', 'vn/example-province/par-index/commune/2026.tests.yaml']
"""

from __future__ import annotations

import json
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import yaml

from ..engine._api import load
from ..engine._arithmetic import format_decimal
from ..engine._load import read_yaml_file
from ..engine._registry import TESTS_SUFFIX, Roots, find
from ..engine._validate import schema
from ..errors import MethodologyError, MethodologyNotFound, Problem
from ._methodology_tests import load_tests, run_tests
from .._i18n import gettext as _
from .._lazy import name_home

__all__ = ["new_methodology", "schema_path", "write_schema", "new_site", "SCHEMA_NAME"]

#: The name of the schema's copy at the top of an author's folder.
SCHEMA_NAME = "methodology.schema.json"

_LEVELS = ("ministry", "province", "department", "district", "commune", "ward", "special_zone", "agency", "other")


def schema_path() -> Path:
    """The JSON Schema of methodology files installed with par_rules."""
    return Path(__file__).resolve().parent.parent / "schema" / SCHEMA_NAME


def write_schema(target: str | os.PathLike[str]) -> Path:
    """Copy the installed schema to ``target`` (a file, or a folder to put it in); return the file."""
    path = Path(target)
    if path.is_dir():
        path = path / SCHEMA_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    shutil.copyfile(schema_path(), temporary)
    os.replace(temporary, path)
    return path


def _schema_line(methodology_file: Path, schema_file: Path) -> str:
    relative = Path(os.path.relpath(schema_file, methodology_file.parent)).as_posix()
    return f"# yaml-language-server: $schema={relative}\n"


def _check_names(methodology_id: str, version: str) -> None:
    definitions = schema()["$defs"]
    if not re.search(definitions["methodology_id"]["pattern"], methodology_id):
        raise MethodologyNotFound(_("{methodology_id!r} is not a methodology id: ids are folder names in lower case, such as vn/ha-noi/par-index/commune").format(methodology_id=methodology_id))
    if not re.search(definitions["version"]["pattern"], version):
        raise MethodologyNotFound(_("{version!r} is not a version: a version is a file name such as 2026 or 2026a").format(version=version))


def _years(version: str) -> list[int]:
    digits = re.match(r"[0-9]{4}", version)
    return [int(digits.group())] if digits and 1990 <= int(digits.group()) <= 2100 else [2026]


def _level(methodology_id: str) -> str:
    last = methodology_id.rsplit("/", 1)[-1]
    return last if last in _LEVELS else "commune"


def _first_version(methodology_id: str, version: str, years: list[int]) -> tuple[str, str]:
    level = _level(methodology_id)
    text = f"""format: 1
id: {methodology_id}
version: "{version}"
years: [{", ".join(map(str, years))}]
title: Chỉ số cải cách hành chính (điền tên)
title_en: PAR index (fill in the name)
issuer: Ủy ban nhân dân tỉnh (điền tên)
issuer_en: Provincial People's Committee (fill in the name)
level: {level}
scale: 100
status: illustrative   # official once every criterion reproduces the legal text
status_note: A starting file written by par-rules init; replace the two criteria with yours.
legal_basis: []
changelog: First version.
rounding:
  decimals: 2
bands:
  - {{id: A, label: Xuất sắc, label_en: Excellent, at_least: 90}}
  - {{id: B, label: Tốt, label_en: Good, at_least: 80, below: 90}}
  - {{id: C, label: Khá, label_en: Fair, at_least: 70, below: 80}}

indicators:
  plan_issued:
    label: Ban hành kế hoạch CCHC năm
    label_en: Annual PAR plan issued
    type: boolean
  online_rate:
    label: Tỷ lệ hồ sơ trực tuyến
    label_en: Share of dossiers filed online
    type: percent        # 0 to 100: write 95 for 95%, never 0.95

criteria:
  - id: "1"
    label: Công tác chỉ đạo, điều hành CCHC
    label_en: Direction and management of PAR
    max: 40
    children:
      - id: "1.1"
        label: Ban hành kế hoạch CCHC năm
        label_en: Annual PAR plan issued
        max: 40
        rule: {{kind: boolean, indicator: plan_issued}}
  - id: "2"
    label: Hồ sơ trực tuyến
    label_en: Dossiers filed online
    max: 60
    rule:
      kind: bands
      indicator: online_rate
      bands:
        - {{at_least: 80, points: 60}}
        - {{at_least: 50, below: 80, points: 30}}
        - {{below: 50, points: 0}}
"""
    tests = f"""# The tests of {methodology_id}@{version}: par-rules test runs them; each case names a record and the
# points it must get. A case may start from another (base: its name) and change a few values.
cases:
  - name: plan issued, 85% online
    record: {{unit: xa-a, period: {years[0]}, plan_issued: true, online_rate: 85}}
    expect:
      nodes: {{"1": 40, "2": 60}}
      total: 100
      band: A
  - name: no plan, 60% online
    base: plan issued, 85% online
    record: {{plan_issued: false, online_rate: 60}}
    expect:
      nodes: {{"1": 0, "2": 30}}
      total: 30
      band: null
"""
    return text, tests


def _next_version(methodology_id: str, version: str, years: list[int], parent_id: str, parent_version: str, root: Roots) -> tuple[str, str]:
    parent_file = find(parent_id, version=parent_version, root=root)
    load(parent_file, root=root)  # the version extended loads
    lineage_from = f"{{id: {parent_id}, version: \"{parent_version}\"}}" if parent_id != methodology_id else f"{{version: \"{parent_version}\"}}"
    text = f"""format: 1
id: {methodology_id}
version: "{version}"
years: [{", ".join(map(str, years))}]
extends: {{id: {parent_id}, version: "{parent_version}"}}
changelog: What changed since {parent_id}@{parent_version} (fill in).
# Each change: {{op: update, node: "1.1", set: {{max: 5}}}}, {{op: add, parent: "1", node: {{...}}}},
# {{op: remove, node: "2.3"}} (see docs/format.md). The lineage says which node of
# {parent_id}@{parent_version} each renumbered node continues (par-rules diff, compare).
changes: []
lineage:
  from: {lineage_from}
  nodes: {{}}
"""
    parent_tests = parent_file.with_name(parent_file.name.removesuffix(".yaml") + TESTS_SUFFIX)
    cases = []
    if parent_tests.is_file():
        data, _unused = read_yaml_file(parent_tests)  # numbers as written (Decimal), not as floats
        for case in data.get("cases") or []:
            record = case.get("record")
            if isinstance(record, dict) and "period" in record:
                record["period"] = years[0]
            cases.append(case)
    if not cases:
        raise MethodologyError([Problem(_("{parent_id}@{parent_version} has no tests ({name}) to start the new version's tests from: write them first").format(
            parent_id=parent_id, parent_version=parent_version, name=parent_tests.name
        ))])
    header = f"# The tests of {methodology_id}@{version}, copied from {parent_id}@{parent_version}'s (the periods set to {years[0]}):\n# change the expected points where the changes change them.\n"
    return text, header + yaml.dump({"cases": cases}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)


class _Dumper(yaml.SafeDumper):
    """YAML of test cases whose numbers are Decimals, written as they were read."""


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format_decimal(value)
    return dumper.represent_scalar("tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float", text)


_Dumper.add_representer(Decimal, _decimal)


def new_methodology(
    methodology_id: str,
    version: str,
    *,
    root: str | os.PathLike[str] = ".",
    extends: str | None = None,
    years: list[int] | None = None,
) -> list[Path]:
    """Write ``<root>/<id>/<version>.yaml`` and its ``.tests.yaml`` (and the schema's copy at
    ``<root>/methodology.schema.json`` that the file's first line points editors to); return the
    files written.

    ``extends`` (``ID@VERSION``) starts the next version of a methodology: a file that extends
    it, with an empty list of changes and a lineage to fill in, and its tests copied. An
    existing file is never overwritten. The files are loaded and their tests run before this
    returns: what it writes passes ``check`` and ``test``.
    """
    _check_names(methodology_id, version)
    base = Path(root)
    target = base / methodology_id / f"{version}.yaml"
    tests_file = target.with_name(f"{version}{TESTS_SUFFIX}")
    for path in (target, tests_file):
        if path.exists():
            raise FileExistsError(_("{path} exists already: par-rules init never overwrites a file").format(path=path))
    chosen_years = years or _years(version)
    if extends:
        parent_id, _unused, parent_version = extends.partition("@")
        if not parent_version:
            raise MethodologyNotFound(_("--extends {extends}: name the version extended as ID@VERSION").format(extends=extends))
        _check_names(parent_id, parent_version)
        text, tests = _next_version(methodology_id, version, chosen_years, parent_id, parent_version, [base])
    else:
        text, tests = _first_version(methodology_id, version, chosen_years)
    written = []
    schema_file = base / SCHEMA_NAME
    if not schema_file.is_file():
        written.append(write_schema(schema_file))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_schema_line(target, schema_file) + "#\n" + text, encoding="utf-8")
    tests_file.write_text(tests, encoding="utf-8")
    written += [target, tests_file]
    try:  # what was written loads, and its tests pass; else nothing is left behind
        load(target, root=[base])
        failed = [str(failure) for outcome in run_tests(load_tests(tests_file), root=[base]) for failure in outcome.failures]
        if failed:
            raise MethodologyError([Problem(_("the tests written do not pass: {failure}").format(failure=failure)) for failure in failed])
    except MethodologyError:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def new_site(folder: str | os.PathLike[str] = ".", roots: list[str] | None = None, name: str = "Bộ chỉ số CCHC") -> list[Path]:
    """Write a starting ``mkdocs.yml`` (with the ``par-rules`` plugin on ``roots``) and
    ``docs/index.md`` in ``folder``; files that exist are kept. Return the files written."""
    base = Path(folder)
    listed = ", ".join(json.dumps(root, ensure_ascii=False) for root in roots or ["."])  # JSON strings are YAML
    files = {
        base / "mkdocs.yml": f"""site_name: {name}
docs_dir: docs
strict: true
theme:
  name: material
  language: vi
plugins:
  - search
  # The criteria browser, version histories and worked examples of the methodologies in these
  # folders (relative to this file), written by par_rules at build time.
  - par-rules:
      roots: [{listed}]
nav:
  - Trang chủ: index.md
  - Bộ tiêu chí: criteria/index.md
""",
        base / "docs" / "index.md": f"# {name}\n\nCác bộ chỉ số của chúng tôi: xem [Bộ tiêu chí](criteria/index.md).\n",
    }
    written = []
    for path, text in files.items():
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


name_home(__name__)  # the public names say the face users import them from (par_rules._lazy)
