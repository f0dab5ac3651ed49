"""A/B benchmark: the helpers of another commit against this tree's, alternating, in one run.

Usage: python benchmarks/ab_bench.py [REV]   (default: main)
       python benchmarks/ab_bench.py --old DIR   (a tree with helpers/ and benchmarks/ in it)

Three worker processes import their own tree: A, the old one (REV, taken with ``git archive``), and
B and B', two of this tree.  The parent asks them in turn for a block of timed runs of the same step
(rounds of A, B, B' in rotating order, a pause before each block, as in bench_conv.py), so the machine's
drift hits all three alike.  For each step it prints the median ms of each, the median over rounds of
B/A (the change) and of B'/B (the same code twice: the noise on this machine now), and says whether
B/A lies within the noise (no farther from 1 than the farthest B'/B, either way), or B is faster or
slower.  Steps: conv2d + conv2d_backward on bench_conv.py's layers, each view of the registry on the
question's layer, each explorer's figure function drawn to a PNG (on each tree's own example data), and
a training step of notebook 07's network.
"""

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WORKER = r'''
import json, statistics, sys, time
from functools import partial
tree = sys.argv[1]
sys.path[:0] = [tree, tree + "/benchmarks"]
import numpy as np
import bench_conv as B
import helpers as H
assert H.__file__.startswith(tree), H.__file__
try:
    from helpers.explorers.drawing import draw_state
except ImportError:  # before issue 24
    from helpers.explorers.core import draw_state
from helpers.layers import SGD, Conv2D, Dense, Flatten, MaxPool2D, ReLU, Sequential, SoftmaxCrossEntropy

steps = {}
rng = np.random.default_rng(0)
for dtype in (np.float32, np.float64):
    for layer in B.LAYERS:
        args = B.make_inputs(layer, dtype, rng)
        steps[f"conv {layer} {np.dtype(dtype).name}"] = partial(B.numpy_step, layer, *args)
layer = B.LAYERS[0]
x, w, b, dh = B.make_inputs(layer, np.float64, np.random.default_rng(0))
for name, view in B.FORWARD_VIEWS.items():
    steps[f"view {name} forward"] = partial(view, x, w, b, **layer.params)
for name, view in B.BACKWARD_VIEWS.items():
    steps[f"view {name} backward"] = partial(view, dh, x, w, **layer.params)
for notebook, name, figure_fn in B.explorer_cases():
    steps[f"explorer {notebook}"] = partial(draw_state, figure_fn, {})
r = np.random.default_rng(0)
model = Sequential(Conv2D(1, 8, 3, padding=1, rng=r), ReLU(), MaxPool2D(), Flatten(), Dense(128, 10, rng=r))
loss, optimiser = SoftmaxCrossEntropy(), SGD(model.params(), lr=0.05, momentum=0.9)
xb, yb = r.random((32, 8, 8, 1)), r.integers(0, 10, 32)

def train_step():
    loss.forward(model.forward(xb), yb)
    model.backward(loss.backward())
    optimiser.step()

steps["training step (notebook 07)"] = train_step
print(json.dumps(list(steps)), flush=True)
for line in sys.stdin:
    name, block = json.loads(line)
    step = steps[name]
    step()  # warm-up
    times = []
    for _ in range(block):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    print(json.dumps(statistics.median(times)), flush=True)
'''


def old_tree(rev, into):
    """The helpers/ and benchmarks/ of rev, extracted into the folder `into`."""
    archive = subprocess.run(["git", "archive", rev, "helpers", "benchmarks"], cwd=ROOT, capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


class Worker:
    def __init__(self, tree):
        self.process = subprocess.Popen([sys.executable, "-c", WORKER, str(tree)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, cwd=tree)
        self.steps = json.loads(self.process.stdout.readline())

    def time(self, name, block):
        self.process.stdin.write(json.dumps([name, block]) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def compare(workers, names, rounds, block, rest):
    """{step: (medians of A, B, B' in ms, B/A per round, B'/B per round)}."""
    results = {}
    for name in names:
        times = [[] for _ in workers]
        for k in range(rounds):
            order = [(k + j) % len(workers) for j in range(len(workers))]  # who goes first rotates
            for i in order:
                time.sleep(rest)
                times[i].append(workers[i].time(name, block))
        a, b, b2 = times
        results[name] = ([1e3 * statistics.median(t) for t in times],
                         [y / x for x, y in zip(a, b)], [y / x for x, y in zip(b, b2)])
        yield name, results[name]


def judge(change, noise):
    """"within noise" if the median B/A is no farther from 1 (as a factor, either way) than the farthest B'/B,
    else "faster" or "slower"."""
    reach = max(abs(math.log(ratio)) for ratio in noise)
    return "within noise" if abs(math.log(change)) <= reach else "faster" if change < 1 else "slower"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rev", nargs="?", default="main", help="the old commit (default: main)")
    parser.add_argument("--old", type=Path, help="an old tree (a folder with helpers/ and benchmarks/) instead of rev")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--block", type=int, default=5, help="timed runs per block (their median counts)")
    parser.add_argument("--rest", type=float, default=0.1, help="seconds of pause before each block")
    parser.add_argument("--only", help="only the steps whose name contains this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        old = args.old or old_tree(args.rev, Path(scratch))
        workers = [Worker(old.resolve()), Worker(ROOT), Worker(ROOT)]
        try:
            names = [n for n in workers[1].steps if n in workers[0].steps and (args.only or "") in n]
            print(f"A: {args.old or args.rev}; B and B': this tree; {args.rounds} rounds of blocks of "
                  f"{args.block}\n")
            print("| step | A ms | B ms | B' ms | B/A, median (quartiles) | B'/B, median (quartiles) | B/A |")
            print("|---|---:|---:|---:|---:|---:|---|")
            within = 0
            for name, (ms, change, noise) in compare(workers, names, args.rounds, args.block, args.rest):
                q = [statistics.quantiles(r, n=4) for r in (change, noise)]
                verdict = judge(statistics.median(change), noise)
                within += verdict == "within noise"
                print(f"| {name} | {ms[0]:.3f} | {ms[1]:.3f} | {ms[2]:.3f} | {statistics.median(change):.3f} "
                      f"({q[0][0]:.2f} to {q[0][2]:.2f}) | {statistics.median(noise):.3f} ({q[1][0]:.2f} to "
                      f"{q[1][2]:.2f}) | {verdict} |", flush=True)
            print(f"\n{within} of {len(names)} steps: B/A within the noise of B'/B (the same code timed twice)")
        finally:
            for worker in workers:
                worker.close()


if __name__ == "__main__":
    main()
