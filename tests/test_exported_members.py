"""The public names say where users import them: a class or function a face offers has the face
as its ``__module__`` (``par_rules.score_many.__module__ == "par_rules"``; ``par_rules.units``
for a name only that face offers), so reprs, ``help()``, pickles and the API docs name the
public path and never a private module (par_rules/_lazy.py). The errors stay in their public
module, :mod:`par_rules.errors`.
"""

from __future__ import annotations

import importlib
import pickle
import subprocess
import sys
import types
from pathlib import Path

import pytest

import par_rules

ROOT = Path(__file__).resolve().parent.parent
FACES = ("par_rules", "par_rules.engine", "par_rules.formats", "par_rules.units", "par_rules.authoring")


def _home(name: str) -> str:
    """The highest face that offers ``name``."""
    for face in FACES:
        if name in importlib.import_module(face).__all__:
            return face
    raise AssertionError(name)


def _offered() -> list[tuple[str, str]]:
    return sorted({(face, name) for face in FACES for name in importlib.import_module(face).__all__})


@pytest.mark.parametrize(("face", "name"), _offered())
def test_each_public_name_names_the_face_users_import_it_from(face: str, name: str) -> None:
    value = getattr(importlib.import_module(face), name)
    if not isinstance(value, (type, types.FunctionType)):
        return  # a constant or a type alias has no module of its own
    expected = "par_rules.errors" if value.__module__ == "par_rules.errors" else _home(name)
    assert value.__module__ == expected


def test_the_errors_stay_in_their_public_module() -> None:
    assert {getattr(par_rules, name).__module__ for name in ("ParRulesError", "MethodologyError", "MethodologyNotFound", "RecordError", "Problem")} == {"par_rules.errors"}


def test_the_names_are_right_whichever_import_comes_first() -> None:
    # a private module imported first (as the command line does), before any face is asked
    code = (
        "from par_rules.units._batch import BatchTally, score_many; "
        "from par_rules.units._tables import results_table; "
        "from par_rules.formats._files import Table; "
        "from par_rules.engine._record import Record; "
        "print(score_many.__module__, results_table.__module__, BatchTally.__module__, Table.__module__, Record.__module__)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["par_rules", "par_rules", "par_rules.units", "par_rules.formats", "par_rules"]


def test_reprs_and_pickles_use_the_public_path() -> None:
    assert repr(par_rules.Ranking) == "<class 'par_rules.Ranking'>"
    assert repr(par_rules.units.BatchTally) == "<class 'par_rules.units.BatchTally'>"
    record = par_rules.Record.from_mapping({"unit": "a", "online_rate": "60"})
    data = pickle.dumps(record)
    assert b"_record" not in data and pickle.loads(data) == record


def test_doctests_stay_with_the_module_that_defines_them() -> None:
    # doctest reads an object's examples from the module named by its __module__; renamed, the
    # object is listed in its own module's __test__ so its examples still run there
    from par_rules.engine import _api
    from par_rules.units import _batch, _tables

    assert _api.__test__["load"] is par_rules.load and _api.__test__["score"] is par_rules.score
    assert _batch.__test__["BatchTally"] is par_rules.units.BatchTally
    assert _tables.__test__["results_table"] is par_rules.results_table


def test_compare_and_diff_are_functions_on_a_plain_module() -> None:
    # the functions are named unlike their modules (_compare, _diff): importing a module binds no
    # attribute over a function, and the package needs no module class of its own
    code = (
        "import par_rules.units._compare, par_rules.authoring._diff, par_rules, types; "
        "print(type(par_rules) is types.ModuleType, callable(par_rules.compare), callable(par_rules.diff), "
        "par_rules.compare is par_rules.units._compare.compare, par_rules.diff is par_rules.authoring._diff.diff, "
        "'par_rules.compare' in __import__('sys').modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True", "True", "True", "True", "False"]
