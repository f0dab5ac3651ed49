"""Checker of notebook 07: the max-pool backward pass."""

import numpy as np

from ..layers import pool_blocks, unpool_blocks
from .cases import seeded_rng
from .diagnosis import diagnose
from .running import checker

__all__ = ["check_maxpool_backward"]


# ---- max-pool backward (notebook 07) ------------------------------------------------------------

def _pool_backward(dh, x, rule):
    """dL/dx routed by rule: "argmax" (right), "argmin", "first" (top-left), "average" or "copy"."""
    blocks = pool_blocks(x)
    routed = np.zeros(blocks.shape)
    if rule in ("argmax", "argmin", "first"):
        pick = {"argmax": blocks.argmax(-1), "argmin": blocks.argmin(-1), "first": np.zeros(dh.shape, int)}[rule]
        np.put_along_axis(routed, pick[..., None], dh[..., None], axis=-1)
    else:  # "average" spreads dh / 4, "copy" gives dh to all four
        routed[...] = dh[..., None] / (4 if rule == "average" else 1)
    return unpool_blocks(routed, x.shape)


def _no_ties(rng, shape):
    """Distinct integers in random order: every 2 x 2 block has one maximum."""
    return rng.permutation(int(np.prod(shape))).reshape(shape) - int(np.prod(shape)) // 2


def _maxpool_cases():
    """(dh, x): non-square, odd sizes (the pool drops a row or column), integers without ties."""
    rng = seeded_rng()
    cases = [(rng.normal(size=(n, h // 2, w // 2, c)), rng.normal(size=(n, h, w, c)))
             for n, h, w, c in ((2, 4, 6, 3), (1, 6, 4, 2), (2, 5, 7, 2))]
    cases.append((rng.integers(-3, 4, size=(2, 3, 2, 2)), _no_ties(rng, (2, 6, 5, 2))))
    return cases


@checker(cases=_maxpool_cases, names=("dh", "x"))
def check_maxpool_backward(answer, dh, x):
    """fn(dh (N, H//2, W//2, C), x (N, H, W, C)) -> dL/dx (N, H, W, C) for 2 x 2 max-pooling."""
    expected = _pool_backward(dh, x, "argmax")
    H2, W2 = x.shape[1] // 2 * 2, x.shape[2] // 2 * 2
    mistakes = [
        ("average", lambda: _pool_backward(dh, x, "average"),
         "the gradient is spread evenly (that is average pooling); max-pooling sends it all to the max"),
        ("copy", lambda: _pool_backward(dh, x, "copy"),
         "the gradient is copied to all four inputs; only the max of each block gets it, the others get 0"),
        ("argmin", lambda: _pool_backward(dh, x, "argmin"),
         "the gradient goes to the smallest input of each block, not the largest: block.argmax()"),
        ("top-left", lambda: _pool_backward(dh, x, "first"),
         "the gradient goes to the top-left input of each block; it belongs to the block's maximum, "
         "wherever it is: block.argmax()"),
        ("mask-only", lambda: _pool_backward(np.ones(dh.shape), x, "argmax"),
         "dx is the mask alone (1 at each block's maximum, 0 elsewhere): multiply it by dL/dh, so that the "
         "maximum gets its block's gradient, dx[n, 2*u + i, 2*v + j, c] = dh[n, u, v, c]"),
        ("cropped", expected[:, :H2, :W2], "dx must have x's shape: the odd last row/column the pool "
                                           "dropped gets zero gradient"),
    ]
    return diagnose("dx", answer, expected, mistakes)
