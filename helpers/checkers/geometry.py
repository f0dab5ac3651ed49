"""Checker of notebook 04: dL/dx with stride and padding."""

import numpy as np

from ..formula import correlate2d, dilate
from .core import _check_cases, _rng, diagnose

__all__ = ["check_strided_dx"]


# ---- stride and padding (notebook 04) --------------------------------------------------------

def _strided_dx(dh, w, stride, padding, size, *, dilate_dh=True, extend=True, crop="p:p+H", rotate=True):
    """dL/dx of one channel the way a learner builds it, with each step switchable to a mistake.

    Steps: insert stride - 1 zeros into dh; correlate it, zero-padded, with rot180(w); append
    the rows/cols the floor dropped; crop the padding.  crop is "p:p+H" (right),
    "p:-p", "none" or ":H" (mistakes).
    """
    K = w.shape[0]
    up = dilate(dh, stride) if dilate_dh else dh
    full = correlate2d(np.pad(up, K - 1), w[::-1, ::-1] if rotate else w)
    H, W = size
    if extend:
        full = np.pad(full, ((0, max(H + 2 * padding - full.shape[0], 0)),
                             (0, max(W + 2 * padding - full.shape[1], 0))))
    p = padding
    return {"p:p+H": full[p:p + H, p:p + W], "p:-p": full[p:-p, p:-p], "none": full,
            ":H": full[:H, :W]}[crop]


def check_strided_dx(fn):
    """fn(dh (OH, OW), w (K, K), stride, padding, x_size (H, W)) -> dL/dx (H, W), one channel."""
    rng = _rng()
    cases = []
    for H, W, K, s, p in ((8, 7, 3, 2, 0), (7, 9, 3, 2, 1), (10, 8, 2, 3, 1), (9, 9, 3, 3, 0)):
        OH, OW = (H + 2 * p - K) // s + 1, (W + 2 * p - K) // s + 1
        cases.append((rng.normal(size=(OH, OW)), rng.normal(size=(K, K)), s, p, (H, W)))

    def judge(answer, dh, w, s, p, size):
        mistakes = [
            (_strided_dx(dh, w, s, p, size, dilate_dh=False),
             f"dL/dh was not dilated by the stride: insert stride - 1 zeros (here {s - 1}) between its "
             "entries before correlating with the rotated kernel"),
            (_strided_dx(dh, w, s, p, size, extend=False),
             "off by the rows the floor dropped: the last input rows/columns that no window reads "
             "still belong to dL/dx (with gradient 0); pad the bottom/right to the input's size"),
            (_strided_dx(dh, w, s, p, size, crop="p:-p"),
             "wrong crop: [p:-p] is empty when p = 0; crop the padding with [p:p + H, p:p + W]"),
            (_strided_dx(dh, w, s, p, size, crop="none"), "the padding was not cropped: keep [p:p + H, p:p + W]"),
            (_strided_dx(dh, w, s, p, size, crop=":H"),
             "wrong crop: the padding is on both sides, so keep [p:p + H, p:p + W], not [:H, :W]"),
            (_strided_dx(dh, w, s, p, size, rotate=False),
             "the kernel is not rotated: correlate the zero-padded dL/dh with the rotated kernel w[::-1, ::-1]"),
        ]
        return diagnose("dL/dx", answer, _strided_dx(dh, w, s, p, size), mistakes)
    return _check_cases(fn, cases, judge)
