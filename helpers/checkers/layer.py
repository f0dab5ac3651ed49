"""Checker of notebook 04's capstone: the whole layer's backward pass, with loops or with im2col.

The learner's function gets a batch, several channels and filters, a stride and a
padding, and returns (dx, dw, db).  The mistakes are those of the scatter loop
(windows at the wrong place, '=' for '+=', a wrong crop, a missing sum over the
filters or the batch) and of the im2col products (wrong reshapes, a mean for a sum).
"""

import numpy as np

from .. import col2im, conv2d, conv2d_backward, conv2d_transpose, dilate, im2col, output_size
from .cases import Views, both_sides, integers, padding_mistakes, rotation_mistakes, seeded_rng
from .diagnosis import diagnose
from .result import all_of
from .running import checker

__all__ = ["check_layer_backward"]

CROP = "dx = dx_pad[:, p:p + H, p:p + W, :]"
LAYER = Views("w[:, {}, {}, :]", ".transpose(0, 2, 1, 3)",
              "dx_pad[n, u*s:u*s + KH, v*s:v*s + KW, :] += dh[n, u, v, f] * w[f]",
              dh="the zero-padded dh_up (dL/dh with stride - 1 zeros inserted)")


def _layer_cases():
    """(dh, x, w, stride, padding): non-square, odd strides, floors that drop rows, p = 0 and 1, the question."""
    rng = seeded_rng()
    cases = []
    for N, H, W, C, F, KH, KW, s, p in ((2, 7, 9, 3, 4, 3, 2, 2, 1), (2, 9, 7, 2, 3, 3, 2, 3, 0),
                                        (3, 8, 11, 2, 3, 2, 3, 2, 1), (2, 5, 5, 3, 16, 3, 3, 1, 0)):
        OH, OW = output_size(H, KH, stride=s, padding=p), output_size(W, KW, stride=s, padding=p)
        cases.append((rng.normal(size=(N, OH, OW, F)), rng.normal(size=(N, H, W, C)),
                      rng.normal(size=(F, KH, KW, C)), s, p))
    cases.append((integers(rng, (2, 4, 3, 3)), integers(rng, (2, 6, 5, 2)), integers(rng, (3, 2, 3, 2)), 2, 1))
    return cases


def _products(dh, x, w, s, p):
    """cols (M, K), dh2 (M, F), w2 (F, K): the im2col view's matrices."""
    F = w.shape[0]
    return im2col(x, w.shape[1:3], stride=s, padding=p), dh.reshape(-1, F), w.reshape(F, -1)


def _gather(dh, w, s, p, size, *, zeros=None, pad=None, kernel=None):
    """dx (N, H, W, C) by the gather view, the way a learner builds it, with each step switchable to a mistake.

    Insert zeros (default s - 1) zeros between the entries of dh; zero-pad by np.pad's widths pad (default
    KH - 1 and KW - 1 on each side); correlate with kernel(w) (default: each filter rotated), summing over
    the filters; append the rows and columns the floor dropped; crop p.  kernel acts on (KH, KW, ...)
    arrays, as rotation_mistakes' kernels do.
    """
    (H, W), (KH, KW) = size, w.shape[1:3]
    up = dilate(dh, s if zeros is None else zeros + 1)
    pad = both_sides(KH - 1, KW - 1) if pad is None else pad
    k = w[:, ::-1, ::-1, :] if kernel is None else np.moveaxis(kernel(np.moveaxis(w, 0, -1)), -1, 0)
    full = conv2d(np.pad(up, ((0, 0), *pad, (0, 0))), k.transpose(3, 1, 2, 0))  # the filters are summed
    rows, cols = max(H + 2 * p - full.shape[1], 0), max(W + 2 * p - full.shape[2], 0)
    return np.pad(full, ((0, 0), (0, rows), (0, cols), (0, 0)))[:, p:p + H, p:p + W]


