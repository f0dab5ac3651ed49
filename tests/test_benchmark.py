"""The benchmark script runs, and its floor times the same products as the vectorised path."""

import sys
from pathlib import Path

import numpy as np

import helpers as H

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
import bench_conv as B  # noqa: E402


def test_a_table_row():
    layer = B.Layer(3, 7, 6, 3, 4, 3, stride=2, padding=1)
    cells, ratio, floor, mem = B.measure(layer, np.float64, np.random.default_rng(0), budget=0, with_loops=True)
    assert len(cells) == 10 and cells[0] == "N=3 7x6 C=3 F=4 k3 s2 p1"
    assert mem > 0 and (ratio is None) == (B.torch is None) == (floor is None)


def test_the_floor_times_the_real_products():
    """products_step_factory's three products give h, dL/dw and (through col2im) dL/dx."""
    layer = B.Layer(2, 6, 5, 3, 4, 3, padding=1)
    x, w, _, dh = B.make_inputs(layer, np.float64, np.random.default_rng(1))
    h, dw_t, dcols = B.products_step_factory(layer, x, w, dh)()
    dx, dw, _ = H.conv2d_backward(dh, x, w, padding=1)
    assert H.rel_error(h.reshape(dh.shape), H.conv2d(x, w, padding=1)) < 1e-12
    assert H.rel_error(dw_t.T.reshape(w.shape), dw) < 1e-12
    assert H.rel_error(H.col2im(dcols, x.shape, 3, padding=1), dx) < 1e-12


def test_the_views_table_times_every_registered_view(capsys):
    rows = B.views_table(repeat=1)
    assert list(rows) == list(dict.fromkeys([*B.FORWARD_VIEWS, *B.BACKWARD_VIEWS]))
    for name, (forward, backward) in rows.items():
        assert (forward is None) == (name not in B.FORWARD_VIEWS)
        assert (backward is None) == (name not in B.BACKWARD_VIEWS)
        assert all(t > 0 for t in (forward, backward) if t is not None)
    assert f"| fast | {rows['fast'][0]:.3f} | {rows['fast'][1]:.3f} |" in capsys.readouterr().out


def test_the_explorer_table_times_each_explorer_and_reads_the_browser_report(tmp_path, monkeypatch, capsys):
    import json

    press = {"kernel_and_comm": 20.0, "decode": 10.0, "paint": 5.0}
    report = {"03-multi-filter.ipynb": {"run_all_s": 3.0, "measured": "2026-01-01 00:00", "explorers": [
        {"presses": [press] * 3, "median_ms": 61.0, "p90_ms": 80.0, "load_average": [0.5, 0.7]}]}}
    (tmp_path / "latency.json").write_text(json.dumps(report))
    monkeypatch.setattr(B, "LATENCY_REPORT", tmp_path / "latency.json")
    B.explorer_table(repeat=1)
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| 0")]
    from helpers.explorers import EXPLORERS

    assert [row[2:4] for row in rows] == [entry.notebook for entry in EXPLORERS.values()]  # every explorer, in order
    assert [row[2:4] for row in rows][:7] == ["01", "02", "03", "04", "05", "06", "07"]
    for row in rows:
        cells = row.strip("| ").split(" | ")
        assert all(float(ms) >= 0 for ms in cells[1:6]) and float(cells[5]) > 0  # compute .. state -> PNG
        assert cells[-4:] == (["61", "80", "20", "15"] if row.startswith("| 03") else ["-"] * 4)
    assert "median <= 100 ms for every explorer: met (worst 61 ms); p90 <= 200 ms: met (worst 80 ms)" in out


def test_the_ab_benchmark_times_two_trees_alternately_and_judges_by_the_noise():
    import subprocess

    import ab_bench

    assert ab_bench.judge(1.02, [0.97, 1.05]) == "within noise"
    assert ab_bench.judge(0.90, [0.97, 1.05]) == "faster" and ab_bench.judge(1.10, [0.97, 1.05]) == "slower"
    assert ab_bench.judge(1.04, [0.96, 0.99]) == "within noise"  # as far from 1 as B'/B goes, either way
    assert ab_bench.judge(1.05, [0.96, 0.99]) == "slower"
    root = Path(__file__).parent.parent
    result = subprocess.run([sys.executable, str(root / "benchmarks" / "ab_bench.py"), "--old", str(root),
                             "--only", "view fast", "--rounds", "2", "--block", "1", "--rest", "0"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| view fast")]
    assert [row.split(" | ")[0] for row in rows] == ["| view fast forward", "| view fast backward"]
    assert "of 2 steps: B/A within the noise of B'/B" in result.stdout.splitlines()[-1]
