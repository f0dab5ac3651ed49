"""The Explorer widget wrapper and the static `show` used before each explorer."""

import io
from collections import OrderedDict
from contextlib import contextmanager

import matplotlib.pyplot as plt
from IPython.display import HTML, display

__all__ = ["Explorer", "show", "png_bytes"]


def png_bytes(fig, dpi=100):
    """Render a figure to PNG bytes and close it (so the inline backend does not show it too)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})  # fast; 5% bigger
    plt.close(fig)
    return buffer.getvalue()


class Explorer:
    """Widgets that drive a pure figure function.

    figure_fn(**state) -> (fig, text), where state maps each control's name
    to its value.  The figure is rendered to a PNG, shown in an Image widget
    whose value is replaced in place (no clearing, no flicker), and closed:
    only the PNG and the text are kept.  adjust(controls, change), if given,
    runs first on every change, to update dependent controls (a slider's
    range, say) without a second redraw.  The ``remember`` most recent states
    are kept (PNG and text, about 50 KB each), so moving a slider back is
    instant; ``remember=0`` redraws every time.  The current PNG and text are
    ``.png`` (``b""`` when the state is impossible) and ``.text``.
    """

    def __init__(self, figure_fn, controls, adjust=None, remember=64):
        import ipywidgets as widgets  # imported here: the pure functions need no widgets

        self.figure_fn, self.controls, self.adjust = figure_fn, controls, adjust
        self.remember, self.drawn = remember, OrderedDict()  # state -> (png, text), oldest first
        self.readout = widgets.HTML()
        self.image = widgets.Image(format="png")
        self.widget = widgets.VBox([widgets.HBox(list(controls.values())), self.readout, self.image])
        self.png, self.text, self._held = b"", "", False
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
        self.redraw()

    def _on_change(self, change):
        if self._held:
            return
        with self.hold():
            if self.adjust is not None:
                self.adjust(self.controls, change)

    def _draw(self, state):
        """(png, text) of a state; an impossible combination of controls is a message, no figure."""
        try:
            fig, text = self.figure_fn(**state)
        except ValueError as err:
            return b"", f"<b>Not possible:</b> {err}"
        return png_bytes(fig), text  # png_bytes closes the figure: nothing else of it is kept

    def redraw(self):
        key = tuple(self.state.items())
        if key in self.drawn:
            self.drawn.move_to_end(key)
            png, text = self.drawn[key]
        else:
            png, text = self._draw(self.state)
            if self.remember:
                self.drawn[key] = png, text
                if len(self.drawn) > self.remember:
                    self.drawn.popitem(last=False)
        self.png, self.text = png, text
        self.readout.value = text
        self.image.layout.display = None if png else "none"
        if png:
            self.image.value = png

    def _ipython_display_(self):
        display(self.widget)


def show(fig, text):
    """Display a figure function's result statically: the readout, then the figure."""
    display(HTML(text))
    display(fig)
    plt.close(fig)
