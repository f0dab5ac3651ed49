"""The static site as a reader meets it with no kernel and no network: every page opened over file://.

The site is built by tools/build_site.py (what `make html` runs) into a temporary
folder.  Every request that is not for a local file is aborted and recorded.  On
each page: nothing tried to leave the machine and no local file failed to load;
every display-math block of the notebook's markdown (and every inline formula)
is typeset by MathJax and no raw `$$` is left; every Image widget of the saved
widget state shows its figure, and a visible note beside each explorer says its
controls need a kernel.  A screenshot of each explorer goes to
tests/browser/screenshots/ (git-ignored) for review.
"""

import json
import re
import sys
from contextlib import suppress
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LOCAL_SCHEMES = ("file:", "data:", "blob:")
DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$[^$\n]+?(?<!\\)\$")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

MEASURE = """() => {
    const markdown = Array.from(document.querySelectorAll('.jp-MarkdownCell'));
    const views = Array.from(document.querySelectorAll('.jupyter-widgets.jp-OutputArea-output'))
        .filter(e => e.querySelector('script[type="application/vnd.jupyter.widget-view+json"]'));
    const shown = img => img.complete && img.naturalWidth > 0 && /^(blob|data):./.test(img.src);
    return {
        display: document.querySelectorAll('mjx-container[display="true"]').length,
        inline: document.querySelectorAll('mjx-container:not([display="true"])').length,
        raw: markdown.filter(e => e.innerText.includes('$$')).map(e => e.innerText.slice(0, 80)),
        images: Array.from(document.querySelectorAll('img.widget-image')).filter(shown).length,
        views: views.length,
        explained: views.filter(e => {
            const img = e.querySelector('img.widget-image');
            const note = e.querySelector('.kernel-note');
            return img && shown(img) && note && note.offsetHeight > 0 && /running kernel/.test(note.innerText);
        }).length,
    };
}"""


def expected(path):
    """What the page must show: math blocks and inline formulas in the markdown, explorers, Image widgets."""
    nb = json.loads(path.read_text())
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    state = nb["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    return {
        "display": len(DISPLAY_MATH.findall(markdown)),
        "inline": len(INLINE_MATH.findall(DISPLAY_MATH.sub("", markdown))),
        "raw": [],
        "images": sum(m["model_name"] == "ImageModel" for m in state.values()),
        "views": sum(WIDGET_VIEW in o.get("data", {}) for o in outputs),
    }


def test_the_expected_counts_find_every_formula_and_explorer():
    """A regex that found no math, or no Image widget, would let every page pass."""
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        markdown = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        want = expected(path)
        assert want["display"] == markdown.count("$$") // 2, path.name
        assert want["images"] >= want["views"], path.name  # every explorer draws its figure as an Image widget
    assert sum(expected(p)["display"] for p in NOTEBOOKS) >= 22  # as many as when the issue counted them
    assert sum(expected(p)["inline"] for p in NOTEBOOKS) > 0 and sum(expected(p)["views"] for p in NOTEBOOKS) >= 7


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    sys.path.insert(0, str(ROOT / "tools"))
    import build_site

    out = tmp_path_factory.mktemp("site")
    build_site.build(out)
    return out


def open_offline(browser, url):
    """Open url with every non-local request aborted; return (page, left, failed, errors)."""
    left, failed, errors = [], [], []
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()

    def local_only(route):
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    page.route("**/*", local_only)
    page.on("requestfailed", lambda r: r.url.startswith("file:") and failed.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="load")
    return page, left, failed, errors


def test_index_reads_offline(browser, site):
    page, left, failed, errors = open_offline(browser, (site / "index.html").as_uri())
    links = page.eval_on_selector_all("a", "els => els.map(e => e.href)")
    assert links == [(site / f"{p.stem}.html").as_uri() for p in NOTEBOOKS]
    assert (left, failed, errors) == ([], [], [])
    page.context.close()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_page_reads_offline(browser, site, screenshots, path):
    want = expected(path)
    page, left, failed, errors = open_offline(browser, (site / f"{path.stem}.html").as_uri())
    with suppress(PlaywrightTimeout):  # wait until all is drawn; if it never is, the assert says what is missing
        page.wait_for_function(f"want => {{ const m = ({MEASURE})(); return m.display === want.display && "
                               "m.inline === want.inline && m.images === want.images && "
                               "m.explained === want.views; }", arg=want, timeout=15_000)
    page.wait_for_timeout(200)  # a late request would still be recorded
    got = page.evaluate(MEASURE)
    if got["images"]:
        page.locator(".jp-OutputArea-child:has(img.widget-image)").first.screenshot(
            path=screenshots / f"site-{path.stem}.png")
    page.context.close()

    seen = {"requests that left": left, "local files that failed": failed, "script errors": errors, **got}
    assert seen == {"requests that left": [], "local files that failed": [], "script errors": [],
                    **want, "explained": want["views"]}
