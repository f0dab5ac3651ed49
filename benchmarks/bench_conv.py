"""Benchmark: loops vs vectorised conv2d forward + backward (vs PyTorch when installed),
explorer redraws and latency, notebook 07's training, and the notebook series' execution time.

Run with ``make bench`` (or ``python benchmarks/bench_conv.py --help``; one table:
``make bench BENCH_ARGS="--only conv"``); benchmarks/README.md gives the results.  Five tables:

1. For each layer and dtype: the median time of forward + full backward
   (dx, dw, db), the GFLOP/s that implies, the ratio to PyTorch's CPU
   ``conv2d`` forward + backward measured in the same process in alternating
   blocks (the median of the ratios of each round), and the vectorised
   path's peak extra memory relative to the columns matrix.  The loop
   reference is timed on one image and scaled by N.
   "products" is a floor for any im2col method on this BLAS: the three
   matrix products alone, on columns built beforehand in both layouts (the
   (K, M) one is faster for dL/dw), with no im2col, col2im or checks.
2. Each explorer's redraw at its default settings, split into the figure
   function's computation, drawing (making the figure and its pixels) and
   encoding the PNG the widget shows; and, from the report the browser
   tests write (tests/browser/latency.json), the time from a key press to
   the new figure in JupyterLab, with its kernel + comm and decode + paint
   parts.
3. Notebook 07's CNN: a training step, its conv layer's forward and
   backward, and the notebook's training.
4. Each notebook executed top to bottom in a fresh kernel.
5. Every view in the registry (helpers.views) on the question's layer: a
   view added there is timed here.
"""

import argparse
import json
import os
import platform
import statistics
import time
import tracemalloc
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

import helpers as H
from helpers.views import BACKWARD_VIEWS, FORWARD_VIEWS

ROOT = Path(__file__).resolve().parents[1]
LATENCY_REPORT = ROOT / "tests" / "browser" / "latency.json"  # written by the browser tests

try:
    import torch
    import torch.nn.functional as torch_F
except ImportError:  # the comparison is optional
    torch = None


@dataclass(frozen=True)
class Layer:
    N: int
    H: int
    W: int
    C: int
    F: int
    k: int
    stride: int = 1
    padding: int = 0

    def __str__(self):
        extra = (f" s{self.stride}" if self.stride > 1 else "") + (f" p{self.padding}" if self.padding else "")
        return f"N={self.N} {self.H}x{self.W} C={self.C} F={self.F} k{self.k}{extra}"

    @property
    def params(self):
        return dict(stride=self.stride, padding=self.padding)

    def flops(self):
        """Multiply-adds x 2 of forward, dL/dw and dL/dx: three products of the same size."""
        g = H.conv_geometry((self.N, self.H, self.W, self.C), (self.F, self.k, self.k, self.C), **self.params)
        M, K = self.N * g.out[0] * g.out[1], self.k * self.k * self.C
        return 3 * 2 * M * K * self.F, M * K


LAYERS = [
    Layer(1, 5, 5, 3, 16, 3),  # the question
    Layer(32, 28, 28, 3, 16, 3, padding=1),
    Layer(32, 28, 28, 16, 32, 3, padding=1),
    Layer(64, 16, 16, 32, 64, 3, stride=2, padding=1),
    Layer(8, 32, 32, 64, 64, 3, padding=1),
    Layer(16, 14, 14, 64, 128, 3, padding=1),
    Layer(32, 32, 32, 3, 32, 5, padding=2),
]


def make_inputs(layer, dtype, rng):
    x = rng.normal(size=(layer.N, layer.H, layer.W, layer.C)).astype(dtype)
    w = rng.normal(size=(layer.F, layer.k, layer.k, layer.C)).astype(dtype)
    b = rng.normal(size=layer.F).astype(dtype)
    dh = rng.normal(size=H.conv2d(x, w, b, **layer.params).shape).astype(dtype)
    return x, w, b, dh


def numpy_step(layer, x, w, b, dh):
    H.conv2d(x, w, b, **layer.params)
    H.conv2d_backward(dh, x, w, **layer.params)


def loops_step(layer, x, w, b, dh):
    H.conv2d_loops(x[:1], w, b, **layer.params)
    H.conv2d_backward_loops(dh[:1], x[:1], w, **layer.params)


def torch_step_factory(layer, x, w, b, dh):
    """A closure running torch forward + backward on NCHW copies of the same data."""
    tx = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))).requires_grad_()
    tw = torch.from_numpy(np.ascontiguousarray(w.transpose(0, 3, 1, 2))).requires_grad_()
    tb = torch.from_numpy(b.copy()).requires_grad_()
    tdh = torch.from_numpy(np.ascontiguousarray(dh.transpose(0, 3, 1, 2)))

    def step():
        tx.grad = tw.grad = tb.grad = None
        out = torch_F.conv2d(tx, tw, tb, stride=layer.stride, padding=layer.padding)
        out.backward(tdh)

    return step


