"""What every checker shares: the result, reading an answer, the comparison with known mistakes, the case runner.

A checker is a judge, ``check_x(answer, *case) -> CheckResult`` calling
:func:`diagnose`, made by the :func:`checker` decorator into ``check_x(fn)``:
it calls the learner's function on a deep copy of each case (the arguments),
so the expected answer comes from untouched inputs and a change made in place
is caught and named; ``check_x.catalogue()`` lists the mistakes it names.
Whatever the function does (raises any exception, returns None, a string, a
generator, a PyTorch tensor, NaN, a ragged list, a wrong shape, never returns),
the result is one line, never a traceback; see :mod:`.calling` for the time
limit and the exceptions.

An answer passes when its relative error ``max|a - b| / max(|a| + |b|)`` is at
most :data:`TOLERANCE`, which float32 arithmetic meets: about a hundred float32
roundings, far below what any catalogued mistake is off by.  Exact numbers
(an object array of ``fractions.Fraction``, ``decimal.Decimal``, sympy
numbers, Python ints beyond int64) are judged by their values.  float16
answers are refused as too coarse to check, complex ones as not real (with
``.real`` as the fix when the imaginary parts are round-off), and integer ones
whose right values are not whole numbers as truncated.
"""

import copy
import inspect
import itertools
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from numbers import Integral, Number

import numpy as np

from ..formula import correlate2d, full_convolve2d
from ..gradcheck import rel_error
from .calling import call, who

__all__ = ["CheckResult", "checker", "diagnose", "TOLERANCE", "GENERIC_DIAGNOSES", "Views", "rotation_mistakes",
           "padding_mistakes"]

TOLERANCE = 1e-5
GENERIC_DIAGNOSES = {
    "not-callable": "the checker was given something other than a function",
    "signature": "the function cannot be called with the exercise's arguments (its signature does not bind them)",
    "not-written": "the function still raises NotImplementedError from its own body (the exercise's stub)",
    "raised": "the function raised an exception (any kind but KeyboardInterrupt), with the line of the learner's "
              "code that led to it, even when a library raised it",
    "time-limit": "the function did not finish within calling.TIME_LIMIT seconds (an endless loop?)",
    "in-place": "the function changed one of its arguments in place (named), whether or not the answer is right",
    "none": "the function returned None (a missing `return`), or one of the gradients it returned is None",
    "tuple": "not a tuple of the expected length, e.g. (dx, dw) instead of (dx, dw, db)",
    "order": "the right parts of a tuple in the wrong order, e.g. (dw, dx, db) instead of (dx, dw, db)",
    "one-tuple": "a tuple of one array, (dx,), where the array itself is expected (`return dx,`)",
    "generator": "a generator or another one-shot iterator instead of an array",
    "sparse": "a SciPy sparse matrix: `.toarray()` makes it an array",
    "not-numbers": "a string, booleans, Python objects, sympy symbols, masked entries, a dict: not numbers",
    "ragged": "a list whose rows have different lengths",
    "complex": "complex values with imaginary parts larger than round-off",
    "complex-round-off": "complex values whose imaginary parts are round-off: take `.real`",
    "float16": "float16 (or bfloat16): too coarse to check",
    "integer": "an integer array where the right values are not whole numbers (truncated)",
    "not-finite": "NaN or inf, or an integer too large for a float",
    "size-1-axis": "the right values with an extra, a missing or a misplaced axis of size 1",
    "shape": "a wrong shape that no catalogued mistake explains",
    "values": "the right shape, wrong values that no catalogued mistake explains (the largest difference shown)",
    "checker-error": "the checker itself failed on the answer (a bug to report)",
}
"""The diagnoses every checker makes, whatever the exercise; each checker's own are in its catalogue()."""


@dataclass
class CheckResult:
    """ok: correct?  message: one line for the learner;  diagnosis: the catalogue key of what is wrong."""

    ok: bool
    message: str
    diagnosis: str = ""

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return ("✓ " if self.ok else "✗ ") + self.message


