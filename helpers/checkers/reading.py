"""Reading an answer: whatever the learner's function returned, as a float64 array or one failed CheckResult.

:func:`read_answer` reads one array, :func:`unpack` the parts of an answer that must be a tuple such
as (dx, dw, db).  A PyTorch tensor is read as :func:`helpers._checks.from_torch` reads it (detached,
on the CPU).  Exact numbers (an object array of ``fractions.Fraction``, ``decimal.Decimal``, sympy
numbers, Python ints beyond int64) are read by their values; float16 and bfloat16 answers are refused
as too coarse to check; complex answers are returned as complex, for :func:`.diagnosis.diagnose` to judge.
"""

from collections.abc import Iterator
from numbers import Integral, Number

import numpy as np

from .._checks import from_torch
from .result import a_or_an, count, fail, type_name

__all__ = ["read_answer", "unpack", "shape_of"]


def _exact_numbers(name, a):
    """(float64 or complex128 array, kind) for an object array of numbers, judged by value, or (None, failure).

    The numbers may be fractions.Fraction, decimal.Decimal, sympy numbers, Python ints beyond int64;
    kind is "i" when all are integers (so truncation is named), "c" when some are complex, else "f".
    """
    flat = a.ravel()
    others = [v for v in flat if not isinstance(v, Number)]
    if others:
        types = ", ".join(sorted({type_name(v) for v in others}))
        if any(type(v).__module__.startswith("sympy") for v in others):
            return None, fail("not-numbers", f"{name} holds sympy expressions ({types}), not numbers: give "
                                             "the symbols values (expr.subs(...)) or compute with numbers")
        return None, fail("not-numbers", f"{name} is an array of Python objects ({types}), not of numbers")
    try:
        try:
            return a.astype(np.float64), "i" if all(isinstance(v, Integral) for v in flat) else "f"
        except TypeError:  # complex numbers among them
            return a.astype(np.complex128), "c"
    except OverflowError:
        digits = max(len(str(abs(int(v)))) for v in flat if isinstance(v, Integral))
        return None, fail("not-finite", f"{name} holds an integer of {digits} digits, too large for a float: "
                                        "look for a product or a power that grows without bound")
    except (TypeError, ValueError, ArithmeticError) as err:  # Decimal("sNaN"), a number type float() refuses
        return None, fail("not-numbers", f"{name} holds numbers that cannot be read as floats "
                                         f"({type(err).__name__}: {err})")


def _holds_bfloat16(value):
    """Is value a PyTorch bfloat16 tensor, or a list or tuple holding one?"""
    if isinstance(value, (list, tuple)):
        return any(_holds_bfloat16(v) for v in value)
    return str(getattr(value, "dtype", "")) == "torch.bfloat16"


def read_answer(name, answer):
    """(answer as a float64 or complex128 array, its original dtype kind) or (None, a failed CheckResult).

    name: what the answer is, for the message ("dL/dx").
    """
    if answer is None:
        return None, fail("none", f"{name} is None: did you forget to compute it or to `return` it?")
    if isinstance(answer, (str, bytes)):
        return None, fail("not-numbers", f"{name} is a string ({str(answer)[:40]!r}), not an array of numbers")
    if isinstance(answer, Iterator) and not isinstance(answer, np.ndarray):
        return None, fail("generator", f"{name} is {a_or_an(type_name(answer))}, which can be read only once: "
                                       f"build the array, e.g. np.array(list(...)) or np.stack([...])")
    if np.ma.is_masked(answer):
        masked = int(np.ma.count_masked(answer))
        return None, fail("not-numbers", f"{name} is a masked array with {masked} masked "
                                         f"{'entry' if masked == 1 else 'entries'}: every entry of a gradient has a "
                                         "value; return a plain array")
    if _holds_bfloat16(answer):  # read as float32, but coarser than float16
        return None, fail("float16", f"{name} is torch.bfloat16, too coarse to check (about 2 significant digits): "
                                     "compute in float32 or float64")
    if type(answer).__module__.startswith("scipy.sparse"):
        return None, fail("sparse", f"{name} is a SciPy sparse matrix ({type_name(answer)}): make it an array "
                                    "with `.toarray()`")
    try:
        a = np.asarray(from_torch(answer))
    except ValueError as err:
        if "inhomogeneous" in str(err) or "sequence" in str(err):
            return None, fail("ragged", f"{name} is a ragged list (its rows have different lengths), "
                                        f"not a rectangular array")
        return None, fail("not-numbers", f"{name} could not be read as an array of numbers "
                                         f"({type_name(answer)}: {err})")
    except Exception as err:  # any object whose conversion fails
        return None, fail("not-numbers", f"{name} could not be read as an array of numbers "
                                         f"({type_name(answer)}: {type(err).__name__}: {err})")
    kind = a.dtype.kind
    if kind == "O" and a.ndim == 0 and not isinstance(a.item(), Number):
        return None, fail("not-numbers", f"{name} is {a_or_an(type_name(a.item()))}, not an array of numbers")
    if kind == "O":
        return _exact_numbers(name, a)
    if kind == "c":
        return a, kind
    if kind == "f" and a.dtype.itemsize < 4:
        return None, fail("float16", f"{name} is {a.dtype}, too coarse to check (about 3 significant digits): "
                                     "compute in float32 or float64")
    if kind == "b":
        return None, fail("not-numbers", f"{name} holds booleans (True/False), not numbers")
    if kind not in "iuf":
        return None, fail("not-numbers", f"{name} has dtype {a.dtype}, not numbers")
    return a.astype(np.float64), kind


def unpack(answer, names):
    """The parts of an answer that must be a tuple such as (dx, dw, db), or a failed CheckResult."""
    form = f"({', '.join(names)})"
    if isinstance(answer, Iterator):
        return None, fail("generator", f"return the {len(names)} gradients as a tuple {form}, not "
                                       f"{a_or_an(type_name(answer))}")
    if not isinstance(answer, (tuple, list)):
        return None, fail("tuple", f"return the {len(names)} gradients as a tuple {form}, not one "
                                   f"{type_name(answer)}: `return {', '.join(names)}`")
    if len(answer) != len(names):
        return None, fail("tuple", f"returned {count(len(answer), 'value')}, expected {len(names)}: "
                                   f"`return {', '.join(names)}`")
    return list(answer), None


def shape_of(value):
    """np.shape(value), or None for what has none (a ragged list)."""
    try:
        return np.shape(from_torch(value))
    except Exception:
        return None
