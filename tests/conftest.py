"""Shared test set-up: hypothesis profiles, and the language.

CI runs the derandomized ``ci`` profile (the default); ``HYPOTHESIS_PROFILE=deep`` runs a longer
campaign with thousands of examples per property.

par_rules writes Vietnamese unless told otherwise. The tests that read its English words (most of
the older ones) run with ``PAR_RULES_LANG=en``, set here for the whole run, whatever the shell
has; the tests of the Vietnamese text ask for it with ``lang="vi"``, ``--lang vi`` or
``par_rules._i18n.use("vi")`` (tests/test_i18n.py).
"""

import os

os.environ["PAR_RULES_LANG"] = "en"

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.register_profile("deep", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
