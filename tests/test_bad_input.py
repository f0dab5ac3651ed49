"""Bad input gets a TypeError or ValueError naming the argument; nothing else escapes.

Every view in the registry (helpers.views) is called with the same bad input.
"""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

import helpers as H
from helpers.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU, SoftmaxCrossEntropy, accuracy, unpool_blocks
from helpers.views import BACKWARD_VIEWS, FORWARD_VIEWS

rng = np.random.default_rng(0)
X = rng.normal(size=(5, 5, 3))
W = rng.normal(size=(16, 3, 3, 3))
DH = rng.normal(size=(3, 3, 16))

FORWARDS = list(FORWARD_VIEWS.values())
BACKWARDS = list(BACKWARD_VIEWS.values())


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
        (dict(x=None), TypeError, "x must be an array of real numbers, got None"),
        (dict(w=None), TypeError, "w must be an array of real numbers, got None"),
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
        (dict(stride=10**16), ValueError, "stride must be at most 2147483647, got 10000000000000000"),
        (dict(stride=(1, 10**19)), ValueError, "stride must be at most 2147483647, got (1, 10000000000000000000)"),
        (dict(dilation=10**16), ValueError, "dilation must be at most 2147483647, got 10000000000000000"),
        (dict(stride=1e16), TypeError, "stride must be an int or a (rows, cols) pair of ints, got 1e+16"),
        (dict(stride=np.array([1.0, 2.0])), TypeError, "stride must be an int or a (rows, cols) pair of ints"),
        (dict(stride=np.array([[1, 2]])), TypeError, "stride must be an int or a (rows, cols) pair of ints"),
    ],
)
def test_bad_parameters(params, error, message):
    for call in every_path(params, dh=rng.normal(size=(1, 1, 16))):
        with pytest.raises(error, match=re.escape(message)):
            call()


def test_dh_none():
    for fn in BACKWARDS:
        with pytest.raises(TypeError, match=re.escape("dh must be an array of real numbers, got None")):
            fn(None, X, W)


@pytest.mark.parametrize("stride", [np.array([2, 1]), (np.int64(2), np.int64(1)), [2, np.int32(1)]],
                         ids=["array", "int64 tuple", "mixed list"])
def test_numpy_integer_pairs_are_accepted_like_lists(stride):
    x = rng.normal(size=(2, 7, 6, 3))
    h = H.conv2d(x, W, stride=[2, 1])
    dh = rng.normal(size=h.shape)
    for fn in FORWARDS:
        assert H.rel_error(fn(x, W, stride=stride), h) < 1e-12
    for fn in BACKWARDS:
        for a, b in zip(fn(dh, x, W, stride=stride), H.conv2d_backward(dh, x, W, stride=(2, 1))):
            assert H.rel_error(a, b) < 1e-12


@pytest.mark.parametrize("value", [np.int64(2), np.array(2)], ids=["int64", "0-d array"])
def test_numpy_integer_scalars_are_accepted(value):
    assert H.rel_error(H.conv2d(X, W, stride=value, padding=value), H.conv2d(X, W, stride=2, padding=2)) == 0


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
    with pytest.raises(TypeError, match=re.escape("input_size must be a (H, W) pair of ints, got 5")):
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


@settings(max_examples=examples(1000))
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


# ---- the single-channel building blocks ---------------------------------------------------------

