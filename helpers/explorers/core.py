"""The Explorer widget wrapper and the static `show` used before each explorer."""

import io
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
    to its value.  The figure is shown as a PNG in an Image widget whose value
    is replaced in place (no clearing, no flicker).  adjust(controls, change),
    if given, runs first on every change, to update dependent controls (a
    slider's range, say) without a second redraw.  States already drawn are
    kept (``remember=True``), so moving a slider back is instant.  The last
    figure, PNG and text stay in ``.figure``, ``.png`` and ``.text``.
    """

    def __init__(self, figure_fn, controls, adjust=None, remember=True):
        import ipywidgets as widgets  # imported here: the pure functions need no widgets

        self.figure_fn, self.controls, self.adjust = figure_fn, controls, adjust
        self.drawn = {} if remember else None  # state -> (figure, png, text)
        self.readout = widgets.HTML()
        self.image = widgets.Image(format="png")
        self.widget = widgets.VBox([widgets.HBox(list(controls.values())), self.readout, self.image])
        self.figure, self.png, self.text, self._held = None, b"", "", False
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
        try:
            fig, text = self.figure_fn(**state)
        except ValueError as err:  # an impossible combination of controls: say so, draw nothing
            return None, b"", f"<b>Not possible:</b> {err}"
        return fig, png_bytes(fig), text

    def redraw(self):
        state = self.state
        key = tuple(state.items())
        if self.drawn is not None and key in self.drawn:
            fig, png, text = self.drawn[key]
        else:
            fig, png, text = self._draw(state)
            if self.drawn is not None:
                self.drawn[key] = fig, png, text
        self.figure, self.png, self.text = fig, png, text
        self.readout.value = text
        self.image.layout.display = None if fig is not None else "none"
        if fig is not None:
            self.image.value = self.png

    def _ipython_display_(self):
        display(self.widget)


def show(fig, text):
    """Display a figure function's result statically: the readout, then the figure."""
    display(HTML(text))
    display(fig)
    plt.close(fig)
