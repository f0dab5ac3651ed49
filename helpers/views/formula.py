"""The "formula" view of notebooks 01-04: the backward pass as correlations.

Everything here is built from one 2-D operation, :func:`correlate2d`::

    out[p, q] = sum_{i, j} k[i, j] * a[s*p + d*i, s*q + d*j]

and three small array moves: :func:`rotate180`, :func:`dilate` (insert
``stride - 1`` zeros between entries) and zero padding.  With them:

* dL/dw[f, :, :, c] is the correlation of the padded input channel c with
  dL/dh[:, :, f], where stride and dilation swap roles;
* dL/dx[:, :, c] is the sum over filters f of: correlate the zero-padded
  (and, for a stride, zero-inserted) dL/dh[:, :, f] with the rotated kernel,
  filter f's channel c rotated by 180 degrees (with the kernel's dilation);
  that is, the full (true) convolution of dL/dh[:, :, f] with the kernel.
  Then crop the forward padding.

The per-filter, per-channel loops are kept on purpose: they are the learner's
"compute it for each of the 16 filters and add them", made exact.
"""

import numpy as np

from .. import _checks as check
from ..geometry import crop_padding, output_size, pad_input
from .signature import backward_view

__all__ = [
    "correlate2d", "full_convolve2d", "rotate180", "dilate",
    "conv2d_backward_formula",
]


def _plane(name, a, form):
    """a as a 2-D array with no empty axis; form names its axes in the message."""
    check.rank(name, a, (2,), form)
    check.no_empty_axis(name, a.shape)
    return a


def correlate2d(a, k, *, stride=1, dilation=1):
    """Valid 2-D cross-correlation of one channel with one kernel.

    a: (P, Q);  k: (KH, KW);  stride, dilation: int or (rows, cols) pair.
    Returns (floor((P - (KH-1)d - 1) / s) + 1, the same for columns).
    """
    a, k = check.float_arrays(a=a, k=k)
    _plane("a", a, "(P, Q)")
    _plane("k", k, "(KH, KW)")
    (s_r, s_c) = check.int_pair("stride", stride, minimum=1)
    (d_r, d_c) = check.int_pair("dilation", dilation, minimum=1)
    KH, KW = k.shape
    check.kernel_fits(((KH - 1) * d_r + 1, (KW - 1) * d_c + 1), a.shape, "a",
                      f"k has shape {k.shape}, dilation={(d_r, d_c)}")
    OH = output_size(a.shape[0], KH, stride=s_r, dilation=d_r)
    OW = output_size(a.shape[1], KW, stride=s_c, dilation=d_c)
    out = np.zeros((OH, OW), dtype=a.dtype)
    for i in range(KH):  # one shifted, strided view of `a` per kernel tap
        for j in range(KW):
            r, c = i * d_r, j * d_c
            out += k[i, j] * a[r:r + (OH - 1) * s_r + 1:s_r, c:c + (OW - 1) * s_c + 1:s_c]
    return out


def rotate180(k):
    """Rotate the two kernel axes by 180 degrees: k[::-1, ::-1] (not a transpose).

    k: (KH, KW) or (F, KH, KW, C); for the latter the spatial axes 1, 2 flip.
    """
    k = check.rank("k", check.real_array("k", k), (2, 4), "(KH, KW) or (F, KH, KW, C)")
    return k[::-1, ::-1] if k.ndim == 2 else k[:, ::-1, ::-1, :]


def full_convolve2d(a, k, *, dilation=1):
    """The full (true) convolution of a with k: zero-pad a by the (dilated) kernel size - 1, correlate with rot180(k).

    a: (P, Q);  k: (KH, KW).  Returns (P + (KH-1)d, Q + (KW-1)d).
    """
    a, k = check.float_arrays(a=a, k=k)
    _plane("a", a, "(P, Q)")
    (KH, KW), (d_r, d_c) = _plane("k", k, "(KH, KW)").shape, check.int_pair("dilation", dilation, minimum=1)
    pr, pc = (KH - 1) * d_r, (KW - 1) * d_c
    return correlate2d(np.pad(a, ((pr, pr), (pc, pc))), rotate180(k), dilation=(d_r, d_c))


def dilate(dh, stride):
    """Insert stride - 1 zeros between neighbouring entries of each map.

    dh: (OH, OW), (OH, OW, F) or (N, OH, OW, F);  stride: int or (rows, cols) pair.
    Returns the spatial axes (OH, OW) grown to ((OH-1)s + 1, (OW-1)s + 1).
    """
    dh = check.rank("dh", check.real_array("dh", dh), (2, 3, 4), "(OH, OW), (OH, OW, F) or (N, OH, OW, F)")
    check.no_empty_axis("dh", dh.shape, skip=1 if dh.ndim == 4 else 0)
    s_r, s_c = check.int_pair("stride", stride, minimum=1)
    r, c = (1, 2) if dh.ndim == 4 else (0, 1)
    shape = list(dh.shape)
    shape[r], shape[c] = (shape[r] - 1) * s_r + 1, (shape[c] - 1) * s_c + 1
    up = np.zeros(shape, dtype=dh.dtype)
    index = [slice(None)] * dh.ndim
    index[r], index[c] = slice(None, None, s_r), slice(None, None, s_c)
    up[tuple(index)] = dh
    return up


@backward_view
def conv2d_backward_formula(dh, x, w, g):
    """Backward pass from the formulas: insert zeros, zero-pad, correlate with the rotated kernel, crop.

    dh: (OH, OW, F) or (N, OH, OW, F);  x: (H, W, C) or (N, H, W, C);
    w: (F, KH, KW, C).  Returns (dx, dw, db) with the shapes of x, w and (F,).
    """
    KH, KW = g.kernel
    x_pad = pad_input(x, g)
    # Zero-insert dh, then add the rows/cols the floor dropped at the bottom/right:
    # no output looked at them, so their gradient will come out exactly zero.
    dh_up = dilate(dh, g.stride)
    dropped_r = g.padded[0] - (dh_up.shape[1] + (KH - 1) * g.dilation[0])
    dropped_c = g.padded[1] - (dh_up.shape[2] + (KW - 1) * g.dilation[1])
    dh_up = np.pad(dh_up, ((0, 0), (0, dropped_r), (0, dropped_c), (0, 0)))

    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    for n in range(len(x)):
        for f in range(g.filters):
            for c in range(g.channels):
                dx_pad[n, :, :, c] += full_convolve2d(dh_up[n, :, :, f], w[f, :, :, c],
                                                      dilation=g.dilation)
                # dw: correlate x with dh; stride and dilation swap roles.
                dw[f, :, :, c] += correlate2d(x_pad[n, :, :, c], dh[n, :, :, f],
                                              stride=g.dilation, dilation=g.stride)[:KH, :KW]
    db = dh.sum(axis=(0, 1, 2))
    return crop_padding(dx_pad, g), dw, db
