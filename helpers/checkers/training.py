"""Checker of notebook 07: the max-pool backward pass."""

import numpy as np

from ..layers import pool_blocks, unpool_blocks
from .core import _check_cases, _rng, diagnose

__all__ = ["check_maxpool_backward"]


# ---- max-pool backward (notebook 07) ------------------------------------------------------------

def _pool_backward(dh, x, rule):
    blocks = pool_blocks(x)
    routed = np.zeros(blocks.shape)
    if rule in ("argmax", "argmin"):
        pick = blocks.argmax(-1) if rule == "argmax" else blocks.argmin(-1)
        np.put_along_axis(routed, pick[..., None], dh[..., None], axis=-1)
    else:  # "average" spreads dh / 4, "copy" gives dh to all four
        routed[...] = dh[..., None] / (4 if rule == "average" else 1)
    return unpool_blocks(routed, x.shape)


def check_maxpool_backward(fn):
    """fn(dh (N, H//2, W//2, C), x (N, H, W, C)) -> dL/dx (N, H, W, C) for 2 x 2 max-pooling."""
    rng = _rng()
    cases = [(rng.normal(size=(n, h // 2, w // 2, c)), rng.normal(size=(n, h, w, c)))
             for n, h, w, c in ((2, 4, 4, 3), (1, 6, 4, 2), (2, 5, 7, 2))]

    def judge(answer, dh, x):
        expected = _pool_backward(dh, x, "argmax")
        H2, W2 = x.shape[1] // 2 * 2, x.shape[2] // 2 * 2
        mistakes = [
            (_pool_backward(dh, x, "average"), "the gradient is spread evenly (that is average "
                                               "pooling); max-pooling sends it all to the max"),
            (_pool_backward(dh, x, "copy"), "the gradient is copied to all four inputs; only the "
                                            "max of each block gets it, the others get 0"),
            (_pool_backward(dh, x, "argmin"), "the gradient goes to the smallest input of each block, "
                                              "not the largest"),
            (expected[:, :H2, :W2], "dx must have x's shape: the odd last row/column the pool "
                                    "dropped gets zero gradient"),
        ]
        return diagnose("dx", answer, expected, mistakes)
    return _check_cases(fn, cases, judge)
