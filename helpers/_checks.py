"""Argument checks: the one place where every public function's input is checked.

Each check returns the value in a normalised form (a tuple of ints, a float
array, ...) or raises a ``TypeError`` (wrong kind of value) or a
``ValueError`` (right kind, wrong value or shape) whose message names the
argument, says what was expected and shows what was received.
"""

import numbers

import numpy as np

__all__ = [
    "LARGEST", "is_int", "integer", "int_pair", "number", "text", "function", "generator", "shape", "padding",
    "float_arrays", "real_array", "number_array", "from_torch", "rank", "no_empty_axis", "same_shape",
    "conv_shapes", "kernel_fits", "bytes_text",
]

LARGEST = 2**31 - 1  # strides, dilations and paddings above this are refused (NumPy's strides overflow)


def is_int(value):
    """Whether value is an integer (Python, NumPy or a 0-d integer array), and not a bool."""
    if type(value) is int:  # the common case, without the slower checks below
        return True
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def integer(name, value, *, minimum, maximum=LARGEST):
    """An int in minimum..maximum, as a Python int."""
    if not is_int(value):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if not minimum <= value <= maximum:
        bound = f">= {minimum}" if value < minimum else f"at most {maximum}"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return int(value)


def int_pair(name, value, *, minimum, maximum=LARGEST, pair="(rows, cols)", single=True):
    """A pair of ints (tuple, list or 1-D array), or one int for both if single, as two ints.

    Each must be in minimum..maximum.
    """
    if type(value) is int and single and minimum <= value <= maximum:  # the common case, at once
        return value, value
    if isinstance(value, np.ndarray) and value.ndim == 1:
        values = tuple(value)  # NumPy integers, checked below like any others
    else:
        values = value if isinstance(value, (tuple, list)) else (value, value) if single else ()
    if len(values) != 2 or not all(is_int(v) for v in values):
        kind = f"an int or a {pair} pair of ints" if single else f"a {pair} pair of ints"
        raise TypeError(f"{name} must be {kind}, got {value!r}")
    if min(values) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    if max(values) > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value!r}")
    return int(values[0]), int(values[1])


def number(name, value, *, positive):
    """A finite real number (> 0 if positive, else >= 0), as a float."""
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not np.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be a finite number {'> 0' if positive else '>= 0'}, got {value!r}")
    return float(value)


def text(name, value, *, example):
    """A string, such as a label to print; example is a call that passes one, for the message."""
    if not isinstance(value, str):
        got = "None" if value is None else type(value).__name__
        raise TypeError(f"{name} must be a string, as in {example}, got {got}")
    return value


def function(name, value):
    if not callable(value):
        raise TypeError(f"{name} must be a function, got {type(value).__name__} {value!r}")
    return value


def shape(name, value, *, ranks, form):
    """A shape: a sequence of ints >= 0 whose length is in ranks, as a tuple.

    form describes the expected shape in the message, e.g. "(H, W, C) or (N, H, W, C)".
    """
    if type(value) is tuple and len(value) in ranks and all(type(v) is int and v >= 0 for v in value):
        return value  # the common case: an array's shape
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = tuple(value)
    if not isinstance(value, (tuple, list)) or not all(is_int(v) for v in value):
        raise TypeError(f"{name} must be a shape {form}, a tuple of ints, got {value!r}")
    if len(value) not in ranks or min(value, default=0) < 0:
        raise ValueError(f"{name} must have shape {form}, got shape {tuple(value)}")
    return tuple(int(v) for v in value)


def padding(value):
    """"same", or the (rows, cols) padding per side ("valid" is (0, 0))."""
    if isinstance(value, str):
        if value in ("same", "valid"):
            return "same" if value == "same" else (0, 0)
        raise ValueError(f"padding must be an int, a (rows, cols) pair, 'valid' or 'same', got {value!r}")
    return int_pair("padding", value, minimum=0)


def float_arrays(optional=(), **arrays):
    """Convert arrays to one common float dtype; refuse None (unless optional) and non-real dtypes.

    Integers compute in float64; float32 and float64 are preserved (mixed
    inputs promote as NumPy does); float16 computes in float32.  Optional
    arguments may be None and stay None.  Returns a list in argument order.
    """
    converted = {}
    for name, value in arrays.items():
        converted[name] = None if value is None and name in optional else real_array(name, value)
    dtype = np.result_type(*(a.dtype for a in converted.values() if a is not None))
    if dtype.kind != "f" or dtype.itemsize > 8:
        dtype = np.dtype(np.float64)
    elif dtype.itemsize < 4:
        dtype = np.dtype(np.float32)
    return [None if a is None else a.astype(dtype, copy=False) for a in converted.values()]


