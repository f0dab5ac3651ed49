"""Checker of notebook 05: the convolution matrix C."""

import numpy as np

from ..matrix import conv_matrix
from .core import _check_cases, _rng, diagnose

__all__ = ["check_conv_matrix"]


# ---- convolution as a matrix (notebook 05) ---------------------------------------------------

def _column_major(C, in_shape, out_shape):
    """C with rows and columns re-ordered as if h and x were raveled column by column."""
    rows = np.arange(np.prod(out_shape)).reshape(out_shape).ravel(order="F")
    cols = np.arange(np.prod(in_shape)).reshape(in_shape).ravel(order="F")
    return C[np.ix_(rows, cols)], C[rows], C[:, cols]


def check_conv_matrix(fn):
    """fn(x_size (H, W), w (KH, KW)) -> C (OH*OW, H*W) with h.ravel() == C @ x.ravel()."""
    rng = _rng()
    cases = [((H, W), rng.normal(size=(KH, KW))) for H, W, KH, KW in ((4, 4, 3, 3), (5, 6, 2, 3), (6, 4, 3, 2))]

    def judge(answer, size, w):
        C = conv_matrix((*size, 1), w[None, :, :, None])
        out = (size[0] - w.shape[0] + 1, size[1] - w.shape[1] + 1)
        both, rows, cols = _column_major(C, size, out)
        mistakes = [
            (C.T, "you built the transpose: C has one row per output and one column per input pixel"),
            (conv_matrix((*size, 1), w[None, ::-1, ::-1, None]),
             "the kernel is rotated: the forward pass is a correlation, so C holds w as it is "
             "(the flip belongs to the backward pass, Cᵀ)"),
            (both, "rows and columns are in column-major order; number outputs and pixels row by row, "
                   "as h.ravel() and x.ravel() do"),
            (cols, "the columns are in column-major order; pixel (y, z) is column y * W + z"),
            (rows, "the rows are in column-major order; output (u, v) is row u * OW + v"),
        ]
        return diagnose("C", answer, C, mistakes)
    return _check_cases(fn, cases, judge)
