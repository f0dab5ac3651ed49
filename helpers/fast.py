"""The fast path: the products of :mod:`helpers.im2col_view`, laid out for speed.

:func:`conv2d`, :func:`conv2d_backward` (and so the layers of notebook 07
and ``make bench``) and :func:`conv2d_transpose` run the products of the
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

:func:`phase_times` runs the same code with a clock between the steps: the
timing hook of notebook 06's explorer.

A layer that runs its backward pass right after its forward pass (the CNN
of notebook 07) need not build the columns twice:
:func:`conv2d_keeping_columns` returns them with h, and
:func:`conv2d_backward_from_columns` takes them instead of x.
"""

import time
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from . import _checks as check
from .geometry import conv_geometry, crop_padding, pad_input, prepare, tap_slices, unbatch
from .im2col_view import windows

__all__ = ["FEW_CHANNELS", "PHASES", "layout", "conv2d", "conv2d_backward", "conv2d_transpose",
           "conv2d_backward_by_convolutions", "Columns", "conv2d_keeping_columns", "conv2d_backward_from_columns",
           "phase_times"]

FEW_CHANNELS = 8  # below this many input channels, the planes layout
PHASES = ("im2col ×2 (copy windows)", "forward: cols @ W.T", "dL/dw: dh.T @ cols",
          "dL/dcols: dh @ W", "col2im (+=)")
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


def forward(x, w, b, g, lap=_untimed, product="h"):
    """(h (N, OH, OW, F), cols.T) of checked x (N, H, W, C), w (F, KH, KW, C), b (F,) or None.

    cols.T is (R + 1, M) with the row of ones when b is given, else (R, M),
    in the layout of `product` (its own, or "dw" to keep it for backward).
    lap(phase) is called after each step (see :func:`phase_times`).
    """
    w2 = w.reshape(g.filters, -1)  # (F, R)
    if b is not None:
        w2 = np.concatenate([w2, b[:, None]], axis=1)  # (F, R + 1): b multiplies the row of ones
    cols_t = _cols_t(x, g, ones=b is not None, planes=layout(g, product) == "planes")
    lap(IM2COL)
    h = cols_t.T @ w2.T  # (M, F)
    lap(FORWARD)
    return h.reshape(len(x), *g.out, g.filters), cols_t


def backward(dh, x, w, g, lap=_untimed):
    """(dx, dw, db) of checked dh (N, OH, OW, F), x (N, H, W, C), w (F, KH, KW, C)."""
    cols_t = _cols_t(x, g, ones=True, planes=layout(g, "dw") == "planes")  # (R + 1, M)
    lap(IM2COL)
    dw, db = _dw_db(dh, cols_t, w, g)
    lap(DW)
    del cols_t  # freed before dL/dx allocates: peak memory stays about 1x cols
    return _dx(dh, w, g, lap), dw, db


def _dw_db(dh, cols_t, w, g):
    """(dw, db) = dh2.T @ [cols | 1], from cols.T (R + 1, M) with its row of ones."""
    dwb = (cols_t @ dh.reshape(-1, g.filters)).T  # (F, R + 1)
    return dwb[:, :-1].reshape(w.shape), dwb[:, -1]


def _dx(dh, w, g, lap=_untimed):
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


def conv2d(x, w, b=None, *, stride=1, padding=0, dilation=1):
    """Forward pass as one matrix product.

    x: (H, W, C) or (N, H, W, C);  w: (F, KH, KW, C);  b: (F,) or None.
    Returns h: (OH, OW, F) or (N, OH, OW, F).
    """
    g, x, w, b, _ = prepare(x, w, b=b, stride=stride, padding=padding, dilation=dilation)
    h, _ = forward(x, w, b, g)
    return unbatch(g, h)


def conv2d_backward(dh, x, w, *, stride=1, padding=0, dilation=1):
    """Backward pass as matrix products.

    dh: (OH, OW, F) or (N, OH, OW, F);  x: (H, W, C) or (N, H, W, C);
    w: (F, KH, KW, C).  Returns (dx, dw, db) with the shapes of x, w and (F,).
    """
    g, x, w, _, dh = prepare(x, w, dh=dh, stride=stride, padding=padding, dilation=dilation)
    dx, dw, db = backward(dh, x, w, g)
    return unbatch(g, dx), dw, db


def conv2d_transpose(dh, w, *, stride=1, padding=0, dilation=1, input_size=None):
    """Transposed convolution: the adjoint of :func:`conv2d` (without bias).

    dh: (OH, OW, F) or (N, OH, OW, F);  w: (F, KH, KW, C).
    input_size: (H, W) of the forward input.  It is needed when the forward
    floor dropped rows or columns (several H give the same OH) and for
    ``padding="same"``; by default the smallest H and W consistent with dh.
    Returns (H, W, C) or (N, H, W, C): exactly dL/dx of the forward pass.
    """
    dh, w = check.float_arrays(dh=dh, w=w)
    check.rank("dh", dh, (3, 4), "(OH, OW, F) or (N, OH, OW, F)")
    check.rank("w", w, (4,), "(F, KH, KW, C)")
    if input_size is None:
        input_size = _smallest_input(dh.shape[-3:-1], w.shape[1:3], stride, padding, dilation)
    H, W = check.int_pair("input_size", input_size, minimum=1, pair="(H, W)", single=False)
    g = conv_geometry((*dh.shape[:-3], H, W, w.shape[-1]), w.shape, stride=stride, padding=padding,
                      dilation=dilation, dh_shape=dh.shape, x_name="input_size")
    return unbatch(g, _dx(dh if g.batch is not None else dh[None], w, g))


