"""A tiny CNN built only from the derived gradients (notebook 07).

Each layer keeps what its backward pass needs from the forward pass, and its
backward sits right next to its forward.  Shapes are channels-last:
images (N, H, W, C), features (N, D).  Layers with weights expose
``params()``: a list of (array, gradient) pairs for the optimiser.
"""

import numpy as np

from .vectorised import conv2d, conv2d_backward

__all__ = [
    "pool_blocks", "unpool_blocks", "Conv2D", "ReLU", "MaxPool2D", "Flatten", "Dense", "SoftmaxCrossEntropy",
    "Sequential", "SGD", "accuracy",
]


class Conv2D:
    """x (N, H, W, C) -> h (N, OH, OW, F): the layer of the question."""

    def __init__(self, in_channels, filters, kernel, *, rng, stride=1, padding=0):
        fan_in = kernel * kernel * in_channels
        self.w = rng.normal(size=(filters, kernel, kernel, in_channels)) * np.sqrt(2.0 / fan_in)
        self.b = np.zeros(filters)
        self.dw, self.db = np.zeros_like(self.w), np.zeros_like(self.b)
        self.conv = dict(stride=stride, padding=padding)

    def forward(self, x):
        self.x = x
        return conv2d(x, self.w, self.b, **self.conv)

    def backward(self, dh):
        dx, self.dw[...], self.db[...] = conv2d_backward(dh, self.x, self.w, **self.conv)
        return dx

    def params(self):
        return [(self.w, self.dw), (self.b, self.db)]


class ReLU:
    """max(x, 0), any shape; the gradient passes where the input was positive."""

    def forward(self, x):
        self.positive = x > 0
        return np.where(self.positive, x, 0.0)

    def backward(self, dh):
        return np.where(self.positive, dh, 0.0)

    def params(self):
        return []


def pool_blocks(x):
    """x (N, H, W, C) -> (N, H // 2, W // 2, C, 4): each 2 x 2 block, row by row."""
    N, H, W, C = x.shape
    blocks = x[:, :H // 2 * 2, :W // 2 * 2].reshape(N, H // 2, 2, W // 2, 2, C)
    return blocks.transpose(0, 1, 3, 5, 2, 4).reshape(N, H // 2, W // 2, C, 4)


def unpool_blocks(blocks, x_shape):
    """Inverse of :func:`pool_blocks`; the rows/columns the pool dropped are zero."""
    N, H, W, C = x_shape
    x = np.zeros(x_shape, dtype=blocks.dtype)
    x[:, :H // 2 * 2, :W // 2 * 2] = blocks.reshape(N, H // 2, W // 2, C, 2, 2).transpose(
        0, 1, 4, 2, 5, 3).reshape(N, H // 2 * 2, W // 2 * 2, C)
    return x


class MaxPool2D:
    """x (N, H, W, C) -> (N, H // 2, W // 2, C): the max of each 2 x 2 block.

    Backward: each block's gradient goes to the one input that was the max
    (the first one, on ties); the other three get 0.  Odd trailing rows or
    columns are dropped by the forward pass and get zero gradient.
    """

    def forward(self, x):
        self.x_shape = x.shape
        blocks = pool_blocks(x)
        self.winner = blocks.argmax(axis=-1)  # (N, H/2, W/2, C): which of the 4 won
        return blocks.max(axis=-1)

    def backward(self, dh):
        routed = np.zeros((*dh.shape, 4))
        np.put_along_axis(routed, self.winner[..., None], dh[..., None], axis=-1)
        return unpool_blocks(routed, self.x_shape)

    def params(self):
        return []


class Flatten:
    """(N, ...) -> (N, D); backward reshapes back."""

    def forward(self, x):
        self.shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, dh):
        return dh.reshape(self.shape)

    def params(self):
        return []


class Dense:
    """x (N, D) -> x @ w + b, w (D, M), b (M,)."""

    def __init__(self, inputs, outputs, *, rng):
        self.w = rng.normal(size=(inputs, outputs)) * np.sqrt(1.0 / inputs)
        self.b = np.zeros(outputs)
        self.dw, self.db = np.zeros_like(self.w), np.zeros_like(self.b)

    def forward(self, x):
        self.x = x
        return x @ self.w + self.b

    def backward(self, dh):
        self.dw[...] = self.x.T @ dh
        self.db[...] = dh.sum(axis=0)
        return dh @ self.w.T

    def params(self):
        return [(self.w, self.dw), (self.b, self.db)]


class SoftmaxCrossEntropy:
    """Mean cross-entropy of softmax(logits (N, K)) against integer labels (N,)."""

    def forward(self, logits, labels):
        shifted = logits - logits.max(axis=1, keepdims=True)  # same softmax, no overflow
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # no log(0) either
        self.probs = np.exp(log_probs)
        self.labels = labels
        return -np.mean(log_probs[np.arange(len(labels)), labels])

    def backward(self):
        """dL/dlogits = (softmax - one_hot) / N."""
        grad = self.probs.copy()
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
    return float(np.mean(logits.argmax(axis=1) == labels))
