"""Property tests: the four views of the backward pass agree, and match calculus.

Views of dL/dx: the loop reference (scatter, +=), the formula (correlate
the zero-padded dL/dh with the rotated kernel), the matrix (C^T dh) and the vectorised
path (col2im).  The loops are also checked against central differences.
"""

from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from strategies import conv_cases

import helpers as H
from helpers import vectorised as V

TIGHT = 1e-12  # float64 views that only reorder sums
NUMERIC = 1e-7  # central differences, eps = 1e-6


def as_images(a, batched):
    return a if batched else a[None]


@settings(max_examples=300)
@given(conv_cases())
def test_forward_views_agree(case):
    h_ref = H.conv2d_loops(case.x, case.w, case.b, **case.params)
    assert h_ref.shape == case.dh.shape
    assert H.rel_error(H.conv2d(case.x, case.w, case.b, **case.params), h_ref) <= TIGHT
    x_images = as_images(case.x, case.x.ndim == 4)
    C = H.conv_matrix(x_images.shape[1:], case.w, **case.params)
    h_images = as_images(h_ref, case.x.ndim == 4) - case.b
    for x_n, h_n in zip(x_images, h_images):
        assert H.rel_error(C @ x_n.ravel(), h_n.ravel()) <= TIGHT


@settings(max_examples=300)
@given(conv_cases())
def test_backward_views_agree(case):
    dx, dw, db = H.conv2d_backward_loops(case.dh, case.x, case.w, **case.params)
    assert (dx.shape, dw.shape, db.shape) == (case.x.shape, case.w.shape, case.b.shape)
    for view in (H.conv2d_backward_formula, H.conv2d_backward):
        dx_v, dw_v, db_v = view(case.dh, case.x, case.w, **case.params)
        assert H.rel_error(dx_v, dx) <= TIGHT, view.__name__
        assert H.rel_error(dw_v, dw) <= TIGHT, view.__name__
        assert H.rel_error(db_v, db) <= TIGHT, view.__name__
    x_images = as_images(case.x, case.x.ndim == 4)
    C = H.conv_matrix(x_images.shape[1:], case.w, **case.params)
    for dh_n, dx_n in zip(as_images(case.dh, case.x.ndim == 4), as_images(dx, case.x.ndim == 4)):
        assert H.rel_error((C.T @ dh_n.ravel()).reshape(dx_n.shape), dx_n) <= TIGHT
    size = x_images.shape[1:3]
    assert H.rel_error(H.conv2d_transpose(case.dh, case.w, input_size=size, **case.params), dx) <= TIGHT
    # col2im of dcols = dh2 @ w2: the notebook-06 view, with the += scatter
    F = case.w.shape[0]
    dcols = case.dh.reshape(-1, F) @ case.w.reshape(F, -1)
    assert H.rel_error(H.col2im(dcols, case.x.shape, case.w.shape[1:3], **case.params), dx) <= TIGHT


@settings(max_examples=200)
@given(conv_cases())
def test_both_memory_layouts_agree(case):
    """The vectorised path's two layouts (channel planes, channels-last) give the same numbers for any C."""
    results = []
    for planes in (False, True):  # every product on one layout, then on the other
        with patch.object(V, "_use_planes", lambda g, product, planes=planes: planes):
            results.append((H.conv2d(case.x, case.w, case.b, **case.params),
                            H.conv2d(case.x, case.w, **case.params),
                            *H.conv2d_backward(case.dh, case.x, case.w, **case.params)))
    for a, b in zip(*results):
        assert a.shape == b.shape and H.rel_error(a, b) <= TIGHT


@settings(max_examples=200)
@given(conv_cases(max_size=6, max_batch=2))
def test_loops_match_central_differences(case):
    dx, dw, db = H.conv2d_backward_loops(case.dh, case.x, case.w, **case.params)
    p = case.params
    assert H.rel_error(H.numerical_gradient(lambda x: H.conv2d(x, case.w, case.b, **p), case.x, case.dh),
                       dx) <= NUMERIC
    assert H.rel_error(H.numerical_gradient(lambda w: H.conv2d(case.x, w, case.b, **p), case.w, case.dh),
                       dw) <= NUMERIC
    assert H.rel_error(H.numerical_gradient(lambda b: H.conv2d(case.x, case.w, b, **p), case.b, case.dh),
                       db) <= NUMERIC


