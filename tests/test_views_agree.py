"""Property tests: every view of the convolution and its backward pass agrees, and matches calculus.

The views come from one registry, helpers.views (loops, formula, matrix,
im2col, fast, convolutions): a view added there is tested here.  The loops
are the oracle; they are checked against central differences.
"""

import itertools
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from strategies import conv_cases, examples

import helpers as H
from helpers.views import BACKWARD_VIEWS, FORWARD_VIEWS, fast

TIGHT = 1e-12  # float64 views that only reorder sums
NUMERIC = 1e-7  # central differences, eps = 1e-6


def as_images(a, batched):
    return a if batched else a[None]


@settings(max_examples=examples(300))
@given(conv_cases())
def test_forward_views_agree(case):
    h_ref = H.conv2d_loops(case.x, case.w, case.b, **case.params)
    assert h_ref.shape == case.dh.shape
    for name, view in FORWARD_VIEWS.items():
        assert H.rel_error(view(case.x, case.w, case.b, **case.params), h_ref) <= TIGHT, name
        assert H.rel_error(view(case.x, case.w, **case.params), h_ref - case.b) <= TIGHT, name


@settings(max_examples=examples(300))
@given(conv_cases())
def test_backward_views_agree(case):
    dx, dw, db = H.conv2d_backward_loops(case.dh, case.x, case.w, **case.params)
    assert (dx.shape, dw.shape, db.shape) == (case.x.shape, case.w.shape, case.b.shape)
    for name, view in BACKWARD_VIEWS.items():
        dx_v, dw_v, db_v = view(case.dh, case.x, case.w, **case.params)
        assert H.rel_error(dx_v, dx) <= TIGHT, name
        assert H.rel_error(dw_v, dw) <= TIGHT, name
        assert H.rel_error(db_v, db) <= TIGHT, name


PRODUCTS = ("h", "dw", "dx")
ASSIGNMENTS = list(itertools.product(("planes", "rows"), repeat=len(PRODUCTS)))


def fast_results(case):
    """Everything the fast path computes: h with and without bias, dx, dw, db."""
    return (H.conv2d(case.x, case.w, case.b, **case.params), H.conv2d(case.x, case.w, **case.params),
            *H.conv2d_backward(case.dh, case.x, case.w, **case.params))


@pytest.mark.parametrize("layouts", ASSIGNMENTS, ids=["-".join(a) for a in ASSIGNMENTS])
@settings(max_examples=examples(40))
@given(case=conv_cases())
def test_fast_path_equals_the_teaching_view_in_every_layout(layouts, case):
    """Force each product onto each memory layout, whatever C: the numbers are the im2col view's."""
    chosen = dict(zip(PRODUCTS, layouts))
    with patch.object(fast, "layout", lambda g, product: chosen[product]):
        results = fast_results(case)
    teaching = (H.conv2d_im2col(case.x, case.w, case.b, **case.params), H.conv2d_im2col(case.x, case.w, **case.params),
                *H.conv2d_backward_im2col(case.dh, case.x, case.w, **case.params))
    for a, b in zip(results, teaching):
        assert a.shape == b.shape and H.rel_error(a, b) <= TIGHT


@pytest.mark.parametrize("x_shape, stride, expected", [
    ((2, 6, 7, 3), 1, ("planes", "planes", "planes")),  # few channels
    ((2, 6, 22, 8), 1, ("rows", "planes", "rows")),  # the mixed case: output rows of 20 > C = 8
    ((2, 6, 22, 8), (1, 2), ("rows", "rows", "rows")),  # column stride 2: rows not contiguous
    ((2, 6, 7, 16), 1, ("rows", "rows", "rows")),  # many channels, short rows
])
def test_each_natural_layout_choice_matches_the_loops(x_shape, stride, expected):
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=x_shape), rng.normal(size=(4, 3, 3, x_shape[-1]))
    g = H.conv_geometry(x.shape, w.shape, stride=stride)
    assert tuple(fast.layout(g, product) for product in PRODUCTS) == expected
    dh = rng.normal(size=g.out_shape)
    for a, b in zip(H.conv2d_backward(dh, x, w, stride=stride), H.conv2d_backward_loops(dh, x, w, stride=stride)):
        assert H.rel_error(a, b) <= TIGHT


