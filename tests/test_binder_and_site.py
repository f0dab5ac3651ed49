"""Binder builds the tested environment; the static HTML export holds figures and widget state."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "tools"))


@pytest.fixture(scope="module")
def dockerfile():
    """The Dockerfile repo2docker would build for this repository (no Docker needed)."""
    r2d = shutil.which("jupyter-repo2docker", path=str(Path(sys.executable).parent))
    result = subprocess.run([r2d, "--no-build", "--debug", "--no-run", str(ROOT)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout + result.stderr


def test_binder_uses_the_binder_folder(dockerfile):
    assert "python=3.11" in dockerfile
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    assert "./binder/postBuild" in dockerfile
    assert "src/requirements.txt" not in dockerfile  # the root file is ignored when binder/ exists


def test_notebooks_need_nothing_beyond_the_pins():
    """No installs or downloads from inside a notebook: Binder and CI run exactly the pinned environment."""
    forbidden = re.compile(r"^\s*[!%]\s*(pip|conda|apt)|urlopen|urlretrieve|requests\.get|fetch_openml|"
                           r"fetch_[a-z_]+\(|wget|curl ", re.M)
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert not forbidden.search("".join(cell["source"])), (path.name, "".join(cell["source"])[:80])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    import build_site

    out = tmp_path_factory.mktemp("site")
    return out, build_site.build(out)


def test_index_links_every_notebook_in_order(site):
    out, entries = site
    index = (out / "index.html").read_text()
    links = re.findall(r'<a href="([^"]+)">', index)
    assert links == [f"{p.stem}.html" for p in NOTEBOOKS]
    assert all(title != "untitled" for _, title in entries)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_each_page_holds_its_figures_and_widget_state(site, path):
    out, _ = site
    page = (out / f"{path.stem}.html").read_text()
    nb = json.loads(path.read_text())
    figures = sum("image/png" in o.get("data", {}) for c in nb["cells"] if c["cell_type"] == "code"
                  for o in c["outputs"])
    assert page.count("data:image/png;base64,") >= figures
    has_explorer = any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                       for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"])
    state = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', page, re.S)
    if has_explorer:
        models = json.loads(state.group(1))["state"].values()
        images = [m for m in models if m["model_name"] == "ImageModel"]
        assert images and all(len(m["buffers"][0]["data"]) > 1000 for m in images)  # the saved figure
    assert ".ipynb\"" not in page  # links between notebooks point at the HTML pages