@settings(max_examples=200)
@given(conv_cases())
def test_transpose_is_the_adjoint(case):
    """<conv(x), y> == <x, conv_transpose(y)> for every x, y: the definition of the adjoint."""
    size = as_images(case.x, case.x.ndim == 4).shape[1:3]
    lhs = np.sum(H.conv2d(case.x, case.w, **case.params) * case.dh)
    rhs = np.sum(case.x * H.conv2d_transpose(case.dh, case.w, input_size=size, **case.params))
    assert abs(lhs - rhs) <= 1e-12 * (np.abs(case.x).sum() * np.abs(case.w).sum() * np.abs(case.dh).max())


@settings(max_examples=200)
@given(conv_cases())
def test_im2col_col2im_are_adjoint(case):
    kernel = case.w.shape[1:3]
    cols = H.im2col(case.x, kernel, **case.params)
    y = np.random.default_rng(1).normal(size=cols.shape)
    back = H.col2im(y, case.x.shape, kernel, **case.params)
    assert back.shape == case.x.shape
    assert np.isclose(np.sum(cols * y), np.sum(case.x * back), rtol=1e-12, atol=1e-12)


@settings(max_examples=200)
@given(conv_cases())
def test_dropped_rows_get_exactly_zero_gradient(case):
    """Input pixels no window covers (the floor, padding aside) get dL/dx == 0 exactly."""
    dx, _, _ = H.conv2d_backward(case.dh, case.x, case.w, **case.params)
    covered = H.conv2d_transpose(np.ones_like(case.dh), np.ones_like(case.w),
                                 input_size=as_images(case.x, case.x.ndim == 4).shape[1:3],
                                 **case.params)
    assert np.all(dx[covered == 0] == 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fn", [H.conv2d, H.conv2d_loops])
def test_float_dtype_preserved_forward(fn, dtype):
    rng = np.random.default_rng(0)
    x, w, b = (rng.normal(size=s).astype(dtype) for s in ((2, 5, 6, 3), (4, 3, 2, 3), (4,)))
    assert fn(x, w, b, stride=2).dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fn", [H.conv2d_backward, H.conv2d_backward_loops, H.conv2d_backward_formula])
def test_float_dtype_preserved_backward(fn, dtype):
    rng = np.random.default_rng(0)
    x, w, dh = (rng.normal(size=s).astype(dtype) for s in ((2, 5, 6, 3), (4, 3, 2, 3), (2, 2, 3, 4)))
    assert all(g.dtype == dtype for g in fn(dh, x, w, stride=2))


def test_float32_agrees_with_float64():
    rng = np.random.default_rng(0)
    x, w, dh = (rng.normal(size=s) for s in ((2, 9, 7, 3), (5, 3, 3, 3), (2, 4, 3, 5)))
    exact = H.conv2d_backward(dh, x, w, stride=2)
    single = H.conv2d_backward(*(a.astype(np.float32) for a in (dh, x, w)), stride=2)
    for a, b in zip(single, exact):
        assert H.rel_error(a, b) <= 1e-6


def test_integer_inputs_compute_in_float64():
    x = np.arange(2 * 4 * 5 * 2).reshape(2, 4, 5, 2)
    w = np.ones((3, 2, 2, 2), dtype=np.int32)
    h = H.conv2d(x, w)
    assert h.dtype == np.float64
    assert h[0, 0, 0, 0] == x[0, :2, :2, :].sum()


def test_the_question_shapes():
    """(5, 5, 3) image, 16 filters (3, 3, 3), stride 1, padding 0 -> h (3, 3, 16)."""
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(5, 5, 3)), rng.normal(size=(16, 3, 3, 3)), rng.normal(size=16)
    h = H.conv2d(x, w, b)
    assert h.shape == (3, 3, 16)
    dx, dw, db = H.conv2d_backward(rng.normal(size=h.shape), x, w)
    assert (dx.shape, dw.shape, db.shape) == ((5, 5, 3), (16, 3, 3, 3), (16,))


def test_same_padding_matches_pytorch_rule_and_ceil_for_strides():
    g = H.conv_geometry((7, 8, 1), (1, 4, 3, 1), padding="same")
    assert g.out == (7, 8)
    assert g.pad == ((1, 2), (1, 1))  # odd total: the extra row goes to the bottom
    g = H.conv_geometry((7, 8, 1), (1, 3, 3, 1), stride=2, padding="same")
    assert g.out == (4, 4)  # ceil(7 / 2), ceil(8 / 2)


def test_output_size_formula_examples():
    assert H.output_size(5, 3) == 3  # the question
    assert H.output_size(7, 3, stride=2) == 3
    assert H.output_size(8, 3, stride=2) == 3  # floor drops the last row
    assert H.output_size(8, 3, stride=2, padding=1) == 4
    assert H.output_size(9, 3, dilation=2) == 5  # effective kernel 5
    assert H.output_size(9, 3, padding=(0, 1)) == 8
