"""Export every notebook, with its stored outputs, to static HTML that reads offline and meets WCAG 2.2 AA.

Usage: python tools/build_site.py [OUTPUT_DIR]   (default: site/; `make html` runs it)

Each notebook becomes OUTPUT_DIR/NN-title.html, and OUTPUT_DIR/index.html links them in
order under their own titles.  Nothing is executed: the stored outputs are exported.

- Figures are embedded with their text alternatives.
- Each explorer (an anywidget "AnyModel") is drawn from its saved widget state as plain,
  accessible HTML: first a note that its controls need a kernel, then the controls as a
  disabled fieldset described by that note, then the saved figure with its text
  alternative, then the readout.  An explorer whose state was not saved shows its text.
- What JupyterLab shows collapsed is folded in a <details>: a cell whose source is hidden
  (a solution, an answer, a hint), and a section whose heading is collapsed.
- Code and outputs scroll sideways on a narrow screen (each scroller is focusable and named),
  instead of being cut off.

The pages load no script from the network and need none but MathJax, which is copied into
OUTPUT_DIR/assets/ from the npm package pinned in tools/package.json (`npm ci --prefix tools`,
which `make html` and `make test` run) and referenced by a relative path, so the site also
works opened from disk (file://).
"""

import copy
import html
import json
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbconvert.filters.markdown import markdown2html_mistune

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools"
NODE_MODULES = TOOLS / "node_modules"
TITLE = "Backprop through a convolution, step by step"
KERNEL_NOTE = ("The controls below need a running kernel (JupyterLab or Binder): here they cannot be changed, "
               "and the figure shows the state the notebook was saved in.")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# site path under assets/ -> file under tools/node_modules/ (only what the pages load, and the licence)
ASSETS = {
    "mathjax/tex-svg-full.js": "mathjax/es5/tex-svg-full.js",
    "mathjax/LICENSE": "mathjax/LICENSE",
}
EXPLORER_KEYS = ("label", "controls", "values", "width", "height", "alt", "status")
STATUS_TAGS = {"b", "i", "code"}
RELATIVE_NOTEBOOK_LINK = re.compile(r'href="(?![a-zA-Z][a-zA-Z0-9+.-]*:)([^"#]*)\.ipynb(?=["#])')
REMOTE_IMAGE = re.compile(r'<img\b[^>]*\bsrc="https?://[^>]*>')
ALT = re.compile(r'\balt="([^"]*)"')
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
FENCE = re.compile(r"^ {0,3}(```|~~~)")


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


def check_assets():
    """Fail with the command to run when the pinned npm packages are missing or stale."""
    for package, version in pinned_versions().items():
        found = installed_version(package)
        if found != version:
            raise RuntimeError(f"tools/node_modules has {package} {found or 'not installed'}, tools/package.json "
                               f"pins {version}: run `npm ci --prefix tools` (or `make html`)")


def copy_assets(output_dir):
    """Copy MathJax and its licence into output_dir/assets/."""
    check_assets()
    for site, source in ASSETS.items():
        target = output_dir / "assets" / site
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE_MODULES / source, target)
    (output_dir / "assets" / "README.md").write_text(
        f"Copied by tools/build_site.py from the npm package mathjax {pinned_versions()['mathjax']} "
        "(pinned in tools/package.json): Apache-2.0 (mathjax/LICENSE).\n")


def without_remote_images(page):
    """page with each <img> that loads from the network replaced by its alt text (the Binder badge keeps its link)."""
    def alt_text(match):
        alt = ALT.search(match.group(0))
        return alt.group(1) if alt else ""

    return REMOTE_IMAGE.sub(alt_text, page)


# --- Explorers: saved widget state -> static HTML -------------------------------------------------------------

class _StatusCleaner(HTMLParser):
    """Keeps the text of an HTML fragment, and only the tags <b>, <i> and <code> (without attributes)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.open, self.skipping = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1
        elif tag in STATUS_TAGS and not self.skipping:
            self.parts.append(f"<{tag}>")
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skipping = max(self.skipping - 1, 0)
        elif tag in self.open:
            while self.open:  # close what was opened inside it, then it
                inner = self.open.pop()
                self.parts.append(f"</{inner}>")
                if inner == tag:
                    break

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(html.escape(data, quote=False))


def clean_status(fragment):
    """The readout fragment with every tag but <b>, <i>, <code> removed (their text kept), and tags balanced."""
    cleaner = _StatusCleaner()
    cleaner.feed(fragment)
    cleaner.close()
    return "".join(cleaner.parts) + "".join(f"</{tag}>" for tag in reversed(cleaner.open))


def number(value):
    """A control's value as written: 3, not 3.0."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def saved_png(model):
    """The base64 PNG of an explorer's saved state: from its buffers (as nbconvert stores bytes), or its state."""
    for buffer in model.get("buffers", []):
        if buffer.get("path") == ["png"]:
            if buffer.get("encoding", "base64") != "base64":
                raise ValueError(f"the png buffer must be base64-encoded, got {buffer.get('encoding')!r}")
            return buffer["data"]
    png = model["state"].get("png")
    if isinstance(png, str) and png:
        return png
    raise ValueError("the saved state has no png: expected a buffer with path ['png']")