def _fail(diagnosis, message):
    return CheckResult(False, message, diagnosis)


# ---- reading an answer -----------------------------------------------------------------------------

def _from_torch(value):
    """A PyTorch tensor (even one that requires grad, or on a GPU) as a NumPy array; other values as they are."""
    if type(value).__module__.split(".")[0] == "torch" and hasattr(value, "detach"):
        tensor = value.detach().cpu()
        if str(tensor.dtype) in ("torch.float16", "torch.bfloat16"):
            return tensor.float().numpy().astype(np.float16)  # judged, and refused, as float16
        return tensor.resolve_conj().numpy() if tensor.is_complex() else tensor.numpy()
    if isinstance(value, (list, tuple)):
        return type(value)(_from_torch(v) for v in value)
    return value


def _type_name(value):
    return type(value).__name__


def _a(noun):
    """'a noun' or 'an noun', by its first letter ('an iterator', 'a list_iterator')."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _exact_numbers(name, a):
    """(float64 or complex128 array, kind) for an object array of numbers, judged by value, or (None, failure).

    The numbers may be fractions.Fraction, decimal.Decimal, sympy numbers, Python ints beyond int64;
    kind is "i" when all are integers (so truncation is named), "c" when some are complex, else "f".
    """
    flat = a.ravel()
    others = [v for v in flat if not isinstance(v, Number)]
    if others:
        types = ", ".join(sorted({_type_name(v) for v in others}))
        if any(type(v).__module__.startswith("sympy") for v in others):
            return None, _fail("not-numbers", f"{name} holds sympy expressions ({types}), not numbers: give "
                                              "the symbols values (expr.subs(...)) or compute with numbers")
        return None, _fail("not-numbers", f"{name} is an array of Python objects ({types}), not of numbers")
    try:
        try:
            return a.astype(np.float64), "i" if all(isinstance(v, Integral) for v in flat) else "f"
        except TypeError:  # complex numbers among them
            return a.astype(np.complex128), "c"
    except OverflowError:
        digits = max(len(str(abs(int(v)))) for v in flat if isinstance(v, Integral))
        return None, _fail("not-finite", f"{name} holds an integer of {digits} digits, too large for a float: "
                                         "look for a product or a power that grows without bound")
    except (TypeError, ValueError, ArithmeticError) as err:  # Decimal("sNaN"), a number type float() refuses
        return None, _fail("not-numbers", f"{name} holds numbers that cannot be read as floats "
                                          f"({type(err).__name__}: {err})")


def read_answer(name, answer):
    """(answer as a float64 or complex128 array, its original dtype kind) or (None, a failed CheckResult).

    name: what the answer is, for the message ("dL/dx").
    """
    if answer is None:
        return None, _fail("none", f"{name} is None: did you forget to compute it or to `return` it?")
    if isinstance(answer, (str, bytes)):
        return None, _fail("not-numbers", f"{name} is a string ({str(answer)[:40]!r}), not an array of numbers")
    if isinstance(answer, Iterator) and not isinstance(answer, np.ndarray):
        return None, _fail("generator", f"{name} is {_a(_type_name(answer))}, which can be read only once: "
                                        f"build the array, e.g. np.array(list(...)) or np.stack([...])")
    if np.ma.is_masked(answer):
        masked = int(np.ma.count_masked(answer))
        return None, _fail("not-numbers", f"{name} is a masked array with {masked} masked "
                                          f"{'entry' if masked == 1 else 'entries'}: every entry of a gradient has a "
                                          "value; return a plain array")
    if type(answer).__module__.startswith("scipy.sparse"):
        return None, _fail("sparse", f"{name} is a SciPy sparse matrix ({_type_name(answer)}): make it an array "
                                     "with `.toarray()`")
    try:
        a = np.asarray(_from_torch(answer))
    except ValueError as err:
        if "inhomogeneous" in str(err) or "sequence" in str(err):
            return None, _fail("ragged", f"{name} is a ragged list (its rows have different lengths), "
                                         f"not a rectangular array")
        return None, _fail("not-numbers", f"{name} could not be read as an array of numbers "
                                          f"({_type_name(answer)}: {err})")
    except Exception as err:  # any object whose conversion fails
        return None, _fail("not-numbers", f"{name} could not be read as an array of numbers "
                                          f"({_type_name(answer)}: {type(err).__name__}: {err})")
    kind = a.dtype.kind
    if kind == "O" and a.ndim == 0 and not isinstance(a.item(), Number):
        return None, _fail("not-numbers", f"{name} is {_a(_type_name(a.item()))}, not an array of numbers")
    if kind == "O":
        return _exact_numbers(name, a)
    if kind == "c":
        return a, kind
    if kind == "f" and a.dtype.itemsize < 4:
        return None, _fail("float16", f"{name} is {a.dtype}, too coarse to check (about 3 significant digits): "
                                      "compute in float32 or float64")
    if kind == "b":
        return None, _fail("not-numbers", f"{name} holds booleans (True/False), not numbers")
    if kind not in "iuf":
        return None, _fail("not-numbers", f"{name} has dtype {a.dtype}, not numbers")
    return a.astype(np.float64), kind


# ---- comparing an answer with the expected one and with known mistakes ------------------------------

_CATALOGUE = ContextVar("catalogue", default=None)  # a dict while check_x.catalogue() collects the mistakes


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
        return _fail("one-tuple", f"{name} is a tuple of one array: return the array itself (the comma in "
                                  "`return dx,` makes a tuple)")
    answer, kind = read_answer(name, answer)
    if answer is None:
        return kind  # the failed CheckResult
    if kind == "c":
        return _complex(name, answer, expected, mistakes, layouts)
    if answer.size and not np.isfinite(answer).all():
        bad = np.argwhere(~np.isfinite(answer))
        first = tuple(int(i) for i in bad[0])
        return _fail("not-finite", f"{name} contains NaN or inf ({len(bad)} of {answer.size} entries, the first at "
                                   f"index {first}): look for a division by zero, an overflow or an uninitialised "
                                   "np.empty")
    if _close(answer, expected):
        return CheckResult(True, f"{name} is correct")
    if kind in "iu" and not np.array_equal(expected, np.round(expected)):
        return _fail("integer", f"{name} is an integer array, so its values were truncated to whole numbers: "
                                "create float arrays (np.zeros(shape), not dtype=int or np.zeros_like of an "
                                "integer array)")
    for key, wrong, message in mistakes:
        wrong = _evaluate(wrong)
        if wrong is not None and _close(answer, wrong):
            return _fail(key, f"{name}: {message}")
    for key, axes, message in layouts:  # also when the shapes agree: (16, 3, 3, 3) is both layouts
        if answer.ndim == len(axes) and _close(answer.transpose(axes), expected):
            return _fail(key, f"{name}: {message}")
    if answer.shape != expected.shape:
        extra_axis = _size_1_axis(name, answer, expected)
        if extra_axis is not None:
            return extra_axis
        what = "a single number" if answer.ndim == 0 else f"shape {answer.shape}"
        return _fail("shape", f"{name} has {what}, expected shape {expected.shape}")
    return _fail("values", _wrong_values(name, answer, expected))


def _complex(name, answer, expected, mistakes, layouts):
    """A complex answer: refused, with `.real` as the fix when its imaginary parts are round-off."""
    imag = float(np.max(np.abs(answer.imag), initial=0.0))
    scale = max(float(np.max(np.abs(answer.real), initial=0.0)), float(np.max(np.abs(expected), initial=0.0)))
    if imag > TOLERANCE * scale or not np.isfinite(imag):
        return _fail("complex", f"{name} is complex ({answer.dtype}, largest imaginary part {imag:.3g}); the "
                                "gradient of a real loss with respect to real inputs is real: build it from real "
                                "operations (np.real(...) only hides where the complex numbers came from)")
    real = diagnose(name, answer.real, expected, mistakes, layouts)
    if real:
        return _fail("complex-round-off", f"{name} is complex ({answer.dtype}), but its imaginary parts are "
                                          f"round-off (at most {imag:.1e}) and its real part is right: take the "
                                          "real part, `.real`")
    return _fail(real.diagnosis, f"{real.message}; besides, it is complex: take the real part, `.real`")


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
    return _fail("size-1-axis", f"{name} has shape {answer.shape}, expected {expected.shape}: the right values "
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


def _unpack(answer, names):
    """The parts of an answer that must be a tuple such as (dx, dw, db), or a failed CheckResult."""
    form = f"({', '.join(names)})"
    if isinstance(answer, Iterator):
        return None, _fail("generator", f"return the {len(names)} gradients as a tuple {form}, not "
                                        f"{_a(_type_name(answer))}")
    if not isinstance(answer, (tuple, list)):
        return None, _fail("tuple", f"return the {len(names)} gradients as a tuple {form}, not one "
                                    f"{_type_name(answer)}: `return {', '.join(names)}`")
    if len(answer) != len(names):
        return None, _fail("tuple", f"returned {_count(len(answer), 'value')}, expected {len(names)}: "
                                    f"`return {', '.join(names)}`")
    return list(answer), None


def _shape(value):
    """np.shape(value), or None for what has none (a ragged list)."""
    try:
        return np.shape(_from_torch(value))
    except Exception:
        return None


def _reordered(judge, parts, case, names, shapes):
    """A failure naming the order, when the parts are right in another order; else None.

    shapes: the expected shape of each part; only orders that give every part its shape are judged.
    """
    for order in itertools.permutations(range(len(parts))):
        if order == tuple(sorted(order)) or any(_shape(parts[i]) != shape for i, shape in zip(order, shapes)):
            continue
        if judge([parts[i] for i in order], *case):
            returned = [""] * len(parts)
            for name, i in zip(names, order):
                returned[i] = name
            return _fail("order", f"the parts are in the wrong order: you returned ({', '.join(returned)}); "
                                  f"`return {', '.join(names)}`")
    return None


def all_of(results):
    """The first failed CheckResult, or a passing one."""
    return next((r for r in results if not r), CheckResult(True, ""))


# ---- running the learner's function ------------------------------------------------------------------

def _same(before, after):
    """Is the argument after the call what it was before (values, shape and dtype)?"""
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and before.shape == after.shape and before.dtype == after.dtype
                and np.array_equal(before, after, equal_nan=True))
    return before == after


def _parameter_name(fn, position, default):
    """The learner's name for the argument at position, or the checker's."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return default
    if position < len(params) and params[position].kind in (params[position].POSITIONAL_ONLY,
                                                              params[position].POSITIONAL_OR_KEYWORD):
        return params[position].name
    return default


