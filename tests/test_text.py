"""The notebooks' text, for every reader (issue 21, item 7; WCAG 2.2 success criteria 1.3.1, 2.4.4, 2.4.6, 3.1.4).

- Descriptive link text: no link whose text is only a number ("04"), punctuation or a word like "here";
  a linked image counts by its alternative text.  In the notebooks' markdown and in README.md.
- One H1 per notebook, the first heading, and headings in order: each one at most one level below the
  heading before it (no "##" straight to "####").
- Each acronym spelled out where a notebook first uses it: the markdown cell of its first use holds the
  long form, and that first use is inside it, e.g. "convolutional neural network (CNN)".
- One meaning per symbol where the series once had two: W is the input's width, p the padding.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# acronym -> a pattern of its long form next to it (the acronym inside the match)
ACRONYMS = {
    "CNN": r"convolutional neural network \(CNN\)|CNN \(convolutional neural network\)",
    "ReLU": r"rectified linear unit \(ReLU\)|ReLU \(rectified linear unit\)",
    "SGD": r"stochastic gradient descent \(SGD\)|SGD \(stochastic gradient descent\)",
    "im2col": r"\bim2col\*{0,2} \(\"?image to columns\"?\)",
    "col2im": r"\bcol2im\*{0,2} \(\"?columns to image\"?\)",
    "GEMM": r"general matrix multiplication \(GEMM\)|GEMM \(general matrix multiplication\)",
    "NCHW": r"NCHW(?:, the layout)? \(batch N, channels C, height H, width W\)",
    "BLAS": r"Basic Linear Algebra Subprograms \(BLAS\)|BLAS \(Basic Linear Algebra Subprograms\)",
    "GFLOP": r"GFLOP/s \(billions of floating-point operations per second\)",
}
GENERIC = {"here", "click here", "link", "this", "more", "read more", "this link", "this notebook"}
MARKDOWN_LINK = re.compile(r"(?<!!)\[((?:!\[[^\]]*\]\([^)]*\)|[^\]])*)\]\(([^)\s]+)\)")


def markdown_cells(path):
    return ["".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown"]


def prose(text):
    """Markdown without fenced code, inline code, formulas and link targets: the words a reader reads."""
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    text = re.sub(r"`[^`]*`", "", text)
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", "", text, flags=re.DOTALL)
    return re.sub(r"\]\([^)]*\)", "]", text)


def link_texts(text):
    """The text of every link in markdown text; an image inside a link counts by its alternative text."""
    return [re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", label).strip() for label, _ in MARKDOWN_LINK.findall(text)]


def link_problems(text):
    return [label for label in link_texts(text)
            if len(re.findall(r"[A-Za-z]", label)) < 3 or label.lower().strip(".:!") in GENERIC]


def headings(text):
    """[(level, title)] of the markdown headings outside fenced code."""
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    return [(len(m.group(1)), m.group(2)) for m in re.finditer(r"^(#{1,6}) (.+)$", text, re.MULTILINE)]


def heading_problems(cells):
    found = [h for cell in cells for h in headings(cell)]
    problems = []
    if [level for level, _ in found].count(1) != 1 or not found or found[0][0] != 1:
        problems.append(f"one H1, first: {found[:2]}")
    for (before, _), (level, title) in zip(found, found[1:]):
        if level > before + 1:
            problems.append(f"'{title}' is at level {level} right after level {before}")
    return problems


def acronym_problems(cells):
    problems = []
    texts = [prose(cell) for cell in cells]
    for acronym, long_form in ACRONYMS.items():
        word = re.compile(rf"(?<![\w.]){re.escape(acronym)}(?!\w)")
        first = next((t for t in texts if word.search(t)), None)
        if first is None:
            continue
        use, spelled = word.search(first), re.search(long_form, first, re.IGNORECASE)
        if spelled is None or not spelled.start() <= use.start() < spelled.end():
            context = first[max(use.start() - 60, 0):use.end() + 40]
            problems.append(f"{acronym} is first used without its long form: ...{context}...")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_link_texts_say_where_they_lead(path):
    assert [p for cell in markdown_cells(path) for p in link_problems(cell)] == []


@pytest.mark.parametrize("readme", ["README.md", "benchmarks/README.md"])
def test_the_readmes_link_texts_say_where_they_lead(readme):
    assert link_problems((ROOT / readme).read_text()) == []


@pytest.mark.parametrize("readme", ["README.md", "benchmarks/README.md"])
def test_the_readmes_relative_links_resolve(readme):
    path = ROOT / readme
    for target in re.findall(r"\]\(([^)\s]+)\)", path.read_text()):
        if not target.startswith(("http://", "https://", "#")):
            assert (path.parent / target.split("#")[0]).exists(), (readme, target)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_one_h1_and_headings_in_order(path):
    assert heading_problems(markdown_cells(path)) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_each_acronym_is_spelled_out_at_its_first_use(path):
    assert acronym_problems(markdown_cells(path)) == []


@pytest.mark.parametrize("text, problems", [
    ("see notebook [04](04-a.ipynb) and [05](05-b.ipynb)", ["04", "05"]),
    ("[here](https://example.org), [Launch on Binder](x), [![Launch on Binder](badge.svg)](x)", ["here"]),
    ("[notebook 04](04-a.ipynb), [Next: 01 · One channel, one filter](01-a.ipynb)", []),
])
def test_the_link_check_finds_bare_numbers_and_generic_words(text, problems):
    assert link_problems(text) == problems


def test_the_heading_and_acronym_checks_can_fail():
    assert heading_problems(["# A\n\n## B\n\n#### C"]) == ["'C' is at level 4 right after level 2"]
    assert heading_problems(["## A", "# B"]) and heading_problems(["# A", "# B"])
    assert heading_problems(["# A\n\n```\n## not a heading, code\n```\n\n## B"]) == []
    assert acronym_problems(["# Train a CNN", "a convolutional neural network (CNN)"])
    assert acronym_problems(["a CNN, a convolutional neural network (CNN)"])
    assert acronym_problems(["# Train a convolutional neural network (CNN)", "then the CNN"]) == []
    assert acronym_problems(["`helpers.im2col` is code", "**im2col** (\"image to columns\")"]) == []


def test_one_meaning_per_symbol():
    """W is the input's width (06 once named the flattened filters W), p the padding (07 once named a probability p)."""
    text = "\n".join("".join(c["source"]) for path in NOTEBOOKS for c in json.loads(path.read_text())["cells"])
    for wrong in (r"\bW\s*=\s*w\.reshape", r"\bW\^\\top", r"Wᵀ", r"\bdW\b", r"\bW_b\b", r"\bp = softmax",
                  r"\bp\[label\]", r"\bp_k\b", r"\bp_label\b"):
        assert not re.search(wrong, text), wrong