A, K = rng.normal(size=(4, 5)), rng.normal(size=(2, 3))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: H.correlate2d(A, K, dilation=0), ValueError, "dilation must be >= 1, got 0"),
        (lambda: H.full_convolve2d(A, K, dilation=0), ValueError, "dilation must be >= 1, got 0"),
        (lambda: H.correlate2d(A, K, stride=0), ValueError, "stride must be >= 1, got 0"),
        (lambda: H.correlate2d(A, K, stride=(1, 1.5)), TypeError,
         "stride must be an int or a (rows, cols) pair of ints, got (1, 1.5)"),
        (lambda: H.correlate2d(A, K, dilation=10**16), ValueError, "dilation must be at most 2147483647"),
        (lambda: H.correlate2d(A, rng.normal(size=(5, 6))), ValueError,
         "the (dilated) kernel (5, 6) is larger than a (4, 5): k has shape (5, 6), dilation=(1, 1)"),
        (lambda: H.correlate2d(A, rng.normal(size=(7, 2))), ValueError, "the (dilated) kernel (7, 2) is larger than a"),
        (lambda: H.correlate2d(A, K, dilation=(2, 3)), ValueError,
         "the (dilated) kernel (3, 7) is larger than a (4, 5): k has shape (2, 3), dilation=(2, 3)"),
        (lambda: H.correlate2d(A[..., None], K), ValueError, "a must have shape (P, Q), got shape (4, 5, 1)"),
        (lambda: H.correlate2d(A, K[0]), ValueError, "k must have shape (KH, KW), got shape (3,)"),
        (lambda: H.correlate2d(A[:0], K), ValueError, "a must have no empty axis, got shape (0, 5)"),
        (lambda: H.correlate2d(None, K), TypeError, "a must be an array of real numbers, got None"),
        (lambda: H.correlate2d(A, K > 0), TypeError, "k must hold real numbers (integer, float32 or float64), "
                                                    "got dtype bool"),
        (lambda: H.full_convolve2d(A[0], K), ValueError, "a must have shape (P, Q), got shape (5,)"),
        (lambda: H.full_convolve2d(A, K[None]), ValueError, "k must have shape (KH, KW), got shape (1, 2, 3)"),
        (lambda: H.full_convolve2d(A, np.zeros((0, 2))), ValueError, "k must have no empty axis, got shape (0, 2)"),
        (lambda: H.rotate180(K[0]), ValueError, "k must have shape (KH, KW) or (F, KH, KW, C), got shape (3,)"),
        (lambda: H.rotate180(K[None]), ValueError, "k must have shape (KH, KW) or (F, KH, KW, C), "
                                                   "got shape (1, 2, 3)"),
        (lambda: H.rotate180(None), TypeError, "k must be an array of real numbers, got None"),
        (lambda: H.dilate(A[0], 2), ValueError, "dh must have shape (OH, OW), (OH, OW, F) or (N, OH, OW, F), "
                                                "got shape (5,)"),
        (lambda: H.dilate(A, 0), ValueError, "stride must be >= 1, got 0"),
        (lambda: H.dilate(A, 2.0), TypeError, "stride must be an int or a (rows, cols) pair of ints, got 2.0"),
        (lambda: H.dilate(A[:, :0], 2), ValueError, "dh must have no empty axis, got shape (4, 0)"),
    ],
)
def test_building_blocks_bad_input(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_dilate_single_image_dilates_rows_and_columns():
    """(OH, OW, F): each map gets its zeros, the filter axis is left alone."""
    dh = rng.normal(size=(2, 3, 4))
    up = H.dilate(dh, (2, 3))
    assert up.shape == (3, 7, 4)
    for f in range(4):
        assert np.array_equal(up[:, :, f], H.dilate(dh[:, :, f], (2, 3)))
    assert np.array_equal(H.dilate(dh[None], (2, 3))[0], up)  # the same map in a batch


def test_correlate2d_kernel_as_large_as_the_input():
    assert H.correlate2d(A, A).shape == (1, 1)
    assert np.isclose(H.correlate2d(A, A)[0, 0], np.sum(A * A))


def test_building_blocks_accept_numpy_pairs():
    for stride in (np.array([2, 1]), (np.int64(2), 1)):
        assert np.array_equal(H.correlate2d(A, K, stride=stride), H.correlate2d(A, K, stride=(2, 1)))
        assert np.array_equal(H.dilate(A, stride), H.dilate(A, (2, 1)))


# ---- the gradient-checking tools ------------------------------------------------------------------

@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: H.numerical_gradient(lambda v: v.sum(), np.ones(3), np.ones(3)), ValueError,
         "fn(x) must have upstream's shape (3,), got shape ()"),
        (lambda: H.numerical_gradient(lambda v: v, np.ones(3), np.ones((3, 3))), ValueError,
         "fn(x) must have upstream's shape (3, 3), got shape (3,)"),
        (lambda: H.numerical_gradient(lambda v: v, np.ones(3), np.ones(3), eps=0), ValueError,
         "eps must be a finite number > 0, got 0"),
        (lambda: H.numerical_gradient(lambda v: v, np.ones(3), np.ones(3), eps=np.nan), ValueError,
         "eps must be a finite number > 0, got nan"),
        (lambda: H.numerical_gradient(lambda v: v, np.ones(3), np.ones(3), eps="1e-6"), TypeError,
         "eps must be a real number, got '1e-6'"),
        (lambda: H.numerical_gradient(np.ones(3), np.ones(3), np.ones(3)), TypeError, "fn must be a function"),
        (lambda: H.numerical_gradient(lambda v: v, None, np.ones(3)), TypeError,
         "x must be an array of real numbers, got None"),
        (lambda: H.numerical_gradient(lambda v: v, np.ones(3), None), TypeError,
         "upstream must be an array of real numbers, got None"),
        (lambda: H.rel_error(None, None), TypeError, "a must be an array of numbers, got NoneType of dtype object"),
        (lambda: H.rel_error(np.ones(2), "ab"), TypeError, "b must be an array of numbers, got str"),
        (lambda: H.compare("dx", np.ones(2), np.ones(2), tol=-1), ValueError, "tol must be a finite number >= 0"),
        (lambda: H.compare("dx", None, np.ones(2)), TypeError, "mine must be an array of numbers"),
    ],
)
def test_gradcheck_bad_input(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_rel_error_keeps_imaginary_parts():
    assert H.rel_error([1j], [2j]) == 1 / 3
    assert H.rel_error([1 + 1j], [1 - 1j]) == 2 / (2 * abs(1 + 1j))


# ---- geometry ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: H.conv_geometry((5.5, 5, 3), (1, 3, 3, 3)), TypeError,
         "x must be a shape (H, W, C) or (N, H, W, C), a tuple of ints, got (5.5, 5, 3)"),
        (lambda: H.conv_geometry((5, 5, 3), (1, 3.0, 3, 3)), TypeError,
         "w must be a shape (F, KH, KW, C), a tuple of ints, got (1, 3.0, 3, 3)"),
        (lambda: H.conv_geometry(None, (1, 3, 3, 3)), TypeError,
         "x must be a shape (H, W, C) or (N, H, W, C), a tuple of ints, got None"),
        (lambda: H.conv_geometry((5, -5, 3), (1, 3, 3, 3)), ValueError,
         "x must have shape (H, W, C) or (N, H, W, C), got shape (5, -5, 3)"),
        (lambda: H.conv_matrix(5.0, W), TypeError, "x_shape must be a shape (H, W, C), a tuple of ints, got 5.0"),
        (lambda: H.conv_matrix(None, W), TypeError, "x_shape must be a shape (H, W, C), a tuple of ints, got None"),
        (lambda: H.conv_matrix_pattern((5, 5), W.shape), ValueError, "x_shape must have shape (H, W, C), "
                                                                     "got shape (5, 5)"),
        (lambda: H.col2im(np.zeros((9, 27)), (5.0, 5, 3), 3), TypeError, "x_shape must be a shape"),
        (lambda: H.col2im(np.zeros((9, 27)), None, 3), TypeError, "x_shape must be a shape"),
        (lambda: H.im2col(None, 3), TypeError, "x must be an array of real numbers, got None"),
        (lambda: H.output_size(5, 3, stride=0), ValueError, "stride must be >= 1, got 0"),
        (lambda: H.output_size(5, 3, dilation=0), ValueError, "dilation must be >= 1, got 0"),
        (lambda: H.output_size(5, 3, stride=10**16), ValueError, "stride must be at most 2147483647"),
        (lambda: H.output_size(5.0, 3), TypeError, "n must be an int, got 5.0"),
        (lambda: H.output_size(5, 0), ValueError, "k must be >= 1, got 0"),
        (lambda: H.output_size(5, 3, padding=-1), ValueError, "padding must be >= 0, got -1"),
        (lambda: H.output_size(5, 3, padding=(1, 2, 3)), TypeError,
         "padding must be an int or a (before, after) pair of ints, got (1, 2, 3)"),
        (lambda: H.output_size(5, 3, padding="full"), ValueError, "padding must be an int, a (rows, cols) pair, "
                                                                  "'valid' or 'same', got 'full'"),
        (lambda: H.conv2d_transpose(None, W), TypeError, "dh must be an array of real numbers, got None"),
        (lambda: H.conv2d_transpose(DH, W, input_size=(5.0, 5)), TypeError,
         "input_size must be a (H, W) pair of ints, got (5.0, 5)"),
    ],
)
def test_geometry_bad_input(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def test_output_size_same_and_valid():
    for n, k, s, d in ((7, 3, 1, 1), (7, 4, 2, 1), (10, 3, 3, 2)):
        same = H.conv_geometry((n, n, 1), (1, k, k, 1), stride=s, dilation=d, padding="same").out[0]
        assert H.output_size(n, k, stride=s, dilation=d, padding="same") == same == -(-n // s)
        assert H.output_size(n, k, stride=s, dilation=d, padding="valid") == H.output_size(n, k, stride=s,
                                                                                           dilation=d)


def test_transpose_input_size_as_array():
    assert np.array_equal(H.conv2d_transpose(DH, W, input_size=np.array([5, 5])),
                          H.conv2d_transpose(DH, W, input_size=(5, 5)))


# ---- the layers of notebook 07 ------------------------------------------------------------------------

def test_conv_layer_kernel_pair():
    square = Conv2D(3, 4, 3, rng=np.random.default_rng(1))
    pair = Conv2D(3, 4, (3, 3), rng=np.random.default_rng(1))
    assert np.array_equal(square.w, pair.w)
    assert Conv2D(3, 4, (3, 2), rng=rng).w.shape == (4, 3, 2, 3)


def forwarded(layer, x):
    layer.forward(x)
    return layer


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: Conv2D(3, 4, 3.0, rng=rng), TypeError, "kernel must be an int or a (rows, cols) pair of ints"),
        (lambda: Conv2D(3, 4, 0, rng=rng), ValueError, "kernel must be >= 1, got 0"),
        (lambda: Conv2D(3, 0, 3, rng=rng), ValueError, "filters must be >= 1, got 0"),
        (lambda: Conv2D(3, 4, 3, rng=0), TypeError, "rng must be a numpy Generator"),
        (lambda: Dense(5, 3, rng=rng).forward(np.ones((2, 4))), ValueError,
         "x must have shape (N, D) = (N, 5) features, got shape (2, 4)"),
        (lambda: Dense(5, 3, rng=rng).forward(np.ones(5)), ValueError, "x must have shape (N, D), got shape (5,)"),
        (lambda: Dense(5.0, 3, rng=rng), TypeError, "inputs must be an int, got 5.0"),
        (lambda: SoftmaxCrossEntropy().forward(np.ones((2, 3)), np.array([0, 3])), ValueError,
         "labels must be class indices in 0..2, got values from 0 to 3"),
        (lambda: SoftmaxCrossEntropy().forward(np.ones((2, 3)), np.array([-1, 0])), ValueError,
         "labels must be class indices in 0..2, got values from -1 to 0"),
        (lambda: SoftmaxCrossEntropy().forward(np.ones((2, 3)), np.array([0.0, 1.0])), TypeError,
         "labels must be integers (class indices), got dtype float64"),
        (lambda: SoftmaxCrossEntropy().forward(np.ones((2, 3)), np.array([0, 1, 2])), ValueError,
         "labels must have shape (N,) = (2,), got shape (3,)"),
        (lambda: accuracy(np.ones((2, 3)), np.array([0, 5])), ValueError, "labels must be class indices in 0..2"),
        (lambda: MaxPool2D().forward(np.ones((4, 4, 3))), ValueError,
         "x must have shape (N, H, W, C), a batch of images (for one image (H, W, C), pass x[None]), "
         "got shape (4, 4, 3)"),
        (lambda: MaxPool2D().forward(np.ones((1, 1, 4, 3))), ValueError,
         "x must have images of at least 2 x 2 pixels to pool, got shape (1, 1, 4, 3)"),
        (lambda: unpool_blocks(np.ones((1, 2, 2, 3, 4)), (1, 4, 6, 3)), ValueError,
         "blocks must have shape (N, H // 2, W // 2, C, 4) = (1, 2, 3, 3, 4), got shape (1, 2, 2, 3, 4)"),
        (lambda: forwarded(ReLU(), np.ones((2, 3))).backward(np.ones((3, 2))), ValueError,
         "dh must have the forward output's shape (2, 3), got shape (3, 2)"),
        (lambda: forwarded(Flatten(), np.ones((2, 3, 4))).backward(np.ones((2, 11))), ValueError,
         "dh must have the forward output's shape (2, 12), got shape (2, 11)"),
        (lambda: forwarded(Dense(5, 3, rng=rng), np.ones((2, 5))).backward(np.ones((2, 5))), ValueError,
         "dh must have the forward output's shape (2, 3), got shape (2, 5)"),
        (lambda: forwarded(Conv2D(3, 4, 3, rng=rng), np.ones((1, 5, 5, 3))).backward(np.ones((1, 3, 3, 3))),
         ValueError, "dh must have the forward output's shape (1, 3, 3, 4), got shape (1, 3, 3, 3)"),
    ],
)
def test_layers_bad_input(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


@pytest.mark.parametrize("layer, backward, kept", [
    (Conv2D(3, 4, 3, rng=rng), lambda layer: layer.backward(np.ones((1, 3, 3, 4))), "x"),
    (ReLU(), lambda layer: layer.backward(np.ones(3)), "positive"),
    (MaxPool2D(), lambda layer: layer.backward(np.ones((1, 2, 2, 3))), "winner"),
    (Flatten(), lambda layer: layer.backward(np.ones((1, 3))), "shape"),
    (Dense(5, 3, rng=rng), lambda layer: layer.backward(np.ones((2, 3))), "x"),
    (SoftmaxCrossEntropy(), lambda layer: layer.backward(), "probs"),
], ids=["Conv2D", "ReLU", "MaxPool2D", "Flatten", "Dense", "SoftmaxCrossEntropy"])
def test_backward_before_forward(layer, backward, kept):
    message = f"{type(layer).__name__}.backward needs the {kept} that forward keeps: call forward first"
    with pytest.raises(ValueError, match=re.escape(message)):
        backward(layer)


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
    from helpers.views import matrix

    w = np.ones((1, 3, 3, 1))
    monkeypatch.setattr(matrix, "MAX_MATRIX_BYTES", 4 * 16 * 8)  # C is (2*2) x (4*4): 64 float64 entries
    assert H.conv_matrix((4, 4, 1), w).shape == (4, 16)
    assert H.conv_matrix_pattern((4, 4, 1), w.shape).shape == (4, 16)
    with pytest.raises(ValueError, match=r"6 x 20 matrix needing 960 bytes \(limit 512 bytes"):
        H.conv_matrix((4, 5, 1), w)
    assert H.conv_matrix((4, 5, 1), w.astype(np.float32)).shape == (6, 20)  # 480 bytes in float32


def huge_padding_message(dtype="float64", shape=(200005, 200005, 3), needed="894.1 GiB"):
    return (f"padding=100000 would make the zero-padded input of shape {shape}, needing {needed} as {dtype} "
            "(limit 2.0 GiB, helpers.geometry.MAX_PADDED_BYTES): padding a side by more than (KH - 1) * dilation = "
            "2 rows or (KW - 1) * dilation = 2 columns only adds outputs that see nothing but zeros")


def every_function_that_pads(x, w, dh, **params):
    """Every public function that zero-pads its input, called with the same geometry."""
    yield from every_path(params, x=x, w=w, dh=dh)
    yield lambda: H.conv2d_transpose(dh, w, input_size=x.shape[-3:-1], **params)
    yield lambda: H.im2col(x, w.shape[1:3], **params)
    cols = np.zeros((int(np.prod(dh.shape[:-1])), int(np.prod(w.shape[1:]))), dtype=x.dtype)
    yield lambda: H.col2im(cols, x.shape, w.shape[1:3], **params)
    yield lambda: H.conv_matrix(x.shape, w, **params)
    yield lambda: H.conv_matrix_pattern(x.shape, w.shape, **params)


def test_an_absurd_padding_is_refused_before_allocating():
    """padding=10**5 on the question's 5 x 5 x 3 image: a 200005 x 200005 x 3 padded image, 894 GiB in float64.

    A stride of 10**5 keeps the output (and so dh) at 3 x 3: only the padded input would be huge.
    """
    import tracemalloc

    tracemalloc.start()
    try:
        for call in every_function_that_pads(X, W, DH, stride=10**5, padding=10**5):
            with pytest.raises(ValueError) as err:
                call()
            assert str(err.value) == huge_padding_message()
        with pytest.raises(ValueError) as err:  # notebook 07's layer, on a batch
            Conv2D(3, 16, 3, rng=rng, stride=10**5, padding=10**5).forward(X[None])
        assert str(err.value) == huge_padding_message(shape=(1, 200005, 200005, 3))
        for fn in FORWARDS:  # stride 1: the output would be huge too
            with pytest.raises(ValueError) as err:
                fn(X, W, padding=10**5)
            assert str(err.value) == huge_padding_message()
        assert tracemalloc.get_traced_memory()[1] < 2**20  # the peak: nothing big was attempted
    finally:
        tracemalloc.stop()


def test_the_padding_limit_counts_the_batch_and_the_dtype():
    x, w = X.astype(np.float32), W.astype(np.float32)
    with pytest.raises(ValueError) as err:
        H.conv2d(x, w, padding=10**5)
    assert str(err.value) == huge_padding_message("float32", needed="447.1 GiB")
    with pytest.raises(ValueError) as err:
        H.conv2d_backward(np.zeros((2, 3, 3, 16)), np.zeros((2, 5, 5, 3), dtype=np.int64), W, padding=10**5,
                          stride=10**5)
    assert str(err.value) == huge_padding_message(shape=(2, 200005, 200005, 3), needed="1788.2 GiB")


def test_the_padding_limit_is_the_padded_size(monkeypatch):
    """Just at the limit builds; one byte under it is refused, whether or not the padding is sensible."""
    from helpers import geometry

    x, w = np.ones((1, 4, 4, 1)), np.ones((1, 3, 3, 1))
    monkeypatch.setattr(geometry, "MAX_PADDED_BYTES", 6 * 6 * 8)  # x padded by 1: 36 float64 entries
    assert H.conv2d(x, w, padding=1).shape == (1, 4, 4, 1)
    assert H.conv2d(x.astype(np.float32), w, padding=1).shape == (1, 4, 4, 1)
    assert H.conv2d(np.ones((1, 300, 300, 1)), w).shape == (1, 298, 298, 1), "no padding, no padded copy"
    monkeypatch.setattr(geometry, "MAX_PADDED_BYTES", 6 * 6 * 8 - 1)
    with pytest.raises(ValueError) as err:
        H.conv2d(x, w, padding=1)
    assert str(err.value) == ("padding=1 would make the zero-padded input of shape (1, 6, 6, 1), needing 288 bytes "
                              "as float64 (limit 287 bytes, helpers.geometry.MAX_PADDED_BYTES): use fewer or "
                              "smaller images")
    assert H.conv2d(x.astype(np.float32), w.astype(np.float32), padding=1).shape == (1, 4, 4, 1)  # 144 bytes


# ---- the last unclear inputs: compare's label, PyTorch tensors ------------------------------------

@pytest.mark.parametrize("name, got", [(None, "None"), (np.ones(2), "ndarray"), (3, "int")])
def test_compare_names_its_label(name, got):
    """compare(dx, dx_ref, 'dx') (the label last) or compare(None, ...) used to fail inside a format string."""
    with pytest.raises(TypeError) as err:
        H.compare(name, np.ones(2), np.ones(2))
    assert str(err.value) == f"name must be a string, as in compare('dx', dx, dx_ref), got {got}"


def test_tensors_that_require_grad_are_read_as_arrays():
    """Every view, and the single-channel blocks, read a tensor as the checkers do: detached, on the CPU."""
    torch = pytest.importorskip("torch")

    def tensor(a, dtype=torch.float64):
        return torch.tensor(a, dtype=dtype, requires_grad=True)

    b = rng.normal(size=16)
    for fn in FORWARDS:
        h = fn(tensor(X), tensor(W), tensor(b), stride=2, padding=1)
        assert type(h) is np.ndarray and np.array_equal(h, fn(X, W, b, stride=2, padding=1))
    for fn in BACKWARDS:
        for got, want in zip(fn(tensor(DH), tensor(X), tensor(W)), fn(DH, X, W)):
            assert type(got) is np.ndarray and np.array_equal(got, want)
    assert np.array_equal(H.correlate2d(tensor(A), tensor(K)), H.correlate2d(A, K))
    assert np.array_equal(H.im2col(tensor(X), 3), H.im2col(X, 3))
    assert H.conv2d(tensor(X, torch.float32), tensor(W, torch.float32)).dtype == np.float32
    assert H.rel_error(tensor(A), tensor(A)) == 0.0 and H.compare("dx", tensor(A), A)
    grad = H.numerical_gradient(lambda v: v ** 2, tensor(A), tensor(K[:1, :1] * np.ones_like(A)))
    assert H.rel_error(grad, 2 * A * K[0, 0]) < 1e-8


def test_half_precision_tensors_compute_in_float32_like_float16_arrays():
    """float16 tensors read as float16 arrays, bfloat16 (which NumPy lacks) as float32: both compute in float32."""
    torch = pytest.importorskip("torch")
    for half in (torch.float16, torch.bfloat16):
        x, w = torch.tensor(X, dtype=half, requires_grad=True), torch.tensor(W, dtype=half)
        h = H.conv2d(x, w)
        assert h.dtype == np.float32
        assert np.array_equal(h, H.conv2d(x.detach().float().numpy(), w.float().numpy()))


@pytest.mark.parametrize("dtype, got", [("complex128", "complex128"), ("bool", "bool")])
def test_tensors_of_other_dtypes_are_refused_in_one_sentence(dtype, got):
    torch = pytest.importorskip("torch")
    x = torch.tensor(X).to(getattr(torch, dtype))
    for call in every_path(x=x):
        with pytest.raises(TypeError) as err:
            call()
        assert str(err.value) == f"x must hold real numbers (integer, float32 or float64), got dtype {got}"
