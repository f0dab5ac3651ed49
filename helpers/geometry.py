"""Output-size arithmetic: every size of a convolution, from its shapes and parameters.

Shapes (channels-last, as in the question):

* ``x``  (H, W, C) or (N, H, W, C)
* ``w``  (F, KH, KW, C)
* ``b``  (F,)
* ``h``  (OH, OW, F) or (N, OH, OW, F), and ``dh`` the same

The arguments are checked by :mod:`helpers._checks` before any arithmetic;
:func:`prepare` does both for the arrays of a convolution or its backward pass.
A zero-padded input larger than :data:`MAX_PADDED_BYTES` is refused here,
before any view allocates it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _checks as check

__all__ = [
    "ConvGeometry", "conv_geometry", "window_geometry", "output_size", "prepare", "unbatch",
    "pad_input", "crop_padding", "window", "tap_slices", "MAX_PADDED_BYTES",
]

MAX_PADDED_BYTES = 2 * 2**30
"""The largest zero-padded input (N, H + top + bottom, W + left + right, C) a convolution may make: 2 GiB."""


def output_size(n, k, *, stride=1, padding=0, dilation=1):
    """Output length along one axis: the question's formula, with dilation.

    ``floor((n + 2p - ((k - 1) d + 1)) / s) + 1``, where ``(k - 1) d + 1`` is
    the dilated ("effective") kernel size.  ``padding`` may be an int (the same
    on both sides), a ``(before, after)`` pair, ``"valid"`` (0) or ``"same"``
    (``ceil(n / s)`` outputs).  Returns 0 or less when the kernel does not fit;
    :func:`conv_geometry` turns that into an error.
    """
    n, k = check.integer("n", n, minimum=1), check.integer("k", k, minimum=1)
    stride = check.integer("stride", stride, minimum=1)
    dilation = check.integer("dilation", dilation, minimum=1)
    if isinstance(padding, str):
        pad = _padding_pairs(check.padding(padding), (n,), (k,), (stride,), (dilation,))[0]
    else:
        pad = check.int_pair("padding", padding, minimum=0, pair="(before, after)")
    return _output_size(n, k, stride, pad, dilation)


def _output_size(n, k, stride, pad, dilation):
    """output_size without checks; pad is (before, after)."""
    return (n + pad[0] + pad[1] - ((k - 1) * dilation + 1)) // stride + 1


def _same_padding(n, k, stride, dilation):
    """(before, after) padding so that the output has ceil(n / stride) entries.

    For stride 1 this is PyTorch's ``padding="same"``: the total
    ``(k - 1) * dilation`` is split with the odd extra row on the bottom/right.
    For stride > 1 (which PyTorch refuses) it is TensorFlow's rule: the output
    has ``ceil(n / stride)`` entries and the odd extra goes bottom/right too.
    """
    out = -(-n // stride)
    total = max((out - 1) * stride + (k - 1) * dilation + 1 - n, 0)
    return total // 2, total - total // 2


def _padding_pairs(spec, size, kernel, stride, dilation):
    """((top, bottom), (left, right)) from a checked padding: "same" or (rows, cols) per side."""
    if spec == "same":
        return tuple(_same_padding(n, k, s, d) for n, k, s, d in zip(size, kernel, stride, dilation))
    return tuple((p, p) for p in spec)


@dataclass(frozen=True)
class ConvGeometry:
    """Every size of one convolution, after checking.

    ``pad`` is ((top, bottom), (left, right)); all other pairs are (rows, cols).
    """

    batch: int | None  # N, or None for a single image
    size: tuple[int, int]  # (H, W)
    channels: int  # C
    filters: int | None  # F, or None for windows alone (window_geometry)
    kernel: tuple[int, int]  # (KH, KW)
    stride: tuple[int, int]
    pad: tuple[tuple[int, int], tuple[int, int]]
    dilation: tuple[int, int]
    out: tuple[int, int]  # (OH, OW)

    @property
    def padded(self):
        """(H + top + bottom, W + left + right)."""
        (t, b), (l, r) = self.pad
        return self.size[0] + t + b, self.size[1] + l + r

    @property
    def out_shape(self):
        """Shape of h (and dh): (OH, OW, F) or (N, OH, OW, F)."""
        single = (*self.out, self.filters)
        return single if self.batch is None else (self.batch, *single)

    @property
    def x_shape(self):
        """Shape of x (and dx): (H, W, C) or (N, H, W, C)."""
        single = (*self.size, self.channels)
        return single if self.batch is None else (self.batch, *single)


def _geometry(x_shape, kernel, filters, stride, padding, dilation, kernel_text, x_name, dtype):
    """The ConvGeometry of checked shapes; checks the parameters, that the kernel fits and the padded size."""
    batch = x_shape[0] if len(x_shape) == 4 else None
    size, C = x_shape[-3:-1], x_shape[-1]
    stride = check.int_pair("stride", stride, minimum=1)
    dilation = check.int_pair("dilation", dilation, minimum=1)
    pad = _padding_pairs(check.padding(padding), size, kernel, stride, dilation)
    out = tuple(_output_size(*args) for args in zip(size, kernel, stride, pad, dilation))
    if min(out) < 1:
        check.kernel_fits(tuple((k - 1) * d + 1 for k, d in zip(kernel, dilation)),
                          (size[0] + sum(pad[0]), size[1] + sum(pad[1])), "the padded input",
                          f"{kernel_text}, dilation={dilation}, {x_name} has shape {x_shape}, padding={pad}")
    g = ConvGeometry(batch, size, C, filters, kernel, stride, pad, dilation, out)
    _check_padded_size(g, padding, dtype)
    return g


def _check_padded_size(g, padding, dtype):
    """Refuse a zero-padded input above MAX_PADDED_BYTES (padding=10**5, say) before anything is allocated."""
    if g.padded == g.size:
        return  # nothing is padded: the views read x itself
    shape = (*g.padded, g.channels) if g.batch is None else (g.batch, *g.padded, g.channels)
    dtype = np.dtype(dtype)
    needed = math.prod(shape) * dtype.itemsize
    if needed <= MAX_PADDED_BYTES:
        return
    reach = [(k - 1) * d for k, d in zip(g.kernel, g.dilation)]  # the most padding any window reads past
    if any(max(sides) > r for sides, r in zip(g.pad, reach)):
        why = (f"padding a side by more than (KH - 1) * dilation = {reach[0]} rows or (KW - 1) * dilation = "
               f"{reach[1]} columns only adds outputs that see nothing but zeros")
    else:
        why = "use fewer or smaller images"
    raise ValueError(f"padding={padding!r} would make the zero-padded input of shape {shape}, needing "
                     f"{check.bytes_text(needed)} as {dtype} (limit {check.bytes_text(MAX_PADDED_BYTES)}, "
                     f"helpers.geometry.MAX_PADDED_BYTES): {why}")


def conv_geometry(x_shape, w_shape, *, stride=1, padding=0, dilation=1,
                  b_shape=None, dh_shape=None, x_name="x", dtype=np.float64):
    """Check shapes and parameters; return the :class:`ConvGeometry`.

    x_shape: (H, W, C) or (N, H, W, C);  w_shape: (F, KH, KW, C);
    b_shape: (F,) or None;  dh_shape: the forward output shape, or None;
    dtype: what the padded input would hold, for its size (at most MAX_PADDED_BYTES).
    """
    x_shape, w_shape = check.conv_shapes(x_shape, w_shape, b_shape, x_name)
    g = _geometry(x_shape, w_shape[1:3], w_shape[0], stride, padding, dilation,
                  f"w has shape {w_shape}", x_name, dtype)
    if dh_shape is not None:
        check.same_shape("dh", dh_shape, g.out_shape, "the forward output's shape")
    return g


def window_geometry(x_shape, kernel_size, *, stride=1, padding=0, dilation=1, x_name="x", dtype=np.float64):
    """The geometry of a (KH, KW) window sliding over x, as for im2col: no filters (F is None).

    x_shape: (H, W, C) or (N, H, W, C);  kernel_size: int or (KH, KW);
    dtype: what the padded input would hold, for its size (at most MAX_PADDED_BYTES).
    """
    x_shape = check.shape(x_name, x_shape, ranks=(3, 4), form="(H, W, C) or (N, H, W, C)")
    check.no_empty_axis(x_name, x_shape, skip=len(x_shape) - 3)
    kernel = check.int_pair("kernel_size", kernel_size, minimum=1)
    return _geometry(x_shape, kernel, None, stride, padding, dilation, f"kernel_size={kernel}", x_name, dtype)


_FORWARD = object()  # prepare's dh when there is none: a forward pass


def prepare(x, w, *, b=None, dh=_FORWARD, stride=1, padding=0, dilation=1):
    """Check and convert the arguments of a convolution (no dh) or of its backward pass.

    Returns ``(geom, x, w, b, dh)`` with the arrays in one float dtype and
    ``x`` and ``dh`` given a batch axis: x (N, H, W, C), dh (N, OH, OW, F).
    Use ``geom.batch is None`` to drop it again with :func:`unbatch`.
    """
    forward = dh is _FORWARD
    x, w, b, dh = check.float_arrays(optional=("b", "dh") if forward else ("b",),
                                     x=x, w=w, b=b, dh=None if forward else dh)
    geom = conv_geometry(
        x.shape, w.shape, stride=stride, padding=padding, dilation=dilation,
        b_shape=None if b is None else b.shape,
        dh_shape=None if dh is None else dh.shape, dtype=x.dtype,
    )
    if geom.batch is None:
        x = x[None]
        dh = None if dh is None else dh[None]
    return geom, x, w, b, dh


def unbatch(geom, a):
    """Drop the batch axis that :func:`prepare` added for a single image."""
    return a[0] if geom.batch is None else a


def pad_input(x, geom):
    """Zero-pad x (N, H, W, C) to (N, H + top + bottom, W + left + right, C)."""
    (t, b), (l, r) = geom.pad
    if t == b == l == r == 0:
        return x
    return np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)))


def crop_padding(x_pad, geom):
    """Inverse of :func:`pad_input`: keep rows top..top+H, cols left..left+W.

    Slicing by start and *length* (not ``[p:-p]``, which is empty at p = 0).
    """
    (t, _), (l, _) = geom.pad
    H, W = geom.size
    return x_pad[:, t:t + H, l:l + W, :]


def window(geom, oh, ow):
    """The rows and cols slices of x_pad that output (oh, ow) looks at."""
    (s_r, s_c), (d_r, d_c), (KH, KW) = geom.stride, geom.dilation, geom.kernel
    rows = slice(oh * s_r, oh * s_r + (KH - 1) * d_r + 1, d_r)
    cols = slice(ow * s_c, ow * s_c + (KW - 1) * d_c + 1, d_c)
    return rows, cols


def tap_slices(geom, i, j):
    """The rows and cols slices of x_pad that kernel tap (i, j) touches, over all outputs."""
    (OH, OW), (s_r, s_c), (d_r, d_c) = geom.out, geom.stride, geom.dilation
    return (slice(i * d_r, i * d_r + (OH - 1) * s_r + 1, s_r),
            slice(j * d_c, j * d_c + (OW - 1) * s_c + 1, s_c))
