"""The static site as a reader meets it with no kernel and no network: every page opened over file://.

The site is built by tools/build_site.py (what `make html` runs) into a temporary
folder, with a synthetic page beside it (tests/site_example.py: an explorer saved by
anywidget, a collapsed section, a hint, a wide table).  Every request that is not for
a local file is aborted and recorded.  On each page:

- nothing tried to leave the machine and no local file failed to load; every
  display-math block of the notebook's markdown (and every inline formula) is typeset
  by MathJax and no raw `$$` is left; every explorer shows its saved figure, with its
  note that the controls need a kernel before the controls, which cannot be used;
- axe-core (tests/browser/axe.py: WCAG 2.0-2.2 A and AA, and best practice) finds no
  violation, with every <details> opened, at 1200 and at 320 CSS px;
- reflow, at 640 CSS px (a 1280 px window at 200% zoom) and at 320: no content is cut
  off by a box that hides its overflow, the page itself never scrolls sideways, each
  box that scrolls sideways can be focused (to scroll it with the keyboard), and every
  image keeps its proportions.

A screenshot of each explorer goes to tests/browser/screenshots/ (git-ignored) for review.
"""

import json
import re
import sys
from contextlib import suppress
from pathlib import Path

import pytest
from axe import format_violations, run_axe
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tools"), str(ROOT / "tests")]
import build_site  # noqa: E402
import site_example  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXAMPLE = "98-synthetic"
PAGES = ["index"] + [p.stem for p in NOTEBOOKS] + [EXAMPLE]
LOCAL_SCHEMES = ("file:", "data:", "blob:")
DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$[^$\n]+?(?<!\\)\$")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

MEASURE = """() => {
    const markdown = Array.from(document.querySelectorAll('.jp-MarkdownCell'));
    const explorers = Array.from(document.querySelectorAll('.static-explorer'));
    const shown = img => img.complete && img.naturalWidth > 0 && /^(blob|data):./.test(img.src)
        && img.getClientRects().length > 0;
    const visible = e => e && e.offsetHeight > 0 && /running kernel/.test(e.innerText);
    const before = (a, b) => Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
    const inert = controls => Array.from(controls.querySelectorAll('input')).every(input => {
        input.focus();
        return input.matches(':disabled') && document.activeElement !== input;
    });
    return {
        display: document.querySelectorAll('mjx-container[display="true"]').length,
        inline: document.querySelectorAll('mjx-container:not([display="true"])').length,
        raw: markdown.filter(e => e.innerText.includes('$$')).map(e => e.innerText.slice(0, 80)),
        images: Array.from(document.querySelectorAll('img.explorer-image')).filter(shown).length,
        views: explorers.length,
        explained: explorers.filter(e => {
            const note = e.querySelector('.kernel-note'), controls = e.querySelector('fieldset');
            const img = e.querySelector('img.explorer-image');
            return visible(note) && controls && before(note, controls) && inert(controls)
                && controls.getAttribute('aria-describedby') === note.id && img && shown(img) && img.alt.trim()
                && before(controls, img);
        }).length,
    };
}"""

REFLOW = """() => {
    const classes = e => typeof e.className === 'string' ? e.className.trim().split(/\\s+/).filter(Boolean) : [];
    const describe = e => [e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''), ...classes(e)].join('.');
    const rendered = e => e.getClientRects().length > 0 && !e.closest('mjx-assistive-mml');  // a screen reader's copy
    const hides = v => v === 'hidden' || v === 'clip', scrolls = v => v === 'auto' || v === 'scroll';
    const clipped = [], unfocusable = [], squashed = [];
    for (const e of document.querySelectorAll('body *')) {
        if (!rendered(e)) continue;
        const s = getComputedStyle(e);
        const wide = e.scrollWidth > e.clientWidth + 1, tall = e.scrollHeight > e.clientHeight + 1;
        if ((wide && hides(s.overflowX)) || (tall && hides(s.overflowY)))
            clipped.push(`${describe(e)}: ${e.scrollWidth}x${e.scrollHeight} in ${e.clientWidth}x${e.clientHeight}`);
        if (((wide && scrolls(s.overflowX)) || (tall && scrolls(s.overflowY))) && e.tabIndex < 0)
            unfocusable.push(describe(e));
    }
    for (const img of document.querySelectorAll('img')) {
        if (!rendered(img) || !img.naturalWidth) continue;
        const box = img.getBoundingClientRect();
        const ratio = (box.width / box.height) / (img.naturalWidth / img.naturalHeight);
        if (Math.abs(ratio - 1) > 0.01)
            squashed.push(`${describe(img)}: ${img.naturalWidth}x${img.naturalHeight} at ${box.width}x${box.height}`);
    }
    const page = document.scrollingElement;
    return {clipped, unfocusable, squashed, page_scrolls_sideways: page.scrollWidth > page.clientWidth};
}"""


def expected(path):
    """What the page must show: math blocks and inline formulas in the markdown, explorers and their figures."""
    nb = json.loads(path.read_text())
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    state = nb["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    return {
        "display": len(DISPLAY_MATH.findall(markdown)),
        "inline": len(INLINE_MATH.findall(DISPLAY_MATH.sub("", markdown))),
        "raw": [],
        "images": sum(m["model_name"] == "AnyModel" for m in state.values()),  # an explorer's figure
        "views": sum(o["data"][WIDGET_VIEW]["model_id"] in state for o in outputs if WIDGET_VIEW in o.get("data", {})),
    }


