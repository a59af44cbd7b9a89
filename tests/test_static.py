"""The checks a reader cannot make by eye, run with the tests: mypy (strict, as configured in
pyproject.toml's ``[tool.mypy]``) over the package, and ruff (``[tool.ruff]``) over the package,
the tests and the benchmarks. Each fails with the tool's own report, file:line first.

Both tools are in the ``test`` extra; where one is not installed its test is skipped, saying so.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(tool: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(tool) is None:
        pytest.skip(f"{tool} is not installed (pip install 'par-rules[test]')")
    # This tree first on the path, so that mypy reads these sources and not an installed copy.
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", tool, *arguments], cwd=ROOT, capture_output=True, text=True, env=environment, timeout=900)


def test_mypy_finds_no_type_error() -> None:
    done = _run("mypy", "--no-incremental", "par_rules")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_finds_nothing() -> None:
    done = _run("ruff", "check", "--no-cache", "par_rules", "tests", "benchmarks")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_checks_can_fail(tmp_path: Path) -> None:
    # a guard for the two tests above: with this configuration, each tool does report a planted fault
    config = tmp_path / "pyproject.toml"
    config.write_text((ROOT / "pyproject.toml").read_text("utf-8").replace('files = ["par_rules"]', "files = []"), encoding="utf-8")
    planted = tmp_path / "planted.py"
    planted.write_text("import os\n\n\ndef half(x):\n    return x / 2\n\n\ncount: int = half('x')\n", encoding="utf-8")
    if importlib.util.find_spec("mypy") is not None:
        command = [sys.executable, "-m", "mypy", "--no-incremental", "--config-file", str(config), str(planted)]
        typed = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert typed.returncode == 1 and "planted.py:4: error: Function is missing a type annotation" in typed.stdout, typed.stdout
    if importlib.util.find_spec("ruff") is not None:
        command = [sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(config), str(planted)]
        linted = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert linted.returncode == 1 and "F401" in linted.stdout, linted.stdout
