"""The old import path of helpers.views.fast, for helpers.checkers, whose imports still name it (issue 24)."""

from .views.convolutions import conv2d_transpose  # noqa: F401
from .views.fast import conv2d, conv2d_backward  # noqa: F401
