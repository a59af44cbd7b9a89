"""pytest collects the package's doctests (``--doctest-modules``) and the tests: the mkdocs plugin
is imported only where the docs extra is installed, and the caller's own methodology folders
(``PAR_RULES_PATH``) are left out, so that no result depends on the caller's environment."""

import importlib.util
import os

os.environ.pop("PAR_RULES_PATH", None)

collect_ignore = [] if importlib.util.find_spec("mkdocs") else ["par_rules/authoring/_mkdocs_plugin.py"]
