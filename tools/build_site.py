"""Export every notebook, with its stored outputs and widget state, to static HTML.

Usage: python tools/build_site.py [OUTPUT_DIR]   (default: site/; `make html` runs it)

Each notebook becomes OUTPUT_DIR/NN-title.html (figures embedded, explorers shown
in the state they were saved in), and OUTPUT_DIR/index.html links them in order
under their own titles.  Nothing is executed: the stored outputs are exported.
"""

import html
import json
import sys
from pathlib import Path

from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent


def title_of(notebook):
    """The text of the notebook's first markdown heading."""
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "untitled"


def build(output_dir):
    output_dir.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter()
    entries = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = json.loads(path.read_text())
        body, _ = exporter.from_filename(str(path))
        body = body.replace('.ipynb"', '.html"').replace(".ipynb#", ".html#")  # links between notebooks
        (output_dir / f"{path.stem}.html").write_text(body)
        entries.append((path.stem, title_of(notebook)))
    items = "\n".join(f'    <li><a href="{stem}.html">{html.escape(title)}</a></li>' for stem, title in entries)
    (output_dir / "index.html").write_text(f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Backprop through a convolution, step by step</title></head>
<body style="font-family: sans-serif; max-width: 50em; margin: 2em auto;">
  <h1>Backprop through a convolution, step by step</h1>
  <p>The notebooks with their stored outputs. The sliders need a running kernel
  (JupyterLab or Binder); here each explorer shows the state it was saved in.</p>
  <ol start="0">
{items}
  </ol>
</body>
</html>
""")
    return entries


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site"
    for stem, title in build(out):
        print(f"{out / stem}.html  {title}")
    print(f"{out / 'index.html'}")
