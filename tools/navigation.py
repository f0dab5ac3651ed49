"""Previous / next links at the top and the bottom of every notebook, in the order of their file names.

Usage: python tools/navigation.py [NOTEBOOKS_DIR]   (default: notebooks/)

Run it after adding, removing or renaming a notebook, or after changing a title; running it again changes
nothing.  Each link's text names the notebook it opens, by the title of its H1 heading, for example
"Next: 01 · One channel, one filter", never a bare number.

- At the top: the first line of the notebook's first cell, above its title (the Binder badge and the title
  stay where they are), for example
  ``[Previous: 00 · The question](00-the-question.ipynb) | [Next: 02 · ...](02-multi-channel.ipynb)``.
- At the bottom: a last markdown cell of its own, id ``nav-bottom``, with the same line.

The first notebook has no "Previous" link and the last no "Next".  Only notebooks whose navigation
changes are written (with nbformat, as nbconvert writes them); outputs are left as they are.
"""

import argparse
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BOTTOM_ID = "nav-bottom"
NAV_LINE = re.compile(r"^\[(?:Previous|Next): [^\]]+\]\(\d\d-[a-z0-9-]+\.ipynb\)"
                      r"(?: \| \[(?:Previous|Next): [^\]]+\]\(\d\d-[a-z0-9-]+\.ipynb\))?$")


def title(nb):
    """The text of the notebook's H1 heading: "01 · One channel, one filter"."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise ValueError("the notebook has no H1 heading ('# ...') to name it by")


def nav_line(previous, following):
    """The navigation line; previous and following: (file name, title) or None."""
    links = []
    if previous is not None:
        links.append(f"[Previous: {previous[1]}]({previous[0]})")
    if following is not None:
        links.append(f"[Next: {following[1]}]({following[0]})")
    return " | ".join(links)


def expected_lines(folder):
    """{notebook path: its navigation line}, for every NN-*.ipynb in folder, in the order of their names."""
    paths = sorted(folder.glob("[0-9][0-9]-*.ipynb"))
    titles = [(path.name, title(nbformat.read(path, as_version=4))) for path in paths]
    return {path: nav_line(titles[k - 1] if k > 0 else None, titles[k + 1] if k + 1 < len(titles) else None)
            for k, path in enumerate(paths)}


def top_line(nb):
    """The navigation line at the top of the first cell, or None."""
    first = nb.cells[0].source.splitlines()[0] if nb.cells and nb.cells[0].source else ""
    return first if NAV_LINE.match(first) else None


def bottom_line(nb):
    """The source of the last cell when it is the navigation cell, or None."""
    return nb.cells[-1].source if nb.cells and nb.cells[-1].get("id") == BOTTOM_ID else None


def with_navigation(nb, line):
    """nb (changed in place) with `line` at the top of its first cell and as its last cell; -> nb."""
    first = nb.cells[0]
    if first.cell_type != "markdown":
        raise ValueError("the first cell must be markdown (the title) to hold the navigation line")
    body = first.source
    if top_line(nb) is not None:
        body = body.split("\n", 1)[1].lstrip("\n") if "\n" in body else ""
    first.source = f"{line}\n\n{body}"
    if bottom_line(nb) is None:
        cell = nbformat.v4.new_markdown_cell(line)
        cell["id"] = BOTTOM_ID
        nb.cells.append(cell)
    else:
        nb.cells[-1].source = line
    return nb


def update(folder=ROOT / "notebooks"):
    """Write the navigation into every notebook of folder whose navigation is missing or stale; -> the paths written."""
    written = []
    for path, line in expected_lines(folder).items():
        nb = nbformat.read(path, as_version=4)
        if top_line(nb) == line and bottom_line(nb) == line:
            continue
        nbformat.write(with_navigation(nb, line), path)
        written.append(path)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "notebooks",
                        help="the folder of the notebooks (default: notebooks/)")
    written = update(parser.parse_args(argv).folder)
    for path in written:
        print(f"navigation written: {path}")
    if not written:
        print("every notebook's navigation is up to date")


if __name__ == "__main__":
    main()
