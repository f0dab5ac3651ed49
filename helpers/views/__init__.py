"""Every view of the convolution and of its backward pass, in one registry.

One module per view, named as its key below: loops (the oracle), formula,
matrix, im2col, fast and convolutions.  The property tests
(tests/test_views_agree.py), the bad-input tests (tests/test_bad_input.py)
and the benchmark (benchmarks/bench_conv.py) iterate these dicts, so adding
a view is one new module here and its line in each dict it belongs to.
Each view has the signature of :func:`helpers.conv2d` or
:func:`helpers.conv2d_backward`, which its decorator gives it
(helpers/views/signature.py).  The loops come first: they are the oracle
the others are tested against.
"""

from . import convolutions, fast, formula, im2col, loops, matrix

__all__ = ["FORWARD_VIEWS", "BACKWARD_VIEWS"]

FORWARD_VIEWS = {  # (x, w, b=None, *, stride, padding, dilation) -> h
    "loops": loops.conv2d_loops,  # notebooks 01-04: the index formula, one output at a time
    "matrix": matrix.conv2d_matrix,  # notebook 05: C @ x.ravel() per image
    "im2col": im2col.conv2d_im2col,  # notebook 06: cols @ w2.T
    "fast": fast.conv2d,  # the same product, laid out for speed
}

BACKWARD_VIEWS = {  # (dh, x, w, *, stride, padding, dilation) -> (dx, dw, db)
    "loops": loops.conv2d_backward_loops,  # notebooks 01-04: the scatter (+=) loops
    "formula": formula.conv2d_backward_formula,  # notebooks 01-04: correlations with the rotated kernel
    "matrix": matrix.conv2d_backward_matrix,  # notebook 05: C.T @ dh; dw summed over each weight's places
    "im2col": im2col.conv2d_backward_im2col,  # notebook 06: products on im2col, col2im
    "fast": fast.conv2d_backward,  # the same products, laid out for speed
    "convolutions": convolutions.conv2d_backward_by_convolutions,  # conv2d_transpose for dx, conv2d for dw
}
