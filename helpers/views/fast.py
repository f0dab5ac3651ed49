"""The fast path: the products of :mod:`helpers.views.im2col`, laid out for speed.

:func:`conv2d`, :func:`conv2d_backward` (and so the layers of notebook 07
and ``make bench``) and :func:`helpers.conv2d_transpose` run the products of the
im2col view, whose columns matrix has M = N*OH*OW rows and R = KH*KW*C
columns (the series keeps K for the kernel size)::

    h  = cols @ w2.T,   dw2 = dh2.T @ cols,   dcols = dh2 @ w2,   dx = col2im(dcols)

Two choices make them fast (``make bench``):

* The bias is the weight of a constant input 1.  A row of ones appended to
  the columns folds ``+ b`` into the forward product and ``db`` into the
  dL/dw product: no separate pass over h or dh.
* The memory layout follows the channel count.  With many channels the
  (M, R) matrix is built from channels-last windows (pieces of C
  contiguous numbers) and dL/dx is one product per tap, (M, F) @ (F, C),
  added onto its strided slice.  With few channels those pieces are 3 or 4
  numbers long and every copy crawls, so the transposed matrix (R, M) is
  built instead from channel *planes* (C, N, H, W): each of its rows is a
  shifted image, copied a whole image row at a time, and col2im adds
  whole planes.  Same products, same numbers, 1.2-1.6x faster there.
  dL/dw = cols.T @ dh2 runs faster on a C-ordered (R, M) matrix, so the
  backward pass builds it from planes also when an output row is longer
  than the channel axis (8-15% off the backward pass of such layers).

:func:`forward` and :func:`backward` call ``lap(phase)`` after each step:
notebook 06's explorer (helpers.explorers.speed.phase_times) times them so.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..geometry import crop_padding, pad_input, tap_slices
from .im2col import windows
from .signature import backward_view, forward_view

__all__ = ["FEW_CHANNELS", "PHASES", "layout", "forward", "backward", "backward_dx", "conv2d", "conv2d_backward"]

FEW_CHANNELS = 8  # below this many input channels, the planes layout
PHASES = ("im2col ×2 (copy windows)", "forward: cols @ w2.T", "dL/dw2: dh2.T @ cols",
          "dL/dcols: dh2 @ w2", "col2im (+=)")  # named as notebook 06 names them (W is the input's width)
IM2COL, FORWARD, DW, DCOLS, COL2IM = PHASES


def _untimed(phase):
    """The default clock: the step just done is not timed."""


def layout(g, product):
    """"planes" or "rows": the layout `product` ("h", "dw" or "dx") works on.

    planes: a C-ordered (R, M) matrix, cols.T, filled from channel planes;
    rows: the channels-last (M, R) matrix, cols, filled from windows.
    """
    few = g.channels < FEW_CHANNELS
    if product == "dw":  # and output rows, contiguous at column stride 1, longer than C
        return "planes" if few or (g.stride[1] == 1 and g.channels < g.out[1]) else "rows"
    return "planes" if few else "rows"


def _planes(x, g):
    """x (N, H, W, C) as zero-padded channel planes (C, N, Hp, Wp)."""
    (top, _), (left, _) = g.pad
    planes = np.zeros((g.channels, len(x), *g.padded), dtype=x.dtype)
    planes[:, :, top:top + g.size[0], left:left + g.size[1]] = x.transpose(3, 0, 1, 2)
    return planes


def _plane_windows(planes, g):
    """Read-only view (KH, KW, C, N, OH, OW) of planes (C, N, Hp, Wp): row (i, j, c) of cols.T."""
    sC, sN, sH, sW = planes.strides
    (s_r, s_c), (d_r, d_c) = g.stride, g.dilation
    shape = (*g.kernel, g.channels, planes.shape[1], *g.out)
    strides = (d_r * sH, d_c * sW, sC, sN, s_r * sH, s_c * sW)
    return as_strided(planes, shape, strides, writeable=False)


def _cols_t(x, g, ones, planes):
    """cols.T (R, M), or (R + 1, M) with a last row of ones if `ones` (it carries the bias).

    planes: a C-ordered (R[+1], M) array filled from channel planes, a whole
    output row at a time.  Otherwise the transpose of a C-ordered (M, R[+1])
    array, filled from channels-last windows.
    """
    N, (OH, OW), (KH, KW), C = len(x), g.out, g.kernel, g.channels
    R = KH * KW * C
    if planes:
        a = np.empty((R + ones, N * OH * OW), dtype=x.dtype)
        rows = a[:R].reshape(KH, KW, C, N, OH, OW)  # a view: writing to rows fills a
        rows[...] = _plane_windows(_planes(x, g), g)
    else:
        a = np.empty((N * OH * OW, R + ones), dtype=x.dtype).T
        rows = a[:R].T.reshape(N, OH, OW, KH, KW, C)  # a view too: each axis splits into whole runs
        rows[...] = windows(pad_input(x, g), g)
    if ones:
        a[R] = 1
    return a


def forward(x, w, b, g, lap=_untimed):
    """h (N, OH, OW, F) of checked x (N, H, W, C), w (F, KH, KW, C), b (F,) or None.

    lap(phase) is called after each step (one of PHASES).
    """
    w2 = w.reshape(g.filters, -1)  # (F, R)
    if b is not None:
        w2 = np.concatenate([w2, b[:, None]], axis=1)  # (F, R + 1): b multiplies the row of ones
    cols_t = _cols_t(x, g, ones=b is not None, planes=layout(g, "h") == "planes")  # (R [+ 1], M)
    lap(IM2COL)
    h = cols_t.T @ w2.T  # (M, F)
    lap(FORWARD)
    return h.reshape(len(x), *g.out, g.filters)


def backward(dh, x, w, g, lap=_untimed):
    """(dx, dw, db) of checked dh (N, OH, OW, F), x (N, H, W, C), w (F, KH, KW, C)."""
    cols_t = _cols_t(x, g, ones=True, planes=layout(g, "dw") == "planes")  # (R + 1, M)
    lap(IM2COL)
    dw, db = _dw_db(dh, cols_t, w, g)
    lap(DW)
    del cols_t  # freed before dL/dx allocates: peak memory stays about 1x cols
    return backward_dx(dh, w, g, lap), dw, db


def _dw_db(dh, cols_t, w, g):
    """(dw, db) = dh2.T @ [cols | 1], from cols.T (R + 1, M) with its row of ones."""
    dwb = (cols_t @ dh.reshape(-1, g.filters)).T  # (F, R + 1)
    return dwb[:, :-1].reshape(w.shape), dwb[:, -1]


def backward_dx(dh, w, g, lap=_untimed):
    """dL/dx (N, H, W, C) = col2im(dh2 @ w2), added one kernel tap at a time.

    rows: tap (i, j)'s columns of dcols are dh2 @ w[:, i, j, :] (M, C), one
    contiguous block added onto the tap's strided slice of x_pad.
    planes: dcols.T = w2.T @ dh2.T (R, M), whose rows are output-shaped
    planes added onto planes of dx; then back to channels-last.
    """
    N, (OH, OW), (KH, KW), C, F = len(dh), g.out, g.kernel, g.channels, g.filters
    dh2 = dh.reshape(-1, F)  # (M, F)
    if layout(g, "dx") == "planes":
        dcols_t = (w.reshape(F, -1).T @ dh2.T).reshape(KH, KW, C, N, OH, OW)
        lap(DCOLS)
        d_planes = np.zeros((C, N, *g.padded), dtype=dh.dtype)
        for i in range(KH):
            for j in range(KW):
                d_planes[(slice(None), slice(None), *tap_slices(g, i, j))] += dcols_t[i, j]
        dx = np.ascontiguousarray(crop_padding(d_planes.transpose(1, 2, 3, 0), g))
        lap(COL2IM)
        return dx
    w_taps = w.transpose(1, 2, 0, 3)  # (KH, KW, F, C)
    dx_pad = np.zeros((N, *g.padded, C), dtype=dh.dtype)
    for i in range(KH):
        for j in range(KW):
            dcols_tap = (dh2 @ w_taps[i, j]).reshape(N, OH, OW, C)
            lap(DCOLS)
            dx_pad[(slice(None), *tap_slices(g, i, j))] += dcols_tap
            lap(COL2IM)
    return crop_padding(dx_pad, g)


@forward_view
def conv2d(x, w, b, g):
    """Forward pass as one matrix product.

    x: (H, W, C) or (N, H, W, C);  w: (F, KH, KW, C);  b: (F,) or None.
    Returns h: (OH, OW, F) or (N, OH, OW, F).
    """
    return forward(x, w, b, g)


@backward_view
def conv2d_backward(dh, x, w, g):
    """Backward pass as matrix products.

    dh: (OH, OW, F) or (N, OH, OW, F);  x: (H, W, C) or (N, H, W, C);
    w: (F, KH, KW, C).  Returns (dx, dw, db) with the shapes of x, w and (F,).
    """
    return backward(dh, x, w, g)
