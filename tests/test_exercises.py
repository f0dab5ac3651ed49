"""Every notebook's exercises have one structure, which a learner and tools (nbgrader, issue 17) can rely on.

- "## Exercises", then (notebook 04) "## Capstone: the whole layer", then "## Solutions", in this order.
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
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").glob("0[1-7]-*.ipynb"))


def source(cell):
    return "".join(cell["source"])


def tags(cell):
    return set(cell["metadata"].get("tags", []))


def hidden(cell):
    return cell["metadata"].get("jupyter", {}).get("source_hidden") is True


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
    written = set(re.findall(r"^\d+\. Write `(\w+)\(", listed, re.MULTILINE))
    defined = {name for _, c in exercise_cells for name in functions(c)}
    if not written <= defined:
        problems.append(f"exercises {sorted(written - defined)} have no exercise cell")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_exercises_have_the_structure(path):
    assert structure_problems(json.loads(path.read_text())) == []


def test_the_capstone_closes_notebook_04_before_its_solutions():
    nb = json.loads((ROOT / "notebooks/04-stride-padding-dilation.ipynb").read_text())
    cells = nb["cells"]
    capstone = heading(cells, "## Capstone: the whole layer")
    assert heading(cells, "## Exercises") < capstone < heading(cells, "## Solutions")
    names = {name for c in cells[capstone:] if "exercise" in tags(c) for name in functions(c)}
    assert names == {"layer_backward_loops", "layer_backward_im2col"}
    text = source(cells[capstone])
    for needed in ("(N, H, W, C)", "(F, KH, KW, C)", "(N, OH, OW, F)", "Hints", "30 minutes"):
        assert needed in text, needed
    im2col = "".join(source(c) for c in cells[capstone:] if c["cell_type"] == "markdown")
    for needed in ("helpers.im2col", "helpers.col2im", "(N·OH·OW, KH·KW·C)", "dh2 · w2", "dh2ᵀ · cols"):
        assert needed in im2col, needed


def without(nb, predicate, change):
    """A copy of nb with change(cell) applied to the first cell where predicate(cell) holds."""
    nb = json.loads(json.dumps(nb))
    cell = next(c for c in nb["cells"] if predicate(c))
    change(cell)
    return nb


def test_the_structure_test_catches_each_break():
    """Each way of breaking the structure is found (so the test above can fail)."""
    nb = json.loads((ROOT / "notebooks/01-single-channel.ipynb").read_text())
    assert structure_problems(nb) == []

    def untag(tag):
        return lambda c: c["metadata"]["tags"].remove(tag)

    def rename(cell):
        cell["source"] = [line.replace("def my_dx(", "def my_dx2(") for line in cell["source"]]

    def unhide(cell):
        del cell["metadata"]["jupyter"]

    def answer_stub(cell):
        cell["source"] = [line.replace("raise NotImplementedError", "return dh") for line in cell["source"]]

    breaks = [
        (lambda c: "exercise" in tags(c), untag("exercise"), "check cell"),
        (lambda c: "check" in tags(c), untag("check"), "must be tagged check"),
        (lambda c: "solution" in tags(c), rename, "match 0 exercise cells"),
        (lambda c: "solution" in tags(c), unhide, "source hidden"),
        (lambda c: "answer" in tags(c), unhide, "source hidden"),
        (lambda c: "answer" in tags(c) and c["cell_type"] == "markdown", untag("answer"), "answered []"),
        (lambda c: "exercise" in tags(c), answer_stub, "stubs only"),
        (lambda c: "solution" in tags(c), untag("solution"), "0 solution cells"),
    ]
    for predicate, change, words in breaks:
        problems = structure_problems(without(nb, predicate, change))
        assert any(words in p for p in problems), (words, problems)
