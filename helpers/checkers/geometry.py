"""Checker of notebook 04: dL/dx with stride and padding (the capstone's checker is in :mod:`.layer`)."""

import numpy as np

from .. import correlate2d, dilate, output_size
from .cases import Views, both_sides, integers, padding_mistakes, rotation_mistakes, seeded_rng
from .diagnosis import diagnose
from .running import checker

__all__ = ["check_strided_dx"]

STRIDED = Views("w[{}, {}]", ".T", "dx_pad[u*s:u*s + KH, v*s:v*s + KW] += dh[u, v] * w",
                dh="the zero-padded dh_up (dL/dh with stride - 1 zeros inserted)")
SCATTER_AT_STRIDE = ("the scatter loop adds dh[u, v] * w to the window starting at (u*s, v*s), "
                     "`dx_pad[u*s:u*s + KH, v*s:v*s + KW] += dh[u, v] * w`")


# ---- stride and padding (notebook 04) --------------------------------------------------------

def _strided_dx(dh, w, stride, padding, size, *, zeros=None, pad=None, kernel=None, extend=True, crop="p:p+H"):
    """dL/dx of one channel the way a learner builds it, with each step switchable to a mistake.

    Steps: insert zeros (default stride - 1) zeros between the entries of dh; zero-pad it by np.pad's
    widths pad (default KH - 1 and KW - 1 on each side); correlate with kernel(w) (default: rot180(w));
    append the rows/cols the floor dropped; crop the padding.
    crop is "p:p+H" (right), "p:-p", "none" or ":H" (mistakes).
    """
    (KH, KW), (H, W), p = w.shape, size, padding
    up = dilate(dh, stride if zeros is None else zeros + 1)
    pad = both_sides(KH - 1, KW - 1) if pad is None else pad
    full = correlate2d(np.pad(up, pad), w[::-1, ::-1] if kernel is None else kernel(w))
    if extend:
        full = np.pad(full, ((0, max(H + 2 * p - full.shape[0], 0)), (0, max(W + 2 * p - full.shape[1], 0))))
    return {"p:p+H": full[p:p + H, p:p + W], "p:-p": full[p:-p, p:-p], "none": full, ":H": full[:H, :W]}[crop]


def _strided_cases():
    """(dh, w, stride, padding, x_size): odd strides, floors that drop rows, p = 0 and 1, integers, the question."""
    rng = seeded_rng()
    cases = []
    for H, W, KH, KW, s, p in ((8, 9, 3, 2, 2, 0), (7, 10, 2, 3, 3, 1), (10, 11, 3, 2, 3, 0), (5, 5, 3, 3, 1, 0)):
        OH, OW = output_size(H, KH, stride=s, padding=p), output_size(W, KW, stride=s, padding=p)
        cases.append((rng.normal(size=(OH, OW)), rng.normal(size=(KH, KW)), s, p, (H, W)))
    cases.append((integers(rng, (5, 4)), integers(rng, (2, 3)), 2, 1, (9, 7)))
    return cases


@checker(cases=_strided_cases, names=("dh", "w", "stride", "padding", "x_size"))
def check_strided_dx(answer, dh, w, s, p, size):
    """fn(dh (OH, OW), w (KH, KW), stride, padding, x_size (H, W)) -> dL/dx (H, W), one channel."""
    KH, KW = w.shape

    def learner(**mistake):
        return lambda: _strided_dx(dh, w, s, p, size, **mistake)

    mistakes = [
        ("not-dilated", learner(zeros=0),
         f"the windows are placed as if the stride were 1: the gather view inserts stride - 1 zeros (here {s - 1}) "
         "between the entries of dL/dh, dh_up = helpers.dilate(dh, stride), before zero-padding it; "
         f"{SCATTER_AT_STRIDE}"),
        ("zeros-stride", learner(zeros=s),
         f"dL/dh has stride zeros (here {s}) between its entries; it needs stride - 1 (here {s - 1}), which "
         f"helpers.dilate(dh, stride) inserts; {SCATTER_AT_STRIDE}"),
        ("dropped-rows", learner(extend=False),
         "off by the rows the floor dropped: the last input rows/columns that no window reads still belong "
         "to dL/dx (with gradient 0); pad the bottom/right to the padded input's size, "
         "np.pad(dx_pad, ((0, H + 2 * p - dx_pad.shape[0]), (0, W + 2 * p - dx_pad.shape[1])))"),
        ("crop-minus-p", learner(crop="p:-p"),
         "wrong crop: [p:-p] is empty when p = 0; crop the padding with [p:p + H, p:p + W]"),
        ("not-cropped", learner(crop="none"), "the padding was not cropped: keep [p:p + H, p:p + W]"),
        ("crop-top-left", learner(crop=":H"),
         "wrong crop: the padding is on both sides, so keep [p:p + H, p:p + W], not [:H, :W]"),
    ]
    for key, wrong, message in rotation_mistakes(STRIDED):
        mistakes.append((key, learner(kernel=wrong), message))
        mistakes.append((key, learner(kernel=wrong, pad=both_sides(*(n - 1 for n in wrong(w).shape))), message))
    if p > 0:  # p = 0 would be the valid correlation, named below
        mistakes.append(("pad-by-p", learner(pad=both_sides(p, p)),
                         f"dL/dh is zero-padded by the forward padding p = {p}; the backward pass pads the "
                         "zero-inserted dL/dh by KH - 1 rows and KW - 1 columns, "
                         "np.pad(dh_up, ((KH - 1, KH - 1), (KW - 1, KW - 1))), and crops p at the end"))
    for key, pad, message in padding_mistakes(KH, KW, "np.pad(dh_up, ((KH - 1, KH - 1), (KW - 1, KW - 1)))",
                                              "dh_up"):
        mistakes.append((key, learner(pad=pad), message))
    return diagnose("dL/dx", answer, _strided_dx(dh, w, s, p, size), mistakes)
