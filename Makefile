# The two commands: `make run` (the demo site) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test test-only lint format bench soak mutation cluster clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: requirements/base.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.lock
	touch $@

$(VENV)/.installed-test: requirements/test.lock requirements/base.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/test.lock
	touch $@ $(VENV)/.installed-base

run: export DEBUG ?= true
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: $(VENV)/.installed-base
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seed_demo_comments --login
	$(BIN)/python manage.py demo_login
	@echo "Serving on http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	@echo "With a worker and the scheduler on the database queue (TASKS_URL); Ctrl-C stops all."
	$(BIN)/python manage.py run_worker & worker=$$!; \
	$(BIN)/python manage.py run_scheduler & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null; wait' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Tests run with production-like settings (DEBUG off), so static files are collected first.
TEST_ENV := DEBUG=false SECRET_KEY=test-only-not-secret DJANGO_SETTINGS_MODULE=newsroom.settings

test: $(VENV)/.installed-test lint test-only

# ruff, then the architecture contracts (import-linter, [tool.importlinter] in pyproject.toml).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test-only: $(VENV)/.installed-test
	$(TEST_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

# The benchmark (bench/README.md): SQLite and PostgreSQL, about 16 minutes; never part of `make test`.
# BENCH_CLUSTER=1: the cluster's rows instead (bench/cluster_bench.py; PostgreSQL by default).
bench: $(VENV)/.installed-test
	$(BIN)/python bench/$(if $(BENCH_CLUSTER),cluster_bench.py,run.py) $(BENCH_DATABASES)

# The soak (bench/README.md): 2 minutes of reads, posts and approvals, Akismet failing 1 call
# in 5 (SOAK_SECONDS; SOAK_DATABASES=postgresql or "sqlite postgresql"); never part of `make test`.
# SOAK_TARGET=cluster: the same through nginx against the cluster, with faults
# (bench/soak_cluster.py; PostgreSQL unless SOAK_DATABASES says otherwise).
soak: $(VENV)/.installed-test
	$(BIN)/python bench/$(if $(filter cluster,$(SOAK_TARGET)),soak_cluster.py,soak.py) $(SOAK_DATABASES)

# Mutation testing (docs/testing.md): mutmut over comments/{moderation,policy,pipeline,spam}.py,
# each mutant against the tests that cover it, MUTATION_JOBS (2) at a time; prints each module's
# score and its survivors. At most MUTATION_MINUTES (45) in all; never part of `make test` or CI.
MUTATION_MODULES ?= moderation policy pipeline spam
MUTATION_MINUTES ?= 45
MUTATION_JOBS ?= 2
mutation: $(VENV)/.installed-test
	$(TEST_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(TEST_ENV) $(BIN)/python tests/mutation.py --minutes $(MUTATION_MINUTES) --jobs $(MUTATION_JOBS) $(MUTATION_MODULES)

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles test-db.sqlite3* artifacts mutants

# The production layout on one machine (README, "A cluster on one machine"): nginx, two app
# servers, two queue workers, the scheduler, PostgreSQL and a Redis of its own. Not in `make test`.
CLUSTER_PORT ?= 8080
cluster: $(VENV)/.installed-base
	CLUSTER_PORT=$(CLUSTER_PORT) $(BIN)/python deploy/cluster.py