def test_the_expected_counts_find_every_formula_and_explorer(tmp_path):
    """A regex that found no math, or no explorer figure, would let every page pass."""
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        markdown = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        want = expected(path)
        assert want["display"] == markdown.count("$$") // 2, path.name
        assert want["images"] >= want["views"], path.name  # every explorer draws a figure
    assert sum(expected(p)["display"] for p in NOTEBOOKS) >= 22  # as many as when the issue counted them
    assert sum(expected(p)["inline"] for p in NOTEBOOKS) > 0 and sum(expected(p)["views"] for p in NOTEBOOKS) >= 7
    example = expected(site_example.write(tmp_path))
    assert (example["display"], example["inline"], example["images"], example["views"]) == (1, 1, 1, 1)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """{page name: (its file, its notebook or None)}: the site of notebooks/, and the synthetic page beside it."""
    out = tmp_path_factory.mktemp("site")
    build_site.build(out)
    folder = tmp_path_factory.mktemp("example")
    example = site_example.write(folder)
    build_site.build(folder / "site", [example])
    pages = {"index": (out / "index.html", None)} | {p.stem: (out / f"{p.stem}.html", p) for p in NOTEBOOKS}
    return pages | {EXAMPLE: (folder / "site" / f"{EXAMPLE}.html", example)}


def open_offline(browser, page_and_source, width=1200):
    """Open a page with every non-local request aborted, once drawn; return (page, left, failed, errors)."""
    path, source = page_and_source
    left, failed, errors = [], [], []
    context = browser.new_context(viewport={"width": width, "height": 900})
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
    page.goto(path.as_uri(), wait_until="load")
    if source is not None:
        with suppress(PlaywrightTimeout):  # wait until all is drawn; if it never is, the asserts say what is missing
            page.wait_for_function(f"want => {{ const m = ({MEASURE})(); return m.display === want.display && "
                                   "m.inline === want.inline && m.images === want.images && "
                                   "m.explained === want.views; }", arg=expected(source), timeout=15_000)
    page.wait_for_timeout(200)  # a late request would still be recorded
    return page, left, failed, errors


def open_every_fold(page):
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")


def test_index_reads_offline(browser, site):
    page, left, failed, errors = open_offline(browser, site["index"])
    links = page.eval_on_selector_all("a", "els => els.map(e => e.href)")
    assert links == [site[p.stem][0].as_uri() for p in NOTEBOOKS]
    assert (left, failed, errors) == ([], [], [])
    page.context.close()


@pytest.mark.parametrize("name", PAGES[1:])
def test_page_reads_offline(browser, site, screenshots, name):
    want = expected(site[name][1])
    page, left, failed, errors = open_offline(browser, site[name])
    got = page.evaluate(MEASURE)
    if got["images"]:
        page.locator(".jp-OutputArea-child:has(img.explorer-image)").first.screenshot(
            path=screenshots / f"site-{name}.png")
    page.context.close()

    seen = {"requests that left": left, "local files that failed": failed, "script errors": errors, **got}
    assert seen == {"requests that left": [], "local files that failed": [], "script errors": [],
                    **want, "explained": want["views"]}


@pytest.mark.parametrize("width", [1200, 320])
@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_axe_violation(browser, site, name, width):
    page, *_ = open_offline(browser, site[name], width)
    open_every_fold(page)
    violations = run_axe(page)
    page.context.close()
    assert not violations, format_violations(violations)


@pytest.mark.parametrize("width", [640, 320])
@pytest.mark.parametrize("name", PAGES)
def test_page_reflows(browser, site, name, width):
    """At 200% zoom and at 320 CSS px nothing is cut off, and images keep their proportions."""
    page, *_ = open_offline(browser, site[name], width)
    open_every_fold(page)
    got = page.evaluate(REFLOW)
    page.context.close()
    assert got == {"clipped": [], "unfocusable": [], "squashed": [], "page_scrolls_sideways": False}


def test_the_reflow_check_sees_clipped_code_squashed_images_and_a_page_that_scrolls(browser, site):
    """The synthetic page with the failures the issue found put back: each must be reported."""
    page, *_ = open_offline(browser, site[EXAMPLE], 320)
    style = page.add_style_tag(content=".jp-InputArea-editor { overflow: hidden !important; } "
                                       ".explorer-image { height: 30px !important; }")
    hidden = page.evaluate(REFLOW)
    style.evaluate("e => e.remove()")
    page.add_style_tag(content="main { min-width: 600px; }")
    page.evaluate("() => document.querySelectorAll('[tabindex]').forEach(e => e.removeAttribute('tabindex'))")
    unfocusable = page.evaluate(REFLOW)
    page.context.close()
    assert any(e.startswith("div.jp-CodeMirrorEditor") for e in hidden["clipped"]), hidden
    assert [e.split(":")[0] for e in hidden["squashed"]] == ["img.explorer-image"], hidden
    assert "div.jp-CodeMirrorEditor.jp-Editor.jp-InputArea-editor" in unfocusable["unfocusable"], unfocusable
    assert unfocusable["page_scrolls_sideways"] and not hidden["page_scrolls_sideways"]


def test_a_saved_explorer_cannot_be_operated(browser, site):
    """Tab never reaches the static explorer's controls: they are disabled, and say why before them."""
    page, *_ = open_offline(browser, site[EXAMPLE])
    reached = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("() => document.activeElement.closest('fieldset') ? 'control' : "
                                  "document.activeElement.tagName"))
    described = page.evaluate("() => { const f = document.querySelector('.static-explorer fieldset'); "
                              "return document.getElementById(f.getAttribute('aria-describedby')).innerText; }")
    page.context.close()
    assert "control" not in reached and "DIV" in reached  # Tab did move, through the code and output boxes
    assert described == build_site.KERNEL_NOTE
