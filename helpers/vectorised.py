"""The vectorised path: im2col, matrix products and col2im (notebook 06).

Channels-last makes im2col a pure view: the window of output (n, oh, ow) is
``x_pad[n, s*oh + d*i, s*ow + d*j, c]`` for i < KH, j < KW, c < C, so a 6-D
strided view (N, OH, OW, KH, KW, C) reshapes to the columns matrix
``cols`` (N*OH*OW, KH*KW*C) whose column order (i, j, c) is exactly that of
``w.reshape(F, -1)``.  Then, with M = N*OH*OW and K = KH*KW*C::

    h     = cols @ w2.T        (M, F)    forward
    dw2   = dh2.T @ cols       (F, K)    dL/dw
    dcols = dh2 @ w2           (M, K)    dL/dcols, then col2im
    db    = dh2.sum(0)         (F,)

col2im is the ``+=`` scatter of the loop reference, done one kernel tap at a
time: for a fixed tap (i, j) the windows of different outputs land on
different pixels, so one strided slice-add per tap is exact.  The backward
pass fuses the last two steps: tap (i, j)'s slice of dcols is dh2 @ w[:, i, j, :].
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .geometry import (
    _int_pair,
    _is_int,
    as_float_arrays,
    conv_geometry,
    crop_padding,
    pad_input,
    prepare,
    unbatch,
)

__all__ = ["im2col", "col2im", "conv2d", "conv2d_backward", "conv2d_transpose"]


def _windows(x_pad, g):
    """Read-only view (N, OH, OW, KH, KW, C) of every window of x_pad (N, Hp, Wp, C)."""
    sN, sH, sW, sC = x_pad.strides
    (s_r, s_c), (d_r, d_c) = g.stride, g.dilation
    shape = (len(x_pad), *g.out, *g.kernel, g.channels)
    strides = (sN, s_r * sH, s_c * sW, d_r * sH, d_c * sW, sC)
    return as_strided(x_pad, shape, strides, writeable=False)


def _cols(x, g):
    """The columns matrix (N*OH*OW, KH*KW*C) of x (N, H, W, C)."""
    return _windows(pad_input(x, g), g).reshape(-1, g.kernel[0] * g.kernel[1] * g.channels)


def _scatter(dcols, g, dtype):
    """col2im: add dcols (N, OH, OW, KH, KW, C) back onto the input grid; crop padding."""
    N, (OH, OW), (s_r, s_c), (d_r, d_c) = len(dcols), g.out, g.stride, g.dilation
    dx_pad = np.zeros((N, *g.padded, g.channels), dtype=dtype)
    for i in range(g.kernel[0]):
        for j in range(g.kernel[1]):
            rows = slice(i * d_r, i * d_r + (OH - 1) * s_r + 1, s_r)
            cols = slice(j * d_c, j * d_c + (OW - 1) * s_c + 1, s_c)
            dx_pad[:, rows, cols, :] += dcols[:, :, :, i, j, :]
    return crop_padding(dx_pad, g)


def _kernel_geometry(x_shape, kernel_size, stride, padding, dilation, x_name="x"):
    KH, KW = _int_pair("kernel_size", kernel_size, minimum=1)
    C = x_shape[-1] if len(x_shape) in (3, 4) else 1
    return conv_geometry(x_shape, (1, KH, KW, C), stride=stride, padding=padding,
                         dilation=dilation, x_name=x_name)


def im2col(x, kernel_size, *, stride=1, padding=0, dilation=1):
    """Unfold every window of x into a row of the columns matrix.

    x: (H, W, C) or (N, H, W, C);  kernel_size: int or (KH, KW).
    Returns cols: (OH*OW, KH*KW*C) or (N*OH*OW, KH*KW*C), rows in (n, oh, ow)
    order, columns in (i, j, c) order, so that ``cols @ w.reshape(F, -1).T``
    is the convolution.
    """
    (x,) = as_float_arrays(x=x)
    g = _kernel_geometry(x.shape, kernel_size, stride, padding, dilation)
    return _cols(x if g.batch is not None else x[None], g)


def col2im(cols, x_shape, kernel_size, *, stride=1, padding=0, dilation=1):
    """Adjoint of :func:`im2col`: add each row back onto its window (``+=``).

    cols: (OH*OW, KH*KW*C) or (N*OH*OW, KH*KW*C);  x_shape: (H, W, C) or
    (N, H, W, C).  Returns an array of shape x_shape.  Pixels covered by
    several windows receive the sum of their contributions.
    """
    (cols,) = as_float_arrays(cols=cols)
    g = _kernel_geometry(tuple(x_shape), kernel_size, stride, padding, dilation,
                         x_name="x_shape")
    N = 1 if g.batch is None else g.batch
    expected = (N * g.out[0] * g.out[1], g.kernel[0] * g.kernel[1] * g.channels)
    if cols.shape != expected:
        raise ValueError(
            f"cols must have shape (N*OH*OW, KH*KW*C) = {expected} for x_shape "
            f"{tuple(x_shape)}, got shape {cols.shape}"
        )
    dcols = cols.reshape(N, *g.out, *g.kernel, g.channels)
    return unbatch(g, _scatter(dcols, g, cols.dtype))


def conv2d(x, w, b=None, *, stride=1, padding=0, dilation=1):
    """Forward pass as one matrix product.

    x: (H, W, C) or (N, H, W, C);  w: (F, KH, KW, C);  b: (F,) or None.
    Returns h: (OH, OW, F) or (N, OH, OW, F).
    """
    g, x, w, b, _ = prepare(x, w, b=b, stride=stride, padding=padding, dilation=dilation)
    h = _cols(x, g) @ w.reshape(g.filters, -1).T  # (M, F)
    if b is not None:
        h += b
    return unbatch(g, h.reshape(len(x), *g.out, g.filters))


def _dx(dh, w, g):
    """dL/dx (N, H, W, C) = C^T dh, one kernel tap at a time.

    This is col2im(dh2 @ w2) with the product split by tap: tap (i, j)'s
    columns of dcols are dh2 @ w[:, i, j, :] (M, C), added onto the tap's
    strided slice of dx_pad.  Each product lands in a contiguous block, so
    the adds stream through memory instead of gathering 3-float pieces.
    """
    N, (OH, OW), (s_r, s_c), (d_r, d_c) = len(dh), g.out, g.stride, g.dilation
    (KH, KW), C = g.kernel, g.channels
    dh2 = dh.reshape(-1, g.filters)  # (M, F)
    w_taps = w.transpose(1, 2, 0, 3).reshape(KH * KW, g.filters, C)  # (T, F, C)
    if C < 8:  # thin products: one batched call beats KH*KW separate ones
        taps = np.matmul(dh2, w_taps)  # (T, M, C)
    dx_pad = np.zeros((N, *g.padded, C), dtype=dh.dtype)
    for t in range(KH * KW):
        i, j = divmod(t, KW)
        rows = slice(i * d_r, i * d_r + (OH - 1) * s_r + 1, s_r)
        cols = slice(j * d_c, j * d_c + (OW - 1) * s_c + 1, s_c)
        tap = taps[t] if C < 8 else dh2 @ w_taps[t]  # (M, C)
        dx_pad[:, rows, cols, :] += tap.reshape(N, OH, OW, C)
    return crop_padding(dx_pad, g)


def conv2d_backward(dh, x, w, *, stride=1, padding=0, dilation=1):
    """Backward pass as matrix products.

    dh: (OH, OW, F) or (N, OH, OW, F);  x: (H, W, C) or (N, H, W, C);
    w: (F, KH, KW, C).  Returns (dx, dw, db) with the shapes of x, w and (F,).
    """
    g, x, w, _, dh = prepare(x, w, dh=dh, stride=stride, padding=padding, dilation=dilation)
    dh2 = dh.reshape(-1, g.filters)  # (M, F)
    dw = (_cols(x, g).T @ dh2).T.reshape(w.shape)  # = dh2.T @ cols; BLAS runs this order faster
    db = np.ones(len(dh2), dtype=dh2.dtype) @ dh2  # = dh2.sum(axis=0), as a BLAS product: 10x faster
    return unbatch(g, _dx(dh, w, g)), dw, db


def conv2d_transpose(dh, w, *, stride=1, padding=0, dilation=1, input_size=None):
    """Transposed convolution: the adjoint of :func:`conv2d` (without bias).

    dh: (OH, OW, F) or (N, OH, OW, F);  w: (F, KH, KW, C).
    input_size: (H, W) of the forward input.  It is needed when the forward
    floor dropped rows or columns (several H give the same OH) and for
    ``padding="same"``; by default the smallest H and W consistent with dh.
    Returns (H, W, C) or (N, H, W, C): exactly dL/dx of the forward pass.
    """
    dh, w = as_float_arrays(dh=dh, w=w)
    if dh.ndim not in (3, 4):
        raise ValueError(f"dh must have shape (OH, OW, F) or (N, OH, OW, F), got shape {dh.shape}")
    if w.ndim != 4:
        raise ValueError(f"w must have shape (F, KH, KW, C), got shape {w.shape}")
    if input_size is None:
        input_size = _smallest_input(dh.shape[-3:-1], w.shape[1:3], stride, padding, dilation)
    H, W = _size_pair(input_size)
    x_shape = (*dh.shape[:-3], H, W, w.shape[-1])
    g = conv_geometry(x_shape, w.shape, stride=stride, padding=padding,
                      dilation=dilation, dh_shape=dh.shape, x_name="input_size")
    return unbatch(g, _dx(dh if g.batch is not None else dh[None], w, g))


def _size_pair(input_size):
    pair = tuple(input_size) if isinstance(input_size, (tuple, list)) else ()
    if len(pair) != 2 or not all(_is_int(v) for v in pair):
        raise TypeError(f"input_size must be an (H, W) pair of ints, got {input_size!r}")
    return int(pair[0]), int(pair[1])


def _smallest_input(out, kernel, stride, padding, dilation):
    """The smallest (H, W) whose forward output is `out`."""
    if isinstance(padding, str) and padding == "same":
        raise ValueError("input_size is required with padding='same'")
    g = conv_geometry((1, 1, 1), (1, 1, 1, 1), stride=stride, padding=padding,
                      dilation=dilation)  # validates and normalises the parameters
    return tuple(
        (o - 1) * s + (k - 1) * d + 1 - sum(p)
        for o, k, s, d, p in zip(out, kernel, g.stride, g.dilation, g.pad)
    )
