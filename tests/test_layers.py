"""Each layer's backward pass against central differences (random upstream gradients)."""

import numpy as np
import pytest

import helpers as H
from helpers.layers import SGD, Conv2D, Dense, Flatten, MaxPool2D, ReLU, Sequential, SoftmaxCrossEntropy, accuracy

rng = np.random.default_rng(0)


def check_layer(layer, x, tol=1e-7):
    """dL/dx of layer (and of its parameters) for L = sum(layer(x) * up), up random."""
    up = rng.normal(size=layer.forward(x).shape)
    dx = layer.backward(up)
    assert dx.shape == x.shape
    assert H.rel_error(dx, H.numerical_gradient(layer.forward, x, up)) <= tol
    for param, grad in layer.params():
        grad = grad.copy()

        def f(value, param=param):
            saved = param.copy()
            param[...] = value
            out = layer.forward(x)
            param[...] = saved
            return out

        assert H.rel_error(grad, H.numerical_gradient(f, param, up)) <= tol


def test_conv_layer():
    check_layer(Conv2D(3, 4, 3, rng=rng, stride=2, padding=1), rng.normal(size=(2, 7, 6, 3)))


def test_dense_layer():
    check_layer(Dense(5, 3, rng=rng), rng.normal(size=(4, 5)))


def test_relu_layer():
    x = rng.normal(size=(3, 4, 5, 2))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from the kink
    check_layer(ReLU(), x)


@pytest.mark.parametrize("shape", [(2, 4, 6, 3), (1, 5, 7, 2)])  # even, and odd sizes the pool drops
def test_maxpool_layer(shape):
    check_layer(MaxPool2D(), rng.normal(size=shape))


def test_maxpool_routes_to_the_first_max_on_ties():
    pool = MaxPool2D()
    pool.forward(np.ones((1, 2, 2, 1)))
    dx = pool.backward(np.array([[[[5.0]]]]))
    assert dx[0, :, :, 0].tolist() == [[5.0, 0.0], [0.0, 0.0]]


def test_flatten_layer():
    check_layer(Flatten(), rng.normal(size=(2, 3, 4, 5)))


def test_softmax_cross_entropy():
    logits, labels = rng.normal(size=(6, 10)), rng.integers(0, 10, size=6)
    loss = SoftmaxCrossEntropy()
    value = loss.forward(logits, labels)
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    assert np.isclose(value, -np.mean(np.log(p[np.arange(6), labels])))
    numeric = H.numerical_gradient(lambda z: loss.forward(z, labels), logits, np.array(1.0))
    loss.forward(logits, labels)
    assert H.rel_error(loss.backward(), numeric) <= 1e-7
    assert np.isfinite(loss.forward(logits * 1000, labels))  # no overflow


def test_whole_network_gradient_and_one_step_lowers_the_loss():
    model = Sequential(Conv2D(1, 4, 3, rng=rng, padding=1), ReLU(), MaxPool2D(), Flatten(), Dense(64, 10, rng=rng))
    x, y = rng.normal(size=(3, 8, 8, 1)), rng.integers(0, 10, 3)
    loss = SoftmaxCrossEntropy()
    before = loss.forward(model.forward(x), y)
    dx = model.backward(loss.backward())
    numeric = H.numerical_gradient(lambda v: loss.forward(model.forward(v), y), x, np.array(1.0))
    assert H.rel_error(dx, numeric) <= 1e-6
    loss.forward(model.forward(x), y)
    model.backward(loss.backward())
    SGD(model.params(), lr=0.01, momentum=0.0).step()
    assert loss.forward(model.forward(x), y) < before


def test_sgd_momentum_update():
    p, g = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    opt = SGD([(p, g)], lr=0.1, momentum=0.9)
    opt.step()
    opt.step()
    # v1 = -0.1 g, v2 = 0.9 v1 - 0.1 g = -0.19 g;  p = p0 - 0.29 g
    assert np.allclose(p, [1.0 - 0.29 * 0.5, 2.0 + 0.29])


def test_accuracy():
    assert accuracy(np.array([[1, 2], [3, 0], [0, 1]]), np.array([1, 0, 0])) == 2 / 3


# ---- the conv layer keeps its input from forward to backward ---------------------------------------------

def test_conv_layer_backward_uses_the_input_of_the_last_forward():
    """A forward pass with a new input replaces the one kept: backward answers for that input, exactly."""
    layer = Conv2D(3, 4, 3, rng=rng, stride=2, padding=1)
    x1, x2 = rng.normal(size=(2, 7, 6, 3)), rng.normal(size=(2, 7, 6, 3))
    dh = rng.normal(size=layer.forward(x1).shape)
    layer.forward(x2)
    dx = layer.backward(dh)
    for x, same in ((x2, True), (x1, False)):
        dx_x, dw_x, db_x = H.conv2d_backward(dh, x, layer.w, stride=2, padding=1)
        assert np.array_equal(layer.dw, dw_x) is same
        assert np.array_equal(dx, dx_x) and np.array_equal(layer.db, db_x)  # dx, db do not depend on x
