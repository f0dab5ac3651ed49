"""Every notebook's exercises have one structure, which a learner and tools (nbgrader, issue 17) can rely on.

- "## Exercises", then (notebook 04) "## Capstone: the whole layer", then "## Solutions", in this order.
- Hints (notebook 04's capstone) are markdown cells tagged `hint`, collapsed (`jupyter.source_hidden`), before
  Solutions, each its own cell: "Hint 1, ...", "Hint 2, ...", in order.
- Before Solutions: code cells tagged `exercise`, each defining function stubs only (a docstring and
  `raise NotImplementedError`), each followed by a code cell tagged `check` that runs the checkers on
  them; its stored output is each checker's "not written yet", never an error.
- After Solutions: for each exercise cell, exactly one code cell tagged `solution` that defines the same
  function names, with its source collapsed (`jupyter.source_hidden`), followed by a cell that asserts the
  checker accepts it; each thinking question (k) has a collapsed `answer` markdown cell "Exercise k: ...".
- So a release for learners is: the notebook without its Solutions section.
"""

import ast
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from notebook_cells import hidden, load, source, tags  # noqa: E402

NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").glob("0[1-7]-*.ipynb"))


def functions(cell):
    """The names of the functions a code cell defines at top level."""
    return [node.name for node in ast.parse(source(cell)).body if isinstance(node, ast.FunctionDef)]


def heading(cells, text):
    found = [k for k, c in enumerate(cells)
             if c["cell_type"] == "markdown" and (source(c).startswith(text + "\n") or source(c) == text)]
    assert len(found) == 1, f"one markdown cell starting with {text!r}, found {len(found)}"
    return found[0]


def is_stub(function):
    """A docstring, then `raise NotImplementedError`: nothing else."""
    body = function.body
    return (len(body) == 2 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str) and isinstance(body[1], ast.Raise)
            and ast.unparse(body[1].exc) in ("NotImplementedError", "NotImplementedError()"))


def printed(cell):
    return "".join("".join(out.get("text", "")) for out in cell["outputs"] if out["output_type"] == "stream")


def structure_problems(nb):
    """Everything in the notebook's exercises that breaks the structure above (an empty list when none)."""
    cells, problems = nb["cells"], []
    exercises, solutions = heading(cells, "## Exercises"), heading(cells, "## Solutions")
    if not exercises < solutions:
        return ["## Exercises must come before ## Solutions"]
    ids = [c["id"] for c in cells]
    if len(ids) != len(set(ids)):
        problems.append("cell ids are not unique")
    code = [(k, c) for k, c in enumerate(cells) if c["cell_type"] == "code"]
    exercise_cells = [(k, c) for k, c in code if "exercise" in tags(c)]
    if not exercise_cells:
        problems.append("no exercise cell")
    for k, cell in exercise_cells:
        names = functions(cell)
        tree = ast.parse(source(cell))
        if not names or len(tree.body) != len(names) or not all(is_stub(f) for f in tree.body):
            problems.append(f"{cell['id']}: an exercise cell holds stubs only (a docstring, raise NotImplementedError)")
        if not exercises < k < solutions:
            problems.append(f"{cell['id']}: exercise cells go between ## Exercises and ## Solutions")
        after = next((c for j, c in code if j > k), None)
        if after is None or "check" not in tags(after):
            problems.append(f"{cell['id']}: the next code cell must be tagged check")
            continue
        used = {node.id for node in ast.walk(ast.parse(source(after))) if isinstance(node, ast.Name)}
        for name in names:
            if name not in used:
                problems.append(f"{after['id']}: the check cell does not run {name}")
            if f"✗ `{name}` is not written yet" not in printed(after):
                problems.append(f"{after['id']}: the stored output should say that {name} is not written yet")
        if "assert" in source(after) or any(out["output_type"] == "error" for out in after["outputs"]):
            problems.append(f"{after['id']}: a check cell prints, it must not raise")
    check_cells = [c for _, c in code if "check" in tags(c)]
    if len(check_cells) != len(exercise_cells):
        problems.append("one check cell after each exercise cell, and no other")
    solution_cells = [(k, c) for k, c in code if "solution" in tags(c)]
    for k, cell in solution_cells:
        if k < solutions or not hidden(cell):
            problems.append(f"{cell['id']}: a solution cell sits under ## Solutions with its source hidden")
        matching = [e for _, e in exercise_cells if sorted(functions(e)) == sorted(functions(cell))]
        if len(matching) != 1:
            problems.append(f"{cell['id']}: defines {functions(cell)}, which match {len(matching)} exercise cells")
        after = next((c for j, c in code if j > k), None)
        if after is None or "assert" not in source(after) or "✓ correct on" not in printed(after) \
                or not set(functions(cell)) & {n.id for n in ast.walk(ast.parse(source(after)))
                                               if isinstance(n, ast.Name)}:
            problems.append(f"{cell['id']}: the next code cell asserts that the checker accepts the solution")
    for _, cell in exercise_cells:
        matching = [c for _, c in solution_cells if sorted(functions(c)) == sorted(functions(cell))]
        if len(matching) != 1:
            problems.append(f"{cell['id']}: {len(matching)} solution cells define {functions(cell)}")
    listed = "".join(source(c) for c in cells[exercises:exercises + 1])
    thinking = set(re.findall(r"^(\d+)\. \(Thinking\)", listed, re.MULTILINE))
    answers = [(k, c) for k, c in enumerate(cells) if "answer" in tags(c)]
    answered = {m.group(1) for _, c in answers if c["cell_type"] == "markdown"
                for m in [re.match(r"Exercise (\d+): ", source(c))] if m}
    if thinking != answered:
        problems.append(f"thinking exercises {sorted(thinking)}, answered {sorted(answered)}")
    for k, cell in answers:
        if k < solutions or not hidden(cell):
            problems.append(f"{cell['id']}: an answer sits under ## Solutions with its source hidden")
    hints = [(k, c) for k, c in enumerate(cells) if "hint" in tags(c)]
    for number, (k, cell) in enumerate(hints, start=1):
        if cell["cell_type"] != "markdown" or not hidden(cell) or not exercises < k < solutions:
            problems.append(f"{cell['id']}: a hint is a collapsed markdown cell between ## Exercises and ## Solutions")
        if not source(cell).startswith(f"Hint {number}, "):
            problems.append(f"{cell['id']}: hints are numbered in order, 'Hint {number}, ...'")
    written = set(re.findall(r"^\d+\. Write `(\w+)\(", listed, re.MULTILINE))
    defined = {name for _, c in exercise_cells for name in functions(c)}
    if not written <= defined:
        problems.append(f"exercises {sorted(written - defined)} have no exercise cell")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_exercises_have_the_structure(path):
    assert structure_problems(load(path)) == []


