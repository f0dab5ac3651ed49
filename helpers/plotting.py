"""Small-grid figures: values written in the cells, gradients on a diverging map centred on 0.

The explorers redraw these figures on every slider move, so the many small
labels (cell values, row and column numbers) are written by
:func:`label_collection` as glyph outlines, one artist per group (the
machinery is in helpers/_glyphs.py), and figures are made by :func:`figure`,
without pyplot, and drawn on a fixed layout.

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
from .accessible import COLOUR_BAR, describe, show_figure, text_colour

__all__ = ["draw_grid", "mark_cells", "mark_block", "figure", "grid_figure", "colour_bar", "label_collection",
           "index_labels", "cell_borders", "show_figure", "describe", "GRADIENT_CMAP", "SMALLEST_FONT", "SCREEN_DPI",
           "WIDEST"]

GRADIENT_CMAP = "RdBu_r"  # blue < 0 < red, white at 0
SCREEN_DPI = 100  # CSS pixels per inch of figure, as an explorer shows it
SMALLEST_FONT = 7.5  # points: 10.4 CSS pixels at SCREEN_DPI
WIDEST = 8.4  # inches: the output area's 848 CSS pixels at a 1280 x 800 window with JupyterLab's file browser open

label_collection = glyph_labels  # label_collection(ax, xy, texts, *, size, colors, transform, ha, va, rotation, clip)


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
    col_labels = label_collection(ax, [(c, 0) for c in range(cols)], [str(origin + c) for c in range(cols)],
                                  size=size, va="top", transform=below, clip=False)
    if col_labels.sizes_pt[:, 0].max() + 1.5 > _cell_width(ax, rows, cols):  # 1.5 points apart at least
        col_labels.remove()
        col_labels = label_collection(ax, [(c, 0) for c in range(0, cols, 2)],
                                      [str(origin + c) for c in range(0, cols, 2)],
                                      size=size, va="top", transform=below, clip=False)
    row_labels = label_collection(ax, [(0, r) for r in range(rows)], [str(origin + r) for r in range(rows)],
                                  size=size, ha="right", transform=left, clip=False)
    # the axis names sit 3 points beyond the tallest column number and the widest row number
    height = col_labels.sizes_pt[:, 1].max()
    width = row_labels.sizes_pt[:, 0].max()
    if xlabel:
        label_collection(ax, [(0.5, 0)], [xlabel], size=8, va="top", clip=False,
                         transform=ax.transAxes + shift(0, -6 - height))
    if ylabel:
        label_collection(ax, [(0, 0.5)], [ylabel], size=8, ha="right", rotation=90, clip=False,
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
        r, c = np.indices(a.shape)
        label_collection(ax, np.column_stack([c.ravel(), r.ravel()]), [_fmt(v) for v in a.ravel()],
                         size=fontsize or (9 if max(rows, cols) <= 6 else SMALLEST_FONT),
                         colors=text_colour(image.cmap(image.norm(a.ravel()))))  # >= 4.5:1 on every cell
    return image


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
    label_collection(cax, [(1, t) for t in ticks], [_fmt(t) for t in ticks], size=SMALLEST_FONT, ha="left",
                     transform=cax.transData + shift, clip=False)


def _stack(ax, left, bottom, rows, cols, depth, *, step=(0.35, 0.3), color="white", edge="0.3",
           highlight=None, highlight_color="tab:red", cell=1.0):
    """A volume (rows, cols, depth) drawn as `depth` stacked maps, map 0 in front, seen from the upper right.

    Each map is a rows x cols grid of square cells of side `cell`; map k is
    shifted by k * step.  highlight: the index of one map to colour.
    Returns the (x, y) of the front map's centre and of the stack's top-right corner.
    """
    for k in reversed(range(depth)):
        x0, y0 = left + k * step[0], bottom + k * step[1]
        face = highlight_color if k == highlight else color
        ax.add_patch(Rectangle((x0, y0), cols * cell, rows * cell, facecolor=face, edgecolor=edge,
                               linewidth=0.8, alpha=1.0, zorder=2 + depth - k))
    top = 3 + depth
    ax.vlines(left + cell * np.arange(1, cols), bottom, bottom + rows * cell, color=edge, linewidth=0.4, zorder=top)
    ax.hlines(bottom + cell * np.arange(1, rows), left, left + cols * cell, color=edge, linewidth=0.4, zorder=top)
    centre = (left + cols * cell / 2, bottom + rows * cell / 2)
    corner = (left + cols * cell + (depth - 1) * step[0], bottom + rows * cell + (depth - 1) * step[1])
    return centre, corner


def question_layer_figure():
    """The question's layer as volumes: x (5, 5, 3), 16 filters (3, 3, 3), h (3, 3, 16), and the backward flow.

    Top, the forward pass; bottom, dL/dx: dL/dh[:, :, f], zero-padded, is
    correlated with filter f rotated by 180 degrees, and the 16 shares add up.
    Returns a matplotlib figure (made by pyplot: a cell that ends with it shows it).
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 5.6))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99)
    ax.set_xlim(-1, 47)
    ax.set_ylim(-2.2, 21)
    ax.set_aspect("equal")
    ax.set_axis_off()
    red, blue, grey = "#f4a582", "#92c5de", "0.93"

    def text(x, y, s, **kw):
        ax.text(x, y, s, ha="center", va="top", fontsize=9.5, **kw)  # 10 CSS px at the output area's width

    def arrow(start, end, color="black", label="", above=True):
        ax.annotate("", end, start, arrowprops=dict(arrowstyle="-|>", color=color, linewidth=1.5,
                                                     shrinkA=2, shrinkB=2))
        if label:
            mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + (0.5 if above else -0.5))
            ax.text(*mid, label, ha="center", va="bottom" if above else "top", fontsize=9.5, color=color)

    # forward: x -> 16 filters -> h
    ax.text(-0.5, 20.5, "forward", fontsize=11, weight="bold", va="top")
    _stack(ax, 0, 12, 5, 5, 3, color=blue)
    text(3.3, 11.6, "x  (5, 5, 3)\nH × W × C")
    for n, f in enumerate((0, 1, 15)):
        left = 11 + 4.6 * n
        _stack(ax, left, 13, 3, 3, 3, color="0.85", highlight=0 if f == 1 else None, highlight_color="0.6")
        text(left + 1.8, 12.6, f"w[{f}]")
    ax.text(19.85, 14.5, "…", fontsize=14, ha="center", va="center")
    text(17.8, 11.2, "16 filters  (16, 3, 3, 3)\nF × KH × KW × C")
    _, h_corner = _stack(ax, 33, 13, 3, 3, 16, step=(0.3, 0.24), color=grey, highlight=1, highlight_color="0.6")
    text(36.7, 12.6, "h  (3, 3, 16), one map per filter:\nthe shaded map 1 is the shaded\nfilter w[1] slid over x")
    arrow((7.2, 14.5), (10.6, 14.5))
    arrow((25.8, 14.5), (32.6, 14.5), label="stride 1, padding 0")

    # backward, drawn for the same filter f = 1: map 1 of dL/dh, zero-padded -> correlate with rot180(w[1])
    # -> filter 1's share; the 16 shares -> sum -> dL/dx
    ax.text(-0.5, 9.3, "backward", fontsize=11, weight="bold", va="top", color="tab:red")
    _stack(ax, 38, 2, 3, 3, 16, step=(0.3, 0.24), color=grey, highlight=1, highlight_color=red)
    text(41.7, 1.6, "dL/dh  (3, 3, 16)")
    ax.add_patch(Rectangle((26, 0), 7, 7, facecolor="white", edgecolor="0.5", linewidth=0.8, linestyle="--"))
    ax.vlines(26 + np.arange(1, 7), 0, 7, color="0.85", linewidth=0.4)
    ax.hlines(np.arange(1, 7), 26, 33, color="0.85", linewidth=0.4)
    _stack(ax, 28, 2, 3, 3, 1, color=red)
    text(29.5, -0.4, "dL/dh[:, :, 1], zero-padded\nby K − 1 = 2:  7 × 7")
    _stack(ax, 13, 1, 5, 5, 3, color="#fddbc7")
    text(16.3, 0.6, "filter 1's share  (5, 5, 3)")
    _stack(ax, 0, 1, 5, 5, 3, color=red)
    text(3.3, 0.6, "dL/dx  (5, 5, 3)")
    arrow((37.6, 3.5), (33.4, 3.5), color="tab:red", label="map 1")
    arrow((25.6, 3.5), (19.4, 3.5), color="tab:red", label="correlate with\nw[1] rotated by 180°")
    arrow((12.6, 3.5), (6.6, 3.5), color="tab:red", label="sum over\nthe 16 filters")
    arrow((19.5, 9.4), (22.2, 6.1), color="0.4")
    fig.description = (
        "The question's layer as volumes. Forward: x (5, 5, 3) and 16 filters (3, 3, 3) give h (3, 3, 16), "
        "one map per filter; filter w[1] gives map 1. Backward, drawn for filter 1: map 1 of dL/dh, zero-padded "
        "by K − 1 = 2 to 7 × 7, correlated with w[1] rotated by 180°, gives filter 1's share of dL/dx (5, 5, 3); "
        "the 16 filters' shares sum to dL/dx")
    return fig
