"""check_question_backward (notebook 03, the question): correct answers three ways; one mistake per diagnosis.

Each mistake is written here as a learner would write it, independently of the checker, and must get
exactly its diagnosis; tests/test_checkers.py checks that MISTAKES covers the checker's catalogue.
"""

import numpy as np
import pytest
from checker_answers import assert_named, gather, mistakes, question_loops

import helpers as H
from helpers.checkers import check_question_backward


@pytest.mark.parametrize("fn", [
    lambda dh, x, w: H.conv2d_backward(dh, x, w),
    lambda dh, x, w: H.conv2d_backward_loops(dh, x, w),
    lambda dh, x, w: list(H.conv2d_backward_formula(dh, x, w)),
], ids=["vectorised", "reference", "formula as list"])
def test_question_accepts_correct_answers(fn):
    assert check_question_backward(fn)


def replace(i, transform):
    """A correct answer with part i transformed."""
    def fn(dh, x, w):
        parts = list(question_loops(dh, x, w))
        parts[i] = transform(parts[i], dh, x, w)
        return tuple(parts)
    return fn


def question_scatter_overwriting(dh, x, w):
    F, KH, KW, C = w.shape
    dx = np.zeros(x.shape)
    for u in range(dh.shape[0]):
        for v in range(dh.shape[1]):
            for f in range(F):
                dx[u:u + KH, v:v + KW, :] = dh[u, v, f] * w[f]  # '=' instead of '+='
    return dx, question_loops(dh, x, w)[1], dh.sum(axis=(0, 1))


def question_scatter(dh, x, w, k):
    """(dx, dw, db) with dx by the scatter loop adding dh[u, v, f] * k[f]."""
    KH, KW = k.shape[1:3]
    dx = np.zeros((dh.shape[0] + KH - 1, dh.shape[1] + KW - 1, x.shape[-1]))
    for u in range(dh.shape[0]):
        for v in range(dh.shape[1]):
            for f in range(w.shape[0]):
                dx[u:u + KH, v:v + KW, :] += dh[u, v, f] * k[f]
    return dx, question_loops(dh, x, w)[1], dh.sum(axis=(0, 1))


def question_one_pair(dh, x, w):
    """np.pad(dh[:, :, f], (KH - 1, KW - 1)): KH - 1 before and KW - 1 after, on both axes."""
    F, KH, KW, C = w.shape
    dx = 0
    for f in range(F):
        padded = np.pad(dh[:, :, f], (KH - 1, KW - 1))
        dx = dx + np.stack([gather(padded, w[f, ::-1, ::-1, c], pad=(0, 0)) for c in range(C)], axis=-1)
    return dx, question_loops(dh, x, w)[1], dh.sum(axis=(0, 1))


def question_dw_overwriting(dw, dh, x, w):
    KH, KW = w.shape[1:3]
    for u in range(dh.shape[0]):
        for v in range(dh.shape[1]):
            for f in range(w.shape[0]):
                dw[f] = dh[u, v, f] * x[u:u + KH, v:v + KW, :]
    return dw


