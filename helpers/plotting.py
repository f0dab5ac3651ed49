"""Small-grid figures: values written in the cells, gradients on a diverging map centred on 0.

The explorers redraw these figures on every slider move, so the many small
labels (cell values, row and column numbers) are written as glyph outlines,
one artist per group (:func:`write_in_cells`; the machinery is in
helpers/_glyphs.py), and figures are made by :func:`figure`, without pyplot,
and drawn on a fixed layout.

Sizes are for the screen: an explorer shows 1 inch of figure as 100 CSS
pixels (drawn at 200 pixels per inch, so it is crisp on a 2x display), and
no text is smaller than SMALLEST_FONT points, 10 CSS pixels.
"""

import pickle
import time
from functools import lru_cache

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import ScaledTranslation, blended_transform_factory

from ._glyphs import glyph_labels
from .accessible import describe, show_figure, text_colour
from .alt_text import COLOUR_BAR

__all__ = ["draw_grid", "write_in_cells", "mark_cells", "mark_block", "figure", "grid_figure", "colour_bar",
           "index_labels", "cell_borders", "show_figure", "describe", "GRADIENT_CMAP", "SMALLEST_FONT", "SCREEN_DPI",
           "WIDEST"]

GRADIENT_CMAP = "RdBu_r"  # blue < 0 < red, white at 0
SCREEN_DPI = 100  # CSS pixels per inch of figure, as an explorer shows it
SMALLEST_FONT = 7.5  # points: 10.4 CSS pixels at SCREEN_DPI
WIDEST = 8.4  # inches: the output area's 848 CSS pixels at a 1280 x 800 window with JupyterLab's file browser open


def _fmt(value):
    """Integers as they are; other values with 2 significant decimals (1 from 10 up) to fit a cell."""
    if float(value).is_integer() and abs(value) < 1000:
        return f"{int(value)}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def index_labels(ax, rows, cols, xlabel="col", ylabel="row", size=SMALLEST_FONT, origin=0):
    """Column numbers and `xlabel` below a grid of cells, row numbers and `ylabel` left of it.

    origin: the number of the first row and column (-p for a grid padded by p,
    so that the numbers are the unpadded input's).  Empty labels are omitted.
    Where cells are narrower than their numbers, every other column is numbered.
    """
    shift = lambda dx, dy: ScaledTranslation(dx / 72, dy / 72, ax.figure.dpi_scale_trans)  # noqa: E731  points
    below = blended_transform_factory(ax.transData, ax.transAxes) + shift(0, -3)
    left = blended_transform_factory(ax.transAxes, ax.transData) + shift(-3, 0)
    col_labels = glyph_labels(ax, [(c, 0) for c in range(cols)], [str(origin + c) for c in range(cols)],
                              size=size, va="top", transform=below, clip=False)
    if col_labels.sizes_pt[:, 0].max() + 1.5 > _cell_width(ax, rows, cols):  # 1.5 points apart at least
        col_labels.remove()
        col_labels = glyph_labels(ax, [(c, 0) for c in range(0, cols, 2)],
                                  [str(origin + c) for c in range(0, cols, 2)],
                                  size=size, va="top", transform=below, clip=False)
    row_labels = glyph_labels(ax, [(0, r) for r in range(rows)], [str(origin + r) for r in range(rows)],
                              size=size, ha="right", transform=left, clip=False)
    # the axis names sit 3 points beyond the tallest column number and the widest row number
    height = col_labels.sizes_pt[:, 1].max()
    width = row_labels.sizes_pt[:, 0].max()
    if xlabel:
        glyph_labels(ax, [(0.5, 0)], [xlabel], size=8, va="top", clip=False,
                     transform=ax.transAxes + shift(0, -6 - height))
    if ylabel:
        glyph_labels(ax, [(0, 0.5)], [ylabel], size=8, ha="right", rotation=90, clip=False,
                     transform=ax.transAxes + shift(-6 - width, 0))


