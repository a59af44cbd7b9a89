"""Methodology names never reach outside the folders searched.

An ``extends`` target, a methodology id given to :func:`par_rules.load` and the files of a
methodology tree are paths built from text of others: ids and versions must match their
patterns (no ``..``, no absolute path, no trailing newline) and a file whose symlinks lead out
of the root searched is not read. Each case has a real file waiting outside, which the loader
would otherwise read.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import par_rules
from par_rules import MethodologyError, MethodologyNotFound

from .methodology_text import line_of, methodology

INDICATORS = "done: {label: Tỷ lệ hoàn thành, type: percent}"
CRITERIA = """
- id: "1"
  label: Lĩnh vực
  max: 10
  rule: {kind: proportional, indicator: done}
"""
OUTSIDE_TITLE = "Outside the tree"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """A methodology tree ``tree/`` and, beside it, a valid methodology file outside it."""
    tree = tmp_path / "tree"
    outside = _write(tmp_path / "outside" / "test" / "index" / "1.yaml", methodology(INDICATORS, CRITERIA).replace("title: Chỉ số thử", f"title: {OUTSIDE_TITLE}"))
    _write(tree / "test" / "index" / "1.yaml", methodology(INDICATORS, CRITERIA))
    return {"root": tmp_path, "tree": tree, "outside": outside}


def _child(extends: str) -> str:
    text = methodology(INDICATORS, CRITERIA).replace('version: "1"', 'version: "2"').replace("years: [2024]", "years: [2025]")
    return text + f"extends: {extends}\n"


@pytest.mark.parametrize("extends", [
    '{version: "../../../outside/test/index/1"}',
    '{version: "OUTSIDE"}',  # an absolute path, filled in below
    '{version: "1\\n"}',
    '{id: "../outside/test/index", version: "1"}',
    '{id: "OUTSIDE_ID", version: "1"}',
])
def test_extends_names_a_version_not_a_path(layout: dict[str, Path], extends: str) -> None:
    extends = extends.replace("OUTSIDE_ID", str(layout["outside"].parent)).replace("OUTSIDE", str(layout["outside"].with_suffix("")))
    text = _child(extends)
    child = _write(layout["tree"] / "test" / "index" / "2.yaml", text)
    with pytest.raises(MethodologyError) as caught:
        par_rules.load(child)
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == (os.path.relpath(child), line_of(text, "extends:"))
    assert "is not a valid" in problem.message


def test_extends_does_not_follow_a_symlink_out_of_the_tree(layout: dict[str, Path]) -> None:
    link = layout["tree"] / "test" / "index" / "0.yaml"
    link.symlink_to(layout["outside"].with_name("0.yaml"))
    _write(layout["outside"].with_name("0.yaml"), layout["outside"].read_text(encoding="utf-8").replace('version: "1"', 'version: "0"'))
    text = _child("{version: \"0\"}")
    child = _write(layout["tree"] / "test" / "index" / "2.yaml", text)
    with pytest.raises(MethodologyError) as caught:
        par_rules.load(child)
    [problem] = caught.value.problems
    assert problem.line == line_of(text, "extends:") and "no such file" in problem.message


def test_a_version_written_as_a_number_still_reads_as_a_version(layout: dict[str, Path]) -> None:
    text = _child("{version: -1}")
    child = _write(layout["tree"] / "test" / "index" / "2.yaml", text)
    with pytest.raises(MethodologyError) as caught:
        par_rules.load(child)
    [problem] = caught.value.problems
    assert problem.line == line_of(text, "extends:")
    assert "the number -1 is not a valid version" in problem.message and "write the version in quotes" in problem.message


@pytest.mark.parametrize("methodology_id", ["../outside/test/index", "OUTSIDE", "test/index\n", "test/../../outside/test/index"])
def test_an_id_given_to_load_is_not_a_path(layout: dict[str, Path], methodology_id: str) -> None:
    methodology_id = methodology_id.replace("OUTSIDE", str(layout["outside"].parent))
    with pytest.raises(MethodologyNotFound, match="is not a methodology id"):
        par_rules.load(methodology_id, root=layout["tree"])
    with pytest.raises(MethodologyNotFound, match="is not a methodology id"):
        par_rules.versions(methodology_id, layout["tree"])


def test_the_tree_is_read_without_files_linked_from_outside(layout: dict[str, Path]) -> None:
    linked = layout["tree"] / "test" / "index" / "2024.yaml"
    linked.symlink_to(layout["outside"])
    (layout["tree"] / "other").symlink_to(layout["outside"].parent.parent.parent, target_is_directory=True)
    assert [info.path for info in par_rules.versions("test/index", layout["tree"])] == [layout["tree"] / "test" / "index" / "1.yaml"]
    assert [info.path for info in par_rules.all_versions(layout["tree"])] == [layout["tree"] / "test" / "index" / "1.yaml"]
    assert par_rules.versions("other/test/index", layout["tree"]) == []
    assert par_rules.load("test/index", root=layout["tree"]).title != OUTSIDE_TITLE


def test_ids_inside_the_tree_still_load(layout: dict[str, Path]) -> None:
    child = _write(layout["tree"] / "test" / "index" / "2.yaml", _child('{version: "1"}'))
    assert par_rules.load(child).extends == ("test/index", "1")
    assert par_rules.load("test/index", version="1", root=layout["tree"]).version == "1"
