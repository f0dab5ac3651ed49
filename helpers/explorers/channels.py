"""Explorers of notebooks 01-03: one channel, several channels, many filters."""

import numpy as np
from matplotlib import colormaps

from ..plotting import SMALLEST_FONT, colour_bar, draw_grid, grid_figure, mark_block, mark_cells
from ..views.formula import correlate2d, full_convolve2d
from .controls import Choice, Slider
from .core import Explorer

__all__ = [
    "single_channel_example", "single_channel_figure", "single_channel_explorer",
    "multi_channel_example", "multi_channel_figure", "multi_channel_explorer",
    "filter_shares", "filter_shares_figure", "multi_filter_example", "multi_filter_figure", "multi_filter_explorer",
]


# tab10 without its grey, which is hard to tell from brown: 9 colours, one per tap of a 3 x 3 kernel
PAIR_COLORS = [colormaps["tab10"](k) for k in (0, 1, 2, 3, 4, 5, 6, 8, 9)]


def _terms(products):
    """'a·b + c·d + ...' from [(label_a, label_b), ...]."""
    return " + ".join(f"{a}·{b}" for a, b in products)


# ---- notebook 01: one channel, one filter -----------------------------------------------------

def single_channel_example():
    """An example in small integers, nothing square: x (5, 6), w (3, 3), dh (3, 4)."""
    rng = np.random.default_rng(0)
    return dict(x=rng.integers(-3, 4, (5, 6)), w=rng.integers(-2, 3, (3, 3)), dh=rng.integers(-2, 3, (3, 4)))


def single_channel_figure(x, w, dh, view="output", row=0, col=0):
    """The scatter view of one output cell, or the gather view of one input cell.

    x: (H, W);  w: (KH, KW);  dh: (OH, OW) with OH = H - KH + 1 (stride 1).
    view "output": output (row, col)'s window on x, and the dL/dh[row, col] * w
    it sends back onto that window.  view "input": every output and kernel tap
    that touches x[row, col], and dL/dx[row, col] as the sum of those products.
    Returns (fig, html text).
    """
    x, w, dh = (np.asarray(a, dtype=float) for a in (x, w, dh))
    (H, W), (KH, KW), (OH, OW) = x.shape, w.shape, dh.shape
    limit = (OH, OW) if view == "output" else (H, W)
    if not (0 <= row < limit[0] and 0 <= col < limit[1]):
        raise ValueError(f"({row}, {col}) is outside the {view} grid of shape {limit}")
    dx = full_convolve2d(dh, w)
    fig, axes = grid_figure(4)
    ax_x, ax_w, ax_dh, ax_dx = axes[0]
    draw_grid(ax_w, w, "w (kernel)")
    if view == "output":
        share = np.zeros_like(x)
        share[row:row + KH, col:col + KW] = dh[row, col] * w
        draw_grid(ax_x, x, f"x: the window of h[{row}, {col}]")
        mark_block(ax_x, row, col, KH, KW)
        draw_grid(ax_dh, dh, "dL/dh")
        mark_cells(ax_dh, [(row, col)])
        draw_grid(ax_dx, share, f"dL/dx += dL/dh[{row}, {col}]·w")
        mark_block(ax_dx, row, col, KH, KW)
        fig.description = (f"Scatter view of output h[{row}, {col}]: the window it reads in x, and "
                           f"dL/dh[{row}, {col}] times w sent back over that window")
        text = (f"Output h[{row}, {col}] read x[{row}:{row + KH}, {col}:{col + KW}]. "
                f"Backward, it sends dL/dh[{row}, {col}] · w = {dh[row, col]:.2f} · w back over "
                f"that same window, <i>adding</i> (+=) to what the other outputs send.")
        return fig, text
    # view == "input": every (output (a, b), tap (i, j)) with a + i = row and b + j = col
    pairs = [((row - i, col - j), (i, j)) for i in range(KH) for j in range(KW)
             if 0 <= row - i < OH and 0 <= col - j < OW]
    draw_grid(ax_x, x, f"x[{row}, {col}]")
    mark_cells(ax_x, [(row, col)])
    draw_grid(ax_dh, dh, f"outputs that read x[{row}, {col}]")
    # one colour and one number per (output, tap) pair, numbered as the readout's terms
    colors = [PAIR_COLORS[k % len(PAIR_COLORS)] for k in range(len(pairs))]
    numbers = [str(k + 1) for k in range(len(pairs))]
    mark_cells(ax_dh, [o for o, _ in pairs], color=colors, labels=numbers, fontsize=8)
    mark_cells(ax_w, [t for _, t in pairs], color=colors, labels=numbers, fontsize=8)
    draw_grid(ax_dx, dx, "dL/dx")
    mark_cells(ax_dx, [(row, col)])
    fig.description = (f"Gather view of input x[{row}, {col}]: the {len(pairs)} outputs that read it and the "
                       "kernel taps they read it through, numbered 1, 2, … in the same order in dL/dh and in w")
    total = sum(dh[o] * w[t] for o, t in pairs)
    terms = _terms((f"dh{list(o)}", f"w{list(t)}") for o, t in pairs)
    text = (f"dL/dx[{row}, {col}] = {terms} = <b>{total:.3f}</b>. The figure numbers the terms 1, 2, … in "
            "this order, in dL/dh and in w. As the output moves down/right, the kernel tap moves up/left: "
            "the kernel is read rotated by 180°.")
    return fig, text


