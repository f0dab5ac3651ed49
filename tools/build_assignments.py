"""Build the exercises as nbgrader assignments, from the notebooks as they are: `make assignments`.

Usage: python tools/build_assignments.py [COURSE_DIR]   (default: assignments/ in the repository)

Run with the teachers' environment (.venv-teachers, which holds nbgrader), as `make assignments` does.
It writes an nbgrader course directory, one assignment per notebook with exercises, named as the notebook:

    COURSE_DIR/nbgrader_config.py
    COURSE_DIR/source/01-single-channel/01-single-channel.ipynb    the teachers' version, with the solutions
    COURSE_DIR/release/01-single-channel/01-single-channel.ipynb   the learners' version (nbgrader's output)

The source version is the notebook up to its "## Solutions" section (dropped, with the collapsed answers to
the thinking questions and the checkers' demonstrations that sit in it), where
- each cell tagged `exercise` becomes an nbgrader answer cell: every stub keeps its signature and docstring,
  and gets the body of the function of the same name in the cell tagged `solution`, between
  `### BEGIN SOLUTION` and `### END SOLUTION`, which `nbgrader generate_assignment` replaces with its code stub;
- each cell tagged `check` becomes a locked, graded autograder test cell: every `print(check_x(fn))` becomes
  an assertion of the checker's result, whose message (the mistake and its fix) is the failure's feedback.
Outputs are cleared, and links to the other notebooks point at them on GitHub.  Then
`nbgrader generate_assignment` writes release/.  No exercise is kept anywhere else: the notebooks are the one copy.
"""

import argparse
import ast
import copy
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_cells import load, source, tags  # noqa: E402
from set_repository import BRANCH, repository  # noqa: E402

COURSE_ID = "backprop-through-convolution"
DEFAULT_POINTS = 1
POINTS = {"layer_backward_gather": 2, "layer_backward_im2col": 2}
"""Points of an exercise's test cell, by the function its checker judges (the whole layer, 04 and 06, weighs more)."""

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
NBGRADER_CONFIG = f'''\
"""nbgrader's settings for this course directory, written by tools/build_assignments.py."""

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "{COURSE_ID}"
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
'''


def functions(text):
    """The top-level function definitions of a cell's code, by name."""
    return {node.name: node for node in ast.parse(text).body if isinstance(node, ast.FunctionDef)}


def lines_of(text, first, last):
    """Lines first..last (1-based, inclusive) of text."""
    return text.splitlines()[first - 1:last]


def body_start(function):
    """The first line of the function's body after its docstring (1-based)."""
    first = function.body[0]
    has_docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
        and isinstance(first.value.value, str)
    return first.end_lineno + 1 if has_docstring else first.lineno


def answer_cell_source(stub_text, solution_text, cell_id):
    """An exercise cell's stubs with their solutions' bodies between nbgrader's solution markers.

    stub_text: the `exercise` cell, function stubs only (signature, docstring, raise NotImplementedError);
    solution_text: the `solution` cell, defining the same functions and nothing else.
    """
    stubs, solutions = functions(stub_text), functions(solution_text)
    if sorted(stubs) != sorted(solutions):
        raise ValueError(f"cell {cell_id}: the exercise defines {sorted(stubs)}, its solution {sorted(solutions)}")
    extra = [ast.unparse(node).splitlines()[0] for node in ast.parse(solution_text).body
             if not isinstance(node, ast.FunctionDef)]
    if extra:
        raise ValueError(f"cell {cell_id}: the solution has code outside its functions, which no learner would see "
                         f"in the assignment: {extra}")
    lines = stub_text.splitlines()
    # replace each stub's body after its docstring, last function first so that line numbers stay valid
    for name, stub in sorted(stubs.items(), key=lambda item: -item[1].lineno):
        solution = solutions[name]
        indent = " " * stub.body[0].col_offset
        body = textwrap.dedent("\n".join(lines_of(solution_text, body_start(solution), solution.end_lineno)))
        marked = [indent + BEGIN, *textwrap.indent(body, indent).splitlines(), indent + END]
        lines[body_start(stub) - 1:stub.end_lineno] = marked
    return "\n".join(lines)


CHECKER_CALL = re.compile(r"check_\w+")


def test_cell_source(check_text, cell_id):
    """A check cell as an autograder test: each `print(check_x(...))` asserts the result, with its message.

    -> (source, the names of the learner's functions it judges: each checker's first argument).
    """
    lines, judged = check_text.splitlines(), []
    statements = ast.parse(check_text).body
    for statement in reversed(statements):  # last first, so that line numbers stay valid
        call = statement.value if isinstance(statement, ast.Expr) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "print" \
                and len(call.args) == 1 and isinstance(call.args[0], ast.Call) \
                and isinstance(call.args[0].func, ast.Name) and CHECKER_CALL.fullmatch(call.args[0].func.id):
            checked = call.args[0]
            judged.append(ast.unparse(checked.args[0]) if checked.args else "")
            lines[statement.lineno - 1:statement.end_lineno] = [
                f"result = {ast.get_source_segment(check_text, checked)}",
                "print(result)",
                "assert result, result.message  # the checker's diagnosis is the feedback",
            ]
    if not judged:
        raise ValueError(f"cell {cell_id}: a check cell prints a checker's result, print(check_x(fn)); "
                         f"found none in {check_text!r}")
    return "\n".join(lines), judged[::-1]


