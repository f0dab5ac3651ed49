"""Convolution as a matrix (notebook 05).

For one image, the convolution is linear in x, so it is a matrix C with
``h.ravel() == C @ x.ravel()`` (bias excluded), rows in h's (oh, ow, f)
order and columns in x's (i, j, c) order.  Row (oh, ow, f) holds filter f's
weights at the pixels of window (oh, ow) and zeros elsewhere: a sparse matrix
with only F*KH*KW*C distinct values.  Its transpose sends dL/dh to dL/dx,
and dL/dw[k] is the sum of dL/dC over the places where weight k sits.
"""

import numpy as np

from . import _checks as check
from .geometry import conv_geometry, prepare, unbatch

__all__ = ["conv_matrix_pattern", "conv_matrix", "conv2d_matrix", "conv2d_backward_matrix"]


def conv_matrix_pattern(x_shape, w_shape, *, stride=1, padding=0, dilation=1):
    """Which weight sits where in C.

    x_shape: (H, W, C);  w_shape: (F, KH, KW, C).
    Returns an int array (OH*OW*F, H*W*C): the flat index into ``w.ravel()``
    of the weight at each entry of C, or -1 where C holds a structural zero.
    Taps that fall on padding have no column: they multiply zeros.
    """
    x_shape = check.shape("x_shape", x_shape, ranks=(3, 4), form="(H, W, C)")
    if len(x_shape) != 3:
        raise ValueError(
            f"x_shape must be a single image's (H, W, C), got {x_shape}; "
            "for a batch, apply C to each image"
        )
    g = conv_geometry(x_shape, w_shape, stride=stride, padding=padding, dilation=dilation,
                      x_name="x_shape")
    (H, W), Cin, F, (KH, KW) = g.size, g.channels, g.filters, g.kernel
    (s_r, s_c), (d_r, d_c), ((top, _), (left, _)) = g.stride, g.dilation, g.pad
    flat = np.arange(F * KH * KW * Cin).reshape(F, KH, KW, Cin)
    pattern = np.full((*g.out, F, H, W, Cin), -1, dtype=np.intp)
    for oh in range(g.out[0]):
        for ow in range(g.out[1]):
            for i in range(KH):
                for j in range(KW):
                    r, c = s_r * oh + d_r * i - top, s_c * ow + d_c * j - left
                    if 0 <= r < H and 0 <= c < W:
                        pattern[oh, ow, :, r, c, :] = flat[:, i, j, :]
    return pattern.reshape(g.out[0] * g.out[1] * F, H * W * Cin)


def conv_matrix(x_shape, w, *, stride=1, padding=0, dilation=1):
    """The matrix C of the convolution of an image of shape x_shape with w.

    x_shape: (H, W, C);  w: (F, KH, KW, C).
    Returns C: (OH*OW*F, H*W*C) with ``conv2d(x, w).ravel() == C @ x.ravel()``.
    """
    (w,) = check.float_arrays(w=w)
    check.rank("w", w, (4,), "(F, KH, KW, C)")
    pattern = conv_matrix_pattern(x_shape, w.shape, stride=stride, padding=padding,
                                  dilation=dilation)
    return np.where(pattern >= 0, w.ravel()[pattern], 0).astype(w.dtype, copy=False)


def conv2d_matrix(x, w, b=None, *, stride=1, padding=0, dilation=1):
    """Forward pass as C @ x.ravel() for each image (+ b).

    x: (H, W, C) or (N, H, W, C);  w: (F, KH, KW, C);  b: (F,) or None.
    Returns h: (OH, OW, F) or (N, OH, OW, F).
    """
    g, x, w, b, _ = prepare(x, w, b=b, stride=stride, padding=padding, dilation=dilation)
    C = conv_matrix(x.shape[1:], w, stride=stride, padding=padding, dilation=dilation)
    h = (x.reshape(len(x), C.shape[1]) @ C.T).reshape(len(x), *g.out, g.filters)  # row n: C @ x[n].ravel()
    return unbatch(g, h if b is None else h + b)


def conv2d_backward_matrix(dh, x, w, *, stride=1, padding=0, dilation=1):
    """Backward pass from the matrix: dx = C.T @ dh, dw summed over each weight's places in C.

    dh: (OH, OW, F) or (N, OH, OW, F);  x: (H, W, C) or (N, H, W, C);
    w: (F, KH, KW, C).  Returns (dx, dw, db) with the shapes of x, w and (F,).
    h = C x is linear in C, so dL/dC = dh x^T (summed over the images), and
    weight k, which sits at every place where the pattern holds k, gets the
    sum of dL/dC over those places.
    """
    g, x, w, _, dh = prepare(x, w, dh=dh, stride=stride, padding=padding, dilation=dilation)
    params = dict(stride=stride, padding=padding, dilation=dilation)
    C = conv_matrix(x.shape[1:], w, **params)  # (P, Q), P = OH*OW*F, Q = H*W*C
    pattern = conv_matrix_pattern(x.shape[1:], w.shape, **params)
    dh2, x2 = dh.reshape(len(dh), C.shape[0]), x.reshape(len(x), C.shape[1])  # (N, P), (N, Q)
    dx = (dh2 @ C).reshape(x.shape)  # row n: C.T @ dh[n].ravel()
    dC = dh2.T @ x2  # (P, Q): sum over n of dh[n] x[n]^T
    placed = pattern >= 0
    dw = np.bincount(pattern[placed], weights=dC[placed], minlength=w.size)
    return unbatch(g, dx), dw.reshape(w.shape).astype(w.dtype), dh.sum(axis=(0, 1, 2))
