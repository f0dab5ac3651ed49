"""The im2col view of notebook 06: a convolution as matrix products.

Channels-last makes im2col a pure view: the window of output (n, oh, ow) is
``x_pad[n, s*oh + d*i, s*ow + d*j, c]`` for i < KH, j < KW, c < C, so a 6-D
strided view (N, OH, OW, KH, KW, C) reshapes to the columns matrix
``cols`` (N*OH*OW, KH*KW*C) whose column order (i, j, c) is exactly that of
``w2 = w.reshape(F, -1)``.  Then, with M = N*OH*OW rows, R = KH*KW*C columns and
``dh2 = dh.reshape(M, F)``::

    h     = cols @ w2.T        (M, F)    forward
    dw2   = dh2.T @ cols       (F, R)    dL/dw
    dcols = dh2 @ w2           (M, R)    dL/dcols, then dx = col2im(dcols)
    db    = dh2.sum(0)         (F,)

col2im is the ``+=`` scatter of the loop reference, done one kernel tap at a
time: for a fixed tap (i, j) the windows of different outputs land on
different pixels, so one strided slice-add per tap is exact.

These are the products as the notebook writes them.  :mod:`helpers.views.fast`
computes the same products with the memory layout and the bias row that make
them fast; that is what :func:`helpers.conv2d` runs.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .. import _checks as check
from ..geometry import crop_padding, pad_input, tap_slices, unbatch, window_geometry
from .signature import backward_view, forward_view

__all__ = ["windows", "im2col", "col2im", "conv2d_im2col", "conv2d_backward_im2col"]


def windows(x_pad, g):
    """Read-only view (N, OH, OW, KH, KW, C) of every window of x_pad (N, Hp, Wp, C)."""
    sN, sH, sW, sC = x_pad.strides
    (s_r, s_c), (d_r, d_c) = g.stride, g.dilation
    shape = (len(x_pad), *g.out, *g.kernel, g.channels)
    strides = (sN, s_r * sH, s_c * sW, d_r * sH, d_c * sW, sC)
    return as_strided(x_pad, shape, strides, writeable=False)


def im2col(x, kernel_size, *, stride=1, padding=0, dilation=1):
    """Unfold every window of x into a row of the columns matrix.

    x: (H, W, C) or (N, H, W, C);  kernel_size: int or (KH, KW).
    Returns cols: (OH*OW, KH*KW*C) or (N*OH*OW, KH*KW*C), rows in (n, oh, ow)
    order, columns in (i, j, c) order, so that ``cols @ w.reshape(F, -1).T``
    is the convolution.
    """
    (x,) = check.float_arrays(x=x)
    g = window_geometry(x.shape, kernel_size, stride=stride, padding=padding, dilation=dilation)
    return _cols(x if g.batch is not None else x[None], g)


def _cols(x, g):
    """The columns matrix (N*OH*OW, KH*KW*C) of a batch x (N, H, W, C)."""
    return windows(pad_input(x, g), g).reshape(-1, g.kernel[0] * g.kernel[1] * g.channels)


def col2im(cols, x_shape, kernel_size, *, stride=1, padding=0, dilation=1):
    """Adjoint of :func:`im2col`: add each row back onto its window (``+=``).

    cols: (OH*OW, KH*KW*C) or (N*OH*OW, KH*KW*C);  x_shape: (H, W, C) or
    (N, H, W, C).  Returns an array of shape x_shape.  Pixels covered by
    several windows receive the sum of their contributions.
    """
    (cols,) = check.float_arrays(cols=cols)
    g = window_geometry(x_shape, kernel_size, stride=stride, padding=padding, dilation=dilation,
                        x_name="x_shape")
    N = 1 if g.batch is None else g.batch
    check.same_shape("cols", cols.shape, (N * g.out[0] * g.out[1], g.kernel[0] * g.kernel[1] * g.channels),
                     "shape (N*OH*OW, KH*KW*C) =")
    return unbatch(g, _col2im(cols, N, g))


def _col2im(dcols, N, g):
    """col2im of dcols (N*OH*OW, KH*KW*C) onto a batch (N, H, W, C): one strided slice-add per kernel tap."""
    dcols = dcols.reshape(N, *g.out, *g.kernel, g.channels)
    dx_pad = np.zeros((N, *g.padded, g.channels), dtype=dcols.dtype)
    for i in range(g.kernel[0]):
        for j in range(g.kernel[1]):
            dx_pad[(slice(None), *tap_slices(g, i, j))] += dcols[:, :, :, i, j, :]
    return crop_padding(dx_pad, g)


@forward_view
def conv2d_im2col(x, w, b, g):
    """Forward pass as one product on im2col: h = cols @ w2.T (+ b).

    x: (H, W, C) or (N, H, W, C);  w: (F, KH, KW, C);  b: (F,) or None.
    Returns h: (OH, OW, F) or (N, OH, OW, F).
    """
    h = _cols(x, g) @ w.reshape(g.filters, -1).T  # (M, R) @ (R, F)
    if b is not None:
        h += b
    return h.reshape(len(x), *g.out, g.filters)


@backward_view
def conv2d_backward_im2col(dh, x, w, g):
    """Backward pass as the products on im2col, and col2im for dL/dx.

    dh: (OH, OW, F) or (N, OH, OW, F);  x: (H, W, C) or (N, H, W, C);
    w: (F, KH, KW, C).  Returns (dx, dw, db) with the shapes of x, w and (F,).
    """
    cols = _cols(x, g)  # (M, R)
    dh2, w2 = dh.reshape(-1, g.filters), w.reshape(g.filters, -1)  # (M, F), (F, R)
    dw = (dh2.T @ cols).reshape(w.shape)
    dx = _col2im(dh2 @ w2, len(x), g)
    return dx, dw, dh2.sum(axis=0)
