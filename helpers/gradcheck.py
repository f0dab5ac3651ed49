"""Gradient checking: numerical gradients, relative error, a one-line report."""

import numpy as np

from . import _checks as check

__all__ = ["numerical_gradient", "rel_error", "compare"]


def numerical_gradient(fn, x, upstream, *, eps=1e-6):
    """Central-difference gradient of L = sum(fn(x) * upstream) with respect to x.

    fn: maps an array shaped like x to an array shaped like upstream;
    x: array (any shape), computed in float64;  upstream: dL/d fn(x), which
    should be random (all ones hides transposition bugs).
    Returns dL/dx, shaped like x.  Cost: 2 * x.size calls of fn.
    """
    check.function("fn", fn)
    x = np.array(check.real_array("x", x), dtype=np.float64)  # a private copy we may perturb
    upstream = check.real_array("upstream", upstream).astype(np.float64, copy=False)
    eps = check.number("eps", eps, positive=True)

    def loss():
        out = fn(x)
        if np.shape(out) != upstream.shape:  # broadcasting would weight the wrong entries
            raise ValueError(f"fn(x) must have upstream's shape {upstream.shape}, got shape {np.shape(out)}")
        return np.sum(out * upstream)

    grad = np.zeros_like(x)
    flat, flat_grad = x.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        saved = flat[k]
        flat[k] = saved + eps
        plus = loss()
        flat[k] = saved - eps
        minus = loss()
        flat[k] = saved
        flat_grad[k] = (plus - minus) / (2 * eps)
    return grad


def rel_error(a, b):
    """max|a - b| / max(|a| + |b|, tiny): 0 for equal arrays, at most 1 (complex numbers too)."""
    a, b = check.number_array("a", a), check.number_array("b", b)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(a) + np.abs(b))), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(a - b))) / scale


def compare(name, mine, ref, *, tol=1e-7):
    """Print one line: exact? close (rel. error <= tol)? the relative error.

    name: the line's label, first, as in ``compare("dx", dx, dx_ref)``.
    Returns True when close, so notebooks can ``assert compare(...)``.
    """
    check.text("name", name, example="compare('dx', dx, dx_ref)")
    tol = check.number("tol", tol, positive=False)
    mine, ref = check.number_array("mine", mine), check.number_array("ref", ref)
    if mine.shape != ref.shape:
        print(f"{name:<16} | shape {mine.shape} != {ref.shape}")
        return False
    err = rel_error(mine, ref)
    exact = bool(np.array_equal(mine, ref))
    close = err <= tol
    print(f"{name:<16} | exact: {exact!s:<5} | close: {close!s:<5} | rel. error: {err:.1e}")
    return close
