"""Explorer of notebook 06: where the time of a vectorised conv forward + backward goes."""

import time

import numpy as np

from ..geometry import conv_geometry, prepare
from ..plotting import figure
from ..views.fast import PHASES, backward, forward
from .controls import Choice, Slider
from .core import Explorer

__all__ = ["time_phases_example", "PHASES", "phase_times", "time_phases", "time_phases_figure", "time_phases_explorer"]


def time_phases_example():
    """No data: the figure function's defaults are the example."""
    return {}


def phase_times(x, w, b, dh, *, stride=1, padding=0, dilation=1):
    """Seconds spent in each of the PHASES by one conv2d and one conv2d_backward, as they run.

    Same arguments as :func:`helpers.conv2d` and :func:`helpers.conv2d_backward`.
    The fast path (helpers.views.fast) calls ``lap(phase)`` after each step;
    here lap reads the clock.  Returns {phase: seconds}; im2col is counted
    twice (the forward and the backward pass each copy the windows), the
    products and col2im once.
    """
    params = dict(stride=stride, padding=padding, dilation=dilation)
    *_, dh = prepare(x, w, dh=dh, **params)
    g, x, w, b, _ = prepare(x, w, b=b, **params)
    seconds = dict.fromkeys(PHASES, 0.0)
    last = time.perf_counter()

    def lap(phase):
        nonlocal last
        now = time.perf_counter()
        seconds[phase] += now - last
        last = now

    forward(x, w, b, g, lap)
    last = time.perf_counter()  # checks and reshapes between the passes are no phase
    backward(dh, x, w, g, lap)
    return seconds


def time_phases(size=16, channels=16, *, batch=8, filters=32, kernel=3, repeat=5):
    """Median milliseconds of each phase of conv2d + conv2d_backward (float32, padding 1, with bias).

    The phases are timed inside the path conv2d takes (phase_times),
    in the memory layouts it picks for this channel count.
    Returns (dict phase -> ms, dict of byte counts for x and cols).
    """
    g = conv_geometry((batch, size, size, channels), (filters, kernel, kernel, channels), padding=1)
    rng = np.random.default_rng(0)
    x = rng.normal(size=g.x_shape).astype(np.float32)
    w = rng.normal(size=(filters, kernel, kernel, channels)).astype(np.float32)
    b = rng.normal(size=filters).astype(np.float32)
    dh = rng.normal(size=g.out_shape).astype(np.float32)
    runs = [phase_times(x, w, b, dh, padding=1) for _ in range(repeat)]
    times = {phase: 1e3 * float(np.median([run[phase] for run in runs])) for phase in PHASES}
    cols = batch * g.out[0] * g.out[1] * kernel * kernel * channels * x.itemsize
    return times, {"x": x.nbytes, "cols": cols}


def time_phases_figure(size=16, channels=16):
    """A bar per phase (ms) and the memory of cols against x.  Returns (fig, html text)."""
    times, memory = time_phases(size, channels)
    fig = figure(8.4, 3)
    ax_t, ax_m = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 1]})
    fig.subplots_adjust(left=0.25, right=0.98, bottom=0.17, top=0.9, wspace=0.35)
    names = list(times)
    ax_t.barh(names[::-1], [times[n] for n in names[::-1]], color="tab:blue")
    ax_t.set_xlabel("milliseconds (median of 5)")
    ax_t.set_title(f"8 images {size} × {size} × {channels}, 32 filters 3 × 3, float32", fontsize=10)
    ax_m.bar(["x", "cols"], [memory["x"] / 1e6, memory["cols"] / 1e6], color=["tab:gray", "tab:orange"])
    ax_m.set_ylabel("MB")
    ax_m.set_title(f"cols = {memory['cols'] / memory['x']:.1f} × x", fontsize=10)
    fig.description = f"Where the time of one layer's forward and backward pass goes, for {size} × {size} images"
    total = sum(times.values())
    gemm = sum(times[n] for n in PHASES[1:4])
    text = (f"Total {total:.2f} ms, of which the three matrix products take {100 * gemm / total:.0f}% "
            f"and the copies (im2col, col2im) the rest, on this run. "
            f"im2col runs twice, once in each pass: its bar adds the two.")
    return fig, text


def time_phases_explorer():
    """Image size and channel count sliders over :func:`time_phases_figure`."""
    controls = {
        "size": Slider("image side", 8, 48, 16, step=8),
        "channels": Choice("channels", [3, 16, 32], 16),
    }
    # each state is timed once, in the foreground or while the learner reads; moving back shows that timing
    return Explorer(time_phases_figure, controls, label="Explorer: where the time of one layer goes")