def conv2d_backward_by_convolutions(dh, x, w, *, stride=1, padding=0, dilation=1):
    """Backward pass as two convolutions, as frameworks call it: dx by conv2d_transpose, dw by conv2d.

    dh: (OH, OW, F) or (N, OH, OW, F);  x: (H, W, C) or (N, H, W, C);
    w: (F, KH, KW, C).  Returns (dx, dw, db) with the shapes of x, w and (F,).
    dw[f, i, j, c] = sum over n, oh, ow of x_pad[n, s*oh + d*i, s*ow + d*j, c] * dh[n, oh, ow, f]
    is a convolution of x_pad (channels as the batch, images as the channels)
    with dh as the filters, stride and dilation swapped, cropped to KH x KW.
    """
    g, x, w, _, dh = prepare(x, w, dh=dh, stride=stride, padding=padding, dilation=dilation)
    dx = conv2d_transpose(dh, w, stride=stride, padding=padding, dilation=dilation, input_size=g.size)
    dw = np.zeros_like(w)
    if len(x):  # an empty batch has no images to be the channels
        dw_t = conv2d(pad_input(x, g).transpose(3, 1, 2, 0), dh.transpose(3, 1, 2, 0),
                      stride=g.dilation, dilation=g.stride)  # (C, >= KH, >= KW, F)
        dw = dw_t[:, :g.kernel[0], :g.kernel[1]].transpose(3, 1, 2, 0)
    return unbatch(g, dx), dw, dh.sum(axis=(0, 1, 2))


class Columns(NamedTuple):
    """What :func:`conv2d_keeping_columns` keeps for the backward pass."""

    geometry: object  # the ConvGeometry of the forward pass
    cols_t: np.ndarray  # (R + 1, N*OH*OW): the columns matrix, transposed, with its row of ones


def conv2d_keeping_columns(x, w, b=None, *, stride=1, padding=0, dilation=1):
    """:func:`conv2d`, also returning the columns matrix that its backward pass would build again.

    Same arguments as conv2d.  Returns (h, columns) for
    :func:`conv2d_backward_from_columns`.  The columns are laid out as
    conv2d_backward lays them out for dL/dw, so the gradients are the same
    numbers; they take about KH·KW times the memory of x until dropped.
    """
    g, x, w, b, _ = prepare(x, w, b=b, stride=stride, padding=padding, dilation=dilation)
    b = np.zeros(g.filters, dtype=w.dtype) if b is None else b  # so that the columns have their row of ones
    h, cols_t = forward(x, w, b, g, product="dw")  # in the layout conv2d_backward multiplies
    return unbatch(g, h), Columns(g, cols_t)


def conv2d_backward_from_columns(dh, columns, w):
    """:func:`conv2d_backward` from the columns of :func:`conv2d_keeping_columns` instead of x.

    dh: the shape of that forward pass's h;  w: (F, KH, KW, C), the same
    weights.  Returns (dx, dw, db), equal to conv2d_backward(dh, x, w, ...)
    for the x of that forward pass.
    """
    if not isinstance(columns, Columns):
        raise TypeError(f"columns must be the Columns returned by conv2d_keeping_columns, got {type(columns).__name__}")
    g, cols_t = columns
    dh, w = check.float_arrays(dh=dh, w=w)
    check.same_shape("dh", dh.shape, g.out_shape, "the forward output's shape")
    check.same_shape("w", w.shape, (g.filters, *g.kernel, g.channels), "the forward pass's weight shape")
    dtype = np.result_type(dh, w, cols_t)  # as conv2d_backward would compute with that x
    dh, w, cols_t = (a.astype(dtype, copy=False) for a in (dh, w, cols_t))
    dh = dh if g.batch is not None else dh[None]
    dw, db = _dw_db(dh, cols_t, w, g)
    return unbatch(g, _dx(dh, w, g)), dw, db


def _smallest_input(out, kernel, stride, padding, dilation):
    """The smallest (H, W) whose forward output is `out`."""
    spec = check.padding(padding)
    if spec == "same":
        raise ValueError("input_size is required with padding='same'")
    stride = check.int_pair("stride", stride, minimum=1)
    dilation = check.int_pair("dilation", dilation, minimum=1)
    return tuple(max((o - 1) * s + (k - 1) * d + 1 - 2 * p, 1)
                 for o, k, s, d, p in zip(out, kernel, stride, dilation, spec))


def phase_times(x, w, b, dh, *, stride=1, padding=0, dilation=1):
    """Seconds spent in each of the PHASES by one conv2d and one conv2d_backward, as they run.

    Same arguments as :func:`conv2d` and :func:`conv2d_backward`.  Returns
    {phase: seconds}; im2col is counted twice (the forward and the backward
    pass each copy the windows), the products and col2im once.
    """
    params = dict(stride=stride, padding=padding, dilation=dilation)
    *_, dh = prepare(x, w, dh=dh, **params)
    g, x, w, b, _ = prepare(x, w, b=b, **params)
    seconds = dict.fromkeys(PHASES, 0.0)
    last = time.perf_counter()

    def lap(phase):
        nonlocal last
        now = time.perf_counter()
        seconds[phase] += now - last
        last = now

    forward(x, w, b, g, lap)
    last = time.perf_counter()  # checks and reshapes between the passes are no phase
    backward(dh, x, w, g, lap)
    return seconds
