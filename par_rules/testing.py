"""Hypothesis strategies for par_rules methodologies and records, at the path users import
(``from par_rules.testing import records``); they live in :mod:`par_rules.authoring`."""

from .authoring._testing import *  # noqa: F403 (this path re-exports the module's public names)
from .authoring._testing import __all__ as __all__
