"""Figures everyone can read: shown with a text alternative made from their own data, and the checks behind it.

:func:`describe` (helpers/alt_text.py) reads a matplotlib figure's artists,
not its pixels, so the text says what the figure says, from the same numbers.
:func:`show_figure` displays a figure with that text as its
``alt`` (in JupyterLab, on the static site and on GitHub) after
:func:`check_readable` has refused text smaller than 10 CSS pixels as shown
and line series told apart by colour alone.  :func:`text_colour` picks black
or white writing for a cell, whichever contrasts more (always >= 4.5:1).
"""

import base64
import html
import io

import numpy as np

from .alt_text import describe, panels

__all__ = ["describe", "show_figure", "figure_bundle", "check_readable", "text_colour", "contrast_ratio",
           "MIN_TEXT_PX", "OUTPUT_WIDTH_PX"]

MIN_TEXT_PX = 10  # the smallest text, in CSS pixels, as shown
OUTPUT_WIDTH_PX = 848  # JupyterLab's output area in a 1280 x 800 window with the file browser open
CSS_PX_PER_INCH = 100  # figures are shown at 100 CSS px per inch: drawn at 200 dpi, shown at half size


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
    for ax in panels(fig):
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
