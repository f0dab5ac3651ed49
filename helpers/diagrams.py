"""The question's layer drawn as volumes (notebook 00): x, the 16 filters, h, and the backward flow to dL/dx."""

import numpy as np
from matplotlib.patches import Rectangle

__all__ = ["question_layer_figure"]


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
