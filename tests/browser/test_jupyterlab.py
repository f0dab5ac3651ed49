"""Every notebook as a learner uses it: opened in JupyterLab, run top to bottom, explorers moved.

The window is 1280 x 800 CSS pixels on a 2x display (devicePixelRatio 2),
with JupyterLab's file browser open.  For each notebook: Run ▸ Run All
Cells, wait for the kernel to be idle, and assert that no output holds an
error or a traceback, and that the solutions' code is collapsed (a
placeholder, whose prompt shows no execution count).  For each explorer:

* layout: every slider's track is at least 150 px wide, the controls sit
  side by side without overlapping and inside the output area (a row too
  narrow wraps), and the figure is shown at exactly half its pixel size
  (one image pixel per screen pixel: crisp, not stretched or shrunk);
* latency: PRESSES key presses on the control with the most values, each
  READING seconds after the previous figure, timed in the page from the key
  press to the frame that shows the new figure, and split into the widget's
  own handling, the kernel and the comm round trip, turning the message into
  the image, decoding it and painting it;
* dragging: a slider dragged across its track with continuous updates; the
  redraws are not queued (at most two new figures once the mouse is
  released, the last within a second) and the last position wins;
* a mouse click changes the readout and the figure;
* accessibility: axe-core finds no violation (WCAG 2.0-2.2 A and AA, best
  practice) in the notebook's outputs, after Run All and again after every
  explorer has moved; every control is named by its visible label (a slider
  by its label, a radio button by its text in a group named by its legend,
  the chosen one checked), the readout is a status region and the figure has
  a text alternative; with the keyboard alone, Tab from the explorer's cell
  reaches every control once, in order, each showing a focus ring of at least
  3:1, and an arrow key changes it: the readout (the same element, updated in
  place), the figure and its text alternative all change, and the focus stays.

Latency is asserted only loosely (a median under a second: a redraw that
broke); the numbers go to tests/browser/latency.json (git-ignored), printed
at the end of the run and by ``make bench``.  A screenshot of each notebook
is saved under tests/browser/screenshots/ (git-ignored) for review.
"""

import json
import statistics
import time
import urllib.request
from pathlib import Path

import pytest
from axe import count_by_rule, format_violations, run_axe
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
VIEWPORT = {"width": 1280, "height": 800}
PRESSES = 12  # key presses per explorer
READING = 0.3  # seconds between a figure and the next key press
REPORT = {}  # notebook -> [one dict per explorer]: filled here, written by conftest.py
RUN_TIMES = {}  # notebook -> seconds for Run All Cells
AXE_REPORT = {}  # notebook -> axe-core violations in its outputs after Run All (asserted 0)
KEYBOARD = {}  # notebook -> the explorer controls reached and changed with the keyboard alone, in Tab order
LAB_INTERFACE = {}  # axe-core's violations in the whole JupyterLab page, by rule: JupyterLab's, for the README

