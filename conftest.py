"""Collection for the whole repository (tests/conftest.py holds the tests' own settings).

The doctests of the package are read from the modules that define each object: an object a face
re-exports names the face as its module (par_rules/_lazy.py) and leaves its doctests in its own
module's ``__test__``. The faces (``__init__.py``) hold no doctest of their own, and reading them
too would run each doctest of an object already imported there a second time.
"""

collect_ignore_glob = ["par_rules/__init__.py", "par_rules/*/__init__.py"]
