"""What every checker shares: the result, reading an answer, the comparison with known mistakes, the case runner.

A checker is a judge, ``check_x(answer, *case) -> CheckResult`` calling
:func:`diagnose`, made by the :func:`checker` decorator into ``check_x(fn)``:
it calls the learner's function on a deep copy of each case (the arguments),
so the expected answer comes from untouched inputs and a change made in place
is caught and named; ``check_x.catalogue()`` lists the mistakes it names.
Whatever the function does (raises any exception, returns None, a string, a
generator, a PyTorch tensor, NaN, a ragged list, a wrong shape), the result is
one line, never a traceback.

An answer passes when its relative error ``max|a - b| / max(|a| + |b|)`` is at
most :data:`TOLERANCE`, which float32 arithmetic meets: about a hundred float32
roundings, far below what any catalogued mistake is off by.  float16 answers
are refused as too coarse to check, complex ones as not real, and integer ones
whose right values are not whole numbers as truncated.
"""

import copy
import inspect
import traceback
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from numbers import Number
from pathlib import Path

import numpy as np

from ..formula import correlate2d, full_convolve2d
from ..gradcheck import rel_error

__all__ = ["CheckResult", "checker", "diagnose", "TOLERANCE", "GENERIC_DIAGNOSES", "ROTATION_MISTAKES_2D"]

TOLERANCE = 1e-5
GENERIC_DIAGNOSES = {
    "not-callable": "the checker was given something other than a function",
    "signature": "the function cannot be called with the exercise's arguments",
    "not-written": "the function still raises NotImplementedError from its own body (the exercise's stub)",
    "raised": "the function raised an exception (any kind but KeyboardInterrupt), with the line of the learner's code",
    "in-place": "the function changed one of its arguments in place (named), whether or not the answer is right",
    "none": "the function returned None (a missing `return`), or one of the gradients it returned is None",
    "tuple": "not a tuple of the expected length, e.g. (dx, dw) instead of (dx, dw, db)",
    "generator": "a generator or another one-shot iterator instead of an array",
    "not-numbers": "a string, booleans, Python objects, a dict: not an array of numbers",
    "ragged": "a list whose rows have different lengths",
    "complex": "complex values",
    "float16": "float16 (or bfloat16): too coarse to check",
    "integer": "an integer array where the right values are not whole numbers (truncated)",
    "not-finite": "NaN or inf",
    "shape": "a wrong shape that no catalogued mistake explains",
    "values": "the right shape, wrong values that no catalogued mistake explains (the largest difference shown)",
    "checker-error": "the checker itself failed on the answer (a bug to report)",
}
"""The diagnoses every checker makes, whatever the exercise; each checker's own are in its catalogue()."""

_HELPERS_DIR = str(Path(__file__).resolve().parent.parent)
_NUMPY_DIR = str(Path(np.__file__).resolve().parent)


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


def read_answer(name, answer):
    """(answer as a float64 array, its original dtype kind) or (None, a failed CheckResult saying why).

    name: what the answer is, for the message ("dL/dx").
    """
    if answer is None:
        return None, _fail("none", f"{name} is None: did you forget to compute it or to `return` it?")
    if isinstance(answer, (str, bytes)):
        return None, _fail("not-numbers", f"{name} is a string ({str(answer)[:40]!r}), not an array of numbers")
    if isinstance(answer, Iterator) and not isinstance(answer, np.ndarray):
        return None, _fail("generator", f"{name} is a {_type_name(answer)}, which can be read only once: "
                                        f"build the array, e.g. np.array(list(...)) or np.stack([...])")
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
    if kind == "c":
        imag = float(np.max(np.abs(a.imag), initial=0.0))
        return None, _fail("complex", f"{name} is complex ({a.dtype}, largest imaginary part {imag:.3g}); the "
                                      "gradient of a real loss with respect to real inputs is real: build it "
                                      "from real operations (np.real(...) only hides where the complex numbers "
                                      "came from)")
    if kind == "f" and a.dtype.itemsize < 4:
        return None, _fail("float16", f"{name} is {a.dtype}, too coarse to check (about 3 significant digits): "
                                      "compute in float32 or float64")
    if kind == "b":
        return None, _fail("not-numbers", f"{name} holds booleans (True/False), not numbers")
    if kind == "O" and a.ndim == 0:
        return None, _fail("not-numbers", f"{name} is a {_type_name(a.item())}, not an array of numbers")
    if kind == "O":  # numbers inside take their own dtype; anything else (None, strings, arrays) is refused
        if all(isinstance(v, Number) for v in a.ravel()):
            return read_answer(name, np.array(a.tolist()))
        types = sorted({_type_name(v) for v in a.ravel() if not isinstance(v, Number)})
        return None, _fail("not-numbers", f"{name} is an array of Python objects ({', '.join(types)}), "
                                          "not of numbers")
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
    answer, kind = read_answer(name, answer)
    if answer is None:
        return kind  # the failed CheckResult
    expected = np.asarray(expected, dtype=np.float64)
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
        what = "a single number" if answer.ndim == 0 else f"shape {answer.shape}"
        return _fail("shape", f"{name} has {what}, expected shape {expected.shape}")
    return _fail("values", _wrong_values(name, answer, expected))


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
        return None, _fail("generator", f"return the {len(names)} gradients as a tuple {form}, not a "
                                        f"{_type_name(answer)}")
    if not isinstance(answer, (tuple, list)):
        return None, _fail("tuple", f"return the {len(names)} gradients as a tuple {form}, not one "
                                    f"{_type_name(answer)}: `return {', '.join(names)}`")
    if len(answer) != len(names):
        return None, _fail("tuple", f"returned {len(answer)} values, expected {len(names)}: "
                                    f"`return {', '.join(names)}`")
    return list(answer), None


