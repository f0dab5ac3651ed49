"""The declared versions are the ones that work: both ends tested, and a clear first cell when a package is missing.

pyproject.toml declares each package the helpers import as NAME>=LOWEST.  Besides the pinned .venv, the
unit tests and every notebook (nbval, outputs compared as in .venv) run in two fresh environments:

* lowest: every declared package at exactly its lower bound, the kernel and the packages around them at their
  mid-2024 releases (requirements-lowest.txt);
* newest: the newest releases of every declared package and of the kernel.

Both install offline from wheelhouses that tools/wheelhouse.py fills as a set-up step of `make test` (here too,
if missing or stale).  The first cell of a notebook imports helpers first, which names a package that is missing
or too old (helpers/_requirements.py), and says which copy of the helpers it uses when not the one beside it.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "tools"))
import wheelhouse  # noqa: E402

from helpers import _requirements as R  # noqa: E402

# Tests that need the pinned .venv's tools (browsers, Binder, nbgrader, the hub) or check files, not versions.
NOT_VERSIONED = ["tests/browser", "tests/test_install.py", "tests/test_assignments.py", "tests/test_binder_and_site.py",
                 "tests/test_project.py", "tests/test_versions.py", "tests/test_hub.py"]


def normal(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def same_release(a, b):
    return R.at_least(a, b) and R.at_least(b, a)


# ---- what is declared, and where it must agree -----------------------------------------------------------------

def test_every_declared_package_has_a_lower_bound_and_the_helpers_check_the_same_ones(tmp_path):
    floors = wheelhouse.floors()
    assert {normal(n): v for n, (v, *_) in R.REQUIRES.items()} == {
        normal(n): v for n, v in floors.items() if n != "scikit-learn"}
    assert {normal(n): v for n, (v, *_) in R.NOTEBOOKS.items()} == {"scikit-learn": floors["scikit-learn"]}
    (tmp_path / "pyproject.toml").write_text(
        '[project]\ndependencies = ["numpy<3"]\n[project.optional-dependencies]\nnotebooks = []\n')
    with pytest.raises(ValueError, match=r"expected each dependency as NAME>=VERSION; got 'numpy<3'"):
        wheelhouse.floors(tmp_path)


def test_the_hubs_requirements_are_the_declared_ranges_and_nbgitpuller():
    lines = [line for line in (ROOT / "requirements-hub.txt").read_text().splitlines() if line and line[0] != "#"]
    assert lines == [*wheelhouse.declared(), "nbgitpuller>=1.3"]


def test_the_pins_lie_within_the_declared_ranges_and_the_lowest_pins_only_what_is_not_declared():
    pinned = {normal(p.split("==")[0]): p.split("==")[1] for p in wheelhouse.pins("requirements.txt")}
    for name, lowest in wheelhouse.floors().items():
        assert R.at_least(pinned[normal(name)], lowest), (name, pinned[normal(name)], lowest)
    declared = {normal(n) for n in wheelhouse.floors()}
    assert not declared & {normal(p.split("==")[0]) for p in wheelhouse.pins("requirements-lowest.txt")}
    assert wheelhouse.lowest_constraints()[0] == f"numpy=={wheelhouse.floors()['numpy']}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_each_notebook_imports_helpers_first(path):
    """So that a missing or too old package is named in the first cell, before numpy or matplotlib fail."""
    code = next(c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")
    assert code["source"][0].startswith("import helpers  # first"), code["source"][0]


def test_notebooks_helpers_is_a_link_to_the_helpers_beside_the_notebooks():
    link = ROOT / "notebooks" / "helpers"
    assert link.is_symlink() and os.readlink(link) == "../helpers"
    tracked = subprocess.run(["git", "ls-files", "-s", "notebooks/helpers"], cwd=ROOT, capture_output=True, text=True)
    assert tracked.returncode != 0 or tracked.stdout.startswith("120000"), tracked.stdout  # git keeps it as a link


# ---- the first cell: a package missing or too old, and which helpers ---------------------------------------------

@pytest.mark.parametrize(("found", "lowest", "ok"), [
    ("2.0.0", "2.0", True), ("2.0", "2.0.0", True), ("1.26.4", "2.0", False), ("3.10.0", "3.8.4", True),
    ("3.8.3", "3.8.4", False), ("2.1.0rc1", "2.1", True), ("10.0.0", "9.3", True), ("2.0.1.post1", "2.0.1", True),
])
def test_at_least_compares_release_numbers(found, lowest, ok):
    assert R.at_least(found, lowest) is ok


def test_problems_names_each_package_missing_or_too_old():
    requires = {"numpy": ("99.0", "numpy"), "no-such-distribution": ("1.0", "no_such_module"),
                "matplotlib": ("3.8.4", "matplotlib")}
    numpy = R.version("numpy")
    assert R.problems(requires) == [("numpy", "99.0", numpy), ("no-such-distribution", "1.0", None)]
    with pytest.raises(R.MissingRequirements) as error:
        R.check(requires)
    assert str(error.value).splitlines() == [
        f"The helpers need packages that are missing or too old in this Python ({sys.executable}):",
        f"  numpy >= 99.0: found {numpy}",
        "  no-such-distribution >= 1.0: not installed",
        "Install them into this kernel's Python with this line in a notebook cell (%pip is that Python's pip):",
        '  %pip install "numpy>=99.0" "no-such-distribution>=1.0"',
        "(on a JupyterHub, ask its administrator), then restart the kernel.",
    ]
    assert error.value._render_traceback_() == str(error.value).splitlines()  # IPython shows only these lines
    R.check()  # this environment has everything


def fake_distribution(folder, name, version):
    """A dist-info that makes importlib.metadata report `version` for `name` (first on sys.path)."""
    info = folder / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    return folder


def run_cells(sources, cwd, env=None):
    """Run code cells in a fresh kernel started in cwd, as JupyterLab starts one for a notebook there: -> outputs."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    client = NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120,
                            resources={"metadata": {"path": str(cwd)}})
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return [cell["outputs"] for cell in nb.cells]


