"""Helpers for "Backprop through a convolution, step by step".

Channels-last throughout, as in the question:
x (H, W, C) or (N, H, W, C);  w (F, KH, KW, C);  b (F,);
h and dh (OH, OW, F) or (N, OH, OW, F).

Four views of the same backward pass, tested against each other:

* :func:`conv2d_backward_loops`   -- the readable loop reference (scatter view)
* :func:`conv2d_backward_formula` -- correlations with the rotated kernel
* :func:`conv_matrix`             -- dL/dx = C.T @ dL/dh
* :func:`conv2d_backward`         -- vectorised: im2col, matrix products, col2im
"""

from . import checkers, explorers, plotting
from .formula import conv2d_backward_formula, correlate2d, dilate, full_convolve2d, rotate180
from .geometry import ConvGeometry, conv_geometry, output_size
from .gradcheck import compare, numerical_gradient, rel_error
from .matrix import conv_matrix, conv_matrix_pattern
from .reference import conv2d_backward_loops, conv2d_loops
from .vectorised import col2im, conv2d, conv2d_backward, conv2d_transpose, im2col

__all__ = [
    "checkers", "explorers", "plotting",
    "ConvGeometry", "conv_geometry", "output_size",
    "conv2d_loops", "conv2d_backward_loops",
    "correlate2d", "full_convolve2d", "rotate180", "dilate", "conv2d_backward_formula",
    "im2col", "col2im", "conv2d", "conv2d_backward", "conv2d_transpose",
    "conv_matrix", "conv_matrix_pattern",
    "numerical_gradient", "rel_error", "compare",
]
