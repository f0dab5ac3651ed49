"""check_single_channel_dw (notebook 01): correct answers two ways; one learner mistake per diagnosis.

Each mistake is written here as a learner would write it, independently of the checker, and must get
exactly its diagnosis; tests/test_checkers.py checks that MISTAKES covers the checker's catalogue.
"""

import numpy as np
from checker_answers import assert_named, dw_loop, mistakes

import helpers as H
from helpers.checkers import check_single_channel_dw


def dw_overwriting(x, dh):
    OH, OW = dh.shape
    KH, KW = x.shape[0] - OH + 1, x.shape[1] - OW + 1
    dw = np.zeros((KH, KW))
    for u in range(OH):
        for v in range(OW):
            dw = dh[u, v] * x[u:u + KH, v:v + KW]  # '=' instead of '+='
    return dw


def test_single_channel_dw_accepts_correct_answers():
    assert check_single_channel_dw(lambda x, dh: H.correlate2d(x, dh))
    assert check_single_channel_dw(
        lambda x, dh: H.conv2d_backward(dh[:, :, None], x[:, :, None],
                                        np.zeros((1, x.shape[0] - dh.shape[0] + 1,
                                                  x.shape[1] - dh.shape[1] + 1, 1)))[1][0, :, :, 0])


MISTAKES = [  # (diagnosis, a learner's function, words of the message)
    ("dh-rotated", lambda x, dh: dw_loop(x, dh[::-1, ::-1]), "dL/dh is rotated"),
    ("result-rotated", lambda x, dh: dw_loop(x, dh)[::-1, ::-1], "the result is rotated by 180 degrees"),
    ("overwrite", dw_overwriting, "contributions are overwritten"),
    ("mean", lambda x, dh: dw_loop(x, dh) / dh.size, "dL/dw is a mean over the outputs; it is their sum"),
    ("padded", lambda x, dh: H.correlate2d(np.pad(x, ((dh.shape[0] - 1,) * 2, (dh.shape[1] - 1,) * 2)), dh),
     "x was zero-padded: dL/dw is the valid correlation of x with dL/dh"),
    ("swapped", lambda x, dh: dw_loop(x, dh).T, "rows and columns are swapped"),
]


@mistakes(MISTAKES)
def test_single_channel_dw_names_the_mistake(diagnosis, fn, words):
    assert_named(check_single_channel_dw, diagnosis, fn, words)
