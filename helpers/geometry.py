"""Output-size arithmetic and the one place where arguments are checked.

Every public function in :mod:`helpers` calls :func:`conv_geometry` (and
:func:`as_float_arrays`) first, so bad input is reported the same way
everywhere: a ``TypeError`` or ``ValueError`` that names the argument, what
was expected and what was received.

Shapes (channels-last, as in the question):

* ``x``  (H, W, C) or (N, H, W, C)
* ``w``  (F, KH, KW, C)
* ``b``  (F,)
* ``h``  (OH, OW, F) or (N, OH, OW, F), and ``dh`` the same
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ConvGeometry", "conv_geometry", "output_size", "as_float_arrays", "prepare",
    "unbatch", "pad_input", "crop_padding", "window",
]


def output_size(n, k, *, stride=1, padding=0, dilation=1):
    """Output length along one axis: the question's formula, with dilation.

    ``floor((n + 2p - ((k - 1) d + 1)) / s) + 1``, where ``(k - 1) d + 1`` is
    the dilated ("effective") kernel size.  ``padding`` may be an int (the same
    on both sides) or a ``(before, after)`` pair.  Returns 0 or less when the
    kernel does not fit; :func:`conv_geometry` turns that into an error.
    """
    pair = isinstance(padding, tuple) or np.ndim(padding) > 0  # tuple first: np.ndim is slow
    before, after = padding if pair else (padding, padding)
    effective = (k - 1) * dilation + 1
    return (n + before + after - effective) // stride + 1


def _is_int(value):
    if type(value) is int:  # the common case, without the slower ABC check
        return True
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _int_pair(name, value, *, minimum):
    """An int or a (rows, cols) pair of ints >= minimum, as a tuple of two ints."""
    pair = value if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(_is_int(v) for v in pair):
        raise TypeError(
            f"{name} must be an int or a (rows, cols) pair of ints, got {value!r}"
        )
    if min(pair) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(pair[0]), int(pair[1])


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


def _padding_pairs(padding, size, kernel, stride, dilation):
    """Normalise ``padding`` to ((top, bottom), (left, right))."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "same":
            return tuple(
                _same_padding(n, k, s, d)
                for n, k, s, d in zip(size, kernel, stride, dilation)
            )
        raise ValueError(
            f"padding must be an int, a (rows, cols) pair, 'valid' or 'same', got {padding!r}"
        )
    rows, cols = _int_pair("padding", padding, minimum=0)
    return (rows, rows), (cols, cols)


@dataclass(frozen=True)
class ConvGeometry:
    """Every size of one convolution, after checking.

    ``pad`` is ((top, bottom), (left, right)); all other pairs are (rows, cols).
    """

    batch: int | None  # N, or None for a single image
    size: tuple[int, int]  # (H, W)
    channels: int  # C
    filters: int  # F
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


def conv_geometry(x_shape, w_shape, *, stride=1, padding=0, dilation=1,
                  b_shape=None, dh_shape=None, x_name="x"):
    """Check shapes and parameters; return the :class:`ConvGeometry`.

    x_shape: (H, W, C) or (N, H, W, C);  w_shape: (F, KH, KW, C);
    b_shape: (F,) or None;  dh_shape: the forward output shape, or None.
    """
    x_shape, w_shape = tuple(x_shape), tuple(w_shape)
    if len(x_shape) not in (3, 4):
        raise ValueError(
            f"{x_name} must have shape (H, W, C) or (N, H, W, C), got shape {x_shape}"
        )
    if len(w_shape) != 4:
        raise ValueError(f"w must have shape (F, KH, KW, C), got shape {w_shape}")
    batch = x_shape[0] if len(x_shape) == 4 else None
    H, W, C = x_shape[-3:]
    F, KH, KW, Cw = w_shape
    for name, shape, sizes in ((x_name, x_shape, (H, W, C)), ("w", w_shape, (F, KH, KW, Cw))):
        if min(sizes) < 1:
            raise ValueError(f"{name} must have no empty axis (other than N), got shape {shape}")
    if Cw != C:
        raise ValueError(
            f"w has {Cw} input channels (shape {w_shape}) but {x_name} has {C} "
            f"(shape {x_shape}); the last axes must match"
        )
    if b_shape is not None and tuple(b_shape) != (F,):
        raise ValueError(f"b must have shape (F,) = ({F},), got shape {tuple(b_shape)}")

    stride = _int_pair("stride", stride, minimum=1)
    dilation = _int_pair("dilation", dilation, minimum=1)
    kernel = (KH, KW)
    pad = _padding_pairs(padding, (H, W), kernel, stride, dilation)
    out = tuple(
        output_size(n, k, stride=s, padding=p, dilation=d)
        for n, k, s, p, d in zip((H, W), kernel, stride, pad, dilation)
    )
    if min(out) < 1:
        eff = tuple((k - 1) * d + 1 for k, d in zip(kernel, dilation))
        padded = (H + sum(pad[0]), W + sum(pad[1]))
        raise ValueError(
            f"the (dilated) kernel {eff} is larger than the padded input {padded}: "
            f"w has shape {w_shape}, dilation={dilation}, {x_name} has shape "
            f"{x_shape}, padding={pad}"
        )
    geom = ConvGeometry(batch, (H, W), C, F, kernel, stride, pad, dilation, out)
    if dh_shape is not None and tuple(dh_shape) != geom.out_shape:
        raise ValueError(
            f"dh must have the forward output's shape {geom.out_shape}, "
            f"got shape {tuple(dh_shape)}"
        )
    return geom


def as_float_arrays(**arrays):
    """Convert arrays to one common float dtype; reject non-numeric dtypes.

    Integers (and bools are refused) compute in float64; float32 and float64
    are preserved (mixed inputs promote as NumPy does); float16 computes in
    float32.  ``None`` values pass through.  Returns a list in argument order.
    """
    converted = {}
    for name, value in arrays.items():
        if value is None:
            converted[name] = None
            continue
        try:
            a = np.asarray(value)
        except ValueError as err:  # ragged nested lists
            raise ValueError(f"{name} must be a rectangular array: {err}") from None
        if a.dtype.kind not in "iuf" or a.dtype == np.longdouble:
            raise TypeError(
                f"{name} must hold real numbers (integer, float32 or float64), "
                f"got dtype {a.dtype}"
            )
        converted[name] = a
    kinds = [a.dtype for a in converted.values() if a is not None]
    dtype = np.result_type(*kinds)
    if dtype.kind != "f" or dtype.itemsize > 8:
        dtype = np.dtype(np.float64)
    elif dtype.itemsize < 4:
        dtype = np.dtype(np.float32)
    return [None if a is None else a.astype(dtype, copy=False) for a in converted.values()]


def prepare(x, w, *, b=None, dh=None, stride=1, padding=0, dilation=1):
    """Check and convert the arguments of a convolution or its backward pass.

    Returns ``(geom, x, w, b, dh)`` with the arrays in one float dtype and
    ``x`` and ``dh`` given a batch axis: x (N, H, W, C), dh (N, OH, OW, F).
    Use ``geom.batch is None`` to drop it again with :func:`unbatch`.
    """
    x, w, b, dh = as_float_arrays(x=x, w=w, b=b, dh=dh)
    geom = conv_geometry(
        x.shape, w.shape, stride=stride, padding=padding, dilation=dilation,
        b_shape=None if b is None else b.shape,
        dh_shape=None if dh is None else dh.shape,
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