def products_step_factory(layer, x, w, dh):
    """A closure running only the three products of forward + backward, on prebuilt operands."""
    cols = H.im2col(x, layer.k, **layer.params)  # (M, K)
    cols_t = np.ascontiguousarray(cols.T)  # (K, M): the faster layout for dL/dw
    w2, dh2 = w.reshape(len(w), -1), dh.reshape(-1, len(w))  # (F, K), (M, F)

    def step():
        return cols @ w2.T, cols_t @ dh2, dh2 @ w2  # h, (dL/dw).T, dL/dcols

    return step


def verdict(ok):
    return "met" if ok else "NOT met"


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved_rounds(steps, budget, block=8, rest=0.25, min_rounds=5):
    """Rounds of alternating blocks; each round holds every step's median seconds over its block.

    NumPy's BLAS threads and PyTorch's OpenMP threads keep spinning for a while
    after a call and slow down whichever library runs next on these 2 cores.
    So each round gives every step a block of runs of its own, after a pause
    of `rest` seconds (the other library's threads go to sleep) and one
    untimed warm-up run.  Rounds go on until `budget` seconds are spent.
    """
    rounds = []
    start = time.perf_counter()
    while len(rounds) < min_rounds or (time.perf_counter() - start < budget and len(rounds) < 25):
        medians = []
        for step in steps:
            time.sleep(rest)
            step()
            medians.append(statistics.median(timed(step) for _ in range(block)))
        rounds.append(medians)
    return rounds


def peak_extra_memory(layer, x, w, b, dh):
    """Peak bytes allocated by one vectorised forward + backward (tracemalloc sees NumPy)."""
    tracemalloc.start()
    numpy_step(layer, x, w, b, dh)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def measure(layer, dtype, rng, budget, with_loops):
    """One table row: (cells, ratio to torch, products-only ratio to torch, peak memory / cols).

    The ratios are None without PyTorch.
    """
    x, w, b, dh = make_inputs(layer, dtype, rng)
    flops, cols_entries = layer.flops()
    steps = [lambda: numpy_step(layer, x, w, b, dh), products_step_factory(layer, x, w, dh)]
    if torch is not None:
        steps.append(torch_step_factory(layer, x, w, b, dh))
    rounds = interleaved_rounds(steps, budget)
    t_np, t_products = (statistics.median(r[i] for r in rounds) for i in (0, 1))
    t_torch = ratio = floor = None
    if torch is not None:
        # The machine's speed drifts by tens of percent within minutes, so each ratio
        # is taken within a round (its blocks run within a second) and then the median.
        t_torch = statistics.median(r[2] for r in rounds)
        ratio = statistics.median(r[0] / r[2] for r in rounds)
        floor = statistics.median(r[1] / r[2] for r in rounds)
    loops = f"{timed(lambda: loops_step(layer, x, w, b, dh)) * layer.N * 1e3:.0f}" if with_loops else "-"
    mem = peak_extra_memory(layer, x, w, b, dh) / (cols_entries * x.itemsize)
    cells = [str(layer), np.dtype(dtype).name, loops, f"{t_np * 1e3:.2f}", f"{flops / t_np / 1e9:.1f}",
             f"{t_torch * 1e3:.2f}" if t_torch else "-", f"{ratio:.2f}x" if ratio else "-",
             f"{t_products * 1e3:.2f}", f"{floor:.2f}x" if floor else "-", f"{mem:.2f}"]
    return cells, ratio, floor, mem


def explorer_cases():
    """(notebook, name, figure function) for every explorer of the registry: its figure function on its example data."""
    from helpers.explorers import EXPLORERS

    return [(entry.notebook, name.replace("_", " "), partial(entry.figure, **entry.example()))
            for name, entry in EXPLORERS.items()]


