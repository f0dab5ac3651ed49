"""The Explorer: controls that drive a pure figure function, and the static `show` used before each explorer.

An explorer observes its controls (changed in code or in the page), draws
the state (helpers/explorers/drawing.py) and shows the figure, its text
alternative and the readout together in one widget (helpers/explorers/panel.py).
What makes it answer within 0.1 s lives apart: the states kept
(_cache.py), the background thread that draws the next ones while the
learner reads (_prefetch.py), and the gate that keeps it to one figure at a
time and out of running cells (_gate.py); benchmarks/README.md measures them.
"""

import re
from contextlib import contextmanager

from ..accessible import show_figure
from ._cache import StateCache
from ._gate import GATE, in_kernel
from ._prefetch import Prefetcher, neighbours
from .drawing import draw_state

__all__ = ["Explorer", "show"]


class Explorer:
    """Controls that drive a pure figure function, shown as one accessible widget (:class:`~.panel.Panel`).

    figure_fn(**state) -> (fig, text), where state maps each control's name
    to its value;  controls: {name: Slider or Choice} (helpers.explorers.controls),
    in display order;  label: the explorer's accessible name.  The figure is
    rendered to a PNG, shown at half its pixel size (crisp on a 2x display;
    100 CSS pixels per inch of figure) with a text alternative made from its
    data, and closed; the text is the readout, a status region that screen
    readers announce.  adjust(controls, change), if given, runs first on
    every change, to update dependent controls (a slider's range, say)
    without a second redraw.  The ``remember`` most recent states are kept
    (about 0.1 MB each), so moving back is instant; ``remember=0`` redraws
    every time.  prefetch: draw the likely next states in a background thread
    while the learner reads, never while a cell runs (default: in a Jupyter
    kernel).  The state shown is ``.png`` (``b""`` when impossible),
    ``.size``, ``.text`` and ``.alt``; ``.timings`` has the seconds of the
    last state drawn for a change (see :func:`~.drawing.draw_state`).
    """

    def __init__(self, figure_fn, controls, adjust=None, remember=64, prefetch=None, label="Explorer"):
        from .panel import Panel  # imported here: the figure functions need no widgets

        self.figure_fn, self.controls, self.adjust = figure_fn, controls, adjust
        self.png, self.size, self.text, self.alt, self.timings = b"", (0, 0), "", "", {}
        self.drawn = StateCache(remember)  # state key -> Drawn without timings, oldest first
        self.prefetch = bool(remember) and (in_kernel() if prefetch is None else prefetch)
        self.background = Prefetcher(self.drawn, self._draw) if self.prefetch else None
        self._held, self._key, self._moved = 0, None, (None, 1)
        self.panel = Panel(label=label, controls=self._specs(), values=self.state)
        for control in controls.values():
            control.observe(self._on_change, names="value")
            control.observe(self._on_limits, names=["min", "max", "step", "options"])
        self.panel.observe(self._from_page, names="values")
        self.redraw()

    @property
    def state(self):
        return {name: control.value for name, control in self.controls.items()}

    @property
    def remember(self):
        return self.drawn.size

    def _specs(self):
        return [{"name": name, **control.spec()} for name, control in self.controls.items()]

    # ---- observe: a control changed, in the page or in code --------------------------------------

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
        """Adjust the other controls, then redraw unless held."""
        owner = change["owner"]
        order = owner.values().index if hasattr(owner, "options") else float
        name = next((n for n, c in self.controls.items() if c is owner), None)
        self._moved = (name, 1 if order(change["new"]) > order(change["old"]) else -1)
        with self.panel.hold_sync(), self.hold():  # new limits and the new figure: one message to the page
            if self.adjust is not None:
                self.adjust(self.controls, change)

    # ---- draw: the state kept, else drawn now ------------------------------------------------------

    def _draw(self, key):
        return draw_state(self.figure_fn, dict(key))

    def redraw(self):
        """Show the controls' state: kept, else drawn now; then plan the likely next states."""
        key = tuple(self.state.items())
        if self.background is not None:
            self.background.forget()
        drawn = self.drawn.lookup(key)  # waits if the background thread is drawing this very state
        if drawn is None:
            with GATE.drawing:
                drawn = self._draw(key)
            self.timings = drawn.timings
            with self.drawn.lock:
                self.drawn.keep(key, drawn._replace(timings={}))
        self._show(key, drawn)
        if self.background is not None:
            self.background.plan(neighbours(self.controls, *self._moved))

    # ---- show: figure, text alternative and readout in one message to the page ---------------------

    def _show(self, key, drawn):
        self._key, self.png, self.size, self.text, self.alt = key, drawn.png, drawn.size, drawn.text, drawn.alt
        with self.panel.hold_sync():
            self.panel.png, self.panel.alt, self.panel.status = drawn.png, drawn.alt, drawn.text
            # one image pixel per device pixel on a 2x display: half the pixels in CSS pixels
            self.panel.width, self.panel.height = drawn.size[0] // 2, drawn.size[1] // 2
            if self.panel.values != dict(key):  # set by code or adjusted: the page learns the new values
                self.panel.values = dict(key)

    def _repr_mimebundle_(self, **kwargs):
        """The widget; where no widget can be shown (GitHub, a terminal), its readout and a word on the kernel."""
        data, metadata = self.panel._repr_mimebundle_(**kwargs)
        plain = re.sub(r"<[^>]+>", "", self.text)  # the readout's HTML as plain text
        data["text/plain"] = f"{self.panel.label} (its controls need a running kernel). {plain} Figure: {self.alt}"
        return data, metadata


def show(fig, text):
    """Display a figure function's result statically: the readout, then the figure with its text alternative.

    The figure is displayed as a PNG cropped to its content, at half its
    pixel size (see helpers.accessible.figure_bundle), and closed.
    """
    from IPython.display import HTML, display

    display(HTML(text))
    show_figure(fig)
