"""Every notebook as a learner uses it: opened in JupyterLab, run top to bottom, explorers moved.

For each notebook: Run ▸ Run All Cells, wait for the kernel to be idle, and
assert that no output holds an error or a traceback, and that the solutions'
code is collapsed (a placeholder, whose prompt shows no execution count).
For each explorer: move a control with the keyboard and another with the
mouse, and assert that the readout and the figure changed.  The time from key
press to redrawn figure is recorded and printed at the end of the run; a
screenshot of each notebook is saved under tests/browser/screenshots/
(git-ignored) for review.
"""

import json
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
LATENCIES = {}  # notebook -> [seconds from key press to new figure]
RUN_TIMES = {}  # notebook -> seconds for Run All Cells

IDLE = """() => {
    const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
    const running = Array.from(document.querySelectorAll('.jp-InputPrompt')).some(e => e.textContent.includes('*'));
    return indicator && indicator.dataset.status === 'idle' && !running;
}"""
ALL_EXECUTED = """() => {
    const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputArea > .jp-InputPrompt'));
    return prompts.length > 0 && prompts.every(e => /\\[\\d+\\]/.test(e.textContent));
}"""
SNAPSHOT = """e => [
    (e.querySelector('.widget-html-content') || {}).innerHTML || '',
    (e.querySelector('img.widget-image') || {src: ''}).src,
]"""
CHANGED = """([e, before]) => {
    const html = (e.querySelector('.widget-html-content') || {}).innerHTML || '';
    const src = (e.querySelector('img.widget-image') || {src: ''}).src;
    return html !== before[0] && src !== before[1] && src !== '';
}"""


def menu(page, top, item):
    page.get_by_role("menuitem", name=top, exact=True).click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def run_all(page):
    """Clear every output (and execution count), then Run All Cells and wait until all have run."""
    page.locator(".jp-Notebook .jp-MarkdownCell").first.click()  # focus the notebook
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function("() => !document.querySelector('.jp-Notebook .jp-OutputArea-output')", timeout=20_000)
    menu(page, "Run", "Run All Cells")
    page.wait_for_function(ALL_EXECUTED, timeout=120_000)
    page.wait_for_function(IDLE, timeout=60_000)


def error_outputs(page):
    """Texts of error or stderr outputs that hold a traceback or an error name."""
    texts = page.eval_on_selector_all(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']", "els => els.map(e => e.innerText)")
    return [t for t in texts if "Traceback" in t or "Error" in t]


def change_and_wait(page, explorer, action):
    """Do action(); wait until the explorer's readout and figure both changed; return the seconds taken."""
    before = explorer.evaluate(SNAPSHOT)
    start = time.perf_counter()
    action()
    page.wait_for_function(CHANGED, arg=[explorer.element_handle(), before], timeout=20_000)
    elapsed = time.perf_counter() - start
    page.wait_for_function(IDLE, timeout=20_000)
    return elapsed


def keyboard_action(page, explorer):
    """A key press on the first slider, or Space on an unselected toggle button."""
    handles = explorer.locator(".noUi-handle")
    if handles.count():
        return lambda: (handles.first.focus(), page.keyboard.press("ArrowRight"))
    button = explorer.locator(".widget-toggle-button:not(.mod-active)").first
    return lambda: (button.focus(), page.keyboard.press("Space"))


def mouse_action(explorer):
    """A click on an unselected toggle button, else on the last slider's track at 80%."""
    buttons = explorer.locator(".widget-toggle-button:not(.mod-active)")
    if buttons.count():
        return lambda: buttons.last.click()
    track = explorer.locator(".noUi-target").last

    def click_track():
        box = track.bounding_box()
        track.page.mouse.click(box["x"] + 0.8 * box["width"], box["y"] + box["height"] / 2)

    return click_track


def shut_down_kernels(base, token):
    request = urllib.request.Request(f"{base}/api/kernels?token={token}")
    for kernel in json.load(urllib.request.urlopen(request)):
        urllib.request.urlopen(urllib.request.Request(
            f"{base}/api/kernels/{kernel['id']}?token={token}", method="DELETE"))


def collapsed_code_cells(name):
    """How many code cells the committed notebook shows collapsed (the solutions): JupyterLab shows a placeholder."""
    nb = json.loads((ROOT / "notebooks" / name).read_text())
    return sum(c["cell_type"] == "code" and c["metadata"].get("jupyter", {}).get("source_hidden", False)
               for c in nb["cells"])


def stored_explorers(name):
    """How many widgets the committed notebook displays: the explorers JupyterLab must show and we drive."""
    nb = json.loads((ROOT / "notebooks" / name).read_text())
    return sum("application/vnd.jupyter.widget-view+json" in o.get("data", {})
               for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"])


def show(explorer):
    """Scroll an explorer to the middle of the notebook panel (offscreen cells are not rendered)."""
    explorer.evaluate("e => e.scrollIntoView({block: 'center'})")
    explorer.wait_for(state="visible", timeout=20_000)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_in_jupyterlab(browser, lab, screenshots, name):
    base, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        # a fresh, named workspace per notebook: no tabs restored from the previous test
        page.goto(f"{base}/lab/workspaces/{name[:2]}/tree/{name}?token={token}")
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
        start = time.perf_counter()
        run_all(page)
        RUN_TIMES[name] = time.perf_counter() - start
        assert error_outputs(page) == []
        expect(page.locator(".jp-CodeCell .jp-InputPlaceholder")).to_have_count(collapsed_code_cells(name))

        explorers = page.locator(".jp-OutputArea-output > .widget-vbox")
        expect(explorers).to_have_count(stored_explorers(name), timeout=20_000)  # each explorer shown, then driven
        for k in range(explorers.count()):
            explorer = explorers.nth(k)
            show(explorer)
            LATENCIES.setdefault(name, []).append(change_and_wait(page, explorer, keyboard_action(page, explorer)))
            change_and_wait(page, explorer, mouse_action(explorer))
            assert "Not possible" not in explorer.evaluate(SNAPSHOT)[0]
        assert error_outputs(page) == []
        if explorers.count():
            show(explorers.first)
        page.screenshot(path=str(screenshots / name.replace(".ipynb", ".png")))
    finally:
        page.close()
        shut_down_kernels(base, token)
