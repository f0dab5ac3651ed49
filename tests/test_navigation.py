"""Every notebook opens and ends with previous / next links, in order, as tools/navigation.py writes them."""

import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import navigation  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LINK = re.compile(r"\[(Previous|Next): ([^\]]+)\]\(([^)]+)\)")


def links(line):
    """[(word, text, target), ...] of a navigation line."""
    return LINK.findall(line)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_each_notebook_has_its_previous_and_next_links_at_the_top_and_the_bottom(path):
    k = NOTEBOOKS.index(path)
    nb = nbformat.read(path, as_version=4)
    top, bottom = navigation.top_line(nb), navigation.bottom_line(nb)
    assert top is not None and bottom == top, "run: python tools/navigation.py"
    assert top == navigation.expected_lines(ROOT / "notebooks")[path], "stale: run python tools/navigation.py"
    wanted = ([("Previous", NOTEBOOKS[k - 1])] if k > 0 else []) + \
        ([("Next", NOTEBOOKS[k + 1])] if k + 1 < len(NOTEBOOKS) else [])
    found = links(top)
    assert [(word, target) for word, _, target in found] == [(word, p.name) for word, p in wanted]
    for (_, text, _), (_, other) in zip(found, wanted):
        assert text == navigation.title(nbformat.read(other, as_version=4))  # the title, not a bare number
        assert re.search(r"[A-Za-z]{3}", text.split("·", 1)[-1])
    # the title stays right under the navigation line
    assert nb.cells[0].source.split("\n\n", 1)[1].startswith("# ")


def test_the_tool_is_idempotent_and_follows_a_new_notebook(tmp_path):
    folder = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", folder)
    assert navigation.update(folder) == []  # up to date: nothing written
    before = {p.name: p.read_bytes() for p in folder.glob("*.ipynb")}
    extra = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 09 · A page added later\n\nText.")])
    nbformat.write(extra, folder / "09-added-later.ipynb")
    written = navigation.update(folder)
    assert sorted(p.name for p in written) == [NOTEBOOKS[-1].name, "09-added-later.ipynb"]
    last = nbformat.read(folder / NOTEBOOKS[-1].name, as_version=4)
    assert links(navigation.top_line(last))[-1] == ("Next", "09 · A page added later", "09-added-later.ipynb")
    added = nbformat.read(folder / "09-added-later.ipynb", as_version=4)
    assert [w for w, _, _ in links(navigation.top_line(added))] == ["Previous"]
    assert added.cells[0].source.endswith("# 09 · A page added later\n\nText.") and added.cells[-1].id == "nav-bottom"
    assert navigation.update(folder) == []  # and again: nothing changes
    unchanged = {p.name: p.read_bytes() for p in folder.glob("*.ipynb")}
    assert all(unchanged[name] == data for name, data in before.items() if name != NOTEBOOKS[-1].name)


def test_a_notebook_without_a_title_is_refused(tmp_path):
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("no heading")]),
                   tmp_path / "01-untitled.ipynb")
    with pytest.raises(ValueError, match="no H1 heading"):
        navigation.update(tmp_path)
