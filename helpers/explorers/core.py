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
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager

from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from ..plotting import SCREEN_DPI

__all__ = ["Explorer", "show", "render", "draw_state", "neighbours"]

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
    if fig.canvas.manager is not None:  # made by pyplot
        import matplotlib.pyplot as plt

        plt.close(fig)
    return buffer.getvalue(), size, {"draw": drawn - start, "encode": time.perf_counter() - drawn}


def draw_state(figure_fn, state):
    """figure_fn(**state) drawn to a PNG: (png, (width, height) pixels, text, timings in seconds).

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
        return b"", (0, 0), f"<b>Not possible:</b> {err}", {}
    built = time.perf_counter()
    png, size, timings = render(fig)
    created = getattr(fig, "created", start)
    timings.update(compute=created - start, figure=built - start, draw=built - created + timings["draw"])
    return png, size, text, timings


def _options(control):
    """The values a control can take, in order, when it has a short list of them (toggles, dropdowns)."""
    return [option[1] if isinstance(option, tuple) else option for option in control.options]


def _values(control):
    """Every value a control can take, in order: its options, or its range in steps."""
    if hasattr(control, "options"):
        return _options(control)
    return [control.min + k * control.step for k in range(int((control.max - control.min) / control.step) + 1)]


def neighbours(controls, moved=None, direction=1):
    """The likely next states, most likely first, as the Explorer's keys (tuples of (name, value) pairs).

    controls: {name: widget};  moved: the name of the control moved last, or
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
        values = _values(controls[name])
        if controls[name].value not in values:  # a float slider between its steps
            continue
        k = values.index(controls[name].value)
        keys.extend(tuple({**state, name: values[k + d]}.items()) for d in steps if 0 <= k + d < len(values))
    return keys


class Explorer:
    """Widgets that drive a pure figure function.

    figure_fn(**state) -> (fig, text), where state maps each control's name
    to its value.  The figure is rendered to a PNG, shown in an Image widget
    at half its pixel size (crisp on a 2x display; 100 CSS pixels per inch
    of figure) whose value is replaced in place, and closed: only the PNG and
    the text are kept.  adjust(controls, change), if given, runs first on
    every change, to update dependent controls (a slider's range, say)
    without a second redraw.  The ``remember`` most recent states are kept
    (PNG and text, about 0.1 MB each), so moving back is instant;
    ``remember=0`` redraws every time.  prefetch: draw the likely next states
    (:func:`neighbours`) in a background thread while the learner reads,
    never while a cell runs (default: in a Jupyter kernel).  The current PNG
    and text are ``.png`` (``b""`` when the state is impossible) and
    ``.text``; ``.timings`` has the seconds of the last state drawn for a
    change (see :func:`draw_state`).
    """

    def __init__(self, figure_fn, controls, adjust=None, remember=64, prefetch=None):
        import ipywidgets as widgets  # imported here: the pure functions need no widgets

        self.figure_fn, self.controls, self.adjust = figure_fn, controls, adjust
        self.remember, self.drawn = remember, OrderedDict()  # state -> (png, size, text), oldest first
        self.prefetch = bool(remember) and (_in_kernel() if prefetch is None else prefetch)
        self.readout = widgets.HTML()
        self.image = widgets.Image(format="png")
        for control in controls.values():
            control.layout.flex = "0 0 auto"  # a row too narrow for the controls wraps; no control shrinks
            if hasattr(control, "readout"):  # a slider: its track at least 150 px wide
                control.layout.width = "360px"
                control.style.description_width = "80px"
        bar = widgets.HBox(list(controls.values()), layout={"flex_flow": "row wrap"})
        self.widget = widgets.VBox([bar, self.readout, self.image])
        self.png, self.size, self.text, self.timings = b"", (0, 0), "", {}
        self._held, self._key, self._moved = False, None, (None, 1)
        self._lock = threading.Condition()  # guards drawn, _todo and _busy, shared with the thread
        self._todo, self._busy, self._thread, self._changed_at = [], None, None, 0.0
        if self.prefetch:
            _GATE.hook()
        for control in controls.values():
            control.observe(self._on_change, names="value")
        self.redraw()

    @property
    def state(self):
        return {name: control.value for name, control in self.controls.items()}

    @contextmanager
    def hold(self):
        """Change several controls with one redraw at the end."""
        self._held = True
        try:
            yield
        finally:
            self._held = False
        if tuple(self.state.items()) != self._key:  # else nothing changed: a value set back, a range not clamped
            self.redraw()

    def _on_change(self, change):
        if self._held:
            return
        owner = change["owner"]
        order = _options(owner).index if hasattr(owner, "options") else float
        name = next((n for n, c in self.controls.items() if c is owner), None)
        self._moved = (name, 1 if order(change["new"]) > order(change["old"]) else -1)
        with self.hold():
            if self.adjust is not None:
                self.adjust(self.controls, change)

    def _remember(self, key, png, size, text):
        """Keep a drawn state (the caller holds the lock)."""
        if self.remember:
            self.drawn[key] = png, size, text
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
            kept = self.drawn.get(key)
            if kept is not None:
                self.drawn.move_to_end(key)
        if kept is None:
            with _GATE.drawing:
                png, size, text, self.timings = draw_state(self.figure_fn, dict(key))
            with self._lock:
                self._remember(key, png, size, text)
        else:
            png, size, text = kept
        self._show(key, png, size, text)
        if self.prefetch:
            self._plan()

    def _show(self, key, png, size, text):
        self._key, self.png, self.size, self.text = key, png, size, text
        self.readout.value = text
        if png:  # one image pixel per device pixel on a 2x display: half the pixels in CSS pixels
            self.image.layout.width, self.image.layout.height = f"{size[0] / 2:g}px", f"{size[1] / 2:g}px"
            self.image.value = png
        self.image.layout.display = None if png else "none"

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
                    png, size, text, _ = draw_state(self.figure_fn, dict(key))
                except Exception:  # noqa: BLE001  the main thread draws it again and shows the error
                    png = None
                with self._lock:
                    if png is not None:
                        self._remember(key, png, size, text)
                    self._busy = None
                    self._lock.notify_all()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def _in_kernel():
    """Whether this runs in a Jupyter kernel (where a background thread can draw while the learner reads)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return getattr(get_ipython(), "kernel", None) is not None


def show(fig, text):
    """Display a figure function's result statically: the readout, then the figure.

    The figure is displayed as a PNG cropped to its content, as the inline
    backend stores a pyplot figure (these figures are not pyplot's, so no
    backend displays them by itself).
    """
    from IPython.display import HTML, Image, display

    display(HTML(text))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    display(Image(buffer.getvalue(), format="png"))
    if fig.canvas.manager is not None:  # made by pyplot: the inline backend would show it a second time
        import matplotlib.pyplot as plt

        plt.close(fig)
