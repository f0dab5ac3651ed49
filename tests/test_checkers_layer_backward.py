"""check_layer_backward (notebook 04's capstone): correct answers four ways; one learner mistake per diagnosis.

Each mistake is written here as a learner would write it, independently of the checker, and must get
exactly its diagnosis; tests/test_checkers.py checks that MISTAKES covers the checker's catalogue.
"""

import numpy as np
import pytest
from checker_answers import assert_named, gather, layer_im2col, layer_loops, mistakes

import helpers as H
from helpers.checkers import check_layer_backward


def layer(**mistake):
    return lambda *args: layer_loops(*args, **mistake)


def layer_replace(i, transform):
    def fn(dh, x, w, s, p):
        parts = list(layer_loops(dh, x, w, s, p))
        parts[i] = transform(parts[i], dh, x, w, s, p)
        return tuple(parts)
    return fn


def layer_per_filter(dh, x, w, s, p, filters):
    """dx from the filters listed only, each one's scatter assigned with '=' in turn."""
    dx = None
    for f in filters:
        dx = layer_loops(dh[..., f:f + 1], x, w[f:f + 1], s, p)[0]
    return dx


def layer_gather(dh, x, w, s, p, *, zeros=None, pad=None, k=None):
    """(dx, dw, db) with dx by the gather view, plane by plane; each keyword turns one step into a mistake.

    zeros: the zeros put between the entries of dL/dh (right: s - 1);  pad: plane -> the zero-padded
    plane (right: KH - 1 and KW - 1 on each side);  k: the kernels correlated (right: w rotated).
    """
    N, Hx, Wx, C = x.shape
    F, KH, KW, _ = w.shape
    OH, OW = dh.shape[1:3]
    gap = s if zeros is None else zeros + 1
    k = w[:, ::-1, ::-1, :] if k is None else k
    pad = pad or (lambda plane: np.pad(plane, ((KH - 1, KH - 1), (KW - 1, KW - 1))))
    dh_up = np.zeros((N, (OH - 1) * gap + 1, (OW - 1) * gap + 1, F))
    dh_up[:, ::gap, ::gap, :] = dh
    dx_pad = np.zeros((N, Hx + 2 * p, Wx + 2 * p, C))
    for n in range(N):
        for c in range(C):
            full = sum(gather(pad(dh_up[n, :, :, f]), k[f, :, :, c], pad=(0, 0)) for f in range(F))
            rows, cols = min(full.shape[0], Hx + 2 * p), min(full.shape[1], Wx + 2 * p)
            dx_pad[n, :rows, :cols, c] = full[:rows, :cols]
    return dx_pad[:, p:p + Hx, p:p + Wx], layer_loops(dh, x, w, s, p)[1], dh.sum(axis=(0, 1, 2))


def layer_gather_with(**mistake):
    return lambda *args: layer_gather(*args, **mistake)


def layer_dw_unpadded_x(dh, x, w, s, p):
    """dw from the windows of x placed at the top left of x_pad (the padding in front forgotten)."""
    N, Hx, Wx, C = x.shape
    F, KH, KW, _ = w.shape
    x_pad = np.zeros((N, Hx + 2 * p, Wx + 2 * p, C))
    x_pad[:, :Hx, :Wx] = x
    dw = np.zeros(w.shape)
    for n in range(N):
        for u in range(dh.shape[1]):
            for v in range(dh.shape[2]):
                for f in range(F):
                    dw[f] += dh[n, u, v, f] * x_pad[n, u * s:u * s + KH, v * s:v * s + KW]
    return layer_loops(dh, x, w, s, p)[0], dw, dh.sum(axis=(0, 1, 2))


def layer_dw_last_image(dw, dh, x, w, s, p):
    for n in range(len(x)):  # '=' over the images
        dw = layer_loops(dh[n:n + 1], x[n:n + 1], w, s, p)[1]
    return dw


@pytest.mark.parametrize("fn", [
    lambda dh, x, w, s, p: H.conv2d_backward(dh, x, w, stride=s, padding=p),
    lambda dh, x, w, s, p: H.conv2d_backward_formula(dh, x, w, stride=s, padding=p),
    layer_im2col,
    layer_gather,
], ids=["vectorised", "formula", "im2col", "gather by loops"])
def test_layer_backward_accepts_correct_answers(fn):
    assert check_layer_backward(fn)


