"""The exercises as nbgrader assignments (`make assignments`), and their whole round trip.

In a temporary nbgrader course directory, with the teachers' environment (.venv-teachers, nbgrader 0.9.6,
which `make test` sets up): tools/build_assignments.py writes the source and release versions of every
notebook with exercises; two learners submit notebook 01 and notebook 04's capstone, one with correct answers
(written here, independently of the notebooks' solutions) and one with a catalogued mistake in each;
`nbgrader autograde` grades both and `nbgrader generate_feedback` writes their feedback.
"""

import ast
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEACHERS_PYTHON = ROOT / ".venv-teachers" / "bin" / "python"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "tools"))
from notebook_cells import cells_tagged, load, source, tags  # noqa: E402

EXERCISE_NOTEBOOKS = [p for p in NOTEBOOKS if cells_tagged(load(p), "exercise")]

# What the learners write: the whole cell, as a learner replaces the stub (correct, then with a mistake).
SUBMISSIONS = {
    ("01-single-channel", "ex-dx"): {
        "right": '''\
def my_dx(dh, w):
    """Scatter: each output sends dh[u, v] * w back over its window."""
    KH, KW = w.shape
    dx = np.zeros((dh.shape[0] + KH - 1, dh.shape[1] + KW - 1))
    for u in range(dh.shape[0]):
        for v in range(dh.shape[1]):
            dx[u:u + KH, v:v + KW] += dh[u, v] * w
    return dx
''',
        "wrong": '''\
def my_dx(dh, w):
    """Gather, but with the kernel as it is."""
    KH, KW = w.shape
    padded = np.pad(dh, ((KH - 1, KH - 1), (KW - 1, KW - 1)))
    H, W = dh.shape[0] + KH - 1, dh.shape[1] + KW - 1
    return np.array([[np.sum(padded[i:i + KH, j:j + KW] * w) for j in range(W)] for i in range(H)])
''',
        "diagnosis": "the kernel is rotated twice, or not at all",
    },
    ("04-stride-padding-dilation", "capstone-gather"): {
        "right": '''\
def layer_backward_gather(dh, x, w, stride, padding):
    """Gather: each pixel of x_pad collects from the zero-inserted, zero-padded dL/dh through the rotated kernel."""
    (N, H, W, C), (F, KH, KW, _), (_, OH, OW, _) = x.shape, w.shape, dh.shape
    s, p = stride, padding
    Hp, Wp = H + 2 * p, W + 2 * p
    up = np.zeros((N, Hp + KH - 1, Wp + KW - 1, F))  # dh, s - 1 zeros between entries, KH - 1 zero rows above
    up[:, KH - 1:KH - 1 + s * (OH - 1) + 1:s, KW - 1:KW - 1 + s * (OW - 1) + 1:s, :] = dh
    w_rot = w[:, ::-1, ::-1, :]
    dx_pad = np.zeros((N, Hp, Wp, C))
    for i in range(KH):
        for j in range(KW):
            dx_pad += np.einsum("nyzf,fc->nyzc", up[:, i:i + Hp, j:j + Wp, :], w_rot[:, i, j, :])
    x_pad = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    dw = np.zeros(w.shape)
    for i in range(KH):
        for j in range(KW):
            taps = x_pad[:, i:i + s * (OH - 1) + 1:s, j:j + s * (OW - 1) + 1:s, :]
            dw[:, i, j, :] = np.einsum("nuvf,nuvc->fc", dh, taps)
    return dx_pad[:, p:p + H, p:p + W, :], dw, dh.sum(axis=(0, 1, 2))
''',
        "wrong": '''\
def layer_backward_gather(dh, x, w, stride, padding):
    """Gather, with dL/dh used as it is: no zeros between its entries."""
    (N, H, W, C), (F, KH, KW, _), p = x.shape, w.shape, padding
    x_pad = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    dx_pad, dw = np.zeros(x_pad.shape), np.zeros(w.shape)
    for n in range(N):
        for f in range(F):
            dh_pad = np.pad(dh[n, :, :, f], ((KH - 1, KH - 1), (KW - 1, KW - 1)))
            for c in range(C):
                share = helpers.correlate2d(dh_pad, w[f, ::-1, ::-1, c])
                dx_pad[n, :share.shape[0], :share.shape[1], c] += share
                dw[f, :, :, c] += helpers.correlate2d(x_pad[n, :, :, c], dh[n, :, :, f])[:KH, :KW]
    return dx_pad[:, p:p + H, p:p + W, :], dw, dh.sum(axis=(0, 1, 2))
''',
        "diagnosis": "the windows are placed as if the stride were 1",
    },
}
LEARNERS = {"right": "ada", "wrong": "bob"}
KEY = "key"  # submits the source versions, with the solutions: every test cell of every assignment must pass

