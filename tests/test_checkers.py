"""Checkers accept every correct answer and name each common mistake."""

import numpy as np
import pytest

import helpers as H
from helpers.checkers import (
    check_conv_matrix,
    check_multi_channel_dx,
    check_question_backward,
    check_single_channel_dw,
    check_single_channel_dx,
    check_strided_dx,
    diagnose,
)

# ---- single channel ---------------------------------------------------------------------------


def gather(dh, k):
    """Correlate dh padded to full size with k (the learner's 'rotated kernel')."""
    KH, KW = k.shape
    return H.correlate2d(np.pad(dh, ((KH - 1, KH - 1), (KW - 1, KW - 1))), k)


def scatter(dh, w, op="+="):
    (OH, OW), (KH, KW) = dh.shape, w.shape
    dx = np.zeros((OH + KH - 1, OW + KW - 1))
    for r in range(OH):
        for c in range(OW):
            if op == "+=":
                dx[r:r + KH, c:c + KW] += dh[r, c] * w
            else:
                dx[r:r + KH, c:c + KW] = dh[r, c] * w
    return dx


@pytest.mark.parametrize("fn", [
    lambda dh, w: gather(dh, w[::-1, ::-1]),
    lambda dh, w: scatter(dh, w),
    lambda dh, w: H.full_convolve2d(dh, w),
    lambda dh, w: H.conv2d_transpose(dh[:, :, None], w[None, :, :, None])[:, :, 0],
    lambda dh, w: H.conv2d_backward(dh[:, :, None], np.zeros((dh.shape[0] + w.shape[0] - 1,
                                                             dh.shape[1] + w.shape[1] - 1, 1)),
                                    w[None, :, :, None])[0][:, :, 0].tolist(),  # a list is fine
], ids=["gather", "scatter", "full_convolve2d", "conv2d_transpose", "conv2d_backward as list"])
def test_single_channel_dx_accepts_correct_answers(fn):
    result = check_single_channel_dx(fn)
    assert result, result
    assert repr(result).startswith("✓ correct on 3 random problems")


@pytest.mark.parametrize("fn, message", [
    (lambda dh, w: gather(dh, w), "the kernel is not rotated"),
    (lambda dh, w: gather(dh, w[::-1, :]), "flipped on the rows only"),
    (lambda dh, w: gather(dh, w[:, ::-1]), "flipped on the columns only"),
    (lambda dh, w: gather(dh, w.T), "the kernel is transposed (w.T), not rotated"),
    (lambda dh, w: gather(dh, w[::-1, ::-1].T), "rotated by 90 degrees, not 180"),
    (lambda dh, w: scatter(dh, w, "="), "contributions are overwritten: use += (not =)"),
    (lambda dh, w: H.correlate2d(dh, w[::-1, ::-1]), "this is a valid convolution; dL/dx needs the *full* one"),
    (lambda dh, w: H.full_convolve2d(dh, w).T, "rows and columns are swapped"),
    (lambda dh, w: np.zeros((2, 2)), "dL/dx has shape (2, 2), expected (5, 6)"),
    (lambda dh, w: H.full_convolve2d(dh, w) + 0.01, "right shape (5, 6) but wrong values"),
    (lambda dh, w: None, "dL/dx has shape (), expected (5, 6)"),
    (lambda dh, w: dh[99], "your function raised IndexError"),
])
def test_single_channel_dx_names_the_mistake(fn, message):
    result = check_single_channel_dx(fn)
    assert not result
    assert message in result.message, result.message


def test_single_channel_dw():
    assert check_single_channel_dw(lambda x, dh: H.correlate2d(x, dh))
    assert check_single_channel_dw(
        lambda x, dh: H.conv2d_backward(dh[:, :, None], x[:, :, None],
                                        np.zeros((1, x.shape[0] - dh.shape[0] + 1,
                                                  x.shape[1] - dh.shape[1] + 1, 1)))[1][0, :, :, 0])
    for fn, message in [
        (lambda x, dh: H.correlate2d(x, dh[::-1, ::-1]), "dL/dh is rotated"),
        (lambda x, dh: H.correlate2d(x, dh)[::-1, ::-1], "the result is rotated by 180 degrees"),
        (lambda x, dh: H.correlate2d(x, dh).T, "rows and columns are swapped"),
    ]:
        result = check_single_channel_dw(fn)
        assert not result and message in result.message, result.message


