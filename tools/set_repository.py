"""The GitHub repository the Binder badge and the links point at, kept in one place.

Usage: python tools/set_repository.py [OWNER/NAME]

The address lives in pyproject.toml, as [project.urls] Repository.  With OWNER/NAME,
the script rewrites it there and in every GitHub and Binder link of README.md and the
notebooks; without, it prints the current address.  From Python (with tools/ on sys.path):
`repository()` gives "OWNER/NAME" and `binder_url(notebook)` the link that opens a notebook.
An installed package also carries the address, in its metadata ("Project-URL: Repository, ...").
"""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRANCH = "main"  # the branch Binder builds
ADDRESS = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+")


def repository(root=ROOT):
    """"OWNER/NAME" from pyproject.toml's [project.urls] Repository (https://github.com/OWNER/NAME)."""
    url = tomllib.loads((root / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
    return url.removeprefix("https://github.com/")


def binder_url(notebook, address=None):
    """The Binder link that opens notebooks/<notebook> in JupyterLab."""
    return f"https://mybinder.org/v2/gh/{address or repository()}/{BRANCH}?urlpath=lab/tree/notebooks/{notebook}"


def files_with_links(root=ROOT):
    """pyproject.toml, README.md and every notebook."""
    return [root / "pyproject.toml", root / "README.md", *sorted((root / "notebooks").glob("*.ipynb"))]


def set_repository(address, root=ROOT):
    """Point every github.com/OLD and mybinder.org/v2/gh/OLD in files_with_links(root) at address; -> changed files."""
    if not isinstance(address, str) or not ADDRESS.fullmatch(address):
        raise ValueError(f"address: expected OWNER/NAME as on GitHub, e.g. 'alice/backprop-notes'; got {address!r}")
    old = re.compile(rf"(github\.com/|mybinder\.org/v2/gh/){re.escape(repository(root))}(?![A-Za-z0-9._-])")
    changed = []
    for path in files_with_links(root):
        text = path.read_text()
        new = old.sub(lambda m: m.group(1) + address, text)
        if new != text:
            path.write_text(new)
            changed.append(path)
    return changed


def main(argv):
    if not argv:
        print(repository())
        return
    (address,) = argv
    for path in set_repository(address):
        print(f"rewrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