def exercise_functions(cells, start=0):
    return {name for c in cells[start:] if "exercise" in tags(c) for name in functions(c)}


def check_cell_after(cells, name):
    """The source of the check cell after the exercise cell that defines name."""
    k = next(k for k, c in enumerate(cells) if "exercise" in tags(c) and name in functions(c))
    return next(source(c) for c in cells[k + 1:] if "check" in tags(c))


def test_the_capstone_closes_notebook_04_with_hints_in_stages_and_no_skeleton():
    """The gather view of the whole layer, checked by check_layer_backward; its im2col part is in notebook 06."""
    cells = load(ROOT / "notebooks/04-stride-padding-dilation.ipynb")["cells"]
    capstone, solutions = heading(cells, "## Capstone: the whole layer"), heading(cells, "## Solutions")
    assert heading(cells, "## Exercises") < capstone < solutions
    assert exercise_functions(cells, capstone) == {"layer_backward_gather"}
    assert "check_layer_backward(layer_backward_gather)" in check_cell_after(cells, "layer_backward_gather")
    text = source(cells[capstone])
    for needed in ("(N, H, W, C)", "(F, KH, KW, C)", "(N, OH, OW, F)", "30 minutes", "gather view", "zero insertion",
                   "rotated kernel", "crop", "sums over the filters and over the batch", "no skeleton"):
        assert needed in text, needed
    assert "```" not in text and "..." not in text, "no skeleton"
    hints = [k for k, c in enumerate(cells) if "hint" in tags(c)]
    assert len(hints) >= 3 and all(capstone < k < solutions for k in hints)
    assert structure_problems({"cells": cells}) == []  # numbered, collapsed, markdown


def test_notebook_06_asks_for_the_whole_layer_with_im2col():
    cells = load(ROOT / "notebooks/06-im2col-and-speed.ipynb")["cells"]
    assert {"my_col2im", "layer_backward_im2col"} == exercise_functions(cells)
    assert "check_layer_backward(layer_backward_im2col)" in check_cell_after(cells, "layer_backward_im2col")
    text = source(cells[heading(cells, "## Exercises")])
    for needed in ("helpers.im2col", "helpers.col2im", "(N·OH·OW, KH·KW·C)", "dh₂ = `dh.reshape(-1, F)`",
                   "notebook 04's capstone"):
        assert needed in text, needed


def test_notebook_01_asks_for_a_numerical_gradient_check():
    cells = load(ROOT / "notebooks/01-single-channel.ipynb")["cells"]
    assert "numerical_gradient" in exercise_functions(cells)
    assert "check_numerical_gradient(numerical_gradient)" in check_cell_after(cells, "numerical_gradient")


def without(nb, predicate, change):
    """A copy of nb with change(cell) applied to the first cell where predicate(cell) holds."""
    nb = json.loads(json.dumps(nb))
    cell = next(c for c in nb["cells"] if predicate(c))
    change(cell)
    return nb


def test_the_structure_test_catches_each_break():
    """Each way of breaking the structure is found (so the test above can fail)."""
    nb = load(ROOT / "notebooks/01-single-channel.ipynb")
    assert structure_problems(nb) == []

    def untag(tag):
        return lambda c: c["metadata"]["tags"].remove(tag)

    def rename(cell):
        cell["source"] = [line.replace("def my_dx(", "def my_dx2(") for line in cell["source"]]

    def unhide(cell):
        del cell["metadata"]["jupyter"]

    def answer_stub(cell):
        cell["source"] = [line.replace("raise NotImplementedError", "return dh") for line in cell["source"]]

    def as_hint(cell):
        cell["metadata"]["tags"] = ["hint"]

    breaks = [
        (lambda c: "exercise" in tags(c), untag("exercise"), "check cell"),
        (lambda c: "check" in tags(c), untag("check"), "must be tagged check"),
        (lambda c: "solution" in tags(c), rename, "match 0 exercise cells"),
        (lambda c: "solution" in tags(c), unhide, "source hidden"),
        (lambda c: "answer" in tags(c), unhide, "source hidden"),
        (lambda c: "answer" in tags(c) and c["cell_type"] == "markdown", untag("answer"), "answered []"),
        (lambda c: "exercise" in tags(c), answer_stub, "stubs only"),
        (lambda c: "solution" in tags(c), untag("solution"), "0 solution cells"),
        (lambda c: c["id"] == "solutions", as_hint, "a hint is a collapsed markdown cell"),
        (lambda c: c["id"] == "checker-mistakes-code", as_hint, "a hint is a collapsed markdown cell"),
    ]
    for predicate, change, words in breaks:
        problems = structure_problems(without(nb, predicate, change))
        assert any(words in p for p in problems), (words, problems)