def _changed_in_place(fn, originals, copies, names, result, fixes):
    """A failed CheckResult naming the first argument fn changed in place, or None.

    fixes: {argument name: the fix as words}, instead of working on a copy.
    """
    for position, (name, before, after) in enumerate(zip(names, originals, copies)):
        if not _same(before, after):
            arg = _parameter_name(fn, position, name)
            fix = fixes.get(name, f"work on a copy (`{arg} = {arg}.copy()`) or write into a new array")
            verdict = "apart from that, the answer is correct" if result else f"besides, {result.message}"
            return _fail("in-place", f"{who(fn)} changed its argument `{arg}` in place, which changes the "
                                     f"caller's array too: {fix}; {verdict}")
    return None


def _judge(judge, answer, case):
    try:
        return judge(answer, *case)
    except Exception as err:  # a checker bug must not show the learner a traceback either
        return _fail("checker-error", f"the checker could not judge this answer ({type(err).__name__}: {err}); "
                                      "please report it")


def _check_cases(fn, cases, judge, names, fixes):
    """Run fn on a copy of every case; judge(answer, *case) -> CheckResult; the first failure wins.

    names: the checker's names of fn's arguments, for the messages;  fixes: see _changed_in_place.
    """
    if not callable(fn):
        return _fail("not-callable", f"pass the function itself (for example `my_dx`, not `my_dx(...)`), got "
                                     f"{_type_name(fn)}")
    for case in cases:
        copies = copy.deepcopy(case)
        answer, failure = call(fn, copies, names)
        if failure is not None:
            return _fail(*failure)
        if answer is None:
            result = _fail("none", f"{who(fn)} returned None: did you forget `return`?")
        else:
            result = _judge(judge, answer, case)
        changed = _changed_in_place(fn, case, copies, names, result, fixes)
        if changed is not None:
            return changed
        if not result:
            return result
    return CheckResult(True, f"correct on {len(cases)} problems of different shapes")


