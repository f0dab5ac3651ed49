"""The Explorer widget wrapper and the static `show` used before each explorer.

An explorer must answer a hand on a slider: a key press should show the new
figure within 0.1 s.  So a state is drawn straight to pixels with the Agg
canvas (no pyplot), encoded as an RGB PNG at low compression, and kept; while
the learner reads a figure, a background thread draws the states one step
away, so that the next key press usually ships a PNG already made.  Changes
that arrive while a figure is being drawn are not queued: the widgets'
front end holds back all but the last one until the kernel is idle again,
so the last position wins.  `make bench` and the browser tests measure each
step (see the README's performance section).
"""

import io
import re
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from typing import NamedTuple

from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from ..accessible import close_if_pyplot, describe, figure_bundle
from ..plotting import SCREEN_DPI

__all__ = ["Explorer", "show", "render", "draw_state", "Drawn", "neighbours"]

PIXELS_PER_INCH = 2 * SCREEN_DPI  # shown at half size: one image pixel per screen pixel on a 2x display
QUIET = 0.05  # seconds without a change before the background thread starts drawing neighbours


class _Gate:
    """One figure drawn at a time in this process, and none in the background while a cell runs.

    A figure function may share state with the learner's code: notebook 07's
    explorer runs the model's forward and backward passes, and each layer
    keeps what its forward pass computed for its backward pass.  So explorers
    draw one figure at a time (``drawing``), and a background thread draws
    only between cells: IPython's pre_run_cell waits for its figure to end.
    """

    def __init__(self):
        self.drawing = threading.Lock()
        self.cells = threading.Condition()
        self.cell_running, self.hooked = False, False

    def hook(self):
        """Follow IPython's cells (once per process; nothing to follow outside IPython)."""
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
        if shell is not None and not self.hooked:
            shell.events.register("pre_run_cell", self.before_cell)
            shell.events.register("post_run_cell", self.after_cell)
            self.hooked = True

    def before_cell(self, info=None):
        with self.cells:
            self.cell_running = True
        with self.drawing:  # a background figure in progress ends first
            pass

    def after_cell(self, result=None):
        with self.cells:
            self.cell_running = False
            self.cells.notify_all()

    def wait_for_no_cell(self):
        with self.cells:
            while self.cell_running:
                self.cells.wait()


_GATE = _Gate()


def render(fig, dpi=PIXELS_PER_INCH):
    """Draw a figure and encode it: returns (png bytes, (width, height) in pixels, {"draw", "encode": seconds}).

    The figure is drawn by the Agg canvas at `dpi` and encoded as an RGB PNG
    at zlib level 1 (no alpha: the figures are opaque; level 1 takes a third
    less time than the default 6, for about 15% more bytes).  A figure made by
    pyplot is closed, so that the inline backend does not show it too.
    """
    start = time.perf_counter()
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    fig.set_dpi(dpi)
    canvas.draw()
    drawn = time.perf_counter()
    size = canvas.get_width_height(physical=True)
    buffer = io.BytesIO()
    Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB").save(
        buffer, format="png", compress_level=1)
    close_if_pyplot(fig)
    return buffer.getvalue(), size, {"draw": drawn - start, "encode": time.perf_counter() - drawn}


class Drawn(NamedTuple):
    """One state drawn: the PNG (b"" when impossible), its (width, height) in pixels, the readout, the
    image's text alternative, and timings in seconds (see :func:`draw_state`)."""

    png: bytes
    size: tuple
    text: str
    alt: str
    timings: dict


def draw_state(figure_fn, state):
    """figure_fn(**state) drawn to a PNG, with its readout and text alternative: a :class:`Drawn`.

    timings: "compute", the figure function's time before it made its figure
    (``fig.created``, set by helpers.plotting.figure); "draw", the rest of it
    and the drawing of the pixels; "encode", the PNG; "figure", the whole
    figure function.  An impossible state (a ValueError) is a message and no
    figure.
    """
    start = time.perf_counter()
    try:
        fig, text = figure_fn(**state)
    except ValueError as err:
        return Drawn(b"", (0, 0), f"<b>Not possible:</b> {err}", "", {})
    built = time.perf_counter()
    alt = describe(fig)
    png, size, timings = render(fig)
    created = getattr(fig, "created", start)
    timings.update(compute=created - start, figure=built - start, draw=built - created + timings["draw"])
    return Drawn(png, size, text, alt, timings)