def first_cell(path):
    code = next(c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")
    return "".join(code["source"])


def test_a_too_old_package_is_named_in_the_first_cell_without_a_traceback(tmp_path):
    """Notebook 05's first cell in a kernel that sees matplotlib 3.7.5: its one output is the message."""
    fake = fake_distribution(tmp_path / "site", "matplotlib", "3.7.5")
    outputs = run_cells([first_cell(ROOT / "notebooks" / "05-conv-as-matrix.ipynb")], ROOT / "notebooks",
                        {"PYTHONPATH": str(fake)})
    (error,) = outputs[0]
    assert error["output_type"] == "error" and error["ename"] == "MissingRequirements"
    assert error["traceback"][1:] == ["  matplotlib >= 3.8.4: found 3.7.5",
                                      "Install them into this kernel's Python with this line in a notebook cell "
                                      "(%pip is that Python's pip):", '  %pip install "matplotlib>=3.8.4"',
                                      "(on a JupyterHub, ask its administrator), then restart the kernel."]
    assert error["traceback"][0].startswith("The helpers need packages that are missing or too old in this Python")


def test_beside_the_notebooks_a_missing_extra_is_a_note_not_an_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT / "notebooks")
    monkeypatch.setattr(R, "NOTEBOOKS", {"no-such-extra": ("1.2", "no_such_extra", "notebook 09")})
    R.on_import(ROOT / "helpers")
    assert capsys.readouterr().out == ('Note: notebook 09 needs no-such-extra >= 1.2 (not installed): install it with'
                                       '  %pip install "no-such-extra>=1.2"  in a cell and restart the kernel.\n')
    monkeypatch.chdir(tmp_path)  # not beside the notebooks: the helpers as a library, no note
    R.on_import(ROOT / "helpers")
    assert capsys.readouterr().out == ""


def series_copy(dest, link):
    """A copy of the series' helpers and notebook 00 in dest, with notebooks/helpers a link to ../helpers or not."""
    shutil.copytree(ROOT / "helpers", dest / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "00-the-question.ipynb", dest / "notebooks")
    if link:
        (dest / "notebooks" / "helpers").symlink_to("../helpers")
    return dest / "notebooks"


def test_a_kernel_in_notebooks_imports_the_helpers_beside_it_though_another_copy_is_installed(tmp_path):
    """.venv holds the helpers (installed in editable mode, from this repository): a kernel elsewhere imports them,
    a kernel in a clone's notebooks/ imports the clone's (IPython puts its working directory before site-packages)."""
    notebooks = series_copy(tmp_path / "clone", link=True)
    (tmp_path / "clone" / "helpers" / "_requirements.py").write_text(
        (ROOT / "helpers" / "_requirements.py").read_text() + "\nCOPY = 'the clone'\n")
    show = "import helpers\nprint(helpers.__file__, getattr(helpers._requirements, 'COPY', 'not the clone'))"
    elsewhere = run_cells([show], tmp_path)
    assert elsewhere == [[{"output_type": "stream", "name": "stdout",
                           "text": f"{ROOT / 'helpers' / '__init__.py'} not the clone\n"}]]
    outputs = run_cells([first_cell(notebooks / "00-the-question.ipynb"), show], notebooks)
    assert outputs[0] == []  # nothing to say: the copy beside the notebook
    assert outputs[1] == [{"output_type": "stream", "name": "stdout",
                           "text": f"{notebooks / 'helpers' / '__init__.py'} the clone\n"}]


def test_the_first_cell_says_which_helpers_it_uses_when_not_the_copy_beside_it(tmp_path):
    """Without the link (a download that lost it), the installed helpers are imported, and the first cell says so."""
    notebooks = series_copy(tmp_path / "download", link=False)
    outputs = run_cells([first_cell(notebooks / "00-the-question.ipynb")], notebooks)
    assert outputs[0] == [{"output_type": "stream", "name": "stdout", "text": (
        f"helpers: this notebook uses the helpers in {ROOT / 'helpers'}, not the copy beside it in "
        f"{tmp_path / 'download' / 'helpers'}.\n")}]


# ---- both ends ---------------------------------------------------------------------------------------------------

