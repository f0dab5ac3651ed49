"""What the helpers need, checked by `import helpers` before anything else is imported (the standard library only).

Every notebook's first cell imports helpers first, so a package that is missing or too old is named there, with the
version needed and the command that installs it, instead of failing later in some other cell.  The lower bounds are
pyproject.toml's (tests/test_versions.py checks that they agree, and runs the tests at exactly these versions).

Importing also says which copy of the helpers a notebook uses when that is not the copy beside it: a kernel started
in notebooks/ imports notebooks/helpers (a link to ../helpers, found first: IPython puts its working directory
before site-packages), the copy that came with the notebooks, whatever other copy is installed.
"""

import re
import sys
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from pathlib import Path

# distribution name: (lowest version, import name)
REQUIRES = {
    "numpy": ("2.0", "numpy"),
    "matplotlib": ("3.8.4", "matplotlib"),
    "ipywidgets": ("8.1", "ipywidgets"),
    "anywidget": ("0.9", "anywidget"),
    "ipython": ("8.0", "IPython"),
    "pillow": ("9.2", "PIL"),
}
NOTEBOOKS = {  # the extra conv-backprop-helpers[notebooks]: what only some notebooks import, and which
    "scikit-learn": ("1.4.2", "sklearn", "notebook 07"),
}


class MissingRequirements(ImportError):
    """Packages that are missing or too old; IPython shows only the message (no traceback)."""

    def _render_traceback_(self):
        return str(self).splitlines()


def release(text):
    """(2, 0, 1) from "2.0.1", "2.0.1rc1" or "2.0.1.post2": the release numbers only."""
    return tuple(int(n) for n in re.match(r"\d+(?:\.\d+)*", text).group().split("."))


def at_least(found, lowest):
    """Whether version `found` is at least `lowest` ("2.0" and "2.0.0" are the same release)."""
    a, b = release(found), release(lowest)
    width = max(len(a), len(b))
    return a + (0,) * (width - len(a)) >= b + (0,) * (width - len(b))


def problems(requires):
    """[(distribution, lowest, found version or None)] for each package of `requires` missing or too old."""
    found = []
    for name, (lowest, module, *_) in requires.items():
        try:
            installed = version(name)
        except PackageNotFoundError:  # importable without metadata (e.g. a copied folder): its version is unknown
            if find_spec(module) is None:
                found.append((name, lowest, None))
            continue
        if not at_least(installed, lowest):
            found.append((name, lowest, installed))
    return found


def message(found):
    """What is missing or too old, and the command that installs it."""
    lines = [f"The helpers need packages that are missing or too old in this Python ({sys.executable}):"]
    lines += [f"  {name} >= {lowest}: " + (f"found {now}" if now else "not installed") for name, lowest, now in found]
    lines += ["Install them into this kernel's Python with this line in a notebook cell (%pip is that Python's pip):",
              "  %pip install " + " ".join(f'"{name}>={lowest}"' for name, lowest, _ in found),
              "(on a JupyterHub, ask its administrator), then restart the kernel."]
    return "\n".join(lines)


def check(requires=REQUIRES):
    """Raise MissingRequirements naming every package of `requires` that is missing or too old."""
    found = problems(requires)
    if found:
        raise MissingRequirements(message(found))


def copy_beside(folder=None):
    """The helpers folder beside a notebook in `folder` (default: the working directory), or None."""
    folder = Path.cwd() if folder is None else Path(folder)
    for candidate in (folder / "helpers", folder.parent / "helpers"):
        if (candidate / "__init__.py").is_file():
            return candidate.resolve()
    return None


def which_copy(package_folder, folder=None):
    """A sentence naming the helpers in use, when they are not the copy beside the notebook; else None."""
    beside = copy_beside(folder)
    used = Path(package_folder).resolve()
    if beside is None or beside == used:
        return None
    return f"helpers: this notebook uses the helpers in {used}, not the copy beside it in {beside}."


def on_import(package_folder):
    """What `import helpers` checks first: the packages it needs (else raise), which copy is used, and, beside the
    notebooks, the packages only some notebooks need (a note: notebooks that do not import them still run)."""
    check(REQUIRES)
    sentence = which_copy(package_folder)
    if sentence:
        print(sentence)
    elif copy_beside() is not None:
        for name, lowest, now in problems(NOTEBOOKS):
            print(f"Note: {NOTEBOOKS[name][2]} needs {name} >= {lowest} ({f'found {now}' if now else 'not installed'}):"
                  f' install it with  %pip install "{name}>={lowest}"  in a cell and restart the kernel.')