def neighbours(controls, moved=None, direction=1):
    """The likely next states, most likely first, as the Explorer's keys (tuples of (name, value) pairs).

    controls: {name: Slider or Choice};  moved: the name of the control moved last, or
    None.  After a move: that control's next two steps in `direction` (+1 or
    -1), then its step back (a hand on a slider goes on, or comes back).
    Before any move: one step of every control, each way.
    """
    state = {name: control.value for name, control in controls.items()}
    if moved is None:
        names, steps = list(controls), (1, -1)
    else:
        names, steps = [moved], (direction, 2 * direction, -direction)
    keys = []
    for name in names:
        values = controls[name].values()
        if controls[name].value not in values:  # a float slider between its steps
            continue
        k = values.index(controls[name].value)
        keys.extend(tuple({**state, name: values[k + d]}.items()) for d in steps if 0 <= k + d < len(values))
    return keys


class Explorer:
    """Controls that drive a pure figure function, shown as one accessible widget (:class:`~.panel.Panel`).

    figure_fn(**state) -> (fig, text), where state maps each control's name
    to its value;  controls: {name: Slider or Choice} (helpers.explorers.panel),
    in display order;  label: the explorer's accessible name.  The figure is
    rendered to a PNG, shown at half its pixel size (crisp on a 2x display;
    100 CSS pixels per inch of figure) with a text alternative made from its
    data, and closed; the text is the readout, a status region that screen
    readers announce.  adjust(controls, change), if given, runs first on
    every change, to update dependent controls (a slider's range, say)
    without a second redraw.  The ``remember`` most recent states are kept
    (about 0.1 MB each), so moving back is instant; ``remember=0`` redraws
    every time.  prefetch: draw the likely next states (:func:`neighbours`)
    in a background thread while the learner reads, never while a cell runs
    (default: in a Jupyter kernel).  The state shown is ``.png`` (``b""``
    when impossible), ``.size``, ``.text`` and ``.alt``; ``.timings`` has the
    seconds of the last state drawn for a change (see :func:`draw_state`).
    """

    def __init__(self, figure_fn, controls, adjust=None, remember=64, prefetch=None, label="Explorer"):
        from .panel import Panel  # imported here: the figure functions need no widgets

        self.figure_fn, self.controls, self.adjust = figure_fn, controls, adjust
        self.remember, self.drawn = remember, OrderedDict()  # state -> Drawn without timings, oldest first
        self.prefetch = bool(remember) and (_in_kernel() if prefetch is None else prefetch)
        self.panel = Panel(label=label, controls=self._specs(), values=self.state)
        self.png, self.size, self.text, self.alt, self.timings = b"", (0, 0), "", "", {}
        self._held, self._key, self._moved = 0, None, (None, 1)
        self._lock = threading.Condition()  # guards drawn, _todo and _busy, shared with the thread
        self._todo, self._busy, self._thread, self._changed_at = [], None, None, 0.0
        if self.prefetch:
            _GATE.hook()
        for control in controls.values():
            control.observe(self._on_change, names="value")
            control.observe(self._on_limits, names=["min", "max", "step", "options"])
        self.panel.observe(self._from_page, names="values")
        self.redraw()

    @property
    def state(self):
        return {name: control.value for name, control in self.controls.items()}

    def _specs(self):
        return [{"name": name, **control.spec()} for name, control in self.controls.items()]

    @contextmanager
    def hold(self):
        """Change several controls with one redraw at the end (nested holds: at the end of the outermost)."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
        if not self._held and tuple(self.state.items()) != self._key:  # else nothing changed, or set back
            self.redraw()

    def _from_page(self, change):
        """A learner moved a control in the page: set it, with one redraw."""
        with self.panel.hold_sync(), self.hold():
            for name, value in change["new"].items():
                if name in self.controls and self.controls[name].value != value:
                    self.controls[name].value = value

    def _on_limits(self, change):
        self.panel.controls = self._specs()

    def _on_change(self, change):
        """A control changed (in the page or in code): adjust the others, then redraw unless held."""
        owner = change["owner"]
        order = owner.values().index if hasattr(owner, "options") else float
        name = next((n for n, c in self.controls.items() if c is owner), None)
        self._moved = (name, 1 if order(change["new"]) > order(change["old"]) else -1)
        with self.panel.hold_sync(), self.hold():  # new limits and the new figure: one message to the page
            if self.adjust is not None:
                self.adjust(self.controls, change)

    def _remember(self, key, drawn):
        """Keep a drawn state (the caller holds the lock)."""
        if self.remember:
            self.drawn[key] = drawn
            self.drawn.move_to_end(key)
            if len(self.drawn) > self.remember:
                self.drawn.popitem(last=False)

    def redraw(self):
        """Show the controls' state: from the states kept, else drawn now."""
        key = tuple(self.state.items())
        with self._lock:
            self._todo = []  # the neighbours of the previous state are no longer next
            while self._busy == key:  # the thread is drawing this very state: wait for it
                self._lock.wait()
            drawn = self.drawn.get(key)
            if drawn is not None:
                self.drawn.move_to_end(key)
        if drawn is None:
            with _GATE.drawing:
                drawn = draw_state(self.figure_fn, dict(key))
            self.timings = drawn.timings
            with self._lock:
                self._remember(key, drawn._replace(timings={}))
        self._show(key, drawn)
        if self.prefetch:
            self._plan()

    def _show(self, key, drawn):
        self._key, self.png, self.size, self.text, self.alt = key, drawn.png, drawn.size, drawn.text, drawn.alt
        with self.panel.hold_sync():  # one message to the page: figure, text alternative and readout together
            self.panel.png, self.panel.alt, self.panel.status = drawn.png, drawn.alt, drawn.text
            # one image pixel per device pixel on a 2x display: half the pixels in CSS pixels
            self.panel.width, self.panel.height = drawn.size[0] // 2, drawn.size[1] // 2
            if self.panel.values != dict(key):  # set by code or adjusted: the page learns the new values
                self.panel.values = dict(key)

    def _plan(self):
        """Hand the likely next states to the background thread, which starts after a quiet moment."""
        with self._lock:
            todo = [k for k in neighbours(self.controls, *self._moved) if k not in self.drawn]
            self._todo, self._changed_at = todo[:self.remember // 2], time.monotonic()
            self._lock.notify_all()
        if self._thread is None:
            self._thread = threading.Thread(target=self._prefetch_forever, name="explorer-prefetch", daemon=True)
            self._thread.start()

    def _prefetch_forever(self):
        """The background thread: draw the planned states, one at a time, while no control moves and no cell runs."""
        while True:
            with self._lock:
                while not self._todo:
                    self._lock.wait()
                quiet = self._changed_at + QUIET - time.monotonic()
                if quiet > 0:  # a hand still moving: wait, the plan may change
                    self._lock.wait(quiet)
                    continue
            _GATE.wait_for_no_cell()
            with _GATE.drawing:
                with self._lock:
                    if _GATE.cell_running or not self._todo or self._changed_at + QUIET > time.monotonic():
                        continue  # a cell started, or a control moved, while this thread waited
                    key = self._todo.pop(0)
                    if key in self.drawn:
                        continue
                    self._busy = key
                try:
                    drawn = draw_state(self.figure_fn, dict(key))._replace(timings={})
                except Exception:  # noqa: BLE001  the main thread draws it again and shows the error
                    drawn = None
                with self._lock:
                    if drawn is not None:
                        self._remember(key, drawn)
                    self._busy = None
                    self._lock.notify_all()

    def _repr_mimebundle_(self, **kwargs):
        """The widget; where no widget can be shown (GitHub, a terminal), its readout and a word on the kernel."""
        data, metadata = self.panel._repr_mimebundle_(**kwargs)
        data["text/plain"] = (f"{self.panel.label} (its controls need a running kernel). "
                              f"{_plain(self.text)} Figure: {self.alt}")
        return data, metadata


def _in_kernel():
    """Whether this runs in a Jupyter kernel (where a background thread can draw while the learner reads)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return getattr(get_ipython(), "kernel", None) is not None


def _plain(html_text):
    """The readout's HTML as plain text."""
    return re.sub(r"<[^>]+>", "", html_text)


def show(fig, text):
    """Display a figure function's result statically: the readout, then the figure with its text alternative.

    The figure is displayed as a PNG cropped to its content, at half its
    pixel size (see helpers.accessible.figure_bundle).
    """
    from IPython.display import HTML, display

    display(HTML(text))
    data, metadata = figure_bundle(fig)
    display(data, metadata=metadata, raw=True)
    close_if_pyplot(fig)