def single_channel_explorer(x, w, dh):
    """Pick an output cell (scatter view) or an input cell (gather view)."""
    x = np.asarray(x)
    out_shape = np.shape(dh)
    view = Choice("cell of", ["output", "input"])
    row = Slider("row", 0, out_shape[0] - 1)
    col = Slider("col", 0, out_shape[1] - 1)

    def resize(controls, change):
        if change["owner"] is view:
            rows, cols = out_shape if change["new"] == "output" else x.shape
            row.max, col.max = rows - 1, cols - 1

    return Explorer(lambda **s: single_channel_figure(x, w, dh, **s),
                    {"view": view, "row": row, "col": col}, adjust=resize,
                    label="Explorer: pick an output cell (scatter view) or an input cell (gather view)")


# ---- notebook 02: C channels, one filter -------------------------------------------------------

def multi_channel_example():
    """An example in small integers: x (5, 5, 3), w (3, 3, 3), dh (3, 3)."""
    rng = np.random.default_rng(2)
    return dict(x=rng.integers(-3, 4, (5, 5, 3)), w=rng.integers(-2, 3, (3, 3, 3)), dh=rng.integers(-2, 3, (3, 3)))


def multi_channel_figure(x, w, dh, channel=0):
    """One channel's share of the backward pass of a single filter.

    x: (H, W, C);  w: (KH, KW, C);  dh: (OH, OW).  Returns (fig, html text).
    """
    x, w, dh = (np.asarray(a, dtype=float) for a in (x, w, dh))
    C = x.shape[-1]
    if not 0 <= channel < C:
        raise ValueError(f"channel must be in 0..{C - 1}, got {channel}")
    dw_c = correlate2d(x[:, :, channel], dh)
    dx_c = full_convolve2d(dh, w[:, :, channel])
    fig, axes = grid_figure(5, size=1.68)
    panels = [(x[:, :, channel], f"x[:, :, {channel}]"), (w[:, :, channel], f"w[:, :, {channel}]"),
              (dh, "dL/dh (shared)"), (dw_c, f"dL/dw[:, :, {channel}]"), (dx_c, f"dL/dx[:, :, {channel}]")]
    for ax, (a, title) in zip(axes[0], panels):
        draw_grid(ax, a, title)
    fig.description = f"Channel {channel} of the backward pass of one filter"
    text = (f"Channel {channel}: dL/dw[:, :, {channel}] = correlate(x[:, :, {channel}], dL/dh) and "
            f"dL/dx[:, :, {channel}] = correlate(pad(dL/dh), rot180(w[:, :, {channel}])) "
            f"= full_convolve2d(dL/dh, w[:, :, {channel}]). "
            f"Only channel {channel} of x and w appears: channels do not mix.")
    return fig, text


def multi_channel_explorer(x, w, dh):
    """A channel picker over :func:`multi_channel_figure`."""
    channel = Choice("channel", list(range(np.shape(x)[-1])))
    return Explorer(lambda **s: multi_channel_figure(x, w, dh, **s), {"channel": channel},
                    label="Explorer: one channel's share of the backward pass")


# ---- notebook 03: F filters ---------------------------------------------------------------------

def multi_filter_example():
    """The question's 16 filters: dh (3, 3, 16), w (16, 3, 3, 3)."""
    rng = np.random.default_rng(3)
    return dict(dh=rng.normal(size=(3, 3, 16)), w=rng.normal(size=(16, 3, 3, 3)))