def checker(*, cases, names, returns=None, shapes=None, in_place_fixes=None):
    """Make judge(answer, *case) -> CheckResult into check(fn) -> CheckResult.

    cases: () -> [case, ...], each case a tuple of fn's arguments (the last ones
    may be left out, to use fn's defaults);  names: the arguments' names;
    returns: the names of the parts when fn returns a tuple, such as
    ("dx", "dw", "db") (the judge then gets the list of parts);  shapes:
    (*case) -> the expected shape of each part, to name parts in the wrong order;
    in_place_fixes: {argument name: how to avoid changing it}, when "work on a
    copy" is not the natural fix.
    check(fn) runs fn on a copy of every case; check.catalogue() lists the
    mistakes it can name; check.cases() gives its problems.
    """
    def wrap(judge):
        def judge_answer(answer, *case):
            if returns is None:
                return judge(answer, *case)
            parts, failure = _unpack(answer, returns)
            if failure is not None:
                return failure
            result = judge(parts, *case)
            reordered = None if result or shapes is None else _reordered(judge, parts, case, returns, shapes(*case))
            return result if reordered is None else reordered

        def check(fn):
            return _check_cases(fn, cases(), judge_answer, names, in_place_fixes or {})

        def catalogue():
            """{diagnosis key: its message on the first problem where it can happen}, for every catalogued mistake."""
            found = {}
            token = _CATALOGUE.set(found)
            try:
                for case in cases():
                    judge(None if returns is None else [None] * len(returns), *case)
            finally:
                _CATALOGUE.reset(token)
            return found

        check.__name__, check.__qualname__ = judge.__name__, judge.__qualname__
        check.__doc__, check.__module__ = judge.__doc__, judge.__module__
        check.__signature__ = inspect.Signature([inspect.Parameter("fn", inspect.Parameter.POSITIONAL_OR_KEYWORD)])
        check.catalogue, check.cases, check.names = catalogue, cases, names
        return check
    return wrap


