"""check_multi_channel_dx (notebook 02): correct answers two ways; one learner mistake per diagnosis.

Each mistake is written here as a learner would write it, independently of the checker, and must get
exactly its diagnosis; tests/test_checkers.py checks that MISTAKES covers the checker's catalogue.
"""

import numpy as np
from checker_answers import assert_named, gather_multi, mistakes, scatter

import helpers as H
from helpers.checkers import check_multi_channel_dx


def test_multi_channel_dx_accepts_correct_answers():
    assert check_multi_channel_dx(lambda dh, w: H.conv2d_transpose(dh[:, :, None], w[None]))
    assert check_multi_channel_dx(lambda dh, w: np.stack([H.full_convolve2d(dh, w[:, :, c])
                                                          for c in range(w.shape[-1])], axis=-1))


def multi_scatter(dh, k):
    return np.stack([scatter(dh, k[:, :, c]) for c in range(k.shape[-1])], axis=-1)


def multi_scatter_overwriting(dh, w):
    return np.stack([scatter(dh, w[:, :, c], "=") for c in range(w.shape[-1])], axis=-1)


MISTAKES = [  # (diagnosis, a learner's function, words of the message)
    ("rotated-twice", lambda dh, w: gather_multi(dh, w),
     "dL/dx: the kernel is rotated twice, or not at all (both give this dL/dx); the gather view correlates the "
     "zero-padded dL/dh with the rotated kernel w[::-1, ::-1, :]; the scatter loop adds the kernel unrotated, "
     "`dx[u:u + KH, v:v + KW, :] += dh[u, v] * w`"),
    ("rotated-twice", lambda dh, w: multi_scatter(dh, w[::-1, ::-1]), "the kernel is rotated twice"),
    ("rows-only", lambda dh, w: gather_multi(dh, w[::-1]), "flipped on one axis only: w[::-1, :, :] in the gather "
                                                           "view, or w[:, ::-1, :] in the scatter loop"),
    ("columns-only", lambda dh, w: gather_multi(dh, w[:, ::-1]), "flipped on one axis only: w[:, ::-1, :] in the "
                                                                 "gather view"),
    ("columns-only", lambda dh, w: multi_scatter(dh, w[::-1]), "w[:, ::-1, :] in the gather view, or "
                                                               "w[::-1, :, :] in the scatter loop"),
    ("transposed", lambda dh, w: gather_multi(dh, w.transpose(1, 0, 2)), "the kernel is transposed: "
                                                                         "w.transpose(1, 0, 2) in the gather view"),
    ("rotated-90", lambda dh, w: gather_multi(dh, np.rot90(w, -1)), "rotated by 90 degrees"),
    ("rotated-transposed", lambda dh, w: gather_multi(dh, w[::-1, ::-1].transpose(1, 0, 2)),
     "the kernel is transposed: w[::-1, ::-1, :].transpose(1, 0, 2) in the gather view, or w.transpose(1, 0, 2) "
     "in the scatter loop"),
    ("rotated-transposed", lambda dh, w: multi_scatter(dh, w.transpose(1, 0, 2)), "the kernel is transposed"),
    ("valid", lambda dh, w: gather_multi(dh, w[::-1, ::-1], pad=(0, 0)), "this is a valid correlation"),
    ("pad-amount", lambda dh, w: gather_multi(dh, w[::-1, ::-1], pad=(w.shape[1] - 1,) * 2),
     "zero-padded by 1 row and 1 column"),
    ("pad-amount", lambda dh, w: gather_multi(dh, w[::-1, ::-1], pad=(1, 1)), "zero-padded by 1 row and 1 column"),
    ("pad-amount", lambda dh, w: gather_multi(dh, w[::-1, ::-1], pad=w.shape[:2]), "one too many"),
    ("pad-one-pair", lambda dh, w: np.stack([H.correlate2d(np.pad(dh, (w.shape[0] - 1, w.shape[1] - 1)),
                                                           w[::-1, ::-1, c]) for c in range(w.shape[2])], axis=-1),
     "np.pad(dh, (KH - 1, KW - 1)) pads every axis by KH - 1 before and KW - 1 after"),
    ("overwrite", multi_scatter_overwriting, "contributions are overwritten"),
    ("channels-mixed", lambda dh, w: gather_multi(dh, w[::-1, ::-1]).sum(-1, keepdims=True).repeat(w.shape[-1], -1),
     "the channels are mixed"),
    ("flips-channels", lambda dh, w: gather_multi(dh, np.flip(w)), "the channel axis is reversed too"),
    ("layout", lambda dh, w: gather_multi(dh, w[::-1, ::-1]).transpose(2, 0, 1), "you returned (C, H, W)"),
]


@mistakes(MISTAKES)
def test_multi_channel_dx_names_the_mistake(diagnosis, fn, words):
    assert_named(check_multi_channel_dx, diagnosis, fn, words)


def test_the_padding_amounts_are_named():
    """The message says what the learner padded by and what is needed, row and column."""
    result = check_multi_channel_dx(lambda dh, w: gather_multi(dh, w[::-1, ::-1], pad=(w.shape[0] - 1,) * 2))
    assert result.message == ("dL/dx: dL/dh is zero-padded by 2 rows and 2 columns on each side; it needs KH - 1 = "
                              "2 rows and KW - 1 = 1 column: np.pad(dh, ((KH - 1, KH - 1), (KW - 1, KW - 1)))")
