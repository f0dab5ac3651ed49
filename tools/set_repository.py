"""The GitHub repository the Binder badge and the links point at, kept in one place.

Usage: python tools/set_repository.py [OWNER/NAME]
       python tools/set_repository.py --hub HUB_URL [REPOSITORY]   (prints the nbgitpuller link for that JupyterHub)

The address lives in pyproject.toml, as [project.urls] Repository.  With OWNER/NAME,
the script rewrites it there and in every GitHub, Binder and nbgitpuller link of README.md
and the notebooks; without, it prints the current address.  From Python (with tools/ on
sys.path): `repository()` gives "OWNER/NAME", `binder_url(notebook)` the link that opens a
notebook on Binder and `nbgitpuller_url(hub_url)` the link that gives a JupyterHub's users
the series, from this repository or from any git address a hub can clone (REPOSITORY above:
OWNER/NAME on GitHub, or an https, http, git or file URL, with or without .git).  An installed
package also carries the address, in its metadata ("Project-URL: Repository, ...").
"""

import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

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


GIT_URL = re.compile(r"(?:https?|git|file)://[^\s?#]*")  # what a learner's server can clone without a key


def clone_address(address=None):
    """(the address to clone, the folder to clone it into) for OWNER/NAME on GitHub or a git URL; the folder is the
    address's last part without .git.  Raises ValueError for an address a hub cannot clone for its learners."""
    address = address or repository()
    if isinstance(address, str) and ADDRESS.fullmatch(address):
        address = f"https://github.com/{address}"
    if not isinstance(address, str) or not GIT_URL.fullmatch(address):
        raise ValueError("repository: expected OWNER/NAME on GitHub, or an https, http, git or file URL of a git "
                         f"repository (ssh needs a key the learners' servers do not have); got {address!r}")
    folder = urlsplit(address).path.rstrip("/").rpartition("/")[2].removesuffix(".git")
    if not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]*", folder):
        raise ValueError(f"repository: expected an address that ends with the repository's name; got {address!r}")
    return address, folder


def nbgitpuller_url(hub_url, notebook="00-the-question.ipynb", address=None):
    """The link that makes the JupyterHub at hub_url clone the repository (OWNER/NAME or any git URL; default
    this one) into each user's home, in a folder named as the repository, or update their copy, keeping their
    changes; then it opens notebooks/<notebook> in JupyterLab.  The hub needs nbgitpuller."""
    if not isinstance(hub_url, str) or not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", hub_url):
        raise ValueError(f"hub_url: expected the hub's address, e.g. 'https://hub.example.edu'; got {hub_url!r}")
    repo, folder = clone_address(address)
    # targetpath names the folder (nbgitpuller's own name would keep a .git); subpath is within it, wherever the
    # hub puts the clones (nbgitpuller's NBGITPULLER_PARENTPATH), and app opens it in JupyterLab
    query = {"repo": repo, "targetpath": folder, "branch": BRANCH, "subpath": f"notebooks/{notebook}", "app": "lab"}
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{urlencode(query, quote_via=quote, safe='')}"


NBGITPULLER = re.compile(r"(https?://[^\s/?#()<>`\"']+(?:/[^\s?#()<>`\"']*)?)/hub/user-redirect/git-pull\?"
                         r"([^\s()<>`\"']*[^\s()<>`\"'.,;:])")  # a sentence's full stop is not the link's


def nbgitpuller_links(text):
    """Every nbgitpuller link in text, as (link, hub_url, notebook, repository address)."""
    links = []
    for match in NBGITPULLER.finditer(text):
        query = {key: values[0] for key, values in parse_qs(match.group(2)).items()}
        notebook = query.get("subpath", query.get("urlpath", "")).rpartition("notebooks/")[2]
        address = query.get("repo", "").removeprefix("https://github.com/")  # OWNER/NAME, or any other URL
        links.append((match.group(0), match.group(1), notebook, address))
    return links


def files_with_links(root=ROOT):
    """pyproject.toml, README.md and every notebook."""
    return [root / "pyproject.toml", root / "README.md", *sorted((root / "notebooks").glob("*.ipynb"))]


def set_repository(address, root=ROOT):
    """Point every github.com/OLD, mybinder.org/v2/gh/OLD and nbgitpuller link to OLD in files_with_links(root)
    at address; -> changed files."""
    if not isinstance(address, str) or not ADDRESS.fullmatch(address):
        raise ValueError(f"address: expected OWNER/NAME as on GitHub, e.g. 'alice/backprop-notes'; got {address!r}")
    current = repository(root)
    old = re.compile(rf"(github\.com/|mybinder\.org/v2/gh/){re.escape(current)}(?![A-Za-z0-9._-])")
    changed = []
    for path in files_with_links(root):
        text = path.read_text()
        new = old.sub(lambda m: m.group(1) + address, text)
        for link, hub, notebook, linked in nbgitpuller_links(new):
            if linked == current:
                new = new.replace(link, nbgitpuller_url(hub, notebook, address))
        if new != text:
            path.write_text(new)
            changed.append(path)
    return changed


def main(argv):
    if not argv:
        print(repository())
        return
    if argv[0] == "--hub":
        if len(argv) not in (2, 3):
            sys.exit(__doc__)
        print(nbgitpuller_url(argv[1], address=(argv[2:] or [None])[0]))
        return
    (address,) = argv
    for path in set_repository(address):
        print(f"rewrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