def nbgrader_metadata(cell_id, *, solution=False, points=None):
    """nbgrader's cell metadata (schema 3): an answer cell (solution) or a locked test cell (points)."""
    grade = points is not None
    meta = {"grade": grade, "grade_id": cell_id, "locked": grade, "schema_version": 3, "solution": solution}
    if grade:
        meta["points"] = points
    return meta


def solutions_heading(cells):
    found = [k for k, c in enumerate(cells) if c["cell_type"] == "markdown" and source(c).startswith("## Solutions")]
    if len(found) != 1:
        raise ValueError(f"expected one '## Solutions' heading, found {len(found)}")
    later = [k for k, c in enumerate(cells) if k > found[0] and c["cell_type"] == "markdown"
             and re.match(r"#{1,2} ", source(c))]
    if later:
        raise ValueError("'## Solutions' must be the notebook's last section: it is dropped up to the end")
    return found[0]


def link_notebooks_online(text):
    """Relative links to the series' notebooks, which an assignment folder does not hold, as GitHub links."""
    base = f"https://github.com/{repository()}/blob/{BRANCH}/notebooks/"
    return re.sub(r"\]\((\d\d-[a-z0-9-]+\.ipynb(?:#[^)\s]*)?)\)", lambda m: f"]({base}{m.group(1)})", text)


def source_version(nb, name="notebook"):
    """The nbgrader source version of an executed notebook (a dict as json.load gives): see the module's doc."""
    nb = copy.deepcopy(nb)
    cells = nb["cells"]
    solution_cells = {tuple(sorted(functions(source(c)))): c for c in cells if "solution" in tags(c)}
    kept = cells[:solutions_heading(cells)]
    for cell in kept:
        if tags(cell) & {"solution", "answer"}:
            raise ValueError(f"{name}: cell {cell['id']} is tagged {sorted(tags(cell))} but sits before Solutions")
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
            cell["metadata"].pop("execution", None)
        elif cell["cell_type"] == "markdown":
            cell["source"] = link_notebooks_online(source(cell))
        if "exercise" in tags(cell):
            key = tuple(sorted(functions(source(cell))))
            if key not in solution_cells:
                raise ValueError(f"{name}: no solution cell defines {list(key)}, the functions of cell {cell['id']}")
            cell["source"] = answer_cell_source(source(cell), source(solution_cells[key]), cell["id"])
            cell["metadata"]["nbgrader"] = nbgrader_metadata(cell["id"], solution=True)
        elif "check" in tags(cell):
            cell["source"], judged = test_cell_source(source(cell), cell["id"])
            points = sum(POINTS.get(fn, DEFAULT_POINTS) for fn in judged)
            cell["metadata"]["nbgrader"] = nbgrader_metadata(cell["id"], points=points)
    nb["cells"] = kept
    nb["metadata"].pop("widgets", None)  # saved widget state belongs to the stored outputs, now cleared
    return nb


def exercise_notebooks(folder=NOTEBOOKS):
    """The notebooks with at least one cell tagged `exercise`."""
    return [path for path in sorted(folder.glob("*.ipynb"))
            if any("exercise" in tags(c) for c in load(path)["cells"])]


def write_sources(course, notebooks):
    """nbgrader_config.py and source/<assignment>/<notebook>.ipynb for each notebook; -> {assignment: points}."""
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(NBGRADER_CONFIG)
    points = {}
    for path in notebooks:
        folder = course / "source" / path.stem
        folder.mkdir(parents=True, exist_ok=True)
        nb = source_version(load(path), path.name)
        (folder / path.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        points[path.stem] = [c["metadata"]["nbgrader"]["points"] for c in nb["cells"]
                             if c["metadata"].get("nbgrader", {}).get("grade")]
    return points


def nbgrader(course, *args):
    """Run an nbgrader command in the course directory with this interpreter's nbgrader.

    nbgrader runs `alembic` (its database migrations) from PATH, so this environment's bin/ goes first.
    """
    env = os.environ | {"PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, check=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("course", nargs="?", type=Path, default=ROOT / "assignments",
                        help="the nbgrader course directory to write (default: assignments/)")
    course = parser.parse_args(argv).course.resolve()
    points = write_sources(course, exercise_notebooks())
    nbgrader(course, "generate_assignment", "*", "--force", "--log-level=WARN")
    for name, graded in points.items():
        print(f"{name}: test cells worth {graded} points, {sum(graded)} in all -> release/{name}/{name}.ipynb")
    print(f"course directory: {course}")


if __name__ == "__main__":
    main()
