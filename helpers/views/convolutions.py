"""The backward pass as two convolutions, as frameworks call it (notebooks 05 and 08).

dL/dx is the transposed convolution of dL/dh with the kernel,
:func:`conv2d_transpose`, the adjoint of :func:`helpers.conv2d`: zeros
inserted for a stride, the padding K - 1 - p, the rotated kernel (it runs
the fast path's col2im products, :func:`helpers.views.fast.backward_dx`).
dL/dw is a convolution too: of the padded input, channels as the batch and
images as the channels, with dL/dh as the filters, stride and dilation
swapped.
"""

import numpy as np

from .. import _checks as check
from ..geometry import conv_geometry, pad_input, unbatch
from .fast import backward_dx, conv2d
from .signature import backward_view

__all__ = ["conv2d_transpose", "conv2d_backward_by_convolutions"]


def conv2d_transpose(dh, w, *, stride=1, padding=0, dilation=1, input_size=None):
    """Transposed convolution: the adjoint of :func:`helpers.conv2d` (without bias).

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
    return unbatch(g, backward_dx(dh if g.batch is not None else dh[None], w, g))


def _smallest_input(out, kernel, stride, padding, dilation):
    """The smallest (H, W) whose forward output is `out`: (o - 1) s + (k - 1) d + 1 - 2 p, at least 1."""
    spec = check.padding(padding)
    if spec == "same":
        raise ValueError("input_size is required with padding='same'")
    stride = check.int_pair("stride", stride, minimum=1)
    dilation = check.int_pair("dilation", dilation, minimum=1)
    return tuple(max((o - 1) * s + (k - 1) * d + 1 - 2 * p, 1)
                 for o, k, s, d, p in zip(out, kernel, stride, dilation, spec))


@backward_view
def conv2d_backward_by_convolutions(dh, x, w, g):
    """Backward pass as two convolutions, as frameworks call it: dx by conv2d_transpose, dw by conv2d.

    dh: (OH, OW, F) or (N, OH, OW, F);  x: (H, W, C) or (N, H, W, C);
    w: (F, KH, KW, C).  Returns (dx, dw, db) with the shapes of x, w and (F,).
    dw[f, i, j, c] = sum over n, oh, ow of x_pad[n, s*oh + d*i, s*ow + d*j, c] * dh[n, oh, ow, f]
    is a convolution of x_pad (channels as the batch, images as the channels)
    with dh as the filters, stride and dilation swapped, cropped to KH x KW.
    """
    dx = backward_dx(dh, w, g)  # conv2d_transpose(dh, w, ..., input_size=(H, W)), on the checked geometry
    dw = np.zeros_like(w)
    if len(x):  # an empty batch has no images to be the channels
        dw_t = conv2d(pad_input(x, g).transpose(3, 1, 2, 0), dh.transpose(3, 1, 2, 0),
                      stride=g.dilation, dilation=g.stride)  # (C, >= KH, >= KW, F)
        dw = dw_t[:, :g.kernel[0], :g.kernel[1]].transpose(3, 1, 2, 0)
    return dx, dw, dh.sum(axis=(0, 1, 2))
