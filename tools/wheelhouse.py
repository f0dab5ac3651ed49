"""Download, once, every package that a test installs into a fresh environment, into a folder under .venv.

Usage: python tools/wheelhouse.py [NAME ...]   (`make test` runs it for every NAME as a set-up step)

  binder   .venv/binder-wheels: Binder's install (its base image's notebook 7.4.7, binder/requirements.txt,
           the build requirements), for tests/test_install.py
  lowest   .venv/lowest-wheels: every package pyproject.toml declares at exactly its lower bound, the packages
           around them at the releases requirements-lowest.txt pins, and the test runner, for tests/test_versions.py
  newest   .venv/newest-wheels: the newest releases of every package pyproject.toml declares (its ranges have
           no upper bounds) and of the kernel, and the test runner, for tests/test_versions.py

The tests then install offline from these folders.  pip's own HTTP cache does not help: this machine's
package proxy sends no caching headers, so pip stores nothing.  A folder is filled again when its inputs
change, and `newest` also each week, so that it follows new releases.
"""

import json
import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINDER_BASE = "notebook==7.4.7"  # what repo2docker's Python 3.11 base image ships
RUNNER = ("pytest", "nbval", "hypothesis")  # the tests' own tools: pinned as in requirements-dev.txt at both ends
KERNEL = "ipykernel"  # not a dependency of the helpers, but what runs the notebooks: pinned in requirements-lowest.txt


def folder(name):
    return ROOT / ".venv" / f"{name}-wheels"


WHEELHOUSE = folder("binder")  # tests/test_install.py's


def declared(root=ROOT):
    """pyproject.toml's dependencies and its extra [notebooks], as written ("numpy>=2.0", ...)."""
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["notebooks"]]


def floors(root=ROOT):
    """{name: lowest version} of every declared package; each must be declared as NAME>=VERSION alone."""
    found = {}
    for requirement in declared(root):
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)>=([0-9][0-9A-Za-z.]*)", requirement)
        if not match:
            raise ValueError(f"pyproject.toml: expected each dependency as NAME>=VERSION; got {requirement!r}")
        found[match.group(1)] = match.group(2)
    return found


def pins(path):
    """The NAME==VERSION lines of a requirements file."""
    lines = (ROOT / path).read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if "==" in line.split("#")[0]]


def runner():
    """The test runner's pins, from requirements-dev.txt."""
    return [pin for pin in pins("requirements-dev.txt") if pin.split("==")[0] in RUNNER]


def lowest_constraints():
    """The lowest environment's constraints: the declared floors exactly, then requirements-lowest.txt's pins."""
    return [f"{name}=={version}" for name, version in floors().items()] + pins("requirements-lowest.txt")


def requirement_sets(name):
    """[[pip arguments]] for each separate resolution of the install `name`."""
    if name == "binder":
        build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
        return [[BINDER_BASE], ["-r", str(ROOT / "binder" / "requirements.txt")], build]
    if name == "lowest":
        return [["-c", str(folder(name) / "constraints.txt"), *declared(), KERNEL, *runner()]]
    if name == "newest":
        return [[*declared(), KERNEL, *runner()]]
    raise ValueError(f"name: expected one of binder, lowest, newest; got {name!r}")


def _inputs(name):
    if name == "binder":
        return json.dumps(requirement_sets(name)) + (ROOT / "binder" / "requirements.txt").read_text()
    inputs = {"sets": requirement_sets(name)}
    if name == "lowest":
        inputs["constraints"] = lowest_constraints()
    if name == "newest":
        inputs["week"] = time.strftime("%G-W%V")
    return json.dumps(inputs, indent=1)


def is_current(name="binder"):
    stamp = folder(name) / "inputs.txt"
    return stamp.exists() and stamp.read_text() == _inputs(name)


def fill(name="binder"):
    """Download every package the install `name` needs, unless its folder holds them for these inputs."""
    if is_current(name):
        return
    wheels = folder(name)
    wheels.mkdir(parents=True, exist_ok=True)
    if name == "lowest":
        (wheels / "constraints.txt").write_text("\n".join(lowest_constraints()) + "\n")
    wheels_only = [] if name == "binder" else ["--only-binary", ":all:"]  # the newest release that has a wheel
    for requirements in requirement_sets(name):
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", *wheels_only, "-d", str(wheels),
                        *requirements], check=True, timeout=1200)
    (wheels / "inputs.txt").write_text(_inputs(name))


if __name__ == "__main__":
    for name in sys.argv[1:] or ["binder", "lowest", "newest"]:
        fill(name)
        print(f"{folder(name).relative_to(ROOT)}: {sum(1 for _ in folder(name).glob('*.whl'))} wheels")
