"""A tiny CNN built only from the derived gradients (notebook 07).

Each layer keeps what its backward pass needs from the forward pass (an
attribute that is None until forward runs), and its backward sits right
next to its forward.  Shapes are channels-last: images (N, H, W, C),
features (N, D).  Layers with weights expose ``params()``: a list of
(array, gradient) pairs for the optimiser.
"""

import numpy as np

from . import _checks as check
from .views.fast import conv2d, conv2d_backward

__all__ = [
    "pool_blocks", "unpool_blocks", "Conv2D", "ReLU", "MaxPool2D", "Flatten", "Dense", "SoftmaxCrossEntropy",
    "Sequential", "SGD", "accuracy",
]


def _kept(layer, name):
    """layer.<name>, which forward keeps for backward: a clear error if forward has not run yet."""
    value = getattr(layer, name)
    if value is None:
        raise ValueError(f"{type(layer).__name__}.backward needs the {name} that forward keeps: call forward first")
    return value


def _upstream(dh, shape):
    """dh as an array of the forward output's shape."""
    dh = check.real_array("dh", dh)
    check.same_shape("dh", dh.shape, shape, "the forward output's shape")
    return dh


class Conv2D:
    """x (N, H, W, C) -> h (N, OH, OW, F): the layer of the question.

    kernel: K or (KH, KW);  stride, padding: as for :func:`helpers.conv2d`.
    Forward keeps x, from which backward computes dL/dw (and dL/dx needs only w).
    """

    def __init__(self, in_channels, filters, kernel, *, rng, stride=1, padding=0):
        C = check.integer("in_channels", in_channels, minimum=1)
        F = check.integer("filters", filters, minimum=1)
        KH, KW = check.int_pair("kernel", kernel, minimum=1)
        fan_in = KH * KW * C
        self.w = check.generator("rng", rng).normal(size=(F, KH, KW, C)) * np.sqrt(2.0 / fan_in)
        self.b = np.zeros(F)
        self.dw, self.db = np.zeros_like(self.w), np.zeros_like(self.b)
        self.conv = dict(stride=stride, padding=padding)
        self.x = None  # kept by forward for backward

    def forward(self, x):
        h = conv2d(x, self.w, self.b, **self.conv)
        self.x = x
        return h

    def backward(self, dh):
        dx, self.dw[...], self.db[...] = conv2d_backward(dh, _kept(self, "x"), self.w, **self.conv)
        return dx

    def params(self):
        return [(self.w, self.dw), (self.b, self.db)]


class ReLU:
    """max(x, 0), any shape; the gradient passes where the input was positive."""

    def __init__(self):
        self.positive = None  # kept by forward for backward: where x > 0

    def forward(self, x):
        self.positive = check.real_array("x", x) > 0
        return np.where(self.positive, x, 0.0)

    def backward(self, dh):
        positive = _kept(self, "positive")
        return np.where(positive, _upstream(dh, positive.shape), 0.0)

    def params(self):
        return []


def _images(x):
    """x as a batch of images (N, H, W, C) at least 2 x 2."""
    x = check.rank("x", check.real_array("x", x), (4,), "(N, H, W, C), a batch of images "
                   "(for one image (H, W, C), pass x[None])")
    if min(x.shape[1:3]) < 2:
        raise ValueError(f"x must have images of at least 2 x 2 pixels to pool, got shape {x.shape}")
    return x


