"""Figures everyone can read: a text alternative made from a figure's own data, and the checks behind it.

:func:`describe` reads a matplotlib figure's artists, not its pixels: each
panel's title, every grid's shape, extremes and outlined cells, every line's
style, range and highest point, bars, images and axis labels.  So the text
says what the figure says, from the same numbers, and it changes whenever the
figure does.  :func:`show_figure` displays a figure with that text as its
``alt`` (in JupyterLab, on the static site and on GitHub) after
:func:`check_readable` has refused text smaller than 10 CSS pixels as shown
and line series told apart by colour alone.  :func:`text_colour` picks black
or white writing for a cell, whichever contrasts more (always >= 4.5:1).
"""

import base64
import html
import io

import numpy as np
from matplotlib.collections import QuadMesh
from matplotlib.container import BarContainer
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

__all__ = ["describe", "show_figure", "figure_bundle", "check_readable", "text_colour", "contrast_ratio",
           "MIN_TEXT_PX", "OUTPUT_WIDTH_PX"]

MIN_TEXT_PX = 10  # the smallest text, in CSS pixels, as shown
OUTPUT_WIDTH_PX = 848  # JupyterLab's output area in a 1280 x 800 window with the file browser open
CSS_PX_PER_INCH = 100  # figures are shown at 100 CSS px per inch: drawn at 200 dpi, shown at half size
COLOUR_BAR = "colour bar"  # the label of an Axes that only holds a colour bar (helpers.plotting.colour_bar)


# ---- colour -------------------------------------------------------------------------------------

def _luminance(rgb):
    """WCAG relative luminance of sRGB colours (..., 3) in 0..1."""
    rgb = np.asarray(rgb, dtype=float)[..., :3]
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return linear @ [0.2126, 0.7152, 0.0722]


def contrast_ratio(a, b):
    """WCAG contrast ratio (1..21) of two sRGB colours (..., 3), elementwise."""
    la, lb = _luminance(a), _luminance(b)
    return (np.maximum(la, lb) + 0.05) / (np.minimum(la, lb) + 0.05)


def text_colour(background):
    """'black' or 'white' for text on each colour in background (..., 3 or 4): the one with more contrast.

    The better of the two is always at least 4.58:1, whatever the background.
    """
    on_black = (_luminance(background) + 0.05) / 0.05
    on_white = 1.05 / (_luminance(background) + 0.05)
    return np.where(on_black >= on_white, "black", "white")


# ---- describing a figure --------------------------------------------------------------------------

def _num(value):
    """A number as a reader hears it: whole numbers plain, others to 3 significant digits."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.3g}"


def _cells(ax):
    """The grid drawn in ax as (values (rows, cols), first row/col number, its own words or ""), or None.

    An artist's ``cell_origin`` is the number of its first row and column
    (helpers.plotting.draw_grid sets it); its ``description``, when set, says
    what its colours mean instead of their values (a shading, a layout).
    """
    for artist in [*ax.collections, *ax.images]:
        if isinstance(artist, QuadMesh):
            rows, cols = np.subtract(artist.get_coordinates().shape[:2], 1)
        elif isinstance(artist, AxesImage) and np.ndim(artist.get_array()) == 2:
            rows, cols = np.shape(artist.get_array())
        else:
            continue
        values = np.ma.filled(np.ma.asarray(artist.get_array(), dtype=float), np.nan).reshape(rows, cols)
        return values, getattr(artist, "cell_origin", 0), getattr(artist, "description", "")
    return None


def _describe_grid(values, origin, said=""):
    rows, cols = values.shape
    text = f"{_a(rows)} {rows} × {cols} grid"
    if said:
        return f"{text}: {said}"
    if values.size == 0 or np.all(np.isnan(values)):
        return text
    low, high = np.nanmin(values), np.nanmax(values)
    if low == high:
        return f"{text}, every value {_num(low)}"

    def where(value):
        r, c = np.argwhere(values == value)[0]
        return f"row {r + origin}, col {c + origin}"

    return f"{text}, values from {_num(low)} ({where(low)}) to {_num(high)} ({where(high)})"


def _outlines(ax, origin):
    """'outlined: ...' for the cells and blocks outlined by unfilled rectangles, in the grid's numbering; or ''."""
    cells, blocks = [], []
    for patch in ax.patches:
        if not isinstance(patch, Rectangle) or patch.get_fill() or not patch.get_visible():
            continue
        x, y, w, h = patch.get_x(), patch.get_y(), patch.get_width(), patch.get_height()
        c0, c1 = round(x + 0.5) + origin, round(x + w - 0.5) + origin
        r0, r1 = round(y + 0.5) + origin, round(y + h - 0.5) + origin
        if (r0, c0) == (r1, c1):
            cells.append(f"({r0}, {c0})")
        else:
            blocks.append(f"rows {r0}-{r1}, cols {c0}-{c1}")
    cells, blocks = list(dict.fromkeys(cells)), list(dict.fromkeys(blocks))  # nested outlines: named once
    named = [f"block {b}" for b in blocks]
    if len(cells) == 1:
        named.append(f"cell {cells[0]}")
    elif cells:
        named.append(f"{len(cells)} cells " + ", ".join(cells))
    return "outlined: " + "; ".join(named) if named else ""


