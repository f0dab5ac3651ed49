"""`make help` lists every target of the Makefile with its `##` comment."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rules():
    """(target as written, its ## comment or None) of every rule in the Makefile (not variables, not .PHONY)."""
    found = []
    for line in (ROOT / "Makefile").read_text().splitlines():
        match = re.match(r"^([^\s#.=][^=]*?|\$\([A-Z_]+\)[^:=]*):(?!=)(.*)$", line)
        if match:
            comment = re.search(r"##\s*(.+)$", match.group(2))
            found.append((match.group(1), comment.group(1) if comment else None))
    return found


def test_every_target_has_a_comment_and_make_help_prints_it():
    variables = {"$(VENV)": ".venv", "$(TEACHERS)": ".venv-teachers", "$(HUB)": ".venv-hub",
                 "$(SITE_SCRIPTS)": "tools/node_modules/.package-lock.json"}
    listed = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.splitlines()
    targets = rules()
    assert {"help", "lab", "test", "bench", "clean", "$(VENV)/.dev"} <= {target for target, _ in targets}
    for target, comment in targets:
        assert comment, f"the Makefile's target {target} has no ## comment"
        for variable, value in variables.items():
            target = target.replace(variable, value)
        assert any(line.split(None, 1) == [target, comment] for line in listed), (target, comment)
    assert len(listed) == len(targets)