def explorer_table(repeat=9):
    """Each explorer's redraw at its default settings, in the kernel, and its latency in the browser.

    compute: the figure function's work before it makes the figure;  draw:
    the rest of it (building the figure) and drawing the pixels;  encode: the
    PNG.  The browser columns are read from tests/browser/latency.json, which
    the browser tests write (key press -> new figure painted, in JupyterLab
    in Chromium; see tests/browser/test_jupyterlab.py).
    """
    from helpers.explorers.drawing import draw_state

    browser = json.loads(LATENCY_REPORT.read_text()) if LATENCY_REPORT.exists() else {}
    print("\n# explorers: one redraw at the default settings (median of 9), and key press -> new figure in the browser")
    print("\n| explorer | compute ms | draw ms | encode ms | state -> figure ms | state -> PNG ms | image px | PNG KB "
          "| key -> figure median ms | p90 ms | kernel + comm ms | decode + paint ms |")
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    slowest, medians, p90s = 0.0, [], []
    for notebook, name, figure_fn in explorer_cases():
        runs = [draw_state(figure_fn, {}) for _ in range(repeat)]
        ms = {k: 1e3 * statistics.median(run.timings[k] for run in runs) for k in ("compute", "draw", "encode")}
        figure_ms = 1e3 * statistics.median(run.timings["figure"] for run in runs)
        png, (width, height) = runs[-1].png, runs[-1].size
        slowest = max(slowest, figure_ms)
        cells = [f"{notebook} {name}", f"{ms['compute']:.0f}", f"{ms['draw']:.0f}", f"{ms['encode']:.0f}",
                 f"{figure_ms:.0f}", f"{sum(ms.values()):.0f}", f"{width} x {height}", f"{len(png) / 1024:.0f}"]
        measured = [nb for key, nb in browser.items() if key.startswith(notebook) and nb["explorers"]]
        if measured:
            explorer = measured[0]["explorers"][0]
            presses = explorer["presses"]
            medians.append(explorer["median_ms"])
            p90s.append(explorer["p90_ms"])
            cells += [f"{explorer['median_ms']:.0f}", f"{explorer['p90_ms']:.0f}",
                      f"{statistics.median(p['kernel_and_comm'] for p in presses):.0f}",
                      f"{statistics.median(p['decode'] + p['paint'] for p in presses):.0f}"]
        else:
            cells += ["-"] * 4
        print("| " + " | ".join(cells) + " |", flush=True)
    print(f"\ntarget: every state -> figure <= 50 ms: {verdict(slowest <= 50)} (slowest {slowest:.0f} ms)")
    if medians:
        loads = [load for nb in browser.values() for e in nb["explorers"] for load in e["load_average"]]
        print(f"target: key press -> new figure median <= 100 ms for every explorer: {verdict(max(medians) <= 100)} "
              f"(worst {max(medians):.0f} ms); p90 <= 200 ms: {verdict(max(p90s) <= 200)} (worst {max(p90s):.0f} ms)")
        print(f"(browser tests of {min(nb['measured'] for nb in browser.values())}, load average "
              f"{min(loads):.1f} to {max(loads):.1f} on {os.cpu_count()} cores)")
    else:
        print(f"key press -> new figure: not measured here ({LATENCY_REPORT.relative_to(ROOT)} is written by "
              "the browser tests: make test, or pytest tests/browser/test_jupyterlab.py)")


