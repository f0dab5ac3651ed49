"""The gradient-checking tools themselves: they must be able to say 'wrong'."""

import numpy as np

import helpers as H


def test_numerical_gradient_of_a_known_function():
    rng = np.random.default_rng(0)
    x, up = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    grad = H.numerical_gradient(lambda v: np.sin(v) * v, x, up)
    assert H.rel_error(grad, (np.cos(x) * x + np.sin(x)) * up) < 1e-9


def test_numerical_gradient_leaves_input_untouched():
    x = np.arange(6.0).reshape(2, 3)
    H.numerical_gradient(lambda v: v**2, x, np.ones((2, 3)))
    assert np.array_equal(x, np.arange(6.0).reshape(2, 3))


def test_rel_error_values():
    assert H.rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert H.rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert H.rel_error([1.0], [-1.0]) == 1.0
    assert H.rel_error([1.0, 10.0], [1.5, 10.0]) == 0.5 / 20.0


def test_compare_reports_and_returns(capsys):
    assert H.compare("dx", np.ones(3), np.ones(3))
    assert not H.compare("dx", np.ones(3), np.ones(3) * 1.1)
    assert not H.compare("dx", np.ones(3), np.ones(4))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "dx               | exact: True  | close: True  | rel. error: 0.0e+00"
    assert lines[1].endswith("close: False | rel. error: 4.8e-02")
    assert lines[2] == "dx               | shape (3,) != (4,)"


def test_a_wrong_gradient_is_caught():
    """A backward pass without the kernel rotation fails the numerical check."""
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(6, 7, 2)), rng.normal(size=(3, 3, 2, 2))
    dh = rng.normal(size=H.conv2d(x, w).shape)
    numeric = H.numerical_gradient(lambda v: H.conv2d(v, w), x, dh)
    wrong, _, _ = H.conv2d_backward(dh, x, w[:, ::-1, ::-1, :])
    assert H.rel_error(wrong, numeric) > 0.1