MISTAKES = [  # (diagnosis, a learner's function, words of the message)
    ("rotated-twice", lambda dh, x, w: question_loops(dh, x, w, w),
     "dx: the kernel is rotated twice, or not at all (both give this dL/dx); the gather view correlates the "
     "zero-padded dL/dh with the rotated kernel w[:, ::-1, ::-1, :]; the scatter loop adds the kernel unrotated, "
     "`dx[u:u + KH, v:v + KW, :] += dh[u, v, f] * w[f]`"),
    ("rotated-twice", lambda dh, x, w: question_scatter(dh, x, w, w[:, ::-1, ::-1]), "the kernel is rotated twice"),
    ("rows-only", lambda dh, x, w: question_loops(dh, x, w, w[:, ::-1]), "flipped on one axis only: "
                                                                         "w[:, ::-1, :, :] in the gather view"),
    ("rows-only", lambda dh, x, w: question_scatter(dh, x, w, w[:, :, ::-1]), "w[:, :, ::-1, :] in the scatter loop"),
    ("columns-only", lambda dh, x, w: question_loops(dh, x, w, w[:, :, ::-1]), "flipped on one axis only"),
    ("transposed", lambda dh, x, w: question_loops(dh, x, w, w.swapaxes(1, 2)),
     "the kernel is transposed: w.transpose(0, 2, 1, 3) in the gather view, or "
     "w[:, ::-1, ::-1, :].transpose(0, 2, 1, 3) in the scatter loop"),
    ("rotated-90", lambda dh, x, w: question_loops(dh, x, w, np.rot90(w, axes=(1, 2))), "rotated by 90 degrees"),
    ("rotated-transposed", lambda dh, x, w: question_loops(dh, x, w, w[:, ::-1, ::-1].swapaxes(1, 2)),
     "the kernel is transposed"),
    ("rotated-transposed", lambda dh, x, w: question_scatter(dh, x, w, w.swapaxes(1, 2)), "the kernel is transposed"),
    ("valid", lambda dh, x, w: question_loops(dh, x, w, pad=(0, 0)),
     "dx: this is a valid correlation; dL/dx needs the full one: zero-pad dL/dh by KH - 1 rows and KW - 1 columns "
     "on each side first: np.pad(dh[:, :, f], ((KH - 1, KH - 1), (KW - 1, KW - 1)))"),
    ("pad-amount", lambda dh, x, w: question_loops(dh, x, w, pad=(w.shape[1] - 1,) * 2),
     "zero-padded by 2 rows and 2 columns on each side; it needs KH - 1 = 2 rows and KW - 1 = 1 column"),
    ("pad-amount", lambda dh, x, w: question_loops(dh, x, w, pad=(1, 1)),
     "dx: dL/dh is zero-padded by 1 row and 1 column on each side (KH - 2 and KW - 2, one too few); it needs "
     "KH - 1 = 2"),
    ("pad-amount", lambda dh, x, w: question_loops(dh, x, w, pad=(w.shape[1] - 2, w.shape[2] - 2)), "one too few"),
    ("pad-one-pair", question_one_pair, "np.pad(dh[:, :, f], (KH - 1, KW - 1)) pads every axis"),
    ("only-last-filter", lambda dh, x, w: question_loops(dh, x, w, combine="="), "only the last filter survives"),
    ("only-filter-0", replace(0, lambda dx, dh, x, w: question_loops(dh[:, :, :1], x, w[:1])[0]),
     "only filter 0 is used"),
    ("overwrite", question_scatter_overwriting, "dx: contributions are overwritten"),
    ("flips-filters", lambda dh, x, w: question_loops(dh, x, w, w[::-1, ::-1]), "w[::-1, ::-1] on the 4-D filters"),
    ("flips-every-axis", lambda dh, x, w: question_loops(dh, x, w, np.flip(w)), "np.flip(w) flips every axis"),
    ("channels-mixed", replace(0, lambda dx, dh, x, w: dx.sum(-1, keepdims=True).repeat(x.shape[-1], -1)),
     "the channels are mixed"),
    ("layout", replace(0, lambda dx, dh, x, w: dx.transpose(2, 0, 1)), "dx: wrong layout: (C, H, W) is channels-first"),
    ("dw-layout", replace(1, lambda dw, dh, x, w: dw.transpose(0, 3, 1, 2)), "dw: wrong layout: (F, C, KH, KW)"),
    ("dw-rotated", replace(1, lambda dw, dh, x, w: dw[:, ::-1, ::-1, :]), "dw is rotated"),
    ("dw-same-for-all-filters", replace(1, lambda dw, dh, x, w: dw.sum(0, keepdims=True).repeat(len(dw), 0)),
     "every filter got the same"),
    ("dw-overwrite", replace(1, lambda dw, dh, x, w: question_dw_overwriting(dw, dh, x, w)),
     "dw keeps only the last window"),
    ("dw-mean", replace(1, lambda dw, dh, x, w: dw / (dh.shape[0] * dh.shape[1])), "dw is a mean over the positions"),
    ("db-mean", replace(2, lambda db, dh, x, w: db / (dh.shape[0] * dh.shape[1])),
     "db is the sum of dL/dh over positions, not the mean"),
    ("db-all-filters", replace(2, lambda db, dh, x, w: np.full(len(db), db.sum())), "db[f] sums dL/dh[:, :, f] only"),
]


@mistakes(MISTAKES)
def test_question_names_the_mistake(diagnosis, fn, words):
    assert_named(check_question_backward, diagnosis, fn, words)


def test_question_is_checked_on_the_questions_shapes_and_non_square_ones():
    shapes = [(dh.shape, x.shape, w.shape) for dh, x, w in check_question_backward.cases()]
    assert ((3, 3, 16), (5, 5, 3), (16, 3, 3, 3)) in shapes
    assert any(x[0] != x[1] and w[1] != w[2] and dh[0] != dh[1] for dh, x, w in shapes)
