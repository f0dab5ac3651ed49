"""A state drawn: the figure function's figure as a PNG, with its readout and text alternative.

An explorer must answer a hand on a slider within 0.1 s, so a figure is
drawn straight to pixels by the Agg canvas (no pyplot) at 2x and encoded as
an RGB PNG at low compression.  `make bench` (``--only explorers``) times
each step: the figure function's computation, the drawing, the encoding.
"""

import io
import time
from typing import NamedTuple

from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from ..accessible import close_if_pyplot, describe
from ..plotting import SCREEN_DPI

__all__ = ["PIXELS_PER_INCH", "render", "Drawn", "draw_state"]

PIXELS_PER_INCH = 2 * SCREEN_DPI  # shown at half size: one image pixel per screen pixel on a 2x display


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
