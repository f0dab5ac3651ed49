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
from matplotlib.transforms import Affine2D, Bbox, ScaledTranslation, blended_transform_factory

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


class _Labels(PathCollection):
    """Glyph outlines placed at offsets, reporting their true extent.

    A plain PathCollection reports an empty extent here, so tight bounding
    boxes and constrained layout would ignore (and clip) the labels.
    """

    def get_window_extent(self, renderer=None):
        offsets = self.get_offset_transform().transform(self.get_offsets())  # (n, 2) pixels
        to_pixels = self.get_transform()  # a pure scale: points -> pixels
        corners = np.array([to_pixels.transform(path.get_extents().get_points()) for path in self.get_paths()])
        lows, highs = offsets + corners[:, 0], offsets + corners[:, 1]
        return Bbox([lows.min(axis=0), highs.max(axis=0)])


@lru_cache(maxsize=4096)
def _label_size(text, size):
    """(width, height) in points of `text` drawn at `size` points."""
    (x0, y0), (x1, y1) = _label_path(text, size, "center", "center", 0).get_extents().get_points()
    return x1 - x0, y1 - y0


def label_collection(ax, xy, texts, *, size, colors="black", transform=None, ha="center", va="center",
                     rotation=0, clip=True):
    """Write texts[k] at xy[k] (data coordinates unless `transform`) as one artist.

    xy: (n, 2);  texts: n strings;  colors: one colour or n colours.
    """
    fig = ax.figure
    paths = [_label_path(text, size, ha, va, rotation) for text in texts]
    labels = _Labels(paths, offsets=np.asarray(xy, dtype=float).reshape(-1, 2),
                     offset_transform=transform or ax.transData,
                     transform=Affine2D().scale(1 / 72) + fig.dpi_scale_trans,  # points -> pixels
                     facecolors=colors, edgecolors="none", linewidths=0)
    labels.set_clip_on(clip)
    ax.add_collection(labels, autolim=False)
    return labels


def index_labels(ax, rows, cols, xlabel="col", ylabel="row", size=7, origin=0):
    """Column numbers and `xlabel` below a grid of cells, row numbers and `ylabel` left of it.

    origin: the number of the first row and column (-p for a grid padded by p,
    so that the numbers are the unpadded input's).  Empty labels are omitted.
    """
    shift = lambda dx, dy: ScaledTranslation(dx / 72, dy / 72, ax.figure.dpi_scale_trans)  # noqa: E731  points
    below = blended_transform_factory(ax.transData, ax.transAxes) + shift(0, -3)
    left = blended_transform_factory(ax.transAxes, ax.transData) + shift(-3, 0)
    col_names, row_names = [str(origin + c) for c in range(cols)], [str(origin + r) for r in range(rows)]
    label_collection(ax, [(c, 0) for c in range(cols)], col_names, size=size, va="top", transform=below, clip=False)
    label_collection(ax, [(0, r) for r in range(rows)], row_names, size=size, ha="right", transform=left, clip=False)
    # the axis names sit 3 points beyond the tallest column number and the widest row number
    height = max(_label_size(n, size)[1] for n in col_names)
    width = max(_label_size(n, size)[0] for n in row_names)
    if xlabel:
        label_collection(ax, [(0.5, 0)], [xlabel], size=8, va="top", clip=False,
                         transform=ax.transAxes + shift(0, -6 - height))
    if ylabel:
        label_collection(ax, [(0, 0.5)], [ylabel], size=8, ha="right", rotation=90, clip=False,
                         transform=ax.transAxes + shift(-6 - width, 0))


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
    cells when ``annotate`` and the grid is at most 12 x 12.  axis_names:
    write "row" and "col" beside the numbers;  origin: the first row and
    column number.  Returns the image (for a colour bar).
    """
    a = np.asarray(a, dtype=float)
    vmax = vmax or float(np.max(np.abs(a))) or 1.0
    image = ax.imshow(a, cmap=cmap, vmin=-vmax if centred else 0, vmax=vmax, interpolation="nearest")
    ax.set_title(title, fontsize=10, y=1, pad=4)  # a fixed position: no layout pass on every draw
    rows, cols = a.shape
    cell_borders(ax, rows, cols)
    index_labels(ax, rows, cols, *(("col", "row") if axis_names else ("", "")), origin=origin)
    if annotate and rows <= 12 and cols <= 12:
        white = np.abs(a) > (0.6 if centred else 0.75) * vmax
        r, c = np.indices(a.shape)
        label_collection(ax, np.column_stack([c.ravel(), r.ravel()]), [_fmt(v) for v in a.ravel()],
                         size=fontsize or (9 if max(rows, cols) <= 6 else 7),
                         colors=np.where(white, "white", "black").ravel())
    return image


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
    Returns a matplotlib figure.
    """
    fig, ax = plt.subplots(figsize=(11, 5.6))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99)
    ax.set_xlim(-1, 47)
    ax.set_ylim(-2.2, 21)
    ax.set_aspect("equal")
    ax.set_axis_off()
    red, blue, grey = "#f4a582", "#92c5de", "0.93"

    def text(x, y, s, **kw):
        ax.text(x, y, s, ha="center", va="top", fontsize=9, **kw)

    def arrow(start, end, color="black", label="", above=True):
        ax.annotate("", end, start, arrowprops=dict(arrowstyle="-|>", color=color, linewidth=1.5,
                                                     shrinkA=2, shrinkB=2))
        if label:
            mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + (0.5 if above else -0.5))
            ax.text(*mid, label, ha="center", va="bottom" if above else "top", fontsize=8.5, color=color)

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
    text(36.7, 12.6, "h  (3, 3, 16)\nmap f (shaded): filter f (shaded)\nslid over x")
    arrow((7.2, 14.5), (10.6, 14.5))
    arrow((25.8, 14.5), (32.6, 14.5), label="stride 1, padding 0")

    # backward: dL/dh -> its map f, zero-padded -> correlate with rot180(w[f]) -> share f -> sum -> dL/dx
    ax.text(-0.5, 9.3, "backward", fontsize=11, weight="bold", va="top", color="tab:red")
    _stack(ax, 38, 2, 3, 3, 16, step=(0.3, 0.24), color=grey, highlight=1, highlight_color=red)
    text(41.7, 1.6, "dL/dh  (3, 3, 16)")
    ax.add_patch(Rectangle((26, 0), 7, 7, facecolor="white", edgecolor="0.5", linewidth=0.8, linestyle="--"))
    ax.vlines(26 + np.arange(1, 7), 0, 7, color="0.85", linewidth=0.4)
    ax.hlines(np.arange(1, 7), 26, 33, color="0.85", linewidth=0.4)
    _stack(ax, 28, 2, 3, 3, 1, color=red)
    text(29.5, -0.4, "dL/dh[:, :, f], zero-padded\nby K − 1 = 2:  7 × 7")
    _stack(ax, 13, 1, 5, 5, 3, color="#fddbc7")
    text(16.3, 0.6, "filter f's share  (5, 5, 3)")
    _stack(ax, 0, 1, 5, 5, 3, color=red)
    text(3.3, 0.6, "dL/dx  (5, 5, 3)")
    arrow((37.6, 3.5), (33.4, 3.5), color="tab:red", label="map f")
    arrow((25.6, 3.5), (19.4, 3.5), color="tab:red", label="correlate with\nw[f] rotated by 180°")
    arrow((12.6, 3.5), (6.6, 3.5), color="tab:red", label="sum over\nthe 16 filters")
    arrow((19.5, 9.4), (22.2, 6.1), color="0.4")
    return fig
