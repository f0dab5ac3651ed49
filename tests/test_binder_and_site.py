"""Binder builds the tested environment; the static HTML export holds figures and widget state."""

import html
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
    views = sum("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"])
    assert page.count('<p class="kernel-note">') == views  # one note per explorer: its controls need a kernel


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_collapsed_cells_are_folded_on_the_page(site, path):
    """What JupyterLab shows collapsed (solutions, answers) is folded in a <details>; outputs stay in view."""
    out, _ = site
    page = (out / f"{path.stem}.html").read_text()
    cells = json.loads(path.read_text())["cells"]
    folded = [c for c in cells if c["metadata"].get("jupyter", {}).get("source_hidden")]
    solutions = [c for c in folded if "solution" in c["metadata"].get("tags", [])]
    details = re.findall(r'<details class="hidden-source"><summary>([^<]*)</summary>(.*?)</details>', page, re.S)
    assert len(details) == len(folded)
    assert [label for label, _ in details].count("Show the solution") == len(solutions)
    assert not any("jp-OutputArea-output" in inside for _, inside in details)


SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)
DATA_SCRIPT = re.compile(r'type="application/(vnd\.jupyter\.[a-z.-]+\+json|json)"')
REMOTE = re.compile(r"\b(?:src|href)=\"(?:https?:)?//|https?://")


@pytest.mark.parametrize("name", ["index"] + [p.stem for p in NOTEBOOKS])
def test_pages_reference_no_remote_script_style_or_image(site, name):
    """Only local files: no script, stylesheet or image from a CDN, no URL inside any script's code."""
    out, _ = site
    page = (out / f"{name}.html").read_text()
    for attributes, code in SCRIPT.findall(page):
        assert not REMOTE.search(attributes), attributes
        if not DATA_SCRIPT.search(attributes):  # saved widget state is data, not code
            assert not re.search(r"(?:https?:)?//[a-z0-9-]+\.[a-z]", code), code[:200]
        src = re.search(r'src="([^"]+)"', attributes)
        assert src is None or (out / src.group(1)).is_file(), attributes
    tags = re.findall(r"<(?:link|img|iframe|source|audio|video|embed|object)\b[^>]*>", page)
    assert not [t for t in tags if REMOTE.search(t)]
    assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", page)  # nor from CSS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_links_between_pages_resolve_and_links_out_are_kept(site, path):
    """Links between notebooks point at their pages; links out (the Binder badge) are the notebook's own."""
    out, _ = site
    page = (out / f"{path.stem}.html").read_text()
    source = path.read_text()
    for href in map(html.unescape, re.findall(r'<a\b[^>]*\bhref="([^"]*)"', page)):
        target = href.split("#")[0]
        if re.match(r"[a-z]+:", href):
            assert json.dumps(href)[1:-1] in source, href  # as written, e.g. ...?urlpath=lab/tree/notebooks/00-...ipynb
        elif target:
            assert target.endswith(".html") and (out / target).is_file(), href


def test_site_scripts_are_the_pinned_ones():
    """The copied scripts come from tools/package.json's exact pins, which the lock file and ipywidgets agree with."""
    import build_site
    from ipywidgets._version import __html_manager_version__

    pins = build_site.pinned_versions()
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in pins.values()), pins
    lock = json.loads((ROOT / "tools/package-lock.json").read_text())["packages"]
    assert {name: lock[f"node_modules/{name}"]["version"] for name in pins} == pins
    assert {name: build_site.installed_version(name) for name in pins} == pins
    assert build_site.satisfies_caret(pins[build_site.HTML_MANAGER], __html_manager_version__)


@pytest.mark.parametrize(("version", "caret", "ok"), [("1.0.15", "^1.0.1", True), ("1.0.1", "^1.0.1", True),
                                                      ("1.0.0", "^1.0.1", False), ("2.0.0", "^1.0.1", False),
                                                      ("0.20.0", "^1.0.1", False), ("1.10.0", "^1.2.0", True)])
def test_caret_range(version, caret, ok):
    import build_site

    assert build_site.satisfies_caret(version, caret) is ok


def test_a_missing_or_stale_script_package_says_what_to_run(tmp_path, monkeypatch):
    import build_site

    monkeypatch.setattr(build_site, "NODE_MODULES", tmp_path)
    (first, pin), *_ = build_site.pinned_versions().items()
    with pytest.raises(RuntimeError, match=rf"{first} not installed, .* pins {pin}: run `npm ci --prefix tools`"):
        build_site.build(tmp_path / "site")
    for package, version in build_site.pinned_versions().items():
        (tmp_path / package).mkdir(parents=True)
        (tmp_path / package / "package.json").write_text(json.dumps({"version": version}))
    (tmp_path / "mathjax" / "package.json").write_text('{"version": "3.0.0"}')
    with pytest.raises(RuntimeError, match=r"has mathjax 3\.0\.0, tools/package\.json pins"):
        build_site.build(tmp_path / "site")
