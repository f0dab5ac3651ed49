"""Exercise checkers that say *what* is wrong, not just that something is.

Each ``check_*`` function calls the learner's function on a few random,
non-square, non-symmetric problems (random upstream gradients, square
kernels so a transposed kernel still has the right shape) and compares the
result with the reference.  When the answer is wrong it is compared with the
answers that the common mistakes produce (kernel not rotated, rotated on one
axis, transposed, no sum over filters, ``=`` instead of ``+=``, channels-first
layout, ...) and the matching mistake is named.  The result prints as one
line starting with ✓ or ✗ and is truthy only when correct.
"""

from dataclasses import dataclass

import numpy as np

from .formula import correlate2d, dilate, full_convolve2d
from .gradcheck import rel_error
from .layers import pool_blocks, unpool_blocks
from .matrix import conv_matrix

__all__ = [
    "CheckResult", "diagnose",
    "check_single_channel_dx", "check_single_channel_dw",
    "check_multi_channel_dx", "check_question_backward",
    "check_strided_dx", "check_conv_matrix", "check_col2im", "check_maxpool_backward",
]

TOLERANCE = 1e-9


@dataclass
class CheckResult:
    ok: bool
    message: str

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return ("✓ " if self.ok else "✗ ") + self.message


def _close(a, b):
    return a.shape == b.shape and rel_error(a, b) <= TOLERANCE


def diagnose(name, answer, expected, mistakes=(), layouts=()):
    """Compare one answer with the expected array and with known mistakes.

    mistakes: [(wrong_array, message), ...], the result of each common mistake;
    layouts: [(axes, message), ...], transpositions of the answer to try
    when its shape is wrong.  Returns a CheckResult.
    """
    try:
        answer = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return CheckResult(False, f"{name} must be an array of numbers, got {type(answer).__name__}")
    if _close(answer, expected):
        return CheckResult(True, f"{name} is correct")
    for wrong, message in mistakes:
        if _close(answer, np.asarray(wrong, dtype=float)):
            return CheckResult(False, f"{name}: {message}")
    for axes, message in layouts:  # also when the shapes agree: (16, 3, 3, 3) is both layouts
        if answer.ndim == len(axes) and _close(answer.transpose(axes), expected):
            return CheckResult(False, f"{name}: {message}")
    if answer.shape != expected.shape:
        return CheckResult(False, f"{name} has shape {answer.shape}, expected {expected.shape}")
    worst = np.unravel_index(np.argmax(np.abs(answer - expected)), expected.shape)
    return CheckResult(
        False,
        f"{name} has the right shape {expected.shape} but wrong values (rel. error "
        f"{rel_error(answer, expected):.1e}); the largest difference is at index "
        f"{tuple(int(i) for i in worst)}: got {answer[worst]:.4g}, expected {expected[worst]:.4g}",
    )


def _run(fn, args):
    """Call the learner's function; an exception becomes a failed CheckResult."""
    try:
        return fn(*args), None
    except Exception as err:  # the learner's code may fail in any way
        return None, CheckResult(False, f"your function raised {type(err).__name__}: {err}")


def _check_cases(fn, cases, judge):
    """Run fn on every case; judge(answer, case) -> CheckResult; first failure wins."""
    for case in cases:
        answer, failure = _run(fn, case)
        result = failure if failure is not None else judge(answer, *case)
        if not result:
            return result
    return CheckResult(True, f"correct on {len(cases)} random problems of different shapes")


def _rng():
    return np.random.default_rng(20261125)


# ---- single channel (notebook 01) ------------------------------------------------------------

ROTATION_MISTAKES_2D = [
    (lambda w: w, "the kernel is not rotated: correlate the zero-padded dL/dh with the rotated kernel "
                   "w[::-1, ::-1]"),
    (lambda w: w[::-1, :], "the kernel is flipped on the rows only; rotate by 180 degrees: w[::-1, ::-1]"),
    (lambda w: w[:, ::-1], "the kernel is flipped on the columns only; rotate by 180 degrees: w[::-1, ::-1]"),
    (lambda w: w.T, "the kernel is transposed (w.T), not rotated; rotate by 180 degrees: w[::-1, ::-1]"),
    (lambda w: w[::-1, ::-1].T, "the kernel is rotated by 90 degrees, not 180: use w[::-1, ::-1]"),
]


def _full_correlate(dh, k):
    """Correlate the zero-padded dh with k: the result of using k where rot180(w) belongs."""
    return full_convolve2d(dh, k[::-1, ::-1])


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
