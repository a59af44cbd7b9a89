"""Dump a loaded methodology back to YAML, at the path users import (``par_rules.dump.dump``);
the code lives in :mod:`par_rules.authoring`."""

from .authoring._dump import *  # noqa: F403 (this path re-exports the module's public names)
from .authoring._dump import __all__ as __all__
