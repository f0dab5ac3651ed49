"""Bad input gets a TypeError or ValueError naming the argument; nothing else escapes."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpers as H

rng = np.random.default_rng(0)
X = rng.normal(size=(5, 5, 3))
W = rng.normal(size=(16, 3, 3, 3))
DH = rng.normal(size=(3, 3, 16))

FORWARDS = [H.conv2d, H.conv2d_loops]
BACKWARDS = [H.conv2d_backward, H.conv2d_backward_loops, H.conv2d_backward_formula]


def every_path(call_kwargs=None, x=X, w=W, b=None, dh=DH):
    """Call every forward and backward path with the same arguments."""
    kwargs = call_kwargs or {}
    for fn in FORWARDS:
        yield lambda fn=fn: fn(x, w, b, **kwargs)
    for fn in BACKWARDS:
        yield lambda fn=fn: fn(dh, x, w, **kwargs)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(x=X[0]), ValueError, "x must have shape (H, W, C) or (N, H, W, C), got shape (5, 3)"),
        (dict(x=X[None, None]), ValueError, "got shape (1, 1, 5, 5, 3)"),
        (dict(w=W[0]), ValueError, "w must have shape (F, KH, KW, C), got shape (3, 3, 3)"),
        (dict(w=W[..., :2]), ValueError, "w has 2 input channels (shape (16, 3, 3, 2)) but x has 3"),
        (dict(w=rng.normal(size=(2, 6, 3, 3))), ValueError, "the (dilated) kernel (6, 3) is larger"),
        (dict(x=X.astype(bool)), TypeError, "x must hold real numbers (integer, float32 or float64), "
                                            "got dtype bool"),
        (dict(w=W.astype(complex)), TypeError, "w must hold real numbers"),
        (dict(x=np.array([[["a"]]], dtype=object)), TypeError, "got dtype object"),
        (dict(x=[[[1.0], [2.0]], [[3.0]]]), ValueError, "x must be a rectangular array"),
        (dict(x=3.0), ValueError, "x must have shape (H, W, C) or (N, H, W, C), got shape ()"),
    ],
)
def test_bad_arrays(kwargs, error, message):
    for call in every_path(**kwargs):
        with pytest.raises(error, match=re.escape(message)):
            call()


@pytest.mark.parametrize(
    "params, error, message",
    [
        (dict(stride=0), ValueError, "stride must be >= 1, got 0"),
        (dict(stride=(1, -2)), ValueError, "stride must be >= 1, got (1, -2)"),
        (dict(dilation=0), ValueError, "dilation must be >= 1, got 0"),
        (dict(padding=-1), ValueError, "padding must be >= 0, got -1"),
        (dict(stride=1.0), TypeError, "stride must be an int or a (rows, cols) pair of ints, got 1.0"),
        (dict(stride=True), TypeError, "stride must be an int or a (rows, cols) pair of ints, got True"),
        (dict(dilation=(1, 2, 3)), TypeError, "dilation must be an int or a (rows, cols) pair"),
        (dict(padding=0.5), TypeError, "padding must be an int or a (rows, cols) pair of ints, got 0.5"),
        (dict(padding="full"), ValueError, "padding must be an int, a (rows, cols) pair, 'valid' or "
                                           "'same', got 'full'"),
        (dict(dilation=3), ValueError, "the (dilated) kernel (7, 7) is larger than the padded input (5, 5)"),
    ],
)
def test_bad_parameters(params, error, message):
    for call in every_path(params, dh=rng.normal(size=(1, 1, 16))):
        with pytest.raises(error, match=re.escape(message)):
            call()


def test_bad_bias():
    for fn in FORWARDS:
        with pytest.raises(ValueError, match=re.escape("b must have shape (F,) = (16,), got shape (3,)")):
            fn(X, W, np.zeros(3))


@pytest.mark.parametrize("dh_shape", [(3, 3, 15), (2, 3, 16), (1, 3, 3, 16), (9, 16)])
def test_dh_must_match_forward_output(dh_shape):
    for fn in BACKWARDS:
        with pytest.raises(ValueError, match=re.escape(
                f"dh must have the forward output's shape (3, 3, 16), got shape {dh_shape}")):
            fn(np.zeros(dh_shape), X, W)


def test_conv_matrix_and_transpose_errors():
    with pytest.raises(ValueError, match=re.escape("x_shape must be a single image's (H, W, C)")):
        H.conv_matrix((2, 5, 5, 3), W)
    with pytest.raises(ValueError, match="input_size is required with padding='same'"):
        H.conv2d_transpose(DH, W, padding="same")
    with pytest.raises(TypeError, match=re.escape("input_size must be an (H, W) pair of ints, got 5")):
        H.conv2d_transpose(DH, W, input_size=5)
    with pytest.raises(ValueError, match=re.escape("dh must have the forward output's shape (2, 2, 16)")):
        H.conv2d_transpose(DH, W, input_size=(4, 4))
    with pytest.raises(ValueError, match=re.escape("cols must have shape (N*OH*OW, KH*KW*C) = (9, 27)")):
        H.col2im(np.zeros((9, 26)), (5, 5, 3), 3)
    with pytest.raises(TypeError, match=re.escape("kernel_size must be an int or a (rows, cols) pair of ints")):
        H.im2col(X, 2.5)
    with pytest.raises(ValueError, match=re.escape("kernel_size must be >= 1, got 0")):
        H.im2col(X, 0)


def test_rel_error_shape_mismatch():
    with pytest.raises(ValueError, match=re.escape("a and b must have the same shape, got (2,) and (3,)")):
        H.rel_error(np.zeros(2), np.zeros(3))


# ---- fuzz: shapes and parameters near the valid ones, sane or not ------------------------------

small = st.integers(0, 40).map(lambda v: v % 6 + 1 if v else 0)  # 0 now and then
param = st.one_of(st.integers(-1, 3), st.tuples(st.integers(-1, 3), st.integers(-1, 3)),
                  st.sampled_from([1.5, True, (1, 2, 3)]))
padding = st.one_of(param, st.sampled_from(["same", "valid", "full"]))
dtypes = st.sampled_from([np.float64, np.float32, np.int64, np.float16, np.uint8, bool, complex])


def mostly(value, other):
    """A strategy that returns `value` four times in five, else one of `other`."""
    return st.one_of(st.just(value), st.just(value), st.just(value), st.just(value), other)


@st.composite
def anything(draw):
    N, rows, cols, C, F, KH, KW = (draw(small) for _ in range(7))
    x_shape = draw(mostly((N, rows, cols, C),
                          st.sampled_from([(rows, cols, C), (rows, cols), (1, N, rows, cols, C)])))
    w_shape = draw(mostly((F, KH, KW, C), st.sampled_from([(F, KH, KW, C + 1), (KH, KW, C)])))
    params = dict(stride=draw(mostly(1, param)), padding=draw(mostly(0, padding)),
                  dilation=draw(mostly(1, param)))
    try:
        dh_shape = H.conv_geometry(x_shape, w_shape, **params).out_shape
    except (TypeError, ValueError):
        dh_shape = x_shape
    dh_shape = draw(mostly(dh_shape, st.lists(small, min_size=2, max_size=5).map(tuple)))
    b_shape = draw(mostly((F,), st.sampled_from([(), (F + 1,), (F, 1)])))
    dtype = draw(mostly(np.float64, dtypes))
    return tuple(np.ones(s, dtype=dtype) for s in (x_shape, w_shape, b_shape, dh_shape)) + (params,)


def names_an_argument(err, names):
    return any(re.search(rf"\b{name}\b", str(err)) for name in names)


@settings(max_examples=1000)
@given(anything())
def test_fuzz_only_clear_errors_or_right_shapes(args):
    x, w, b, dh, params = args
    for fn in FORWARDS:
        try:
            h = fn(x, w, b if b.ndim else None, **params)
        except (TypeError, ValueError) as err:
            assert names_an_argument(err, ("x", "w", "b", "stride", "padding", "dilation"))
        else:
            assert h.shape == H.conv_geometry(x.shape, w.shape, **params).out_shape
    for fn in BACKWARDS:
        try:
            dx, dw, db = fn(dh, x, w, **params)
        except (TypeError, ValueError) as err:
            assert names_an_argument(err, ("x", "w", "dh", "stride", "padding", "dilation"))
        else:
            assert (dx.shape, dw.shape, db.shape) == (x.shape, w.shape, w.shape[:1])


# ---- too big is refused before anything is allocated ----------------------------------------------

def test_conv_matrix_refuses_a_matrix_above_the_limit_before_allocating():
    """(70, 70, 3) through 16 filters of 3x3x3: C would be 73984 x 14700 float64, 8.1 GiB."""
    import tracemalloc

    w = np.zeros((16, 3, 3, 3))
    tracemalloc.start()
    try:
        for build in (lambda: H.conv_matrix((70, 70, 3), w), lambda: H.conv_matrix_pattern((70, 70, 3), w.shape)):
            with pytest.raises(ValueError, match=r"73984 x 14700 matrix needing 8\.1 GiB \(limit 512\.0 MiB") as err:
                build()
            assert "conv_matrix_pattern" in str(err.value) and "smaller x_shape" in str(err.value)
        assert tracemalloc.get_traced_memory()[1] < 2**20  # the peak: nothing big was attempted
    finally:
        tracemalloc.stop()


def test_conv_matrix_limit_is_the_matrix_size(monkeypatch):
    """Just under the limit builds; one entry more is refused (float32 counts 4 bytes an entry)."""
    from helpers import matrix

    w = np.ones((1, 3, 3, 1))
    monkeypatch.setattr(matrix, "MAX_MATRIX_BYTES", 4 * 16 * 8)  # C is (2*2) x (4*4): 64 float64 entries
    assert H.conv_matrix((4, 4, 1), w).shape == (4, 16)
    assert H.conv_matrix_pattern((4, 4, 1), w.shape).shape == (4, 16)
    with pytest.raises(ValueError, match=r"6 x 20 matrix needing 960 bytes \(limit 512 bytes"):
        H.conv_matrix((4, 5, 1), w)
    assert H.conv_matrix((4, 5, 1), w.astype(np.float32)).shape == (6, 20)  # 480 bytes in float32