IDLE = """() => {
    const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
    const running = Array.from(document.querySelectorAll('.jp-InputPrompt')).some(e => e.textContent.includes('*'));
    return indicator && indicator.dataset.status === 'idle' && !running;
}"""
ALL_EXECUTED = """() => {
    const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputArea > .jp-InputPrompt'));
    return prompts.length > 0 && prompts.every(e => /\\[\\d+\\]/.test(e.textContent));
}"""
EXPLORERS = ".jp-OutputArea-output .cbx-explorer"  # helpers/explorers/panel.js
SNAPSHOT = """e => [
    e.querySelector('.cbx-status').innerHTML,
    e.querySelector('img.cbx-image').src,
    e.querySelector('img.cbx-image').alt,
]"""
CHANGED = """([e, before]) => {
    const html = e.querySelector('.cbx-status').innerHTML, img = e.querySelector('img.cbx-image');
    return html !== before[0] && img.src !== before[1] && img.src !== '' && img.alt !== before[2];
}"""
# Before any page script: the time and size of every WebSocket message, sent and received.  A received
# message is logged before JupyterLab's own listener handles it (which may change the figure at once).
WEBSOCKET_LOG = """
window.__messages = [];
const log = (kind, data) => window.__messages.push(
    [kind, performance.now(), data.byteLength || data.length || data.size || 0]);
window.WebSocket = class extends window.WebSocket {
    constructor(...args) {
        super(...args);
        this.addEventListener('message', event => log('receive', event.data));
    }
    send(data) {
        log('send', data);
        return super.send(data);
    }
};
"""
# Before a key press: when the key goes down, when the image's src changes, when it is decoded and painted.
WATCH_PRESS = """e => {
    const img = e.querySelector('img.cbx-image');
    const press = window.__press = {first: window.__messages.length};
    document.addEventListener('keydown', event => { press.key = event.timeStamp; }, {capture: true, once: true});
    const watch = new MutationObserver(() => {
        watch.disconnect();
        press.src = performance.now();
        img.decode().catch(() => {}).then(() => {
            press.decoded = performance.now();
            requestAnimationFrame(() => requestAnimationFrame(() => { press.painted = performance.now(); }));
        });
    });
    watch.observe(img, {attributes: true, attributeFilter: ['src']});
}"""
PRESS_DONE = "() => window.__press && window.__press.painted !== undefined"
PRESS_TIMES = """() => {
    const press = window.__press;
    const messages = window.__messages.slice(press.first).filter(m => m[1] >= press.key && m[1] <= press.src);
    const sent = messages.find(m => m[0] === 'send');
    const received = messages.filter(m => m[0] === 'receive');
    const image = received.reduce((a, b) => (b[2] > a[2] ? b : a), received[0]);  // the PNG: the largest message
    return {total: press.painted - press.key, widget: sent[1] - press.key, kernel_and_comm: image[1] - sent[1],
            to_image: press.src - image[1], decode: press.decoded - press.src, paint: press.painted - press.decoded,
            message_bytes: image[2]};
}"""
LAYOUT = """e => {
    const box = x => { const r = x.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    const img = e.querySelector('img.cbx-image');
    const browser = document.querySelector('.jp-FileBrowser');
    return {
        explorer: box(e),
        controls: Array.from(e.querySelector('.cbx-controls').children).map(box),
        tracks: Array.from(e.querySelectorAll('input[type=range]')).map(t => t.getBoundingClientRect().width),
        image: {natural: [img.naturalWidth, img.naturalHeight], css: [img.clientWidth, img.clientHeight],
                box: box(img)},
        file_browser: browser ? browser.getBoundingClientRect().width : 0,
        device_pixel_ratio: window.devicePixelRatio,
    };
}"""
# While a slider is dragged: every change of the image's src and of the slider's value, and when the mouse goes up.
WATCH_DRAG = """([e, slider]) => {
    const drag = window.__drag = {changes: [], values: []};
    document.addEventListener('mouseup', event => { drag.up = event.timeStamp; }, {capture: true, once: true});
    new MutationObserver(() => drag.changes.push(performance.now()))
        .observe(e.querySelector('img.cbx-image'), {attributes: true, attributeFilter: ['src']});
    slider.addEventListener('input', () => drag.values.push(slider.value));
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
    """Do action(); wait until the explorer's readout and figure both changed, then until the kernel is idle."""
    before = explorer.evaluate(SNAPSHOT)
    action()
    page.wait_for_function(CHANGED, arg=[explorer.element_handle(), before], timeout=20_000)
    page.wait_for_function(IDLE, timeout=20_000)


def busiest_slider(explorer):
    """The slider (a range input) with the most values, or None."""
    sliders = explorer.locator("input[type=range]")
    if not sliders.count():
        return None
    spans = [float(t.get_attribute("max")) - float(t.get_attribute("min")) for t in sliders.all()]
    return sliders.nth(spans.index(max(spans)))


def free_direction(slider, direction):
    """`direction` (+1 right, -1 left), turned back at either end of the slider's range."""
    now, low, high = slider.evaluate("t => [t.value, t.min, t.max].map(Number)")
    return -1 if now >= high else 1 if now <= low else direction


