"""Hypothesis strategies: random convolution problems that are always valid.

Shapes are small (the loop reference is the oracle) but cover what breaks
implementations: non-square images and kernels, batches, single images,
strides 2-3 where the floor drops rows, asymmetric "same" padding, dilation.
"""

from dataclasses import dataclass

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st

from helpers import conv_geometry
from helpers.views.fast import FEW_CHANNELS

DEFAULT_EXAMPLES = 100  # hypothesis's own default max_examples, which the "repeatable" profile keeps


def examples(n):
    """n examples under the default profile, scaled by the loaded profile (10 n under "deep")."""
    return n * settings.default.max_examples // DEFAULT_EXAMPLES


@dataclass
class Case:
    x: np.ndarray  # (H, W, C) or (N, H, W, C)
    w: np.ndarray  # (F, KH, KW, C)
    b: np.ndarray  # (F,)
    dh: np.ndarray  # random upstream gradient, shaped like h
    params: dict  # stride, padding, dilation

    def __repr__(self):
        return f"Case(x{self.x.shape}, w{self.w.shape}, {self.params})"


def _param(draw, low, high):
    """An int or a (rows, cols) pair."""
    if draw(st.booleans()):
        return draw(st.integers(low, high))
    return (draw(st.integers(low, high)), draw(st.integers(low, high)))


def _symmetric(padding):
    """(rows, cols) padding per side, counting "same" as 0 (it always fits)."""
    if isinstance(padding, str):
        return 0, 0
    return (padding, padding) if isinstance(padding, int) else padding


@st.composite
def conv_cases(draw, max_size=9, max_channels=3, max_batch=3):
    batch = draw(st.one_of(st.none(), st.integers(1, max_batch)))
    # Few channels and many: the vectorised path has a layout for each (helpers.views.fast.FEW_CHANNELS).
    C = draw(st.one_of(st.integers(1, max_channels), st.integers(FEW_CHANNELS, FEW_CHANNELS + 2)))
    F = draw(st.integers(1, max_channels))
    KH, KW = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride, dilation = _param(draw, 1, 3), _param(draw, 1, 3)
    padding = draw(st.one_of(st.just("valid"), st.just("same"), st.integers(0, 2),
                             st.tuples(st.integers(0, 2), st.integers(0, 2))))
    d_r, d_c = (dilation, dilation) if isinstance(dilation, int) else dilation
    p_r, p_c = _symmetric(padding)
    # The smallest size the kernel fits in, then a few more so the floor can drop rows.
    H = max(1, (KH - 1) * d_r + 1 - 2 * p_r) + draw(st.integers(0, 4))
    W = max(1, (KW - 1) * d_c + 1 - 2 * p_c) + draw(st.integers(0, 4))
    H, W = min(H, max_size + (KH - 1) * d_r), min(W, max_size + (KW - 1) * d_c)
    params = dict(stride=stride, padding=padding, dilation=dilation)
    x_shape = (H, W, C) if batch is None else (batch, H, W, C)
    geom = conv_geometry(x_shape, (F, KH, KW, C), **params)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return Case(
        x=rng.normal(size=x_shape),
        w=rng.normal(size=(F, KH, KW, C)),
        b=rng.normal(size=F),
        dh=rng.normal(size=geom.out_shape),
        params=params,
    )