def _cell_width(ax, rows, cols):
    """The width in points of a cell of a rows x cols grid filling ax (square cells if ax's aspect is equal)."""
    box = ax.get_position()  # figure fractions
    width, height = ax.figure.get_size_inches() * (box.width, box.height) * 72
    return min(width / cols, height / rows) if ax.get_aspect() == 1.0 else width / cols


def cell_borders(ax, rows, cols):
    """Thin grey lines between the cells, as two line collections (cheaper to draw than tick grids)."""
    ax.vlines(np.arange(cols + 1) - 0.5, -0.5, rows - 0.5, color="0.75", linewidth=0.5)
    ax.hlines(np.arange(rows + 1) - 0.5, -0.5, cols - 0.5, color="0.75", linewidth=0.5)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])


def draw_grid(ax, a, title="", *, annotate=True, vmax=None, cmap=GRADIENT_CMAP, fontsize=None,
              centred=True, axis_names=True, origin=0):
    """Draw a 2-D array as coloured cells with row and column numbers.

    ax: a matplotlib Axes;  a: (rows, cols);  vmax: colour scale limit
    (default max|a|).  centred: the scale runs -vmax..vmax with white at 0
    (for gradients), else 0..vmax (for counts).  Values are written in the
    cells when ``annotate`` and the grid is at most 12 x 12, in black or
    white, whichever contrasts more with the cell (at least 4.5:1).  axis_names:
    write "row" and "col" beside the numbers;  origin: the first row and
    column number.  Returns the cells' mesh (for a colour bar).
    """
    a = np.asarray(a, dtype=float)
    vmax = vmax or float(np.max(np.abs(a))) or 1.0
    rows, cols = a.shape
    # a mesh of square cells draws ten times faster than an image resampled to the screen's pixels
    image = ax.pcolormesh(np.arange(cols + 1) - 0.5, np.arange(rows + 1) - 0.5, a, cmap=cmap,
                          vmin=-vmax if centred else 0, vmax=vmax, antialiased=False)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=10, y=1, pad=4)  # a fixed position: no layout pass on every draw
    cell_borders(ax, rows, cols)
    index_labels(ax, rows, cols, *(("col", "row") if axis_names else ("", "")), origin=origin)
    image.cell_origin = origin  # for the text alternative (helpers.accessible.describe): numbered as shown
    if annotate and rows <= 12 and cols <= 12:
        write_in_cells(ax, [[_fmt(v) for v in row] for row in a],
                       size=fontsize or (9 if max(rows, cols) <= 6 else SMALLEST_FONT),
                       colors=text_colour(image.cmap(image.norm(a))))  # >= 4.5:1 on every cell
    return image


def write_in_cells(ax, texts, *, size=SMALLEST_FONT, colors="black"):
    """Write texts[r][c] centred in cell (r, c) of the grid drawn in ax, as one artist; empty texts are left out.

    texts: (rows, cols) strings;  size: points;  colors: one colour, or one
    per cell (rows, cols).  Returns the artist (helpers/_glyphs.py).
    """
    texts = np.asarray(texts, dtype=str)
    r, c = np.nonzero(texts != "")
    colors = colors if isinstance(colors, str) else np.asarray(colors)[r, c]
    return glyph_labels(ax, np.column_stack([c, r]), texts[r, c], size=size, colors=colors)


def mark_cells(ax, cells, color="black", linewidth=2.5, labels=None, size=0.92, fontsize=SMALLEST_FONT):
    """Outline cells [(row, col), ...]; optionally write a short label in a corner.

    color: one colour for all cells, or a list with one colour per cell.
    size: the outline's side, in cells (a smaller one nests inside another's).
    """
    colors = [color] * len(cells) if isinstance(color, str) else list(color)
    for k, (r, c) in enumerate(cells):
        ax.add_patch(Rectangle((c - size / 2, r - size / 2), size, size, fill=False, edgecolor=colors[k],
                               linewidth=linewidth))
        if labels is not None:
            ax.text(c - 0.43, r - 0.43, labels[k], ha="left", va="top", fontsize=fontsize, color="black",
                    bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor=colors[k]))