def pool_blocks(x):
    """x (N, H, W, C) -> (N, H // 2, W // 2, C, 4): each 2 x 2 block, row by row."""
    x = _images(x)
    N, H, W, C = x.shape
    blocks = x[:, :H // 2 * 2, :W // 2 * 2].reshape(N, H // 2, 2, W // 2, 2, C)
    return blocks.transpose(0, 1, 3, 5, 2, 4).reshape(N, H // 2, W // 2, C, 4)


def unpool_blocks(blocks, x_shape):
    """Inverse of :func:`pool_blocks`; the rows/columns the pool dropped are zero."""
    N, H, W, C = check.shape("x_shape", x_shape, ranks=(4,), form="(N, H, W, C)")
    blocks = check.real_array("blocks", blocks)
    check.same_shape("blocks", blocks.shape, (N, H // 2, W // 2, C, 4), "shape (N, H // 2, W // 2, C, 4) =")
    x = np.zeros((N, H, W, C), dtype=blocks.dtype)
    x[:, :H // 2 * 2, :W // 2 * 2] = blocks.reshape(N, H // 2, W // 2, C, 2, 2).transpose(
        0, 1, 4, 2, 5, 3).reshape(N, H // 2 * 2, W // 2 * 2, C)
    return x


class MaxPool2D:
    """x (N, H, W, C) -> (N, H // 2, W // 2, C): the max of each 2 x 2 block.

    Backward: each block's gradient goes to the one input that was the max
    (the first one, on ties); the other three get 0.  Odd trailing rows or
    columns are dropped by the forward pass and get zero gradient.
    """

    def __init__(self):
        self.x_shape = self.winner = None  # kept by forward for backward

    def forward(self, x):
        self.x_shape = x.shape
        blocks = pool_blocks(x)
        self.winner = blocks.argmax(axis=-1)  # (N, H/2, W/2, C): which of the 4 won
        return blocks.max(axis=-1)

    def backward(self, dh):
        winner = _kept(self, "winner")  # which of the 4 won, kept by forward
        routed = np.zeros((*dh.shape, 4))
        np.put_along_axis(routed, winner[..., None], dh[..., None], axis=-1)
        return unpool_blocks(routed, self.x_shape)

    def params(self):
        return []


class Flatten:
    """(N, ...) -> (N, D); backward reshapes back."""

    def __init__(self):
        self.shape = None  # kept by forward for backward

    def forward(self, x):
        x = check.real_array("x", x)
        if x.ndim < 2:
            raise ValueError(f"x must have shape (N, ...), a batch, got shape {x.shape}")
        self.shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, dh):
        N, *rest = _kept(self, "shape")
        return _upstream(dh, (N, int(np.prod(rest)))).reshape(self.shape)

    def params(self):
        return []


class Dense:
    """x (N, D) -> x @ w + b, w (D, M), b (M,)."""

    def __init__(self, inputs, outputs, *, rng):
        D, M = check.integer("inputs", inputs, minimum=1), check.integer("outputs", outputs, minimum=1)
        self.w = check.generator("rng", rng).normal(size=(D, M)) * np.sqrt(1.0 / D)
        self.b = np.zeros(M)
        self.dw, self.db = np.zeros_like(self.w), np.zeros_like(self.b)
        self.x = None  # kept by forward for backward

    def forward(self, x):
        x = check.rank("x", check.real_array("x", x), (2,), "(N, D)")
        if x.shape[1] != len(self.w):
            raise ValueError(f"x must have shape (N, D) = (N, {len(self.w)}) features, got shape {x.shape}")
        self.x = x
        return x @ self.w + self.b

    def backward(self, dh):
        dh = _upstream(dh, (len(_kept(self, "x")), self.w.shape[1]))
        self.dw[...] = self.x.T @ dh
        self.db[...] = dh.sum(axis=0)
        return dh @ self.w.T

    def params(self):
        return [(self.w, self.dw), (self.b, self.db)]


def _logits_and_labels(logits, labels):
    """Check logits (N, K) and integer labels (N,) in 0..K-1."""
    logits = check.rank("logits", check.real_array("logits", logits), (2,), "(N, K)")
    labels = check.real_array("labels", labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers (class indices), got dtype {labels.dtype}")
    check.same_shape("labels", labels.shape, logits.shape[:1], "shape (N,) =")
    if labels.size and not 0 <= labels.min() <= labels.max() < logits.shape[1]:
        raise ValueError(f"labels must be class indices in 0..{logits.shape[1] - 1}, "
                         f"got values from {labels.min()} to {labels.max()}")
    return logits, labels


class SoftmaxCrossEntropy:
    """Mean cross-entropy of softmax(logits (N, K)) against integer labels (N,)."""

    def __init__(self):
        self.probs = self.labels = None  # kept by forward for backward

    def forward(self, logits, labels):
        logits, labels = _logits_and_labels(logits, labels)
        shifted = logits - logits.max(axis=1, keepdims=True)  # same softmax, no overflow
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # no log(0) either
        self.probs = np.exp(log_probs)
        self.labels = labels
        return -np.mean(log_probs[np.arange(len(labels)), labels])

    def backward(self):
        """dL/dlogits = (softmax - one_hot) / N."""
        grad = _kept(self, "probs").copy()
        grad[np.arange(len(self.labels)), self.labels] -= 1
        return grad / len(self.labels)


class Sequential:
    """Layers applied in order; backward in reverse order."""

    def __init__(self, *layers):
        self.layers = layers

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dh):
        for layer in reversed(self.layers):
            dh = layer.backward(dh)
        return dh

    def params(self):
        return [pair for layer in self.layers for pair in layer.params()]


class SGD:
    """Stochastic gradient descent with momentum: v = m v - lr g;  p += v."""

    def __init__(self, params, *, lr=0.05, momentum=0.9):
        self.params, self.lr, self.momentum = params, lr, momentum
        self.velocity = [np.zeros_like(p) for p, _ in params]

    def step(self):
        for (p, g), v in zip(self.params, self.velocity):
            v *= self.momentum
            v -= self.lr * g
            p += v


def accuracy(logits, labels):
    """Fraction of rows whose largest logit is at the label."""
    logits, labels = _logits_and_labels(logits, labels)
    return float(np.mean(logits.argmax(axis=1) == labels))
