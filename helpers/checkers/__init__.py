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
catalogue key of the mistake.

What every checker shares, by what it does: :mod:`.running` runs the learner's
function on copies of every problem (changes made in place, the ``checker``
decorator), :mod:`.calling` makes one call (time limit, exceptions),
:mod:`.reading` reads an answer (float32, float16, complex, integer and exact
answers: Fraction, Decimal, sympy; None, tensors), :mod:`.diagnosis` compares it
with the right one and the known mistakes, :mod:`.result` is the verdict, and
:mod:`.cases` holds what the problems and the mistakes of dL/dx share.
The checkers compute with the public names of :mod:`helpers`, as the notebooks do.

One module per notebook topic, as in :mod:`helpers.explorers`:
``channels`` (notebooks 01-03), ``numerical`` (01's numerical gradient),
``geometry`` (04), ``layer`` (04's capstone), ``matrix`` (05), ``im2col`` (06),
``training`` (07).
"""

from .channels import (
    check_multi_channel_dx,
    check_question_backward,
    check_single_channel_dw,
    check_single_channel_dx,
)
from .diagnosis import TOLERANCE, diagnose
from .geometry import check_strided_dx
from .im2col import check_col2im
from .layer import check_layer_backward
from .matrix import check_conv_matrix
from .numerical import check_numerical_gradient
from .result import CheckResult
from .training import check_maxpool_backward

__all__ = [
    "CheckResult", "diagnose", "TOLERANCE",
    "check_single_channel_dx", "check_single_channel_dw", "check_numerical_gradient",
    "check_multi_channel_dx", "check_question_backward",
    "check_strided_dx", "check_layer_backward", "check_conv_matrix", "check_col2im", "check_maxpool_backward",
]