def _a(n):
    """'a' or 'an' before the number n, as it is spoken."""
    return "an" if str(n).startswith("8") or n in (11, 18) or 11000 <= n < 12000 or 18000 <= n < 19000 else "a"


_STYLES = {"-": "solid", "--": "dashed", "-.": "dash-dot", ":": "dotted"}
_MARKERS = {"o": "circles", "s": "squares", "^": "triangles", "v": "down triangles", "D": "diamonds",
            "x": "crosses", "+": "plus signs", "*": "stars", ".": "dots"}


def _line_style(line):
    style = _STYLES.get(line.get_linestyle(), "")
    marker = _MARKERS.get(str(line.get_marker()), "")
    return " ".join(filter(None, [f"{style} line" if style else "", f"with {marker}" if marker else ""])) \
        or "points"


def _describe_line(line):
    x, y = (np.asarray(a, dtype=float) for a in line.get_data())
    label = line.get_label()
    name = f'"{label}"' if label and not label.startswith("_") else "a series"
    if len(x) == 0:
        return ""
    if len(set(x)) == 1 and len(x) == 2 or len(set(y)) == 1 and len(y) == 2:
        return ""  # a reference line (axhline, axvline): named by its label in the legend, if any
    top = int(np.nanargmax(y))
    return (f"{name}, {_line_style(line)}, {len(x)} points from ({_num(x[0])}, {_num(y[0])}) "
            f"to ({_num(x[-1])}, {_num(y[-1])}), highest {_num(y[top])} at {_num(x[top])}")


def _describe_bars(ax, bars):
    """'n bars: name value, ...', each bar named by its tick label (or its position)."""
    if getattr(bars, "orientation", "vertical") == "horizontal":
        ticks, names = ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()]
        places = [bar.get_y() + bar.get_height() / 2 for bar in bars]
        sizes = [bar.get_width() for bar in bars]
    else:
        ticks, names = ax.get_xticks(), [t.get_text() for t in ax.get_xticklabels()]
        places = [bar.get_x() + bar.get_width() / 2 for bar in bars]
        sizes = [bar.get_height() for bar in bars]
    by_place = dict(zip(np.round(ticks, 6), names))
    labels = [by_place.get(round(place, 6)) or _num(place) for place in places]
    return f"{len(bars)} bars: " + ", ".join(f"{label} {_num(size)}" for label, size in zip(labels, sizes))


def _describe_axes(ax):
    """One panel, in words."""
    title = " ".join(filter(None, (ax.get_title(loc) for loc in ("left", "center", "right"))))
    parts = []
    grid = _cells(ax)
    if grid is not None:
        values, origin, said = grid
        parts += [_describe_grid(values, origin, said), _outlines(ax, origin)]
    for container in ax.containers:
        if isinstance(container, BarContainer):
            parts.append(_describe_bars(ax, container))
    lines = [d for d in map(_describe_line, ax.lines) if d]
    if lines:
        parts.append("; ".join(lines))
    xlabel, ylabel = ax.get_xlabel(), ax.get_ylabel()
    if lines or any(isinstance(c, BarContainer) for c in ax.containers):
        axes = [f"x: {xlabel}" if xlabel else "", f"y: {ylabel}" if ylabel else ""]
        axes += [f"{name} axis logarithmic" for name, scale in (("x", ax.get_xscale()), ("y", ax.get_yscale()))
                 if scale == "log"]
        parts.append(", ".join(filter(None, axes)))
    if not parts and not getattr(ax.figure, "description", ""):  # a diagram: its words are its content
        words = [" ".join(t.get_text().split()) for t in ax.texts if t.get_visible() and t.get_text().strip()]
        parts.append("; ".join(words))
    return title, "; ".join(p for p in parts if p)


def _panels(fig):
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != COLOUR_BAR
            and not hasattr(ax, "_colorbar")]


def describe(fig):
    """A text alternative for fig, made from its artists' data: what each panel shows and its values that matter.

    fig.description, when set, is the first sentence (what the figure is about).
    """
    panels = [(title, body) for title, body in map(_describe_axes, _panels(fig)) if title or body]
    lead = getattr(fig, "description", "").strip()
    if not panels:
        text = ""
    elif len(panels) == 1:
        title, body = panels[0]
        text = f'"{title}": {body}' if title else body
    else:
        named = [(f'Panel {k}, "{title}"' if title else f"Panel {k}", body)
                 for k, (title, body) in enumerate(panels, 1)]
        text = f"{len(panels)} panels. " + " ".join(f"{name}: {body}." for name, body in named)
    return " ".join(part.rstrip(".") + "." for part in (lead, text) if part)


