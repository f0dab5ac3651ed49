"""The Explorer widget wrapper and the static `show` used before each explorer."""

from contextlib import contextmanager

import matplotlib.pyplot as plt
from IPython.display import HTML, clear_output, display

__all__ = ["Explorer", "show"]


class Explorer:
    """Widgets that drive a pure figure function.

    figure_fn(**state) -> (fig, text), where state maps each control's name
    to its value.  The last figure and text stay in ``.figure`` and ``.text``.
    """

    def __init__(self, figure_fn, controls):
        import ipywidgets as widgets  # imported here: the pure functions need no widgets

        self.figure_fn = figure_fn
        self.controls = controls
        self.readout = widgets.HTML()
        self.output = widgets.Output(layout={"min_height": "120px"})
        self.widget = widgets.VBox([widgets.HBox(list(controls.values())), self.readout, self.output])
        self.figure, self.text, self._held = None, "", False
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

    def _on_change(self, _change):
        if not self._held:
            self.redraw()

    def redraw(self):
        try:
            fig, text = self.figure_fn(**self.state)
        except ValueError as err:  # an impossible combination of controls
            fig, text = None, f"<b>Not possible:</b> {err}"
        with self.output:
            clear_output(wait=True)  # wait: no flicker between the old and new figure
            if fig is not None:
                display(fig)
        if fig is not None:
            plt.close(fig)  # the inline backend must not show it a second time
        self.figure, self.text = fig, text
        self.readout.value = text

    def _ipython_display_(self):
        display(self.widget)


def show(fig, text):
    """Display a figure function's result statically: the readout, then the figure."""
    display(HTML(text))
    display(fig)
    plt.close(fig)