# ---- what the checkers' cases and mistakes share ----------------------------------------------------

def _rng():
    return np.random.default_rng(20261125)


def _integers(rng, shape, low=-3, high=4):
    """Small random integers (a worked example's kind of input)."""
    return rng.integers(low, high, size=shape)


@dataclass(frozen=True)
class Views:
    """The two views of dL/dx as code in an exercise's setting, for the messages about the kernel and the stride.

    A checker sees only the learner's array, not their code, and the two views need the kernel in opposite
    orientations: a kernel the gather view correlates with is the kernel the scatter loop adds, rotated.
    So every message about the orientation names what was used in each view and what each one needs.

    kernel: w with slots for its two spatial axes ("w[{}, {}, :]");  transpose: the method swapping them
    (".transpose(1, 0, 2)");  scatter: the scatter loop's line;  dh: what the gather view correlates.
    """

    kernel: str
    transpose: str
    scatter: str
    dh: str = "the zero-padded dL/dh"

    def k(self, rows, cols):
        """The kernel with these slices on its two spatial axes, as code."""
        return self.kernel.format(rows, cols)

    @property
    def rot(self):
        return self.k("::-1", "::-1")

    @property
    def fix(self):
        return (f"the gather view correlates {self.dh} with the rotated kernel {self.rot}; the scatter loop adds "
                f"the kernel unrotated, `{self.scatter}`")