def mark_block(ax, top, left, height, width, color="black", linewidth=2.5, linestyle="-"):
    """Outline the block of cells rows top..top+height-1, cols left..left+width-1."""
    ax.add_patch(Rectangle((left - 0.5, top - 0.5), width, height, fill=False, edgecolor=color,
                           linewidth=linewidth, linestyle=linestyle))


def figure(width, height):
    """A matplotlib Figure of width x height inches, made without pyplot.

    pyplot would register it (so the inline backend shows it a second time,
    and, in Jupyter's interactive mode, redraws it on changes) and could not
    be used outside the main thread.  Display it with IPython's display().
    ``fig.created`` (time.perf_counter()) tells an Explorer how long the
    computation before the figure took.
    """
    created = time.perf_counter()
    fig = Figure(figsize=(width, height), dpi=SCREEN_DPI, facecolor="white")  # opaque: sent without alpha
    FigureCanvasAgg(fig)  # fig.canvas: draws into a pixel buffer, in any thread
    fig.created = created
    return fig


def grid_figure(ncols, nrows=1, *, size=2.1, bars=False):
    """A figure of nrows x ncols square panels; returns (fig, axes as a 2-D array).

    bars: also a narrow axes right of each row, for :func:`colour_bar`;
    then returns (fig, axes, bar axes (nrows,)).
    The margins are fixed rather than computed by a layout engine: explorers
    redraw these figures on every change, and layout is half the drawing time.
    Making the Axes is most of the rest, so each layout is made once and
    copied (unpickling the blank figure takes a quarter of the time).
    """
    created = time.perf_counter()
    fig = pickle.loads(_blank_grid(ncols, nrows, size, bars))
    FigureCanvasAgg(fig)
    fig.created = created
    axes = np.reshape(fig.axes[:nrows * ncols], (nrows, ncols))
    return (fig, axes, np.array(fig.axes[nrows * ncols:])) if bars else (fig, axes)


BAR_ROOM = 0.75  # inches right of the panels for a colour bar and its numbers


@lru_cache(maxsize=16)
def _blank_grid(ncols, nrows, size, bars=False):
    """grid_figure's figure before anything is drawn in it, pickled."""
    height = size * nrows + 0.4
    width = size * ncols + (BAR_ROOM if bars else 0)
    fig = figure(width, height)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    fig.subplots_adjust(left=0.45 / width, right=1 - (0.1 + (BAR_ROOM if bars else 0)) / width,
                        bottom=0.45 / height, top=1 - 0.35 / height, wspace=0.3, hspace=0.45)
    if bars:
        for row in axes:
            box = row[-1].get_position()  # a bar as tall as the panel, 0.15 inch right of it
            fig.add_axes([box.x1 + 0.15 / width, box.y0, 0.12 / width, box.height])
    return pickle.dumps(fig)


def colour_bar(cax, image, steps=64):
    """A light colour bar in the axes cax for `image` (a mesh from draw_grid): its colours, its ends and 0.

    Cheaper to draw than matplotlib's colorbar (no locator, no formatter),
    for the explorers, which redraw it on every change.
    """
    cax.set_label(COLOUR_BAR)  # not a panel of its own in the figure's text alternative
    low, high = image.get_clim()
    levels = np.linspace(low, high, steps)
    cax.pcolormesh([0, 1], levels, levels[:-1, None], cmap=image.get_cmap(), vmin=low, vmax=high,
                   antialiased=False)
    cax.set_xlim(0, 1)
    cax.set_ylim(low, high)
    cax.set_xticks([])
    cax.set_yticks([])
    ticks = sorted({low, high, 0.0} if low < 0 < high else {low, high})
    shift = ScaledTranslation(3 / 72, 0, cax.figure.dpi_scale_trans)
    glyph_labels(cax, [(1, t) for t in ticks], [_fmt(t) for t in ticks], size=SMALLEST_FONT, ha="left",
                 transform=cax.transData + shift, clip=False)
