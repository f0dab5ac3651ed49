"""Checkers of notebooks 01-03: one channel, several channels, many filters (the question)."""

import numpy as np

from ..formula import correlate2d, full_convolve2d
from .core import ROTATION_MISTAKES_2D, CheckResult, _check_cases, _full_correlate, _rng, diagnose

__all__ = ["check_single_channel_dx", "check_single_channel_dw", "check_multi_channel_dx",
           "check_question_backward"]


# ---- single channel (notebook 01) ------------------------------------------------------------

def _scatter_overwrite(dh, w, H, W):
    """dL/dx by the scatter loop with '=' instead of '+=': the last write wins."""
    dx = np.zeros((H, W))
    KH, KW = w.shape
    for r in range(dh.shape[0]):
        for c in range(dh.shape[1]):
            dx[r:r + KH, c:c + KW] = dh[r, c] * w
    return dx


def _single_channel_dx_mistakes(dh, w):
    H, W = dh.shape[0] + w.shape[0] - 1, dh.shape[1] + w.shape[1] - 1
    mistakes = [(_full_correlate(dh, wrong(w)), msg) for wrong, msg in ROTATION_MISTAKES_2D]
    mistakes.append((_scatter_overwrite(dh, w, H, W),
                     "contributions are overwritten: use += (not =) when each output adds "
                     "dL/dh * w onto its window; overlapping windows must add up"))
    if dh.shape[0] >= w.shape[0] and dh.shape[1] >= w.shape[1]:  # a valid correlation exists
        mistakes.append((correlate2d(dh, w[::-1, ::-1]),
                         "this is a valid convolution; dL/dx needs the *full* one: pad dL/dh by "
                         "K - 1 zeros on every side first"))
    return mistakes


def _single_channel_cases():
    rng = _rng()
    return [(rng.normal(size=(oh, ow)), rng.normal(size=(k, k)))
            for oh, ow, k in ((3, 4, 3), (4, 2, 2), (5, 6, 3))]


def check_single_channel_dx(fn):
    """fn(dh (OH, OW), w (KH, KW)) -> dL/dx (OH + KH - 1, OW + KW - 1), stride 1, no padding."""
    def judge(answer, dh, w):
        return diagnose("dL/dx", answer, full_convolve2d(dh, w), _single_channel_dx_mistakes(dh, w),
                        layouts=[((1, 0), "rows and columns are swapped (you returned dL/dx.T)")])
    return _check_cases(fn, _single_channel_cases(), judge)


def check_single_channel_dw(fn):
    """fn(x (H, W), dh (OH, OW)) -> dL/dw (H - OH + 1, W - OW + 1), stride 1, no padding."""
    rng = _rng()
    cases = [(rng.normal(size=(h, w)), rng.normal(size=(oh, ow)))
             for h, w, oh, ow in ((5, 6, 3, 4), (4, 4, 3, 2), (7, 5, 5, 3))]

    def judge(answer, x, dh):
        KH, KW = x.shape[0] - dh.shape[0] + 1, x.shape[1] - dh.shape[1] + 1
        overwrite = np.array([[x[dh.shape[0] - 1 + i, dh.shape[1] - 1 + j] * dh[-1, -1]
                               for j in range(KW)] for i in range(KH)])
        mistakes = [
            (correlate2d(x, dh[::-1, ::-1]), "dL/dh is rotated: dL/dw is a plain correlation "
                                             "of x with dL/dh, no flip"),
            (correlate2d(x, dh)[::-1, ::-1], "the result is rotated by 180 degrees: dL/dw[i, j] = "
                                             "sum over outputs of dL/dh[u, v] * x[u + i, v + j]"),
            (overwrite, "contributions are overwritten: use += (not =); every output adds to every weight"),
        ]
        return diagnose("dL/dw", answer, correlate2d(x, dh), mistakes,
                        layouts=[((1, 0), "rows and columns are swapped (you returned dL/dw.T)")])
    return _check_cases(fn, cases, judge)


# ---- several channels, one filter (notebook 02) ----------------------------------------------

def check_multi_channel_dx(fn):
    """fn(dh (OH, OW), w (KH, KW, C)) -> dL/dx (OH + KH - 1, OW + KW - 1, C), one filter."""
    rng = _rng()
    cases = [(rng.normal(size=(oh, ow)), rng.normal(size=(k, k, c)))
             for oh, ow, k, c in ((3, 4, 3, 3), (4, 2, 2, 2), (2, 5, 3, 4))]

    def per_channel(dh, w, kernel):
        return np.stack([_full_correlate(dh, kernel(w[:, :, c])) for c in range(w.shape[-1])], axis=-1)

    def judge(answer, dh, w):
        expected = per_channel(dh, w, lambda k: k[::-1, ::-1])
        mistakes = [(per_channel(dh, w, wrong), msg) for wrong, msg in ROTATION_MISTAKES_2D]
        mistakes += [
            (np.repeat(expected.sum(axis=-1, keepdims=True), w.shape[-1], axis=-1),
             "the channels are mixed: dL/dx[:, :, c] uses only w[:, :, c], not the sum over channels"),
            (expected[:, :, ::-1], "the channel axis is reversed too (np.flip(w) flips every axis); "
                                   "rotate only the two kernel axes: w[::-1, ::-1, :]"),
        ]
        return diagnose("dL/dx", answer, expected, mistakes,
                        layouts=[((1, 2, 0), "wrong layout: you returned (C, H, W), channels first; "
                                             "this series is channels-last (H, W, C)")])
    return _check_cases(fn, cases, judge)


