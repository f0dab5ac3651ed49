"""Shared test settings: hypothesis is derandomised so CI runs are repeatable."""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "repeatable",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("repeatable")

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # tests draw figures without a screen
