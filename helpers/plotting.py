"""Small-grid figures: values written in the cells, gradients on a diverging map centred on 0."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

__all__ = ["draw_grid", "mark_cells", "mark_block", "grid_figure", "GRADIENT_CMAP"]

GRADIENT_CMAP = "RdBu_r"  # blue < 0 < red, white at 0


def _fmt(value):
    """Integers as they are; other values with 2 significant decimals (1 from 10 up) to fit a cell."""
    if float(value).is_integer() and abs(value) < 1000:
        return f"{int(value)}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def draw_grid(ax, a, title="", *, annotate=True, vmax=None, cmap=GRADIENT_CMAP, fontsize=None,
              centred=True):
    """Draw a 2-D array as coloured cells with row/col ticks.

    ax: a matplotlib Axes;  a: (rows, cols);  vmax: colour scale limit
    (default max|a|).  centred: the scale runs -vmax..vmax with white at 0
    (for gradients), else 0..vmax (for counts).  Values are written in the
    cells when ``annotate`` and the grid is at most 12 x 12.
    """
    a = np.asarray(a, dtype=float)
    vmax = vmax or float(np.max(np.abs(a))) or 1.0
    ax.imshow(a, cmap=cmap, vmin=-vmax if centred else 0, vmax=vmax)
    ax.set_title(title, fontsize=10)
    rows, cols = a.shape
    ax.set_xticks(range(cols))
    ax.set_yticks(range(rows))
    ax.tick_params(length=0, labelsize=7)
    ax.set_xlabel("col", fontsize=8)
    ax.set_ylabel("row", fontsize=8)
    # cell borders as two line collections (cheaper to draw than a grid of tick lines)
    ax.vlines(np.arange(cols + 1) - 0.5, -0.5, rows - 0.5, color="0.75", linewidth=0.5)
    ax.hlines(np.arange(rows + 1) - 0.5, -0.5, cols - 0.5, color="0.75", linewidth=0.5)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    if annotate and rows <= 12 and cols <= 12:
        size = fontsize or (9 if max(rows, cols) <= 6 else 7)
        for (r, c), v in np.ndenumerate(a):
            color = "white" if abs(v) > (0.6 if centred else 0.75) * vmax else "black"
            ax.text(c, r, _fmt(v), ha="center", va="center", fontsize=size, color=color)


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