MISTAKES = [  # (diagnosis, a learner's function, words of the message)
    ("not-dilated", layer(step=1), "dx: the windows are placed as if the stride were 1"),
    ("crop-minus-p", layer(crop="minus"), "dx: wrong crop: [p:-p] is empty when p = 0"),
    ("not-cropped", layer(crop="none"), "the padding was not cropped"),
    ("crop-top-left", layer(crop="start"), "the padding is on both sides"),
    ("dropped-rows", layer_replace(0, lambda dx, dh, x, w, s, p: H.conv2d_transpose(dh, w, stride=s)[
        :, p:p + x.shape[1], p:p + x.shape[2]]), "off by the rows the floor dropped"),
    ("overwrite", layer(dx_op="="), "contributions are overwritten: use += (not =) in `dx_pad[n, u*s:u*s + KH"),
    ("only-last-filter", layer_replace(0, lambda dx, dh, x, w, s, p: layer_per_filter(dh, x, w, s, p,
                                                                                      range(w.shape[0]))),
     "only the last filter survives"),
    ("only-filter-0", layer_replace(0, lambda dx, dh, x, w, s, p: layer_per_filter(dh, x, w, s, p, [0])),
     "only filter 0 is used"),
    ("rotated-twice", lambda dh, x, w, s, p: layer_loops(dh, x, w, s, p, k=w[:, ::-1, ::-1]),
     "dx: the kernel is rotated twice, or not at all (both give this dL/dx); the gather view correlates the "
     "zero-padded dh_up (dL/dh with stride - 1 zeros inserted) with the rotated kernel w[:, ::-1, ::-1, :]; the "
     "scatter loop adds the kernel unrotated, `dx_pad[n, u*s:u*s + KH, v*s:v*s + KW, :] += dh[n, u, v, f] * w[f]`"),
    ("rotated-twice", lambda dh, x, w, s, p: layer_gather(dh, x, w, s, p, k=w), "the kernel is rotated twice"),
    ("rows-only", lambda dh, x, w, s, p: layer_gather(dh, x, w, s, p, k=w[:, ::-1]),
     "flipped on one axis only: w[:, ::-1, :, :] in the gather view, or w[:, :, ::-1, :] in the scatter loop"),
    ("rows-only", lambda dh, x, w, s, p: layer_loops(dh, x, w, s, p, k=w[:, :, ::-1]), "flipped on one axis only"),
    ("columns-only", lambda dh, x, w, s, p: layer_gather(dh, x, w, s, p, k=w[:, :, ::-1]), "flipped on one axis"),
    ("transposed", lambda dh, x, w, s, p: layer_gather(dh, x, w, s, p, k=w.transpose(0, 2, 1, 3)),
     "the kernel is transposed: w.transpose(0, 2, 1, 3) in the gather view"),
    ("rotated-90", lambda dh, x, w, s, p: layer_gather(dh, x, w, s, p, k=np.rot90(w, axes=(1, 2))),
     "rotated by 90 degrees"),
    ("rotated-transposed", lambda dh, x, w, s, p: layer_gather(dh, x, w, s, p, k=w[:, ::-1, ::-1].swapaxes(1, 2)),
     "or w.transpose(0, 2, 1, 3) in the scatter loop"),
    ("zeros-stride", layer_gather_with(zeros=2), "dL/dh has stride zeros (here 2) between its entries; it needs "
                                                 "stride - 1 (here 1)"),
    ("pad-by-p", lambda dh, x, w, s, p: layer_gather(dh, x, w, s, p, pad=lambda plane: np.pad(plane, p)),
     "dL/dh is zero-padded by the forward padding p = 1"),
    ("valid", layer_gather_with(pad=lambda plane: plane), "this is a valid correlation"),
    ("pad-amount", lambda dh, x, w, s, p: layer_gather(dh, x, w, s, p, pad=lambda plane: np.pad(
        plane, ((w.shape[1] - 2, w.shape[1] - 2), (w.shape[2] - 2, w.shape[2] - 2)))),
     "zero-padded by 1 row and 0 columns on each side (KH - 2 and KW - 2, one too few)"),
    ("pad-one-pair", lambda dh, x, w, s, p: layer_gather(
        dh, x, w, s, p, pad=lambda plane: np.pad(plane, (w.shape[1] - 1, w.shape[2] - 1))),
     "np.pad(dh_up[n, :, :, f], (KH - 1, KW - 1)) pads every axis"),
    ("channels-mixed", layer_replace(0, lambda dx, *a: dx.sum(-1, keepdims=True).repeat(dx.shape[-1], -1)),
     "the channels are mixed"),
    ("w2-reshape", lambda dh, x, w, s, p: layer_im2col(dh, x, w, s, p, w2=w.reshape(-1, w.shape[0]).T),
     "w.reshape(-1, F) mixes the filters' entries"),
    ("dh2-reshape", lambda dh, x, w, s, p: layer_im2col(dh, x, w, s, p, dh2=dh.reshape(w.shape[0], -1).T),
     "dh.reshape(F, -1) mixes positions and filters"),
    ("layout", layer_replace(0, lambda dx, *a: dx.transpose(0, 3, 1, 2)), "dx: wrong layout: (N, C, H, W)"),
    ("dw-overwrite", layer(dw_op="="), "dw keeps only the last window"),
    ("dw-last-image", layer_replace(1, layer_dw_last_image), "dw is the last image's alone"),
    ("dw-mean-batch", layer_replace(1, lambda dw, dh, *a: dw / len(dh)), "dw is divided by the batch size N"),
    ("dw-mean", layer_replace(1, lambda dw, dh, *a: dw / np.prod(dh.shape[:3])), "dw is a mean over the windows"),
    ("dw-mean", layer_replace(1, lambda dw, dh, *a: dw / np.prod(dh.shape[1:3])), "dw is a mean over the windows"),
    ("dw-unpadded-x", layer_dw_unpadded_x, "dw reads the windows of x without its padding in front"),
    ("dw-no-stride", layer(dw_step=1), "the windows of x are read at stride 1"),
    ("dw-rotated", layer_replace(1, lambda dw, *a: dw[:, ::-1, ::-1]), "dw is rotated"),
    ("dw-same-for-all-filters", layer_replace(1, lambda dw, *a: dw.sum(0, keepdims=True).repeat(len(dw), 0)),
     "every filter got the same gradient"),
    ("dw-im2col-reshape", lambda *args: layer_im2col(*args, dw_product="cols.T @ dh2"),
     "cols.T @ dh2 is (KH*KW*C, F)"),
    ("dw-layout", layer_replace(1, lambda dw, *a: dw.transpose(0, 3, 1, 2)), "dw: wrong layout: (F, C, KH, KW)"),
    ("db-mean", layer_replace(2, lambda db, dh, *a: dh.mean(axis=(0, 1, 2))), "not the mean"),
    ("db-mean-batch", layer_replace(2, lambda db, dh, *a: db / len(dh)), "db is averaged over the batch"),
    ("db-per-image", layer_replace(2, lambda db, dh, *a: dh.sum(axis=(1, 2))), "db has one row per image"),
    ("db-last-image", layer_replace(2, lambda db, dh, *a: dh[-1].sum(axis=(0, 1))), "db is the last image's alone"),
    ("db-all-filters", layer_replace(2, lambda db, dh, *a: np.full(len(db), dh.sum())), "db[f] sums dh[..., f]"),
]


@mistakes(MISTAKES)
def test_layer_backward_names_the_mistake(diagnosis, fn, words):
    assert_named(check_layer_backward, diagnosis, fn, words)


def test_layer_backward_cases_cover_the_capstone():
    cases = check_layer_backward.cases()
    assert ((2, 3, 3, 16), (2, 5, 5, 3), (16, 3, 3, 3), 1, 0) in [(dh.shape, x.shape, w.shape, s, p)
                                                                 for dh, x, w, s, p in cases]
    assert all(len(x) >= 2 and x.shape[-1] >= 2 and len(w) >= 3 for _, x, w, _, _ in cases)
    assert {p for *_, p in cases} >= {0, 1} and 3 in {s for *_, s, _ in cases}
    assert any(x.shape[1] != x.shape[2] and w.shape[1] != w.shape[2] and dh.shape[1] != dh.shape[2]
               for dh, x, w, _, _ in cases)