def _gather_mistakes(dh, w, s, p, size):
    """The gather view's mistakes: the kernel's orientation, the zero-padding, the zeros for the stride."""
    KH, KW = w.shape[1:3]

    def learner(**mistake):
        return lambda: _gather(dh, w, s, p, size, **mistake)

    mistakes = [("zeros-stride", learner(zeros=s),
                 f"dL/dh has stride zeros (here {s}) between its entries; it needs stride - 1 (here {s - 1}), "
                 "which helpers.dilate(dh, stride) inserts; the scatter loop's window (u, v) starts at (u*s, v*s)")]
    for key, wrong, message in rotation_mistakes(LAYER):
        mistakes.append((key, learner(kernel=wrong), message))
        mistakes.append((key, learner(kernel=wrong, pad=both_sides(*(n - 1 for n in wrong(w[0]).shape[:2]))),
                         message))
    if p > 0:  # p = 0 would be the valid correlation, named below
        mistakes.append(("pad-by-p", learner(pad=both_sides(p, p)),
                         f"dL/dh is zero-padded by the forward padding p = {p}; the backward pass pads the "
                         "zero-inserted dL/dh by KH - 1 rows and KW - 1 columns and crops p at the end"))
    plane = "dh_up[n, :, :, f]"
    for key, pad, message in padding_mistakes(KH, KW, f"np.pad({plane}, ((KH - 1, KH - 1), (KW - 1, KW - 1)))",
                                              plane):
        mistakes.append((key, learner(pad=pad), message))
    return mistakes


def _dx_mistakes(dh, x, w, s, p):
    N, H, W, C = x.shape
    F, KH, KW, _ = w.shape
    OH, OW = dh.shape[1:3]
    Hp, Wp = H + 2 * p, W + 2 * p

    def transpose(dh_, w_, stride=s, size=(H, W), pad=p):
        return conv2d_transpose(dh_, w_, stride=stride, padding=pad, input_size=size)

    def stride_one():  # every window placed at (u, v) instead of (u * s, v * s)
        dx_pad = np.zeros((N, Hp, Wp, C))
        dx_pad[:, :OH + KH - 1, :OW + KW - 1] = transpose(dh, w, stride=1, size=(OH + KH - 1, OW + KW - 1), pad=0)
        return dx_pad[:, p:p + H, p:p + W]

    def overwrite():  # '=' in the scatter loop: the last write wins, from the last filter
        dx_pad = np.zeros((N, Hp, Wp, C))
        for u in range(OH):
            for v in range(OW):
                dx_pad[:, u * s:u * s + KH, v * s:v * s + KW] = dh[:, u, v, -1, None, None, None] * w[-1]
        return dx_pad[:, p:p + H, p:p + W]

    def dropped_rows():  # only as many rows and columns as the windows reach
        return transpose(dh, w, size=None, pad=0)[:, p:p + H, p:p + W]

    cols, dh2, w2 = _products(dh, x, w, s, p)
    return [
        ("not-dilated", stride_one, "the windows are placed as if the stride were 1: output (u, v) reads (and "
                                    "sends its gradient back to) the window starting at (u*s, v*s), "
                                    "`dx_pad[n, u*s:u*s + KH, v*s:v*s + KW, :] += dh[n, u, v, f] * w[f]`; the "
                                    "gather view inserts stride - 1 zeros between the entries of dL/dh, "
                                    "dh_up = helpers.dilate(dh, stride)"),
        ("crop-minus-p", lambda: transpose(dh, w, size=(Hp, Wp), pad=0)[:, p:-p, p:-p],
         f"wrong crop: [p:-p] is empty when p = 0; crop the padding with {CROP}"),
        ("not-cropped", lambda: transpose(dh, w, size=(Hp, Wp), pad=0),
         f"the padding was not cropped: dx has x's shape, {CROP}"),
        ("crop-top-left", lambda: transpose(dh, w, size=(Hp, Wp), pad=0)[:, :H, :W],
         f"wrong crop: the padding is on both sides, so {CROP}, not [:, :H, :W]"),
        ("dropped-rows", dropped_rows, "off by the rows the floor dropped: make dx_pad as large as the padded "
                                       "input, np.zeros((N, H + 2 * p, W + 2 * p, C)); the rows no window reads "
                                       "keep gradient 0"),
        ("overwrite", overwrite, "contributions are overwritten: use += (not =) in "
                                 "`dx_pad[n, u*s:u*s + KH, v*s:v*s + KW, :] += dh[n, u, v, f] * w[f]`; "
                                 "overlapping windows and all filters add up"),
        ("only-last-filter", lambda: transpose(dh[..., -1:], w[-1:]),
         "only the last filter survives: dx is the sum over all filters of their shares; use += over f"),
        ("only-filter-0", lambda: transpose(dh[..., :1], w[:1]),
         "only filter 0 is used: dx is the sum over all filters of their shares; loop over every f"),
        *_gather_mistakes(dh, w, s, p, (H, W)),
        ("channels-mixed", lambda: np.repeat(transpose(dh, w).sum(axis=-1, keepdims=True), C, axis=-1),
         "the channels are mixed: channel c of dx uses only channel c of each filter, w[f, :, :, c]"),
        ("w2-reshape", lambda: col2im(dh2 @ w.reshape(-1, F).T, x.shape, (KH, KW), stride=s, padding=p),
         "w.reshape(-1, F) mixes the filters' entries; each filter is one row: w2 = w.reshape(F, -1), "
         "then dx = col2im(dh2 @ w2, ...)"),
        ("dh2-reshape", lambda: col2im(dh.reshape(F, -1).T @ w2, x.shape, (KH, KW), stride=s, padding=p),
         "dh.reshape(F, -1) mixes positions and filters; channels-last puts the filters on the last axis: "
         "dh2 = dh.reshape(-1, F)"),
    ]


