"""The readable reference: explicit loops that read like the index formulas.

Forward (cross-correlation, as in every framework), for each image n, output
position (oh, ow) and filter f::

    h[n, oh, ow, f] = b[f] + sum_{i, j, c} w[f, i, j, c] * x_pad[n, s*oh + d*i, s*ow + d*j, c]

Backward, by the chain rule applied to that one line ("scatter" view): each
output sends its upstream gradient back over the window it read::

    dx_pad[n, window(oh, ow), :] += dh[n, oh, ow, f] * w[f]
    dw[f]                        += dh[n, oh, ow, f] * x_pad[n, window(oh, ow), :]
    db[f]                        += dh[n, oh, ow, f]

The ``+=`` matters: overlapping windows send several contributions to the
same input pixel and to the same weight.  These loops are the oracle every
faster view in this package is tested against.

Like every view, each function here computes on a batch, with the checked
geometry ``g``; its decorator (helpers/views/signature.py) checks the
arguments, accepts a single image as well, and gives it the signature of
:func:`helpers.conv2d` or :func:`helpers.conv2d_backward`.
"""

import numpy as np

from ..geometry import crop_padding, pad_input, window
from .signature import backward_view, forward_view

__all__ = ["conv2d_loops", "conv2d_backward_loops"]


@forward_view
def conv2d_loops(x, w, b, g):
    """Forward pass by loops.

    x: (H, W, C) or (N, H, W, C);  w: (F, KH, KW, C);  b: (F,) or None.
    Returns h: (OH, OW, F) or (N, OH, OW, F).
    """
    x_pad = pad_input(x, g)
    h = np.zeros((len(x), *g.out, g.filters), dtype=x.dtype)
    for n in range(len(x)):
        for oh in range(g.out[0]):
            for ow in range(g.out[1]):
                rows, cols = window(g, oh, ow)
                patch = x_pad[n, rows, cols, :]  # (KH, KW, C)
                for f in range(g.filters):
                    h[n, oh, ow, f] = np.sum(w[f] * patch)
    if b is not None:
        h += b
    return h


@backward_view
def conv2d_backward_loops(dh, x, w, g):
    """Backward pass by loops, dL/dx by the scatter (``+=``) view.

    dh: (OH, OW, F) or (N, OH, OW, F), the upstream gradient dL/dh;
    x: (H, W, C) or (N, H, W, C);  w: (F, KH, KW, C).
    Returns (dx, dw, db) with the shapes of x, w and (F,).
    """
    x_pad = pad_input(x, g)
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    db = np.zeros(g.filters, dtype=w.dtype)
    for n in range(len(x)):
        for oh in range(g.out[0]):
            for ow in range(g.out[1]):
                rows, cols = window(g, oh, ow)
                for f in range(g.filters):
                    upstream = dh[n, oh, ow, f]
                    dx_pad[n, rows, cols, :] += upstream * w[f]
                    dw[f] += upstream * x_pad[n, rows, cols, :]
                    db[f] += upstream
    return crop_padding(dx_pad, g), dw, db
