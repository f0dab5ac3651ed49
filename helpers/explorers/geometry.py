"""Explorer of notebook 04: stride, padding and dilation in the backward pass."""

import numpy as np

from ..geometry import conv_geometry
from ..plotting import draw_grid, grid_figure, mark_block, mark_cells
from ..views.convolutions import conv2d_transpose
from ..views.formula import dilate
from .controls import Slider
from .core import Explorer

__all__ = ["stride_padding_example", "stride_padding_state", "stride_padding_figure", "stride_padding_explorer"]


def stride_padding_example():
    """No data: the figure function's defaults are the example."""
    return {}


def _nonzero_ints(rng, shape):
    return rng.choice([-3, -2, -1, 1, 2, 3], size=shape).astype(float)


def stride_padding_state(size=7, kernel=3, stride=2, padding=1, dilation=1):
    """Everything the figure shows, for a square single-channel problem.

    Returns a dict: geometry ``g``, kernel ``w`` (K, K), upstream ``dh``
    (O, O), zero-inserted ``dh_up``, ``coverage`` (how many (output, tap)
    pairs read each pixel of the padded input), ``dx`` (size, size) and the
    ``never_read`` rows of x.  Raises ValueError when the kernel does not fit.
    """
    eff = (kernel - 1) * dilation + 1
    if eff > size + 2 * padding:
        raise ValueError(f"the dilated kernel spans {eff} pixels but the padded input has only "
                         f"{size} + 2·{padding} = {size + 2 * padding}: no window fits")
    g = conv_geometry((size, size, 1), (1, kernel, kernel, 1), stride=stride, padding=padding,
                      dilation=dilation)
    rng = np.random.default_rng(0)
    w, dh = _nonzero_ints(rng, (kernel, kernel)), _nonzero_ints(rng, g.out)
    params = dict(stride=stride, dilation=dilation)
    coverage = conv2d_transpose(np.ones((*g.out, 1)), np.ones((1, kernel, kernel, 1)),
                                input_size=g.padded, **params)[:, :, 0]
    dx = conv2d_transpose(dh[:, :, None], w[None, :, :, None], padding=padding, input_size=g.size,
                          **params)[:, :, 0]
    inside = coverage[padding:padding + size, padding:padding + size]
    never_read = [r for r in range(size) if not inside[r].any()]
    return dict(g=g, w=w, dh=dh, dh_up=dilate(dh, stride), coverage=coverage, dx=dx,
                never_read=never_read)


def stride_padding_figure(size=7, kernel=3, stride=2, padding=1, dilation=1):
    """Windows on the padded input, the zero-inserted dL/dh, and dL/dx with never-read pixels.

    Returns (fig, html text); raises ValueError for an impossible combination.
    """
    s = stride_padding_state(size, kernel, stride, padding, dilation)
    g, p, eff = s["g"], padding, (kernel - 1) * dilation + 1
    O = g.out[0]
    fig, axes = grid_figure(3, size=2.8)
    ax_cov, ax_up, ax_dx = axes[0]

    # numbered as x is (the padding is row -p ..), so that the three panels share one numbering of x
    draw_grid(ax_cov, s["coverage"], "windows reading each pixel", cmap="Blues", centred=False, origin=-p)
    mark_block(ax_cov, p, p, size, size, color="black", linestyle="--")  # x inside its padding
    # the taps of the first two windows along a row; window 1's outlines nest inside window 0's,
    # so that a pixel both windows read shows both
    for k, color, side in ((0, "tab:orange", 0.92), (1, "tab:purple", 0.56)):
        if k < O:
            mark_cells(ax_cov, [(i * dilation, k * stride + j * dilation)
                                for i in range(kernel) for j in range(kernel)], color=color, size=side,
                       linewidth=2.5 if k == 0 else 2)

    zeros = stride - 1
    draw_grid(ax_up, s["dh_up"], f"dL/dh, {zeros} zero{'' if zeros == 1 else 's'} between entries")
    mark_cells(ax_up, [(r * stride, c * stride) for r in range(O) for c in range(O)], linewidth=1.5)

    never = [(r, c) for r in range(size) for c in range(size)
             if s["coverage"][p + r, p + c] == 0]
    draw_grid(ax_dx, s["dx"], "dL/dx (outlined: never read)")
    mark_cells(ax_dx, never, color="tab:green")
    fig.description = (f"Input {size} × {size}, kernel {kernel}, stride {stride}, padding {p}, dilation {dilation}: "
                       f"output {O} × {O}; {len(never)} of the {size * size} pixels of x are never read. "
                       f"Left, outlined: x itself inside its padding (dashed), then the taps of the first window "
                       f"(the outer squares) and of the second (the inner squares)")

    text = (f"Effective kernel (K − 1)·d + 1 = {eff}; output size "
            f"floor(({size} + 2·{p} − {eff}) / {stride}) + 1 = <b>{O}</b>. "
            f"Left: the padded input, numbered as x (dashed: x itself); orange and purple (the inner squares): "
            f"the taps of the first two windows. Middle: dL/dh's entries (outlined) with stride − 1 = {zeros} "
            f"zero{'' if zeros == 1 else 's'} inserted between them. Right: dL/dx. ")
    if s["never_read"]:
        rows = s["never_read"]
        listed = ", ".join(map(str, rows[:-1])) + (" and " if len(rows) > 1 else "") + str(rows[-1])
        text += (f"Row{'s' if len(rows) > 1 else ''} and column{'s' if len(rows) > 1 else ''} {listed} of x "
                 "are never read by any window: their gradient is exactly 0.")
    elif never:
        text += f"{len(never)} pixels fall between the taps of every window: their gradient is exactly 0."
    else:
        text += "Every pixel of x is read at least once."
    return fig, text


def stride_padding_explorer(size=7, kernel=3, stride=2, padding=1, dilation=1):
    """Sliders for input size, kernel size, stride, padding and dilation."""
    controls = {
        "size": Slider("input H", 3, 12, size),
        "kernel": Slider("kernel K", 1, 5, kernel),
        "stride": Slider("stride", 1, 4, stride),
        "padding": Slider("padding", 0, 3, padding),
        "dilation": Slider("dilation", 1, 3, dilation),
    }
    return Explorer(stride_padding_figure, controls,
                    label="Explorer: input size, kernel size, stride, padding and dilation")
