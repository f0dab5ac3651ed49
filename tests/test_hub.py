"""A class on a real JupyterHub: one link gives each learner the series, and a teacher's update reaches them.

The link: `tools/set_repository.py --hub` builds it for any git address; the tests below check each form.

The class: `make test` sets up .venv-hub as a hub's administrator would (tests/hub-image.txt, then the README's
requirements-hub.txt and the project's JupyterLab defaults).  JupyterHub runs from there on 127.0.0.1 with
configurable-http-proxy (pinned in tools/package.json), DummyAuthenticator and SimpleLocalProcessSpawner;
the teacher's "remote" is a bare git repository made from this working tree, at a file:// address.  Two
learners in Chromium follow the link: the series is cloned, notebook 00 opens and runs (Run All) with no
error, and in notebook 01 an explorer's figure follows a key press.  The first learner answers an exercise
(a catalogued mistake), sees the checker's hint, and saves.  The teacher pushes a commit that changes a
sentence of notebook 01, the same exercise's stub and that hint.  Each learner clicks the link again: the
learner's answer is kept (the teacher's stub, on the same lines, is not taken), the sentence arrives, the
running kernel still gives the old hint, and after a restart it gives the new one, from the clone's helpers
though .venv-hub also holds an installed copy.  At the end every process the hub started has stopped.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from chromium import under_ci  # as for the other browser tests: a missing Chromium fails under CI
from servers import free_port, wait_until_answers

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import set_repository  # noqa: E402

HUB_VENV = ROOT / ".venv-hub"
PROXY = ROOT / "tools" / "node_modules" / ".bin" / "configurable-http-proxy"

# ---- the link, for any address ------------------------------------------------------------------------------


def query(link):
    return {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}


@pytest.mark.parametrize(("address", "repo", "folder"), [
    (None, "https://github.com/conv-backprop/backprop-through-convolution", "backprop-through-convolution"),
    ("alice/conv-notes", "https://github.com/alice/conv-notes", "conv-notes"),
    ("https://github.com/alice/conv-notes.git", "https://github.com/alice/conv-notes.git", "conv-notes"),
    ("https://gitlab.example.edu/course/conv.notes/", "https://gitlab.example.edu/course/conv.notes/", "conv.notes"),
    ("http://git.example.edu/conv", "http://git.example.edu/conv", "conv"),
    ("git://git.example.edu/srv/conv.git", "git://git.example.edu/srv/conv.git", "conv"),
    ("file:///srv/git/backprop.git", "file:///srv/git/backprop.git", "backprop"),
])
def test_the_link_clones_any_address_into_a_folder_named_as_the_repository(address, repo, folder):
    link = set_repository.nbgitpuller_url("https://hub.example.edu/", "01-single-channel.ipynb", address)
    assert link.startswith("https://hub.example.edu/hub/user-redirect/git-pull?")
    assert query(link) == {"repo": repo, "targetpath": folder, "branch": "main",
                           "subpath": "notebooks/01-single-channel.ipynb", "app": "lab"}
    (found,) = set_repository.nbgitpuller_links(f"Follow {link}.")
    assert found == (link, "https://hub.example.edu", "01-single-channel.ipynb",
                     repo.removeprefix("https://github.com/"))


@pytest.mark.parametrize(("address", "why"), [
    ("git@github.com:alice/conv-notes.git", "expected OWNER/NAME on GitHub, or an https"),
    ("ssh://git@github.com/alice/conv-notes.git", "ssh needs a key"),
    ("https://github.com/alice/conv-notes?tab=readme", "expected OWNER/NAME on GitHub, or an https"),
    ("ftp://example.edu/conv.git", "expected OWNER/NAME on GitHub, or an https"),
    ("https://github.com", "expected an address that ends with the repository's name"),
    ("https://example.edu/.git", "expected an address that ends with the repository's name"),
    ("alice/conv notes", "expected OWNER/NAME on GitHub, or an https"),
    (42, "expected OWNER/NAME on GitHub"),
])
def test_the_link_refuses_an_address_a_hub_cannot_clone_for_its_learners(address, why):
    with pytest.raises(ValueError, match=r"^repository: .*" + why.replace("?", r"\?")):
        set_repository.nbgitpuller_url("https://hub.example.edu", address=address)


def test_the_command_prints_the_link_for_an_address_or_refuses_it():
    def run(*args):
        return subprocess.run([sys.executable, "tools/set_repository.py", "--hub", *args], cwd=ROOT,
                              capture_output=True, text=True)

    printed = run("https://hub.example.edu", "file:///srv/git/backprop.git")
    assert printed.stdout == set_repository.nbgitpuller_url(
        "https://hub.example.edu", address="file:///srv/git/backprop.git") + "\n"
    assert run("https://hub.example.edu").stdout == set_repository.nbgitpuller_url("https://hub.example.edu") + "\n"
    refused = run("https://hub.example.edu", "git@github.com:alice/conv-notes.git")
    assert refused.returncode == 1 and refused.stderr.strip().endswith(
        "got 'git@github.com:alice/conv-notes.git'"), refused.stderr
    assert "Usage:" in run().stderr


# ---- the class ---------------------------------------------------------------------------------------------------

STEPS = {}  # what the class did -> seconds, in order: printed at the end of the test
FOLDER = "backprop"  # the remote is file://.../backprop.git: the link names the learners' folder "backprop"
# The explorers' DOM, in one place (helpers/explorers/panel.js): an explorer, its controls, its figure.
EXPLORER = ".jp-OutputArea-output .cbx-explorer"
CONTROL = "input"  # a range slider or a radio button: ArrowRight moves either
FIGURE = "img.cbx-image"
# Ada's answer to exercise my_dw of notebook 01, with the mistake HINT names (dL/dh rotated); the teacher's commit
# adds SENTENCE to the exercise's text and STUB to the last line of its stub, and rewrites HINT in the checker.
NOTEBOOK = "01-single-channel.ipynb"
ANSWER = '''def my_dw(x, dh):
    """My answer: dL/dw."""
    return helpers.correlate2d(x, dh[::-1, ::-1])'''
SENTENCE = "(The teacher adds: a plain correlation, nothing is rotated.)"
STUB = "  # the teacher's new stub"
HINT = ("dL/dh is rotated: dL/dw is a plain correlation of x with dL/dh, no flip: correlate2d(x, dh)",
        "dL/dh is rotated: dL/dw correlates x with dL/dh as it is, no flip: correlate2d(x, dh)")

ALL_EXECUTED = """panel => {
    const prompts = Array.from(panel.querySelectorAll('.jp-CodeCell .jp-InputArea > .jp-InputPrompt'));
    return prompts.length > 0 && prompts.every(e => /\\[\\d+\\]/.test(e.textContent));
}"""
IDLE = """panel => {
    const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
    const running = Array.from(panel.querySelectorAll('.jp-InputPrompt')).some(e => e.textContent.includes('*'));
    return indicator && indicator.dataset.status === 'idle' && !running;
}"""


@contextlib.contextmanager
def timed(step):
    start = time.monotonic()
    yield
    STEPS[step] = time.monotonic() - start


def need(present, hint):
    """Skip without the hub's set-up (`make test` does it), except under CI, where that is a failure."""
    if not present:
        (pytest.fail if under_ci() else pytest.skip)(hint)


