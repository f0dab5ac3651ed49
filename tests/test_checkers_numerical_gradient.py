"""check_numerical_gradient (notebook 01): correct answers three ways; one learner mistake per diagnosis.

Each mistake is written here as a learner would write it, independently of the checker, and must get
exactly its diagnosis; tests/test_checkers.py checks that MISTAKES covers the checker's catalogue.
"""

import numpy as np
import pytest
from checker_answers import assert_named, mistakes

from helpers.checkers import check_numerical_gradient


def numerical(step="central", *, indices=None, restore=True, eps_used=None, shape="x"):
    """A learner's numerical_gradient, perturbing x in place; each keyword turns one step into a mistake.

    step: "central", "forward", "over-eps" (central over eps) or "backwards" (f(x - eps) - f(x + eps));
    indices: x -> the indices visited (right: every entry); restore: put each entry back;
    eps_used: a step of the learner's own instead of eps;  shape: "flat" returns grad.ravel().
    """
    def numerical_gradient(f, x, eps=1e-6):
        h = eps if eps_used is None else eps_used
        grad = np.zeros(x.shape)
        for i in (np.ndindex(x.shape) if indices is None else indices(x)):
            old = x[i].copy()
            x[i] = old + h
            plus = f(x)
            x[i] = old - h
            minus = f(x)
            if restore:
                x[i] = old
            if step == "forward":
                x[i] = old
                grad[i] = (plus - f(x)) / h
            elif step == "over-eps":
                grad[i] = (plus - minus) / h
            elif step == "backwards":
                grad[i] = (minus - plus) / (2 * h)
            else:
                grad[i] = (plus - minus) / (2 * h)
        return grad.ravel() if shape == "flat" else grad
    return numerical_gradient


def all_at_once(f, x, eps=1e-6):
    """x + eps moves every entry: one directional derivative, copied everywhere."""
    return np.ones(x.shape) * (f(x + eps) - f(x - eps)) / (2 * eps)


def first_entries(f, x, eps=1e-6):
    """range(len(x)) with x.flat: only the first len(x) entries are visited."""
    grad = np.zeros(x.shape)
    for i in range(len(x)):
        plus, minus = x.copy(), x.copy()
        plus.flat[i] += eps
        minus.flat[i] -= eps
        grad.flat[i] = (f(plus) - f(minus)) / (2 * eps)
    return grad


def two_indices(x):
    return ((i, j) for i in range(x.shape[0]) for j in range(x.shape[1]))


@pytest.mark.parametrize("fn", [
    numerical(),
    lambda f, x, eps=1e-6: np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps)
                                     for e in np.eye(x.size).reshape(x.size, *x.shape)]).reshape(x.shape),
    lambda f, x, eps=1e-6: numerical()(f, x.copy(), eps).tolist(),
], ids=["in place, restored", "one unit vector at a time", "on a copy, as a list"])
def test_numerical_gradient_accepts_correct_answers(fn):
    assert check_numerical_gradient(fn)


RESTORE = "save each entry and put it back after its two evaluations, `old = x[q]` ... `x[q] = old`"


MISTAKES = [  # (diagnosis, a learner's function, words of the message)
    ("forward", numerical("forward"), "the gradient: this is the forward difference (f(x + eps e_q) - f(x)) / eps, "
                                      "off by about eps * f'' / 2 (here eps = 0.001)"),
    ("half-step", numerical("over-eps"), "twice the gradient: the two evaluations are 2 * eps apart"),
    ("sign", numerical("backwards"), "the sign is flipped"),
    ("all-at-once", all_at_once, "every entry holds the same number, the derivative along all entries at once"),
    ("all-at-once", lambda f, x, eps=1e-6: (f(x + eps) - f(x - eps)) / (2 * eps), "one number, the derivative along "
                                                                                  "all entries at once"),
    ("whole-rows", numerical(indices=lambda x: range(len(x))), "x[i] uses 1 of x's 2 indices, so it perturbs a "
                                                               "whole row at once"),
    ("whole-rows", numerical(indices=two_indices), "x[i, j] uses 2 of x's 3 indices, so it perturbs a whole row"),
    ("first-entries", first_entries, "only the first 3 entries, len(x) of them, are filled: visit all x.size = 15"),
    ("flattened", numerical(shape="flat"), "the right values, flattened: return them shaped like x, (3, 5)"),
    ("eps-ignored", numerical(eps_used=1e-5), "this is the true gradient, not the central difference at the eps "
                                              "given (eps = 0.1 here"),
]


@mistakes(MISTAKES)
def test_numerical_gradient_names_the_mistake(diagnosis, fn, words):
    assert_named(check_numerical_gradient, diagnosis, fn, words)


def test_numerical_gradient_that_does_not_restore_x_is_told_how():
    result = check_numerical_gradient(numerical(restore=False))
    assert result.diagnosis == "in-place" and RESTORE in result.message, result
    # x drifts by eps = 1e-6 per entry on the first problem: the gradient is still right to 1e-5
    assert result.message.endswith("apart from that, the answer is correct")

    def adds_eps_back(f, x, eps=1e-6):  # restores by arithmetic: x keeps round-off
        grad = np.zeros(x.shape)
        for i in np.ndindex(x.shape):
            x[i] += eps
            plus = f(x)
            x[i] -= 2 * eps
            minus = f(x)
            x[i] += eps
            grad[i] = (plus - minus) / (2 * eps)
        return grad

    result = check_numerical_gradient(adds_eps_back)
    assert result.diagnosis == "in-place" and "(adding eps back leaves round-off)" in result.message, result
    assert result.message.endswith("apart from that, the answer is correct")


def test_numerical_gradient_without_a_default_eps_is_told_so():
    result = check_numerical_gradient(lambda f, x, eps: numerical()(f, x, eps))
    assert result.diagnosis == "signature", result
    assert result.message.startswith("your function cannot be called as fn(f, x): TypeError: ")
    assert "missing 1 required positional argument: 'eps'" in result.message


def test_numerical_gradient_cases():
    cases = check_numerical_gradient.cases()
    assert len(cases[0]) == 2, "the first case uses the learner's default eps"
    assert {c[2] for c in cases[1:]} == {1e-3, 0.1}
    assert any(x.ndim == 3 for _, x, *_ in cases) and all(x.shape[0] != x.shape[1] for _, x, *_ in cases)
    f, x = cases[0]
    assert isinstance(f(x), float)