SCORES = """
import json
from nbgrader.api import Gradebook
with Gradebook("sqlite:///gradebook.db") as gb:
    print(json.dumps([[g.student.id, g.assignment.name, g.cell.name, g.score, g.max_score]
                      for a in gb.assignments for s in a.submissions for nb in s.notebooks for g in nb.grades]))
"""


def run(args, cwd, env):
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{' '.join(map(str, args))}\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    return result.stdout


def teachers_env(tmp):
    """The teachers' environment's bin/ first (nbgrader runs alembic from PATH); no user Jupyter config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTHONPATH", "VIRTUAL_ENV"))}
    env.update(PATH=f"{TEACHERS_PYTHON.parent}{os.pathsep}{env.get('PATH', '')}",
               JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"), JUPYTER_DATA_DIR=str(tmp / "jupyter-data"),
               JUPYTER_RUNTIME_DIR=str(tmp / "jupyter-runtime"), IPYTHONDIR=str(tmp / "ipython"))
    return env


def submit(course, assignment, student, answers):
    """Copy the release to submitted/<student>/, with each exercise cell (by grade_id) replaced by the answer."""
    nb = load(course / "release" / assignment / f"{assignment}.ipynb")
    cells = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in nb["cells"]}
    for grade_id, code in answers.items():
        cells[grade_id]["source"] = code
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True)
    (folder / f"{assignment}.ipynb").write_text(json.dumps(nb))


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    """Build, submit, autograde, feedback; -> (course, {(student, assignment, cell): (score, max)}, seconds)."""
    if not TEACHERS_PYTHON.exists():
        pytest.fail("the teachers' environment is missing: run `make .venv-teachers/.nbgrader` (make test does)")
    tmp = tmp_path_factory.mktemp("teachers")
    course, elsewhere, env = tmp / "course", tmp / "elsewhere", teachers_env(tmp)
    elsewhere.mkdir()
    start = time.perf_counter()
    run([TEACHERS_PYTHON, ROOT / "tools" / "build_assignments.py", course], cwd=elsewhere, env=env)
    built = time.perf_counter()
    for kind, student in LEARNERS.items():
        for assignment in sorted({a for a, _ in SUBMISSIONS}):
            answers = {cell: s[kind] for (a, cell), s in SUBMISSIONS.items() if a == assignment}
            submit(course, assignment, student, answers)
    for path in EXERCISE_NOTEBOOKS:
        (course / "submitted" / KEY / path.stem).mkdir(parents=True)
        (course / "submitted" / KEY / path.stem / path.name).write_bytes((course / "source" / path.stem / path.name)
                                                                          .read_bytes())
    run([TEACHERS_PYTHON, "-m", "nbgrader", "autograde", "*"], cwd=course, env=env)
    run([TEACHERS_PYTHON, "-m", "nbgrader", "generate_feedback", "*"], cwd=course, env=env)
    seconds = {"generate_assignment": built - start, "autograde and feedback": time.perf_counter() - built}
    rows = json.loads(run([TEACHERS_PYTHON, "-c", SCORES], cwd=course, env=env))
    scores = {(student, a, cell): (score, top) for student, a, cell, score, top in rows}
    print(f"\nround trip: {seconds}")
    return course, scores, seconds


def test_the_teachers_environment_is_consistent():
    """nbgrader 0.9.6 with the pinned JupyterLab and notebook, and nothing broken (pip check)."""
    if not TEACHERS_PYTHON.exists():
        pytest.fail("the teachers' environment is missing: run `make .venv-teachers/.nbgrader` (make test does)")
    run([TEACHERS_PYTHON, "-m", "pip", "check"], cwd=ROOT, env=os.environ)
    versions = run([TEACHERS_PYTHON, "-c", "import importlib.metadata as m; "
                    "print(*(m.version(p) for p in ('nbgrader', 'jupyterlab', 'notebook')))"], cwd=ROOT, env=os.environ)
    pinned = dict(line.split("==") for line in (ROOT / "requirements.txt").read_text().splitlines() if "==" in line)
    assert versions.split() == ["0.9.6", pinned["jupyterlab"], pinned["notebook"]]
    lab = subprocess.run([ROOT / ".venv" / "bin" / "python", "-c", "import nbgrader"], capture_output=True)
    assert lab.returncode != 0, "nbgrader must stay out of .venv (make lab, the learners' set-up)"


def test_every_exercise_is_an_answer_cell_and_every_check_a_locked_graded_test(round_trip):
    course, _, _ = round_trip
    assert sorted(p.name for p in (course / "release").iterdir()) == [p.stem for p in EXERCISE_NOTEBOOKS]
    table = {}
    for path in EXERCISE_NOTEBOOKS:
        nb = load(path)
        release = load(course / "release" / path.stem / path.name)
        meta = {c["metadata"]["nbgrader"]["grade_id"]: (c, c["metadata"]["nbgrader"])
                for c in release["cells"] if "nbgrader" in c["metadata"]}
        for cell in cells_tagged(nb, "exercise"):
            answer, m = meta[cell["id"]]
            assert m["solution"] and not m["grade"] and not m["locked"], cell["id"]
            stubs = {f.name: ast.get_docstring(f) for f in ast.parse(source(answer)).body}
            assert stubs == {f.name: ast.get_docstring(f) for f in ast.parse(source(cell)).body}
            assert "# YOUR CODE HERE\n    raise NotImplementedError()" in source(answer)
        checks = cells_tagged(nb, "check")
        for cell in checks:
            test, m = meta[cell["id"]]
            assert m["grade"] and m["locked"] and m["points"] >= 1 and not m["solution"], cell["id"]
            assert re.search(r"^assert result, result\.message", source(test), re.MULTILINE)
        assert len(meta) == len(checks) + len(cells_tagged(nb, "exercise")), "no other nbgrader cell"
        table[path.stem] = sorted((name, meta[check_of(path.stem, c["id"])][1]["points"])
                                  for c in cells_tagged(nb, "exercise") for name in functions(c))
    print("\nassignments and points:", table)
    assert dict(table["04-stride-padding-dilation"]) == {"my_dx": 1, "layer_backward_gather": 2}
    assert dict(table["06-im2col-and-speed"]) == {"my_col2im": 1, "layer_backward_im2col": 2}
    assert dict(table["01-single-channel"]) == {"my_dx": 1, "my_dw": 1, "numerical_gradient": 1}
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(r"^\| (\d\d-[a-z0-9-]+) \| (.*`.*) \|$", readme, re.MULTILINE)
    assert {a: sorted((n, int(p)) for n, p in re.findall(r"`(\w+)` \((\d+)\)", row)) for a, row in rows} == table


def functions(cell):
    return [node.name for node in ast.parse(source(cell)).body if isinstance(node, ast.FunctionDef)]


def hidden_lines(nb, tag):
    """The lines of the cells with that tag (`solution`: their functions' bodies) found nowhere before Solutions."""
    cells = nb["cells"]
    solutions = next(k for k, c in enumerate(cells) if source(c).startswith("## Solutions"))
    before = "\n".join(source(c) for c in cells[:solutions])  # its prose may quote a line as a hint
    lines = set()
    for cell in cells_tagged(nb, tag):
        text = source(cell).splitlines()
        if tag == "solution":
            bodies = [f.body[1:] if ast.get_docstring(f) else f.body for f in ast.parse(source(cell)).body]
            text = [line for body in bodies for line in text[body[0].lineno - 1:body[-1].end_lineno]]
        lines |= {line.strip() for line in text if line.strip() and line.strip() not in before}
    return lines


def test_the_release_holds_no_solution_and_no_answer(round_trip):
    course, _, _ = round_trip
    for path in EXERCISE_NOTEBOOKS:
        nb = load(path)
        solutions, answers = hidden_lines(nb, "solution"), hidden_lines(nb, "answer")
        released = "\n".join(source(c) for c in load(course / "release" / path.stem / path.name)["cells"])
        teachers = "\n".join(source(c) for c in load(course / "source" / path.stem / path.name)["cells"])
        assert len(solutions) >= 3 and all(line in teachers for line in solutions), path.name
        assert len(answers) >= 1 and [line for line in solutions | answers if line in released] == [], path.name
        assert "SOLUTION" not in released and "## Solutions" not in released and "## Solutions" not in teachers
        assert "](0" not in released, "links to the other notebooks point at the repository"


def check_of(assignment, exercise):
    """The id of the check cell after the exercise cell of that id, in the notebook."""
    cells = load(ROOT / "notebooks" / f"{assignment}.ipynb")["cells"]
    k = next(k for k, c in enumerate(cells) if c["id"] == exercise)
    return next(c["id"] for c in cells[k + 1:] if "check" in tags(c))


def test_autograde_gives_full_points_to_right_answers_and_none_to_a_catalogued_mistake(round_trip):
    _, scores, _ = round_trip
    graded = {(a, check_of(a, exercise)) for a, exercise in SUBMISSIONS}
    for assignment, check in graded:
        right, top = scores[(LEARNERS["right"], assignment, check)]
        wrong, _ = scores[(LEARNERS["wrong"], assignment, check)]
        assert (right, wrong) == (top, 0) and top >= 1, (assignment, check, right, wrong, top)
    # the exercises nobody wrote keep the release's stub, and get nothing
    untouched = {key: score for key, score in scores.items() if key[0] != KEY and key[1:] not in graded}
    assert len(untouched) == 2 * 3 and all(score == 0 for score, _ in untouched.values()), untouched
    assert len(untouched) + 2 * len(graded) == 2 * (3 + 2), "each learner: 3 test cells in notebook 01, 2 in 04"


def test_the_solutions_get_full_points_on_every_exercise(round_trip):
    """The source versions, submitted as they are: each exercise's solution passes its test cell."""
    _, scores, _ = round_trip
    key = {(a, cell): score for (student, a, cell), score in scores.items() if student == KEY}
    expected = {(p.stem, c["id"]) for p in EXERCISE_NOTEBOOKS for c in cells_tagged(load(p), "check")}
    assert set(key) == expected and all(score == top >= 1 for score, top in key.values()), key
    print(f"\n{len(key)} exercises in {len(EXERCISE_NOTEBOOKS)} assignments, {sum(t for _, t in key.values())} points")


def test_the_feedback_carries_the_checkers_diagnosis(round_trip):
    course, _, _ = round_trip
    for (assignment, _), submission in SUBMISSIONS.items():
        for kind, student in LEARNERS.items():
            html = (course / "feedback" / student / assignment / f"{assignment}.html").read_text()
            graded = load(course / "autograded" / student / assignment / f"{assignment}.ipynb")
            outputs = json.dumps([c["outputs"] for c in graded["cells"] if c["cell_type"] == "code"])
            if kind == "wrong":
                assert submission["diagnosis"] in html and submission["diagnosis"] in outputs, (student, assignment)
            else:
                assert submission["diagnosis"] not in html and "correct on" in html, (student, assignment)


def test_the_builder_marks_each_function_and_refuses_what_it_cannot_place():
    """Unit checks of tools/build_assignments.py, without nbgrader: several stubs in a cell, and clear refusals."""
    sys.path.insert(0, str(ROOT / "tools"))
    import build_assignments as build

    stubs = 'def f(a):\n    """a (N,) -> (N,)."""\n    raise NotImplementedError\n\n\ndef g(b):\n    """b -> b."""\n' \
            '    raise NotImplementedError\n'
    solution = 'def g(b):\n    return b  # g first\n\n\ndef f(a):\n    """Doubled."""\n    b = 2 * a\n    return b\n'
    assert build.answer_cell_source(stubs, solution, "ex") == (
        'def f(a):\n    """a (N,) -> (N,)."""\n    ### BEGIN SOLUTION\n    b = 2 * a\n    return b\n'
        '    ### END SOLUTION\n\n\ndef g(b):\n    """b -> b."""\n    ### BEGIN SOLUTION\n    return b  # g first\n'
        '    ### END SOLUTION')
    with pytest.raises(ValueError, match=r"cell ex: the exercise defines \['f', 'g'\], its solution \['f'\]"):
        build.answer_cell_source(stubs, 'def f(a):\n    return a\n', "ex")
    with pytest.raises(ValueError, match=r"cell ex: the solution has code outside its functions.*\['import os'\]"):
        build.answer_cell_source(stubs, "import os\n" + solution, "ex")
    test, judged = build.test_cell_source("from helpers.checkers import check_a\n\nprint(check_a(f))\n", "c")
    assert judged == ["f"] and test.endswith("result = check_a(f)\nprint(result)\nassert result, result.message"
                                             "  # the checker's diagnosis is the feedback")
    with pytest.raises(ValueError, match=r"cell c: a check cell prints a checker's result.*found none in 'f\(1\)'"):
        build.test_cell_source("f(1)", "c")
    cells = [{"cell_type": "markdown", "source": text} for text in ("## Exercises", "## Solutions", "## More")]
    with pytest.raises(ValueError, match="'## Solutions' must be the notebook's last section"):
        build.solutions_heading(cells)