# ---- checking that a figure reads well --------------------------------------------------------------

def _texts(fig):
    """(text, size in points) of every piece of text fig draws, glyph labels included (after a draw)."""
    texts = [*fig.texts, *(t for legend in fig.legends for t in legend.get_texts())]
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        texts += [ax.title, ax._left_title, ax._right_title, *ax.texts]
        if ax.axison:
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_visible():
                    texts += [axis.label, axis.offsetText, *axis.get_ticklabels(which="both")]
        if ax.get_legend() is not None:
            texts += [*ax.get_legend().get_texts(), ax.get_legend().get_title()]
    found = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_visible() and t.get_text().strip()]
    found += [(f"{len(a.sizes_pt)} glyph labels", a.font_size)
              for a in fig.findobj(lambda a: hasattr(a, "font_size") and hasattr(a, "sizes_pt"))
              if a.get_visible() and len(a.sizes_pt)]
    return found


def shown_scale(width_px):
    """How much JupyterLab's output area shrinks an image shown width_px CSS pixels wide (1: not at all)."""
    return min(1.0, OUTPUT_WIDTH_PX / width_px)


def check_readable(fig, width_px=None):
    """Raise ValueError when fig would be hard to read as shown: text under MIN_TEXT_PX, or lines told by colour.

    width_px: the width it is shown at, in CSS pixels (default: its width at 100 px per inch).
    Line series in one panel must differ in line style or marker, not in colour only.
    """
    width_px = width_px or fig.get_figwidth() * CSS_PX_PER_INCH
    px_per_point = CSS_PX_PER_INCH / 72 * shown_scale(width_px)
    small = sorted({(size, text[:30]) for text, size in _texts(fig) if size * px_per_point < MIN_TEXT_PX - 0.05})
    if small:
        size, text = small[0]
        raise ValueError(f"text {text!r} is {size * px_per_point:.1f} CSS px as shown ({size:g} pt in a figure "
                         f"{width_px:.0f} px wide); at least {MIN_TEXT_PX} px is needed: use >= "
                         f"{MIN_TEXT_PX / px_per_point:.1f} pt or a narrower figure")
    for ax in _panels(fig):
        series = [line for line in ax.lines if len(line.get_xdata()) > 2]
        looks = [(line.get_linestyle(), str(line.get_marker())) for line in series]
        if len(set(looks)) < len(looks):
            raise ValueError(f"panel {ax.get_title()!r}: {len(looks)} line series differ only by colour; give each "
                             "its own line style or marker")


# ---- displaying a figure ------------------------------------------------------------------------------

def _stored_png(fig):
    """(PNG bytes, (width, height) in CSS px): fig at 200 dpi, cropped to its content, in 256 colours.

    The figures are flat colours and text: 256 colours (no dithering) look the
    same and take a third of the bytes that a notebook stores.
    """
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=2 * CSS_PX_PER_INCH, bbox_inches="tight", facecolor="white")
    image = Image.open(buffer).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT,
                                                        dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="png", optimize=True)
    return buffer.getvalue(), (image.width // 2, image.height // 2)


def figure_bundle(fig, summary=""):
    """(data, metadata) for IPython's display: fig as a PNG with its text alternative.

    Drawn at 200 dpi and shown at half that size (100 CSS px per inch, crisp on
    a 2x display), cropped to its content, in 256 colours.  The bundle holds the image as
    HTML (an <img> with alt, which JupyterLab and nbconvert show), as PNG with
    the alt in its metadata, and the text alternative as plain text.
    """
    if summary:
        fig.description = summary
    alt = describe(fig)
    png, (width, height) = _stored_png(fig)
    check_readable(fig, width)
    encoded = base64.b64encode(png).decode("ascii")
    img = (f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}" width="{width}" '
           f'height="{height}" style="max-width: 100%; height: auto;">')
    return ({"text/html": img, "image/png": encoded, "text/plain": alt},
            {"image/png": {"alt": alt, "width": width, "height": height}})


def show_figure(fig, summary=""):
    """Display fig with a text alternative made from its data (see :func:`describe`), and close it.

    summary: a first sentence saying what the figure is about, when its
    panel titles do not (built from the same variables the figure is).
    Refuses (ValueError) a figure whose text would be under 10 CSS px as
    shown, or whose line series differ by colour alone.
    """
    from IPython.display import display

    data, metadata = figure_bundle(fig, summary)
    display(data, metadata=metadata, raw=True)
    close_if_pyplot(fig)


def close_if_pyplot(fig):
    """Close fig if pyplot made it (else the inline backend would show it a second time, without its text)."""
    if fig.canvas.manager is not None:
        import matplotlib.pyplot as plt

        plt.close(fig)
