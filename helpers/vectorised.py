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
different pixels, so one strided slice-add per tap is exact.

Two choices make this fast (``make bench``):

* The bias is the weight of a constant input 1.  A row of ones appended to
  the columns folds ``+ b`` into the forward product and ``db`` into the
  dL/dw product: no separate pass over h or dh.
* The memory layout follows the channel count.  With many channels the
  (M, K) matrix is built from channels-last windows (pieces of C
  contiguous numbers) and dL/dx is one product per tap, (M, F) @ (F, C),
  added onto its strided slice.  With few channels those pieces are 3 or 4
  numbers long and every copy crawls, so the transposed matrix (K, M) is
  built instead from channel *planes* (C, N, H, W): each of its rows is a
  shifted image, copied a whole image row at a time, and col2im adds
  whole planes.  Same products, same numbers, 1.2-1.6x faster there.
  dL/dw = cols.T @ dh2 runs faster on a C-ordered (K, M) matrix, so the
  backward pass builds it from planes also when an output row is longer
  than the channel axis (8-15% off the backward pass of such layers).
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

FEW_CHANNELS = 8  # below this many input channels, the planes layout


def _windows(x_pad, g):
    """Read-only view (N, OH, OW, KH, KW, C) of every window of x_pad (N, Hp, Wp, C)."""
    sN, sH, sW, sC = x_pad.strides
    (s_r, s_c), (d_r, d_c) = g.stride, g.dilation
    shape = (len(x_pad), *g.out, *g.kernel, g.channels)
    strides = (sN, s_r * sH, s_c * sW, d_r * sH, d_c * sW, sC)
    return as_strided(x_pad, shape, strides, writeable=False)


def _tap_slices(g, i, j):
    """The rows and cols of x_pad that kernel tap (i, j) touches, over all outputs."""
    (OH, OW), (s_r, s_c), (d_r, d_c) = g.out, g.stride, g.dilation
    return (slice(i * d_r, i * d_r + (OH - 1) * s_r + 1, s_r),
            slice(j * d_c, j * d_c + (OW - 1) * s_c + 1, s_c))


def _cols(x, g):
    """The columns matrix (N*OH*OW, KH*KW*C) of x (N, H, W, C)."""
    return _windows(pad_input(x, g), g).reshape(-1, g.kernel[0] * g.kernel[1] * g.channels)


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


def _use_planes(g, product):
    """Whether `product` ("h", "dw" or "dx") works on the planes layout (C-ordered (K, M))."""
    few = g.channels < FEW_CHANNELS
    if product == "dw":  # and output rows, contiguous at column stride 1, longer than C
        return few or (g.stride[1] == 1 and g.channels < g.out[1])
    return few


def _cols_t(x, g, ones, planes):
    """cols.T (K, M), or (K + 1, M) with a last row of ones if `ones` (it carries the bias).

    planes: a C-ordered (K[+1], M) array filled from channel planes, a whole
    output row at a time.  Otherwise the transpose of a C-ordered (M, K[+1])
    array, filled from channels-last windows.
    """
    N, (OH, OW), (KH, KW), C = len(x), g.out, g.kernel, g.channels
    K = KH * KW * C
    if planes:
        a = np.empty((K + ones, N * OH * OW), dtype=x.dtype)
        rows = np.reshape(a[:K], (KH, KW, C, N, OH, OW), copy=False)
        rows[...] = _plane_windows(_planes(x, g), g)
    else:
        a = np.empty((N * OH * OW, K + ones), dtype=x.dtype).T
        rows = np.reshape(a[:K].T, (N, OH, OW, KH, KW, C), copy=False)
        rows[...] = _windows(pad_input(x, g), g)
    if ones:
        a[K] = 1
    return a


def _scatter(dcols, g, dtype):
    """col2im: add dcols (N, OH, OW, KH, KW, C) back onto the input grid; crop padding."""
    dx_pad = np.zeros((len(dcols), *g.padded, g.channels), dtype=dtype)
    for i in range(g.kernel[0]):
        for j in range(g.kernel[1]):
            dx_pad[(slice(None), *_tap_slices(g, i, j))] += dcols[:, :, :, i, j, :]
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
    w2 = w.reshape(g.filters, -1)  # (F, K)
    if b is not None:
        w2 = np.concatenate([w2, b[:, None]], axis=1)  # (F, K + 1): b multiplies the row of ones
    h = _cols_t(x, g, ones=b is not None, planes=_use_planes(g, "h")).T @ w2.T  # (M, F)
    return unbatch(g, h.reshape(len(x), *g.out, g.filters))


def _dx(dh, w, g):
    """dL/dx (N, H, W, C) = col2im(dh2 @ w2), added one kernel tap at a time.

    Many channels: tap (i, j)'s columns of dcols are dh2 @ w[:, i, j, :]
    (M, C), one contiguous block added onto the tap's strided slice of x_pad.
    Few channels: dcols.T = w2.T @ dh2.T (K, M), whose rows are output-shaped
    planes added onto planes of dx; then back to channels-last.
    """
    N, (OH, OW), (KH, KW), C, F = len(dh), g.out, g.kernel, g.channels, g.filters
    dh2 = dh.reshape(-1, F)  # (M, F)
    if _use_planes(g, "dx"):
        dcols_t = (w.reshape(F, -1).T @ dh2.T).reshape(KH, KW, C, N, OH, OW)
        d_planes = np.zeros((C, N, *g.padded), dtype=dh.dtype)
        for i in range(KH):
            for j in range(KW):
                d_planes[(slice(None), slice(None), *_tap_slices(g, i, j))] += dcols_t[i, j]
        return np.ascontiguousarray(crop_padding(d_planes.transpose(1, 2, 3, 0), g))
    w_taps = w.transpose(1, 2, 0, 3)  # (KH, KW, F, C)
    dx_pad = np.zeros((N, *g.padded, C), dtype=dh.dtype)
    for i in range(KH):
        for j in range(KW):
            dx_pad[(slice(None), *_tap_slices(g, i, j))] += (dh2 @ w_taps[i, j]).reshape(N, OH, OW, C)
    return crop_padding(dx_pad, g)


def conv2d_backward(dh, x, w, *, stride=1, padding=0, dilation=1):
    """Backward pass as matrix products.

    dh: (OH, OW, F) or (N, OH, OW, F);  x: (H, W, C) or (N, H, W, C);
    w: (F, KH, KW, C).  Returns (dx, dw, db) with the shapes of x, w and (F,).
    """
    g, x, w, _, dh = prepare(x, w, dh=dh, stride=stride, padding=padding, dilation=dilation)
    cols_t = _cols_t(x, g, ones=True, planes=_use_planes(g, "dw"))  # (K + 1, M)
    dwb = (cols_t @ dh.reshape(-1, g.filters)).T  # (F, K + 1) = dh2.T @ [cols | 1]
    del cols_t  # freed before dL/dx allocates: peak memory stays about 1x cols
    dw, db = dwb[:, :-1].reshape(w.shape), dwb[:, -1]
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
