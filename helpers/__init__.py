"""Helpers for "Backprop through a convolution, step by step".

Channels-last throughout, as in the question:
x (H, W, C) or (N, H, W, C);  w (F, KH, KW, C);  b (F,);
h and dh (OH, OW, F) or (N, OH, OW, F).

Views of the same backward pass, tested against each other
(the registry :data:`helpers.views.BACKWARD_VIEWS`, one module per view):

* :func:`conv2d_backward_loops`   -- the readable loop reference (scatter view), helpers.views.loops
* :func:`conv2d_backward_formula` -- correlations with the rotated kernel, helpers.views.formula
* :func:`conv2d_backward_matrix`  -- dL/dx = C.T @ dL/dh, dL/dw from C's pattern, helpers.views.matrix
* :func:`conv2d_backward_im2col`  -- im2col, matrix products, col2im, helpers.views.im2col
* :func:`conv2d_backward`         -- the same products laid out for speed, helpers.views.fast
* :func:`conv2d_backward_by_convolutions` -- conv2d_transpose and conv2d, helpers.views.convolutions

The submodules ``checkers``, ``explorers``, ``plotting`` and ``layers`` load
on first use, so ``import helpers`` imports neither matplotlib nor IPython;
it first checks that every package the helpers need is installed and recent
enough (``helpers._requirements``).
"""

import importlib
from pathlib import Path

from . import _requirements

_requirements.on_import(Path(__file__).parent)  # before numpy: names a package that is missing or too old

from .geometry import ConvGeometry, conv_geometry, output_size, window_geometry
from .gradcheck import compare, numerical_gradient, rel_error
from .views import BACKWARD_VIEWS, FORWARD_VIEWS
from .views.convolutions import conv2d_backward_by_convolutions, conv2d_transpose
from .views.fast import conv2d, conv2d_backward
from .views.formula import conv2d_backward_formula, correlate2d, dilate, full_convolve2d, rotate180
from .views.im2col import col2im, conv2d_backward_im2col, conv2d_im2col, im2col
from .views.loops import conv2d_backward_loops, conv2d_loops
from .views.matrix import conv2d_backward_matrix, conv2d_matrix, conv_matrix, conv_matrix_pattern

LAZY_SUBMODULES = ("checkers", "explorers", "plotting", "layers")

__all__ = [
    *LAZY_SUBMODULES,
    "ConvGeometry", "conv_geometry", "window_geometry", "output_size",
    "conv2d_loops", "conv2d_backward_loops",
    "correlate2d", "full_convolve2d", "rotate180", "dilate", "conv2d_backward_formula",
    "conv_matrix", "conv_matrix_pattern", "conv2d_matrix", "conv2d_backward_matrix",
    "im2col", "col2im", "conv2d_im2col", "conv2d_backward_im2col",
    "conv2d", "conv2d_backward", "conv2d_transpose", "conv2d_backward_by_convolutions",
    "FORWARD_VIEWS", "BACKWARD_VIEWS",
    "numerical_gradient", "rel_error", "compare",
]


def __getattr__(name):
    """helpers.checkers, helpers.explorers, ...: imported on first use."""
    if name in LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(LAZY_SUBMODULES))
