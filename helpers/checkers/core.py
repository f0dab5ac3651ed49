"""What every checker shares: the result, the comparison with known mistakes, the case runner."""

from dataclasses import dataclass

import numpy as np

from ..formula import full_convolve2d
from ..gradcheck import rel_error

__all__ = ["CheckResult", "diagnose", "TOLERANCE", "ROTATION_MISTAKES_2D"]

TOLERANCE = 1e-9


@dataclass
class CheckResult:
    ok: bool
    message: str

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return ("✓ " if self.ok else "✗ ") + self.message


def _close(a, b):
    return a.shape == b.shape and rel_error(a, b) <= TOLERANCE


def diagnose(name, answer, expected, mistakes=(), layouts=()):
    """Compare one answer with the expected array and with known mistakes.

    mistakes: [(wrong_array, message), ...], the result of each common mistake;
    layouts: [(axes, message), ...], transpositions of the answer to try
    when its shape is wrong.  Returns a CheckResult.
    """
    try:
        answer = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return CheckResult(False, f"{name} must be an array of numbers, got {type(answer).__name__}")
    if _close(answer, expected):
        return CheckResult(True, f"{name} is correct")
    for wrong, message in mistakes:
        if _close(answer, np.asarray(wrong, dtype=float)):
            return CheckResult(False, f"{name}: {message}")
    for axes, message in layouts:  # also when the shapes agree: (16, 3, 3, 3) is both layouts
        if answer.ndim == len(axes) and _close(answer.transpose(axes), expected):
            return CheckResult(False, f"{name}: {message}")
    if answer.shape != expected.shape:
        return CheckResult(False, f"{name} has shape {answer.shape}, expected {expected.shape}")
    worst = np.unravel_index(np.argmax(np.abs(answer - expected)), expected.shape)
    return CheckResult(
        False,
        f"{name} has the right shape {expected.shape} but wrong values (rel. error "
        f"{rel_error(answer, expected):.1e}); the largest difference is at index "
        f"{tuple(int(i) for i in worst)}: got {answer[worst]:.4g}, expected {expected[worst]:.4g}",
    )


def _run(fn, args):
    """Call the learner's function; an exception becomes a failed CheckResult."""
    try:
        return fn(*args), None
    except Exception as err:  # the learner's code may fail in any way
        return None, CheckResult(False, f"your function raised {type(err).__name__}: {err}")


def _check_cases(fn, cases, judge):
    """Run fn on every case; judge(answer, case) -> CheckResult; first failure wins."""
    for case in cases:
        answer, failure = _run(fn, case)
        result = failure if failure is not None else judge(answer, *case)
        if not result:
            return result
    return CheckResult(True, f"correct on {len(cases)} random problems of different shapes")


def _rng():
    return np.random.default_rng(20261125)


ROTATION_MISTAKES_2D = [
    (lambda w: w, "the kernel is not rotated: correlate the zero-padded dL/dh with the rotated kernel "
                   "w[::-1, ::-1]"),
    (lambda w: w[::-1, :], "the kernel is flipped on the rows only; rotate by 180 degrees: w[::-1, ::-1]"),
    (lambda w: w[:, ::-1], "the kernel is flipped on the columns only; rotate by 180 degrees: w[::-1, ::-1]"),
    (lambda w: w.T, "the kernel is transposed (w.T), not rotated; rotate by 180 degrees: w[::-1, ::-1]"),
    (lambda w: w[::-1, ::-1].T, "the kernel is rotated by 90 degrees, not 180: use w[::-1, ::-1]"),
]


def _full_correlate(dh, k):
    """Correlate the zero-padded dh with k: the result of using k where rot180(w) belongs."""
    return full_convolve2d(dh, k[::-1, ::-1])
