"""check_strided_dx (notebook 04): correct answers two ways; one learner mistake per diagnosis.

Each mistake is written here as a learner would write it, independently of the checker, and must get
exactly its diagnosis; tests/test_checkers.py checks that MISTAKES covers the checker's catalogue.
"""

import numpy as np
from checker_answers import assert_named, gather, mistakes, strided_pipeline

import helpers as H
from helpers.checkers import check_strided_dx


def test_strided_dx_accepts_correct_answers():
    assert check_strided_dx(lambda dh, w, s, p, size: H.conv2d_transpose(dh[:, :, None], w[None, :, :, None],
                                                                         stride=s, padding=p,
                                                                         input_size=size)[:, :, 0])
    assert check_strided_dx(  # the loop reference, written differently
        lambda dh, w, s, p, size: H.conv2d_backward_loops(dh[:, :, None], np.zeros((*size, 1)),
                                                          w[None, :, :, None], stride=s, padding=p)[0][:, :, 0])


def strided(**mistake):
    return lambda *args: strided_pipeline(*args, **mistake)


def strided_scatter(dh, w, s, p, size, *, k=None, step=None):
    """The scatter loop: output (u, v) adds dh[u, v] * k (right: w) to the window at (u * step, v * step)."""
    Hx, Wx = size
    k, step = (w if k is None else k), (s if step is None else step)
    dx_pad = np.zeros((Hx + 2 * p, Wx + 2 * p))
    for u in range(dh.shape[0]):
        for v in range(dh.shape[1]):
            dx_pad[u * step:u * step + k.shape[0], v * step:v * step + k.shape[1]] += dh[u, v] * k
    return dx_pad[p:p + Hx, p:p + Wx]


def strided_with_stride_zeros(dh, w, s, p, size):
    """`stride` zeros between the entries of dL/dh instead of stride - 1."""
    up = np.zeros(((dh.shape[0] - 1) * (s + 1) + 1, (dh.shape[1] - 1) * (s + 1) + 1))
    up[::s + 1, ::s + 1] = dh
    return strided_pipeline(up, w, 1, p, size)


def strided_one_pair(dh, w, s, p, size):
    """np.pad(dh_up, (KH - 1, KW - 1)): KH - 1 before and KW - 1 after, on both axes."""
    (KH, KW), (Hx, Wx) = w.shape, size
    up = np.zeros(((dh.shape[0] - 1) * s + 1, (dh.shape[1] - 1) * s + 1))
    up[::s, ::s] = dh
    full = gather(np.pad(up, (KH - 1, KW - 1)), w[::-1, ::-1], pad=(0, 0))
    full = np.pad(full, ((0, max(Hx + 2 * p - full.shape[0], 0)), (0, max(Wx + 2 * p - full.shape[1], 0))))
    return full[p:p + Hx, p:p + Wx]


STRIDED_FIX = ("the gather view correlates the zero-padded dh_up (dL/dh with stride - 1 zeros inserted) with the "
               "rotated kernel w[::-1, ::-1]; the scatter loop adds the kernel unrotated, "
               "`dx_pad[u*s:u*s + KH, v*s:v*s + KW] += dh[u, v] * w`")