def step(page, explorer, direction=1):
    """One key press: the busiest slider one step in `direction`, else ArrowRight in the first radio group
    (which checks the next option, the last wrapping round to the first, as the WAI-ARIA radio group does)."""
    slider = busiest_slider(explorer)
    if slider is not None:
        slider.focus()
        page.keyboard.press("ArrowRight" if direction > 0 else "ArrowLeft")
        return
    explorer.locator("input[type=radio]:checked").first.focus()
    page.keyboard.press("ArrowRight")


def timed_presses(page, explorer, presses=PRESSES):
    """Key presses READING seconds apart, the slider back and forth; each one's ms from key down to new figure."""
    times, direction, handle = [], 1, busiest_slider(explorer)
    for _ in range(presses):
        if handle is not None:
            direction = free_direction(handle, direction)
        explorer.evaluate(WATCH_PRESS)
        step(page, explorer, direction)
        page.wait_for_function(PRESS_DONE, timeout=20_000)
        page.wait_for_function(IDLE, timeout=20_000)
        times.append(page.evaluate(PRESS_TIMES))
        page.wait_for_timeout(1000 * READING)
    return times


def drag(page, explorer):
    """Drag the busiest slider's handle to the farther end of its track in 20 moves, 30 ms apart.

    Returns how many values the slider passed through, how many figures were shown, how many of them after
    the mouse went up, and the last one's ms after it.
    """
    slider = busiest_slider(explorer)
    page.evaluate(WATCH_DRAG, [explorer.element_handle(), slider.element_handle()])
    now, low, high = slider.evaluate("t => [t.value, t.min, t.max].map(Number)")
    box, thumb = slider.bounding_box(), 8  # Chromium's thumb: 16 px wide, its centre 8 px in from either end
    x = box["x"] + thumb + (now - low) / (high - low) * (box["width"] - 2 * thumb)
    y = box["y"] + box["height"] / 2
    end = box["x"] + (0.05 if x > box["x"] + box["width"] / 2 else 0.95) * box["width"]  # the farther end
    page.mouse.move(x, y)
    page.mouse.down()
    for k in range(1, 21):
        page.mouse.move(x + k * (end - x) / 20, y)
        page.wait_for_timeout(30)
    page.mouse.up()
    quiet = time.monotonic()
    while time.monotonic() - quiet < 1.5:  # until the figure has not changed for 1.5 s
        changes = page.evaluate("window.__drag.changes.length")
        page.wait_for_timeout(250)
        if page.evaluate("window.__drag.changes.length") != changes:
            quiet = time.monotonic()
    page.wait_for_function(IDLE, timeout=20_000)
    seen = page.evaluate("window.__drag")
    after = [t - seen["up"] for t in seen["changes"] if t > seen["up"]]
    return {"values": len(set(seen["values"])), "figures": len(seen["changes"]), "after_release": len(after),
            "last_ms": max(after, default=0.0)}


def mouse_action(explorer):
    """A click on an option not chosen, else on the last slider's track at 10% or 90%, whichever is farther
    from its value (so the click always moves it)."""
    options = explorer.locator(".cbx-option:not(:has(input:checked))")
    if options.count():
        return lambda: options.last.click()
    track = explorer.locator("input[type=range]").last
    now, low, high = track.evaluate("t => [t.value, t.min, t.max].map(Number)")
    at = 0.9 if now - low < (high - low) / 2 else 0.1

    def click_track():
        track.scroll_into_view_if_needed()  # the keyboard pass may have scrolled the notebook
        box = track.bounding_box()
        track.page.mouse.click(box["x"] + at * box["width"], box["y"] + box["height"] / 2)

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


def overlap(a, b):
    """Whether two boxes [left, top, right, bottom] share any area."""
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5


def check_layout(layout):
    """Sliders at least 150 px, controls apart and inside the explorer, the figure at half its pixel size."""
    assert layout["file_browser"] > 150, "the file browser is not open"
    assert layout["tracks"] and min(layout["tracks"]) >= 150 or not layout["tracks"], layout["tracks"]
    left, _, right, _ = layout["explorer"]
    for k, box in enumerate(layout["controls"]):
        assert left - 0.5 <= box[0] and box[2] <= right + 0.5, ("control outside the output area", box, right)
        assert not any(overlap(box, other) for other in layout["controls"][k + 1:]), layout["controls"]
    image = layout["image"]
    assert image["natural"] == [2 * image["css"][0], 2 * image["css"][1]], image  # not stretched, not shrunk
    assert image["box"][2] <= right + 0.5, image


