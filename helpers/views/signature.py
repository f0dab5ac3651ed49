"""The signature every view shares, written once: check the arguments, add a batch axis, take it off again.

A view computes on checked arrays with a batch axis and their
:class:`~helpers.geometry.ConvGeometry` ``g``::

    @forward_view
    def conv2d_something(x, w, b, g):  # x (N, H, W, C), w (F, KH, KW, C), b (F,) or None
        return h  # (N, OH, OW, F)

    @backward_view
    def conv2d_backward_something(dh, x, w, g):  # dh (N, OH, OW, F)
        return dx, dw, db  # (N, H, W, C), (F, KH, KW, C), (F,)

and the decorator gives it the signature of :func:`helpers.conv2d` or
:func:`helpers.conv2d_backward`: a single image or a batch, any float or
integer dtype, ``stride``, ``padding``, ``dilation``, and a clear error for
bad input (:func:`helpers.geometry.prepare`).
"""

from ..geometry import prepare, unbatch

__all__ = ["forward_view", "backward_view"]


def _named_as(view, compute):
    """view, answering to compute's name and docstring (its own signature stays the public one)."""
    view.__name__ = view.__qualname__ = compute.__name__
    view.__doc__, view.__module__ = compute.__doc__, compute.__module__
    return view


def forward_view(compute):
    """(x, w, b=None, *, stride=1, padding=0, dilation=1) -> h, from compute(x, w, b, g) on a batch."""
    def view(x, w, b=None, *, stride=1, padding=0, dilation=1):
        g, x, w, b, _ = prepare(x, w, b=b, stride=stride, padding=padding, dilation=dilation)
        return unbatch(g, compute(x, w, b, g))

    return _named_as(view, compute)


def backward_view(compute):
    """(dh, x, w, *, stride=1, padding=0, dilation=1) -> (dx, dw, db), from compute(dh, x, w, g) on a batch."""
    def view(dh, x, w, *, stride=1, padding=0, dilation=1):
        g, x, w, _, dh = prepare(x, w, dh=dh, stride=stride, padding=padding, dilation=dilation)
        dx, dw, db = compute(dh, x, w, g)
        return unbatch(g, dx), dw, db

    return _named_as(view, compute)
