"""Reading a notebook's cells as JSON: the one copy of these helpers, for the tools and the tests.

Standard library only: tools/build_assignments.py runs it in the teachers' environment.
"""

import json
from pathlib import Path

__all__ = ["load", "source", "tags", "hidden", "cells_tagged"]


def load(path):
    """The notebook at path, as the JSON dict it is stored as."""
    return json.loads(Path(path).read_text())


def source(cell):
    """A cell's source as one string."""
    return "".join(cell["source"])


def tags(cell):
    """A cell's tags, as a set."""
    return set(cell["metadata"].get("tags", []))


def hidden(cell):
    """Whether the cell's source is collapsed in JupyterLab (``jupyter.source_hidden``)."""
    return cell["metadata"].get("jupyter", {}).get("source_hidden") is True


def cells_tagged(nb, tag):
    """The cells of nb that carry tag, in order."""
    return [cell for cell in nb["cells"] if tag in tags(cell)]
