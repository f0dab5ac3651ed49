"""Download, once, every package that Binder's install needs, into .venv/binder-wheels.

Usage: python tools/wheelhouse.py   (`make test` runs it as a set-up step)

tests/test_install.py then repeats Binder's install (its base image's notebook 7.4.7,
binder/requirements.txt, binder/postBuild) offline from this folder.  pip's own HTTP
cache does not help: this machine's package proxy sends no caching headers, so pip
stores nothing.  The folder is filled again only when the requirements change.
"""

import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHEELHOUSE = ROOT / ".venv" / "binder-wheels"
BINDER_BASE = "notebook==7.4.7"  # what repo2docker's Python 3.11 base image ships


def requirement_sets():
    """[[pip arguments]] for each separate resolution: Binder's base, binder/requirements.txt, the build."""
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    return [[BINDER_BASE], ["-r", str(ROOT / "binder" / "requirements.txt")], build]


def _inputs():
    return json.dumps(requirement_sets()) + (ROOT / "binder" / "requirements.txt").read_text()


def is_current():
    stamp = WHEELHOUSE / "inputs.txt"
    return stamp.exists() and stamp.read_text() == _inputs()


def fill():
    """Download every package the install needs, unless the wheelhouse holds them for these requirements."""
    if is_current():
        return
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    for requirements in requirement_sets():
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "-d", str(WHEELHOUSE), *requirements],
                       check=True, timeout=1200)
    (WHEELHOUSE / "inputs.txt").write_text(_inputs())


if __name__ == "__main__":
    fill()
    print(f"{WHEELHOUSE}: {sum(1 for _ in WHEELHOUSE.glob('*'))} files for {BINDER_BASE} and binder/requirements.txt")