def percentile(values, q):
    """The q-th percentile (0..100) by linear interpolation between the sorted values."""
    values = sorted(values)
    position = (len(values) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def load_average():
    return float(Path("/proc/loadavg").read_text().split()[0])


# The focused element, as a keyboard user meets it: its control name (data-name), kind, and accessible name
# parts (its label, or its radio group's legend and its own label); and its focus ring against the page.
FOCUSED = """() => {
    const e = document.activeElement, explorer = e.closest('.cbx-explorer');
    const style = getComputedStyle(e);
    return {
        inside: explorer !== null, name: e.dataset.name || null, type: e.type || e.tagName,
        label: e.labels && e.labels.length ? e.labels[0].textContent : '',
        legend: e.closest('fieldset') ? e.closest('fieldset').querySelector('legend').textContent : '',
        outline: [style.outlineStyle, parseFloat(style.outlineWidth), style.outlineColor],
        background: explorer ? getComputedStyle(explorer).backgroundColor : '',
    };
}"""


def probe_axe(page):
    """axe-core, limited to the output areas, does see what is wrong there: an image without a text alternative
    and an unnamed button put into an output are reported, then removed."""
    page.evaluate("""() => {
        const probe = document.createElement('div');
        probe.id = 'axe-probe';
        probe.innerHTML = '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><button></button>';
        document.querySelector('.jp-OutputArea-output').append(probe);
    }""")
    try:
        found = count_by_rule(run_axe(page, include=".jp-OutputArea-output"))
    finally:
        page.evaluate("() => document.getElementById('axe-probe').remove()")
    assert {"image-alt", "button-name"} <= set(found), found


def rgb(css):
    """(r, g, b) in 0..1 from a computed CSS colour 'rgb(r, g, b)' or 'rgba(...)'."""
    r, g, b = (float(v) for v in css[css.index("(") + 1:css.index(")")].split(",")[:3])
    return r / 255, g / 255, b / 255


def contrast(a, b):
    from helpers.accessible import contrast_ratio

    return float(contrast_ratio(rgb(a), rgb(b)))


def check_names(explorer):
    """Every control is named by its visible label: a slider by its label, a radio by its text in a group named
    by its legend (with the chosen one checked); the readout is a status region; the figure has a text alternative."""
    group = explorer.get_attribute("aria-label")
    assert group and group.startswith("Explorer: "), group
    for label in explorer.locator(".cbx-slider label").all_text_contents():
        expect(explorer.get_by_role("slider", name=label, exact=True)).to_have_count(1)
    for legend in explorer.locator(".cbx-choice legend").all_text_contents():
        options = explorer.get_by_role("group", name=legend, exact=True).get_by_role("radio")
        assert options.count() >= 2
        expect(options.and_(explorer.locator(":checked"))).to_have_count(1)
    expect(explorer.get_by_role("status")).to_have_count(1)
    alt = explorer.locator("img.cbx-image").get_attribute("alt")
    assert alt and len(alt) > 40 and "panel" in alt.lower(), alt


def by_keyboard(page, explorer, cell):
    """Reach every control of the explorer with Tab from its cell, change each with an arrow key, and check that
    the readout (a status region, the same element) and the figure's text alternative change; returns the
    controls reached in order."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # from no control: a click on
    cell.locator(".jp-InputPrompt").first.click()  # the prompt selects the cell, as Escape and the arrows would
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED)["inside"]:
            break
    reached, status = [], explorer.locator(".cbx-status").element_handle()
    names = explorer.evaluate("e => Array.from(e.querySelectorAll('.cbx-controls > *')).map("
                              "c => c.querySelector('input').dataset.name)")
    while True:
        focused = page.evaluate(FOCUSED)
        if not focused["inside"]:
            break
        assert focused["name"] not in reached, f"{focused['name']} is a second Tab stop of the same control"
        reached.append(focused["name"])
        assert focused["label"] or focused["legend"], focused  # named
        style, width, colour = focused["outline"]
        assert style != "none" and width >= 2, focused  # a visible focus indicator ...
        assert contrast(colour, focused["background"]) >= 3, focused  # ... with at least 3:1 against the page
        control = explorer.locator(f"input[data-name='{focused['name']}']").first
        key = "ArrowRight"
        if focused["type"] == "range" and free_direction(control, 1) < 0:
            key = "ArrowLeft"
        change_and_wait(page, explorer, lambda k=key: page.keyboard.press(k))
        assert page.evaluate(FOCUSED)["name"] == focused["name"], "the key moved the focus off its control"
        assert status.evaluate("e => e.isConnected"), "the status region was replaced, not updated"
        page.keyboard.press("Tab")
    assert reached == names, (reached, names)
    return reached


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_in_jupyterlab(browser, lab, screenshots, name):
    base, token = lab
    page = browser.new_page(viewport=VIEWPORT, device_scale_factor=2)
    page.add_init_script(WEBSOCKET_LOG)
    try:
        # a fresh, named workspace per notebook: no tabs restored from the previous test
        page.goto(f"{base}/lab/workspaces/{name[:2]}/tree/{name}?token={token}")
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
        start = time.perf_counter()
        run_all(page)
        RUN_TIMES[name] = time.perf_counter() - start
        assert error_outputs(page) == []
        expect(page.locator(".jp-CodeCell .jp-InputPlaceholder")).to_have_count(collapsed_code_cells(name))

        explorers = page.locator(EXPLORERS)
        expect(explorers).to_have_count(stored_explorers(name), timeout=20_000)  # each explorer shown, then driven
        violations = run_axe(page, include=".jp-OutputArea-output")
        AXE_REPORT[name] = len(violations)
        assert not violations, format_violations(violations)
        if name == NOTEBOOKS[0]:
            probe_axe(page)
            LAB_INTERFACE.update(count_by_rule(run_axe(page)))  # JupyterLab's own interface: reported, not ours
        for k in range(explorers.count()):
            explorer = explorers.nth(k)
            show(explorer)
            check_names(explorer)
            layout = explorer.evaluate(LAYOUT)
            check_layout(layout)
            load_before = load_average()
            presses = timed_presses(page, explorer)
            totals = [p["total"] for p in presses]
            report = {"presses": presses, "median_ms": statistics.median(totals), "p90_ms": percentile(totals, 90),
                      "image_px": layout["image"]["natural"], "image_css": layout["image"]["css"],
                      "tracks_px": layout["tracks"], "load_average": [load_before, load_average()],
                      "reading_s": READING}
            if busiest_slider(explorer) is not None:
                report["drag"] = dragged = drag(page, explorer)
                assert dragged["after_release"] <= 2, dragged  # no queue of redraws behind the hand
                assert dragged["last_ms"] < 1000, dragged
                # the last position wins: the figure shown is the slider's value's, as a step away and back shows
                settled = explorer.evaluate(SNAPSHOT)[0]
                away = free_direction(busiest_slider(explorer), 1)
                for direction in (away, -away):
                    change_and_wait(page, explorer, lambda d=direction, e=explorer: step(page, e, d))
                assert explorer.evaluate(SNAPSHOT)[0] == settled
            REPORT.setdefault(name, []).append(report)
            assert report["median_ms"] < 1000, report  # loose: a redraw that broke, not a slow machine
            # after the timed presses, which meet the explorer as a learner first does
            KEYBOARD[name] = by_keyboard(page, explorer, page.locator(".jp-CodeCell").filter(has=explorer))
            change_and_wait(page, explorer, mouse_action(explorer))
            assert "Not possible" not in explorer.evaluate(SNAPSHOT)[0]
        assert error_outputs(page) == []
        violations = run_axe(page, include=".jp-OutputArea-output")  # again, after every explorer has moved
        assert not violations, format_violations(violations)
        if explorers.count():
            show(explorers.first)
        page.screenshot(path=str(screenshots / name.replace(".ipynb", ".png")))
    finally:
        page.close()
        shut_down_kernels(base, token)