@settings(max_examples=examples(200))
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


@settings(max_examples=examples(200))
@given(conv_cases())
def test_transpose_is_the_adjoint(case):
    """<conv(x), y> == <x, conv_transpose(y)> for every x, y: the definition of the adjoint."""
    size = as_images(case.x, case.x.ndim == 4).shape[1:3]
    lhs = np.sum(H.conv2d(case.x, case.w, **case.params) * case.dh)
    rhs = np.sum(case.x * H.conv2d_transpose(case.dh, case.w, input_size=size, **case.params))
    assert abs(lhs - rhs) <= 1e-12 * (np.abs(case.x).sum() * np.abs(case.w).sum() * np.abs(case.dh).max())


@settings(max_examples=examples(200))
@given(conv_cases())
def test_im2col_col2im_are_adjoint(case):
    kernel = case.w.shape[1:3]
    cols = H.im2col(case.x, kernel, **case.params)
    y = np.random.default_rng(1).normal(size=cols.shape)
    back = H.col2im(y, case.x.shape, kernel, **case.params)
    assert back.shape == case.x.shape
    assert np.isclose(np.sum(cols * y), np.sum(case.x * back), rtol=1e-12, atol=1e-12)


def read_pixels(case):
    """(H, W) mask of the input pixels some window reads, from the index formula alone.

    Output (oh, ow) reads padded row s*oh + d*i and column s*ow + d*j through tap (i, j).
    """
    g = H.conv_geometry(case.x.shape, case.w.shape, **case.params)
    (OH, OW), (KH, KW), (s_r, s_c), (d_r, d_c) = g.out, g.kernel, g.stride, g.dilation
    (top, _), (left, _) = g.pad
    rows = {s_r * oh + d_r * i - top for oh in range(OH) for i in range(KH)}
    cols = {s_c * ow + d_c * j - left for ow in range(OW) for j in range(KW)}
    mask = np.zeros(g.size, dtype=bool)
    mask[np.ix_([r for r in range(g.size[0]) if r in rows], [c for c in range(g.size[1]) if c in cols])] = True
    return mask


@settings(max_examples=examples(200))
@given(conv_cases())
def test_dropped_rows_get_exactly_zero_gradient(case):
    """Input pixels no window reads (the floor, dilation's gaps) get dL/dx == 0 exactly; the others do not."""
    read = read_pixels(case)
    for name, view in BACKWARD_VIEWS.items():
        dx, _, _ = view(case.dh, case.x, case.w, **case.params)
        assert np.all(dx[..., ~read, :] == 0), name
        assert np.all(dx[..., read, :] != 0), name  # random dh and w: a zero here is a lost contribution


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", FORWARD_VIEWS)
def test_float_dtype_preserved_forward(name, dtype):
    rng = np.random.default_rng(0)
    x, w, b = (rng.normal(size=s).astype(dtype) for s in ((2, 5, 6, 3), (4, 3, 2, 3), (4,)))
    assert FORWARD_VIEWS[name](x, w, b, stride=2).dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", BACKWARD_VIEWS)
def test_float_dtype_preserved_backward(name, dtype):
    rng = np.random.default_rng(0)
    x, w, dh = (rng.normal(size=s).astype(dtype) for s in ((2, 5, 6, 3), (4, 3, 2, 3), (2, 2, 3, 4)))
    assert all(g.dtype == dtype for g in BACKWARD_VIEWS[name](dh, x, w, stride=2))


@pytest.mark.parametrize("name", BACKWARD_VIEWS)
def test_float32_agrees_with_float64(name):
    rng = np.random.default_rng(0)
    x, w, dh = (rng.normal(size=s) for s in ((2, 9, 7, 3), (5, 3, 3, 3), (2, 4, 3, 5)))
    exact = BACKWARD_VIEWS[name](dh, x, w, stride=2)
    single = BACKWARD_VIEWS[name](*(a.astype(np.float32) for a in (dh, x, w)), stride=2)
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
    assert H.output_size(7, 4, stride=2, padding="same") == 4  # ceil(7 / 2)
    assert H.output_size(7, 4, padding="valid") == 4
