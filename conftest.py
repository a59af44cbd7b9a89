"""pytest collects the package's doctests (``--doctest-modules``): the mkdocs plugin is imported
only where the docs extra is installed."""

import importlib.util

collect_ignore = [] if importlib.util.find_spec("mkdocs") else ["par_rules/authoring/_mkdocs_plugin.py"]
