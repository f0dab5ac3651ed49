"""An explorer's one widget, built for the keyboard and for screen readers.

The controls (helpers.explorers.controls) are shown in :class:`Panel`, one
anywidget whose front end (panel.js, panel.css) uses the browser's own
controls: a labelled
``<input type="range">`` per slider and a named group of radio buttons per
choice, so each control's accessible name is its visible label and the keys
are the platform's (arrows, Home, End, Page Up/Down).  The readout is a
status region whose text changes in place, so a screen reader announces what
the new figure shows; the image's text alternative changes with it.
"""

from pathlib import Path

import anywidget
import traitlets

__all__ = ["Panel"]

HERE = Path(__file__).resolve().parent


class Panel(anywidget.AnyWidget):
    """The page side of an explorer: its controls, the readout (a status region) and the image with its alt.

    controls: [{"name", "kind", "label", ...spec}] in display order;  values:
    {name: value}, changed by the page when a learner moves a control;  png:
    the figure (empty when the state is impossible), shown width x height CSS
    pixels;  alt: its text alternative;  status: the readout (HTML: <b>, <i>,
    <code>);  label: the explorer's accessible name.
    """

    _esm = (HERE / "panel.js").read_text()
    _css = (HERE / "panel.css").read_text()
    label = traitlets.Unicode().tag(sync=True)
    controls = traitlets.List().tag(sync=True)
    values = traitlets.Dict().tag(sync=True)
    png = traitlets.Bytes().tag(sync=True)
    width = traitlets.Int().tag(sync=True)
    height = traitlets.Int().tag(sync=True)
    alt = traitlets.Unicode().tag(sync=True)
    status = traitlets.Unicode().tag(sync=True)
