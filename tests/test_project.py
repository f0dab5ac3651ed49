"""The project's promises: pinned, identical environments; executed notebooks; a live badge."""

import json
import os
import re
import shutil
import site
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def pins(path):
    lines = (ROOT / path).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith(("#", "-"))]


def test_requirements_are_pinned_and_binder_agrees():
    root = pins("requirements.txt")
    assert root and all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][^\s]*", p) for p in root), root
    assert sorted(pins("binder/requirements.txt")) == sorted(root)
    dev = pins("requirements-dev.txt")
    assert dev and all("==" in p for p in dev), dev


def test_binder_files():
    assert (ROOT / "binder/runtime.txt").read_text().strip() == "python-3.11"
    post = ROOT / "binder/postBuild"
    assert "pip install --no-deps ." in post.read_text()
    assert post.stat().st_mode & 0o111, "binder/postBuild must be executable"


def test_readme_badge_opens_an_existing_notebook():
    readme = (ROOT / "README.md").read_text()
    badges = re.findall(r"https://mybinder\.org/v2/[^)\s]+", readme)
    assert badges, "README.md has no Binder badge link"
    for url in badges:
        target = re.search(r"urlpath=([^&\s]+)", url)
        assert target, url
        path = unquote(target.group(1))
        assert path.startswith("lab/tree/"), path
        assert (ROOT / path.removeprefix("lab/tree/")).is_file(), path


def test_readme_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executed_top_to_bottom(path):
    """nbval skips never-executed cells, so check the counts here: 1..n, in order, no errors."""
    assert re.fullmatch(r"\d\d-[a-z0-9-]+\.ipynb", path.name)
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    for cell in code:
        for out in cell["outputs"]:
            assert out["output_type"] != "error", "".join(cell["source"])[:80]
            if out.get("name") == "stderr":
                assert "Traceback" not in "".join(out["text"]), "".join(cell["source"])[:80]


def test_readme_lists_every_notebook():
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        assert f"notebooks/{path.name}" in readme, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_links_resolve(path):
    """Every relative link in a notebook's markdown points at an existing file."""
    nb = json.loads(path.read_text())
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if not target.startswith(("http://", "https://", "#")):
            assert (path.parent / target.split("#")[0]).is_file(), target


def test_the_installed_package_works_outside_the_repository(tmp_path):
    """What Binder's postBuild installs (pip install --no-deps .): every module, imported from elsewhere."""
    source = tmp_path / "source"  # a fresh copy: setuptools would reuse a stale build/ in the checkout
    shutil.copytree(ROOT / "helpers", source / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", tmp_path, source],
                   check=True, timeout=300)
    (wheel,) = tmp_path.glob("*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--no-index", "--target", tmp_path / "site", wheel],
                   check=True, timeout=300)
    modules = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                     for p in (ROOT / "helpers").rglob("*.py"))
    code = f"""
import importlib, helpers, numpy as np
assert helpers.__file__.startswith({str(tmp_path / "site")!r}), helpers.__file__
for name in {modules!r}:
    importlib.import_module(name)
x = np.ones((5, 5, 3), np.float32)
assert helpers.conv2d(x, np.ones((16, 3, 3, 3), np.float32)).dtype == np.float32
assert helpers.checkers.check_col2im(lambda d, s, k, st: helpers.col2im(d, (*s, 1), k, stride=st)[:, :, 0])
"""
    # -S: no .pth files, so not the checkout's editable install; the dependencies come from site-packages
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), *site.getsitepackages()])}
    result = subprocess.run([sys.executable, "-S", "-c", code], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]


def test_import_helpers_needs_neither_matplotlib_nor_ipython(tmp_path):
    """A fresh interpreter that only convolves loads neither; the submodules that draw load on use."""
    code = """
import sys, numpy as np, helpers
rng = np.random.default_rng(0)
x, w = rng.normal(size=(5, 5, 3)), rng.normal(size=(16, 3, 3, 3))
helpers.conv2d_backward(helpers.conv2d(x, w), x, w)
print(sorted(m for m in ("matplotlib", "IPython", "ipywidgets") if m in sys.modules))
helpers.explorers.single_channel_figure
print(sorted(m for m in ("matplotlib", "IPython") if m in sys.modules))
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == ["[]", "['IPython', 'matplotlib']"]
