"""Checkers of notebooks 01-03: one channel, several channels, many filters (the question).

dL/dx is built plane by plane: each mistake of the single-channel gather
(a wrong kernel in place of the rotated one, a wrong amount of zero-padding)
is a function of one dL/dh plane and one kernel plane, which the multi-channel
checker stacks over channels and the question's checker also sums over filters.
"""

import numpy as np

from .. import correlate2d, output_size
from .cases import Views, both_sides, full_correlate, integers, padding_mistakes, rotation_mistakes, seeded_rng
from .diagnosis import diagnose
from .result import all_of
from .running import checker

__all__ = ["check_single_channel_dx", "check_single_channel_dw", "check_multi_channel_dx",
           "check_question_backward"]

OVERWRITE_DX = ("contributions are overwritten: use += (not =) when each output adds dL/dh * w onto its window "
                "(`dx[u:u + KH, v:v + KW] += dh[u, v] * w`); overlapping windows must add up")


SINGLE = Views("w[{}, {}]", ".T", "dx[u:u + KH, v:v + KW] += dh[u, v] * w")
MULTI = Views("w[{}, {}, :]", ".transpose(1, 0, 2)", "dx[u:u + KH, v:v + KW, :] += dh[u, v] * w")
QUESTION = Views("w[:, {}, {}, :]", ".transpose(0, 2, 1, 3)", "dx[u:u + KH, v:v + KW, :] += dh[u, v, f] * w[f]")


def _plane_mistakes(KH, KW, views, padded="dh"):
    """(key, plane(dh, k) -> the one-plane dL/dx the mistake gives with kernel plane k, message).

    views: the setting's code for the messages;  padded: the zero-padded plane of dL/dh as code.
    """
    mistakes = []
    for key, wrong, message in rotation_mistakes(views):
        mistakes.append((key, lambda dh, k, wrong=wrong: full_correlate(dh, wrong(k)), message))
        # a learner who pads by the kernel's own (KH - 1, KW - 1) and then uses a transposed kernel
        mistakes.append((key, lambda dh, k, wrong=wrong: full_correlate(dh, wrong(k), both_sides(KH - 1, KW - 1)),
                         message))
    for key, pad, message in padding_mistakes(KH, KW, f"np.pad({padded}, ((KH - 1, KH - 1), (KW - 1, KW - 1)))",
                                               padded):
        mistakes.append((key, lambda dh, k, pad=pad: full_correlate(dh, k[::-1, ::-1], pad), message))
    return mistakes


def _scatter_overwrite(dh, k):
    """dL/dx of one plane by the scatter loop with '=' instead of '+=': the last write wins."""
    KH, KW = k.shape
    dx = np.zeros((dh.shape[0] + KH - 1, dh.shape[1] + KW - 1))
    for u in range(dh.shape[0]):
        for v in range(dh.shape[1]):
            dx[u:u + KH, v:v + KW] = dh[u, v] * k
    return dx


def _stack_channels(plane, C):
    """np.stack([plane(c) for each channel c], axis=-1)."""
    return np.stack([plane(c) for c in range(C)], axis=-1)


# ---- single channel (notebook 01) ------------------------------------------------------------

def _single_channel_dx_cases():
    """(dh, w): non-square random problems, the question's one plane, an integer one where KH > OH."""
    rng = seeded_rng()
    cases = [(rng.normal(size=(oh, ow)), rng.normal(size=(kh, kw))) for oh, ow, kh, kw in ((4, 6, 3, 2), (5, 3, 2, 3))]
    cases.append((rng.normal(size=(3, 3)), rng.normal(size=(3, 3))))
    cases.append((integers(rng, (2, 3)), integers(rng, (3, 4))))
    return cases


@checker(cases=_single_channel_dx_cases, names=("dh", "w"))
def check_single_channel_dx(answer, dh, w):
    """fn(dh (OH, OW), w (KH, KW)) -> dL/dx (OH + KH - 1, OW + KW - 1), stride 1, no padding."""
    KH, KW = w.shape
    mistakes = [(key, lambda plane=plane: plane(dh, w), message) for key, plane, message
                in _plane_mistakes(KH, KW, SINGLE)]
    mistakes.append(("overwrite", lambda: _scatter_overwrite(dh, w), OVERWRITE_DX))
    return diagnose("dL/dx", answer, full_correlate(dh, w[::-1, ::-1]), mistakes,
                    layouts=[("swapped", (1, 0), "rows and columns are swapped (you returned dL/dx.T)")])


def _single_channel_dw_cases():
    """(x, dh): non-square random problems, the question's one plane, integers."""
    rng = seeded_rng()
    cases = [(rng.normal(size=(h, w)), rng.normal(size=(oh, ow))) for h, w, oh, ow in ((5, 6, 3, 5), (6, 5, 4, 2))]
    cases.append((rng.normal(size=(5, 5)), rng.normal(size=(3, 3))))
    cases.append((integers(rng, (4, 6)), integers(rng, (3, 4))))
    return cases


