"""Small-grid figures: values written in the cells, gradients on a diverging map centred on 0.

The explorers redraw these figures on every slider move, so the many small
labels (cell values, row and column numbers) are drawn as glyph outlines in
one collection per grid, not as one Text artist each: matplotlib lays out
and rasterises every Text separately, about 1 ms apiece.
"""

from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D, ScaledTranslation, blended_transform_factory

__all__ = ["draw_grid", "mark_cells", "mark_block", "grid_figure", "label_collection", "index_labels",
           "cell_borders", "GRADIENT_CMAP"]

GRADIENT_CMAP = "RdBu_r"  # blue < 0 < red, white at 0


def _fmt(value):
    """Integers as they are; other values with 2 significant decimals (1 from 10 up) to fit a cell."""
    if float(value).is_integer() and abs(value) < 1000:
        return f"{int(value)}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


@lru_cache(maxsize=4096)
def _label_path(text, size, ha, va, rotation):
    """The outline of `text` at `size` points, in points, turned by `rotation` degrees and aligned by ha, va."""
    path = TextPath((0, 0), text, size=size, prop=FontProperties())
    path = Affine2D().rotate_deg(rotation).transform_path(path)
    (x0, y0), (x1, y1) = path.get_extents().get_points()
    dx = {"center": -(x0 + x1) / 2, "left": -x0, "right": -x1}[ha]
    dy = {"center": -(y0 + y1) / 2, "bottom": -y0, "top": -y1}[va]
    return Path(path.vertices + (dx, dy), path.codes)


def label_collection(ax, xy, texts, *, size, colors="black", transform=None, ha="center", va="center",
                     rotation=0, clip=True):
    """Write texts[k] at xy[k] (data coordinates unless `transform`) as one artist.

    xy: (n, 2);  texts: n strings;  colors: one colour or n colours.
    """
    fig = ax.figure
    paths = [_label_path(text, size, ha, va, rotation) for text in texts]
    labels = PathCollection(paths, offsets=np.asarray(xy, dtype=float).reshape(-1, 2),
                            offset_transform=transform or ax.transData,
                            transform=Affine2D().scale(1 / 72) + fig.dpi_scale_trans,  # points -> pixels
                            facecolors=colors, edgecolors="none", linewidths=0)
    labels.set_clip_on(clip)
    ax.add_collection(labels, autolim=False)
    return labels


def index_labels(ax, rows, cols, xlabel="col", ylabel="row", size=7):
    """Column numbers and `xlabel` below a grid of cells, row numbers and `ylabel` left of it."""
    shift = lambda dx, dy: ScaledTranslation(dx / 72, dy / 72, ax.figure.dpi_scale_trans)  # noqa: E731  points
    below = blended_transform_factory(ax.transData, ax.transAxes) + shift(0, -3)
    left = blended_transform_factory(ax.transAxes, ax.transData) + shift(-3, 0)
    label_collection(ax, [(c, 0) for c in range(cols)], [str(c) for c in range(cols)], size=size, va="top",
                     transform=below, clip=False)
    label_collection(ax, [(0, r) for r in range(rows)], [str(r) for r in range(rows)], size=size, ha="right",
                     transform=left, clip=False)
    label_collection(ax, [(0.5, 0)], [xlabel], size=8, va="top", transform=ax.transAxes + shift(0, -5 - 1.2 * size),
                     clip=False)
    digits = len(str(rows - 1))
    label_collection(ax, [(0, 0.5)], [ylabel], size=8, ha="right", rotation=90, clip=False,
                     transform=ax.transAxes + shift(-6 - 0.6 * size * digits, 0))


def cell_borders(ax, rows, cols):
    """Thin grey lines between the cells, as two line collections (cheaper to draw than tick grids)."""
    ax.vlines(np.arange(cols + 1) - 0.5, -0.5, rows - 0.5, color="0.75", linewidth=0.5)
    ax.hlines(np.arange(rows + 1) - 0.5, -0.5, cols - 0.5, color="0.75", linewidth=0.5)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])


def draw_grid(ax, a, title="", *, annotate=True, vmax=None, cmap=GRADIENT_CMAP, fontsize=None,
              centred=True):
    """Draw a 2-D array as coloured cells with row and column numbers.

    ax: a matplotlib Axes;  a: (rows, cols);  vmax: colour scale limit
    (default max|a|).  centred: the scale runs -vmax..vmax with white at 0
    (for gradients), else 0..vmax (for counts).  Values are written in the
    cells when ``annotate`` and the grid is at most 12 x 12.
    """
    a = np.asarray(a, dtype=float)
    vmax = vmax or float(np.max(np.abs(a))) or 1.0
    ax.imshow(a, cmap=cmap, vmin=-vmax if centred else 0, vmax=vmax, interpolation="nearest")
    ax.set_title(title, fontsize=10, y=1, pad=4)  # a fixed position: no layout pass on every draw
    rows, cols = a.shape
    cell_borders(ax, rows, cols)
    index_labels(ax, rows, cols)
    if annotate and rows <= 12 and cols <= 12:
        white = np.abs(a) > (0.6 if centred else 0.75) * vmax
        r, c = np.indices(a.shape)
        label_collection(ax, np.column_stack([c.ravel(), r.ravel()]), [_fmt(v) for v in a.ravel()],
                         size=fontsize or (9 if max(rows, cols) <= 6 else 7),
                         colors=np.where(white, "white", "black").ravel())


def mark_cells(ax, cells, color="black", linewidth=2.5, labels=None):
    """Outline cells [(row, col), ...]; optionally write a small label in a corner.

    color: one colour for all cells, or a list with one colour per cell.
    """
    colors = [color] * len(cells) if isinstance(color, str) else list(color)
    for k, (r, c) in enumerate(cells):
        ax.add_patch(Rectangle((c - 0.46, r - 0.46), 0.92, 0.92, fill=False, edgecolor=colors[k],
                               linewidth=linewidth))
        if labels is not None:
            ax.text(c - 0.4, r - 0.4, labels[k], ha="left", va="top", fontsize=6, color="black",
                    bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor=colors[k]))


def mark_block(ax, top, left, height, width, color="black", linewidth=2.5, linestyle="-"):
    """Outline the block of cells rows top..top+height-1, cols left..left+width-1."""
    ax.add_patch(Rectangle((left - 0.5, top - 0.5), width, height, fill=False, edgecolor=color,
                           linewidth=linewidth, linestyle=linestyle))


def grid_figure(ncols, nrows=1, *, size=2.6):
    """A figure of nrows x ncols square panels; returns (fig, axes as a 2-D array).

    The margins are fixed rather than computed by a layout engine: explorers
    redraw these figures on every change, and layout is half the drawing time.
    """
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.4), squeeze=False)
    height = size * nrows + 0.4
    fig.subplots_adjust(left=0.45 / (size * ncols), right=1 - 0.1 / (size * ncols), bottom=0.45 / height,
                        top=1 - 0.35 / height, wspace=0.3, hspace=0.45)
    return fig, axes