# ---- many filters: the question (notebook 03) ------------------------------------------------

def _dx_gather(dh, k):
    """sum over f of correlate(pad(dh[..., f]), k[f, :, :, c]): (H, W, C).

    With k = w[:, ::-1, ::-1, :] this is dL/dx; with any other k, it is what a
    learner gets who correlated with k where the rotated kernel belongs.
    """
    return np.stack([
        sum(_full_correlate(dh[:, :, f], k[f, :, :, c]) for f in range(k.shape[0]))
        for c in range(k.shape[-1])
    ], axis=-1)


def _question_dx_mistakes(dh, w):
    dx = _dx_gather(dh, w[:, ::-1, ::-1, :])
    single = [_dx_gather(dh[:, :, [f]], w[[f], ::-1, ::-1, :]) for f in (0, w.shape[0] - 1)]
    return [
        (single[0], "only filter 0 is used: dL/dx is the *sum* over all filters of their shares"),
        (single[1], "only the last filter survives: use += over the filters (each one's share "
                    "adds to dL/dx), not ="),
        (_dx_gather(dh, w), "the kernel is not rotated: use w[:, ::-1, ::-1, :]"),
        (_dx_gather(dh, w[::-1, ::-1]), "w[::-1, ::-1] on the 4-D filters flips the filter axis and "
                                        "the rows; rotate the two kernel axes: w[:, ::-1, ::-1, :]"),
        (_dx_gather(dh, np.flip(w)), "np.flip(w) flips every axis, filters and channels too; "
                                     "rotate only the kernel axes: w[:, ::-1, ::-1, :]"),
        (_dx_gather(dh, w.swapaxes(1, 2)), "the kernel is transposed, not rotated: use w[:, ::-1, ::-1, :]"),
        (np.repeat(dx.sum(axis=-1, keepdims=True), w.shape[-1], axis=-1),
         "the channels are mixed: channel c of dL/dx uses only channel c of each filter"),
    ]


def check_question_backward(fn):
    """fn(dh (OH, OW, F), x (H, W, C), w (F, KH, KW, C)) -> (dx, dw, db), stride 1, no padding."""
    rng = _rng()
    cases = [(rng.normal(size=(oh, ow, f)), rng.normal(size=(h, wd, c)), rng.normal(size=(f, k, k, c)))
             for h, wd, c, f, k in ((5, 5, 3, 16, 3), (6, 7, 2, 4, 3), (4, 6, 3, 5, 2))
             for oh, ow in [(h - k + 1, wd - k + 1)]]

    def judge(answer, dh, x, w):
        if not (isinstance(answer, (tuple, list)) and len(answer) == 3):
            return CheckResult(False, "return the three gradients as a tuple (dx, dw, db)")
        dx, dw, db = answer
        F, KH, KW, C = w.shape
        dw_expected = np.stack([
            np.stack([correlate2d(x[:, :, c], dh[:, :, f]) for c in range(C)], axis=-1) for f in range(F)
        ])
        checks = [
            diagnose("dx", dx, _dx_gather(dh, w[:, ::-1, ::-1, :]), _question_dx_mistakes(dh, w),
                     layouts=[((1, 2, 0), "wrong layout: (C, H, W) is channels-first; return (H, W, C)")]),
            diagnose("dw", dw, dw_expected, [
                (dw_expected[:, ::-1, ::-1, :], "dw is rotated: dL/dw is a plain correlation of x "
                                                "with dL/dh, no flip"),
                (np.repeat(dw_expected.sum(axis=0, keepdims=True), F, axis=0),
                 "every filter got the same gradient: dw[f] uses only dL/dh[:, :, f]"),
            ], layouts=[((0, 2, 3, 1), "wrong layout: (F, C, KH, KW) is PyTorch's; "
                                       "this series uses (F, KH, KW, C)")]),
            diagnose("db", db, dh.sum(axis=(0, 1)), [
                (dh.mean(axis=(0, 1)), "db is the sum of dL/dh over positions, not the mean"),
                (np.full(F, dh.sum()), "db[f] sums dL/dh[:, :, f] only, not every filter's"),
            ]),
        ]
        failed = [c for c in checks if not c]
        return failed[0] if failed else CheckResult(True, "")
    return _check_cases(fn, cases, judge)
