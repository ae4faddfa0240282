# Practitioner Researcher Programme: everyday commands (GNU make).
#
#   make run     install, create instance/settings.py, migrate, load the demo, serve
#   make test    install, then the whole test suite (SQLite)
#
# Extra pytest arguments: make test PYTEST_ARGS='-k sign_in -x'

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
INSTANCE_DIR := $(or $(INSTANCE_PATH),instance)
INSTANCE_SETTINGS := $(INSTANCE_DIR)/settings.py
FLASK := FLASK_APP=wsgi.py $(BIN)/flask

HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
BENCH_ARGS ?=
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

# pytest exits 5 when it collected no tests: say so, and fail.
define run_pytest
	@echo "$(strip $(1) $(BIN)/pytest $(PYTEST_ARGS))"
	@$(1) $(BIN)/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then \
		echo "ERROR: pytest collected no tests (exit code 5). That counts as a failure." >&2; \
	fi; \
	exit $$rc
endef

.PHONY: help install instance migrate demo run test test-postgres lint format bench

help:
	@echo "make run            install, create instance settings, migrate, load demo, serve on http://$(HOST):$(PORT)"
	@echo "make test           install, then run the whole test suite on SQLite (PYTEST_ARGS=... for more)"
	@echo "make test-postgres  the same suite on PostgreSQL ($(TEST_POSTGRES_URL))"
	@echo "make install        Python virtualenv (.venv) and npm front-end assets"
	@echo "make instance       write $(INSTANCE_SETTINGS) with a generated SECRET_KEY (never overwritten)"
	@echo "make migrate        apply database migrations"
	@echo "make demo           load the demo programme (refused when APP_ENV=production)"
	@echo "make lint | format  ruff check / ruff format"
	@echo "make bench          the national-scale benchmark (BENCH_ARGS='--db sqlite --scale 0.1' for a quick one)"

# --- install ---------------------------------------------------------------

install: $(VENV_STAMP) $(NODE_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { \
		echo "Could not create $(VENV). On Debian: apt-get install python3-venv" >&2; exit 1; }

# Reinstalled only when pyproject.toml is newer than the stamp.
$(VENV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[dev]'
	touch $@

# `npm ci` empties node_modules/, so the stamp is written after it.
$(NODE_STAMP): package-lock.json package.json
	npm ci
	touch $@

# --- local instance ----------------------------------------------------------

instance: $(INSTANCE_SETTINGS)

# No prerequisites: an existing file (and its secret key) is never replaced.
$(INSTANCE_SETTINGS):
	$(PYTHON) scripts/make_instance_settings.py $@

migrate: install instance
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo

run: demo
	@echo
	@echo "Serving on http://$(HOST):$(PORT)  (sign in as staff@demo.test, password demo-password; Ctrl-C stops)"
	FLASK_DEBUG=0 $(FLASK) run --host $(HOST) --port $(PORT)

# --- checks ------------------------------------------------------------------

test: install
	$(call run_pytest,)

test-postgres: install
	$(call run_pytest,TEST_DATABASE_URL='$(TEST_POSTGRES_URL)')

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .

bench: install
	@if [ -f bench/run.py ]; then \
		$(BIN)/python bench/run.py $(BENCH_ARGS); \
	else \
		echo "No benchmark yet: bench/run.py has not been built."; \
	fi