def test_single_channel_dw_overwrite():
    def overwriting(x, dh):
        OH, OW = dh.shape
        KH, KW = x.shape[0] - OH + 1, x.shape[1] - OW + 1
        dw = np.zeros((KH, KW))
        for r in range(OH):
            for c in range(OW):
                dw = dh[r, c] * x[r:r + KH, c:c + KW]  # '=' instead of '+='
        return dw

    result = check_single_channel_dw(overwriting)
    assert not result and "contributions are overwritten" in result.message


# ---- several channels ------------------------------------------------------------------------


def gather_multi(dh, k):
    return np.stack([gather(dh, k[:, :, c]) for c in range(k.shape[-1])], axis=-1)


def test_multi_channel_dx():
    assert check_multi_channel_dx(lambda dh, w: gather_multi(dh, w[::-1, ::-1, :]))
    assert check_multi_channel_dx(lambda dh, w: H.conv2d_transpose(dh[:, :, None], w[None]))
    for fn, message in [
        (lambda dh, w: gather_multi(dh, w), "the kernel is not rotated"),
        (lambda dh, w: gather_multi(dh, np.flip(w)), "the channel axis is reversed too"),
        (lambda dh, w: gather_multi(dh, w[::-1, ::-1, :]).transpose(2, 0, 1), "you returned (C, H, W)"),
        (lambda dh, w: gather_multi(dh, w[::-1, ::-1, :]).sum(-1, keepdims=True).repeat(w.shape[-1], -1),
         "the channels are mixed"),
        (lambda dh, w: gather_multi(dh, w.transpose(1, 0, 2)), "the kernel is transposed"),
    ]:
        result = check_multi_channel_dx(fn)
        assert not result and message in result.message, result.message


# ---- the question ----------------------------------------------------------------------------


def backward_with(dh, x, w, k, combine="+="):
    """The learner's loop, with the kernel k used where rot180(w) belongs."""
    F, KH, KW, C = w.shape
    dx, dw = np.zeros(x.shape), np.zeros(w.shape)
    for f in range(F):
        for c in range(C):
            share = gather(dh[:, :, f], k[f, :, :, c])
            dx[:, :, c] = dx[:, :, c] + share if combine == "+=" else share
            dw[f, :, :, c] = H.correlate2d(x[:, :, c], dh[:, :, f])
    return dx, dw, dh.sum(axis=(0, 1))


def rotated(w):
    return w[:, ::-1, ::-1, :]


@pytest.mark.parametrize("fn", [
    lambda dh, x, w: backward_with(dh, x, w, rotated(w)),
    lambda dh, x, w: H.conv2d_backward(dh, x, w),
    lambda dh, x, w: H.conv2d_backward_loops(dh, x, w),
    lambda dh, x, w: list(H.conv2d_backward_formula(dh, x, w)),
], ids=["loops", "vectorised", "reference", "formula as list"])
def test_question_accepts_correct_answers(fn):
    result = check_question_backward(fn)
    assert result, result


def replace(i, transform):
    """A correct answer with part i transformed."""
    def fn(dh, x, w):
        parts = list(H.conv2d_backward(dh, x, w))
        parts[i] = transform(parts[i], dh, x, w)
        return tuple(parts)
    return fn


