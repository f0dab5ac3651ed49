"""Diagnosing an answer: right, or which known mistake it is, or what else is wrong, in one line.

:func:`diagnose` reads the answer (:mod:`.reading`), compares it with the expected array and then with
the arrays the exercise's common mistakes give, and names the first that matches, with its fix.
An answer passes when its relative error ``max|a - b| / max(|a| + |b|)`` is at most :data:`TOLERANCE`,
which float32 arithmetic meets: about a hundred float32 roundings, far below what any catalogued
mistake is off by.  Complex answers are refused as not real (with ``.real`` as the fix when the
imaginary parts are round-off), and integer ones whose right values are not whole numbers as truncated.
While :func:`recording_mistakes` is active, diagnose also writes down every mistake it could name:
that is how ``check_x.catalogue()`` lists them.
"""

from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

from .. import rel_error
from .reading import read_answer
from .result import CheckResult, fail

__all__ = ["TOLERANCE", "diagnose", "recording_mistakes"]

TOLERANCE = 1e-5
_CATALOGUE = ContextVar("catalogue", default=None)  # a dict while recording_mistakes() is active


@contextmanager
def recording_mistakes():
    """Yield a dict to which every diagnose() call inside adds its mistakes: {key: its message}, the first kept."""
    found = {}
    token = _CATALOGUE.set(found)
    try:
        yield found
    finally:
        _CATALOGUE.reset(token)


def _close(a, b):
    return a.shape == b.shape and rel_error(a, b) <= TOLERANCE


def _distinct_digits(got, expected):
    """got and expected printed with just enough significant digits to differ (never 'got 2.622, expected 2.622')."""
    for digits in range(4, 18):
        a, b = f"{got:.{digits}g}", f"{expected:.{digits}g}"
        if a != b:
            return a, b
    return repr(float(got)), repr(float(expected))


def _evaluate(wrong):
    """A mistake's array, computed now when given as a function; None when that mistake cannot happen here."""
    if callable(wrong):
        try:
            wrong = wrong()
        except ValueError:  # e.g. a valid correlation where the kernel does not fit
            return None
    return np.asarray(wrong, dtype=np.float64)


def diagnose(name, answer, expected, mistakes=(), layouts=()):
    """Compare one answer with the expected array and with known mistakes.

    name: what the answer is ("dL/dx");  expected: the right array;
    mistakes: [(key, wrong, message), ...] where wrong is the array a common
    mistake gives, or a function computing it (called only if needed);
    layouts: [(key, axes, message), ...], transpositions of the answer to try.
    Returns a CheckResult whose diagnosis is the key of the named mistake.
    """
    recording = _CATALOGUE.get()
    if recording is not None:
        for key, _, message in [*mistakes, *layouts]:
            recording.setdefault(key, f"{name}: {message}")
    expected = np.asarray(expected, dtype=np.float64)
    if isinstance(answer, tuple) and len(answer) == 1 and expected.shape[:1] != (1,):
        return fail("one-tuple", f"{name} is a tuple of one array: return the array itself (the comma in "
                                 "`return dx,` makes a tuple)")
    answer, kind = read_answer(name, answer)
    if answer is None:
        return kind  # the failed CheckResult
    if kind == "c":
        return _complex(name, answer, expected, mistakes, layouts)
    if answer.size and not np.isfinite(answer).all():
        bad = np.argwhere(~np.isfinite(answer))
        first = tuple(int(i) for i in bad[0])
        return fail("not-finite", f"{name} contains NaN or inf ({len(bad)} of {answer.size} entries, the first at "
                                  f"index {first}): look for a division by zero, an overflow or an uninitialised "
                                  "np.empty")
    if _close(answer, expected):
        return CheckResult(True, f"{name} is correct")
    if kind in "iu" and not np.array_equal(expected, np.round(expected)):
        return fail("integer", f"{name} is an integer array, so its values were truncated to whole numbers: "
                               "create float arrays (np.zeros(shape), not dtype=int or np.zeros_like of an "
                               "integer array)")
    for key, wrong, message in mistakes:
        wrong = _evaluate(wrong)
        if wrong is not None and _close(answer, wrong):
            return fail(key, f"{name}: {message}")
    for key, axes, message in layouts:  # also when the shapes agree: (16, 3, 3, 3) is both layouts
        if answer.ndim == len(axes) and _close(answer.transpose(axes), expected):
            return fail(key, f"{name}: {message}")
    if answer.shape != expected.shape:
        extra_axis = _size_1_axis(name, answer, expected)
        if extra_axis is not None:
            return extra_axis
        what = "a single number" if answer.ndim == 0 else f"shape {answer.shape}"
        return fail("shape", f"{name} has {what}, expected shape {expected.shape}")
    return fail("values", _wrong_values(name, answer, expected))


def _complex(name, answer, expected, mistakes, layouts):
    """A complex answer: refused, with `.real` as the fix when its imaginary parts are round-off."""
    imag = float(np.max(np.abs(answer.imag), initial=0.0))
    scale = max(float(np.max(np.abs(answer.real), initial=0.0)), float(np.max(np.abs(expected), initial=0.0)))
    if imag > TOLERANCE * scale or not np.isfinite(imag):
        return fail("complex", f"{name} is complex ({answer.dtype}, largest imaginary part {imag:.3g}); the "
                               "gradient of a real loss with respect to real inputs is real: build it from real "
                               "operations (np.real(...) only hides where the complex numbers came from)")
    real = diagnose(name, answer.real, expected, mistakes, layouts)
    if real:
        return fail("complex-round-off", f"{name} is complex ({answer.dtype}), but its imaginary parts are "
                                         f"round-off (at most {imag:.1e}) and its real part is right: take the "
                                         "real part, `.real`")
    return fail(real.diagnosis, f"{real.message}; besides, it is complex: take the real part, `.real`")


def _size_1_axis(name, answer, expected):
    """A failure naming an extra, a missing or a misplaced axis of size 1, when nothing else is wrong; else None."""
    if [n for n in answer.shape if n != 1] != [n for n in expected.shape if n != 1]:
        return None
    if not _close(answer.reshape(expected.shape), expected):
        return None
    if answer.ndim > expected.ndim:
        what, fix = "an extra axis of size 1", "drop it, e.g. with np.squeeze(..., axis) or by indexing [0]"
    elif answer.ndim < expected.ndim:
        what, fix = "a missing axis of size 1", "add it, e.g. with np.expand_dims(..., axis) or [None]"
    else:
        what, fix = "an axis of size 1 in the wrong place", f"reshape it to {expected.shape}"
    return fail("size-1-axis", f"{name} has shape {answer.shape}, expected {expected.shape}: the right values "
                               f"with {what}; {fix}")


def _wrong_values(name, answer, expected):
    err = rel_error(answer, expected)
    worst = np.unravel_index(np.argmax(np.abs(answer - expected)), expected.shape)
    got, want = _distinct_digits(answer[worst], expected[worst])
    hint = ""
    if not answer.any():
        hint = "; your answer is all zeros"
    elif err < 1e-2:
        hint = "; that is close, but only to a few digits: was something computed in float16, or rounded?"
    return (f"{name} has the right shape {expected.shape} but wrong values (rel. error {err:.1e}); the largest "
            f"difference is at index {tuple(int(i) for i in worst)}: got {got}, expected {want}{hint}")