def training_table(repeat=3):
    """Notebook 07's CNN on the 8x8 digits: one SGD step on a batch of 32 (median of 300); its conv layer's
    forward + backward (median of 15 blocks of 100); and the notebook's whole training loop (15 epochs of
    42 steps, with the loss and accuracy after each; median of 3)."""
    from sklearn.datasets import load_digits

    from helpers.layers import SGD, Conv2D, Dense, Flatten, MaxPool2D, ReLU, Sequential, SoftmaxCrossEntropy

    digits = load_digits()
    images, labels = (digits.images / 16.0)[..., None], digits.target
    order = np.random.default_rng(0).permutation(len(images))
    test, train = order[:450], order[450:]
    x_train, y_train, x_test, y_test = images[train], labels[train], images[test], labels[test]

    def model_and_step():
        r = np.random.default_rng(0)
        model = Sequential(Conv2D(1, 8, 3, padding=1, rng=r), ReLU(), MaxPool2D(), Flatten(), Dense(128, 10, rng=r))
        loss, optimiser = SoftmaxCrossEntropy(), SGD(model.params(), lr=0.05, momentum=0.9)

        def step(batch):
            loss.forward(model.forward(x_train[batch]), y_train[batch])
            model.backward(loss.backward())
            optimiser.step()

        return model, loss, step

    model, _, step = model_and_step()
    batches = np.array_split(np.random.default_rng(1).permutation(len(x_train)), len(x_train) // 32)
    step_ms = 1e3 * statistics.median(timed(partial(step, batches[k % len(batches)])) for k in range(300))

    conv, x = model.layers[0], x_train[batches[0]]
    dh = np.random.default_rng(2).normal(size=conv.forward(x).shape)

    def conv_step():
        conv.forward(x)
        conv.backward(dh)

    conv_ms = 1e3 * statistics.median(timed(lambda: [conv_step() for _ in range(100)]) / 100 for _ in range(15))

    def train():
        model, loss, step = model_and_step()
        batch_rng = np.random.default_rng(1)
        for _ in range(15):
            for batch in np.array_split(batch_rng.permutation(len(x_train)), len(x_train) // 32):
                step(batch)
            loss.forward(model.forward(x_train), y_train)
            loss.forward(model.forward(x_test), y_test)

    train_s = statistics.median(timed(train) for _ in range(repeat))
    print("\n# notebook 07's CNN (conv 3x3, 1 -> 8 channels, padding 1; ReLU; max pool; dense 128 -> 10), float64\n")
    print("| one SGD step, batch of 32 | conv layer forward + backward | notebook 07's training, 15 epochs |")
    print("|---:|---:|---:|")
    print(f"| {step_ms:.2f} ms | {conv_ms:.3f} ms | {train_s:.2f} s |")


def notebook_table():
    import nbformat
    from nbclient import NotebookClient

    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "notebooks")
    print("\n| notebook | executed in s (fresh kernel) |")
    print("|---|---:|")
    total = 0.0
    for name in sorted(f for f in os.listdir(root) if f.endswith(".ipynb")):
        nb = nbformat.read(os.path.join(root, name), as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, timeout=600, resources={"metadata": {"path": root}}).execute()
        total += time.perf_counter() - start
        print(f"| {name} | {time.perf_counter() - start:.1f} |", flush=True)
    print(f"| all | {total:.1f} |")
    print(f"\ntarget: the series <= 60 s: {verdict(total <= 60)} (under nbval they take about as long)")


def views_table(repeat=5):
    """Each registered view, forward and backward, on the question's layer (float64): median ms."""
    layer = LAYERS[0]
    x, w, b, dh = make_inputs(layer, np.float64, np.random.default_rng(0))
    print(f"\n# every view of helpers.views on the question's layer ({layer}, float64)\n")
    print("| view | forward ms | backward ms |")
    print("|---|---:|---:|")
    rows = {}
    for name in [*FORWARD_VIEWS, *(n for n in BACKWARD_VIEWS if n not in FORWARD_VIEWS)]:
        forward, backward = FORWARD_VIEWS.get(name), BACKWARD_VIEWS.get(name)
        steps = [None if forward is None else partial(forward, x, w, b, **layer.params),
                 None if backward is None else partial(backward, dh, x, w, **layer.params)]
        rows[name] = [None if step is None else 1e3 * statistics.median(timed(step) for _ in range(repeat))
                      for step in steps]
        print(f"| {name} | " + " | ".join("-" if t is None else f"{t:.3f}" for t in rows[name]) + " |", flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", type=float, default=1.0, help="seconds of timing per layer and dtype")
    parser.add_argument("--no-loops", action="store_true", help="skip the loop reference")
    parser.add_argument("--only", choices=["conv", "explorers", "training", "notebooks", "views"],
                        help="print one table only")
    args = parser.parse_args()
    if args.only in (None, "explorers"):
        explorer_table()
    if args.only in (None, "training"):
        training_table()
    if args.only in (None, "notebooks"):
        notebook_table()
    if args.only in (None, "conv"):
        conv_table(args)
    if args.only in (None, "views"):
        views_table()


def conv_table(args):
    versions = f"numpy {np.__version__}"
    if torch is not None:
        versions += f", torch {torch.__version__} ({torch.get_num_threads()} threads)"
    print(f"\n# conv2d forward + backward, {platform.machine()}, {os.cpu_count()} cores, {versions}")
    if torch is None:
        print("# PyTorch is not installed: no ratio column (pip install torch==2.13.0 for the CPU build)")
    print()
    print("| layer | dtype | loops ms | vectorised ms | GFLOP/s | torch ms | ratio to torch "
          "| products ms | products / torch | peak mem / cols |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    rng = np.random.default_rng(0)
    ratios, memory = {}, []
    for dtype in (np.float32, np.float64):
        for layer in LAYERS:
            cells, ratio, floor, mem = measure(layer, dtype, rng, args.budget, not args.no_loops)
            print("| " + " | ".join(cells) + " |", flush=True)
            if ratio is not None:
                ratios.setdefault(np.dtype(dtype).name, []).append((ratio, floor))
            if layer.N > 1:  # the question's 1 KB layer measures fixed-size allocations
                memory.append(mem)
    print()
    for name, pairs in ratios.items():
        r, f = zip(*pairs)
        print(f"{name}: median ratio to torch {statistics.median(r):.2f}x, worst {max(r):.2f}x; "
              f"the products alone {statistics.median(f):.2f}x, worst {max(f):.2f}x")
    if "float32" in ratios:
        r = [ratio for ratio, _ in ratios["float32"]]
        print(f"target: float32 median <= 1.2x: {verdict(statistics.median(r) <= 1.2)}; "
              f"worst <= 2.0x: {verdict(max(r) <= 2.0)}")
    else:
        print("target: float32 ratio to PyTorch: not measured (PyTorch is not installed)")
    print(f"target: peak extra memory <= about 2x cols on the batched layers: "
          f"{verdict(max(memory) <= 2.0)} (at most {max(memory):.2f}x)")


if __name__ == "__main__":
    main()