def rotation_mistakes(views):
    """(key, wrong(w) -> the kernel the gather view used instead of rot180(w), message) in views' setting.

    wrong acts on the first two axes of w (KH, KW, ...).  The scatter loop that adds rot180(wrong(w))
    gives the same answer, so each message names the kernel of both views.
    """
    v = views

    def two_views(what, gather, scatter):
        return f"the kernel is {what}: {gather} in the gather view, or {scatter} in the scatter loop; {v.fix}"

    rot90 = f"the kernel is rotated by 90 degrees (np.rot90); {v.fix}"
    return [
        ("rotated-twice", lambda w: w, f"the kernel is rotated twice, or not at all (both give this dL/dx); {v.fix}"),
        ("rows-only", lambda w: w[::-1, :], two_views("flipped on one axis only", v.k("::-1", ":"), v.k(":", "::-1"))),
        ("columns-only", lambda w: w[:, ::-1], two_views("flipped on one axis only", v.k(":", "::-1"),
                                                         v.k("::-1", ":"))),
        ("transposed", lambda w: w.swapaxes(0, 1), two_views("transposed", "w" + v.transpose, v.rot + v.transpose)),
        ("rotated-90", lambda w: np.rot90(w, 1, axes=(0, 1)), rot90),
        ("rotated-90", lambda w: np.rot90(w, -1, axes=(0, 1)), rot90),
        ("rotated-transposed", lambda w: w[::-1, ::-1].swapaxes(0, 1),
         two_views("transposed", v.rot + v.transpose, "w" + v.transpose)),
    ]


def _count(n, noun):
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _both_sides(rows, cols):
    """np.pad's widths ((top, bottom), (left, right)) for rows and cols on each side."""
    return (rows, rows), (cols, cols)


def padding_mistakes(KH, KW, fix, dh="dh"):
    """(key, np.pad widths ((top, bottom), (left, right)) of dL/dh, message): the common wrong zero-paddings.

    None (a valid correlation); the same amount on both axes; 1; K or K - 2 (one too many or too few);
    np.pad(dh, (KH - 1, KW - 1)), one pair for both axes.  fix: the right np.pad, as code; dh: the name
    of the padded array.  The messages say which amounts were used.
    """
    def wrong(rows, cols):
        why = {(KH, KW): " (KH and KW, one too many)", (KH - 2, KW - 2): " (KH - 2 and KW - 2, one too few)"}
        return (f"dL/dh is zero-padded by {_count(rows, 'row')} and {_count(cols, 'column')} on each side"
                f"{why.get((rows, cols), '')}; it needs KH - 1 = {_count(KH - 1, 'row')} and KW - 1 = "
                f"{_count(KW - 1, 'column')}: {fix}")
    amounts = [(KH - 1, KH - 1), (KW - 1, KW - 1), (1, 1), (KH, KW)] + [(KH - 2, KW - 2)] * (min(KH, KW) >= 2)
    return [  # one pair first: after a crop, it can give what padding by KH - 1 on both axes gives
        ("valid", _both_sides(0, 0), "this is a valid correlation; dL/dx needs the full one: zero-pad dL/dh by "
                                     f"KH - 1 rows and KW - 1 columns on each side first: {fix}"),
        ("pad-one-pair", ((KH - 1, KW - 1), (KH - 1, KW - 1)),
         f"np.pad({dh}, (KH - 1, KW - 1)) pads every axis by KH - 1 before and KW - 1 after; give one pair per "
         f"axis: {fix}"),
        *(("pad-amount", _both_sides(rows, cols), wrong(rows, cols)) for rows, cols in amounts),
    ]


def _full_correlate(dh, k, pad=None):
    """Correlate dh, zero-padded by np.pad's widths pad (default: k's size - 1 on each side), with k.

    With k = rot180(w) and the default padding this is dL/dx; anything else is what
    a learner gets who uses k where rot180(w) belongs or pads by the wrong amount.
    """
    if pad is None:
        return full_convolve2d(dh, k[::-1, ::-1])
    return correlate2d(np.pad(dh, pad), k)
