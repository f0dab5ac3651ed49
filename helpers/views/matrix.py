"""Convolution as a matrix (notebook 05).

For one image, the convolution is linear in x, so it is a matrix C with
``h.ravel() == C @ x.ravel()`` (bias excluded), rows in h's (oh, ow, f)
order and columns in x's (i, j, c) order.  Row (oh, ow, f) holds filter f's
weights at the pixels of window (oh, ow) and zeros elsewhere: a sparse matrix
with only F*KH*KW*C distinct values.  Its transpose sends dL/dh to dL/dx,
and dL/dw[k] is the sum of dL/dC over the places where weight k sits.

C is stored dense, which is what makes it easy to read and print, and what
makes it grow fast: (OH*OW*F) x (H*W*C) entries, 8 GiB for a 70 x 70 x 3
image and 16 filters.  Both functions refuse a matrix above
:data:`MAX_MATRIX_BYTES` before allocating anything.
"""

import numpy as np

from .. import _checks as check
from ..geometry import conv_geometry
from .signature import backward_view, forward_view

__all__ = ["conv_matrix_pattern", "conv_matrix", "conv2d_matrix", "conv2d_backward_matrix", "MAX_MATRIX_BYTES"]

MAX_MATRIX_BYTES = 512 * 2**20  # 512 MiB: the largest dense C (or pattern) either function builds


def _geometry(x_shape, w_shape, stride, padding, dilation):
    x_shape = check.shape("x_shape", x_shape, ranks=(3, 4), form="(H, W, C)")
    if len(x_shape) != 3:
        raise ValueError(
            f"x_shape must be a single image's (H, W, C), got {x_shape}; "
            "for a batch, apply C to each image"
        )
    return conv_geometry(x_shape, w_shape, stride=stride, padding=padding, dilation=dilation,
                         x_name="x_shape")


def _check_size(g, itemsize, what):
    """Refuse a dense (OH*OW*F, H*W*C) matrix larger than MAX_MATRIX_BYTES, before allocating it."""
    rows, cols = g.out[0] * g.out[1] * g.filters, g.size[0] * g.size[1] * g.channels
    needed = rows * cols * itemsize
    if needed > MAX_MATRIX_BYTES:
        raise ValueError(
            f"{what} for x_shape {(*g.size, g.channels)} and w of shape {(g.filters, *g.kernel, g.channels)} "
            f"would be a dense {rows} x {cols} matrix needing {check.bytes_text(needed)} "
            f"(limit {check.bytes_text(MAX_MATRIX_BYTES)}, "
            "helpers.views.matrix.MAX_MATRIX_BYTES). The matrix view is for small examples: use a smaller "
            "x_shape or fewer filters (the structure is the same), conv_matrix_pattern on a small "
            "example to see where each weight sits, or conv2d / conv2d_backward for this layer"
        )
    return rows, cols


def _taps(g):
    """Every (row of C, tap (i, j), pixel (r, c)) where a window's tap falls inside the image.

    Yields (oh, ow, i, j, r, c); taps that fall on padding have no column (they multiply zeros).
    """
    (H, W), (KH, KW) = g.size, g.kernel
    (s_r, s_c), (d_r, d_c), ((top, _), (left, _)) = g.stride, g.dilation, g.pad
    for oh in range(g.out[0]):
        for ow in range(g.out[1]):
            for i in range(KH):
                for j in range(KW):
                    r, c = s_r * oh + d_r * i - top, s_c * ow + d_c * j - left
                    if 0 <= r < H and 0 <= c < W:
                        yield oh, ow, i, j, r, c


def conv_matrix_pattern(x_shape, w_shape, *, stride=1, padding=0, dilation=1):
    """Which weight sits where in C.

    x_shape: (H, W, C);  w_shape: (F, KH, KW, C).
    Returns an int array (OH*OW*F, H*W*C): the flat index into ``w.ravel()``
    of the weight at each entry of C, or -1 where C holds a structural zero.
    Raises ValueError if it would exceed MAX_MATRIX_BYTES.
    """
    g = _geometry(x_shape, tuple(w_shape), stride, padding, dilation)
    return _pattern(g)


def _pattern(g):
    """conv_matrix_pattern of a checked geometry."""
    rows, cols = _check_size(g, np.dtype(np.intp).itemsize, "conv_matrix_pattern")
    flat = np.arange(g.filters * g.kernel[0] * g.kernel[1] * g.channels).reshape(
        g.filters, *g.kernel, g.channels)
    pattern = np.full((*g.out, g.filters, *g.size, g.channels), -1, dtype=np.intp)
    for oh, ow, i, j, r, c in _taps(g):
        pattern[oh, ow, :, r, c, :] = flat[:, i, j, :]
    return pattern.reshape(rows, cols)


def conv_matrix(x_shape, w, *, stride=1, padding=0, dilation=1):
    """The matrix C of the convolution of an image of shape x_shape with w.

    x_shape: (H, W, C);  w: (F, KH, KW, C).
    Returns C: (OH*OW*F, H*W*C) with ``conv2d(x, w).ravel() == C @ x.ravel()``.
    Raises ValueError if C would exceed MAX_MATRIX_BYTES (512 MiB).
    """
    (w,) = check.float_arrays(w=w)
    check.rank("w", w, (4,), "(F, KH, KW, C)")
    return _matrix(_geometry(x_shape, w.shape, stride, padding, dilation), w)


def _matrix(g, w):
    """conv_matrix of a checked geometry and w."""
    rows, cols = _check_size(g, w.dtype.itemsize, "conv_matrix")
    C = np.zeros((*g.out, g.filters, *g.size, g.channels), dtype=w.dtype)
    for oh, ow, i, j, r, c in _taps(g):
        C[oh, ow, :, r, c, :] = w[:, i, j, :]
    return C.reshape(rows, cols)


@forward_view
def conv2d_matrix(x, w, b, g):
    """Forward pass as C @ x.ravel() for each image (+ b).

    x: (H, W, C) or (N, H, W, C);  w: (F, KH, KW, C);  b: (F,) or None.
    Returns h: (OH, OW, F) or (N, OH, OW, F).
    """
    C = _matrix(g, w)
    h = (x.reshape(len(x), C.shape[1]) @ C.T).reshape(len(x), *g.out, g.filters)  # row n: C @ x[n].ravel()
    return h if b is None else h + b


@backward_view
def conv2d_backward_matrix(dh, x, w, g):
    """Backward pass from the matrix: dx = C.T @ dh, dw summed over each weight's places in C.

    dh: (OH, OW, F) or (N, OH, OW, F);  x: (H, W, C) or (N, H, W, C);
    w: (F, KH, KW, C).  Returns (dx, dw, db) with the shapes of x, w and (F,).
    h = C x is linear in C, so dL/dC = dh x^T (summed over the images), and
    weight k, which sits at every place where the pattern holds k, gets the
    sum of dL/dC over those places.
    """
    C, pattern = _matrix(g, w), _pattern(g)  # (P, Q), P = OH*OW*F, Q = H*W*C
    dh2, x2 = dh.reshape(len(dh), C.shape[0]), x.reshape(len(x), C.shape[1])  # (N, P), (N, Q)
    dx = (dh2 @ C).reshape(x.shape)  # row n: C.T @ dh[n].ravel()
    dC = dh2.T @ x2  # (P, Q): sum over n of dh[n] x[n]^T
    placed = pattern >= 0
    dw = np.bincount(pattern[placed], weights=dC[placed], minlength=w.size)
    return dx, dw.reshape(w.shape).astype(w.dtype), dh.sum(axis=(0, 1, 2))
