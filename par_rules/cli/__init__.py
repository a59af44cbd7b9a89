"""The ``par-rules`` command line (the ``par-rules`` script runs :func:`main`).

Commands parse options, call the library and print: ``_main`` holds the group and ``check``,
``_methodology`` the commands on methodologies (``diff``, ``test``), ``_authoring`` the author's
(``list``, ``init``, ``schema``), ``_roots`` the ``--root`` option, ``_units`` the commands on
files of many units (``score``, ``rank``, ``compare``, ``gaps``, ``whatif``, ``explain``).
"""

from ._main import main

__all__ = ["main"]
