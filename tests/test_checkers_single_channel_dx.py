"""check_single_channel_dx (notebook 01): correct answers four ways; one learner mistake per diagnosis.

Each mistake is written here as a learner would write it, independently of the checker, and must get
exactly its diagnosis; tests/test_checkers.py checks that MISTAKES covers the checker's catalogue.
"""

import numpy as np
import pytest
from checker_answers import assert_named, gather, mistakes, scatter

import helpers as H
from helpers.checkers import check_single_channel_dx


@pytest.mark.parametrize("fn", [
    lambda dh, w: scatter(dh, w),
    lambda dh, w: H.full_convolve2d(dh, w),
    lambda dh, w: H.conv2d_transpose(dh[:, :, None], w[None, :, :, None])[:, :, 0],
    lambda dh, w: H.conv2d_backward(dh[:, :, None], np.zeros((dh.shape[0] + w.shape[0] - 1,
                                                             dh.shape[1] + w.shape[1] - 1, 1)),
                                    w[None, :, :, None])[0][:, :, 0].tolist(),  # a list is fine
], ids=["scatter", "full_convolve2d", "conv2d_transpose", "conv2d_backward as list"])
def test_single_channel_dx_accepts_correct_answers(fn):
    assert check_single_channel_dx(fn)


GATHER_FIX = ("the gather view correlates the zero-padded dL/dh with the rotated kernel w[::-1, ::-1]; the scatter "
              "loop adds the kernel unrotated, `dx[u:u + KH, v:v + KW] += dh[u, v] * w`")


MISTAKES = [  # (diagnosis, a learner's function, words of the message)
    ("rotated-twice", lambda dh, w: gather(dh, w),  # the gather view, unrotated
     "dL/dx: the kernel is rotated twice, or not at all (both give this dL/dx); " + GATHER_FIX),
    ("rotated-twice", lambda dh, w: scatter(dh, w[::-1, ::-1]), "the kernel is rotated twice, or not at all"),
    ("rotated-twice", lambda dh, w: H.full_convolve2d(dh, np.rot90(w, 2)), "the kernel is rotated twice"),
    ("rows-only", lambda dh, w: gather(dh, w[::-1, :]),
     "the kernel is flipped on one axis only: w[::-1, :] in the gather view, or w[:, ::-1] in the scatter loop; "
     + GATHER_FIX),
    ("rows-only", lambda dh, w: scatter(dh, w[:, ::-1]), "flipped on one axis only: w[::-1, :] in the gather view"),
    ("columns-only", lambda dh, w: gather(dh, w[:, ::-1]), "flipped on one axis only: w[:, ::-1] in the gather view, "
                                                           "or w[::-1, :] in the scatter loop"),
    ("columns-only", lambda dh, w: scatter(dh, w[::-1]), "flipped on one axis only: w[:, ::-1] in the gather view"),
    ("transposed", lambda dh, w: gather(dh, w.T), "the kernel is transposed: w.T in the gather view, or "
                                                  "w[::-1, ::-1].T in the scatter loop"),
    ("transposed", lambda dh, w: scatter(dh, np.rot90(w, 2).T), "the kernel is transposed: w.T in the gather view"),
    ("rotated-90", lambda dh, w: gather(dh, np.rot90(w)), "rotated by 90 degrees (np.rot90); " + GATHER_FIX),
    ("rotated-90", lambda dh, w: scatter(dh, np.rot90(w, -1)), "rotated by 90 degrees"),
    ("rotated-transposed", lambda dh, w: gather(dh, w[::-1, ::-1].T), "the kernel is transposed: w[::-1, ::-1].T in "
                                                                      "the gather view, or w.T in the scatter loop"),
    ("rotated-transposed", lambda dh, w: scatter(dh, w.T), "w[::-1, ::-1].T in the gather view, or w.T in the "
                                                           "scatter loop"),
    ("valid", lambda dh, w: H.correlate2d(dh, w[::-1, ::-1]),
     "this is a valid correlation; dL/dx needs the full one: zero-pad dL/dh by KH - 1 rows and KW - 1 columns"),
    ("pad-amount", lambda dh, w: H.correlate2d(np.pad(dh, w.shape[0] - 1), w[::-1, ::-1]),
     "dL/dh is zero-padded by 2 rows and 2 columns on each side; it needs KH - 1 = 2 rows and KW - 1 = 1 column"),
    ("pad-amount", lambda dh, w: H.correlate2d(np.pad(dh, 1), w[::-1, ::-1]), "zero-padded by 1 row and 1 column"),
    ("pad-amount", lambda dh, w: gather(dh, w[::-1, ::-1], pad=w.shape),
     "dL/dh is zero-padded by 3 rows and 2 columns on each side (KH and KW, one too many); it needs KH - 1 = 2 rows"),
    ("pad-amount", lambda dh, w: gather(dh, w[::-1, ::-1], pad=(w.shape[0] - 2, w.shape[1] - 2)),
     "zero-padded by 1 row and 0 columns on each side (KH - 2 and KW - 2, one too few)"),
    ("pad-one-pair", lambda dh, w: H.correlate2d(np.pad(dh, (w.shape[0] - 1, w.shape[1] - 1)), w[::-1, ::-1]),
     "dL/dx: np.pad(dh, (KH - 1, KW - 1)) pads every axis by KH - 1 before and KW - 1 after; give one pair per axis: "
     "np.pad(dh, ((KH - 1, KH - 1), (KW - 1, KW - 1)))"),
    ("overwrite", lambda dh, w: scatter(dh, w, "="), "contributions are overwritten: use += (not =)"),
    ("swapped", lambda dh, w: H.full_convolve2d(dh, w).T, "rows and columns are swapped"),
]


@mistakes(MISTAKES)
def test_single_channel_dx_names_the_mistake(diagnosis, fn, words):
    assert_named(check_single_channel_dx, diagnosis, fn, words)


def test_catalogue_lists_the_messages():
    catalogue = check_single_channel_dx.catalogue()
    assert catalogue["rotated-twice"] == "dL/dx: the kernel is rotated twice, or not at all (both give this dL/dx); " \
        + GATHER_FIX