def git(*args, cwd=None):
    result = subprocess.run(["git", "-c", "user.name=Teacher", "-c", "user.email=teacher@example.edu",
                             "-c", "init.defaultBranch=main", *map(str, args)], cwd=cwd, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def make_remote(tmp):
    """A bare repository holding this working tree (what a clone would hold) on branch main: the teacher's."""
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    work = tmp / "teacher"
    for name in filter(None, listed.split("\0")):
        source, dest = ROOT / name, work / name
        if source.is_symlink() or source.is_file():
            dest.parent.mkdir(parents=True, exist_ok=True)
            if source.is_symlink():
                dest.symlink_to(os.readlink(source))
            else:
                shutil.copy2(source, dest)
    git("init", "-q", work)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "The series", cwd=work)
    git("clone", "-q", "--bare", work, tmp / f"{FOLDER}.git")
    git("remote", "add", "origin", tmp / f"{FOLDER}.git", cwd=work)
    git("fetch", "-q", "origin", cwd=work)
    return f"file://{tmp / f'{FOLDER}.git'}", work


def teacher_pushes(work):
    """The teacher's update: SENTENCE after the line of notebook 01 that asks for my_dw, STUB at the end of that
    exercise's stub (as a teacher edits a notebook: saved as nbformat writes it), HINT rewritten in the checker."""
    import nbformat

    path = work / "notebooks" / NOTEBOOK
    nb = nbformat.reads(path.read_text(), as_version=4)
    (asks,) = [c for c in nb.cells if c.cell_type == "markdown" and "`my_dw(" in c.source]
    line = next(line for line in asks.source.splitlines() if "`my_dw(" in line)
    asks.source = asks.source.replace(line, f"{line} {SENTENCE}")
    nb.cells[index_of(NOTEBOOK, "def my_dw")].source += STUB
    path.write_text(nbformat.writes(nb) + "\n")
    checker = work / "helpers" / "checkers" / "channels.py"
    assert checker.read_text().count(HINT[0]) == 1, f"the teacher's commit: {HINT[0]!r} is not once in {checker}"
    checker.write_text(checker.read_text().replace(*HINT))
    changed = git("diff", "--numstat", cwd=work).split()  # lines added, removed, file: one line each, two in 01
    assert changed == ["1", "1", "helpers/checkers/channels.py", "2", "2", f"notebooks/{NOTEBOOK}"], changed
    git("commit", "-q", "-am", "Notebook 01: exercise my_dw says dL/dw is a plain correlation; a clearer hint",
        cwd=work)
    git("push", "-q", "origin", "HEAD:main", cwd=work)


