"""Moved: the file formats live in :mod:`par_rules.formats`; this old path keeps working."""

from .formats._files import *  # noqa: F403 (this path re-exports the module's public names)
from .formats._files import __all__
