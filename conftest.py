"""pytest collects the package's doctests (``--doctest-modules``) and the tests: the mkdocs plugin
is imported only where the docs extra is installed, and the caller's own methodology folders
(``PAR_RULES_PATH``) are left out, so that no result depends on the caller's environment.

The doctests of the package are read from the modules that define each object: an object a face
re-exports names the face as its module (par_rules/_lazy.py) and leaves its doctests in its own
module's ``__test__``. The faces (``__init__.py``) hold no doctest of their own, and reading them
too would run each doctest of an object already imported there a second time.
"""

import importlib.util
import os

os.environ.pop("PAR_RULES_PATH", None)

collect_ignore = [] if importlib.util.find_spec("mkdocs") else ["par_rules/authoring/_mkdocs_plugin.py"]
collect_ignore_glob = ["par_rules/__init__.py", "par_rules/*/__init__.py"]
