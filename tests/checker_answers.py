"""Correct answers to every checker's exercise, written here as a learner would, independently of the checkers.

Shared by tests/test_checkers.py (what every checker does) and tests/test_checkers_<name>.py (one file per
checker: its correct answers and one learner mistake per catalogued diagnosis).
CHECKERS lists every checker with a correct answer; each has its file, whose MISTAKES list
tests/test_checkers.py compares with the checker's catalogue.
"""

import numpy as np
import pytest

import helpers as H
from helpers.checkers import (
    check_col2im,
    check_conv_matrix,
    check_layer_backward,
    check_maxpool_backward,
    check_multi_channel_dx,
    check_numerical_gradient,
    check_question_backward,
    check_single_channel_dw,
    check_single_channel_dx,
    check_strided_dx,
)
from helpers.layers import MaxPool2D


def gather(dh, k, pad=None):
    """Correlate dh, zero-padded by pad (default: k's size - 1), with k: dL/dx when k = rot180(w)."""
    KH, KW = k.shape
    pr, pc = (KH - 1, KW - 1) if pad is None else pad
    dh_pad = np.pad(dh, ((pr, pr), (pc, pc)))
    OH, OW = dh_pad.shape[0] - KH + 1, dh_pad.shape[1] - KW + 1
    return np.array([[np.sum(dh_pad[y:y + KH, z:z + KW] * k) for z in range(OW)] for y in range(OH)])


def scatter(dh, w, op="+="):
    (OH, OW), (KH, KW) = dh.shape, w.shape
    dx = np.zeros((OH + KH - 1, OW + KW - 1))
    for u in range(OH):
        for v in range(OW):
            if op == "+=":
                dx[u:u + KH, v:v + KW] += dh[u, v] * w
            else:
                dx[u:u + KH, v:v + KW] = dh[u, v] * w
    return dx


def dw_loop(x, dh):
    OH, OW = dh.shape
    KH, KW = x.shape[0] - OH + 1, x.shape[1] - OW + 1
    return np.array([[np.sum(x[i:i + OH, j:j + OW] * dh) for j in range(KW)] for i in range(KH)])


def gather_multi(dh, k, pad=None):
    return np.stack([gather(dh, k[:, :, c], pad) for c in range(k.shape[-1])], axis=-1)


def question_loops(dh, x, w, k=None, *, combine="+=", pad=None):
    """(dx, dw, db) by loops, with the kernel k (default rot180(w)) correlated with the padded dL/dh."""
    F, KH, KW, C = w.shape
    k = w[:, ::-1, ::-1, :] if k is None else k
    dx, dw = None, np.zeros(w.shape)
    for f in range(F):
        share = np.stack([gather(dh[:, :, f], k[f, :, :, c], pad) for c in range(C)], axis=-1)
        dx = share if dx is None or combine == "=" else dx + share
        for c in range(C):
            dw[f, :, :, c] = dw_loop(x[:, :, c], dh[:, :, f])
    return dx, dw, dh.sum(axis=(0, 1))


def strided_pipeline(dh, w, s, p, size, *, zeros=True, pad=None, k=None, extend=True, crop="ok"):
    """A learner's strided dL/dx: insert zeros, pad, correlate with k (rot180(w)), append dropped rows, crop."""
    (KH, KW), (Hx, Wx) = w.shape, size
    if zeros:
        up = np.zeros(((dh.shape[0] - 1) * s + 1, (dh.shape[1] - 1) * s + 1))
        up[::s, ::s] = dh
    else:
        up = dh.astype(float)
    k = w[::-1, ::-1] if k is None else k
    full = gather(up, k, (KH - 1, KW - 1) if pad is None else pad)
    if extend:
        full = np.pad(full, ((0, max(Hx + 2 * p - full.shape[0], 0)), (0, max(Wx + 2 * p - full.shape[1], 0))))
    return {"ok": full[p:p + Hx, p:p + Wx], "minus": full[p:-p, p:-p], "start": full[:Hx, :Wx], "none": full}[crop]


def build_C(size, w, *, row=None, col=None):
    (Hx, Wx), (KH, KW) = size, w.shape
    OH, OW = Hx - KH + 1, Wx - KW + 1
    row = row or (lambda u, v: u * OW + v)
    col = col or (lambda y, z: y * Wx + z)
    C = np.zeros((OH * OW, Hx * Wx))
    for u in range(OH):
        for v in range(OW):
            for i in range(KH):
                for j in range(KW):
                    C[row(u, v), col(u + i, v + j)] = w[i, j]
    return C


