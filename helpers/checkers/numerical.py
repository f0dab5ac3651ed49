"""Checker of notebook 01's exercise "write your own numerical gradient check", as CS231n's assignment asks.

The learner writes ``numerical_gradient(f, x, eps=1e-6)``: f maps the whole array x to a float, and
the answer, shaped like x, holds the central differences (f(x + eps e_q) - f(x - eps e_q)) / (2 eps)
for every entry q.  The test function is L(x) = sum(A * sin(3x)) + sum(B * x**2) with random A and B:
its second and third derivatives are as large as its first (3² and 3³ times A), so a forward difference,
off by about eps * L'' / 2, shows at the checker's eps = 1e-3, and an answer that ignores eps shows at
eps = 0.1, where the central difference itself is off the true gradient by about eps² * L''' / 6.
The answer is compared with the central difference at the same eps, computed here, which it matches to
round-off whatever the order of the learner's loop.
"""

import numpy as np

from .cases import seeded_rng
from .diagnosis import diagnose
from .running import checker

__all__ = ["check_numerical_gradient"]

RESTORE = ("save each entry and put it back after its two evaluations, `old = x[q]` ... `x[q] = old` (adding eps "
           "back leaves round-off), or perturb a copy of x")


def _test_function(A, B):
    """L(x) = sum(A * sin(3x)) + sum(B * x**2), returning a Python float; L.gradient(x) is its true gradient."""
    def L(x):
        return float(np.sum(A * np.sin(3 * x)) + np.sum(B * x ** 2))

    L.gradient = lambda x: 3 * A * np.cos(3 * x) + 2 * B * x
    return L


def _numerical_cases():
    """(f, x[, eps]): non-square x with the default eps, then eps = 1e-3 and 0.1, then a 3-D x."""
    rng = seeded_rng()
    cases = []
    for shape, eps in (((3, 5), None), ((4, 3), 1e-3), ((2, 5), 0.1), ((2, 3, 4), 1e-3)):
        f = _test_function(rng.normal(size=shape), rng.normal(size=shape))
        x = rng.normal(size=shape)
        cases.append((f, x) if eps is None else (f, x, eps))
    return cases


def _differences(f, x, eps, *, step=None, first=None):
    """(f(x + eps e_q) - f(x - eps e_q)) / (2 eps) for every entry q, or a learner's mistake.

    step "forward": (f(x + eps e_q) - f(x)) / eps;  "half": the central difference over eps, not 2 eps;
    first: only the first `first` entries (in x.ravel() order) computed, the rest left 0.
    """
    grad = np.zeros(x.size)
    for i in range(x.size if first is None else first):
        plus, minus = x.copy().reshape(-1), x.copy().reshape(-1)
        plus[i] += eps
        minus[i] -= eps
        if step == "forward":
            grad[i] = (f(plus.reshape(x.shape)) - f(x)) / eps
        else:
            grad[i] = (f(plus.reshape(x.shape)) - f(minus.reshape(x.shape))) / (eps if step == "half" else 2 * eps)
    return grad.reshape(x.shape)


def _by_slices(f, x, eps, depth):
    """x[i] += eps (depth 1) or x[i, j] += eps (depth 2) with fewer indices than x has axes perturbs a whole
    row or slice at once: each gets the derivative along it."""
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape[:depth]):
        plus, minus = x.copy(), x.copy()
        plus[i] += eps
        minus[i] -= eps
        grad[i] = (f(plus) - f(minus)) / (2 * eps)
    return grad


@checker(cases=_numerical_cases, names=("f", "x", "eps"), in_place_fixes={"x": RESTORE})
def check_numerical_gradient(answer, f, x, eps=1e-6):
    """fn(f, x, eps=1e-6) -> the central-difference gradient of f at x, shaped like x.

    f: a function of the whole array x returning a float;  x: float64, any shape (2-D and 3-D here).
    Notebook 01's exercise; the exercise cell calls ``check_numerical_gradient(numerical_gradient)``.
    """
    together = (f(x + eps) - f(x - eps)) / (2 * eps)  # every entry at once: one directional derivative
    first = len(x)
    mistakes = [
        ("forward", lambda: _differences(f, x, eps, step="forward"),
         f"this is the forward difference (f(x + eps e_q) - f(x)) / eps, off by about eps * f'' / 2 (here eps = "
         f"{eps:g}); use the central difference (f(x + eps e_q) - f(x - eps e_q)) / (2 * eps)"),
        ("half-step", lambda: _differences(f, x, eps, step="half"),
         "twice the gradient: the two evaluations are 2 * eps apart, so divide by 2 * eps, not eps"),
        ("sign", lambda: -_differences(f, x, eps),
         "the sign is flipped: the central difference is (f(x + eps e_q) - f(x - eps e_q)) / (2 * eps), "
         "f at x + eps first"),
        ("all-at-once", lambda: np.full(x.shape, together),
         "every entry holds the same number, the derivative along all entries at once: perturb one entry at a "
         "time, x[q] += eps, keeping the others as they are"),
        ("all-at-once", together,
         "one number, the derivative along all entries at once: perturb one entry at a time and return an "
         "array shaped like x"),
    ]
    for depth in range(1, x.ndim):
        mistakes.append(("whole-rows", lambda depth=depth: _by_slices(f, x, eps, depth),
                         f"x[{', '.join('ijk'[:depth])}] uses {depth} of x's {x.ndim} indices, so it perturbs a "
                         f"whole {'row' if depth == x.ndim - 1 else 'slice'} at once: perturb one entry, with one "
                         "index per axis, e.g. `for q in np.ndindex(x.shape):` and x[q]"))
    mistakes += [
        ("first-entries", lambda: _differences(f, x, eps, first=first),
         f"only the first {first} entries, len(x) of them, are filled: visit all x.size = {x.size} entries, e.g. "
         "`for q in np.ndindex(x.shape):`"),
        ("flattened", lambda: _differences(f, x, eps).ravel(),
         f"the right values, flattened: return them shaped like x, {x.shape} (`grad.reshape(x.shape)`)"),
        ("eps-ignored", f.gradient(x),
         f"this is the true gradient, not the central difference at the eps given (eps = {eps:g} here, where the "
         "two differ): use the eps argument, not a step of your own"),
    ]
    return diagnose("the gradient", answer, _differences(f, x, eps), mistakes)
