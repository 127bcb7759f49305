# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# One sync worker per core: more only take turns on the cores (BENCHMARKS.md, bench/_common.py).
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: run serve install install-test setup test test-sqlite test-future test-postgres bench translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

install: $(VENV)/.installed

install-test: install node_modules/.package-lock.json
	$(BIN)/pip install -q -r requirements-test.lock

# axe-core for the accessibility tests (tests/browser/test_a11y.py) and oidc-provider for the
# sign-in tests (tests/oidc/provider.mjs, run by Node), pinned in package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1 || bash scripts/install-system-deps.sh
	npm ci --no-audit --no-fund

translations: install
	$(FLASK) translate compile

# Database, geography, courses, demo accounts and a few hundred synthetic learners around them
# (added once, so that the dashboards show figures): safe to repeat, keeps all data.
setup: install translations
	$(FLASK) db upgrade
	$(FLASK) geo import
	$(FLASK) courses list
	$(FLASK) demo seed --demo-area 300

run: setup
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(BIN)/gunicorn --config gunicorn.conf.py --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - wsgi:app

test: install-test translations
	bash scripts/install-system-deps.sh
	$(BIN)/ruff check platform tests bench
	$(MAKE) test-sqlite
	$(MAKE) test-future
	$(MAKE) test-postgres

test-sqlite:
	$(BIN)/pytest -q

# The suite again with the machine's clock 400 days ahead (libfaketime): every test sets the
# day it reasons about, so none may notice. The browser tests stay on the real clock
# (Chromium's own timers), and run once above; so does the one test whose threads wait on a
# timer (libfaketime stalls timed waits between threads).
test-future:
	faketime -f +400d $(BIN)/pytest -q -p no:cacheprovider -m "not browser and not real_clock"

test-postgres:
	bash scripts/with-postgres.sh $(BIN)/pytest -q -m "not browser"

# Every benchmark of bench/ with its defaults (the kick-off alone: about 30 minutes on a
# busy 2-core machine, most of it the 1,000 citizens waiting for the two cores).
# nginx is installed here only (scripts/install-bench-deps.sh), not for `make test`.
bench: install-test translations
	bash scripts/install-bench-deps.sh
	$(BIN)/python -m bench

# A province's kick-off (bench/kickoff.py): 1,000 citizens at 20 venues on one box (SQLite),
# then on two app nodes behind nginx (PostgreSQL) while one node is killed. Figures go to
# BENCHMARKS.md. Size with e.g.
#   make bench-kickoff BENCH_KICKOFF_ARGS="--citizens 2000 --ramp 120 --search-rates 1,2,4,8"
.PHONY: bench-kickoff
BENCH_KICKOFF_ARGS ?=
bench-kickoff: install translations
	bash scripts/install-bench-deps.sh
	$(BIN)/python -m bench.kickoff $(BENCH_KICKOFF_ARGS)

# Learners taking the quiz under load, then while gunicorn workers are killed (bench/load.py):
# SQLite and PostgreSQL, 200 clients, 300 s per phase (about 25 minutes). Override with e.g.
#   make bench-load BENCH_LOAD_ARGS="--database sqlite --seconds 20 --clients 20"
.PHONY: bench-load
BENCH_LOAD_ARGS ?=
bench-load: install translations
	bash scripts/install-system-deps.sh
	$(BIN)/python -m bench.load $(BENCH_LOAD_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