def filter_shares(dh, w):
    """Each filter's contribution to dL/dx.

    dh: (OH, OW, F);  w: (F, KH, KW, C).  Returns (F, H, W, C) with
    share[f, :, :, c] = correlate(pad(dh[:, :, f]), rot180(w[f, :, :, c]))
    = full_convolve2d(dh[:, :, f], w[f, :, :, c]).
    """
    dh, w = np.asarray(dh, dtype=float), np.asarray(w, dtype=float)
    F, C = w.shape[0], w.shape[-1]
    return np.stack([
        np.stack([full_convolve2d(dh[:, :, f], w[f, :, :, c]) for c in range(C)], axis=-1)
        for f in range(F)
    ])


def filter_shares_figure(dh, w, channel=0, columns=6, size=1.4):
    """Every filter's share of dL/dx[:, :, channel], then their sum, in one grid of panels.

    dh: (OH, OW, F);  w: (F, KH, KW, C).  Returns a matplotlib figure.
    """
    shares = filter_shares(dh, w)[..., channel]  # (F, H, W)
    F = len(shares)
    rows = -(-(F + 2) // columns)  # the shares, the sum, and a panel for the two colour bars
    fig, axes = grid_figure(columns, nrows=rows, size=size)  # 6 x 1.4 inches: the output area's width
    vmax = float(np.abs(shares).max())
    for f, ax in enumerate(axes.flat[:F]):
        share_image = draw_grid(ax, shares[f], f"filter {f}", annotate=False, vmax=vmax, axis_names=False)
    sum_image = draw_grid(axes.flat[F], shares.sum(axis=0), f"sum: dL/dx[:, :, {channel}]", annotate=False,
                          axis_names=False)
    for ax in axes.flat[F + 1:]:
        ax.set_axis_off()
    fig.description = f"Each of the {F} filters' share of dL/dx[:, :, {channel}], then their sum"
    bars = axes.flat[F + 1]
    for k, (image, label) in enumerate(((share_image, "shares"), (sum_image, "sum"))):
        cax = bars.inset_axes([0.08 + 0.5 * k, 0.05, 0.1, 0.9])
        fig.colorbar(image, cax=cax)
        cax.tick_params(labelsize=SMALLEST_FONT)
        cax.set_title(label, fontsize=8, pad=4)
    return fig


def multi_filter_figure(dh, w, f=0):
    """Filter f's share of dL/dx next to the running sum over filters 0..f.

    dh: (OH, OW, F);  w: (F, KH, KW, C).  Returns (fig, html text).
    """
    F, C = np.shape(w)[0], np.shape(w)[-1]
    if not 0 <= f < F:
        raise ValueError(f"f must be a filter index in 0..{F - 1}, got {f}")
    shares = filter_shares(dh, w)
    running, total = shares[:f + 1].sum(axis=0), shares.sum(axis=0)
    vmax, share_max = float(np.abs(total).max()), float(np.abs(shares[f]).max())
    fig, axes, bars = grid_figure(C, nrows=2, size=2.5, bars=True)
    for c in range(C):
        top = draw_grid(axes[0, c], shares[f, :, :, c], f"filter {f}, channel {c}", vmax=share_max,
                        fontsize=SMALLEST_FONT)
        bottom = draw_grid(axes[1, c], running[:, :, c], f"Σ filters 0..{f}, channel {c}", vmax=vmax,
                           fontsize=SMALLEST_FONT)
    colour_bar(bars[0], top)
    colour_bar(bars[1], bottom)
    fig.description = (f"Top row: filter {f}'s share of dL/dx, each channel on a scale of ±{share_max:.2f}. "
                       f"Bottom row: the running sum over filters 0 to {f}, on dL/dx's scale of ±{vmax:.2f}")
    left = float(np.abs(total - running).max())
    text = (f"Top: filter {f}'s share of each channel c, correlate(pad(dL/dh[:, :, {f}]), rot180(w[{f}, :, :, c])), "
            f"on the share's own colour scale (±{share_max:.2f}, its colour bar on the right). "
            f"Bottom: the running sum over {f + 1} of {F} filters, on the scale of dL/dx (±{vmax:.2f}); "
            f"max |dL/dx - running sum| = {left:.3f}" + (" (done: the sum is dL/dx)." if f == F - 1 else "."))
    return fig, text


def multi_filter_explorer(dh, w):
    """A filter slider over :func:`multi_filter_figure`."""
    slider = Slider("filter", 0, np.shape(w)[0] - 1)
    return Explorer(lambda **s: multi_filter_figure(dh, w, **s), {"f": slider},
                    label="Explorer: each filter's share of dL/dx and the running sum")

