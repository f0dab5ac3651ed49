"""Adding a view or an explorer is one new module and its line in a registry, and every suite picks it up.

On a copy of the project, a throwaway view and a throwaway explorer are added as the README's "Extending"
says: a module in helpers/views/ and its lines in FORWARD_VIEWS and BACKWARD_VIEWS; a module in
helpers/explorers/ and its line in EXPLORERS.  Each logs the test file that calls it.  Then the suites
that iterate the registries run on the copy, and each must have called them, and passed.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

THROWAWAY_VIEW = '''"""A throwaway view: the loops under another name, logging the test file that calls it."""

import os

from . import loops


def _log():
    with open(os.environ["THROWAWAY_LOG"], "a") as log:
        log.write("view " + os.environ.get("PYTEST_CURRENT_TEST", "").split("::")[0] + "\\n")


def conv2d_throwaway(x, w, b=None, **params):
    _log()
    return loops.conv2d_loops(x, w, b, **params)


def conv2d_backward_throwaway(dh, x, w, **params):
    _log()
    return loops.conv2d_backward_loops(dh, x, w, **params)
'''

THROWAWAY_EXPLORER = '''"""A throwaway explorer: a grid times a factor, and its transpose; it logs who draws it."""

import os

import numpy as np

from ..plotting import draw_grid, grid_figure
from .controls import Slider
from .core import Explorer


def throwaway_example():
    return dict(a=np.arange(12.0).reshape(3, 4))


def throwaway_figure(a, k=0):
    with open(os.environ["THROWAWAY_LOG"], "a") as log:
        log.write("explorer " + os.environ.get("PYTEST_CURRENT_TEST", "").split("::")[0] + "\\n")
    fig, axes = grid_figure(2)
    draw_grid(axes[0, 0], a * (k + 1), f"a times {k + 1}")
    draw_grid(axes[0, 1], (a * (k + 1)).T, "its transpose")
    fig.description = f"A grid times {k + 1}, and its transpose"
    return fig, f"a times <b>{k + 1}</b>"


def throwaway_explorer(a):
    return Explorer(lambda **state: throwaway_figure(a, **state), {"k": Slider("factor", 0, 2)},
                    label="Explorer: a throwaway")
'''


def add(path, after, line):
    """Insert `line` after the first line of the file that starts with `after` (a registry's opening)."""
    lines = path.read_text().splitlines(keepends=True)
    k = next(i for i, text in enumerate(lines) if text.startswith(after))
    path.write_text("".join(lines[:k + 1] + [line + "\n"] + lines[k + 1:]))


def replace(path, old, new):
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def test_a_new_view_and_a_new_explorer_are_picked_up_by_every_suite(tmp_path):
    copy = tmp_path / "project"
    for name in ("helpers", "tests", "benchmarks"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "browser"))
    shutil.copy(ROOT / "pyproject.toml", copy)
    views, explorers = copy / "helpers" / "views", copy / "helpers" / "explorers"

    (views / "throwaway.py").write_text(THROWAWAY_VIEW)
    replace(views / "__init__.py", "from . import convolutions, fast, formula, im2col, loops, matrix",
            "from . import convolutions, fast, formula, im2col, loops, matrix, throwaway")
    add(views / "__init__.py", "FORWARD_VIEWS = {", '    "throwaway": throwaway.conv2d_throwaway,')
    add(views / "__init__.py", "BACKWARD_VIEWS = {", '    "throwaway": throwaway.conv2d_backward_throwaway,')

    (explorers / "throwaway.py").write_text(THROWAWAY_EXPLORER)
    replace(explorers / "__init__.py", "from . import channels, geometry, matrix, speed, training",
            "from . import channels, geometry, matrix, speed, throwaway, training")
    add(explorers / "__init__.py", '    "prediction": Entry(',
        '    "throwaway": Entry("09", throwaway.throwaway_figure, throwaway.throwaway_explorer, '
        'throwaway.throwaway_example),')

    log = tmp_path / "calls.log"
    env = {**os.environ, "THROWAWAY_LOG": str(log), "HYPOTHESIS_PROFILE": "quick", "PYTHONPATH": str(copy)}
    suites = [
        ["tests/test_views_agree.py", "tests/test_bad_input.py"],  # the views: every test, a few examples each
        ["tests/test_explorers.py", "tests/test_figures.py", "tests/test_benchmark.py",  # the explorers' own tests
         "-k", "throwaway or views_table or explorer_table"],
    ]
    for args in suites:
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-o", "addopts=", *args],
                                cwd=copy, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    calls = set(log.read_text().splitlines())
    for suite in ("test_views_agree.py", "test_bad_input.py", "test_benchmark.py"):
        assert f"view tests/{suite}" in calls, (suite, calls)
    for suite in ("test_explorers.py", "test_figures.py", "test_benchmark.py"):
        assert f"explorer tests/{suite}" in calls, (suite, calls)
