"""``python -m par_rules.cli``: the ``par-rules`` command."""

from . import main

main()