HUB_CONFIG = """
c = get_config()  # noqa
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.JupyterHub.db_url = "sqlite:///{tmp}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{tmp}/jupyterhub_cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{tmp}/home/{{username}}"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = {args!r}
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
"""


def descendants(pid):
    """Every process started by pid, directly or not (from /proc), that has not ended."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            state, parent = stat.read_text().rpartition(")")[2].split()[:2]
            if state != "Z":
                children.setdefault(int(parent), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        kids = children.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def alive(pid):
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    return False


@contextlib.contextmanager
def jupyterhub(tmp):
    """JupyterHub from .venv-hub on 127.0.0.1: yields its base URL; at the end, stops it and asserts that it and
    every process it started (the proxy, the learners' servers, their kernels) have stopped."""
    port = free_port()
    config = tmp / "jupyterhub_config.py"
    config.write_text(HUB_CONFIG.format(
        port=port, hub_port=free_port(), api_port=free_port(), proxy=str(PROXY), tmp=tmp,
        singleuser=str(HUB_VENV / "bin" / "jupyterhub-singleuser"),
        args=["--allow-root"] if os.geteuid() == 0 else []))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "PYTHON", "VIRTUAL_ENV", "CONDA", "IPYTHON", "MPL", "NBGITPULLER"))}
    base = f"http://127.0.0.1:{port}"
    with open(tmp / "jupyterhub.log", "w") as log:
        hub = subprocess.Popen([HUB_VENV / "bin" / "jupyterhub", "-f", config], cwd=tmp, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        with timed("start JupyterHub and its proxy"):
            wait_until_answers(f"{base}/hub/health", hub, "JupyterHub", tmp / "jupyterhub.log")
        yield base
    finally:
        started = [hub.pid, *descendants(hub.pid)]
        with timed(f"stop the hub and the {len(started) - 1} processes it started: the proxy, servers, kernels"):
            hub.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                hub.wait(timeout=60)
            deadline = time.monotonic() + 30
            while any(map(alive, started)) and time.monotonic() < deadline:
                time.sleep(0.2)
        left = [pid for pid in started if alive(pid)]
        for pid in left:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        hub.wait()
    assert not left, f"still running after the hub stopped: {left}"


# ---- a learner in JupyterLab -------------------------------------------------------------------------------------

def cells_of(notebook):
    return json.loads((ROOT / "notebooks" / notebook).read_text())["cells"]


def index_of(notebook, start):
    """The index of the notebook's first cell whose source starts with `start`."""
    return next(i for i, c in enumerate(cells_of(notebook)) if "".join(c["source"]).startswith(start))


def menu(page, top, item):
    page.get_by_role("menuitem", name=top, exact=True).click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def shown(page, notebook):
    """The notebook's panel, once JupyterLab shows it (the one visible) with every cell, and its kernel is idle."""
    page.wait_for_url(f"**/lab/tree/{FOLDER}/notebooks/{notebook}", timeout=180_000)
    page.wait_for_function(f"""n => {{
        const panel = Array.from(document.querySelectorAll('.jp-NotebookPanel')).find(e => e.offsetParent !== null);
        return panel && panel.querySelectorAll('.jp-Cell').length === n && ({IDLE})(panel);
    }}""", arg=len(cells_of(notebook)), timeout=180_000)
    return page.locator(".jp-NotebookPanel:visible")


def run_all(page, panel, command=("Run", "Run All Cells")):
    """Clear every output, then run every cell (by `command`), and wait until all have run: -> error outputs."""
    panel.locator(".jp-CodeCell .jp-InputPrompt").first.click()  # Run All acts on the notebook focused last
    menu(page, "Edit", "Clear Outputs of All Cells")
    menu(page, *command)
    if command[0] == "Kernel":
        page.get_by_role("button", name="Confirm Kernel Restart").click()  # the dialog that asks first
    page.wait_for_function(ALL_EXECUTED, arg=panel.element_handle(), timeout=180_000)
    page.wait_for_function(IDLE, arg=panel.element_handle(), timeout=60_000)
    texts = panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
    return [t for t in texts if "Traceback" in t or "Error" in t]


def explorer_follows_a_key(page, panel):
    """Keyboard focus on the first explorer's first control, ArrowRight: its figure changes."""
    explorer = panel.locator(EXPLORER).first
    figure = explorer.locator(FIGURE)
    before = figure.get_attribute("src")
    explorer.locator(CONTROL).first.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("([img, src]) => img.src !== src", arg=[figure.element_handle(), before], timeout=30_000)


def output_of(panel, index):
    """The text of a cell's outputs (off screen too: JupyterLab skips rendering cells out of view)."""
    return panel.locator(".jp-Cell").nth(index).locator(".jp-OutputArea").text_content()


def run_cell(page, panel, index):
    """Run one cell in command mode (Shift+Enter) and wait for its new output."""
    prompt = panel.locator(".jp-Cell").nth(index).locator(".jp-InputPrompt")
    before = prompt.inner_text()
    prompt.click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function("([e, t]) => e.textContent !== t && /\\[\\d+\\]/.test(e.textContent)",
                           arg=[prompt.element_handle(), before], timeout=60_000)
    page.wait_for_function(IDLE, arg=panel.element_handle(), timeout=60_000)


def answer_and_save(page, panel, index):
    """Replace the exercise cell's stub with ANSWER, run it and its check, save the notebook."""
    editor = panel.locator(".jp-Cell").nth(index).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(ANSWER)
    page.keyboard.press("Escape")
    run_cell(page, panel, index)
    run_cell(page, panel, index + 1)
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')",
                           timeout=30_000)