def all_of(results):
    """The first failed CheckResult, or a passing one."""
    return next((r for r in results if not r), CheckResult(True, ""))


# ---- running the learner's function ------------------------------------------------------------------

def _who(fn):
    name = getattr(fn, "__name__", "")
    return f"`{name}`" if name.isidentifier() else "your function"


def _learner_frame(err):
    """' (in f, line n: `code`)' for the innermost frame of the learner's own code, or ''."""
    frames = traceback.extract_tb(err.__traceback__)[1:]  # [0] is _run
    own = [f for f in frames if not f.filename.startswith((_HELPERS_DIR, _NUMPY_DIR))]
    if not own:
        return ""
    frame = own[-1]
    code = f": `{frame.line.strip()}`" if frame.line else ""
    return f" (in {frame.name}, line {frame.lineno}{code})"


def _run(fn, args, names):
    """(fn(*args), None), or (None, a failed CheckResult) when fn raises anything but KeyboardInterrupt."""
    try:
        return fn(*args), None
    except KeyboardInterrupt:
        raise
    except BaseException as err:  # the learner's code may fail in any way, even sys.exit()
        tb = err.__traceback__
        while tb.tb_next is not None:
            tb = tb.tb_next
        if isinstance(err, NotImplementedError) and tb.tb_frame.f_code is getattr(fn, "__code__", None):
            return None, _fail("not-written", f"{_who(fn)} is not written yet: replace "
                                              "`raise NotImplementedError` with your code")
        text = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
        if len(text) > 300:
            text = text[:300] + " ..."
        if err.__traceback__.tb_next is None:  # the call itself failed: a wrong signature
            call = f"{getattr(fn, '__name__', 'fn')}({', '.join(names)})".replace("<lambda>", "fn")
            return None, _fail("signature", f"{_who(fn)} cannot be called as {call}: {text}")
        return None, _fail("raised", f"{_who(fn)} raised {text}{_learner_frame(err)}")


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


def _changed_in_place(fn, originals, copies, names, result):
    """A failed CheckResult naming the first argument fn changed in place, or None."""
    for position, (name, before, after) in enumerate(zip(names, originals, copies)):
        if not _same(before, after):
            arg = _parameter_name(fn, position, name)
            verdict = "apart from that, the answer is correct" if result else f"besides, {result.message}"
            return _fail("in-place", f"{_who(fn)} changed its argument `{arg}` in place, which changes the "
                                     f"caller's array too: work on a copy (`{arg} = {arg}.copy()`) or write into "
                                     f"a new array; {verdict}")
    return None


def _judge(judge, answer, case):
    try:
        return judge(answer, *case)
    except Exception as err:  # a checker bug must not show the learner a traceback either
        return _fail("checker-error", f"the checker could not judge this answer ({type(err).__name__}: {err}); "
                                      "please report it")


