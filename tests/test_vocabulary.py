"""The flip has one wording: no text the series shows may rotate the kernel twice.

"Correlate the zero-padded dL/dh with the rotated kernel" is the full (true)
convolution of dL/dh with the kernel.  A *convolution* already reads the
kernel backwards, so "full convolution with the rotated kernel" or
``full_convolve(dh, rot180(w))`` rotates it twice, which gives the wrong dL/dx.
Scanned: every notebook cell (markdown, code and stored outputs, widget state
included), README.md and benchmarks/README.md, and the text in helpers/ (docstrings, strings, comments:
explorer captions and checker messages are strings there).
"""

import io
import json
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
THE_WORDING = "correlate the zero-padded dL/dh with the rotated kernel"

# the same clause: no correlation, '=', sentence end, table cell or list of names in between
_CLAUSE = r"(?:(?!correlat|=|\bthat is\b|\. |`, `)[^;|\n]){0,%d}?"
_ROTATED = r"(?:\brotat\w*|\brot180|\[::-1, ?::-1(?:, ?:)?\]|\bflipped\b)"
DOUBLE_ROTATION = re.compile(
    "|".join([
        # "full convolution ... rotated ...", "full_convolve(dh, rot180(w))", "full-convolve with each rotated ..."
        r"\bfull[\W_]{0,3}(?:\(true\)\s*)?conv\w*" + _CLAUSE % 120 + _ROTATED,
        # "convolution of dL/dh with the rotated kernel", "convolve ... with filter f's channel c rotated"
        r"\bconvol\w*" + _CLAUSE % 80 + r"\bwith\b" + _CLAUSE % 60 + _ROTATED,
        # "convolve2d(dh, rotate180(w))", "convolve(dh, w[::-1, ::-1])"
        r"(?:\b|_)convolve\w*\(" + r"[^=()]{0,60}?" + _ROTATED,
    ]),
    re.IGNORECASE,
)


def notebook_texts(path):
    """(where, text) for every cell source, every stored text output and the saved widget state."""
    nb = json.loads(path.read_text())
    for k, cell in enumerate(nb["cells"]):
        yield f"{path.name} cell {k}", "".join(cell["source"])
        for out in cell.get("outputs", []):
            texts = [out.get("text", "")] + [v for key, v in out.get("data", {}).items() if key.startswith("text/")]
            for text in texts:
                yield f"{path.name} cell {k} output", "".join(text)
    yield f"{path.name} widget state", json.dumps(nb["metadata"].get("widgets", {}), ensure_ascii=False)


def python_texts(path):
    """(where, text) for every string literal and comment of a Python file (f-strings whole)."""
    for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
        if token.type in (tokenize.STRING, tokenize.COMMENT):
            yield f"{path.relative_to(ROOT)}:{token.start[0]}", token.string


def every_text():
    for path in NOTEBOOKS:
        yield from notebook_texts(path)
    for readme in ("README.md", "benchmarks/README.md"):
        yield readme, (ROOT / readme).read_text()
    for path in sorted((ROOT / "helpers").rglob("*.py")):
        yield from python_texts(path)


def double_rotations(text):
    return [m.group(0) for m in DOUBLE_ROTATION.finditer(text)]


@pytest.mark.parametrize("text", [
    "full convolution with the rotated kernel",
    "dL/dx by full convolution with the rotated kernels, summed over filters",
    "the *full* convolution of dL/dh[:, :, f] with filter f's channel c **rotated by 180 degrees**",
    "full convolution with the dilated, rotated kernel",
    "full-convolve with each rotated, dilated kernel channel",
    "full_convolve(dL/dh, rot180(w[:, :, 0]))",
    "Top: full_convolve(dL/dh[:, :, {f}], rot180(w[{f}, :, :, c])) for each channel c",
    "full_convolve2d(dh, rotate180(w))",
    "helpers.full_convolve2d(dh, w[::-1, ::-1])",
    "the kernel is not rotated: the full convolution needs w[::-1, ::-1] (rot180)",
    "the convolution of dL/dh with the rotated kernel",
    "convolve2d(dh, w[::-1, ::-1, :])",
])
def test_the_pattern_catches_double_rotations(text):
    assert double_rotations(text), text


@pytest.mark.parametrize("text", [
    THE_WORDING,
    "correlate the zero-padded dL/dh with the rotated kernel, which is the full (true) convolution of dL/dh "
    "with the kernel",
    "dL/dx is the full convolution of dL/dh with the kernel, that is, the correlation of the zero-padded dL/dh "
    "with the kernel rotated by 180 degrees",
    "full_convolve(dL/dh, w[:, :, k]) = correlate(pad(dL/dh), rot180(w[:, :, k]))",
    "Full 2-D convolution: pad by the (dilated) kernel size - 1, correlate with rot180(k).",
    "the kernel is not rotated: correlate the zero-padded dL/dh with the rotated kernel w[::-1, ::-1]",
    "A true convolution reads the kernel backwards: convolve(a, k) = correlate(a, rot180(k)).",
    "| `correlate2d`, `full_convolve2d`, `rotate180`, `dilate` | the building blocks |",
])
def test_the_pattern_lets_the_right_wording_pass(text):
    assert not double_rotations(text), double_rotations(text)


def test_no_text_of_the_series_rotates_the_kernel_twice():
    found = [f"{where}: ...{hit}..." for where, text in every_text() for hit in double_rotations(text)]
    assert not found, "double rotation (use '" + THE_WORDING + "'):\n" + "\n".join(found)


def test_notebook_00_defines_the_wording_and_the_symbols():
    nb = json.loads(next(p for p in NOTEBOOKS if p.name.startswith("00-")).read_text())
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "## Glossary" in markdown and THE_WORDING in markdown
    for term in ("correlation", "convolution", "full", "rotated", "transposed convolution"):
        assert re.search(rf"\*\*{term}\*\*", markdown, re.IGNORECASE), term
    assert "## Symbols" in markdown
    for symbol, meaning in (("F", "filters"), ("N", "batch"), ("c", "channel"), ("K", "kernel")):
        assert re.search(rf"\|[^|\n]*\b{symbol}\b[^|\n]*\|[^|\n]*{meaning}", markdown), symbol
