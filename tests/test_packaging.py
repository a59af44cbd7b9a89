"""The methodologies and the schema ship inside the wheel, and load from an installed copy."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    [built] = out.glob("par_rules-*.whl")
    return built


def test_wheel_contains_methodologies_schema_and_marker(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "par_rules/methodologies/example/par-index/district/2024.yaml" in names
    assert "par_rules/schema/methodology.schema.json" in names
    assert "par_rules/unit_registers/vn/provinces/2025.yaml" in names
    assert "par_rules/py.typed" in names


def test_installed_package_loads_a_shipped_methodology_by_id(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)], check=True, capture_output=True)
    code = "import par_rules; m = par_rules.load('example/par-index/district', year=2024); print(par_rules.shipped_root(), m.node('5').max)"
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True, capture_output=True, text=True)
    root, cap = done.stdout.split()
    assert Path(root) == target / "par_rules" / "methodologies"
    assert cap == "16.75"


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def test_import_defers_what_loading_one_methodology_does_not_need():
    code = (
        "import sys, par_rules; "
        "print(sorted(m for m in sys.modules if m in ('yaml', 'jsonschema', 'csv') "
        "or m.startswith(('par_rules.units', 'par_rules.formats', 'par_rules.authoring', 'par_rules.cli'))))"
    )
    assert _run(code).strip() == "[]"


def test_every_public_name_is_there_when_asked_for():
    code = (
        "import par_rules; "
        "assert set(par_rules.__all__) <= set(dir(par_rules)); "
        "assert all(getattr(par_rules, name) is not None for name in par_rules.__all__); "
        "from par_rules import gaps, score_many, Comparison, MethodologyDiff, write_table, Ranking; "
        "from par_rules.units._analysis import gaps as defined; assert gaps is defined; "
        "print('ok')"
    )
    assert _run(code).strip() == "ok"


def test_compare_and_diff_stay_functions_once_their_modules_are_imported():
    # the import system binds a submodule on its package: the modules are named unlike the
    # functions, so the package stays a plain module and par_rules.compare/.diff the functions
    code = (
        "import par_rules.units._compare, par_rules.authoring._diff, par_rules; "
        "print(par_rules.compare.__module__, par_rules.diff.__module__, type(par_rules).__name__)"
    )
    assert _run(code).split() == ["par_rules", "par_rules", "module"]


def test_old_import_paths_are_signposts_to_the_same_objects():
    # the paths users and the docs name (README, docs/reliability.md) keep working after the move
    code = (
        "import par_rules; "
        "from par_rules.testing import records, load_text; from par_rules.authoring import _testing; "
        "from par_rules.dump import dump; from par_rules.files import read_records, write_table; "
        "from par_rules.formats import read_records as formats_read; "
        "assert records is _testing.records and load_text is _testing.load_text; "
        "assert dump is par_rules.dump.dump is par_rules.authoring.dump; "
        "assert read_records is formats_read is par_rules.read_records; "
        "assert write_table is par_rules.write_table; "
        "print(callable(par_rules.load), par_rules.testing.__name__)"
    )
    assert _run(code).split() == ["True", "par_rules.testing"]


def test_the_rule_kinds_load_with_the_first_methodology_not_with_import():
    # nine frozen dataclasses cost ``import par_rules`` about 9 ms: built when first compiled
    code = (
        "import sys, par_rules; "
        "before = sorted(m for m in sys.modules if m.startswith('par_rules.engine._rules.') and m != 'par_rules.engine._rules._base'); "
        "par_rules.load('example/par-index/district', year=2024); "
        "after = sorted(m for m in sys.modules if m.startswith('par_rules.engine._rules.')); "
        "from par_rules.engine._rules import KINDS, BandsRule; "
        "print(before, len(after), KINDS['bands'] is BandsRule)"
    )
    assert _run(code).split() == ["[]", "10", "True"]