def clean_env(tmp):
    """No user or virtualenv settings, packages from nowhere but the wheelhouse, Jupyter's folders in tmp."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PIP_", "JUPYTER", "PYTHON", "VIRTUAL_ENV", "CONDA", "IPYTHON", "MPL"))}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"),
               JUPYTER_DATA_DIR=str(tmp / "jupyter-data"), JUPYTER_RUNTIME_DIR=str(tmp / "jupyter-runtime"),
               IPYTHONDIR=str(tmp / "ipython"), MPLCONFIGDIR=str(tmp / "matplotlib"))
    return env


def report(request, line):
    """A line in pytest's output, whatever the capture setting."""
    request.config.pluginmanager.get_plugin("terminalreporter").write_line(line)


def install(name, tmp):
    """Start installing one end into a fresh venv in tmp: -> (python, env, the pip process)."""
    subprocess.run([sys.executable, "-m", "venv", tmp / "venv"], check=True)
    python, env = tmp / "venv" / "bin" / "python", clean_env(tmp)
    env["PIP_FIND_LINKS"] = str(wheelhouse.folder(name))
    constraints = ["-c", str(wheelhouse.folder(name) / "constraints.txt")] if name == "lowest" else []
    pip = subprocess.Popen([python, "-m", "pip", "install", "--quiet", *constraints, *wheelhouse.declared(),
                            wheelhouse.KERNEL, *wheelhouse.runner()], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    return python, env, pip


@pytest.fixture(scope="module")
def ends(tmp_path_factory):
    """{name: (python, env, {package: version}, seconds to install, the test run)} for "lowest" and "newest".

    Both ends install, then run their tests, at the same time: each test run is one process, and `make test`
    has two cores.  The test run is a Popen of pytest, with its output in a file.
    """
    names = ["lowest", "newest"]
    for name in names:
        wheelhouse.fill(name)
    start = time.monotonic()
    installs = {name: install(name, tmp_path_factory.mktemp(name)) for name in names}
    found = {}
    for name, (python, env, pip) in installs.items():
        output = pip.communicate(timeout=1200)[0]
        assert pip.returncode == 0, output[-3000:]
        listed = subprocess.run([python, "-m", "pip", "list", "--format", "json"], env=env, capture_output=True,
                                text=True, check=True)
        versions = {normal(p["name"]): p["version"] for p in json.loads(listed.stdout)}
        tmp = python.parent.parent.parent
        sanitize = tmp / "sanitize.cfg"  # tests/sanitize.cfg, and what a version formats differently
        sanitize.write_text((ROOT / "tests" / "sanitize.cfg").read_text() + "\n"
                            + (ROOT / "tests" / "sanitize-versions.cfg").read_text())
        ignore = [f"--ignore={path}" for path in NOT_VERSIONED]
        log = tmp / "pytest.log"
        with open(log, "w") as out:
            run = subprocess.Popen([python, "-m", "pytest", "-q", "-p", "no:randomly", "--nbval-sanitize-with",
                                    sanitize, "tests", "notebooks", *ignore], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, text=True)
        found[name] = (python, env, versions, time.monotonic() - start, run, log)
    yield found
    for *_, run, _ in found.values():
        if run.poll() is None:
            run.kill()
            run.wait()


@pytest.fixture(params=["lowest", "newest"])
def environment(request, ends):
    return (request.param, *ends[request.param])


def wheel_versions(folder):
    """{package: [versions]} of the wheels in a wheelhouse."""
    found = {}
    for wheel in folder.glob("*.whl"):
        name, version = wheel.name.split("-")[:2]
        found.setdefault(normal(name), []).append(version)
    return found


def test_each_end_holds_the_versions_it_stands_for(environment):
    """lowest: each declared package at exactly its lower bound, the others as pinned; newest: the newest wheels."""
    name, _, _, versions, *_ = environment
    floors = {normal(n): v for n, v in wheelhouse.floors().items()}
    if name == "lowest":
        assert all(same_release(versions[n], v) for n, v in floors.items()), {n: versions[n] for n in floors}
        pinned = dict(pin.split("==") for pin in wheelhouse.pins("requirements-lowest.txt"))
        assert {normal(n): versions[normal(n)] for n in pinned} == {normal(n): v for n, v in pinned.items()}
    else:
        wheels = wheel_versions(wheelhouse.folder(name))
        newest = {n: max(wheels[n], key=R.release) for n in [*floors, wheelhouse.KERNEL]}
        assert {n: versions[n] for n in newest} == newest


def test_the_unit_tests_and_every_notebook_pass_at_each_end(environment, request):
    """The unit and property tests, and nbval on every notebook, with outputs compared as in the pinned .venv."""
    name, _, _, versions, install_s, run, log = environment
    run.wait(timeout=3600)
    output = log.read_text()
    summary = output.strip().splitlines()[-1] if output.strip() else ""
    shown = ", ".join(f"{n} {versions[normal(n)]}" for n in [*wheelhouse.floors(), wheelhouse.KERNEL])
    report(request, f"\n{name}: {shown}: both ends installed in {install_s:.0f} s; {summary}")
    assert run.returncode == 0, output[-6000:]
    assert " passed" in summary and "failed" not in summary and "error" not in summary, summary