def explorer_controls(controls, values, prefix):
    """The controls as HTML: each slider a labelled range input showing its value, each choice a radio group."""
    parts = []
    for control in controls:
        name, label, kind = control["name"], html.escape(control["label"]), control["kind"]
        ident = f"{prefix}-{re.sub(r'[^A-Za-z0-9_-]', '_', name)}"
        if name not in values:
            raise ValueError(f"control {name!r} has no value: the saved values are {values}")
        value = values[name]
        if kind == "slider":
            parts.append(
                f'<div class="explorer-slider"><label for="{ident}">{label}</label>'
                f'<input type="range" id="{ident}" min="{number(control["min"])}" max="{number(control["max"])}" '
                f'step="{number(control["step"])}" value="{number(value)}" disabled>'
                f'<span class="explorer-value" aria-hidden="true">{html.escape(number(value))}</span></div>')
        elif kind == "choice":
            options = "".join(
                f'<label><input type="radio" name="{ident}" value="{html.escape(number(option["value"]))}"'
                f'{" checked" if option["value"] == value else ""} disabled>'
                f' {html.escape(option["label"])}</label>'
                for option in control["options"])
            parts.append(f'<fieldset class="explorer-choice"><legend>{label}</legend>{options}</fieldset>')
        else:
            raise ValueError(f"control {name!r}: kind must be 'slider' or 'choice', got {kind!r}")
    return "".join(parts)


def static_explorer(model_id, model):
    """An explorer's saved state (an anywidget AnyModel) as static HTML: note, disabled controls, figure, readout.

    The note comes first and describes the fieldset (aria-describedby), so a reader meets it before the
    controls; every control is disabled, so none can be focused or moved where nothing would redraw.
    """
    state = model["state"]
    missing = [key for key in EXPLORER_KEYS if key not in state]
    if missing:
        raise ValueError(f"explorer {model_id}: the saved state lacks {missing}; expected the keys {EXPLORER_KEYS}")
    if not str(state["alt"]).strip():
        raise ValueError(f"explorer {model_id}: the saved state's alt is empty; every figure needs a text alternative")
    note, prefix = f"kernel-note-{model_id}", f"explorer-{model_id}"
    return (
        f'<p class="kernel-note" id="{note}">{html.escape(KERNEL_NOTE)}</p>'
        f'<fieldset class="explorer-controls" disabled aria-describedby="{note}">'
        f'<legend>{html.escape(state["label"])}</legend>'
        f'{explorer_controls(state["controls"], state["values"], prefix)}</fieldset>'
        f'<img class="explorer-image" src="data:image/png;base64,{saved_png(model)}" '
        f'alt="{html.escape(state["alt"])}" width="{number(state["width"])}" height="{number(state["height"])}">'
        f'<p class="explorer-status">{clean_status(state["status"])}</p>')


def with_static_explorers(nb):
    """A copy of nb whose explorers are static HTML, and whose saved widget state is left out of the page.

    An output showing an AnyModel with saved state becomes that model's static HTML (output metadata
    "site_explorer" marks it); any other widget (e.g. one whose state was not saved) keeps only its other
    data, such as its text.
    """
    nb = copy.deepcopy(nb)
    state = nb.metadata.pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                continue
            model = state.get(view["model_id"])
            if model is not None and model.get("model_name") == "AnyModel":
                output["data"] = {"text/html": static_explorer(view["model_id"], model)}
                output.setdefault("metadata", {})["site_explorer"] = True
            else:
                del output["data"][WIDGET_VIEW]
    return nb


# --- Sections collapsed in JupyterLab ---------------------------------------------------------------------------

def heading_of(source):
    """(level, text) of a markdown cell's highest heading (the first of the lowest level), as JupyterLab finds
    it to collapse a section; None when the cell has no heading.  ATX headings (# ...) outside code fences."""
    found, fenced = [], False
    for line in source.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := HEADING.match(line)):
            found.append((len(match.group(1)), match.group(2)))
    return min(found, key=lambda heading: heading[0]) if found else None


def inline_markdown(text):
    """A heading's text as inline HTML (for a <summary>): its markdown rendered, without the paragraph."""
    rendered = markdown2html_mistune(text).strip()
    return re.sub(r"^<p>(.*)</p>$", r"\1", rendered, flags=re.S)


