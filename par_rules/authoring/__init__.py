"""Authoring methodologies: what changed between versions (``_diff``), writing a methodology
back to YAML (``_dump``), a methodology's own test files (``_methodology_tests``), hypothesis
strategies for property tests (``_testing``, public as :mod:`par_rules.testing`), the
criteria pages of the documentation site (``_site``) and the mkdocs plugin ``par-rules`` that
serves them (``_mkdocs_plugin``, imported by mkdocs only), starting files for authors
(``_init``), and what ``check`` says beyond the loader's errors (``_advice``).

Authoring uses the engine only. Names are imported when first used (``_testing`` needs
hypothesis).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

if TYPE_CHECKING:  # for type checkers and doc tools; imported when first used (below)
    from ._diff import MethodologyDiff as MethodologyDiff, diff as diff
    from ._dump import dump as dump, to_data as to_data, to_yaml as to_yaml
    from ._methodology_tests import find_test_files as find_test_files, load_tests as load_tests, run_tests as run_tests
    from ._site import LANGUAGES as LANGUAGES, SECTION as SECTION, Page as Page, criteria_nav as criteria_nav, criteria_pages as criteria_pages
    from ._init import new_methodology as new_methodology, new_site as new_site, schema_path as schema_path, write_schema as write_schema
    from ._advice import check_methodology_file as check_methodology_file, check_tests_file as check_tests_file

_NAMES = {
    "diff": "._diff",
    "MethodologyDiff": "._diff",
    "dump": "._dump",
    "to_data": "._dump",
    "to_yaml": "._dump",
    "find_test_files": "._methodology_tests",
    "load_tests": "._methodology_tests",
    "run_tests": "._methodology_tests",
    "LANGUAGES": "._site",
    "SECTION": "._site",
    "Page": "._site",
    "criteria_nav": "._site",
    "criteria_pages": "._site",
    "new_methodology": "._init",
    "new_site": "._init",
    "schema_path": "._init",
    "write_schema": "._init",
    "check_methodology_file": "._advice",
    "check_tests_file": "._advice",
}

__all__ = list(_NAMES)

__getattr__, __dir__ = lazy_names(__name__, _NAMES, globals())
