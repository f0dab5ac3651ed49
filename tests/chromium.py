"""The one Chromium of the test session: Debian's build, driven by Playwright (which downloads nothing).

The browser tests (tests/browser/) and the hub test (tests/test_hub.py) share the session's `browser` fixture
(tests/conftest.py): Playwright's synchronous API runs one instance per thread, so a second one started while the
first is open fails.  Where no Chromium can be found the tests are skipped with instructions, except under CI
(CI=true), where that is a failure; CHROMIUM_PATH, when set, is the only Chromium looked for (set it to a missing
file to see both).
"""

import os
import shutil
from pathlib import Path

import pytest

INSTALL_HINT = ("Chromium not found. Install Debian's build with `sudo apt-get install chromium` "
                "(or point CHROMIUM_PATH at a Chromium binary); `bash .ci/run` does this for you.")


def chromium_path():
    """CHROMIUM_PATH when set (a path that does not exist means none), else chromium on PATH."""
    if "CHROMIUM_PATH" in os.environ:
        return os.environ["CHROMIUM_PATH"] if Path(os.environ["CHROMIUM_PATH"]).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def under_ci():
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")



def launch(playwright):
    """Chromium as the tests run it: no sandbox (root), no GPU, no background requests (the network is closed)."""
    return playwright.chromium.launch(
        executable_path=chromium_path(),
        args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync"])


def need_chromium():
    """Skip (or, under CI, fail) with the install instruction when there is no Chromium."""
    if chromium_path() is None:
        (pytest.fail if under_ci() else pytest.skip)(INSTALL_HINT)
