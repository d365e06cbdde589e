# The two set-up commands: `make local` (start the local API) and `make test` (run the tests).
# Each creates .venv and installs the pinned dependencies first, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Test files run in parallel, one file per worker at a time (`make unit PYTEST_WORKERS=0` runs them in-process).
PYTEST_WORKERS ?= 2

.PHONY: install local test lint typecheck unit e2e

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