MISTAKES = [  # (diagnosis, a learner's function, words of the message)
    ("not-dilated", strided(zeros=False),
     "dL/dx: the windows are placed as if the stride were 1: the gather view inserts stride - 1 zeros (here 1) "
     "between the entries of dL/dh, dh_up = helpers.dilate(dh, stride), before zero-padding it; the scatter loop "
     "adds dh[u, v] * w to the window starting at (u*s, v*s), `dx_pad[u*s:u*s + KH, v*s:v*s + KW] += dh[u, v] * w`"),
    ("not-dilated", lambda *args: strided_scatter(*args, step=1), "the windows are placed as if the stride were 1"),
    ("zeros-stride", strided_with_stride_zeros, "dL/dx: dL/dh has stride zeros (here 2) between its entries; it "
                                                "needs stride - 1 (here 1), which helpers.dilate(dh, stride) inserts"),
    ("dropped-rows", strided(extend=False), "off by the rows the floor dropped"),
    ("crop-minus-p", strided(crop="minus"), "wrong crop: [p:-p] is empty when p = 0"),
    ("not-cropped", strided(crop="none"), "the padding was not cropped"),
    ("crop-top-left", strided(crop="start"), "the padding is on both sides"),
    ("rotated-twice", lambda dh, w, *a: strided_pipeline(dh, w, *a, k=w),
     "dL/dx: the kernel is rotated twice, or not at all (both give this dL/dx); " + STRIDED_FIX),
    ("rotated-twice", lambda dh, w, *a: strided_scatter(dh, w, *a, k=w[::-1, ::-1]), "the kernel is rotated twice"),
    ("rows-only", lambda dh, w, *a: strided_pipeline(dh, w, *a, k=w[::-1]), "flipped on one axis only: w[::-1, :] in "
                                                                            "the gather view"),
    ("columns-only", lambda dh, w, *a: strided_pipeline(dh, w, *a, k=w[:, ::-1]), "flipped on one axis only"),
    ("columns-only", lambda dh, w, *a: strided_scatter(dh, w, *a, k=w[::-1]), "or w[::-1, :] in the scatter loop"),
    ("transposed", lambda dh, w, *a: strided_pipeline(dh, w, *a, k=w.T), "the kernel is transposed: w.T in the "
                                                                         "gather view"),
    ("rotated-90", lambda dh, w, *a: strided_pipeline(dh, w, *a, k=np.rot90(w), pad=(w.shape[1] - 1,
                                                                                     w.shape[0] - 1)),
     "rotated by 90 degrees"),
    ("rotated-transposed", lambda dh, w, *a: strided_pipeline(dh, w, *a, k=w[::-1, ::-1].T),
     "the kernel is transposed: w[::-1, ::-1].T in the gather view, or w.T in the scatter loop"),
    ("rotated-transposed", lambda dh, w, *a: strided_scatter(dh, w, *a, k=w.T), "the kernel is transposed"),
    ("valid", strided(pad=(0, 0)), "this is a valid correlation"),
    ("pad-amount", lambda dh, w, *a: strided_pipeline(dh, w, *a, pad=(w.shape[0] - 1,) * 2),
     "zero-padded by 2 rows and 2 columns"),
    ("pad-amount", strided(pad=(1, 1)), "zero-padded by 1 row and 1 column on each side; it needs KH - 1 = 2 rows"),
    ("pad-amount", lambda dh, w, *a: strided_pipeline(dh, w, *a, pad=w.shape), "(KH and KW, one too many)"),
    ("pad-one-pair", strided_one_pair, "np.pad(dh_up, (KH - 1, KW - 1)) pads every axis by KH - 1 before"),
    ("pad-by-p", lambda dh, w, s, p, size: strided_pipeline(dh, w, s, p, size, pad=(p, p)) if p else
     strided_pipeline(dh, w, s, p, size), "zero-padded by the forward padding p = 1"),
]


@mistakes(MISTAKES)
def test_strided_dx_names_the_mistake(diagnosis, fn, words):
    assert_named(check_strided_dx, diagnosis, fn, words)


def test_strided_dx_cases_are_non_square_with_odd_strides_and_dropped_rows():
    cases = check_strided_dx.cases()
    assert all(isinstance(s, int) and isinstance(p, int) for _, _, s, p, _ in cases)
    assert {s for _, _, s, _, _ in cases} >= {1, 2, 3} and {p for *_, p, _ in cases} >= {0, 1}
    dropped = [(size[0] + 2 * p - w.shape[0]) % s for dh, w, s, p, size in cases]
    assert any(dropped) and any(w.shape[0] != w.shape[1] for _, w, *_ in cases)