def col2im_loop(dcols, size, kernel, s, *, assign=False, windows="row", taps="row", step=None, crop=False):
    (Hx, Wx), (KH, KW) = size, kernel
    OH, OW = (Hx - KH) // s + 1, (Wx - KW) // s + 1
    step = s if step is None else step
    dx = np.zeros(size)
    for m in range(len(dcols)):
        u, v = (m // OW, m % OW) if windows == "row" else (m % OH, m // OH)
        patch = dcols[m].reshape(KH, KW) if taps == "row" else dcols[m].reshape(KW, KH).T
        if assign:
            dx[u * step:u * step + KH, v * step:v * step + KW] = patch
        else:
            dx[u * step:u * step + KH, v * step:v * step + KW] += patch
    return dx[:(OH - 1) * s + KH, :(OW - 1) * s + KW] if crop else dx


def maxpool_layer(dh, x):
    pool = MaxPool2D()
    pool.forward(x)
    return pool.backward(dh)


def layer_loops(dh, x, w, s, p, *, step=None, dx_op="+=", k=None, crop="ok", dw_op="+=", dw_step=None):
    """The capstone by the scatter loop; each keyword turns one step into a learner's mistake."""
    N, Hx, Wx, C = x.shape
    F, KH, KW, _ = w.shape
    OH, OW = dh.shape[1:3]
    step = s if step is None else step
    dw_step = s if dw_step is None else dw_step
    k = w if k is None else k
    x_pad = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    dx_pad, dw = np.zeros(x_pad.shape), np.zeros(w.shape)
    for n in range(N):
        for u in range(OH):
            for v in range(OW):
                for f in range(F):
                    window = (n, slice(u * step, u * step + KH), slice(v * step, v * step + KW))
                    if dx_op == "+=":
                        dx_pad[window] += dh[n, u, v, f] * k[f]
                    else:
                        dx_pad[window] = dh[n, u, v, f] * k[f]
                    patch = x_pad[n, u * dw_step:u * dw_step + KH, v * dw_step:v * dw_step + KW]
                    if dw_op == "+=":
                        dw[f] += dh[n, u, v, f] * patch
                    else:
                        dw[f] = dh[n, u, v, f] * patch
    dx = {"ok": dx_pad[:, p:p + Hx, p:p + Wx], "minus": dx_pad[:, p:-p, p:-p], "none": dx_pad,
          "start": dx_pad[:, :Hx, :Wx]}[crop]
    return dx, dw, dh.sum(axis=(0, 1, 2))


def central_differences(f, x, eps=1e-6):
    """CS231n's way: perturb x in place, one entry at a time, and put it back."""
    grad = np.zeros(x.shape)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        plus = f(x)
        x[i] = old - eps
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
        it.iternext()
    return grad


def layer_im2col(dh, x, w, s, p, *, w2=None, dh2=None, dw_product="dh2.T @ cols"):
    """The capstone by im2col; w2, dh2 and dw_product can be the learner's wrong reshapes."""
    F, KH, KW, _ = w.shape
    cols = H.im2col(x, (KH, KW), stride=s, padding=p)
    dh2 = dh.reshape(-1, F) if dh2 is None else dh2
    w2 = w.reshape(F, -1) if w2 is None else w2
    dx = H.col2im(dh2 @ w2, x.shape, (KH, KW), stride=s, padding=p)
    dw = (dh2.T @ cols if dw_product == "dh2.T @ cols" else cols.T @ dh2).reshape(w.shape)
    return dx, dw, dh2.sum(axis=0)


CHECKERS = {  # name: (checker, a correct learner's function written here)
    "single_channel_dx": (check_single_channel_dx, lambda dh, w: gather(dh, w[::-1, ::-1])),
    "single_channel_dw": (check_single_channel_dw, dw_loop),
    "multi_channel_dx": (check_multi_channel_dx, lambda dh, w: gather_multi(dh, w[::-1, ::-1, :])),
    "question_backward": (check_question_backward, question_loops),
    "strided_dx": (check_strided_dx, strided_pipeline),
    "layer_backward": (check_layer_backward, layer_loops),
    "conv_matrix": (check_conv_matrix, build_C),
    "col2im": (check_col2im, col2im_loop),
    "maxpool_backward": (check_maxpool_backward, maxpool_layer),
    "numerical_gradient": (check_numerical_gradient, central_differences),
}
TUPLE_CHECKERS = {"question_backward", "layer_backward"}
# central differences in float32 (or on integers) with eps = 1e-6 are round-off: no dtype tests for those
DTYPE_CHECKERS = [name for name in CHECKERS if name != "numerical_gradient"]


def mistakes(cases):
    """Parametrize a test with a checker's MISTAKES: [(diagnosis, the learner's function, words of the message)]."""
    return pytest.mark.parametrize("diagnosis, fn, words", cases, ids=[c[0] for c in cases])


def assert_named(check, diagnosis, fn, words):
    """The correct answer passes, and fn gets exactly this diagnosis, with these words in its message."""
    assert check(CHECKERS[check.__name__.removeprefix("check_")][1]), "the correct answer passes"
    result = check(fn)
    assert not result and result.diagnosis == diagnosis, result
    assert words in result.message, result.message
