# The two set-up commands: `make local` (start the local API) and `make test` (run the tests).
# Each creates .venv and installs the pinned dependencies first, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Test files run in parallel, one file per worker at a time (`make unit PYTEST_WORKERS=0` runs them in-process).
PYTEST_WORKERS ?= 2

# `make package ARCH=x86_64` builds the archives for an x86_64 machine (the benchmarks load them);
# the stack always deploys the function's own architecture, arm64.
ARCH ?= arm64

.PHONY: install local test lint typecheck unit e2e package lock

$(STAMP): requirements/runtime.txt requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP)

local: install
	$(PY) -m local_api --outputs-file local-outputs.json $(ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: install
	$(PY) -m mypy

unit: install
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(ARGS)

test: lint typecheck unit

# The end-to-end suite against any API: `make e2e API_URL=http://127.0.0.1:3100` (or a stack's apiUrl,
# with `TOKEN=<one user's access token>` behind an authorizer); without API_URL it starts local APIs
# of its own. With a token every test is that one user, so they run one at a time.
e2e: install
	API_URL=$(API_URL) TOKEN=$(TOKEN) $(PY) -m pytest $(if $(TOKEN),-p no:xdist,-n $(PYTEST_WORKERS) --dist loadfile) \
		tests/e2e $(ARGS)

# The function's and the dependency layer's archives, build/$(ARCH)/{function,layer}.zip, rebuilt
# only when out of date (`ARGS=--force` rebuilds anyway). Needs a python3.13.
package: install
	$(PY) -m components.lambda_artifacts --arch $(ARCH) $(ARGS)

# requirements/runtime.lock from requirements/runtime.txt: run it after changing a pin there.
lock: install
	$(PY) -m components.runtime_lock
