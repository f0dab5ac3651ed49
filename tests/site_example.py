"""A small synthetic notebook with everything the static site must render, for tests/test_binder_and_site.py and
tests/browser/test_site.py: an explorer saved by anywidget (a slider and a choice), an explorer whose state was
not saved, static figures with text alternatives (as HTML and as a PNG with an alt in its metadata), a section
collapsed in JupyterLab (with a subsection), a hint with code in it, a table with an empty corner, and long lines
of code."""

import base64
import json
import struct
import zlib

TITLE = "98 · A synthetic page"
EXPLORER = "0123456789abcdef0123456789abcdef"  # model id of the explorer saved by anywidget
UNSAVED = "fedcba9876543210fedcba9876543210"  # model id of an explorer whose state was not saved
LABEL = "Explorer: pick a row and a channel"
ALT = "Heat map of dL/dx, 3 by 5 cells; the largest, 4.0, at row 2, column 1."
FIGURE_ALT = "Line plot of the loss over 15 epochs, falling from 2.3 to 0.1."
PNG_ALT = "Bar chart of the time of each phase; the largest is dL/dw, 1.2 ms."
STATUS = '<b>row 2</b>, channel <i>green</i>: <code>dx[2, 1]</code> = 4.0 <script>alert(1)</script><a href="x">ok</a>'
CLEAN_STATUS = "<b>row 2</b>, channel <i>green</i>: <code>dx[2, 1]</code> = 4.0 ok"
UNSAVED_TEXT = "Explorer(row=0)"
LONG_LINE = "total = " + " + ".join(f"term_{k}" for k in range(40))


def png(width, height):
    """The bytes of a width x height grey PNG."""
    rows = b"".join(b"\x00" + bytes([128, 128, 128]) * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG = base64.b64encode(png(40, 20)).decode()  # shown at 20 x 10 CSS px, half its pixel size
CONTROLS = [
    {"name": "row", "label": "row", "kind": "slider", "min": 0, "max": 2, "step": 1},
    {"name": "channel", "label": "channel", "kind": "choice",
     "options": [{"label": "red", "value": 0}, {"label": "green", "value": 1}, {"label": "blue", "value": 2}]},
]
VALUES = {"row": 2, "channel": 1}


def markdown(source, **metadata):
    return {"cell_type": "markdown", "metadata": metadata, "source": source}


def code(source, count, outputs=(), **metadata):
    return {"cell_type": "code", "execution_count": count, "metadata": metadata, "outputs": list(outputs),
            "source": source}


def view(model_id, text):
    return {"output_type": "display_data", "metadata": {},
            "data": {"application/vnd.jupyter.widget-view+json": {"model_id": model_id, "version_major": 2,
                                                                  "version_minor": 1},
                     "text/plain": text}}


def notebook():
    """The notebook as a dict (nbformat 4)."""
    figure_html = f'<img src="data:image/png;base64,{PNG}" alt="{FIGURE_ALT}" width="20" height="10">'
    state = {EXPLORER: {
        "model_module": "anywidget", "model_module_version": "~0.9.*", "model_name": "AnyModel",
        "state": {"_model_module": "anywidget", "_model_name": "AnyModel", "_esm": "export default {}",
                  "label": LABEL, "controls": CONTROLS, "values": VALUES, "width": 20, "height": 10,
                  "alt": ALT, "status": STATUS},
        "buffers": [{"path": ["png"], "data": PNG, "encoding": "base64"}]}}
    cells = [
        markdown(f"# {TITLE}\n\nA page with [a link to notebook 00](00-the-question.ipynb) and $x^2$.\n\n"
                 "$$\ndL/dx = C^T \\, dL/dh\n$$"),
        code(f"{LONG_LINE}\nprint(total)", 1, [{"output_type": "stream", "name": "stdout", "text": "820\n"}]),
        code("show_figure()", 2, [{"output_type": "display_data", "metadata": {},
                                   "data": {"text/html": figure_html, "image/png": PNG,
                                            "text/plain": "<Figure size 200x100 with 1 Axes>"}}]),
        code("show_png()", 3, [{"output_type": "display_data", "metadata": {"image/png": {"alt": PNG_ALT}},
                                "data": {"image/png": PNG, "text/plain": "<Figure size 200x100 with 1 Axes>"}}]),
        markdown("## The explorer\n\nMove the row."),
        code("explorer()", 4, [view(EXPLORER, "AccessibleExplorer()")]),
        code("unsaved()", 5, [view(UNSAVED, UNSAVED_TEXT)]),
        markdown("|  | matrix view | convolution view |\n|---|---|---|\n| forward | C x | correlate |\n"),
        markdown("## Going further\n\nThis section starts collapsed.", **{"jp-MarkdownHeadingCollapsed": True}),
        markdown("### Deeper\n\nStill inside the section."),
        code("deeper = 1", 6),
        markdown("## Exercises\n\nNot inside the section."),
        markdown(f"Think of the stride first, then:\n\n```python\n{LONG_LINE}\n```",
                 tags=["hint"], jupyter={"source_hidden": True}),
        code("answer = 2", 7, tags=["solution"], jupyter={"source_hidden": True}),
    ]
    for k, cell in enumerate(cells):
        cell["id"] = f"s{k:02d}"
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"},
                         "widgets": {"application/vnd.jupyter.widget-state+json": {
                             "state": state, "version_major": 2, "version_minor": 0}}}}


def write(folder):
    """Write the notebook as folder/98-synthetic.ipynb; return its path."""
    path = folder / "98-synthetic.ipynb"
    path.write_text(json.dumps(notebook(), indent=1))
    return path
