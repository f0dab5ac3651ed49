"""A real JupyterLab server for the browser tests (the session's Chromium is tests/conftest.py's `browser`).

The server runs on 127.0.0.1 with a random token, temporary settings and
workspace folders, and a *copy* of the notebooks, so the committed notebooks
are never modified.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from chromium import INSTALL_HINT, chromium_path, under_ci  # noqa: F401  the Chromium every browser test shares
from servers import free_port, wait_until_answers

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
LATENCY_REPORT = Path(__file__).resolve().parent / "latency.json"  # the explorers' latency, for `make bench`
@contextlib.contextmanager
def jupyter_server(command, env, log_path, token, **popen):
    """Start a Jupyter server by command (in its own process group); yield its base URL; stop it."""
    port = free_port()
    command = [part.format(port=port, token=token) for part in command]
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True, **popen)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_answers(f"{base}/api/status?token={token}", server, "JupyterLab", log_path)
            yield base
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def lab_env(tmp):
    """The environment with temporary JupyterLab user settings, workspaces and runtime folders."""
    return dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
                JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"))


@pytest.fixture(scope="session")
def lab(browser, tmp_path_factory):
    """(base_url, token) of a JupyterLab serving a copy of notebooks/ (started only when Chromium is there)."""
    tmp = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", tmp / "notebooks")
    settings = tmp / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    token = "browser-test-" + os.urandom(8).hex()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
               "--ServerApp.port={port}", "--ServerApp.port_retries=0", "--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={tmp / 'notebooks'}"]
    with jupyter_server(command, lab_env(tmp), tmp / "server.log", token) as base:
        yield base, token


@pytest.fixture
def make_lab(browser, tmp_path):
    """(base_url, token) of JupyterLab started by `make lab`, exactly as a learner starts it.

    Only the address and the token are added to make's command line; the user's settings,
    workspaces and runtime folders are empty temporary ones, so only the settings the project
    installs into .venv apply.  It serves notebooks/ itself: the test checks that no notebook
    changed, and removes the checkpoint JupyterLab writes on opening a notebook (git-ignored).
    """
    def snapshot():
        return {p: p.lstat().st_mtime_ns for p in (ROOT / "notebooks").rglob("*")}  # the link notebooks/helpers itself

    def checkpoint(path):
        return ".ipynb_checkpoints" in path.parts

    before = snapshot()
    token = "make-lab-test-" + os.urandom(8).hex()
    lab_args = "--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} --ServerApp.port_retries=0 " \
               "--IdentityProvider.token={token}"
    command = ["make", "--no-print-directory", "lab", "LAB_ARGS=" + lab_args]
    with jupyter_server(command, lab_env(tmp_path), tmp_path / "server.log", token, cwd=ROOT) as base:
        yield base, token
    after = snapshot()
    new = sorted(set(after) - set(before), reverse=True)  # files before their folders
    assert all(map(checkpoint, new)), new
    for path in new:
        path.rmdir() if path.is_dir() else path.unlink()
    notebooks = {p: t for p, t in before.items() if not checkpoint(p)}
    assert {p: after.get(p) for p in notebooks} == notebooks, "make lab changed files under notebooks/"


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


def pytest_terminal_summary(terminalreporter):
    """Print each explorer's key press -> new figure times, and merge them into LATENCY_REPORT for `make bench`."""
    from test_jupyterlab import AXE_REPORT, KEYBOARD, LAB_INTERFACE, READING, REPORT, RUN_TIMES  # filled here

    if not RUN_TIMES:
        return
    terminalreporter.section("JupyterLab in Chromium (1280 x 800, 2x display, file browser open)")
    for name, seconds in RUN_TIMES.items():
        terminalreporter.write_line(f"{name:38} run all: {seconds:5.1f} s; axe-core violations in its outputs: "
                                    f"{AXE_REPORT.get(name, '-')}"
                                    + (f"; keyboard alone: {', '.join(KEYBOARD[name])}" if name in KEYBOARD else ""))
        for k, explorer in enumerate(REPORT.get(name, [])):
            drag = explorer.get("drag", {})
            terminalreporter.write_line(
                f"    explorer {k}: key press -> new figure median {explorer['median_ms']:.0f} ms, "
                f"p90 {explorer['p90_ms']:.0f} ms over {len(explorer['presses'])} presses {READING} s apart; "
                f"image {explorer['image_px'][0]} x {explorer['image_px'][1]} px; "
                f"load {explorer['load_average'][0]:.1f}-{explorer['load_average'][1]:.1f}"
                + (f"; drag through {drag['values']} values: {drag['figures']} figures, "
                   f"{drag['after_release']} after release" if drag else ""))
    if LAB_INTERFACE:
        terminalreporter.write_line("axe-core in JupyterLab's own interface (not the series'): " + ", ".join(
            f"{rule} {count}" for rule, count in sorted(LAB_INTERFACE.items())))
    report = json.loads(LATENCY_REPORT.read_text()) if LATENCY_REPORT.exists() else {}
    report.update({name: {"run_all_s": RUN_TIMES[name], "explorers": REPORT.get(name, []),
                          "measured": time.strftime("%Y-%m-%d %H:%M")} for name in RUN_TIMES})
    LATENCY_REPORT.write_text(json.dumps(report, indent=1))
    terminalreporter.write_line(f"written to {LATENCY_REPORT.relative_to(ROOT)}; `make bench` prints it")