def fold_collapsed_sections(nb):
    """Mark each section whose heading is collapsed in JupyterLab (metadata "jp-MarkdownHeadingCollapsed"):
    its heading cell opens a <details> (metadata site_fold.summary: the heading's text) and its last cell,
    the one before the next heading of the same or a higher level, closes it (site_fold.close: how many)."""
    cells = nb.cells
    for start, cell in enumerate(cells):
        if cell.cell_type != "markdown" or not cell.metadata.get("jp-MarkdownHeadingCollapsed"):
            continue
        heading = heading_of(cell.source)
        if heading is None:
            continue
        level, text = heading
        end = start + 1
        while end < len(cells) and not (cells[end].cell_type == "markdown"
                                        and (next_heading := heading_of(cells[end].source))
                                        and next_heading[0] <= level):
            end += 1
        cell.metadata.setdefault("site_fold", {})["summary"] = inline_markdown(text)
        last = cells[end - 1].metadata.setdefault("site_fold", {})
        last["close"] = last.get("close", 0) + 1
    return nb


# --- Pages ------------------------------------------------------------------------------------------------------

def prompt_of(cell):
    return f"In [{cell.execution_count}]" if cell.get("execution_count") else "In [ ]"


def accessible(page, nb):
    """The exported page with its scrollers focusable and named, and its tables' empty headers as cells.

    nbconvert makes every cell's input and every output focusable; here a code cell's code box is the
    focusable scroller (a group named after its prompt), and markdown, which wraps, is not a Tab stop,
    but each of its code blocks and tables scrolls in a focusable box (a table's named after its columns).
    """
    soup = BeautifulSoup(page, features="html.parser")
    prompts = {cell.get("id"): prompt_of(cell) for cell in nb.cells if cell.cell_type == "code"}
    for cell in soup.select(".jp-Notebook .jp-Cell"):
        prompt = prompts.get(cell.get("id", "").removeprefix("cell-id="), "In [ ]")
        for wrapper in cell.select("div.jp-Cell-inputWrapper"):
            wrapper.attrs.pop("tabindex", None)
        for editor in cell.select(".jp-InputArea-editor"):
            editor.attrs.update({"tabindex": "0", "role": "group", "aria-label": f"Code, {prompt}"})
        for output in cell.select("div.jp-OutputArea-output"):
            output.attrs.update({"tabindex": "0", "role": "group", "aria-label": f"Output of {prompt}"})
    for header in soup.select("th"):
        if not header.get_text(strip=True):
            header.name = "td"  # an empty corner cell is not a header
    for block in soup.select(".jp-RenderedMarkdown pre"):  # code in the text, too, scrolls in its own box
        block.attrs.update({"tabindex": "0", "role": "group", "aria-label": "Code"})
    for table in soup.select(".jp-RenderedMarkdown table"):  # a wide table scrolls in its own box
        columns = ", ".join(th.get_text(" ", strip=True) for th in table.select("thead th"))
        table.wrap(soup.new_tag("div", attrs={"class": "table-scroll", "tabindex": "0", "role": "group",
                                              "aria-label": f"Table: {columns}" if columns else "Table"}))
    return str(soup)


def export_page(exporter, path):
    """One notebook as a page: (html, title)."""
    nb = nbformat.reads(path.read_text(), as_version=4)
    title = title_of(nb)
    nb = fold_collapsed_sections(with_static_explorers(nb))
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    body = accessible(body, nb)
    body = RELATIVE_NOTEBOOK_LINK.sub(r'href="\1.html', body)  # links between notebooks, not Binder's
    return without_remote_images(body), title


def index_page(entries):
    """The site's front page: the title, what it is, the kernel note, and a link to every notebook."""
    items = "\n".join(f'    <li><a href="{stem}.html">{html.escape(title)}</a></li>' for stem, title in entries)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{TITLE}</title>
<style>
body {{ font-family: system-ui, sans-serif; line-height: 1.5; color: #212121; background: #fff;
       max-width: 50em; margin: 2em auto; padding: 0 1em; }}
a {{ color: #0d47a1; text-decoration: underline; }}
a:focus-visible {{ outline: 2px solid #0d47a1; outline-offset: 2px; }}
.notebooks li a {{ display: inline-block; min-height: 24px; padding: 0.3em 0; }}
</style>
</head>
<body>
<main>
  <h1>{TITLE}</h1>
  <p>The notebooks of the series with their stored outputs: text, formulas, figures and the explorers.</p>
  <p>An explorer's controls need a running kernel (JupyterLab or Binder): here each explorer shows the state it
  was saved in, and its controls cannot be changed.</p>
  <h2>The notebooks</h2>
  <ul class="notebooks">
{items}
  </ul>
</main>
</body>
</html>
"""


def build(output_dir, notebooks=None):
    """Write a page per notebook (default: every notebook in notebooks/) and index.html; return [(stem, title)]."""
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb")) if notebooks is None else list(notebooks)
    output_dir.mkdir(parents=True, exist_ok=True)
    copy_assets(output_dir)
    exporter = HTMLExporter(extra_template_paths=[str(TOOLS)], template_file="offline.html.j2")
    entries = []
    for path in notebooks:
        page, title = export_page(exporter, path)
        (output_dir / f"{path.stem}.html").write_text(page)
        entries.append((path.stem, title))
    (output_dir / "index.html").write_text(index_page(entries))
    return entries


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site"
    for stem, title in build(out):
        print(f"{out / stem}.html  {title}")
    print(f"{out / 'index.html'}")
