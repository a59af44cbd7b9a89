"""par_rules.diff and ``par-rules diff``: node changes between versions, matched by lineage."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from click.testing import CliRunner

import par_rules
from par_rules.cli import main

PROVINCE = "vn/moha/par-index/province"


def runner() -> CliRunner:
    """A runner keeping stdout and stderr apart (click 8.2+ always does; 8.1 needs mix_stderr)."""
    separate = {"mix_stderr": False} if "mix_stderr" in inspect.signature(CliRunner).parameters else {}
    return CliRunner(**separate)


def version(methodology_id: str, name: str) -> par_rules.Methodology:
    return par_rules.load(methodology_id, version=name)


def test_2019_to_2020_changes_exactly_five_field_maxima() -> None:
    changes = par_rules.diff(version(PROVINCE, "2019"), version(PROVINCE, "2020"))
    assert [(c.kind, c.node, c.old, c.new) for c in changes.changes] == [
        ("re-capped", "3", "14", "13.5"),
        ("re-capped", "4", "7.5", "7"),
        ("re-capped", "5", "8", "7.5"),
        ("re-capped", "6", "8.5", "8"),
        ("re-capped", "7", "9", "11"),
    ]


def test_cli_diff_2019_2020_prints_the_five_maxima_and_nothing_else() -> None:
    result = runner().invoke(main, ["diff", f"{PROVINCE}@2019", f"{PROVINCE}@2020"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "re-capped 3: 14 → 13.5\nre-capped 4: 7.5 → 7\nre-capped 5: 8 → 7.5\nre-capped 6: 8.5 → 8\nre-capped 7: 9 → 11\n"
    assert result.stderr == ""


def test_cli_diff_by_year_and_as_json() -> None:
    by_year = runner().invoke(main, ["diff", PROVINCE, PROVINCE, "--old-year", "2019", "--new-year", "2021", "--format", "json"])
    assert by_year.exit_code == 0, by_year.output
    assert '"kind": "re-capped"' in by_year.output and '"version": "2020"' in by_year.output


def test_the_same_version_has_no_differences() -> None:
    same = version(PROVINCE, "2020")
    assert not par_rules.diff(same, same)
    result = runner().invoke(main, ["diff", f"{PROVINCE}@2020", f"{PROVINCE}@2020"])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "no differences\n")


def test_a_split_declared_by_lineage() -> None:
    changes = par_rules.diff(version("vn/ttg/service-index", "2022"), version("vn/ttg/service-index", "2024"))
    assert [str(c) for c in changes.changes] == ["split 4 (22) → 4a (12), 4b (10)"]
    assert changes.lineage_used


def test_2020_to_2022_the_appraisal_block_continues_and_the_fields_end() -> None:
    changes = par_rules.diff(version(PROVINCE, "2020"), version(PROVINCE, "2022"))
    assert [str(c) for c in changes.changes[:4]] == [
        "renamed appraisal: 'Điểm tự đánh giá, thẩm định' → 'Điểm thẩm định'",
        "re-capped appraisal: 65 → 68",
        "rule changed appraisal: sum of its children → direct(indicator=appraisal_points)",
        "re-capped survey: 35 → 32",
    ]
    assert [c.node for c in changes.changes[4:]] == [str(n) for n in range(1, 9)]
    assert {c.kind for c in changes.changes[4:]} == {"removed"}


def test_fields_moved_renamed_and_recapped_between_2017_and_2019() -> None:
    changes = par_rules.diff(version(PROVINCE, "2017"), version(PROVINCE, "2019"))
    assert [c.node for c in changes.of_kind("added")] == ["appraisal", "survey"]
    assert [c.node for c in changes.of_kind("moved")] == [str(n) for n in range(1, 9)]
    assert {c.node for c in changes.of_kind("renamed")} == {"1", "2", "5", "8"}
    assert ("7", "16", "9") in [(c.node, c.old, c.new) for c in changes.of_kind("re-capped")]
    assert not changes.of_kind("removed")


OLD = """\
format: 1
id: t/index
version: "1"
years: [2023]
title: Chỉ số thử
issuer: Thử nghiệm
level: district
scale: 10
status: illustrative
indicators:
  done: {label: Hoàn thành, type: boolean}
  rate: {label: Tỷ lệ, type: percent}
  points: {label: Điểm, type: number}
