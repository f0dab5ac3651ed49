"""A checker's verdict: :class:`CheckResult`, the diagnoses every checker makes, and the words its messages share.

Whatever the learner's function does, a checker answers with one :class:`CheckResult`: truthy only when
the answer is right, shown as one line starting with ✓ or ✗, its ``diagnosis`` the catalogue key of what
is wrong: one of :data:`GENERIC_DIAGNOSES` or a mistake of the checker's own catalogue.
"""

from dataclasses import dataclass

__all__ = ["CheckResult", "GENERIC_DIAGNOSES", "fail", "all_of", "type_name", "a_or_an", "count"]

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


def fail(diagnosis, message):
    """A failed CheckResult."""
    return CheckResult(False, message, diagnosis)


def all_of(results):
    """The first failed CheckResult, or a passing one."""
    return next((r for r in results if not r), CheckResult(True, ""))


def type_name(value):
    return type(value).__name__


def a_or_an(noun):
    """'a noun' or 'an noun', by its first letter ('an iterator', 'a list_iterator')."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def count(n, noun):
    """'1 row', '2 rows'."""
    return f"{n} {noun}" + ("" if n == 1 else "s")
