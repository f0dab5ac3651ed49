"""Checker of notebook 05: the convolution matrix C."""

import numpy as np

from .. import output_size
from .cases import integers, seeded_rng
from .diagnosis import diagnose
from .running import checker

__all__ = ["check_conv_matrix"]


# ---- convolution as a matrix (notebook 05) ---------------------------------------------------

def _built(size, w, *, row=None, column=None, kernel=None):
    """C as a learner's loop builds it: C[row(u, v), column(y, z)] = kernel(w)[i, j] for pixel (y, z) = (u + i, v + j).

    row, column: the index functions (default row-major, u * OW + v and y * W + z).
    Raises ValueError when they leave the matrix: the learner's loop raises IndexError there,
    so no answer comes from that mistake (diagnose skips it).
    """
    (H, W), k = size, (w if kernel is None else kernel(w))
    KH, KW = k.shape
    OH, OW = output_size(H, KH), output_size(W, KW)
    row = row or (lambda u, v: u * OW + v)
    column = column or (lambda y, z: y * W + z)
    C = np.zeros((OH * OW, H * W))
    for u in range(OH):
        for v in range(OW):
            for i in range(KH):
                for j in range(KW):
                    r, c = row(u, v), column(u + i, v + j)
                    if not (0 <= r < C.shape[0] and 0 <= c < C.shape[1]):
                        raise ValueError(f"index {(r, c)} outside C {C.shape}")
                    C[r, c] = k[i, j]
    return C


def _matrix_cases():
    """(x_size, w): non-square, notebook 05's 4 x 4 image with a 3 x 3 kernel, integers."""
    rng = seeded_rng()
    cases = [((H, W), rng.normal(size=(KH, KW))) for H, W, KH, KW in ((5, 7, 3, 2), (6, 4, 2, 3), (4, 4, 3, 3))]
    cases.append(((5, 6), integers(rng, (3, 2))))
    return cases


@checker(cases=_matrix_cases, names=("x_size", "w"))
def check_conv_matrix(answer, size, w):
    """fn(x_size (H, W), w (KH, KW)) -> C (OH*OW, H*W) with h.ravel() == C @ x.ravel()."""
    H, OH = size[0], output_size(size[0], w.shape[0])
    C = _built(size, w)
    mistakes = [
        ("transposed", C.T, "you built the transpose: C has one row per output and one column per input pixel"),
        ("rotated", lambda: _built(size, w, kernel=lambda k: k[::-1, ::-1]),
         "the kernel is rotated: the forward pass is a correlation, so each row of C holds w as it is; the "
         "backward pass adds no flip of its own either: the columns of C, which are the rows of Cᵀ, already "
         "read the kernel backwards"),
        ("column-major", lambda: _built(size, w, row=lambda u, v: v * OH + u, column=lambda y, z: z * H + y),
         "rows and columns are in column-major order; number outputs and pixels row by row, "
         "as h.ravel() and x.ravel() do: C[u * OW + v, y * W + z]"),
        ("column-major-columns", lambda: _built(size, w, column=lambda y, z: z * H + y),
         "the columns are in column-major order; pixel (y, z) is column y * W + z"),
        ("column-major-rows", lambda: _built(size, w, row=lambda u, v: v * OH + u),
         "the rows are in column-major order; output (u, v) is row u * OW + v"),
        ("pixel-index-H", lambda: _built(size, w, column=lambda y, z: y * H + z),
         "pixel (y, z) is column y * W + z, with W the number of columns of x, not y * H + z"),
        ("output-index-OH", lambda: _built(size, w, row=lambda u, v: u * OH + v),
         "output (u, v) is row u * OW + v, with OW the number of columns of h, not u * OH + v"),
    ]
    return diagnose("C", answer, C, mistakes)