def _dx(answer, dh, x, w, s, p):
    dx = conv2d_transpose(dh, w, stride=s, padding=p, input_size=x.shape[1:3])
    return diagnose("dx", answer, dx, _dx_mistakes(dh, x, w, s, p),
                    layouts=[("layout", (0, 2, 3, 1), "wrong layout: (N, C, H, W) is channels-first; return "
                                                      "(N, H, W, C), x's shape")])


def _dw(answer, dw, dh, x, w, s, p):
    N, OH, OW, F = dh.shape
    KH, KW = w.shape[1:3]
    cols, dh2, w2 = _products(dh, x, w, s, p)

    def last_window():  # '=' instead of '+=': only the last image's last window is left
        x_pad = np.pad(x[-1], ((p, p), (p, p), (0, 0)))
        window = x_pad[(OH - 1) * s:(OH - 1) * s + KH, (OW - 1) * s:(OW - 1) * s + KW]
        return dh[-1, -1, -1, :, None, None, None] * window

    def unpadded_x():  # x at the top left of x_pad: windows read x[u*s + i, v*s + j], zeros past its end
        return conv2d_backward(dh, np.pad(x, ((0, 0), (0, 2 * p), (0, 2 * p), (0, 0))), w, stride=s)[1]

    def windows_at_stride_one():
        cols1 = im2col(x, (KH, KW), padding=p)
        rows, columns = output_size(x.shape[1], KH, padding=p), output_size(x.shape[2], KW, padding=p)
        cols1 = cols1.reshape(N, rows, columns, -1)[:, :OH, :OW].reshape(-1, cols.shape[1])
        return (dh2.T @ cols1).reshape(w.shape)

    return diagnose("dw", answer, dw, [
        ("dw-overwrite", last_window, "dw keeps only the last window: use += so that every position and every "
                                      "image adds `dw[f] += dh[n, u, v, f] * x_pad[n, u*s:u*s + KH, "
                                      "v*s:v*s + KW, :]`"),
        ("dw-last-image", lambda: conv2d_backward(dh[-1:], x[-1:], w, stride=s, padding=p)[1],
         "dw is the last image's alone: dw adds up over the batch too (+= over n)"),
        ("dw-mean-batch", dw / N, "dw is divided by the batch size N: the gradient is a sum over the images "
                                  "(a mean loss already scales dL/dh)"),
        ("dw-mean", dw / (N * OH * OW), "dw is a mean over the windows: it is their sum, dh2.T @ cols"),
        ("dw-mean", dw / (OH * OW), "dw is a mean over the windows: it is their sum, dh2.T @ cols"),
        ("dw-unpadded-x", unpadded_x, "dw reads the windows of x without its padding in front: output (u, v) "
                                      "reads x_pad[n, u*s:u*s + KH, v*s:v*s + KW, :] of "
                                      "x_pad = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0))), with p zero rows and "
                                      "columns on every side"),
        ("dw-no-stride", windows_at_stride_one,
         "the windows of x are read at stride 1: output (u, v) reads x_pad[n, u*s:u*s + KH, v*s:v*s + KW, :]"),
        ("dw-rotated", dw[:, ::-1, ::-1, :], "dw is rotated: dL/dw is a plain correlation of x with dL/dh, "
                                             "no flip"),
        ("dw-same-for-all-filters", np.repeat(dw.sum(axis=0, keepdims=True), F, axis=0),
         "every filter got the same gradient: dw[f] uses only dh[..., f]"),
        ("dw-im2col-reshape", lambda: (cols.T @ dh2).reshape(w.shape),
         "cols.T @ dh2 is (KH*KW*C, F): reshaping it to (F, KH, KW, C) mixes the filters; "
         "dw = (dh2.T @ cols).reshape(w.shape)"),
        ("dh2-reshape", lambda: (dh.reshape(F, -1) @ cols).reshape(w.shape),
         "dh.reshape(F, -1) mixes positions and filters; dh2 = dh.reshape(-1, F)"),
    ], layouts=[("dw-layout", (0, 2, 3, 1), "wrong layout: (F, C, KH, KW) is PyTorch's; this series uses "
                                            "(F, KH, KW, C)")])


