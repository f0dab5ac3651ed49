"""The series as a learner installs it: the wheel, and exactly the install Binder performs.

Binder (repo2docker) starts from a Python 3.11 image that already holds notebook 7.4.7,
runs `pip install -r binder/requirements.txt`, copies the repository and runs
binder/postBuild in the copy.  These tests repeat those steps in a fresh virtual
environment in a temporary folder, then import every helpers module and execute every
notebook from a folder outside both the repository and the copy.

Every package comes from a wheelhouse, .venv/binder-wheels, that tools/wheelhouse.py fills
from PyPI as a set-up step of `make test` (and here, if it is missing or stale): the tests
themselves install offline.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from wheelhouse import BINDER_BASE, WHEELHOUSE, fill  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MODULES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "helpers").rglob("*.py"))


def run(args, **kwargs):
    """Run a command; on failure show its output."""
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, args))}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def offline_env(tmp):
    """The environment of every install step: packages from the wheelhouse only, no user Jupyter config."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "JUPYTER", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "CONDA"))}
    env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(WHEELHOUSE), PIP_DISABLE_PIP_VERSION_CHECK="1",
               JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"), JUPYTER_DATA_DIR=str(tmp / "jupyter-data"),
               JUPYTER_RUNTIME_DIR=str(tmp / "jupyter-runtime"), IPYTHONDIR=str(tmp / "ipython"))
    return env


def copy_repository(dest):
    """Copy what a clone would hold: tracked files (and links) and untracked ones git does not ignore."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, text=True)
    if listed.returncode != 0:  # not a git checkout: copy the tree without the environment and caches
        shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "site", "__pycache__", ".*_cache", ".hypothesis", "*.egg-info"))
        return dest
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        if source.is_symlink() or source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name, follow_symlinks=False)  # notebooks/helpers stays a link
    return dest


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    fill()
    return copy_repository(tmp_path_factory.mktemp("repository-copy"))


@pytest.fixture(scope="module")
def wheel(sources, tmp_path_factory):
    """The wheel built from a copy of the repository (build requirements from the wheelhouse)."""
    dist = tmp_path_factory.mktemp("dist")
    tmp = tmp_path_factory.mktemp("wheel-env")
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, sources],
        env=offline_env(tmp), timeout=600)
    (path,) = dist.glob("*.whl")
    return path


@pytest.fixture(scope="module")
def binder(sources, tmp_path_factory):
    """(python, env, outside): a fresh venv set up exactly as Binder does, and a folder outside everything."""
    tmp = tmp_path_factory.mktemp("binder")
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", venv])
    env = offline_env(tmp)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    python = venv / "bin" / "python"
    run([python, "-m", "pip", "install", "--quiet", BINDER_BASE], env=env, timeout=1200)
    run([python, "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt"], cwd=sources, env=env,
        timeout=1200)
    run([sources / "binder" / "postBuild"], cwd=sources, env=env, timeout=600)
    outside = tmp / "elsewhere"
    outside.mkdir()
    return python, env, outside


def test_the_wheel_holds_every_helpers_module(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert sorted(n for n in names if n.endswith(".py")) == MODULES
    name, version = wheel.name.split("-")[:2]
    assert {n.split("/")[0] for n in names} == {"helpers", f"{name}-{version}.dist-info"}


def test_pip_check_is_clean_after_the_binder_install(binder):
    python, env, outside = binder
    assert run([python, "-m", "pip", "check"], cwd=outside, env=env).strip() == "No broken requirements found."


def test_the_binder_install_holds_every_module_and_imports_it_from_outside(binder):
    python, env, outside = binder
    modules = [m.removesuffix(".py").removesuffix("/__init__").replace("/", ".") for m in MODULES]
    probe = ("import importlib, json, sys, sysconfig\n"
             "files = {m: importlib.import_module(m).__file__ for m in sys.argv[1:]}\n"
             "print(json.dumps([sysconfig.get_path('purelib'), files]))")
    purelib, files = json.loads(run([python, "-c", probe, *modules], cwd=outside, env=env))
    assert {m: Path(f).relative_to(purelib).as_posix() for m, f in files.items()} == dict(zip(modules, MODULES))


def test_every_notebook_executes_in_the_binder_install(binder):
    """Each notebook, copied outside the repository, runs top to bottom with the Binder venv's kernel."""
    python, env, outside = binder
    probe = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
             "source": "import sys, helpers\nprint(sys.prefix, helpers.__file__, sep='\\n')"}
    folder = outside / "notebooks"
    folder.mkdir()
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        nb["cells"].append(probe)
        (folder / path.name).write_text(json.dumps(nb))
    run([python.parent / "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
         "--ExecutePreprocessor.kernel_name=python3", *sorted(folder.glob("*.ipynb"))],
        cwd=folder, env=env, timeout=1200)
    for path in sorted(folder.glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        outputs = [o for c in cells if c["cell_type"] == "code" for o in c["outputs"]]
        assert not [o for o in outputs if o["output_type"] == "error"], path.name
        assert not [o for o in outputs if "Traceback" in "".join(o.get("text", ""))], path.name
        prefix, helpers_file = "".join(cells[-1]["outputs"][0]["text"]).split()
        assert Path(prefix) == python.parent.parent, path.name  # the kernel ran in the Binder venv
        assert Path(helpers_file).is_relative_to(python.parent.parent), path.name  # not the repository


def test_jupyterlab_in_the_binder_install_has_the_projects_settings(binder):
    """postBuild installs the project's JupyterLab defaults: the server reports them for the news prompt."""
    python, env, outside = binder
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = os.urandom(8).hex()
    command = [python.parent / "jupyter", "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", f"--IdentityProvider.token={token}"]
    server = subprocess.Popen(command, cwd=outside, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={token}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                plugin = json.load(urllib.request.urlopen(url, timeout=5))
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "JupyterLab did not start"
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert plugin["schema"]["properties"]["fetchNews"]["default"] == "false"
