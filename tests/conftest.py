"""Shared test set-up: hypothesis profiles.

CI runs the derandomized ``ci`` profile (the default); ``HYPOTHESIS_PROFILE=deep`` runs a longer
campaign with thousands of examples per property.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.register_profile("deep", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
