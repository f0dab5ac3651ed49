"""The old import path of helpers.views.im2col, for helpers.checkers, whose imports still name it (issue 24)."""

from .views.im2col import col2im, im2col  # noqa: F401
