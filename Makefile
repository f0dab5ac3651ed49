# Two commands for a newcomer: `make lab` and `make test` (`make help` lists every target).
# Both create .venv once and reinstall only when the requirements change.
# For teachers, `make assignments` builds the exercises as nbgrader assignments with its own .venv-teachers.
# `make test` also sets up .venv-hub (a JupyterHub for tests/test_hub.py) and the wheelhouses under .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TEACHERS := .venv-teachers
HUB := .venv-hub
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
SITE_SCRIPTS := tools/node_modules/.package-lock.json
# The project's JupyterLab defaults (no news prompt), in .venv's own settings folder,
# as binder/postBuild does on Binder: the user's settings are left alone.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.d/conv-backprop.json

.PHONY: help lab test notebooks bench html assignments clean wheelhouses

help:  ## list every target with what it does
	@awk -F ':.*## ' '/^[^ \t#.][^=]*:.*## / {print $$1 "\t" $$2}' $(firstword $(MAKEFILE_LIST)) | \
	    sed -e 's|$$(VENV)|$(VENV)|' -e 's|$$(TEACHERS)|$(TEACHERS)|' -e 's|$$(HUB)|$(HUB)|' \
	        -e 's|$$(SITE_SCRIPTS)|$(SITE_SCRIPTS)|' | awk -F '\t' '{printf "  %-40s %s\n", $$1, $$2}'

%/bin/python:  ## a virtual environment (.venv, .venv-teachers or .venv-hub) with an up-to-date pip
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
	    "Python >= 3.11 is needed, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $*
	$*/bin/python -m pip install --quiet --upgrade pip

$(VENV)/.lab: requirements.txt pyproject.toml binder/jupyterlab-settings.json | $(BIN)/python  ## the learners' .venv: the pinned requirements and the project's JupyterLab defaults
	$(BIN)/python -m pip install --quiet -r requirements.txt
	install -D -m 644 binder/jupyterlab-settings.json $(LAB_SETTINGS)
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.lab  ## .venv with the test tools too (pytest, nbval, ruff, ...)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# nbgrader, pinned in requirements-teachers.txt, in its own environment (with the series' requirements and helpers)
$(TEACHERS)/.nbgrader: requirements.txt requirements-teachers.txt pyproject.toml | $(TEACHERS)/bin/python  ## .venv-teachers with nbgrader
	$(TEACHERS)/bin/python -m pip install --quiet -r requirements-teachers.txt
	$(TEACHERS)/bin/python -m pip check
	touch $@

# MathJax (copied into site/ by `make html`), axe-core (run by the browser tests) and configurable-http-proxy
# (the proxy of tests/test_hub.py's JupyterHub), pinned in tools/package.json
$(SITE_SCRIPTS): tools/package.json tools/package-lock.json  ## the npm packages pinned in tools/package.json
	@command -v npm >/dev/null || { echo "npm is needed for the static site, the accessibility tests and the hub test: sudo apt-get install nodejs npm"; exit 1; }
	npm ci --prefix tools --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Every package of Binder's install (tests/test_install.py), and of the lowest and the newest environments
# (tests/test_versions.py), downloaded once; the tests then install offline.  A no-op when they are current.
wheelhouses: | $(BIN)/python  ## download the wheels of the install and versions tests once (offline afterwards)
	$(BIN)/python tools/wheelhouse.py

# A JupyterHub for tests/test_hub.py, set up as its administrator would for a class: the hub as it was
# (tests/hub-image.txt, and the helpers package, as an earlier set-up installed it: the test shows that the
# learners' kernels use their clone's helpers), then the README's two steps: requirements-hub.txt and the
# project's JupyterLab defaults, in the environment's own settings folder.
$(HUB)/.hub: tests/hub-image.txt requirements-hub.txt binder/jupyterlab-settings.json pyproject.toml | $(HUB)/bin/python  ## .venv-hub, a JupyterHub for tests/test_hub.py
	$(HUB)/bin/python -m pip install --quiet -r tests/hub-image.txt
	$(HUB)/bin/python -m pip install --quiet --no-deps .
	$(HUB)/bin/python -m pip install --quiet -r requirements-hub.txt
	settings="$$($(HUB)/bin/jupyter lab path | sed -n 's/^Application directory: *//p')/settings/overrides.d"; \
	    install -D -m 644 binder/jupyterlab-settings.json "$$settings/conv-backprop.json"
	touch $@

lab: $(VENV)/.lab  ## set up, then open the series in JupyterLab
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks --LabApp.default_url=/lab/tree/00-the-question.ipynb \
	    $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

test: $(VENV)/.dev $(SITE_SCRIPTS) wheelhouses $(TEACHERS)/.nbgrader $(HUB)/.hub  ## set up, then run every test: lint, unit, property, notebooks, both ends of the versions, assignments, browser, hub
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

notebooks: $(VENV)/.lab  ## re-execute every notebook top to bottom in a fresh kernel, in place
	@for nb in $(NOTEBOOKS); do \
	    echo "executing $$nb"; \
	    $(BIN)/jupyter nbconvert --to notebook --execute --inplace $$nb || exit 1; \
	done

bench: $(VENV)/.dev  ## time loops vs vectorised (vs PyTorch when installed), explorers, training, notebooks, views (BENCH_ARGS="--only conv")
	$(BIN)/python benchmarks/bench_conv.py $(BENCH_ARGS)

html: $(VENV)/.lab $(SITE_SCRIPTS)  ## export every notebook with its outputs (explorers in their saved state) to site/, offline
	rm -rf site
	$(BIN)/python tools/build_site.py site

assignments: $(TEACHERS)/.nbgrader  ## build nbgrader's source and release versions of every exercise in assignments/
	$(TEACHERS)/bin/python tools/build_assignments.py assignments

clean:  ## remove the environments and every generated file
	rm -rf $(VENV) $(TEACHERS) $(HUB) assignments site tools/node_modules .hypothesis .pytest_cache .ruff_cache *.egg-info tests/browser/screenshots
	find . -name __pycache__ -prune -exec rm -rf {} +
