"""Shared test settings.

Hypothesis is derandomised by default, so CI runs are repeatable.
``HYPOTHESIS_PROFILE=deep`` selects a random, ten times larger run for an
occasional deeper search: every test's example count (see
``strategies.examples``) scales with the profile's ``max_examples``.
``HYPOTHESIS_PROFILE=quick``, a twentieth of the examples, is for running
the suites again on a copy of the project (tests/test_extending.py).
"""

import os

import pytest
from chromium import launch, need_chromium
from hypothesis import HealthCheck, settings

settings.register_profile(
    "repeatable",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "deep",
    settings.get_profile("repeatable"),
    derandomize=False,
    max_examples=1000,  # ten times hypothesis's default of 100
)
settings.register_profile("quick", settings.get_profile("repeatable"), max_examples=5)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")  # tests draw figures without a screen


@pytest.fixture(scope="session")
def browser():
    """The session's Chromium (tests/chromium.py), shared by the browser tests and the hub test."""
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()