@checker(cases=_single_channel_dw_cases, names=("x", "dh"))
def check_single_channel_dw(answer, x, dh):
    """fn(x (H, W), dh (OH, OW)) -> dL/dw (H - OH + 1, W - OW + 1), stride 1, no padding."""
    (OH, OW), dw = dh.shape, correlate2d(x, dh)
    KH, KW = dw.shape

    def overwrite():  # '=' instead of '+=': the last output's contribution is all that is left
        return dh[-1, -1] * x[OH - 1:OH - 1 + KH, OW - 1:OW - 1 + KW]

    mistakes = [
        ("dh-rotated", lambda: correlate2d(x, dh[::-1, ::-1]),
         "dL/dh is rotated: dL/dw is a plain correlation of x with dL/dh, no flip: correlate2d(x, dh)"),
        ("result-rotated", dw[::-1, ::-1], "the result is rotated by 180 degrees: dL/dw[i, j] = sum over "
                                           "outputs of dL/dh[u, v] * x[u + i, v + j], no flip"),
        ("overwrite", overwrite, "contributions are overwritten: use += (not =); every output adds "
                                 "dL/dh[u, v] * x[u:u + KH, v:v + KW] to dL/dw"),
        ("mean", dw / (OH * OW), "dL/dw is a mean over the outputs; it is their sum: every output adds "
                                 "dL/dh[u, v] * x[u:u + KH, v:v + KW], correlate2d(x, dh)"),
        ("padded", lambda: correlate2d(np.pad(x, ((OH - 1, OH - 1), (OW - 1, OW - 1))), dh),
         "x was zero-padded: dL/dw is the valid correlation of x with dL/dh, with the kernel's shape: "
         "correlate2d(x, dh)"),
    ]
    return diagnose("dL/dw", answer, dw, mistakes,
                    layouts=[("swapped", (1, 0), "rows and columns are swapped (you returned dL/dw.T)")])


# ---- several channels, one filter (notebook 02) ----------------------------------------------

def _multi_channel_cases():
    """(dh, w): non-square random problems, the question's shapes with one filter, integers."""
    rng = seeded_rng()
    cases = [(rng.normal(size=(oh, ow)), rng.normal(size=(kh, kw, c)))
             for oh, ow, kh, kw, c in ((4, 6, 3, 2, 3), (5, 3, 2, 3, 2))]
    cases.append((rng.normal(size=(3, 3)), rng.normal(size=(3, 3, 3))))
    cases.append((integers(rng, (2, 4)), integers(rng, (3, 2, 2))))
    return cases


@checker(cases=_multi_channel_cases, names=("dh", "w"))
def check_multi_channel_dx(answer, dh, w):
    """fn(dh (OH, OW), w (KH, KW, C)) -> dL/dx (OH + KH - 1, OW + KW - 1, C), one filter."""
    KH, KW, C = w.shape
    expected = _stack_channels(lambda c: full_correlate(dh, w[::-1, ::-1, c]), C)
    mistakes = [(key, lambda plane=plane: _stack_channels(lambda c: plane(dh, w[:, :, c]), C), message)
                for key, plane, message in _plane_mistakes(KH, KW, MULTI)]
    mistakes += [
        ("overwrite", lambda: _stack_channels(lambda c: _scatter_overwrite(dh, w[:, :, c]), C), OVERWRITE_DX),
        ("channels-mixed", np.repeat(expected.sum(axis=-1, keepdims=True), C, axis=-1),
         "the channels are mixed: dL/dx[:, :, c] uses only w[:, :, c], not the sum over channels"),
        ("flips-channels", expected[:, :, ::-1], "the channel axis is reversed too (np.flip(w) flips every "
                                                 "axis); rotate only the two kernel axes: w[::-1, ::-1, :]"),
    ]
    return diagnose("dL/dx", answer, expected, mistakes,
                    layouts=[("layout", (1, 2, 0), "wrong layout: you returned (C, H, W), channels first; "
                                                   "this series is channels-last (H, W, C)")])


# ---- many filters: the question (notebook 03) ------------------------------------------------

def _sum_filters(dh, k, plane):
    """(H, W, C): channel c is the sum over filters f of plane(dh[:, :, f], k[f, :, :, c])."""
    return _stack_channels(lambda c: sum(plane(dh[:, :, f], k[f, :, :, c]) for f in range(k.shape[0])), k.shape[-1])


def _question_cases():
    """(dh, x, w): the question's exact shapes first, then non-square ones, then integers."""
    rng = seeded_rng()
    cases = []
    for h, wd, c, f, kh, kw in ((5, 5, 3, 16, 3, 3), (6, 8, 2, 4, 3, 2), (7, 5, 3, 5, 2, 3)):
        dh = rng.normal(size=(output_size(h, kh), output_size(wd, kw), f))
        cases.append((dh, rng.normal(size=(h, wd, c)), rng.normal(size=(f, kh, kw, c))))
    cases.append((integers(rng, (3, 4, 3)), integers(rng, (4, 6, 2)), integers(rng, (3, 2, 3, 2))))
    return cases


