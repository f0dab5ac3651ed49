"""check_maxpool_backward (notebook 07): one learner mistake per catalogued diagnosis.

Each mistake is written here as a learner would write it, independently of the checker, and must get
exactly its diagnosis; tests/test_checkers.py checks that MISTAKES covers the checker's catalogue.
"""

import numpy as np
from checker_answers import assert_named, maxpool_layer, mistakes

from helpers.checkers import check_maxpool_backward


def spread(dh, x, scale):
    dx = np.zeros(x.shape)
    dx[:, :dh.shape[1] * 2, :dh.shape[2] * 2] = np.repeat(np.repeat(dh, 2, 1), 2, 2) * scale
    return dx


def to_top_left(dh, x):
    dx = np.zeros(x.shape)
    dx[:, :dh.shape[1] * 2:2, :dh.shape[2] * 2:2] = dh
    return dx


def mask_only(dh, x):
    """1 where each block's maximum is, and 0 elsewhere: dL/dh never multiplied in."""
    dx = np.zeros(x.shape)
    for u in range(x.shape[1] // 2):
        for v in range(x.shape[2] // 2):
            block = x[:, 2 * u:2 * u + 2, 2 * v:2 * v + 2, :]
            dx[:, 2 * u:2 * u + 2, 2 * v:2 * v + 2, :] = block == block.max(axis=(1, 2), keepdims=True)
    return dx


MISTAKES = [  # (diagnosis, a learner's function, words of the message)
    ("average", lambda dh, x: spread(dh, x, 0.25), "spread evenly"),
    ("copy", lambda dh, x: spread(dh, x, 1.0), "copied to all four inputs"),
    ("argmin", lambda dh, x: -maxpool_layer(-dh, -x), "goes to the smallest input"),
    ("top-left", to_top_left, "goes to the top-left input of each block"),
    ("mask-only", mask_only, "dx is the mask alone (1 at each block's maximum, 0 elsewhere): multiply it by dL/dh"),
    ("cropped", lambda dh, x: maxpool_layer(dh, x)[:, :dh.shape[1] * 2, :dh.shape[2] * 2], "dx must have x's shape"),
]


@mistakes(MISTAKES)
def test_maxpool_names_the_mistake(diagnosis, fn, words):
    assert_named(check_maxpool_backward, diagnosis, fn, words)
