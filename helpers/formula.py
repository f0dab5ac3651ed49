"""The old import path of helpers.views.formula, for helpers.checkers, whose imports still name it (issue 24)."""

from .views.formula import correlate2d, dilate, full_convolve2d  # noqa: F401