@pytest.mark.parametrize("fn, message", [
    (lambda dh, x, w: backward_with(dh, x, w, w), "dx: the kernel is not rotated"),
    (lambda dh, x, w: backward_with(dh, x, w, w[::-1, ::-1]), "w[::-1, ::-1] on the 4-D filters flips the filter"),
    (lambda dh, x, w: backward_with(dh, x, w, np.flip(w)), "np.flip(w) flips every axis"),
    (lambda dh, x, w: backward_with(dh, x, w, w.swapaxes(1, 2)), "transposed, not rotated"),
    (lambda dh, x, w: backward_with(dh, x, w, rotated(w), combine="="), "only the last filter survives"),
    (replace(0, lambda dx, dh, x, w: backward_with(dh[:, :, :1], x, w[:1], rotated(w[:1]))[0]),
     "only filter 0 is used"),
    (replace(0, lambda dx, dh, x, w: dx.sum(-1, keepdims=True).repeat(x.shape[-1], -1)), "the channels are mixed"),
    (replace(0, lambda dx, dh, x, w: dx.transpose(2, 0, 1)), "dx: wrong layout: (C, H, W) is channels-first"),
    (replace(1, lambda dw, dh, x, w: dw.transpose(0, 3, 1, 2)), "dw: wrong layout: (F, C, KH, KW) is PyTorch's"),
    (replace(1, lambda dw, dh, x, w: dw[:, ::-1, ::-1, :]), "dw is rotated"),
    (replace(1, lambda dw, dh, x, w: dw.sum(0, keepdims=True).repeat(len(dw), 0)), "every filter got the same"),
    (replace(2, lambda db, dh, x, w: db / (dh.shape[0] * dh.shape[1])), "db is the sum of dL/dh over positions"),
    (replace(2, lambda db, dh, x, w: np.full(len(db), db.sum())), "db[f] sums dL/dh[:, :, f] only"),
    (lambda dh, x, w: H.conv2d_backward(dh, x, w)[:2], "return the three gradients as a tuple (dx, dw, db)"),
])
def test_question_names_the_mistake(fn, message):
    result = check_question_backward(fn)
    assert not result
    assert message in result.message, result.message


def test_diagnose_generic_messages():
    expected = np.arange(6.0).reshape(2, 3)
    assert diagnose("a", expected.copy(), expected)
    assert "a must be an array of numbers, got str" in diagnose("a", "abc", expected).message
    msg = diagnose("a", expected + np.eye(2, 3) * [[0, 0, 0], [0, 5, 0]], expected).message
    assert "largest difference is at index (1, 1): got 9, expected 4" in msg


# ---- stride and padding ------------------------------------------------------------------------

def strided(dh, w, s, p, size):
    return H.conv2d_transpose(dh[:, :, None], w[None, :, :, None], stride=s, padding=p, input_size=size)[:, :, 0]


def test_strided_dx_accepts_correct_answers():
    assert check_strided_dx(strided)
    assert check_strided_dx(  # the loop reference, written differently
        lambda dh, w, s, p, size: H.conv2d_backward_loops(dh[:, :, None], np.zeros((*size, 1)),
                                                          w[None, :, :, None], stride=s, padding=p)[0][:, :, 0])


def _learner(dh, w, s, p, size, *, zeros=True, extend=True, crop="ok", rotate=True):
    """A learner's pipeline, written independently of the checker's."""
    K, (Hx, Wx) = w.shape[0], size
    up = np.zeros(((dh.shape[0] - 1) * s + 1, (dh.shape[1] - 1) * s + 1)) if zeros else dh.astype(float)
    if zeros:
        up[::s, ::s] = dh
    k = w[::-1, ::-1] if rotate else w
    padded = np.pad(up, K - 1)
    full = np.array([[np.sum(padded[i:i + K, j:j + K] * k) for j in range(padded.shape[1] - K + 1)]
                     for i in range(padded.shape[0] - K + 1)])
    if extend:
        full = np.pad(full, ((0, Hx + 2 * p - full.shape[0]), (0, Wx + 2 * p - full.shape[1])))
    if crop == "ok":
        return full[p:p + Hx, p:p + Wx]
    if crop == "minus":
        return full[p:-p, p:-p]
    if crop == "start":
        return full[:Hx, :Wx]
    return full


@pytest.mark.parametrize("kwargs, message", [
    (dict(zeros=False), "dL/dh was not dilated by the stride"),
    (dict(extend=False), "off by the rows the floor dropped"),
    (dict(crop="minus"), "wrong crop: [p:-p] is empty when p = 0"),
    (dict(crop="none"), "the padding was not cropped"),
    (dict(crop="start"), "the padding is on both sides"),
    (dict(rotate=False), "the kernel is not rotated"),
])
def test_strided_dx_names_the_mistake(kwargs, message):
    assert check_strided_dx(lambda *args: _learner(*args))
    result = check_strided_dx(lambda *args: _learner(*args, **kwargs))
    assert not result and message in result.message, result.message