def _check_cases(fn, cases, judge, names):
    """Run fn on a copy of every case; judge(answer, *case) -> CheckResult; the first failure wins.

    names: the checker's names of fn's arguments, for the messages.
    """
    if not callable(fn):
        return _fail("not-callable", f"pass the function itself (for example `my_dx`, not `my_dx(...)`), got "
                                     f"{_type_name(fn)}")
    for case in cases:
        copies = copy.deepcopy(case)
        answer, failure = _run(fn, copies, names)
        if failure is not None:
            return failure
        if answer is None:
            result = _fail("none", f"{_who(fn)} returned None: did you forget `return`?")
        else:
            result = _judge(judge, answer, case)
        changed = _changed_in_place(fn, case, copies, names, result)
        if changed is not None:
            return changed
        if not result:
            return result
    return CheckResult(True, f"correct on {len(cases)} problems of different shapes")


def checker(*, cases, names, returns=None):
    """Make judge(answer, *case) -> CheckResult into check(fn) -> CheckResult.

    cases: () -> [case, ...], each case a tuple of fn's arguments;  names: the
    arguments' names;  returns: the names of the parts when fn returns a tuple,
    such as ("dx", "dw", "db") (the judge then gets the list of parts).
    check(fn) runs fn on a copy of every case; check.catalogue() lists the
    mistakes it can name; check.cases() gives its problems.
    """
    def wrap(judge):
        def judge_answer(answer, *case):
            if returns is None:
                return judge(answer, *case)
            parts, failure = _unpack(answer, returns)
            return failure if failure is not None else judge(parts, *case)

        def check(fn):
            return _check_cases(fn, cases(), judge_answer, names)

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


ROTATION_MISTAKES_2D = [
    ("not-rotated", lambda w: w,
     "the kernel is not rotated: correlate the zero-padded dL/dh with the rotated kernel {rot}"),
    ("rows-only", lambda w: w[::-1, :], "the kernel is flipped on the rows only; rotate by 180 degrees: {rot}"),
    ("columns-only", lambda w: w[:, ::-1], "the kernel is flipped on the columns only; rotate by 180 degrees: {rot}"),
    ("transposed", lambda w: w.swapaxes(0, 1), "the kernel is transposed ({t}), not rotated; rotate by 180 "
                                               "degrees: {rot}"),
    ("rotated-90", lambda w: np.rot90(w, 1, axes=(0, 1)), "the kernel is rotated by 90 degrees, not 180: "
                                                          "use {rot}"),
    ("rotated-90", lambda w: np.rot90(w, -1, axes=(0, 1)), "the kernel is rotated by 90 degrees, not 180: "
                                                           "use {rot}"),
    ("rotated-transposed", lambda w: w[::-1, ::-1].swapaxes(0, 1),
     "the kernel is rotated and then transposed; rotate it only: {rot}"),
]
"""(key, wrong kernel from w (KH, KW, ...), message with {rot} and {t} for the code in the learner's setting)."""


def _count(n, noun):
    return f"{n} {noun}" + ("" if n == 1 else "s")


def padding_mistakes(KH, KW, fix):
    """(key, (rows, cols) zero-padding of dL/dh, message): none, or the same amount on both axes, or 1.

    fix: the right np.pad, as code.  The message says which amounts were used.
    """
    def wrong(pad):
        return (f"dL/dh is zero-padded by {_count(pad[0], 'row')} and {_count(pad[1], 'column')} on each side; "
                f"it needs KH - 1 = {_count(KH - 1, 'row')} and KW - 1 = {_count(KW - 1, 'column')}: {fix}")
    return [
        ("valid", (0, 0), "this is a valid correlation; dL/dx needs the full one: zero-pad dL/dh by KH - 1 rows "
                          f"and KW - 1 columns on each side first: {fix}"),
        ("pad-amount", (KH - 1, KH - 1), wrong((KH - 1, KH - 1))),
        ("pad-amount", (KW - 1, KW - 1), wrong((KW - 1, KW - 1))),
        ("pad-amount", (1, 1), wrong((1, 1))),
    ]


def _full_correlate(dh, k, pad=None):
    """Correlate dh, zero-padded by pad = (rows, cols) (default: k's size - 1), with k.

    With k = rot180(w) and the default padding this is dL/dx; anything else is what
    a learner gets who uses k where rot180(w) belongs or pads by the wrong amount.
    """
    if pad is None:
        return full_convolve2d(dh, k[::-1, ::-1])
    return correlate2d(np.pad(dh, ((pad[0], pad[0]), (pad[1], pad[1]))), k)
