"""Exercise checkers that say *what* is wrong, not just that something is.

Each ``check_*`` function calls the learner's function on a copy of each of a
few problems (random, non-square in every spatial size, with several channels
and filters where the exercise has them, the question's exact shapes where they
apply, and one in small integers) and compares the result with the reference.
When the answer is wrong it is compared with the answers that the common
mistakes produce (kernel rotated twice or not at all, flipped on one axis,
transposed, padded by the wrong amount, no sum over filters, ``=`` instead of
``+=``, channels-first layout, ...) and the matching mistake is named, with the
fix as code.  Whatever the function does, the result is one line starting with ✓ or
✗ (never a traceback), truthy only when correct; its ``diagnosis`` is the
catalogue key of the mistake.  See :mod:`.core` for what every checker shares:
copies of the inputs, changes made in place, float32 precision, float16,
complex, integer and exact (Fraction, Decimal, sympy) answers, None,
exceptions, endless loops, tensors.

One module per notebook topic, beside :mod:`.core`, as in :mod:`helpers.explorers`:
``channels`` (notebooks 01-03), ``numerical`` (01's numerical gradient),
``geometry`` (04), ``layer`` (04's capstone), ``matrix`` (05), ``im2col`` (06),
``training`` (07); :mod:`.calling` runs the learner's function (time limit,
exceptions).
"""

from .channels import (
    check_multi_channel_dx,
    check_question_backward,
    check_single_channel_dw,
    check_single_channel_dx,
)
from .core import TOLERANCE, CheckResult, diagnose
from .geometry import check_strided_dx
from .im2col import check_col2im
from .layer import check_layer_backward
from .matrix import check_conv_matrix
from .numerical import check_numerical_gradient
from .training import check_maxpool_backward

__all__ = [
    "CheckResult", "diagnose", "TOLERANCE",
    "check_single_channel_dx", "check_single_channel_dw", "check_numerical_gradient",
    "check_multi_channel_dx", "check_question_backward",
    "check_strided_dx", "check_layer_backward", "check_conv_matrix", "check_col2im", "check_maxpool_backward",
]