# ---- conv as a matrix -----------------------------------------------------------------------------

def build_C(size, w, *, row_major=True, col_major_cols=False, col_major_rows=False):
    (Hx, Wx), (KH, KW) = size, w.shape
    OH, OW = Hx - KH + 1, Wx - KW + 1
    C = np.zeros((OH * OW, Hx * Wx))
    for r in range(OH):
        for c in range(OW):
            row = c * OH + r if col_major_rows else r * OW + c
            for i in range(KH):
                for j in range(KW):
                    col = (c + j) * Hx + (r + i) if col_major_cols else (r + i) * Wx + (c + j)
                    C[row, col] = w[i, j]
    return C


def test_conv_matrix_checker():
    assert check_conv_matrix(build_C)
    assert check_conv_matrix(lambda size, w: H.conv_matrix((*size, 1), w[None, :, :, None]))
    for fn, message in [
        (lambda size, w: build_C(size, w).T, "you built the transpose"),
        (lambda size, w: build_C(size, w[::-1, ::-1]), "the kernel is rotated"),
        (lambda size, w: build_C(size, w, col_major_cols=True, col_major_rows=True), "rows and columns are in column"),
        (lambda size, w: build_C(size, w, col_major_cols=True), "the columns are in column-major order"),
        (lambda size, w: build_C(size, w, col_major_rows=True), "the rows are in column-major order"),
    ]:
        result = check_conv_matrix(fn)
        assert not result and message in result.message, result.message


# ---- col2im and max-pool ---------------------------------------------------------------------------

def test_col2im_checker():
    from helpers.checkers import check_col2im

    def loop(dcols, size, kernel, s, assign=False, windows="row", taps="row"):
        (Hx, Wx), (KH, KW) = size, kernel
        OH, OW = (Hx - KH) // s + 1, (Wx - KW) // s + 1
        dx = np.zeros(size)
        for m in range(len(dcols)):
            r, c = (m // OW, m % OW) if windows == "row" else (m % OH, m // OH)
            patch = dcols[m].reshape(KH, KW) if taps == "row" else dcols[m].reshape(KW, KH).T
            if assign:
                dx[r * s:r * s + KH, c * s:c * s + KW] = patch
            else:
                dx[r * s:r * s + KH, c * s:c * s + KW] += patch
        return dx

    assert check_col2im(loop)
    assert check_col2im(lambda d, size, k, s: H.col2im(d, (*size, 1), k, stride=s)[:, :, 0])
    for kwargs, message in [(dict(assign=True), "windows overwrite each other"),
                            (dict(windows="col"), "wrong window order"),
                            (dict(taps="col"), "wrong order inside a window")]:
        result = check_col2im(lambda *a, kw=kwargs: loop(*a, **kw))
        assert not result and message in result.message, result.message


def test_maxpool_checker():
    from helpers.checkers import check_maxpool_backward
    from helpers.layers import MaxPool2D

    def layer(dh, x):
        pool = MaxPool2D()
        pool.forward(x)
        return pool.backward(dh)

    def spread(dh, x, scale):
        dx = np.zeros(x.shape)
        dx[:, :dh.shape[1] * 2, :dh.shape[2] * 2] = np.repeat(np.repeat(dh, 2, 1), 2, 2) * scale
        return dx

    def to_min(dh, x):
        return -layer(-dh, -x)  # the max of -x is the min of x

    assert check_maxpool_backward(layer)
    for fn, message in [(lambda dh, x: spread(dh, x, 0.25), "spread evenly"),
                        (lambda dh, x: spread(dh, x, 1.0), "copied to all four inputs"),
                        (to_min, "goes to the smallest input"),
                        (lambda dh, x: layer(dh, x)[:, :dh.shape[1] * 2, :dh.shape[2] * 2], "dx must have x's shape")]:
        result = check_maxpool_backward(fn)
        assert not result and message in result.message, result.message