def from_torch(value):
    """A PyTorch tensor as a NumPy array, the way the checkers read an answer; other values as they are.

    A tensor that requires grad is detached, one on a GPU copied to the CPU; bfloat16, which NumPy lacks,
    becomes float32 (exactly); lists and tuples are read item by item.  torch is never imported.
    """
    if isinstance(value, np.ndarray):  # the common case, at once
        return value
    if type(value).__module__.split(".")[0] == "torch" and hasattr(value, "detach"):
        tensor = value.detach().cpu()
        if str(tensor.dtype) == "torch.bfloat16":
            return tensor.float().numpy()
        return tensor.resolve_conj().numpy() if tensor.is_complex() else tensor.numpy()
    if isinstance(value, (list, tuple)):
        return type(value)(from_torch(v) for v in value)
    return value


def real_array(name, value):
    """value as an array of real numbers (integer or float, not bool), its dtype kept; tensors read by from_torch."""
    if value is None:
        raise TypeError(f"{name} must be an array of real numbers, got None")
    try:
        a = np.asarray(from_torch(value))
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array: {err}") from None
    if a.dtype.kind not in "iuf" or a.dtype == np.longdouble:
        raise TypeError(f"{name} must hold real numbers (integer, float32 or float64), got dtype {a.dtype}")
    return a


def number_array(name, value):
    """value as a float64 array, or complex128 for complex numbers; refuse None and non-numbers; tensors read too."""
    a = np.asarray(from_torch(value))
    if a.dtype.kind not in "biufc":
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__} of dtype {a.dtype}")
    return a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)


def generator(name, value):
    """A NumPy random Generator."""
    if not isinstance(value, np.random.Generator):
        raise TypeError(f"{name} must be a numpy Generator, such as np.random.default_rng(0), got {value!r}")
    return value


def rank(name, a, ranks, form):
    """Check that array a has one of the ranks; form is the expected shape, for the message."""
    if a.ndim not in ranks:
        raise ValueError(f"{name} must have shape {form}, got shape {a.shape}")
    return a


def no_empty_axis(name, shape_, skip=0):
    """Check that no axis of shape_ (after the first `skip`) is empty."""
    if min(shape_[skip:], default=1) < 1:
        other = " (other than N)" if skip else ""
        raise ValueError(f"{name} must have no empty axis{other}, got shape {tuple(shape_)}")


def same_shape(name, shape_, expected, what):
    """Check shape_ == expected; what names the expected shape in the message."""
    if tuple(shape_) != tuple(expected):
        raise ValueError(f"{name} must have {what} {tuple(expected)}, got shape {tuple(shape_)}")


def conv_shapes(x_shape, w_shape, b_shape=None, x_name="x"):
    """Check the shapes of a convolution's x (H, W, C) or (N, H, W, C), w (F, KH, KW, C), b (F,)."""
    x_shape = shape(x_name, x_shape, ranks=(3, 4), form="(H, W, C) or (N, H, W, C)")
    w_shape = shape("w", w_shape, ranks=(4,), form="(F, KH, KW, C)")
    no_empty_axis(x_name, x_shape, skip=len(x_shape) - 3)
    no_empty_axis("w", w_shape)
    if w_shape[3] != x_shape[-1]:
        raise ValueError(f"w has {w_shape[3]} input channels (shape {w_shape}) but {x_name} has "
                         f"{x_shape[-1]} (shape {x_shape}); the last axes must match")
    if b_shape is not None and tuple(b_shape) != w_shape[:1]:
        raise ValueError(f"b must have shape (F,) = ({w_shape[0]},), got shape {tuple(b_shape)}")
    return x_shape, w_shape


def kernel_fits(effective, size, where, context):
    """Check that the (dilated) kernel fits in the input, both (rows, cols) pairs.

    where names the input ("the padded input", "a"); context adds the arguments.
    """
    if any(k > n for k, n in zip(effective, size)):
        raise ValueError(f"the (dilated) kernel {effective} is larger than {where} {size}: {context}")


def bytes_text(n):
    """A number of bytes for a message: '894.1 GiB', '512.0 MiB', '960 bytes'."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"
