"""Exercise checkers that say *what* is wrong, not just that something is.

Each ``check_*`` function calls the learner's function on a few random,
non-square, non-symmetric problems (random upstream gradients, square
kernels so a transposed kernel still has the right shape) and compares the
result with the reference.  When the answer is wrong it is compared with the
answers that the common mistakes produce (kernel not rotated, rotated on one
axis, transposed, no sum over filters, ``=`` instead of ``+=``, channels-first
layout, ...) and the matching mistake is named.  The result prints as one
line starting with ✓ or ✗ and is truthy only when correct.

One module per notebook topic, beside :mod:`.core` (the result type, the
comparison with known mistakes, the case runner), as in :mod:`helpers.explorers`:
``channels`` (notebooks 01-03), ``geometry`` (04), ``matrix`` (05),
``im2col`` (06), ``training`` (07).
"""

from .channels import (
    check_multi_channel_dx,
    check_question_backward,
    check_single_channel_dw,
    check_single_channel_dx,
)
from .core import CheckResult, diagnose
from .geometry import check_strided_dx
from .im2col import check_col2im
from .matrix import check_conv_matrix
from .training import check_maxpool_backward

__all__ = [
    "CheckResult", "diagnose",
    "check_single_channel_dx", "check_single_channel_dw",
    "check_multi_channel_dx", "check_question_backward",
    "check_strided_dx", "check_conv_matrix", "check_col2im", "check_maxpool_backward",
]