def _db(answer, db, dh):
    F = dh.shape[-1]
    return diagnose("db", answer, db, [
        ("db-mean", dh.mean(axis=(0, 1, 2)), "db is the sum of dL/dh over the batch and the positions, not the "
                                             "mean: db = dh.sum(axis=(0, 1, 2))"),
        ("db-mean-batch", dh.sum(axis=(1, 2)).mean(axis=0), "db is averaged over the batch; sum it: "
                                                            "db = dh.sum(axis=(0, 1, 2))"),
        ("db-per-image", dh.sum(axis=(1, 2)), "db has one row per image: sum over the batch too, "
                                              "db = dh.sum(axis=(0, 1, 2))"),
        ("db-last-image", dh[-1].sum(axis=(0, 1)), "db is the last image's alone: sum over the batch too, "
                                                   "db = dh.sum(axis=(0, 1, 2))"),
        ("db-all-filters", np.full(F, dh.sum()), "db[f] sums dh[..., f] only, not every filter's"),
        ("dh2-reshape", lambda: dh.reshape(F, -1).T.sum(axis=0),
         "dh.reshape(F, -1) mixes positions and filters; dh2 = dh.reshape(-1, F), db = dh2.sum(0)"),
    ])


@checker(cases=_layer_cases, names=("dh", "x", "w", "stride", "padding"), returns=("dx", "dw", "db"),
         shapes=lambda dh, x, w, s, p: (x.shape, w.shape, w.shape[:1]))
def check_layer_backward(answer, dh, x, w, s, p):
    """fn(dh (N, OH, OW, F), x (N, H, W, C), w (F, KH, KW, C), stride, padding) -> (dx, dw, db).

    stride and padding are ints; OH = (H + 2 * padding - KH) // stride + 1, and the same for OW.
    """
    _, dw, db = conv2d_backward(dh, x, w, stride=s, padding=p)
    return all_of([_dx(answer[0], dh, x, w, s, p), _dw(answer[1], dw, dh, x, w, s, p), _db(answer[2], db, dh)])