def _question_dx(answer, dh, w):
    F, KH, KW, C = w.shape
    rot = w[:, ::-1, ::-1, :]

    def gather(k):  # the sum over filters of correlating the zero-padded dL/dh with k
        return _sum_filters(dh, k, full_correlate)

    expected = gather(rot)
    mistakes = [(key, lambda plane=plane: _sum_filters(dh, w, plane), message)
                for key, plane, message in _plane_mistakes(KH, KW, QUESTION, "dh[:, :, f]")]
    mistakes += [
        ("only-filter-0", lambda: _sum_filters(dh[:, :, :1], rot[:1], full_correlate),
         "only filter 0 is used: dL/dx is the *sum* over all filters of their shares: "
         "`for f in range(F): dx[:, :, c] += ...`"),
        ("only-last-filter", lambda: _sum_filters(dh[:, :, -1:], rot[-1:], full_correlate),
         "only the last filter survives: use += over the filters (each one's share adds to dL/dx), not ="),
        ("overwrite", lambda: _stack_channels(lambda c: _scatter_overwrite(dh[:, :, -1], w[-1, :, :, c]), C),
         "contributions are overwritten: use += (not =) in "
         "`dx[u:u + KH, v:v + KW, :] += dh[u, v, f] * w[f]`; overlapping windows and all filters add up"),
        ("flips-filters", lambda: gather(w[::-1, ::-1]), "w[::-1, ::-1] on the 4-D filters flips the filter axis "
                                                         "and the rows; rotate the two kernel axes: "
                                                         "w[:, ::-1, ::-1, :]"),
        ("flips-every-axis", lambda: gather(np.flip(w)), "np.flip(w) flips every axis, filters and channels too; "
                                                         "rotate only the kernel axes: w[:, ::-1, ::-1, :]"),
        ("channels-mixed", np.repeat(expected.sum(axis=-1, keepdims=True), C, axis=-1),
         "the channels are mixed: channel c of dL/dx uses only channel c of each filter"),
    ]
    return diagnose("dx", answer, expected, mistakes,
                    layouts=[("layout", (1, 2, 0), "wrong layout: (C, H, W) is channels-first; return (H, W, C)")])


def _question_dw(answer, dh, x, w):
    F, KH, KW, C = w.shape
    OH, OW = dh.shape[:2]
    dw = np.stack([_stack_channels(lambda c, f=f: correlate2d(x[:, :, c], dh[:, :, f]), C) for f in range(F)])
    last_window = x[OH - 1:OH - 1 + KH, OW - 1:OW - 1 + KW, :]
    return diagnose("dw", answer, dw, [
        ("dw-rotated", dw[:, ::-1, ::-1, :], "dw is rotated: dL/dw is a plain correlation of x with dL/dh, no flip"),
        ("dw-same-for-all-filters", np.repeat(dw.sum(axis=0, keepdims=True), F, axis=0),
         "every filter got the same gradient: dw[f] uses only dL/dh[:, :, f]"),
        ("dw-mean", dw / (OH * OW), "dw is a mean over the positions; it is their sum: "
                                    "`dw[f] += dh[u, v, f] * x[u:u + KH, v:v + KW, :]` at every (u, v)"),
        ("dw-overwrite", dh[-1, -1, :, None, None, None] * last_window,
         "dw keeps only the last window: use += so that every position adds "
         "`dw[f] += dh[u, v, f] * x[u:u + KH, v:v + KW, :]`"),
    ], layouts=[("dw-layout", (0, 2, 3, 1), "wrong layout: (F, C, KH, KW) is PyTorch's; this series uses "
                                         "(F, KH, KW, C)")])


def _question_db(answer, dh):
    F = dh.shape[-1]
    return diagnose("db", answer, dh.sum(axis=(0, 1)), [
        ("db-mean", dh.mean(axis=(0, 1)), "db is the sum of dL/dh over positions, not the mean: dh.sum(axis=(0, 1))"),
        ("db-all-filters", np.full(F, dh.sum()), "db[f] sums dL/dh[:, :, f] only, not every filter's: "
                                              "dh.sum(axis=(0, 1))"),
    ])


@checker(cases=_question_cases, names=("dh", "x", "w"), returns=("dx", "dw", "db"),
         shapes=lambda dh, x, w: (x.shape, w.shape, w.shape[:1]))
def check_question_backward(answer, dh, x, w):
    """fn(dh (OH, OW, F), x (H, W, C), w (F, KH, KW, C)) -> (dx, dw, db), stride 1, no padding."""
    dx, dw, db = answer
    return all_of([_question_dx(dx, dh, w), _question_dw(dw, dh, x, w), _question_db(db, dh)])

