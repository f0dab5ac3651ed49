"""Checker of notebook 06: col2im, the += scatter."""

import numpy as np

from .. import output_size
from .cases import integers, seeded_rng
from .diagnosis import diagnose
from .running import checker

__all__ = ["check_col2im"]


# ---- im2col (notebook 06) ---------------------------------------------------------------------

def _col2im_loop(dcols, size, kernel, stride, *, assign=False, window_order="row", tap_order="row",
                 window_step=None, shape="x"):
    """col2im for one channel as a loop, with the common mistakes switchable.

    window_order "col": row m of dcols taken as window (m % OH, m // OH);
    tap_order "col": each row's KH*KW entries taken in column-major order;
    window_step: where windows start, every window_step pixels (default: the stride);
    shape "covered": dx only as large as the windows cover (the rows the floor dropped left out).
    """
    (H, W), (KH, KW) = size, kernel
    OH, OW = output_size(H, KH, stride=stride), output_size(W, KW, stride=stride)
    step = stride if window_step is None else window_step
    dx = np.zeros((H, W))
    for m, row in enumerate(dcols):
        u, v = divmod(m, OW) if window_order == "row" else (m % OH, m // OH)
        patch = row.reshape(KH, KW) if tap_order == "row" else row.reshape(KW, KH).T
        window = (slice(u * step, u * step + KH), slice(v * step, v * step + KW))
        if assign:
            dx[window] = patch
        else:
            dx[window] += patch
    return dx if shape == "x" else dx[:(OH - 1) * stride + KH, :(OW - 1) * stride + KW]


def _col2im_cases():
    """(dcols, x_size, kernel, stride): non-square, odd strides, floors that drop rows, 06's example, integers."""
    rng = seeded_rng()
    cases = []
    for H, W, KH, KW, s in ((6, 7, 3, 2, 1), (8, 10, 3, 2, 3), (7, 9, 2, 3, 2), (5, 5, 3, 3, 1)):
        OH, OW = output_size(H, KH, stride=s), output_size(W, KW, stride=s)
        cases.append((rng.normal(size=(OH * OW, KH * KW)), (H, W), (KH, KW), s))
    cases.append((integers(rng, (3 * 2, 2 * 3)), (6, 5), (2, 3), 2))
    return cases


@checker(cases=_col2im_cases, names=("dcols", "x_size", "kernel", "stride"))
def check_col2im(answer, dcols, size, kernel, stride):
    """fn(dcols (OH*OW, KH*KW), x_size (H, W), kernel (KH, KW), stride) -> dx (H, W), one channel."""
    def learner(**mistake):
        return lambda: _col2im_loop(dcols, size, kernel, stride, **mistake)

    mistakes = [
        ("overwrite", learner(assign=True), "windows overwrite each other: col2im must add (+=) each row "
                                            "onto its window, because windows overlap"),
        ("window-order", learner(window_order="col"),
         "wrong window order: row m of cols is window (m // OW, m % OW), row-major over outputs"),
        ("tap-order", learner(tap_order="col"),
         "wrong order inside a window: each row holds the taps (i, j) row by row, row.reshape(KH, KW)"),
        ("no-stride", learner(window_step=1),
         "the windows are placed one pixel apart: window (u, v) starts at (u * stride, v * stride)"),
        ("dropped-rows", learner(shape="covered"),
         "dx must have x's shape (H, W): the rows and columns the floor dropped are there too, with "
         "gradient 0; start from np.zeros(x_size)"),
    ]
    return diagnose("dx", answer, _col2im_loop(dcols, size, kernel, stride), mistakes)
