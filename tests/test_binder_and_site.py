"""Binder builds the tested environment; the static HTML export holds figures and widget state."""

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "tools"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
PLACEHOLDER_ALT = "No description has been provided for this image"  # what nbconvert writes for no alt


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


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The synthetic notebook's page (tests/site_example.py), parsed: an explorer saved by anywidget and more."""
    import build_site
    import site_example

    folder = tmp_path_factory.mktemp("example")
    build_site.build(folder / "site", [site_example.write(folder)])
    return BeautifulSoup((folder / "site" / "98-synthetic.html").read_text(), "html.parser")


def outputs_of(nb):
    return [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]


def widget_state(nb):
    return nb["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def test_index_links_every_notebook_in_order(site):
    out, entries = site
    index = (out / "index.html").read_text()
    links = re.findall(r'<a href="([^"]+)">', index)
    assert links == [f"{p.stem}.html" for p in NOTEBOOKS]
    assert all(title != "untitled" for _, title in entries)


def test_index_is_a_titled_page_with_a_main_region_and_descriptive_links(site):
    """lang, a title, one <main> holding everything, headings in order, each link's text its notebook's number
    and title, and the note that explorers need a kernel."""
    out, entries = site
    soup = BeautifulSoup((out / "index.html").read_text(), "html.parser")
    assert soup.html["lang"] == "en" and soup.title.get_text() == "Backprop through a convolution, step by step"
    assert len(soup.select("main")) == 1 and not [e for e in soup.body.children if getattr(e, "name", None)
                                                  and e.name != "main"]
    assert [h.name for h in soup.select("h1, h2, h3")] == ["h1", "h2"]
    texts = [a.get_text() for a in soup.select("main a")]
    assert texts == [title for _, title in entries]
    assert all(re.match(rf"{stem[:2]} · \w", text) for (stem, _), text in zip(entries, texts))
    assert "need a running kernel" in soup.main.get_text()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_each_page_holds_its_figures_and_explorers(site, path):
    """Every figure is on the page; every explorer with saved state is drawn from it, after its kernel note."""
    import build_site

    out, _ = site
    page = (out / f"{path.stem}.html").read_text()
    nb = json.loads(path.read_text())
    figures = sum("image/png" in o.get("data", {}) for o in outputs_of(nb))
    assert page.count("data:image/png;base64,") >= figures
    state = widget_state(nb)
    saved = [o["data"][WIDGET_VIEW]["model_id"] for o in outputs_of(nb)
             if WIDGET_VIEW in o.get("data", {}) and o["data"][WIDGET_VIEW]["model_id"] in state]
    soup = BeautifulSoup(page, "html.parser")
    assert soup.title.get_text() == build_site.title_of(nb)
    assert "widget-state+json" not in page  # the figures are in the page; the state is not needed
    for model_id in saved:
        model = state[model_id]
        assert model["model_name"] == "AnyModel", f"explorer {model_id} was saved by {model['model_module']}: " \
                                                  "re-execute the notebook"
        explorer = soup.select_one(f'.static-explorer:has(> #kernel-note-{model_id})')
        png = next(b["data"] for b in model["buffers"] if b["path"] == ["png"])
        assert explorer.select_one("img.explorer-image")["src"] == f"data:image/png;base64,{png}"
    assert len(soup.select(".kernel-note")) == len(saved)  # one note per explorer: its controls need a kernel


@pytest.mark.parametrize("name", ["index"] + [p.stem for p in NOTEBOOKS])
def test_no_figure_has_a_placeholder_for_its_text_alternative(site, name):
    """nbconvert writes "No description has been provided for this image" where a figure has no alt text."""
    out, _ = site
    soup = BeautifulSoup((out / f"{name}.html").read_text(), "html.parser")
    images = soup.select("img")
    assert all(img.get("alt", "").strip() for img in images), [str(img)[:120] for img in images
                                                               if not img.get("alt", "").strip()]
    placeholders = [img for img in images if img.get("alt") == PLACEHOLDER_ALT]
    assert not placeholders and PLACEHOLDER_ALT not in soup.get_text(), f"{len(placeholders)} figures without one"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_collapsed_cells_are_folded_on_the_page(site, path):
    """What JupyterLab shows collapsed (solutions, answers, hints) is folded in a <details>; outputs stay in view."""
    out, _ = site
    page = (out / f"{path.stem}.html").read_text()
    cells = json.loads(path.read_text())["cells"]
    folded = [c for c in cells if c["metadata"].get("jupyter", {}).get("source_hidden")]
    solutions = [c for c in folded if "solution" in c["metadata"].get("tags", [])]
    details = re.findall(r'<details class="hidden-source"><summary>([^<]*)</summary>(.*?)</details>', page, re.S)
    assert len(details) == len(folded)
    assert [label for label, _ in details].count("Show the solution") == len(solutions)
    assert not any("jp-OutputArea-output" in inside for _, inside in details)
    sections = [c for c in cells if c["metadata"].get("jp-MarkdownHeadingCollapsed")]
    assert page.count('<details class="collapsed-section">') == len(sections)


# --- The synthetic page: what the real notebooks will hold once re-executed ------------------------------------

def test_an_explorer_is_drawn_from_its_saved_state(example):
    """Note first, linked to the disabled controls; then the figure with its text alternative; then the readout."""
    import site_example as ex

    explorer = example.select_one(".static-explorer")
    parts = [child for child in explorer.children if getattr(child, "name", None)]
    assert [p.name for p in parts] == ["p", "fieldset", "img", "p"]
    note, controls, image, status = parts
    assert note["class"] == ["kernel-note"] and "need a running kernel" in note.get_text()
    assert controls.has_attr("disabled") and controls["aria-describedby"] == note["id"] == f"kernel-note-{ex.EXPLORER}"
    assert controls.legend.get_text() == ex.LABEL
    slider = controls.select_one('input[type="range"]')
    assert slider.has_attr("disabled") and controls.select_one(f'label[for="{slider["id"]}"]').get_text() == "row"
    assert (slider["min"], slider["max"], slider["step"], slider["value"]) == ("0", "2", "1", "2")
    assert slider.find_next_sibling("span").get_text() == "2"  # the value, shown beside the slider
    choice = controls.select_one("fieldset.explorer-choice")
    assert choice.legend.get_text() == "channel"
    radios = choice.select('input[type="radio"]')
    assert [r.parent.get_text(strip=True) for r in radios] == ["red", "green", "blue"]
    assert all(r.has_attr("disabled") for r in radios) and [r.has_attr("checked") for r in radios] == [0, 1, 0]
    assert image["alt"] == ex.ALT and (image["width"], image["height"]) == ("20", "10")
    assert image["src"] == f"data:image/png;base64,{ex.PNG}"
    assert status["class"] == ["explorer-status"] and status.decode_contents() == ex.CLEAN_STATUS


def test_an_explorer_without_saved_state_shows_its_text(example):
    import site_example as ex

    assert len(example.select(".static-explorer")) == 1 and len(example.select(".kernel-note")) == 1
    assert ex.UNSAVED_TEXT in [pre.get_text() for pre in example.select(".jp-RenderedText pre")]


def test_figures_carry_their_text_alternatives(example):
    import site_example as ex

    alts = [img.get("alt") for img in example.select("img")]
    assert alts == [ex.FIGURE_ALT, ex.PNG_ALT, ex.ALT]
    assert "No description has been provided" not in str(example)


def test_a_collapsed_section_is_folded_up_to_the_next_heading_of_its_level(example):
    sections = example.select("details.collapsed-section")
    assert len(sections) == 1
    section = sections[0]
    assert section.summary.get_text() == "Going further"
    assert [h.get_text().rstrip("¶") for h in section.select("h2, h3")] == ["Going further", "Deeper"]
    assert "deeper" in section.select_one(".jp-InputArea-editor").get_text()
    exercises = example.find("h2", id="Exercises")
    assert exercises is not None and exercises.find_parent("details") is None


def test_a_hint_and_a_solution_are_folded(example):
    folds = {d.summary.get_text(): d.get_text() for d in example.select("details.hidden-source")}
    assert set(folds) == {"Show hint", "Show the solution"}
    assert "Think of the stride first" in folds["Show hint"] and "answer" in folds["Show the solution"]


def test_code_boxes_and_wide_tables_are_named_focusable_scrollers(example):
    """Each box that may scroll sideways on a narrow screen can be focused, to scroll it with the keyboard."""
    editors = example.select(".jp-InputArea-editor")
    assert editors and all(e["tabindex"] == "0" and e["role"] == "group" for e in editors)
    assert [e["aria-label"] for e in editors] == [f"Code, In [{n}]" for n in range(1, 8)]
    hint = example.select_one(".jp-MarkdownCell pre")
    assert (hint["tabindex"], hint["role"], hint["aria-label"]) == ("0", "group", "Code")
    assert len(example.select(".jp-MarkdownCell [tabindex]")) == 2  # only the hint's code and the table's box
    table = example.select_one(".jp-MarkdownCell .table-scroll")
    assert (table["tabindex"], table["aria-label"]) == ("0", "Table: matrix view, convolution view")
    assert not [th for th in example.select("th") if not th.get_text(strip=True)]  # the empty corner is a <td>


@pytest.mark.parametrize(("source", "heading"), [
    ("## Going further\n\ntext", (2, "Going further")),
    ("text\n### Deeper ###\n# Top\n## Also", (1, "Top")),
    ("```\n# a comment, not a heading\n```\nplain text", None),
    ("#hashtag, not a heading", None),
])
def test_a_cells_heading_is_its_highest(source, heading):
    import build_site

    assert build_site.heading_of(source) == heading


@pytest.mark.parametrize(("fragment", "clean"), [
    ("<b>x</b> = <code>1 < 2</code>", "<b>x</b> = <code>1 &lt; 2</code>"),
    ('<i onclick="evil()">a<b>b</i>c', "<i>a<b>b</b></i>c"),
    ("<script>alert(1)</script><style>p{}</style>shown", "shown"),
    ("<b>never closed", "<b>never closed</b>"),
])
def test_the_readout_keeps_only_bold_italic_and_code(fragment, clean):
    import build_site

    assert build_site.clean_status(fragment) == clean


def test_an_explorer_state_without_its_keys_or_alt_is_refused():
    import build_site
    import site_example as ex

    model = ex.notebook()["metadata"]["widgets"][WIDGET_STATE]["state"][ex.EXPLORER]
    del model["state"]["alt"]
    with pytest.raises(ValueError, match=r"explorer 0123.*lacks \['alt'\]"):
        build_site.static_explorer(ex.EXPLORER, model)
    model["state"]["alt"] = " "
    with pytest.raises(ValueError, match="alt is empty"):
        build_site.static_explorer(ex.EXPLORER, model)
    model["state"]["alt"] = ex.ALT
    model["state"]["values"] = {"row": 2}
    with pytest.raises(ValueError, match=r"control 'channel' has no value: the saved values are \{'row': 2\}"):
        build_site.static_explorer(ex.EXPLORER, model)
    model["state"]["controls"] = [{"name": "k", "label": "k", "kind": "dial"}]
    model["state"]["values"] = {"k": 1}
    with pytest.raises(ValueError, match="kind must be 'slider' or 'choice', got 'dial'"):
        build_site.static_explorer(ex.EXPLORER, model)
    model["buffers"] = []
    with pytest.raises(ValueError, match=r"no png"):
        build_site.saved_png(model)


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
    """The copied scripts come from tools/package.json's exact pins, which the lock file agrees with."""
    import build_site

    pins = build_site.pinned_versions()
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in pins.values()), pins
    lock = json.loads((ROOT / "tools/package-lock.json").read_text())["packages"]
    assert {name: lock[f"node_modules/{name}"]["version"] for name in pins} == pins
    assert {name: build_site.installed_version(name) for name in pins} == pins
    # the page's one script, the accessibility tests' engine, and the hub test's proxy
    assert set(pins) == {"mathjax", "axe-core", "configurable-http-proxy"}


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