def test_the_hubs_set_up_keeps_the_packages_other_courses_use():
    """The README's install (requirements-hub.txt) changed none of the hub's packages: each satisfied its range."""
    need((HUB_VENV / ".hub").exists(), "The hub is set up by `make test` (make .venv-hub/.hub).")
    listed = subprocess.run([HUB_VENV / "bin" / "python", "-m", "pip", "list", "--format", "json"],
                            capture_output=True, text=True, check=True)
    versions = {p["name"].lower().replace("_", "-"): p["version"] for p in json.loads(listed.stdout)}
    pins = [line.split("==") for line in (ROOT / "tests" / "hub-image.txt").read_text().splitlines()
            if "==" in line and not line.startswith("#")]
    assert {name: versions[name] for name, _ in pins} == dict(pins)
    assert "nbgitpuller" in versions and "conv-backprop-helpers" in versions  # and an earlier set-up's helpers
    settings = HUB_VENV / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "conv-backprop.json"
    assert settings.read_text() == (ROOT / "binder" / "jupyterlab-settings.json").read_text()


def test_the_readme_sets_up_a_hub_as_the_test_hub_is_set_up():
    """The README's administrator commands are the Makefile's for .venv-hub: requirements-hub.txt, then the defaults."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### A class on a JupyterHub"):readme.index("### Binder and the static site")]
    makefile = (ROOT / "Makefile").read_text()
    settings = "sed -n 's/^Application directory: *//p')/settings/overrides.d"
    assert settings in section and settings in makefile
    assert "pip install -r /tmp/series/requirements-hub.txt" in section and "-r requirements-hub.txt" in makefile
    assert "binder/jupyterlab-settings.json \"$settings/conv-backprop.json\"" in section
    assert "binder/jupyterlab-settings.json \"$$settings/conv-backprop.json\"" in makefile
    assert set_repository.nbgitpuller_url("https://hub.example.edu") in section


def test_a_class_on_a_jupyterhub(browser, tmp_path, request):
    need((HUB_VENV / ".hub").exists() and PROXY.exists(),
         "The hub is set up by `make test` (make .venv-hub/.hub, and npm ci --prefix tools for the proxy).")
    STEPS.clear()
    with timed("the teacher's remote: a bare clone of this working tree"):
        remote, teacher = make_remote(tmp_path)
    exercise = index_of(NOTEBOOK, "def my_dw")
    learners = {}
    with jupyterhub(tmp_path) as base:
        link = subprocess.run([sys.executable, "tools/set_repository.py", "--hub", base, remote], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
        for name in ("ada", "grace"):
            context = learners[name] = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            with timed(f"{name}: the link, log in, her server starts, the series is cloned, notebook 00 opens"):
                page.goto(link)
                page.fill("#username_input", name)
                page.fill("#password_input", "any")
                page.click("#login_submit")
                panel = shown(page, "00-the-question.ipynb")
            assert (tmp_path / "home" / name / FOLDER / "notebooks" / "helpers").is_symlink()
            with timed(f"{name}: notebook 00, Run All"):
                assert run_all(page, panel) == []
            assert output_of(panel, 1) == ""  # the first cell: nothing to say, it uses the helpers beside it
            settings = page.request.get(f"{base}/user/{name}/lab/api/settings/"
                                        "@jupyterlab/apputils-extension:notification").json()
            assert settings["schema"]["properties"]["fetchNews"]["default"] == "false"  # the project's: no news
            with timed(f"{name}: notebook 01 opens, Run All"):
                page.goto(f"{base}/user/{name}/lab/tree/{FOLDER}/notebooks/{NOTEBOOK}")
                panel = shown(page, NOTEBOOK)
                assert run_all(page, panel) == []
            with timed(f"{name}: an explorer's figure follows ArrowRight"):
                explorer_follows_a_key(page, panel)
        page = learners["ada"].pages[0]
        panel = page.locator(".jp-NotebookPanel:visible")
        with timed("ada: answers exercise my_dw (dL/dh rotated), sees the hint, saves"):
            answer_and_save(page, panel, exercise)
        assert HINT[0] in output_of(panel, exercise + 1)
        with timed("the teacher pushes: a sentence, the exercise's stub and its hint"):
            teacher_pushes(teacher)
        for name in ("ada", "grace"):
            page = learners[name].pages[0]
            with timed(f"{name}: the link again: her clone merges the update, notebook 00 opens"):
                page.goto(link)
                shown(page, "00-the-question.ipynb")
            clone = tmp_path / "home" / name / FOLDER
            cells = json.loads((clone / "notebooks" / NOTEBOOK).read_text())["cells"]
            assert SENTENCE in "".join(s for c in cells for s in c["source"])
            assert HINT[1] in (clone / "helpers" / "checkers" / "channels.py").read_text()
            if name == "ada":  # her answer is kept; the teacher's stub changed the same lines, so it is not taken
                assert "".join(cells[exercise]["source"]) == ANSWER
            else:  # no change of her own: she has the teacher's version
                assert "".join(cells[exercise]["source"]).endswith(STUB)
        page = learners["ada"].pages[0]
        page.goto(f"{base}/user/ada/lab/tree/{FOLDER}/notebooks/{NOTEBOOK}")
        panel = shown(page, NOTEBOOK)
        assert panel.locator(".jp-MarkdownCell", has_text=SENTENCE).count() == 1
        assert panel.locator(".jp-Cell").nth(exercise).locator(".cm-line").all_text_contents() == ANSWER.splitlines()
        with timed("ada: the check again, in her running kernel: the old hint"):
            run_cell(page, panel, exercise + 1)
        assert HINT[0] in output_of(panel, exercise + 1)
        with timed("ada: Restart Kernel and Run All Cells: the new hint"):
            assert run_all(page, panel, ("Kernel", "Restart Kernel and Run All Cells…")) == []
        assert HINT[1] in output_of(panel, exercise + 1)
        for context in learners.values():
            context.close()
    terminal = request.config.pluginmanager.get_plugin("terminalreporter")
    terminal.write_line("\nA class on a JupyterHub (seconds):")
    for step, seconds in STEPS.items():
        terminal.write_line(f"  {seconds:5.1f}  {step}")