criteria:
  - id: "1"
    label: Chỉ đạo
    max: 6
    children:
      - {id: "1.1", label: Kế hoạch, max: 4, rule: {kind: boolean, indicator: done}}
      - {id: "1.2", label: Báo cáo, max: 2, rule: {kind: proportional, indicator: rate}}
  - {id: "2", label: Hiện đại hóa hành chính, max: 4, rule: {kind: direct, indicator: points}}
"""

NEW = """\
format: 1
id: t/index
version: "2"
years: [2024]
extends: {version: "1"}
lineage:
  from: {version: "1"}
  nodes: {e-gov: "2"}
changes:
  - {op: update, node: "1.2", set: {rule: {kind: proportional, indicator: rate, full_at: 80}}}
  - {op: remove, node: "1.1"}
  - {op: add, parent: "1", node: {id: "1.3", label: Tuyên truyền, max: 4, rule: {kind: boolean, indicator: done}}}
  - op: replace
    node: "2"
    with: {id: e-gov, label: Chính quyền số, max: 4, rule: {kind: direct, indicator: points}}
"""


def _pair(tmp_path: Path, new: str = NEW) -> tuple[par_rules.Methodology, par_rules.Methodology]:
    (tmp_path / "1.yaml").write_text(OLD, encoding="utf-8")
    (tmp_path / "2.yaml").write_text(new, encoding="utf-8")
    return par_rules.load(tmp_path / "1.yaml"), par_rules.load(tmp_path / "2.yaml")


def test_added_removed_rule_changed_and_renamed_by_lineage(tmp_path: Path) -> None:
    changes = par_rules.diff(*_pair(tmp_path))
    assert [str(c) for c in changes.changes] == [
        "rule changed 1.2: proportional(indicator=rate, full_at=100) → proportional(indicator=rate, full_at=80)",
        "added 1.3: 'Tuyên truyền' (max 4)",
        "renamed e-gov: 2 'Hiện đại hóa hành chính' → e-gov 'Chính quyền số'",
        "removed 1.1: 'Kế hoạch' (max 4)",
    ]


def test_a_merge_declared_by_lineage(tmp_path: Path) -> None:
    merged = NEW.replace('  nodes: {e-gov: "2"}', '  nodes: {"1.4": ["1.1", "1.2"]}').replace(
        '  - {op: update, node: "1.2", set: {rule: {kind: proportional, indicator: rate, full_at: 80}}}\n'
        '  - {op: remove, node: "1.1"}\n'
        '  - {op: add, parent: "1", node: {id: "1.3", label: Tuyên truyền, max: 4, rule: {kind: boolean, indicator: done}}}\n',
        '  - {op: remove, node: "1.1"}\n'
        '  - {op: replace, node: "1.2", with: {id: "1.4", label: Kế hoạch và báo cáo, max: 6, rule: {kind: boolean, indicator: done}}}\n',
    )
    changes = par_rules.diff(*_pair(tmp_path, merged))
    assert [str(c) for c in changes.changes] == [
        "merged 1.1 (4), 1.2 (2) → 1.4 (6)",
        "added e-gov: 'Chính quyền số' (max 4)",
        "removed 2: 'Hiện đại hóa hành chính' (max 4)",
    ]


def test_without_lineage_a_new_id_is_an_addition(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, NEW.replace('  nodes: {e-gov: "2"}\n', ""))
    kinds = [(c.kind, c.node) for c in par_rules.diff(old, new).changes]
    assert ("added", "e-gov") in kinds and ("removed", "2") in kinds


def test_a_lineage_naming_missing_nodes_is_an_error_at_load_with_its_place(tmp_path: Path) -> None:
    with pytest.raises(par_rules.MethodologyError) as caught:
        _pair(tmp_path, NEW.replace('{e-gov: "2"}', '{e-gov: "9", ghost: "2"}'))
    text = str(caught.value)
    assert "2.yaml:8:23: the lineage names node ghost, which t/index@2 does not have" in text
    assert "2.yaml:8:11: the lineage sends node e-gov to 9, which t/index@1 does not have" in text
    result = runner().invoke(main, ["diff", str(tmp_path / "1.yaml"), str(tmp_path / "2.yaml")])
    assert result.exit_code == 1 and "names node ghost" in result.stderr and "2.yaml:8:23" in result.stderr


def test_every_shipped_lineage_names_real_nodes() -> None:
    for info in par_rules.all_versions():
        new = par_rules.load(info.path)
        if new.lineage is not None:
            old = par_rules.load(new.lineage.methodology_id, version=new.lineage.version)
            par_rules.diff(old, new)  # raises on a lineage naming a node that does not exist
