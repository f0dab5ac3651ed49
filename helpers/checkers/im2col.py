"""Checker of notebook 06: col2im, the += scatter."""

import numpy as np

from .core import _check_cases, _rng, diagnose

__all__ = ["check_col2im"]


# ---- im2col (notebook 06) ---------------------------------------------------------------------

def _col2im_loop(dcols, size, kernel, stride, *, assign=False, window_order="row", tap_order="row"):
    """col2im for one channel as a loop, with the common mistakes switchable.

    window_order "col": row m of dcols taken as window (m % OH, m // OH);
    tap_order "col": each row's KH*KW entries taken in column-major order.
    """
    (H, W), (KH, KW) = size, kernel
    OH, OW = (H - KH) // stride + 1, (W - KW) // stride + 1
    dx = np.zeros((H, W))
    for m, row in enumerate(dcols):
        r, c = divmod(m, OW) if window_order == "row" else (m % OH, m // OH)
        patch = row.reshape(KH, KW) if tap_order == "row" else row.reshape(KW, KH).T
        window = (slice(r * stride, r * stride + KH), slice(c * stride, c * stride + KW))
        if assign:
            dx[window] = patch
        else:
            dx[window] += patch
    return dx


def check_col2im(fn):
    """fn(dcols (OH*OW, KH*KW), x_size (H, W), kernel (KH, KW), stride) -> (H, W), one channel."""
    rng = _rng()
    cases = []
    for H, W, KH, KW, s in ((5, 5, 3, 3, 1), (6, 7, 3, 2, 1), (7, 8, 3, 3, 2)):
        OH, OW = (H - KH) // s + 1, (W - KW) // s + 1
        cases.append((rng.normal(size=(OH * OW, KH * KW)), (H, W), (KH, KW), s))

    def judge(answer, dcols, size, kernel, stride):
        mistakes = [
            (_col2im_loop(dcols, size, kernel, stride, assign=True),
             "windows overwrite each other: col2im must add (+=) each row onto its window, "
             "because windows overlap"),
            (_col2im_loop(dcols, size, kernel, stride, window_order="col"),
             "wrong window order: row m of cols is window (m // OW, m % OW), row-major over outputs"),
            (_col2im_loop(dcols, size, kernel, stride, tap_order="col"),
             "wrong order inside a window: each row holds the taps (i, j) row by row, reshape(KH, KW)"),
        ]
        return diagnose("dx", answer, _col2im_loop(dcols, size, kernel, stride), mistakes)
    return _check_cases(fn, cases, judge)
