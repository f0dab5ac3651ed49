"""Convolution as a matrix (notebook 05).

For one image, the convolution is linear in x, so it is a matrix C with
``h.ravel() == C @ x.ravel()`` (bias excluded), rows in h's (oh, ow, f)
order and columns in x's (i, j, c) order.  Row (oh, ow, f) holds filter f's
weights at the pixels of window (oh, ow) and zeros elsewhere: a sparse matrix
with only F*KH*KW*C distinct values.  Its transpose sends dL/dh to dL/dx.
"""

import numpy as np

from .geometry import as_float_arrays, conv_geometry

__all__ = ["conv_matrix_pattern", "conv_matrix"]


def conv_matrix_pattern(x_shape, w_shape, *, stride=1, padding=0, dilation=1):
    """Which weight sits where in C.

    x_shape: (H, W, C);  w_shape: (F, KH, KW, C).
    Returns an int array (OH*OW*F, H*W*C): the flat index into ``w.ravel()``
    of the weight at each entry of C, or -1 where C holds a structural zero.
    Taps that fall on padding have no column: they multiply zeros.
    """
    x_shape, w_shape = tuple(x_shape), tuple(w_shape)
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
    (w,) = as_float_arrays(w=w)
    if w.ndim != 4:
        raise ValueError(f"w must have shape (F, KH, KW, C), got shape {w.shape}")
    pattern = conv_matrix_pattern(x_shape, w.shape, stride=stride, padding=padding,
                                  dilation=dilation)
    return np.where(pattern >= 0, w.ravel()[pattern], 0).astype(w.dtype, copy=False)
