# CCHC Flow — everything installs into .venv by itself; `make run` and `make test` need nothing else.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# the web pages: npm ci when the lockfile changes, esbuild when a front-end source changes
NPM_STAMP := frontend/node_modules/.npm-ci-stamp
WEB_STAMP := api/web/static/dist/.build-stamp
FRONTEND_SRC := $(shell find frontend/src -type f 2>/dev/null) frontend/build.mjs

.PHONY: install web run serve serve-prod worker test lint pg-test e2e bench bench-timers clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(NPM_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $(NPM_STAMP)

$(WEB_STAMP): $(NPM_STAMP) $(FRONTEND_SRC)
	cd frontend && npm run --silent build
	touch $(WEB_STAMP)

web: $(WEB_STAMP)

# serve also runs the deadline worker (timers, reminders, e-mail) in a thread; CCHC_NO_WORKER=1 turns it off
run: install web
	$(BIN)/cchc init
	$(BIN)/cchc serve

# production (docs/operations.md): gunicorn, WORKERS web processes × THREADS threads, no worker in them; run
# `make worker` (one or more) beside it, on PostgreSQL (CCHC_DATABASE_URL) with one CCHC_SECRET_KEY for all
WORKERS ?= 2
THREADS ?= 4
serve-prod: install web
	$(BIN)/cchc migrate
	$(BIN)/cchc serve --workers $(WORKERS) --threads $(THREADS)

worker: install
	$(BIN)/cchc worker

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# the suite on both cores of CI's machine (pytest-xdist): tests go to whichever worker is free, except those of one
# xdist_group (the wall-clock and CPU budget tests), which share a worker; TEST_WORKERS=0 runs it in one process
TEST_WORKERS ?= 2
test: install lint web
	$(BIN)/pytest -m "not pg and not e2e" -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

pg-test: install
	$(BIN)/pytest -m pg tests/pg $(PYTEST_ARGS)

# browser tests: Debian's Chromium at /usr/bin/chromium (apt-get install -y chromium), screenshots in test-output/
e2e: install web
	$(BIN)/pytest -m e2e tests/e2e $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/engine.py

bench-timers: install
	$(BIN)/python bench/timers.py

clean:
	rm -rf $(VENV) instance/*.db*
