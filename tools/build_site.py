"""Export every notebook, with its stored outputs and widget state, to static HTML that reads offline.

Usage: python tools/build_site.py [OUTPUT_DIR]   (default: site/; `make html` runs it)

Each notebook becomes OUTPUT_DIR/NN-title.html (figures embedded, explorers shown
in the state they were saved in, a note under each explorer that its controls need
a kernel), and OUTPUT_DIR/index.html links them in order under their own titles.
Nothing is executed: the stored outputs are exported.

The pages load no script from the network: MathJax and the widget HTML manager are
copied into OUTPUT_DIR/assets/ from the npm packages pinned in tools/package.json
(`npm ci --prefix tools`, which `make html` and `make test` run), and referenced by
relative paths, so the site also works opened from disk (file://).
"""

import html
import json
import re
import shutil
import sys
from importlib.metadata import distribution
from pathlib import Path

from ipywidgets._version import __html_manager_version__
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools"
NODE_MODULES = TOOLS / "node_modules"
KERNEL_NOTE = ("The controls above need a running kernel (JupyterLab or Binder); "
               "here the figure shows the state the notebook was saved in.")
HTML_MANAGER = "@jupyter-widgets/html-manager"
# site path under assets/ -> file under tools/node_modules/ (only what the pages load, and the licences)
ASSETS = {
    "mathjax/tex-svg-full.js": "mathjax/es5/tex-svg-full.js",
    "mathjax/LICENSE": "mathjax/LICENSE",
    "html-manager/embed.js": f"{HTML_MANAGER}/dist/embed.js",
    "html-manager/embed.js.LICENSE.txt": f"{HTML_MANAGER}/dist/embed.js.LICENSE.txt",
}
RELATIVE_NOTEBOOK_LINK = re.compile(r'href="(?![a-zA-Z][a-zA-Z0-9+.-]*:)([^"#]*)\.ipynb(?=["#])')
REMOTE_IMAGE = re.compile(r'<img\b[^>]*\bsrc="https?://[^>]*>')
ALT = re.compile(r'\balt="([^"]*)"')


def title_of(notebook):
    """The text of the notebook's first markdown heading."""
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "untitled"


def pinned_versions():
    """{package: version} as pinned in tools/package.json."""
    return json.loads((TOOLS / "package.json").read_text())["dependencies"]


def installed_version(package):
    """The version of an npm package under tools/node_modules, or None when it is not installed."""
    manifest = NODE_MODULES / package / "package.json"
    return json.loads(manifest.read_text())["version"] if manifest.is_file() else None


def satisfies_caret(version, caret_range):
    """True when version (e.g. "1.0.15") lies in an npm caret range with major >= 1 (e.g. "^1.0.1")."""
    lowest = tuple(int(part) for part in caret_range.removeprefix("^").split("."))
    have = tuple(int(part) for part in version.split("."))
    return have[0] == lowest[0] and have >= lowest


def check_assets():
    """Fail with the command to run when the pinned npm packages are missing, stale or mismatched."""
    for package, version in pinned_versions().items():
        found = installed_version(package)
        if found != version:
            raise RuntimeError(f"tools/node_modules has {package} {found or 'not installed'}, tools/package.json "
                               f"pins {version}: run `npm ci --prefix tools` (or `make html`)")
    manager = pinned_versions()[HTML_MANAGER]
    if not satisfies_caret(manager, __html_manager_version__):
        raise RuntimeError(f"{HTML_MANAGER} {manager} cannot render the widget state of the installed ipywidgets, "
                           f"which needs {__html_manager_version__}: change the pin in tools/package.json")


def copy_assets(output_dir):
    """Copy MathJax, the widget HTML manager and their licences into output_dir/assets/.

    Not the manager's Font Awesome fonts: no explorer shows an icon (a page that asked for one would fail
    the browser test's check that every local file loads).
    """
    check_assets()
    sources = {site: NODE_MODULES / source for site, source in ASSETS.items()}
    sources["html-manager/LICENSE"] = ipywidgets_licence()
    for site, source in sources.items():
        target = output_dir / "assets" / site
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    versions = "\n".join(f"- {package} {version}" for package, version in pinned_versions().items())
    (output_dir / "assets" / "README.md").write_text(
        f"Copied by tools/build_site.py from these npm packages (pinned in tools/package.json):\n\n{versions}\n\n"
        "MathJax: Apache-2.0 (mathjax/LICENSE).\n"
        "@jupyter-widgets/html-manager: BSD-3-Clause, the ipywidgets project's licence (html-manager/LICENSE); "
        "the libraries bundled in embed.js are listed in html-manager/embed.js.LICENSE.txt.\n")


def ipywidgets_licence():
    """The licence file of the installed ipywidgets, the project that publishes @jupyter-widgets/html-manager."""
    return next(Path(f.locate()) for f in distribution("ipywidgets").files if f.name == "LICENSE")


def without_remote_images(page):
    """page with each <img> that loads from the network replaced by its alt text (the Binder badge keeps its link)."""
    def alt_text(match):
        alt = ALT.search(match.group(0))
        return alt.group(1) if alt else ""

    return REMOTE_IMAGE.sub(alt_text, page)


def build(output_dir):
    output_dir.mkdir(parents=True, exist_ok=True)
    copy_assets(output_dir)
    exporter = HTMLExporter(extra_template_paths=[str(TOOLS)], template_file="offline.html.j2")
    entries = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = json.loads(path.read_text())
        body, _ = exporter.from_filename(str(path), resources={"kernel_note": KERNEL_NOTE})
        body = RELATIVE_NOTEBOOK_LINK.sub(r'href="\1.html', body)  # links between notebooks, not Binder's
        body = without_remote_images(body)
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
